/* Agent console: keyboard shortcuts and help overlay, bulk selection, composer tabs, macro
   insert, live collision (who views / types, new replies) over the ticket's WebSocket. */
(function () {
  "use strict";
  var $ = function (sel, root) { return (root || document).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); };
  var T = window.gettext || function (s) { return s; };
  var fr = document.documentElement.lang === "fr";
  var L = fr ? {
    none: "Aucune demande sélectionnée", one: "1 demande sélectionnée", many: " demandes sélectionnées",
    viewing: "consulte aussi cette demande", typing: "écrit une réponse…", replied: "Nouveau message reçu pendant que vous écriviez. Relisez-le, puis cliquez encore sur Envoyer pour confirmer.",
    newmsg: "Nouveau message dans la conversation."
  } : {
    none: "No request selected", one: "1 request selected", many: " requests selected",
    viewing: "is also viewing this request", typing: "is typing a reply…", replied: "A new message arrived while you were writing. Read it, then click Send again to confirm.",
    newmsg: "New message in the conversation."
  };

  function typingTarget(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }

  /* --- help overlay ---------------------------------------------------------------------- */
  var help = $("#cs-help");
  var lastFocus = null;
  function openHelp() { if (!help) return; lastFocus = document.activeElement; help.hidden = false; var b = $("[data-help-close]", help); if (b) b.focus(); }
  function closeHelp() { if (!help) return; help.hidden = true; if (lastFocus) lastFocus.focus(); }
  $$("[data-help-open]").forEach(function (b) { b.addEventListener("click", openHelp); });
  $$("[data-help-close]").forEach(function (b) { b.addEventListener("click", closeHelp); });
  if (help) help.addEventListener("click", function (e) { if (e.target === help) closeHelp(); });

  /* --- presence select ------------------------------------------------------------------- */
  $$("[data-autosubmit]").forEach(function (s) { s.addEventListener("change", function () { s.form.submit(); }); });

  /* --- reply attachments: list the chosen files beside the button -------------------------- */
  $$("[data-reply-files]").forEach(function (input) {
    var names = input.parentNode && $("[data-file-names]", input.parentNode);
    if (!names) return;
    var none = names.textContent;
    input.addEventListener("change", function () {
      var files = Array.prototype.map.call(input.files || [], function (f) { return f.name; });
      names.textContent = !files.length ? none
        : files.length <= 3 ? files.join(", ")
        : names.getAttribute("data-many").replace("{count}", String(files.length));
      names.classList.toggle("cs-has-files", files.length > 0);
    });
  });

  /* --- queue: rows, selection, bulk ------------------------------------------------------ */
  var rows = function () { return $$("[data-row]"); };
  var focused = -1;
  function focusRow(i) {
    var r = rows(); if (!r.length) return;
    focused = Math.max(0, Math.min(r.length - 1, i));
    r.forEach(function (row, j) { row.classList.toggle("cs-focused", j === focused); });
    var link = $("[data-row-link]", r[focused]); if (link) link.focus({ preventScroll: false });
  }
  var bulkForm = $("[data-bulk]");
  function refreshBulk() {
    if (!bulkForm) return;
    var checked = $$("[data-row-check]:checked", bulkForm);
    $$("[data-row]").forEach(function (row) { var c = $("[data-row-check]", row); row.classList.toggle("cs-checked", !!(c && c.checked)); });
    var label = $("[data-selected-count]", bulkForm);
    if (label) label.textContent = checked.length === 0 ? L.none : checked.length === 1 ? L.one : checked.length + L.many;
    var submit = $("[data-bulk-submit]", bulkForm); if (submit) submit.disabled = checked.length === 0;
    var action = $("[data-bulk-action]", bulkForm);
    if (action) $$("[data-bulk-value]", bulkForm).forEach(function (el) { el.hidden = el.getAttribute("data-bulk-value") !== action.value; });
  }
  if (bulkForm) {
    bulkForm.addEventListener("change", function (e) {
      if (e.target.matches("[data-check-all]")) $$("[data-row-check]", bulkForm).forEach(function (c) { c.checked = e.target.checked; });
      refreshBulk();
    });
    refreshBulk();
  }
  document.addEventListener("click", function (e) {
    var row = e.target.closest && e.target.closest("[data-row]");
    if (row && !e.target.closest("a, input, button, label")) { window.location.href = row.getAttribute("data-href"); }
  });

  /* --- ticket: tabs, macro insert, send ------------------------------------------------- */
  function showTab(name) {
    $$("[data-tab]").forEach(function (t) { t.setAttribute("aria-selected", String(t.getAttribute("data-tab") === name)); });
    $$("[data-pane]").forEach(function (p) { p.hidden = p.getAttribute("data-pane") !== name; });
    var area = name === "note" ? $("[data-note-text]") : $("[data-reply-text]");
    if (area) area.focus();
  }
  if ($("[data-tab]")) { $$("[data-tab]").forEach(function (t) { t.addEventListener("click", function () { showTab(t.getAttribute("data-tab")); }); }); showTab("reply"); var rt = $("[data-reply-text]"); if (rt && !rt.value) rt.blur(); }
  document.addEventListener("click", function (e) {
    if (!e.target.matches("[data-macro-insert]")) return;
    var text = $("[data-macro-text]").textContent, area = $("[data-reply-text]");
    var start = area.selectionStart || 0, end = area.selectionEnd || 0;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.focus(); area.selectionStart = area.selectionEnd = start + text.length;
    $("#cs-macro-preview").innerHTML = ""; var sel = $("[data-macro-select]"); if (sel) sel.value = "";
    area.dispatchEvent(new Event("input", { bubbles: true }));
  });

  /* --- ticket: live collision ------------------------------------------------------------ */
  var ticket = $("[data-ticket]");
  var viewers = {}; var socket = null; var newerSeen = false;
  function renderViewers() {
    var box = $("[data-collision]"); if (!box) return;
    var names = Object.keys(viewers);
    box.hidden = names.length === 0;
    box.innerHTML = "";
    names.forEach(function (id) {
      var v = viewers[id], span = document.createElement("span");
      span.className = "cs-viewer" + (v.typing ? " cs-typing" : "");
      span.setAttribute("data-viewer", v.name);
      span.textContent = v.name + " " + (v.typing ? L.typing : L.viewing);
      box.appendChild(span);
    });
  }
  function refreshConversation() {
    var url = ticket.getAttribute("data-conversation-url");
    fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var holder = $("#cs-conversation"); var before = Number(ticket.getAttribute("data-last-seen"));
      holder.innerHTML = html;
      var list = $("[data-conversation]", holder); var last = Number(list.getAttribute("data-last-id"));
      $$("[data-message-id]", holder).forEach(function (m) { if (Number(m.getAttribute("data-message-id")) > before) m.classList.add("cs-msg-new"); });
      if (last > before) { newerSeen = true; var live = $("[data-collision]"); if (live) { live.hidden = false; } }
    });
  }
  if (ticket && window.WebSocket) {
    var connect = function () {
      socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + ticket.getAttribute("data-ws"));
      socket.onmessage = function (e) {
        var ev = JSON.parse(e.data);
        if (ev.type === "viewer" && ev.user === ticket.getAttribute("data-me")) return;
        if (ev.type === "viewer") {
          if (ev.state === "leave") delete viewers[ev.user];
          else viewers[ev.user] = { name: ev.name, typing: ev.state === "typing" || (ev.state !== "idle" && viewers[ev.user] && viewers[ev.user].typing && ev.state !== "join") };
          if (ev.state === "idle" && viewers[ev.user]) viewers[ev.user].typing = false;
          renderViewers();
        } else if (ev.type === "ticket.message" || ev.type === "ticket.changed") {
          refreshConversation();
          document.body.dispatchEvent(new Event("cs:refresh-counts"));
        }
      };
      socket.onclose = function () { setTimeout(connect, 3000); };
    };
    connect();
    var typingOn = false, idleTimer = null;
    var area = $("[data-reply-text]");
    if (area) area.addEventListener("input", function () {
      if (!socket || socket.readyState !== 1) return;
      if (!typingOn) { socket.send(JSON.stringify({ type: "typing", on: true })); typingOn = true; }
      clearTimeout(idleTimer);
      idleTimer = setTimeout(function () { socket.send(JSON.stringify({ type: "typing", on: false })); typingOn = false; }, 4000);
    });
    var form = $("[data-reply-form]");
    if (form) form.addEventListener("submit", function (e) {
      var force = $("[data-force-input]", form);
      if (newerSeen && !force.value) {
        e.preventDefault();
        force.value = "on";
        var warn = document.createElement("div");
        warn.className = "message message-error cs-collision-warning"; warn.setAttribute("role", "alert");
        warn.setAttribute("data-collision-warning", ""); warn.textContent = L.replied;
        form.parentNode.insertBefore(warn, form);
        return;
      }
      if (typingOn && socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "typing", on: false }));
    });
  }

  /* --- keyboard ------------------------------------------------------------------------- */
  var pendingG = false, gTimer = null;
  document.addEventListener("keydown", function (e) {
    if (help && !help.hidden) { if (e.key === "Escape") { e.preventDefault(); closeHelp(); } return; }
    var t = e.target;
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter" && t && t.form) { e.preventDefault(); var btn = $("[data-send]", t.form) || t.form.querySelector("[type=submit]"); if (btn) btn.click(); else t.form.requestSubmit(); return; }
    if (typingTarget(t)) { if (e.key === "Escape") t.blur(); return; }
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (pendingG) {
      pendingG = false; clearTimeout(gTimer);
      var link = $('[data-queue="' + { m: "mine", t: "teams", u: "unassigned", b: "breaching", p: "pending" }[e.key] + '"]');
      if (link) { e.preventDefault(); link.click(); }
      return;
    }
    switch (e.key) {
      case "?": e.preventDefault(); openHelp(); break;
      case "g": pendingG = true; gTimer = setTimeout(function () { pendingG = false; }, 1200); break;
      case "j": if (rows().length) { e.preventDefault(); focusRow(focused + 1); } break;
      case "k": if (rows().length) { e.preventDefault(); focusRow(focused - 1); } break;
      case "o": case "Enter": if (focused >= 0 && rows()[focused]) { e.preventDefault(); window.location.href = rows()[focused].getAttribute("data-href"); } break;
      case "x": if (focused >= 0 && rows()[focused]) { e.preventDefault(); var c = $("[data-row-check]", rows()[focused]); c.checked = !c.checked; refreshBulk(); } break;
      case "/": var q = $("#id_q"); if (q) { e.preventDefault(); q.focus(); } break;
      case "r": if ($("[data-tab]")) { e.preventDefault(); showTab("reply"); } break;
      case "n": if ($("[data-tab]")) { e.preventDefault(); showTab("note"); } break;
      case "m": var ms = $("[data-macro-select]"); if (ms) { e.preventDefault(); showTab("reply"); ms.focus(); } break;
      case "a": var am = $("[data-assign-me]"); if (am) { e.preventDefault(); am.click(); } break;
      case "s": var sv = $('[data-status-action="solve"]'); if (sv) { e.preventDefault(); sv.click(); } break;
    }
  });
})();
