/* Notifications: keep the bell and the inbox page live from the event stream.
 * Frames (docs/protocol.md): notification.new, notification.read, notification.acknowledged;
 * new/read carry the user's unread total as unread_count. */
(function () {
  "use strict";
  var stream = window.Sahakar && window.Sahakar.stream;
  if (!stream) return;

  function setUnread(count) {
    if (typeof count !== "number") return;
    if (window.SahakarShell) window.SahakarShell.setUnread(count);
    var inboxCount = document.querySelector("[data-notification-count]");
    if (inboxCount) inboxCount.textContent = String(count);
  }

  function showRefreshHint() {
    var hint = document.querySelector("[data-notification-live]");
    if (hint) hint.hidden = false;
  }

  stream.on("notification.new", function (frame) {
    setUnread(frame.unread_count);
    showRefreshHint();
  });
  stream.on("notification.read", function (frame) { setUnread(frame.unread_count); });
  stream.on("notification.acknowledged", function (frame) {
    var item = document.querySelector('[data-notification-id="' + frame.id + '"] [data-ack]');
    if (item) showRefreshHint();
  });
})();
