// The kiosk page: waits for state changes, shows the right screen, beeps on each result.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const RESULT_SECONDS = 6;  // a result asks nothing; it clears itself, or with the button
  let version = -1, step = null, shownResult = 0, dismissed = 0, screen = null, audio = null;

  let sound = {volume: 80, muted: false}, lastSaid = [], playing = null, sayId = 0;

  // ok: true (two rising notes), false (a low buzz), "info" (one soft note: nothing is wrong).
  function beep(ok) {
    if (sound.muted || sound.volume <= 0) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      const tones = ok === "info" ? [523] : ok ? [660, 880] : [220, 220];
      tones.forEach((freq, i) => {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.type = ok ? "sine" : "square";
        osc.frequency.value = freq;
        const t = audio.currentTime + i * 0.22;
        gain.gain.setValueAtTime(0.25 * sound.volume / 100, t);
        gain.gain.exponentialRampToValueAtTime(0.001, t + 0.2);
        osc.connect(gain).connect(audio.destination);
        osc.start(t); osc.stop(t + 0.21);
      });
    } catch (e) { /* no audio device: the screen still says it */ }
  }

  // The voice: pre-recorded Mandarin parts (kiosk/speech.py) played one after another. The
  // parts said last stay for 再听一遍; the page records them (data-said) for the tests.
  function say(parts, delay) {
    parts = (parts || []).filter(Boolean);
    if (!parts.length) return;
    lastSaid = parts;
    document.body.dataset.said = parts.join(" ");
    const mine = ++sayId;
    if (playing) { playing.pause(); playing = null; }
    if (sound.muted || sound.volume <= 0) return;
    let i = 0;
    const next = () => {
      if (mine !== sayId || i >= parts.length) { playing = null; return; }
      const clip = new Audio("sounds/" + encodeURIComponent(parts[i++]) + ".wav");
      clip.volume = Math.min(sound.volume, 100) / 100;
      playing = clip;
      clip.addEventListener("ended", next);
      clip.addEventListener("error", next);
      clip.play().catch(next);
    };
    setTimeout(next, delay || 0);  // after a beep, not over it
  }
  function sayAgain() { say(lastSaid); }

  function show(id, visible) { $(id).hidden = !visible; }

  let spokenScreen = null;
  function render(s) {
    if (s.sound) sound = s.sound;
    document.body.dataset.muted = sound.muted || sound.volume <= 0 ? "yes" : "no";
    $("site").textContent = s.site || "文明服务码";
    if (s.screen !== spokenScreen) {  // the enrollment and the disabled screens speak once
      spokenScreen = s.screen;
      if (s.screen === "enroll") say(["scan_enrollment"]);
      if (s.screen === "revoked") say(["revoked"]);
    }
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
    // Records the server refused after the screen accepted them are for an administrator (the
    // dashboard lists them); the public screen only told the person then (a one-minute note).
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
      showResult(r.ok, r.title, r.name, r.detail, r.clock, r.say);
    }
    if (window.kiosk.onState) window.kiosk.onState(s);
  }

  let localResults = 0;
  // ok: true (green), false (red), "info" (calm blue: a fact, not an error).
  function showResult(ok, title, name, detail, clock, parts) {
    const mine = "local-" + (++localResults);
    const kind = ok === "info" ? "info" : ok ? "ok" : "bad";
    $("result").className = "result " + kind;
    $("r-title").textContent = title;
    $("r-name").textContent = name || "";
    $("r-detail").textContent = detail || "";
    $("r-time").textContent = clock || $("clock").textContent;
    $("result").hidden = false;
    $("result").dataset.shown = mine;
    document.body.dataset.result = kind;
    beep(ok);
    say(parts && parts.length ? parts : [], 500);
    keepResult(mine, parts && parts.length ? parts.length : 0);
  }

  // A result clears itself; one that speaks stays until its words have been said.
  let resultTimer = null;
  function keepResult(mine, spoken) {
    clearTimeout(resultTimer);
    resultTimer = setTimeout(() => { if ($("result").dataset.shown === mine) hideResult(); },
                             (RESULT_SECONDS + Math.min(spoken, 10)) * 1000);
  }
  $("r-again").addEventListener("click", () => {
    sayAgain();
    keepResult($("result").dataset.shown, lastSaid.length);
  });
  window.kiosk = {showResult: showResult, beep: beep, say: say, sayAgain: sayAgain,
                  onState: null, closeFlow: null};

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
