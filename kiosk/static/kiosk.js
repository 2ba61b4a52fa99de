// The kiosk page: waits for state changes, shows the right screen, beeps on each result.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const RESULT_SECONDS = 6;  // a result asks nothing; it clears itself, or with the button
  let version = -1, step = null, shownResult = 0, dismissed = 0, screen = null, audio = null;

  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = ok ? [660, 880] : [220, 220];
      tones.forEach((freq, i) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        const t = audio.currentTime + i * 0.22;
        gain.gain.setValueAtTime(0.25, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(t); osc.stop(t + 0.21);
      });
    } catch (e) { /* no audio device: the screen still says it */ }
  }

  function show(id, visible) { $(id).hidden = !visible; }

  function render(s) {
    $("site").textContent = s.site || "文明服务码";
    $("clock").textContent = s.clock;
    screen = s.screen;
    const inFlow = s.screen === "idle" && !!document.body.dataset.flow;
    show("s-idle", s.screen === "idle" && !inFlow);
    if (s.screen !== "idle" && document.body.dataset.flow && window.kiosk.closeFlow) {
      window.kiosk.closeFlow();  // revoked (or re-enrolling): no question stays open
    }
    show("s-enroll", s.screen === "enroll");
    show("s-revoked", s.screen === "revoked");
    $("enroll-message").textContent = s.message || "";
    show("b-camera", s.camera_ok === false && s.screen !== "revoked");
    const offline = s.online === false && s.screen === "idle";
    $("b-offline").textContent = offline ? s.words.offline.replace("%d", s.pending) :
      s.words.pending.replace("%d", s.pending);
    show("b-offline", s.screen === "idle" && (offline || s.pending > 20));
    $("b-admin").textContent = s.words.needs_admin.replace("%d", s.needs_admin);
    show("b-admin", s.needs_admin > 0);
    $("b-note").textContent = s.note || "";
    show("b-note", s.screen === "idle" && !!s.note);
    show("activities", s.activities && s.activities.length > 0);
    if (s.screen === "idle" && s.step !== step) {
      step = s.step;
      $("presence").src = "presence.svg?step=" + step;
    }
    const r = s.result;
    if (r && r.id !== shownResult && Date.now() / 1000 - r.at < RESULT_SECONDS) {
      shownResult = r.id;
      showResult(r.ok, r.title, r.name, r.detail, r.clock);
    }
    if (window.kiosk.onState) window.kiosk.onState(s);
  }

  let localResults = 0;
  function showResult(ok, title, name, detail, clock) {
    const mine = "local-" + (++localResults);
    $("result").className = "result " + (ok ? "ok" : "bad");
    $("r-title").textContent = title;
    $("r-name").textContent = name || "";
    $("r-detail").textContent = detail || "";
    $("r-time").textContent = clock || $("clock").textContent;
    $("result").hidden = false;
    $("result").dataset.shown = mine;
    document.body.dataset.result = ok ? "ok" : "bad";
    beep(ok);
    setTimeout(() => { if ($("result").dataset.shown === mine) hideResult(); },
               RESULT_SECONDS * 1000);
  }
  window.kiosk = {showResult: showResult, beep: beep, onState: null, closeFlow: null};

  function hideResult() {
    $("result").hidden = true;
    delete $("result").dataset.shown;
    dismissed = shownResult;
    delete document.body.dataset.result;
  }
  $("r-ok").addEventListener("click", hideResult);

  async function poll() {
    for (;;) {
      try {
        const url = version < 0 ? "state.json" : "state.json?since=" + version + "&wait=5";
        const resp = await fetch(url, {cache: "no-store"});
        const s = await resp.json();
        version = s.version;
        render(s);
      } catch (e) {
        await new Promise((ok) => setTimeout(ok, 1000));
      }
    }
  }

  function refreshPreview() {
    ["preview-enroll", "preview-idle", "preview-redeem"].forEach((id) => {
      const img = $(id);
      if (!img.closest("[hidden]")) img.src = "preview.jpg?t=" + Date.now();
    });
  }
  setInterval(refreshPreview, 700);
  poll();
})();
