// Bulk work on a list (<form data-bulk>): the boxes of the rows (form="<the form's id>") are
// sent in chunks, the progress is shown as each chunk is answered, then what was done and
// what was left out, and why. Printing gives one PDF per chunk, each a link as soon as it is
// made, so the page never waits on one long request. Without this script the form posts the
// whole selection once and the server answers with the same summary.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return String(values[key]); });
  }

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function enhance(form) {
    var box = document.getElementById("bulk-progress");
    var bar = box.querySelector("progress");
    var line = document.getElementById("bulk-progress-text");
    var summary = document.getElementById("bulk-summary");
    var reasons = JSON.parse(form.getAttribute("data-reasons") || "{}");
    var token = form.querySelector("input[name=csrf_token]").value;
    // The team is asked for only by the actions that need one (data-needs-team).
    var choice = form.querySelector("select[name=action]");
    var teamPart = form.querySelector("[data-team-part]");
    function showTeam() {
      if (!teamPart) return;
      var option = choice.options[choice.selectedIndex];
      teamPart.hidden = !(option && option.hasAttribute("data-needs-team"));
    }
    if (choice) { choice.addEventListener("change", showTeam); showTeam(); }

    function checked() {
      return Array.prototype.map.call(
        document.querySelectorAll("input[type=checkbox][form='" + form.id + "']:checked"),
        function (input) { return input.value; });
    }

    function post(action, numbers) {
      var body = new FormData();
      body.append("csrf_token", token);
      body.append("action", action);
      body.append("confirmed", "1");
      body.append("reply", "json");
      var team = form.querySelector("[name=team_id]");
      if (team) body.append("team_id", team.value);  // join and leave name the team
      numbers.forEach(function (n) { body.append("number", n); });
      // getAttribute: the form's own "action" property is its <select name="action">.
      return fetch(form.getAttribute("action"), {method: "POST", body: body, credentials: "same-origin",
                                 headers: {"X-CSRFToken": token}});
    }

    function answer(response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/pdf") === 0) {
        return response.blob().then(function (blob) {
          return {pdf: blob, done: Number(response.headers.get("X-Bulk-Done") || 0),
                  skipped: JSON.parse(response.headers.get("X-Bulk-Skipped") || "[]")};
        });
      }
      if (type.indexOf("application/json") !== 0) {
        throw new Error(String(response.status) + " " + response.statusText);
      }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error((data.error && data.error.message) || response.status);
        return {done: data.done.length, skipped: data.skipped};
      });
    }

    function markDeactivated(chunk, skipped) {
      var left = {};
      skipped.forEach(function (s) { left[s.number] = true; });
      chunk.forEach(function (number) {
        if (left[number]) return;
        var input = document.querySelector("input[type=checkbox][form='" + form.id +
                                           "'][value='" + CSS.escape(number) + "']");
        if (!input) return;
        input.checked = false;
        input.closest("tr").classList.add("inactive");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var action = form.querySelector("[name=action]").value;
      var numbers = checked();
      box.hidden = false;
      summary.textContent = "";
      if (!numbers.length) { line.textContent = form.getAttribute("data-none"); return; }
      if (action === "deactivate" &&
          !window.confirm(fill(form.getAttribute("data-confirm"), {n: numbers.length}))) {
        box.hidden = true;
        return;
      }
      var size = Number(form.getAttribute("data-chunk-" + action)) || 25;
      var chunks = [];
      for (var i = 0; i < numbers.length; i += size) chunks.push(numbers.slice(i, i + size));
      var done = 0, handled = 0, skipped = [], files = el("ul");
      summary.appendChild(files);
      bar.max = numbers.length;
      bar.value = 0;
      form.querySelector("button[type=submit]").disabled = true;

      function progress() {
        bar.value = handled;
        line.textContent = fill(form.getAttribute("data-progress"),
                                {done: handled, total: numbers.length});
      }

      function finish(error) {
        form.querySelector("button[type=submit]").disabled = false;
        var head = el("p", fill(form.getAttribute("data-summary-" + action),
                                {n: done, files: files.children.length}));
        summary.insertBefore(head, files);
        if (error) summary.insertBefore(el("p", fill(form.getAttribute("data-failed"),
                                                      {why: error.message})), head);
        if (skipped.length) {
          summary.appendChild(el("p", fill(form.getAttribute("data-skipped"),
                                           {n: skipped.length})));
          var list = el("ul");
          skipped.forEach(function (s) {
            list.appendChild(el("li", s.number + " · " + (reasons[s.reason] || s.reason)));
          });
          summary.appendChild(list);
        }
      }

      progress();
      chunks.reduce(function (previous, chunk, k) {
        return previous.then(function () {
          return post(action, chunk).then(answer).then(function (result) {
            if (action === "deactivate") markDeactivated(chunk, result.skipped);
            done += result.done;
            handled += chunk.length;
            skipped = skipped.concat(result.skipped);
            if (result.pdf) {
              var link = el("a", fill(form.getAttribute("data-file"), {k: k + 1, n: result.done}));
              link.href = URL.createObjectURL(result.pdf);
              link.download = "cards-" + (k + 1) + ".pdf";
              var item = el("li");
              item.appendChild(link);
              files.appendChild(item);
            }
            progress();
          });
        });
      }, Promise.resolve()).then(function () { finish(); }, finish);
    });
  }

  document.querySelectorAll("form[data-bulk]").forEach(enhance);
})();
