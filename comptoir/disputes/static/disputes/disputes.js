/* Dispute pages: the step-by-step opening form, upload progress, live countdowns.
   Without JavaScript every step is shown at once and the form posts normally. */
(function () {
  "use strict";

  function fmtLeft(ms, lang) {
    var fr = lang.indexOf("fr") === 0;
    if (ms <= 0) return fr ? "échéance passée" : "deadline passed";
    var m = Math.floor(ms / 60000), d = Math.floor(m / 1440), h = Math.floor((m % 1440) / 60), mm = m % 60;
    if (d > 0) return fr ? d + " j " + h + " h" : d + "d " + h + "h";
    if (h > 0) return fr ? h + " h " + mm + " min" : h + "h " + mm + "m";
    return fr ? mm + " min" : mm + "m";
  }

  function countdowns() {
    var lang = document.documentElement.lang || "fr";
    var nodes = document.querySelectorAll("[data-countdown]");
    function tick() {
      nodes.forEach(function (el) {
        var due = Date.parse(el.getAttribute("data-countdown"));
        if (!isNaN(due)) el.textContent = fmtLeft(due - Date.now(), lang);
      });
    }
    if (nodes.length) { tick(); setInterval(tick, 30000); }
  }

  function wizard(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
    var marks = Array.prototype.slice.call(document.querySelectorAll(".dp-steps li"));
    var current = 0;
    var firstError = steps.findIndex(function (s) { return s.querySelector(".field-error"); });
    if (firstError >= 0) current = firstError;

    function value(name) {
      var el = form.querySelector("[name=" + name + "]:checked");
      return el ? el.value : "";
    }
    function linesTotal() {
      var total = 0;
      form.querySelectorAll("input[name=lines]:checked").forEach(function (c) { total += parseFloat(c.getAttribute("data-total") || "0"); });
      return total;
    }
    function fullAmount() { return value("reason") === "not_received" || value("request") === "return_and_refund"; }

    function refresh() {
      var amount = form.querySelector("[name=amount]");
      var full = fullAmount();
      var note = form.querySelector("[data-full-amount]");
      var maxNote = form.querySelector("[data-max-amount]");
      var total = linesTotal().toFixed(2);
      if (amount) {
        amount.disabled = full;
        amount.required = !full;
        if (full) amount.value = "";
      }
      if (note) { note.hidden = !full; note.querySelector("output").textContent = total; }
      if (maxNote) { maxNote.hidden = full; maxNote.querySelector("output").textContent = total; }
      var payer = form.querySelector("[data-return-payer]");
      if (payer) payer.hidden = value("request") !== "return_and_refund";
      var evidenceNote = form.querySelector("[data-evidence-required]");
      if (evidenceNote) evidenceNote.hidden = value("reason") === "not_received" || value("reason") === "";
    }

    function summary() {
      var box = form.querySelector("[data-summary]");
      if (!box) return;
      var rows = [];
      function label(sel) { var el = form.querySelector(sel); return el ? el.closest("label").querySelector("[data-label]").textContent.trim() : "—"; }
      var lines = Array.prototype.map.call(form.querySelectorAll("input[name=lines]:checked"), function (c) { return c.closest("label").querySelector("[data-label]").textContent.trim(); });
      rows.push([box.getAttribute("data-t-lines"), lines.join(", ") || "—"]);
      rows.push([box.getAttribute("data-t-reason"), label("[name=reason]:checked")]);
      rows.push([box.getAttribute("data-t-request"), label("[name=request]:checked")]);
      var amount = form.querySelector("[name=amount]");
      rows.push([box.getAttribute("data-t-amount"), fullAmount() ? linesTotal().toFixed(2) + " (" + box.getAttribute("data-t-full") + ")" : (amount.value || "—")]);
      var files = form.querySelector("[name=evidence]");
      rows.push([box.getAttribute("data-t-evidence"), files && files.files.length ? Array.prototype.map.call(files.files, function (f) { return f.name; }).join(", ") : "—"]);
      var dl = document.createElement("dl");
      dl.className = "dp-summary";
      rows.forEach(function (r) {
        var dt = document.createElement("dt"); dt.textContent = r[0];
        var dd = document.createElement("dd"); dd.textContent = r[1];
        dl.appendChild(dt); dl.appendChild(dd);
      });
      box.replaceChildren(dl);
    }

    function show(i) {
      current = Math.max(0, Math.min(i, steps.length - 1));
      steps.forEach(function (s, k) { s.hidden = k !== current; });
      marks.forEach(function (m, k) {
        if (k === current) m.setAttribute("aria-current", "step"); else m.removeAttribute("aria-current");
        m.classList.toggle("dp-done", k < current);
      });
      var next = form.querySelector("[data-next]"), back = form.querySelector("[data-back]");
      if (next) next.hidden = current === steps.length - 1;
      if (back) back.style.visibility = current === 0 ? "hidden" : "visible";
      refresh();
      if (current === steps.length - 1) summary();
      var legend = steps[current].querySelector("legend");
      if (legend) { legend.setAttribute("tabindex", "-1"); legend.focus(); }
    }

    function valid(step) {
      var problem = null;
      step.querySelectorAll("input, select, textarea").forEach(function (el) {
        if (!problem && !el.disabled && !el.checkValidity()) problem = el;
      });
      var boxes = step.querySelectorAll("input[name=lines]");
      var msg = step.querySelector("[data-step-error]");
      if (boxes.length && !step.querySelector("input[name=lines]:checked")) {
        if (msg) { msg.hidden = false; }
        boxes[0].focus();
        return false;
      }
      if (msg) msg.hidden = true;
      if (problem) { problem.reportValidity(); return false; }
      return true;
    }

    form.addEventListener("click", function (e) {
      var btn = e.target.closest("[data-next], [data-back]");
      if (!btn) return;
      e.preventDefault();
      if (btn.hasAttribute("data-back")) { show(current - 1); return; }
      if (valid(steps[current])) show(current + 1);
    });
    form.addEventListener("change", refresh);
    form.querySelectorAll("[data-nav]").forEach(function (n) { n.hidden = false; });
    form.querySelectorAll("[data-final]").forEach(function (n) { n.hidden = true; });
    show(current);
  }

  function uploadProgress(form) {
    form.addEventListener("submit", function (e) {
      var files = form.querySelector("input[type=file]");
      if (!files || !files.files.length || !window.FormData || !window.XMLHttpRequest) return;
      e.preventDefault();
      var bar = form.querySelector("[data-progress]");
      var text = form.querySelector("[data-progress-text]");
      if (bar) { bar.hidden = false; bar.parentNode.hidden = false; }
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action || window.location.href);
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable) return;
        var pct = Math.round((ev.loaded / ev.total) * 100);
        if (bar) bar.value = pct;
        if (text) text.textContent = pct + " %";
      });
      xhr.onload = function () {
        if (xhr.responseURL && xhr.responseURL !== window.location.href && xhr.responseURL.indexOf(form.getAttribute("action") || window.location.pathname) < 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        document.open(); document.write(xhr.responseText); document.close();
      };
      xhr.onerror = function () { form.submit(); };
      xhr.send(new FormData(form));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    countdowns();
    document.querySelectorAll("form.dp-wizard").forEach(wizard);
    document.querySelectorAll("form[data-upload-progress]").forEach(uploadProgress);
  });
})();
