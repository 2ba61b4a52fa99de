// The touchscreen's questions: 点单, confirming or rating an order by its code, 积分兑换.
// Every answer goes to the kiosk program, which commits it to the outbox before replying.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const W = JSON.parse($("words").textContent);
  // The steps and the moves between them: kiosk/flows.py FLOW, the one table (served in the
  // page). A move that is not in it is refused here, loudly.
  const FLOW = JSON.parse($("flow").textContent);
  const STEPS = Object.keys(FLOW.steps).filter((s) => s !== "idle");
  const SCANNED = Object.values(FLOW.scanned);
  const CONTRACT = JSON.parse(document.getElementById("contract").textContent);  // qr.contract
  const PHONE = new RegExp("^(?:" + CONTRACT.phone_pattern + ")$");
  const TAGS_MAX = CONTRACT.tags_max;
  let step = null, history = [], timer = null, limit = FLOW.seconds.ask, watching = null;
  let order = {}, prompt = null, lastPrompt = 0, stars = 0, tags = [], redeemItem = null;

  const fmt = (text, ...args) => { let i = 0; return text.replace(/%[sd]/g, () => args[i++]); };

  // Each question is said as it opens (its step's data-say); a result once, when it changes.
  let spoken = "";
  function speak(parts, delay) {
    const key = (parts || []).join(" ");
    if (!key || key === spoken) return;
    spoken = key;
    window.kiosk.say(parts, delay);
  }

  async function call(path, body) {
    const resp = await fetch(path, body === undefined ? {cache: "no-store"} : {
      method: "POST", headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)});
    const data = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error((data.error && data.error.message) || W.unknown);
    return data;
  }

  // ---- moving between steps ---------------------------------------------------------------

  // back and the start screen always may; a code held to the camera opens its step anywhere.
  function allowed(from, to, opts) {
    return opts.back || (opts.scanned && SCANNED.includes(to)) ||
      FLOW.steps[from].next.includes(to);
  }

  function open(id, title, opts) {
    opts = opts || {};
    const from = step || "idle";
    if (!allowed(from, id, opts)) throw new Error("kiosk flow: no move from " + from + " to " + id);
    if (opts.fresh) history = [];
    else if (step && !opts.replace) history.push([step, $("f-title").textContent]);
    step = id;
    document.body.dataset.flow = id;
    $("s-idle").hidden = true;
    $("s-flow").hidden = false;
    STEPS.forEach((s) => { $(s).hidden = s !== id; });
    $("f-title").textContent = title;
    hideError();
    spoken = "";
    if (!opts.quiet && $(id).dataset.say) speak($(id).dataset.say.split(" "));
    limit = FLOW.seconds[FLOW.steps[id].wait];
    touch();
    window.scrollTo(0, 0);
  }

  function close() {
    if (step === "f-redeem-wait") call("flow/redeem-mode", {on: false}).catch(() => {});
    step = null;
    history = [];
    watching = null;
    clearTimeout(timer);
    delete document.body.dataset.flow;
    $("s-flow").hidden = true;
    $("s-idle").hidden = false;
  }
  window.kiosk.closeFlow = close;

  function back() {
    if (!history.length) return close();
    if (step === "f-redeem-wait") call("flow/redeem-mode", {on: false}).catch(() => {});
    const [id, title] = history.pop();
    open(id, title, {replace: true, back: true});
  }

  // Nobody answered for a while: the next person finds the start screen, not a half order.
  function touch() {
    clearTimeout(timer);
    if (step) timer = setTimeout(close, limit * 1000);
  }
  ["pointerdown", "keydown", "input"].forEach((e) => document.addEventListener(e, touch, true));

  function showError(text) { $("f-error").textContent = text; $("f-error").hidden = false; }
  function hideError() { $("f-error").hidden = true; }

  function pressed(group, button, only) {
    group.querySelectorAll("[aria-pressed]").forEach((b) => {
      if (only || b === button) b.setAttribute("aria-pressed", String(b === button &&
        (only ? true : b.getAttribute("aria-pressed") !== "true")));
    });
  }

  // Poll one outbox action until the server has answered (or the screen moved on).
  async function watch(key, render) {
    const mine = watching = key;
    for (;;) {
      let st = null;
      try { st = await call("flow/action/" + key + ".json"); } catch (e) { /* try again */ }
      if (watching !== mine) return;
      if (st) render(st);
      if (st && st.state !== "pending") return;
      await new Promise((ok) => setTimeout(ok, 1000));
    }
  }

  function choiceButton(title, sub, disabled) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "choice item";
    b.disabled = !!disabled;
    const t = document.createElement("span");
    t.className = "item-name";
    t.textContent = title;
    const s = document.createElement("span");
    s.className = "item-sub";
    s.textContent = sub;
    b.append(t, s);
    return b;
  }

  // ---- 点单 -------------------------------------------------------------------------------

  $("go-order").addEventListener("click", async () => {
    const menu = await call("flow/menu.json").catch(() => ({items: []}));
    const list = $("menu-list");
    list.replaceChildren();
    menu.items.forEach((item) => {
      const b = choiceButton(item.name, item.content_area || "");
      b.addEventListener("click", () => pickService(item));
      list.append(b);
    });
    order = {};
    open("f-menu", W.go_order, {fresh: true});
  });

  function pickService(item) {
    order = {item: item, phone: "", place: "", note: ""};
    showPhone();
    open("f-phone", item.name);
  }

  function showPhone() {
    const p = order.phone;
    $("phone-display").textContent = [p.slice(0, 3), p.slice(3, 7), p.slice(7)].join(" ").trim()
      || "—";
    $("phone-next").disabled = !PHONE.test(p);
  }

  document.querySelectorAll("#f-phone .key").forEach((key) => {
    key.addEventListener("click", () => {
      if (key.dataset.digit && order.phone.length < 11) order.phone += key.dataset.digit;
      if (key.dataset.key === "delete") order.phone = order.phone.slice(0, -1);
      if (key.dataset.key === "clear") order.phone = "";
      showPhone();
    });
  });

  $("phone-next").addEventListener("click", () => {
    order.place = "";
    $("note").value = order.note || "";
    document.querySelectorAll("[data-place]").forEach((b) => b.setAttribute("aria-pressed",
      "false"));
    open("f-place", order.item.name);
  });

  document.querySelectorAll("[data-place]").forEach((b) => {
    b.addEventListener("click", () => {
      const on = b.getAttribute("aria-pressed") !== "true";
      pressed(b.parentNode, on ? b : null, true);
      order.place = on ? b.dataset.place : "";
    });
  });

  $("place-next").addEventListener("click", () => {
    order.note = $("note").value.trim();
    $("sum-service").textContent = order.item.name;
    $("sum-phone").textContent = $("phone-display").textContent;
    $("sum-place").textContent = order.place || W.none;
    $("sum-note").textContent = order.note || W.none;
    $("order-confirm").disabled = false;
    open("f-confirm-order", W.confirm_order_title);
  });

  $("order-confirm").addEventListener("click", async () => {
    $("order-confirm").disabled = true;
    let saved;
    try {
      saved = await call("flow/order", {item_id: order.item.id, phone: order.phone,
        place: order.place, note: order.note});
    } catch (e) {
      $("order-confirm").disabled = false;
      return showError(e.message);
    }
    $("rc-number").hidden = $("rc-code").hidden = true;
    $("rc-status").className = "big-line";
    $("rc-status").textContent = W.sending;
    $("rc-hint").textContent = "";
    open("f-receipt", W.go_order, {fresh: true, quiet: true});
    watch(saved.key, (st) => receipt(saved, st));
  });

  function receipt(saved, st) {
    speak(st.say, st.state === "pending" ? 0 : 500);
    if (st.state === "pending") {
      const queued = st.online === false;
      $("rc-status").textContent = queued ? W.order_queued : W.sending;
      $("rc-hint").textContent = queued ? fmt(W.order_queued_hint, saved.phone) : "";
      return;
    }
    if (st.state === "done") {
      $("rc-status").textContent = W.order_ok;
      $("rc-status").className = "big-line ok-text";
      $("rc-number").textContent = W.order_number + " " + st.result.number;
      $("rc-code").src = "flow/action/" + saved.key + ".svg";
      $("rc-number").hidden = $("rc-code").hidden = false;
      $("rc-hint").textContent = W.receipt_hint;
      window.kiosk.beep(true);
      touch();
    } else {
      $("rc-status").textContent = W.order_refused;
      $("rc-status").className = "big-line bad-text";
      $("rc-hint").textContent = st.error || "";
      window.kiosk.beep(false);
    }
  }

  // ---- an order code in front of the camera: confirm completion, or rate -------------------

  async function orderCode(p) {
    prompt = p;
    $("choice-service").textContent = W.looking_up;
    $("f-choice").querySelector(".choices").hidden = true;
    open("f-choice", fmt(W.order_title, p.number), {fresh: true, scanned: true});
    let st;
    try { st = await call("flow/order/" + p.id + ".json"); } catch (e) {
      st = {status: p.status, service: p.service};
    }
    if (prompt !== p || step !== "f-choice") return;
    const service = st.service || p.service || "";
    const fail = (text, detail, key) => { close(); window.kiosk.showResult(false, text, p.number,
      detail || "", undefined, [key || "order_code_refused"]); };
    // A normal wait, a rating already given, a cancelled order: information, calmly said.
    const inform = (key) => { close(); window.kiosk.showResult("info", W[key], p.number, "",
      undefined, [key]); };
    if (st.refused) return fail(W.order_code_refused, st.refused);
    if (st.status === "completed") return openRate(service, true);
    if (st.status === "accepted" || st.status === "in_service") {
      $("complete-service").textContent = service;
      return open("f-complete", W.complete_title, {replace: true});
    }
    if (st.status === "rated") return inform("order_rated");
    if (st.status === "cancelled") return inform("order_cancelled");
    if (st.status) return inform("order_waiting");
    // Offline and never seen here: the person holding the code says which it is.
    $("choice-service").textContent = service;
    $("f-choice").querySelector(".choices").hidden = false;
    speak(["choose_action"]);
  }

  $("choose-complete").addEventListener("click", () => {
    $("complete-service").textContent = $("choice-service").textContent;
    open("f-complete", W.complete_title);
  });
  $("choose-rate").addEventListener("click", () =>
    openRate($("choice-service").textContent, false));

  $("complete-confirm").addEventListener("click", async () => {
    let saved;
    try { saved = await call("flow/complete", {prompt: prompt.id}); } catch (e) {
      return showError(e.message);
    }
    $("completed-note").textContent = "";
    open("f-completed", W.complete_title, {fresh: true});
    window.kiosk.beep(true);
    watch(saved.key, (st) => {
      if (st.state === "pending" && st.online === false) {
        $("completed-note").textContent = W.saved_offline;
        speak(["completed_ok", "saved_offline", "rate_now"]);
      } else if (st.state === "refused") {
        close();
        window.kiosk.showResult(false, W.order_code_refused, prompt.number, st.error,
          undefined, ["order_code_refused"]);
      }
    });
  });
  $("completed-rate").addEventListener("click", () =>
    openRate($("complete-service").textContent, true));

  function openRate(service, fresh) {
    stars = 0;
    tags = [];
    $("rate-service").textContent = service;
    $("comment").value = "";
    document.querySelectorAll("#f-rate [aria-pressed]").forEach((b) =>
      b.setAttribute("aria-pressed", "false"));
    $("rate-submit").disabled = true;
    open("f-rate", W.rate_title, fresh ? {fresh: true} : {});
  }

  document.querySelectorAll("[data-stars]").forEach((b) => {
    b.addEventListener("click", () => {
      stars = Number(b.dataset.stars);
      document.querySelectorAll("[data-stars]").forEach((s) => s.setAttribute("aria-pressed",
        String(Number(s.dataset.stars) <= stars)));
      $("rate-submit").disabled = false;
    });
  });
  document.querySelectorAll("[data-tag]").forEach((b) => {
    b.addEventListener("click", () => {
      const i = tags.indexOf(b.dataset.tag);
      if (i < 0 && tags.length >= TAGS_MAX) return;  // the server takes five at most
      if (i >= 0) tags.splice(i, 1); else tags.push(b.dataset.tag);
      b.setAttribute("aria-pressed", String(i < 0));
    });
  });

  $("rate-submit").addEventListener("click", async () => {
    $("rate-submit").disabled = true;
    try {
      await call("flow/rate", {prompt: prompt.id, stars: stars, tags: tags,
        comment: $("comment").value.trim()});
    } catch (e) {
      $("rate-submit").disabled = false;
      return showError(e.message);
    }
    const offline = document.body.dataset.online === "no";
    close();
    window.kiosk.showResult(true, W.rated_ok, "★".repeat(stars), offline ? W.saved_offline : "",
      undefined, offline ? ["rated_ok", "saved_offline"] : ["rated_ok"]);
  });

  // ---- 积分兑换 ------------------------------------------------------------------------------

  $("go-redeem").addEventListener("click", async () => {
    await call("flow/redeem-mode", {on: true}).catch(() => {});
    open("f-redeem-wait", W.redeem_title, {fresh: true});
  });

  async function redeemCode(p) {
    prompt = p;
    const catalog = await call("flow/catalog.json").catch(() => ({items: []}));
    $("catalog-hello").textContent = fmt(W.redeem_hello, p.name || W.volunteer);
    $("catalog-balance").textContent = p.balance === null || p.balance === undefined ?
      W.balance_unknown : fmt(W.balance_known, p.balance);
    const list = $("catalog-list");
    list.replaceChildren();
    const buttons = [];
    catalog.items.forEach((item) => {
      const out = item.stock === 0;
      const sub = fmt(W.points, item.cost_points) + (out ? " · " + W.sold_out :
        item.stock === null || item.stock === undefined ? "" : " · " +
        fmt(W.stock_left, item.stock));
      const b = choiceButton(item.name, sub, out);
      buttons.push([b, item]);
      b.addEventListener("click", () => {
        redeemItem = item;
        $("redeem-question").textContent = fmt(W.redeem_question, item.name, item.cost_points);
        $("redeem-confirm").disabled = false;
        open("f-redeem-confirm", W.redeem_confirm_title, {quiet: true});
        speak(["redeem_confirm", ...(item.say_cost || []), "jifen"]);
      });
      list.append(b);
    });
    open("f-catalog", W.redeem_title, {fresh: true, scanned: true});
    // The live balance when the server answers quickly; what cannot be afforded is greyed out
    // (the server still decides: a balance can change between this look and the redemption).
    call("flow/balance/" + p.id + ".json").then((b) => {
      if (prompt !== p || b.source !== "server" || b.balance === null) return;
      $("catalog-balance").textContent = fmt(W.balance_now, b.balance);
      buttons.forEach(([button, item]) => {
        if (item.cost_points > b.balance && !button.disabled) {
          button.disabled = true;
          button.querySelector(".item-sub").textContent = fmt(W.points, item.cost_points) +
            " · " + W.too_few_points;
        }
      });
    }).catch(() => {});
  }

  $("redeem-confirm").addEventListener("click", async () => {
    $("redeem-confirm").disabled = true;
    let saved;
    try { saved = await call("flow/redeem", {prompt: prompt.id, item_id: redeemItem.id}); }
    catch (e) {
      $("redeem-confirm").disabled = false;
      return showError(e.message);
    }
    $("rr-status").className = "big-line";
    $("rr-status").textContent = W.redeem_wait;
    $("rr-hint").textContent = "";
    open("f-redeem-result", W.redeem_title, {fresh: true, quiet: true});
    watch(saved.key, (st) => {
      speak(st.say, st.state === "pending" ? 0 : 500);
      if (st.state === "pending") {
        $("rr-status").textContent = st.online === false ? W.redeem_queued : W.redeem_wait;
      } else if (st.state === "done") {
        $("rr-status").textContent = W.redeem_ok;
        $("rr-status").className = "big-line ok-text";
        $("rr-hint").textContent = fmt(W.balance_after, st.result.balance);
        window.kiosk.beep(true);
      } else {
        $("rr-status").textContent = W.redeem_refused;
        $("rr-status").className = "big-line bad-text";
        $("rr-hint").textContent = st.error || "";
        window.kiosk.beep(false);
      }
    });
  });

  // ---- free text without a keyboard: phrases to tap, and an on-screen keyboard -----------
  // Letters spell pinyin by default: the candidates row offers the common characters read so
  // (kiosk/static/pinyin.json, made by scripts/pinyin_table.py); 英文 types the letters as such.

  const KEYS = "1234567890QWERTYUIOPASDFGHJKL，ZXCVBNM、。？";
  const CANDIDATES = 12;
  let pinyinTable = null;
  function loadPinyin() {
    if (!pinyinTable) {
      pinyinTable = fetch("static/pinyin.json").then((r) => r.json()).catch(() => ({}));
    }
    return pinyinTable;
  }
  function key(label, cls, press) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = label;
    b.addEventListener("click", press);
    return b;
  }
  document.querySelectorAll(".typing").forEach((box) => {
    const field = $(box.dataset.for);
    let spelling = "", latin = false;
    const changed = () => field.dispatchEvent(new Event("input", {bubbles: true}));
    const put = (text) => {
      const room = field.maxLength > 0 ? field.maxLength - field.value.length : text.length;
      if (room <= 0) return;
      field.value += text.slice(0, room);
      changed();
    };
    const presets = document.createElement("div");
    presets.className = "choices presets";
    box.dataset.presets.split("|").forEach((phrase) => presets.append(key(phrase, "choice preset",
      () => put((field.value && !/[，。？\s]$/.test(field.value) ? "，" : "") + phrase))));
    const board = document.createElement("div");
    board.className = "osk";
    board.hidden = true;
    board.setAttribute("role", "group");
    board.setAttribute("aria-label", W.keyboard);
    const compose = document.createElement("div");
    compose.className = "osk-compose";
    compose.setAttribute("aria-live", "polite");
    const spelled = document.createElement("span");
    spelled.className = "osk-spelling";
    const picks = document.createElement("div");
    picks.className = "osk-picks";
    compose.append(spelled, picks);
    compose.hidden = true;

    async function showCandidates() {
      compose.hidden = !spelling;
      spelled.textContent = spelling;
      picks.replaceChildren();
      if (!spelling) return;
      const table = await loadPinyin();
      const exact = table[spelling] || "";
      const more = Object.keys(table).filter((k) => k !== spelling && k.startsWith(spelling))
        .map((k) => table[k]).join("");
      [...new Set([...exact, ...more])].slice(0, CANDIDATES).forEach((c) =>
        picks.append(key(c, "key osk-pick", () => { spelling = ""; put(c); showCandidates(); })));
    }
    const letter = (c) => {
      if (latin || !/[A-Z]/.test(c)) {
        if (spelling) return;  // finish the character being spelled first
        return put(c);
      }
      if (spelling.length < 6) spelling += c.toLowerCase();
      showCandidates();
    };
    [...KEYS].forEach((c) => board.append(key(c, "key osk-key", () => letter(c))));
    const mode = key(W.latin, "key osk-key wide", () => {
      latin = !latin;
      spelling = "";
      showCandidates();
      mode.textContent = latin ? W.pinyin : W.latin;
    });
    board.append(mode, key(W.space, "key osk-key wide", () => {
      if (spelling) {
        const first = picks.querySelector("button");
        if (first) first.click();
        return;
      }
      put(" ");
    }), key(W["delete"], "key osk-key wide", () => {
      if (spelling) { spelling = spelling.slice(0, -1); return showCandidates(); }
      field.value = field.value.slice(0, -1);
      changed();
    }));
    const toggle = key(W.keyboard, "back osk-toggle", () => {
      board.hidden = !board.hidden;
      if (!board.hidden) loadPinyin();
      spelling = "";
      showCandidates();
      if (board.hidden) compose.hidden = true;
      toggle.textContent = board.hidden ? W.keyboard : W.keyboard_close;
      toggle.setAttribute("aria-expanded", String(!board.hidden));
    });
    toggle.setAttribute("aria-expanded", "false");
    presets.append(toggle);
    box.append(presets, compose, board);
  });

  // ---- wiring -----------------------------------------------------------------------------

  $("f-back").addEventListener("click", back);
  document.querySelectorAll("#s-flow .done").forEach((b) => b.addEventListener("click", close));
  document.querySelectorAll("[data-again]").forEach((b) =>
    b.addEventListener("click", () => window.kiosk.sayAgain()));

  window.kiosk.onState = (s) => {
    $("go-order").hidden = !s.can_order;
    $("go-redeem").hidden = !s.can_redeem;
    document.body.dataset.online = s.online === false ? "no" : "yes";
    const p = s.prompt;
    if (!p || p.id <= lastPrompt) return;
    lastPrompt = p.id;
    if (Date.now() / 1000 - p.at > 60) return;  // from before this page was loaded
    window.kiosk.beep(true);
    if (p.kind === "order_code") orderCode(p);
    else if (p.kind === "redeem") redeemCode(p);
  };
})();
