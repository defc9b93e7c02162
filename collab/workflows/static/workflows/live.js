/* Workflows: keep "Waiting for me", "My requests" and "My unit's requests" live from the
 * event stream (docs/workflows.md, "Live lists"). Frames: workflow.step_opened,
 * workflow.step_closed, workflow.request_changed. Words come translated from the page
 * (data-* attributes) and from the frames (each text in "en" and "km"). */
(function () {
  "use strict";
  var stream = window.Sahakar && window.Sahakar.stream;
  if (!stream) return;
  var lang = (document.documentElement.lang || "en").indexOf("km") === 0 ? "km" : "en";

  function text(both) { return (both && (both[lang] || both.en)) || ""; }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(document.documentElement.lang || "en",
        { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
    } catch (err) { return iso; }
  }

  function el(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function card(attrs, href, heading, lines) {
    var li = el("li", "card");
    Object.keys(attrs).forEach(function (k) { li.setAttribute(k, attrs[k]); });
    var h2 = el("h2"), a = el("a", "", heading);
    a.href = href;
    h2.appendChild(a);
    li.appendChild(h2);
    lines.forEach(function (line) { li.appendChild(el("p", line[0], line[1])); });
    return li;
  }

  function announce(list, message) {
    var region = document.querySelector("[data-workflow-announce]");
    if (region && message) region.textContent = message;
  }

  function setEmpty(list) {
    var empty = list.querySelector(".empty");
    var cards = list.querySelectorAll(".card").length;
    if (cards && empty) empty.remove();
    if (!cards && !empty) list.appendChild(el("li", "empty", list.getAttribute("data-empty-text")));
  }

  var inbox = document.querySelector("[data-workflow-inbox]");
  if (inbox) {
    stream.on("workflow.step_opened", function (f) {
      if (inbox.querySelector('[data-step="' + f.step + '"]')) return;
      inbox.appendChild(card({ "data-step": f.step, "data-live": "" }, f.url,
        text(f.definition) + " #" + f.request,
        [["", text(f.requester) + " — " + text(f.unit)],
         ["muted", text(f.title) + " · " + when(f.opened_at)]]));
      setEmpty(inbox);
      announce(inbox, inbox.getAttribute("data-opened-text"));
    });
    stream.on("workflow.step_closed", function (f) {
      var item = inbox.querySelector('[data-step="' + f.step + '"]');
      if (item) item.remove();
      setEmpty(inbox);
    });
  }

  document.querySelectorAll("[data-workflow-requests]").forEach(function (list) {
    var showRequester = list.hasAttribute("data-show-requester");
    stream.on("workflow.request_changed", function (f) {
      var mine = stream.user && f.requester_user === stream.user.id;
      if (list.hasAttribute("data-mine") && !mine) return;
      var item = list.querySelector('[data-request="' + f.request + '"]');
      if (item) {
        item.setAttribute("data-status", f.status);
        var status = item.querySelector("[data-status-label]");
        if (status) status.textContent = text(f.status_label);
      } else {
        var lines = [];
        if (showRequester) lines.push(["", text(f.requester) + " — " + text(f.unit)]);
        var fresh = card({ "data-request": f.request, "data-status": f.status, "data-live": "" },
          f.url, text(f.definition) + " #" + f.request,
          lines.concat([["", text(f.status_label)], ["muted", when(f.created_at)]]));
        fresh.querySelectorAll("p")[lines.length].setAttribute("data-status-label", "");
        list.insertBefore(fresh, list.firstChild);
      }
      setEmpty(list);
      announce(list, list.getAttribute("data-changed-text"));
    });
  });
})();
