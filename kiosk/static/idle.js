// The idle screen's rhythm: reads /idle.json (the sync worker's cached copy, so it works
// offline), then shows the next activities and each model of good conduct in turn.
// Self-contained: it touches only the #rhythm panel and needs nothing from the other scripts.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const words = JSON.parse($("rh-words").textContent);
  const REFRESH_MS = 60000;
  let content = null, pages = [], index = 0, timer = null;

  function text(id, value) { const el = $(id); el.textContent = value || ""; el.hidden = !value; }

  function pagesOf(c) {
    const out = [];
    if (c.activities && c.activities.length) out.push({kind: "activities"});
    (c.honorees || []).forEach((person) => out.push({kind: "honor", person: person}));
    return out;
  }

  function showActivities() {
    const list = $("rh-list");
    list.replaceChildren();
    content.activities.forEach((a) => {
      const li = document.createElement("li");
      const when = document.createElement("span"); when.className = "rh-when"; when.textContent = a.when;
      const what = document.createElement("span"); what.textContent = a.title;
      const where = document.createElement("span"); where.className = "rh-where";
      const places = a.places_left === null || a.places_left === undefined ? "" :
        " · " + (a.places_left > 0 ? words.left.replace("%d", a.places_left) : words.full);
      where.textContent = a.place + places;
      li.append(when, what, where);
      list.append(li);
    });
    $("rh-activities").hidden = false;
    $("rh-honor").hidden = true;
  }

  function showPerson(p) {
    const img = $("rh-photo");
    if (p.photo_url) {
      img.src = p.photo_url; img.alt = words.portrait.replace("%s", p.name); img.hidden = false;
    } else { img.removeAttribute("src"); img.hidden = true; }
    text("rh-kind", words.honor + " · " + p.category);
    text("rh-name", p.name);
    text("rh-title", [p.title, p.unit, p.year].filter(Boolean).join(" · "));
    text("rh-story", p.story);
    $("rh-honor").hidden = false;
    $("rh-activities").hidden = true;
  }

  function render() {
    const panel = $("rhythm");
    panel.hidden = pages.length === 0;
    if (!pages.length) return;
    index = index % pages.length;
    const page = pages[index];
    text("rh-theme", content.theme ? words.theme + "：" + content.theme.title : "");
    $("rh-count").textContent = pages.length > 1 ? (index + 1) + " / " + pages.length : "";
    if (page.kind === "activities") showActivities(); else showPerson(page.person);
    panel.dataset.page = page.kind;
  }

  function next() { index += 1; render(); }

  async function load() {
    try {
      const resp = await fetch("idle.json", {cache: "no-store"});
      if (!resp.ok) return;
      const fresh = await resp.json();
      const same = content && JSON.stringify(fresh) === JSON.stringify(content);
      content = fresh;
      if (!same) { pages = pagesOf(content); render(); }
      if (!timer && pages.length) {
        timer = setInterval(next, Math.max(4, content.rotate_seconds || 12) * 1000);
      }
    } catch (e) { /* the kiosk's own page server is restarting: try again next round */ }
  }
  window.kioskIdle = {next: next, reload: load};  // for the browser test and a technician
  load();
  setInterval(load, REFRESH_MS);
})();
