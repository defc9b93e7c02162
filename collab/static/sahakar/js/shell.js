/* Sahakar shell: live unread count on the notifications bell. Pages work without it. */
(function () {
  "use strict";
  var badge = document.getElementById("shell-bell-count");
  if (!badge) return;

  function setUnread(count) {
    count = Math.max(0, count | 0);
    badge.textContent = String(count);
    badge.hidden = count === 0;
    document.getElementById("shell-bell").setAttribute("data-unread", String(count));
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== "string" || frame.type.indexOf("notification.") !== 0) {
      return;
    }
    // The notifications app sends the user's unread total with each event; without it,
    // a new notification counts one more.
    if (typeof frame.unread_count === "number") {
      setUnread(frame.unread_count);
    } else if (frame.type === "notification.created") {
      setUnread((parseInt(badge.textContent, 10) || 0) + 1);
    }
  }

  window.SahakarShell = { setUnread: setUnread, onFrame: onFrame };
})();
