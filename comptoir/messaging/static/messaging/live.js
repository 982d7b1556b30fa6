/* Live messaging over /ws/messages/: new messages, read receipts, typing, unread badge.
   Message HTML comes from the server (escaped text, safe links), never built from raw text. */
(function () {
  "use strict";
  var root = document.querySelector("[data-conversation]");
  var inbox = document.querySelector("[data-live-inbox]");
  var badge = document.querySelector("[data-unread-badge]");
  var socket = null;
  var retry = 500;
  var typingTimer = null;
  var opened = false;

  function resyncThread() {
    if (!root) return;
    fetch(window.location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var fresh = doc.querySelector("[data-thread]");
      if (fresh) root.querySelector("[data-thread]").innerHTML = fresh.innerHTML;
    });
  }

  function newKey() {
    var bytes = new Uint8Array(18);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Send without leaving the page when the socket is live: the message comes back as an event. */
  function bindCompose() {
    var form = root && root.querySelector("[data-compose]");
    if (!form) return;
    form.addEventListener("submit", function (e) {
      if (!socket || socket.readyState !== 1) return; /* plain POST otherwise */
      var text = form.querySelector("[data-compose-text]");
      var file = form.querySelector("input[type=file]");
      if (!text.value.trim() && !(file && file.files.length)) return;
      e.preventDefault();
      var button = form.querySelector("[data-send]");
      button.disabled = true;
      fetch(form.action || window.location.href, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (r) {
          if (r.ok) {
            text.value = "";
            if (file) file.value = "";
            var key = form.querySelector("input[name=client_key]");
            if (key) key.value = newKey();
          } else {
            return r.text().then(function (html) { document.open(); document.write(html); document.close(); });
          }
        })
        .finally(function () { button.disabled = false; text.focus(); });
    });
  }

  function setBadge(count) {
    if (!badge) return;
    badge.textContent = String(count);
    badge.hidden = !count;
  }

  function send(obj) {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify(obj));
  }

  function markRead() {
    if (root && document.visibilityState === "visible") send({ type: "read", conversation: root.dataset.conversation });
  }

  function bubble(message) {
    var mine = message.side === root.dataset.side;
    var li = document.createElement("li");
    li.className = "msg-bubble " + (mine ? "msg-mine" : "msg-theirs");
    li.id = "m-" + message.id;
    li.dataset.message = message.id;
    li.dataset.seq = String(message.seq);
    li.dataset.side = message.side;
    var meta = document.createElement("div");
    meta.className = "msg-meta";
    var who = document.createElement("strong");
    who.textContent = mine ? root.dataset.labelYou : message.sender;
    var when = document.createElement("time");
    when.dateTime = message.created_at;
    when.textContent = new Date(message.created_at).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
    meta.appendChild(who); meta.appendChild(document.createTextNode(" ")); meta.appendChild(when);
    li.appendChild(meta);
    if (message.html) {
      var p = document.createElement("p");
      p.className = "msg-text";
      p.innerHTML = message.html; /* server-rendered: escaped text and rel="nofollow noopener" links */
      li.appendChild(p);
    }
    if (message.attachments && message.attachments.length) {
      var ul = document.createElement("ul");
      ul.className = "msg-attachments";
      message.attachments.forEach(function (a) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = a.url; link.rel = "nofollow noopener";
        link.textContent = a.name || root.dataset.labelAttachment;
        item.appendChild(link); ul.appendChild(item);
      });
      li.appendChild(ul);
    }
    if (mine) {
      var actions = document.createElement("div");
      actions.className = "msg-actions";
      var receipt = document.createElement("span");
      receipt.className = "msg-receipt"; receipt.setAttribute("data-receipt", "");
      receipt.textContent = root.dataset.labelSent;
      actions.appendChild(receipt); li.appendChild(actions);
    }
    return li;
  }

  function onMessage(event) {
    if (!root || event.conversation !== root.dataset.conversation) return;
    var thread = root.querySelector("[data-thread]");
    if (!document.getElementById("m-" + event.message.id)) {
      thread.appendChild(bubble(event.message));
      thread.scrollTop = thread.scrollHeight;
    }
    var typing = root.querySelector("[data-typing]");
    if (typing && event.message.side !== root.dataset.side) typing.textContent = "";
    if (event.message.side !== root.dataset.side) markRead();
  }

  function onRead(event) {
    if (!root || event.conversation !== root.dataset.conversation || event.side === root.dataset.side) return;
    root.querySelectorAll(".msg-mine").forEach(function (li) {
      if (Number(li.dataset.seq) <= Number(event.up_to)) {
        var receipt = li.querySelector("[data-receipt]");
        if (receipt) receipt.textContent = root.dataset.labelRead;
      }
    });
  }

  function onTyping(event) {
    if (!root || event.conversation !== root.dataset.conversation || event.side === root.dataset.side) return;
    var typing = root.querySelector("[data-typing]");
    typing.textContent = event.name + " " + root.dataset.labelTyping;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () { typing.textContent = ""; }, 4000);
  }

  function onDeleted(event) {
    if (!root || event.conversation !== root.dataset.conversation) return;
    var li = document.getElementById("m-" + event.message);
    if (!li) return;
    li.classList.add("msg-deleted");
    li.querySelectorAll(".msg-text, .msg-attachments, .msg-warning, form").forEach(function (n) { n.remove(); });
    var p = document.createElement("p");
    p.className = "msg-text msg-trace";
    p.textContent = root.dataset.labelDeleted;
    li.querySelector(".msg-meta").after(p);
  }

  var refreshTimer = null;
  function refreshInbox() {
    if (!inbox) return;
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () {
      fetch(window.location.href, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.querySelector("[data-inbox-list]");
        if (fresh) inbox.innerHTML = fresh.innerHTML;
      });
    }, 250);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/messages/");
    socket.onopen = function () {
      retry = 500;
      if (opened) resyncThread(); /* events sent while the socket was down */
      opened = true;
      document.documentElement.dataset.messagingLive = "1";
      markRead();
    };
    socket.onmessage = function (raw) {
      var event;
      try { event = JSON.parse(raw.data); } catch (e) { return; }
      if (typeof event.unread_total === "number") setBadge(event.unread_total);
      if (event.type === "messaging.message") { onMessage(event); refreshInbox(); }
      else if (event.type === "messaging.read") onRead(event);
      else if (event.type === "messaging.typing") onTyping(event);
      else if (event.type === "messaging.deleted") { onDeleted(event); refreshInbox(); }
      else if (event.type === "messaging.unread" || event.type === "notification") refreshInbox();
    };
    socket.onclose = function (e) {
      delete document.documentElement.dataset.messagingLive;
      if (e.code === 4401) return;
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 15000);
    };
  }

  if (root) {
    var thread = root.querySelector("[data-thread]");
    if (thread) thread.scrollTop = thread.scrollHeight;
    var text = root.querySelector("[data-compose-text]");
    if (text) text.addEventListener("input", function () { send({ type: "typing", conversation: root.dataset.conversation }); });
    document.addEventListener("visibilitychange", markRead);
    bindCompose();
  }
  if (root || inbox || badge) connect();
})();
