// The site picker: turns each <select data-site-picker> into a typeahead (ARIA 1.2 combobox
// with a listbox popup) searching the admin's subtree on the server. The select stays in the
// form, hidden, and carries the chosen id; without this script it is an ordinary select.
(function () {
  "use strict";
  var counter = 0;

  function enhance(select) {
    var url = select.getAttribute("data-site-picker");
    var id = select.id || ("site-picker-" + (++counter));
    var listId = id + "-list";
    var input = document.createElement("input");
    input.type = "text";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");
    input.placeholder = select.getAttribute("data-placeholder") || "";
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) input.value = chosen.textContent.trim();
    var list = document.createElement("ul");
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.className = "site-picker-list";
    list.hidden = true;
    // "No site matches." is said in a status region beside the list, not as an item of it: a
    // listbox holds only options, and a screen reader announces the status when it changes.
    var status = document.createElement("span");
    status.id = listId + "-status";
    status.className = "site-picker-status muted";
    status.setAttribute("role", "status");
    var wrap = document.createElement("span");
    wrap.className = "site-picker";
    select.parentNode.insertBefore(wrap, select);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(status);
    wrap.appendChild(select);
    select.id = id + "-select";
    input.id = id;  // the label's for= now names the text field
    select.hidden = true;
    select.tabIndex = -1;
    var active = -1, timer = null, items = [], asked = 0;

    function close() {
      list.hidden = true;
      if (document.activeElement !== input) status.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (o, i) { o.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({block: "nearest"});
    }
    function choose(site) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === String(site.id); });
      if (!option) {
        option = new Option(site.name, site.id);
        select.add(option);
      }
      select.value = String(site.id);
      input.value = site.name;
      select.dispatchEvent(new Event("change", {bubbles: true}));
      close();
    }
    function show(sites) {
      items = sites;
      list.textContent = "";
      status.textContent = sites.length ? "" : (select.getAttribute("data-empty") || "");
      if (!sites.length) { close(); return; }
      sites.forEach(function (site, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var name = document.createElement("strong");
        name.textContent = site.name;
        li.appendChild(name);
        var where = document.createElement("span");
        where.className = "muted";
        where.textContent = " " + site.kind + (site.trail ? " · " + site.trail : "");
        li.appendChild(where);
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(site); });
        list.appendChild(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }
    function search() {
      var q = input.value.trim(), ticket = ++asked;
      // The URL may already ask for some kinds only (?kind=…): the text is one more parameter.
      fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q),
            {credentials: "same-origin",
             headers: {"Accept": "application/json"}})
        .then(function (r) { return r.ok ? r.json() : {sites: []}; })
        .then(function (body) {
          // Only the answer to the latest question counts: an older one arriving late is dropped.
          if (ticket === asked && document.activeElement === input) show(body.sites || []);
        })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      if (!input.value.trim() && select.options[0] && !select.options[0].value) select.value = "";
      clearTimeout(timer);
      timer = setTimeout(search, 200);
    });
    input.addEventListener("focus", function () { if (!input.value) search(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); else mark(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(active - 1); }
      else if (e.key === "Enter" && !list.hidden && items.length) {
        e.preventDefault();  // Enter in the open list picks (the first, when none is marked)
        choose(items[active >= 0 ? active : 0]);
      }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("select[data-site-picker]").forEach(enhance);
})();
