/*
 * Sahakar chat page. History over REST (/api/v1/chat), live frames over the shared
 * socket (realtime/stream.js: reconnect, resume from the last seq, no frame twice).
 * Message bodies arrive as HTML already sanitised by the server; everything else is
 * inserted as text.
 */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  if (!root) return;
  var T = JSON.parse(document.getElementById("chat-strings").textContent);
  var API = root.dataset.api;
  var ME = root.dataset.user;
  var MAX_UPLOAD = parseInt(root.dataset.maxUpload, 10) || 0;
  var EMOJI = ["👍", "❤️", "😂", "🙏", "✅", "👀"];
  var PAGE = 50;

  var el = function (id) { return document.getElementById(id); };

  // "14:05" today, else "ព្រហ 3 ធ្នូ 14:05" (names from the server, Latin digits, 24-hour:
  // collab/core/formatting.py) — no Intl, which has no Khmer on many phones.
  function when(iso) {
    var d = new Date(iso), now = new Date(), C = T.calendar;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var time = pad(d.getHours()) + ":" + pad(d.getMinutes());
    if (d.toDateString() === now.toDateString()) return time;
    var day = C.days[d.getDay()] + " " + d.getDate() + " " + C.months[d.getMonth()];
    if (d.getFullYear() !== now.getFullYear()) day += " " + d.getFullYear();
    return day + " " + time;
  }
  var list = el("chat-messages");
  var threadList = el("chat-thread-messages");
  var input = el("chat-input");
  var rooms = {};          // id -> room payload (with unread)
  var current = null;      // current room id
  var thread = null;       // open thread root id
  var oldestLoaded = null; // smallest top-level message id shown
  var allLoaded = false;
  var loadingOlder = false;
  var typers = {};         // username -> timeout
  var presence = {};       // username -> status
  var presenceTimers = {}; // username -> timeout marking them offline when beats stop
  var lastTyping = 0;
  var unacked = {};        // client_id -> chat.send frame, resent after a reconnect

  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "html") node.innerHTML = attrs[k]; // server-sanitised message HTML only
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  // Inline SVG from the page's <template id="chat-icons">: no emoji font needed.
  function icon(name) {
    var svg = el("chat-icons").content.querySelector('[data-icon="' + name + '"]');
    return svg.cloneNode(true);
  }

  // A button with an icon and a visible text label (its accessible name).
  function replyCount(n) {
    return (n === 1 ? T.replies_one : T.replies_other).replace("%(count)s", n);
  }

  function iconButton(name, label, attrs) {
    var button = h("button", Object.assign({ type: "button" }, attrs), [icon(name), h("span", { text: label })]);
    button.classList.add("chat-action");
    return button;
  }

  function api(method, path, body, isForm) {
    var opts = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": root.dataset.csrf } };
    if (body && isForm) opts.body = body;
    else if (body) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    return fetch(API + path, opts).then(function (r) {
      if (r.status === 204) return null;
      return r.json().then(function (data) {
        if (!r.ok) { var e = new Error(data.message || r.statusText); e.data = data; throw e; }
        return data;
      });
    });
  }

  function showError(message) { el("chat-error").textContent = message || ""; }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function lang() { return (document.documentElement.lang || "en").slice(0, 2); }

  function displayName(person) {
    if (!person) return "";
    return (lang() === "km" && person.name_km) ? person.name_km : (person.name || person.username);
  }

  function roomTitle(room) {
    if (room.name) return room.name;
    var others = (room.members || []).filter(function (m) { return m.username !== ME; });
    return others.map(displayName).join(", ") || T.direct;
  }

  // ------------------------------------------------------------------ room list

  function renderRooms() {
    var ul = el("chat-room-list");
    ul.textContent = "";
    Object.keys(rooms).map(function (k) { return rooms[k]; })
      .sort(function (a, b) { return roomTitle(a).localeCompare(roomTitle(b)); })
      .forEach(function (room) {
        var badge = h("span", { "class": "chat-badge", text: String(room.unread || 0), hidden: !room.unread,
                                "aria-label": (room.unread || 0) + " " + T.unread });
        var link = h("a", { href: "/chat/rooms/" + room.id + "/", "data-room": room.id,
                            "class": room.muted ? "muted" : null,
                            "aria-current": room.id === current ? "true" : null,
                            onclick: function (ev) { ev.preventDefault(); openRoom(room.id, true); } },
                     [h("span", { text: (room.kind === "private" ? "🔒 " : room.kind === "dm" || room.kind === "group" ? "@ " : "# ") + roomTitle(room) }), badge]);
        ul.appendChild(h("li", {}, [link]));
      });
  }

  // The server's unread counts are the truth. A message that arrives while they load may
  // or may not be in them, so it asks for them once more instead of being counted here.
  var roomsLoading = null, roomsStale = false;
  function loadRooms() {
    if (roomsLoading) { roomsStale = true; return roomsLoading; }
    roomsLoading = api("GET", "/rooms").then(function (data) {
      rooms = {};
      data.items.forEach(function (r) { rooms[r.id] = r; });
      renderRooms();
      roomsLoading = null;
      if (roomsStale) { roomsStale = false; return loadRooms(); }
    }, function (error) { roomsLoading = null; throw error; });
    return roomsLoading;
  }

  function loadPublic() {
    api("GET", "/rooms/public").then(function (data) {
      var ul = el("chat-public-list");
      ul.textContent = "";
      data.items.filter(function (r) { return !rooms[r.id]; }).forEach(function (r) {
        ul.appendChild(h("li", {}, [h("span", { text: "# " + r.name }),
          h("button", { type: "button", text: T.join, onclick: function () {
            api("POST", "/rooms/" + r.id + "/join").then(function (room) {
              rooms[room.id] = room; renderRooms(); loadPublic(); openRoom(room.id, true);
            }).catch(function (e) { showError(e.message); });
          } })]));
      });
    });
  }

  // ------------------------------------------------------------------ messages

  function messageNode(m, inThread) {
    var li = h("li", { "class": "chat-msg", id: (inThread ? "thread-message-" : "message-") + m.id,
                       "data-id": m.id, "data-author": m.author.username });
    fillMessage(li, m, inThread);
    return li;
  }

  function fillMessage(li, m, inThread) {
    if (li.dataset.editing) { li._message = m; return; } // refilled when the editor closes
    li.textContent = "";
    li.classList.remove("pending");
    li.dataset.id = m.id;
    var mine = m.author.username === ME;
    var mentionsMe = !mine && ((m.mentions || []).indexOf(ME) >= 0 || m.mentions_room);
    li.classList.toggle("mentions-me", !!mentionsMe);
    var head = h("header", {}, [
      h("span", { "class": "chat-presence", "data-user": m.author.username,
                  "data-status": presence[m.author.username] || "offline",
                  title: T[presence[m.author.username] || "offline"] }),
      h("strong", { text: displayName(m.author) }),
      h("time", { datetime: m.created, text: when(m.created) }),
      m.edited && !m.deleted ? h("button", { type: "button", "class": "chat-edited", title: T.history, text: "(" + T.edited + ")",
                                            onclick: function () { openHistory(m.id); } }) : null,
      m.pinned ? h("span", { "class": "chat-pinned" }, [icon("pin"), document.createTextNode(T.pinned)]) : null
    ]);
    li.appendChild(head);
    if (m.deleted) {
      li.appendChild(h("p", { "class": "chat-tombstone", text: T.deleted }));
      return;
    }
    li.appendChild(h("div", { "class": "chat-body", html: m.body_html }));
    (m.attachments || []).forEach(function (a) {
      var inner = a.thumbnail_url ? h("img", { src: a.thumbnail_url, alt: a.name, loading: "lazy" })
                                  : h("span", {}, [icon("file"), document.createTextNode(a.name + " (" + Math.ceil(a.size / 1024) + " KB)")]);
      li.appendChild(h("p", { "class": "chat-attachment" }, [h("a", { href: a.url, target: "_blank", rel: "noopener" }, [inner])]));
    });
    li.appendChild(reactionsNode(m));
    var actions = h("div", { "class": "chat-actions" }, [
      iconButton("smile", T.react, { "class": "chat-react", onclick: function () { togglePalette(li, m.id); } })
    ]);
    if (!inThread && !m.thread) {
      actions.appendChild(iconButton("reply", m.reply_count ? replyCount(m.reply_count) : T.reply,
        { "class": "chat-thread-link", onclick: function () { openThread(m.id); } }));
    }
    actions.appendChild(iconButton("pin", m.pinned ? T.unpin : T.pin, { onclick: function () {
      api("POST", "/messages/" + m.id + "/pin", { value: !m.pinned }).catch(function (e) { showError(e.message); });
    } }));
    if (mine) {
      actions.appendChild(iconButton("edit", T.edit, { "class": "chat-edit", onclick: function () {
        startEdit(li, inThread);
      } }));
    }
    if (mine || (rooms[current] && (rooms[current].role === "owner" || rooms[current].role === "moderator"))) {
      actions.appendChild(iconButton("delete", T.delete, { "class": "chat-delete", onclick: function () {
        if (window.confirm(T.confirm_delete)) window.Sahakar.stream.send({ type: "chat.delete", message: m.id });
      } }));
    }
    li.appendChild(actions);
    li._message = m;
  }

  function startEdit(li, inThread) {
    var m = li._message;
    var body = li.querySelector(".chat-body");
    if (!m || !body || li.dataset.editing) return;
    li.dataset.editing = "1";
    var area = h("textarea", { "class": "chat-edit-input", rows: "3", maxlength: "10000", "aria-label": T.edit_prompt });
    area.value = m.body;
    var note = h("p", { "class": "chat-error", role: "alert" });
    function close() { delete li.dataset.editing; fillMessage(li, li._message, inThread); }
    function save() {
      var text = area.value.trim();
      if (!text || text === li._message.body) { close(); return; }
      api("PATCH", "/messages/" + m.id, { body: text }).then(function (updated) {
        li._message = updated; close();
      }).catch(function (e) { note.textContent = e.message; }); // the text stays in the editor
    }
    area.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { ev.preventDefault(); close(); }
      else if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); save(); }
    });
    var form = h("form", { "class": "chat-edit-form", onsubmit: function (ev) { ev.preventDefault(); save(); } }, [
      area,
      h("div", { "class": "chat-actions" }, [
        h("button", { type: "submit", text: T.save }),
        h("button", { type: "button", text: T.cancel, onclick: close })
      ]),
      note
    ]);
    body.replaceWith(form);
    var actions = li.querySelector(":scope > .chat-actions");
    if (actions) actions.hidden = true;
    area.focus();
    area.setSelectionRange(area.value.length, area.value.length);
  }

  function reactionsNode(m) {
    var box = h("div", { "class": "chat-reactions" });
    Object.keys(m.reactions || {}).forEach(function (emoji) {
      var users = m.reactions[emoji];
      var mine = users.indexOf(ME) >= 0;
      box.appendChild(h("button", { type: "button", "aria-pressed": mine ? "true" : "false", title: users.join(", "),
        text: emoji + " " + users.length, onclick: function () { react(m.id, emoji, !mine); } }));
    });
    return box;
  }

  function togglePalette(li, id) {
    var open = li.querySelector(".chat-palette");
    if (open) { open.remove(); return; }
    li.appendChild(h("div", { "class": "chat-reactions chat-palette" }, EMOJI.map(function (e) {
      return h("button", { type: "button", text: e, onclick: function () { react(id, e, true); li.querySelector(".chat-palette").remove(); } });
    })));
  }

  function react(id, emoji, add) {
    window.Sahakar.stream.send({ type: "chat.react", message: id, emoji: emoji, add: add });
  }

  function nodesFor(id) {
    return [document.getElementById("message-" + id), document.getElementById("thread-message-" + id)].filter(Boolean);
  }

  function insertSorted(container, node) {
    var id = parseInt(node.dataset.id, 10);
    var children = container.querySelectorAll(".chat-msg:not(.pending)");
    for (var i = children.length - 1; i >= 0; i--) {
      if (parseInt(children[i].dataset.id, 10) < id) { children[i].after(node); return; }
    }
    container.prepend(node);
  }

  function nearBottom(container) { return container.scrollHeight - container.scrollTop - container.clientHeight < 80; }

  function showMessage(m) {
    var existing = nodesFor(m.id);
    if (existing.length) { existing.forEach(function (n) { fillMessage(n, m, n.id.indexOf("thread-") === 0); }); return; }
    var pending = document.querySelector('[data-client-id="' + CSS.escape(m.client_id || "") + '"]');
    if (m.thread) {
      if (thread === m.thread) {
        if (pending && pending.parentNode === threadList) pending.remove();
        insertSorted(threadList, messageNode(m, true));
      }
      var rootNode = document.getElementById("message-" + m.thread);
      if (rootNode && rootNode._message) { rootNode._message.reply_count = (rootNode._message.reply_count || 0) + 1; fillMessage(rootNode, rootNode._message); }
      return;
    }
    var stick = nearBottom(list) || m.author.username === ME;
    if (pending && pending.parentNode === list) pending.remove();
    insertSorted(list, messageNode(m, false));
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function showRoomState() {
    var archived = !!(rooms[current] && rooms[current].archived);
    el("chat-composer").hidden = archived;
    el("chat-archived").hidden = !archived;
  }

  function leaveRoomView() {
    current = null; closeThread(); closePanel();
    list.textContent = ""; el("chat-typing").textContent = "";
    el("chat-room-tools").hidden = true; el("chat-composer").hidden = true;
    el("chat-archived").hidden = true; el("chat-gone").hidden = false;
  }

  function messagesQuery(jump) { return jump ? "?around=" + jump[1] + "&limit=" + PAGE : "?limit=" + PAGE; }

  // The first room's messages are asked for at once, beside the room list (one round trip
  // less before they show on a slow link); openRoom then takes that answer.
  var prefetched = null;
  function messages(id, query) {
    var early = prefetched;
    prefetched = null; // used once, by the first room opened, or never
    if (early && early.id === id && early.query === query) return early.promise;
    return api("GET", "/rooms/" + id + "/messages" + query);
  }

  function openRoom(id, push) {
    id = parseInt(id, 10);
    if (!rooms[id]) return;
    current = id; thread = null; oldestLoaded = null; allLoaded = false;
    root.classList.add("in-room"); closeThread(); closePanel();
    if (push) history.pushState({ room: id }, "", "/chat/rooms/" + id + "/");
    el("chat-room-name").textContent = roomTitle(rooms[id]);
    el("chat-room-topic").textContent = rooms[id].topic || "";
    el("chat-mute").checked = !!rooms[id].muted;
    el("chat-gone").hidden = true;
    showRoomState();
    el("chat-room-tools").hidden = false;
    var meeting = el("chat-meeting");
    if (meeting) meeting.action = root.dataset.meetingUrl.replace(/\/0\/$/, "/" + id + "/");
    list.textContent = ""; el("chat-typing").textContent = ""; showError("");
    renderRooms();
    var jump = /^#message-(\d+)$/.exec(location.hash);
    var query = messagesQuery(jump);
    messages(id, query).then(function (data) {
      if (current !== id) return;
      data.items.forEach(showMessage);
      oldestLoaded = data.items.length ? data.items[0].id : null;
      allLoaded = !jump && data.items.length < PAGE;
      var target = jump && document.getElementById("message-" + jump[1]);
      if (target) target.scrollIntoView(); else list.scrollTop = list.scrollHeight;
      markRead();
    });
    api("GET", "/rooms/" + id + "/presence").then(function (data) {
      data.items.forEach(function (p) { setPresence(p.username, p.status); });
    });
    input.focus();
  }

  function loadOlder() {
    if (loadingOlder || allLoaded || !current || oldestLoaded === null) return;
    loadingOlder = true;
    var id = current;
    var before = list.scrollHeight;
    api("GET", "/rooms/" + id + "/messages?before=" + oldestLoaded + "&limit=" + PAGE).then(function (data) {
      loadingOlder = false;
      if (current !== id) return;
      data.items.forEach(showMessage);
      if (data.items.length) oldestLoaded = data.items[0].id;
      allLoaded = data.items.length < PAGE;
      list.scrollTop += list.scrollHeight - before;
    }).catch(function () { loadingOlder = false; });
  }

  function markRead() {
    if (!current || document.hidden) return;
    var last = list.querySelector(".chat-msg:not(.pending):last-child");
    var room = rooms[current];
    if (!last || !room) return;
    var id = parseInt(last.dataset.id, 10);
    if (id > (room.last_read_id || 0) || room.unread) {
      room.last_read_id = id; room.unread = 0; renderRooms();
      window.Sahakar.stream.send({ type: "chat.read", room: current, message: id });
    }
  }

  // ------------------------------------------------------------------ side panel (pins, history, settings)

  var panelKind = null;

  function openPanel(kind, title) {
    closeThread();
    panelKind = kind;
    root.classList.add("has-thread");
    el("chat-panel").hidden = false;
    el("chat-panel-title").textContent = title;
    ["pins", "history", "settings"].forEach(function (k) { el("chat-" + k).hidden = k !== kind; });
    el("chat-panel-error").textContent = "";
  }

  function closePanel() {
    if (!panelKind) return;
    panelKind = null;
    root.classList.remove("has-thread");
    el("chat-panel").hidden = true;
  }

  function jumpTo(id) {
    var node = document.getElementById("message-" + id);
    closePanel();
    if (node) { node.scrollIntoView({ block: "center" }); node.classList.add("chat-flash"); return; }
    history.replaceState({ room: current }, "", "/chat/rooms/" + current + "/#message-" + id);
    openRoom(current, false);
  }

  function openPins() {
    if (!current) return;
    var id = current;
    openPanel("pins", T.pinned);
    var ol = el("chat-pins-list");
    ol.textContent = "";
    api("GET", "/rooms/" + id + "/pins").then(function (data) {
      if (current !== id || panelKind !== "pins") return;
      if (!data.items.length) ol.appendChild(h("li", { "class": "chat-note", text: T.pins_empty }));
      data.items.forEach(function (m) {
        ol.appendChild(h("li", { "class": "chat-msg chat-pin", "data-id": m.id }, [
          h("header", {}, [h("strong", { text: displayName(m.author) }),
            h("time", { datetime: m.created, text: when(m.created) })]),
          m.deleted ? h("p", { "class": "chat-tombstone", text: T.deleted }) : h("div", { "class": "chat-body", html: m.body_html }),
          h("div", { "class": "chat-actions" }, [h("button", { type: "button", text: T.jump, onclick: function () { jumpTo(m.id); } })])
        ]));
      });
    }).catch(function (e) { el("chat-panel-error").textContent = e.message; });
  }

  function openHistory(messageId) {
    openPanel("history", T.history);
    var ol = el("chat-history-list");
    ol.textContent = "";
    api("GET", "/messages/" + messageId + "/history").then(function (data) {
      if (panelKind !== "history") return;
      ol.appendChild(h("li", { "class": "chat-history-current" }, [
        h("strong", { text: T.history_current }), h("div", { "class": "chat-body", html: data.current.body_html })]));
      if (!data.items.length) ol.appendChild(h("li", { "class": "chat-note", text: T.history_empty }));
      data.items.slice().reverse().forEach(function (e) {
        var replaced = when(e.replaced);
        ol.appendChild(h("li", { "class": "chat-history-old" }, [
          h("strong", { text: T.history_replaced.replace("%(when)s", replaced) }),
          h("pre", { "class": "chat-history-body", text: e.body })])); // Markdown source, shown as text
      });
    }).catch(function (e) { el("chat-panel-error").textContent = e.message; });
  }

  function canModerate() {
    var r = rooms[current];
    return !!r && (r.role === "owner" || r.role === "moderator");
  }

  function openSettings() {
    if (!current) return;
    var id = current;
    var room = rooms[id];
    openPanel("settings", roomTitle(room));
    var form = el("chat-settings-form");
    var direct = room.kind === "dm" || room.kind === "group";
    form.hidden = direct;
    Array.prototype.forEach.call(form.elements, function (f) { f.disabled = !canModerate(); });
    form.name.value = room.name || ""; form.topic.value = room.topic || "";
    form.description.value = room.description || ""; form.archived.checked = !!room.archived;
    el("chat-settings-note").textContent = "";
    el("chat-invite").hidden = direct || (room.kind === "private" && !canModerate()) || room.archived;
    invitePicker.reset();
    loadMembers(id);
  }

  function loadMembers(id) {
    var ul = el("chat-members");
    api("GET", "/rooms/" + id).then(function (data) {
      if (current !== id || panelKind !== "settings") return;
      ul.textContent = "";
      var owner = rooms[id].role === "owner";
      var direct = data.kind === "dm" || data.kind === "group";
      data.members.forEach(function (p) {
        var me = p.username === ME;
        var role = owner && !me && !direct
          ? h("select", { "class": "chat-role", "aria-label": T["role_" + p.role] + " — " + displayName(p), onchange: function (ev) {
              api("PUT", "/rooms/" + id + "/members/" + encodeURIComponent(p.username) + "/role", { role: ev.target.value })
                .then(function () { loadMembers(id); })
                .catch(function (e) { el("chat-panel-error").textContent = e.message; loadMembers(id); });
            } }, ["owner", "moderator", "member"].map(function (r) {
              return h("option", { value: r, text: T["role_" + r], selected: r === p.role ? "selected" : null });
            }))
          : h("span", { "class": "chat-role", text: T["role_" + p.role] || p.role });
        var remove = canModerate() && !me && !direct
          ? h("button", { type: "button", "class": "chat-remove", text: T.remove, onclick: function () {
              if (!window.confirm(T.confirm_remove.replace("%(name)s", displayName(p)))) return;
              api("DELETE", "/rooms/" + id + "/members/" + encodeURIComponent(p.username))
                .then(function () { loadMembers(id); })
                .catch(function (e) { el("chat-panel-error").textContent = e.message; });
            } })
          : null;
        ul.appendChild(h("li", { "data-user": p.username }, [
          h("span", { "class": "chat-presence", "data-user": p.username, "data-status": presence[p.username] || "offline" }),
          h("span", { "class": "chat-member-name", text: displayName(p) + " (@" + p.username + ")" }), role, remove]));
      });
    }).catch(function (e) { el("chat-panel-error").textContent = e.message; });
  }

  // Picks people anywhere in the organisation by username, Latin or Khmer name.
  function picker(inputId, suggestId, chosenId) {
    var box = el(inputId), out = el(suggestId), chosenList = el(chosenId);
    var items = [], index = 0, chosen = [], seq = 0;
    function renderChosen() {
      chosenList.textContent = "";
      chosen.forEach(function (p) {
        chosenList.appendChild(h("li", { "data-user": p.username }, [h("span", { text: displayName(p) }),
          h("button", { type: "button", "aria-label": T.remove + " " + displayName(p), onclick: function () {
            chosen = chosen.filter(function (c) { return c.username !== p.username; }); renderChosen();
          } }, [icon("close")])]));
      });
    }
    function render() {
      out.textContent = "";
      out.hidden = !items.length;
      items.forEach(function (p, i) {
        out.appendChild(h("li", { role: "option", "aria-selected": i === index ? "true" : "false",
          text: displayName(p) + " — @" + p.username, onmousedown: function (ev) { ev.preventDefault(); choose(p); } }));
      });
    }
    function choose(p) {
      if (!chosen.some(function (c) { return c.username === p.username; })) chosen.push(p);
      seq++; // an answer still on its way must not reopen the list
      box.value = ""; items = []; render(); renderChosen(); box.focus();
    }
    box.addEventListener("input", function () {
      var q = box.value.trim(), mine = ++seq;
      items = []; render(); // never offer (or pick with Enter) the answer to older text
      if (!q) return;
      api("GET", "/people?q=" + encodeURIComponent(q)).then(function (data) {
        if (mine !== seq) return;
        items = data.items; index = 0; render();
      });
    });
    box.addEventListener("keydown", function (ev) {
      if (!items.length) return;
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault(); index = (index + (ev.key === "ArrowDown" ? 1 : items.length - 1)) % items.length; render();
      } else if (ev.key === "Enter" || ev.key === "Tab") { ev.preventDefault(); choose(items[index]); }
      else if (ev.key === "Escape") { items = []; render(); }
    });
    box.addEventListener("blur", function () { setTimeout(function () { items = []; render(); }, 150); });
    return {
      usernames: function () { return chosen.map(function (p) { return p.username; }); },
      reset: function () { chosen = []; items = []; box.value = ""; render(); renderChosen(); }
    };
  }

  var dmPicker = picker("chat-dm-input", "chat-dm-suggest", "chat-dm-chosen");
  var invitePicker = picker("chat-invite-input", "chat-invite-suggest", "chat-invite-chosen");

  function openThread(id) {
    closePanel();
    thread = id;
    root.classList.add("has-thread");
    el("chat-thread").hidden = false;
    threadList.textContent = "";
    api("GET", "/rooms/" + current + "/messages?thread=" + id + "&limit=100").then(function (data) {
      if (thread !== id) return;
      data.items.forEach(function (m) {
        if (!document.getElementById("thread-message-" + m.id)) insertSorted(threadList, messageNode(m, true));
      });
      threadList.scrollTop = threadList.scrollHeight;
    });
    el("chat-thread-input").focus();
  }

  function closeThread() {
    thread = null;
    root.classList.remove("has-thread");
    el("chat-thread").hidden = true;
  }

  // ------------------------------------------------------------------ sending

  function send(body, threadId, container) {
    body = body.trim();
    if (!body || !current) return;
    var clientId = uuid();
    var pending = h("li", { "class": "chat-msg pending", "data-client-id": clientId, "data-id": "999999999999" },
      [h("header", {}, [h("strong", { text: ME }), h("span", { text: T.sending })]), h("div", { "class": "chat-body", text: body })]);
    container.appendChild(pending);
    container.scrollTop = container.scrollHeight;
    var frame = { type: "chat.send", room: current, body: body, client_id: clientId };
    if (threadId) frame.thread = threadId;
    unacked[clientId] = frame;
    window.Sahakar.stream.send(frame);
  }

  function upload(file) {
    showError("");
    if (MAX_UPLOAD && file.size > MAX_UPLOAD) { showError(T.too_large); return; }
    var form = new FormData();
    form.append("file", file);
    form.append("body", input.value.trim());
    form.append("client_id", uuid());
    var id = current;
    api("POST", "/rooms/" + id + "/files", form, true).then(function (m) {
      input.value = "";
      if (current === id) showMessage(m);
    }).catch(function (e) { showError(e.message); });
  }

  // ------------------------------------------------------------------ mentions

  var suggest = el("chat-suggest");
  var suggestItems = [];
  var suggestIndex = 0;

  function mentionQuery() {
    var before = input.value.slice(0, input.selectionStart);
    var m = /(^|\s)@([^\s@]*)$/.exec(before);
    return m ? m[2] : null;
  }

  var suggestPending = null; // the mention being looked up: Enter waits for its list
  function updateSuggestions() {
    var q = mentionQuery();
    suggestItems = []; renderSuggestions(); // never offer (or pick with Enter) older text's list
    suggestPending = null;
    if (q === null || !current) return;
    suggestPending = q;
    api("GET", "/rooms/" + current + "/mentions?q=" + encodeURIComponent(q)).then(function (data) {
      if (mentionQuery() !== q) return;
      suggestPending = null;
      suggestItems = data.items; suggestIndex = 0; renderSuggestions();
    }, function () { if (suggestPending === q) suggestPending = null; });
  }

  function renderSuggestions() {
    suggest.textContent = "";
    suggest.hidden = !suggestItems.length;
    suggestItems.forEach(function (p, i) {
      suggest.appendChild(h("li", { role: "option", "aria-selected": i === suggestIndex ? "true" : "false",
        text: "@" + p.username + (p.name ? " — " + displayName(p) : ""),
        onmousedown: function (ev) { ev.preventDefault(); pick(p); } }));
    });
  }

  function pick(p) {
    var pos = input.selectionStart;
    var before = input.value.slice(0, pos).replace(/@([^\s@]*)$/, "@" + p.username + " ");
    input.value = before + input.value.slice(pos);
    input.selectionStart = input.selectionEnd = before.length;
    suggest.hidden = true; suggestItems = [];
    input.focus();
  }

  // ------------------------------------------------------------------ presence & typing

  function setPresence(username, status) {
    presence[username] = status;
    document.querySelectorAll('.chat-presence[data-user="' + CSS.escape(username) + '"]').forEach(function (n) {
      n.dataset.status = status; n.title = T[status] || status;
    });
  }

  function renderTyping() {
    var names = Object.keys(typers);
    el("chat-typing").textContent = names.length ? T.typing.replace("%(names)s", names.join(", ")) : "";
  }

  function beat() {
    window.Sahakar.stream.send({ type: "presence", status: document.hidden ? "away" : "online" });
  }

  // ------------------------------------------------------------------ live frames

  function wire(stream) {
    var conn = el("chat-conn");
    function state(s) { conn.dataset.state = s; conn.textContent = T[s] || s; }
    state(stream.state);
    stream.on("state", state);
    stream.on("hello", function () {
      beat();
      // A send may have been lost with the old socket; the same client_id never duplicates.
      Object.keys(unacked).forEach(function (k) { stream.send(unacked[k]); });
    });
    stream.on("ack", function (f) { if (f.client_id) delete unacked[f.client_id]; });
    stream.on("chat.message", function (f) {
      var m = f.message;
      if (f.room === current) {
        showMessage(m);
        if (m.author.username !== ME) markRead();
      } else if (roomsLoading) {
        roomsStale = true;
      } else if (rooms[f.room] && m.author.username !== ME) {
        rooms[f.room].unread = (rooms[f.room].unread || 0) + 1; renderRooms();
      }
      if (m.author.username && typers[m.author.username]) {
        clearTimeout(typers[m.author.username]); delete typers[m.author.username]; renderTyping();
      }
    });
    stream.on("chat.edited", function (f) { if (f.room === current) showMessage(f.message); });
    stream.on("chat.deleted", function (f) {
      nodesFor(f.message.id).forEach(function (n) {
        var m = Object.assign({}, n._message || {}, f.message, { deleted: true });
        if (!m.author) return n.remove();
        fillMessage(n, m, n.id.indexOf("thread-") === 0);
      });
    });
    stream.on("chat.reaction", function (f) {
      nodesFor(f.message).forEach(function (n) {
        if (!n._message) return;
        n._message.reactions = f.reactions; fillMessage(n, n._message, n.id.indexOf("thread-") === 0);
      });
    });
    stream.on("chat.pinned", function (f) {
      nodesFor(f.message).forEach(function (n) {
        if (!n._message) return;
        n._message.pinned = f.pinned; fillMessage(n, n._message, n.id.indexOf("thread-") === 0);
      });
    });
    stream.on("chat.read", function (f) {
      if (rooms[f.room]) { rooms[f.room].unread = f.unread; rooms[f.room].last_read_id = f.message; renderRooms(); }
    });
    stream.on("chat.joined", function (f) { rooms[f.room.id] = Object.assign(rooms[f.room.id] || {}, f.room); renderRooms(); });
    stream.on("chat.left", function (f) {
      delete rooms[f.room]; renderRooms();
      if (f.room === current) leaveRoomView();
    });
    stream.on("chat.room", function (f) {
      if (!rooms[f.room.id]) return;
      ["name", "topic", "description", "archived"].forEach(function (k) { rooms[f.room.id][k] = f.room[k]; });
      renderRooms();
      if (f.room.id === current) {
        el("chat-room-name").textContent = roomTitle(rooms[current]);
        el("chat-room-topic").textContent = rooms[current].topic || "";
        showRoomState();
      }
    });
    stream.on("chat.typing", function (f) {
      if (f.room !== current || f.user === ME) return;
      clearTimeout(typers[f.user]);
      typers[f.user] = setTimeout(function () { delete typers[f.user]; renderTyping(); }, 5000);
      renderTyping();
    });
    stream.on("presence", function (f) {
      setPresence(f.user, f.status);
      clearTimeout(presenceTimers[f.user]);
      if (f.status !== "offline" && f.ttl) {
        presenceTimers[f.user] = setTimeout(function () { setPresence(f.user, "offline"); }, f.ttl * 1000);
      }
    });
    stream.on("error", function (f) {
      if (f.client_id) {
        var lost = unacked[f.client_id];
        if (lost && !lost.thread && !input.value) input.value = lost.body; // keep the text
        delete unacked[f.client_id];
        var pending = document.querySelector('[data-client-id="' + CSS.escape(f.client_id) + '"]');
        if (pending) pending.remove();
      }
      if (f.code && f.code !== "bad_request") showError(f.detail + (f.retry_after ? " (" + f.retry_after + " s)" : ""));
    });
    setInterval(beat, 25000);
    document.addEventListener("visibilitychange", function () { beat(); markRead(); });
    window.addEventListener("pagehide", function () { stream.send({ type: "presence", status: "offline" }); });
  }

  // ------------------------------------------------------------------ events

  el("chat-composer").addEventListener("submit", function (ev) {
    ev.preventDefault(); send(input.value, null, list); input.value = ""; suggest.hidden = true;
  });
  el("chat-thread-composer").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var t = el("chat-thread-input");
    send(t.value, thread, threadList); t.value = "";
  });
  input.addEventListener("keydown", function (ev) {
    if (!suggest.hidden && suggestItems.length) {
      if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
        ev.preventDefault();
        suggestIndex = (suggestIndex + (ev.key === "ArrowDown" ? 1 : suggestItems.length - 1)) % suggestItems.length;
        renderSuggestions(); return;
      }
      if (ev.key === "Enter" || ev.key === "Tab") { ev.preventDefault(); pick(suggestItems[suggestIndex]); return; }
      if (ev.key === "Escape") { suggest.hidden = true; return; }
    }
    if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      if (suggestPending !== null && suggestPending === mentionQuery()) return;
      el("chat-composer").requestSubmit();
    }
  });
  input.addEventListener("input", function () {
    updateSuggestions();
    var now = Date.now();
    if (current && input.value && now - lastTyping > 3000) {
      lastTyping = now;
      window.Sahakar.stream.send({ type: "chat.typing", room: current });
    }
  });
  el("chat-file").addEventListener("change", function (ev) {
    if (ev.target.files[0]) upload(ev.target.files[0]);
    ev.target.value = "";
  });
  el("chat-thread-close").addEventListener("click", closeThread);
  el("chat-panel-close").addEventListener("click", closePanel);
  el("chat-pins-open").addEventListener("click", function () { if (panelKind === "pins") closePanel(); else openPins(); });
  el("chat-settings-open").addEventListener("click", function () { if (panelKind === "settings") closePanel(); else openSettings(); });
  el("chat-settings-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target, id = current;
    var note = el("chat-settings-note");
    note.textContent = ""; el("chat-panel-error").textContent = "";
    api("PATCH", "/rooms/" + id, { name: form.name.value, topic: form.topic.value,
                                   description: form.description.value, archived: form.archived.checked })
      .then(function (room) {
        Object.assign(rooms[id], room); renderRooms();
        if (current === id) {
          el("chat-room-name").textContent = roomTitle(rooms[id]);
          el("chat-room-topic").textContent = room.topic || "";
          showRoomState();
        }
        note.textContent = T.saved;
      }).catch(function (e) { el("chat-panel-error").textContent = e.message; }); // the form keeps what was typed
  });
  el("chat-invite").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var id = current, names = invitePicker.usernames();
    if (!names.length) { el("chat-panel-error").textContent = T.pick_someone; return; }
    api("POST", "/rooms/" + id + "/members", { usernames: names }).then(function (r) {
      invitePicker.reset();
      el("chat-settings-note").textContent = T.invited.replace("%(names)s", r.added.join(", "));
      loadMembers(id);
    }).catch(function (e) { el("chat-panel-error").textContent = e.message; });
  });
  el("chat-new-dm").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var names = dmPicker.usernames();
    if (!names.length) { showError(T.pick_someone); return; }
    api("POST", "/rooms", { kind: "dm", members: names }).then(function (room) {
      rooms[room.id] = Object.assign(rooms[room.id] || {}, room);
      dmPicker.reset(); renderRooms(); openRoom(room.id, true);
    }).catch(function (e) { showError(e.message); });
  });
  el("chat-back").addEventListener("click", function () {
    root.classList.remove("in-room"); closePanel(); current = null; renderRooms(); history.pushState({}, "", "/chat/");
  });
  el("chat-mute").addEventListener("change", function (ev) {
    if (!current) return;
    var id = current;
    api("POST", "/rooms/" + id + "/mute", { value: ev.target.checked }).then(function (r) {
      rooms[id].muted = r.muted; renderRooms();
    });
  });
  el("chat-new-room").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var form = ev.target;
    api("POST", "/rooms", { kind: form.kind.value, name: form.name.value }).then(function (room) {
      rooms[room.id] = room; form.reset(); renderRooms(); openRoom(room.id, true);
    }).catch(function (e) { showError(e.message); });
  });
  list.addEventListener("scroll", function () { if (list.scrollTop < 60) loadOlder(); });
  window.addEventListener("popstate", function () {
    var m = /\/chat\/rooms\/(\d+)\//.exec(location.pathname);
    if (m) openRoom(m[1], false); else { root.classList.remove("in-room"); current = null; renderRooms(); }
  });

  function start() {
    var stream = window.Sahakar && window.Sahakar.stream;
    if (!stream) { setTimeout(start, 50); return; }
    wire(stream);
    if (root.dataset.room) {
      var id = parseInt(root.dataset.room, 10), query = messagesQuery(/^#message-(\d+)$/.exec(location.hash));
      prefetched = { id: id, query: query, promise: api("GET", "/rooms/" + id + "/messages" + query) };
      prefetched.promise.catch(function () {}); // a refused room is shown by loadRooms
    }
    loadRooms().then(function () {
      loadPublic();
      if (root.dataset.room) openRoom(root.dataset.room, false);
    });
  }
  start();
})();
