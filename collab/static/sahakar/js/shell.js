/* Sahakar shell: keeps the notifications bell's unread count live from the event stream
 * (realtime/stream.js). Every page works without it; the count is rendered by the server. */
(function () {
  "use strict";
  var bell = document.getElementById("shell-bell");
  var badge = document.getElementById("shell-bell-count");

  function setUnread(count) {
    if (!badge || typeof count !== "number" || !isFinite(count)) return;
    count = Math.max(0, Math.floor(count));
    badge.textContent = String(count);
    badge.hidden = count === 0;
    bell.setAttribute("data-unread", String(count));
  }

  function onFrame(frame) {
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type.indexOf("notification.") !== 0) return;
    // notification.* frames carry the user's unread total; a new one without it adds one.
    if (typeof frame.unread_count === "number") {
      setUnread(frame.unread_count);
    } else if (frame.type === "notification.new" && badge) {
      setUnread((parseInt(badge.textContent, 10) || 0) + 1);
    }
  }

  window.SahakarShell = { setUnread: setUnread, onFrame: onFrame };
  var stream = window.Sahakar && window.Sahakar.stream;
  if (stream && badge) stream.on("*", onFrame);
})();
