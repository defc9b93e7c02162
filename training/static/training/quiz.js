// Saves each answer the moment it is given (PUT one answer), so a dropped connection
// loses nothing; the form's Submit still posts every answer for browsers without JS.
(function () {
  "use strict";
  var form = document.getElementById("tr-quiz");
  if (!form) return;
  var text = document.getElementById("tr-i18n").dataset;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function responseOf(fs) {
    var kind = fs.dataset.kind;
    var name = "q" + fs.dataset.position;
    var inputs = fs.querySelectorAll("input, select");
    var checked = fs.querySelectorAll("input:checked");
    if (kind === "single") return checked.length ? { choice: +checked[0].value } : null;
    if (kind === "multiple") {
      return { choices: Array.prototype.map.call(checked, function (i) { return +i.value; }) };
    }
    if (kind === "true_false") return checked.length ? { value: checked[0].value === "true" } : null;
    if (kind === "short" || kind === "numeric") {
      var v = fs.querySelector("input[name=" + name + "]").value.trim();
      if (!v) return null;
      return kind === "short" ? { text: v } : { value: v };
    }
    if (kind === "ordering") {
      var ranks = Array.prototype.map.call(inputs, function (s) {
        return { id: +s.name.split("-")[1], rank: +s.value };
      });
      ranks.sort(function (a, b) { return a.rank - b.rank; });
      return { order: ranks.map(function (r) { return r.id; }) };
    }
    if (kind === "matching") {
      var pairs = {};
      Array.prototype.forEach.call(inputs, function (s) {
        if (s.value) pairs[s.name.split("-")[1]] = +s.value;
      });
      return { pairs: pairs };
    }
    return null;
  }

  function save(fs) {
    var response = responseOf(fs);
    if (response === null) return;
    var out = fs.querySelector(".tr-saved");
    out.textContent = text.saving;
    fetch(form.dataset.api + fs.dataset.position, {
      method: "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ response: response })
    }).then(function (r) {
      return r.json().then(function (body) {
        out.textContent = r.ok ? text.saved : body.message;
        if (body.code === "time_up" || body.code === "submitted") form.submit();
      });
    }).catch(function () { out.textContent = text.offline; });
  }

  Array.prototype.forEach.call(form.querySelectorAll("fieldset.tr-q"), function (fs) {
    fs.addEventListener("change", function () { save(fs); });
  });

  var timer = document.getElementById("tr-timer");
  if (timer) {
    var deadline = Date.now() + 1000 * +timer.dataset.secondsLeft;
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      timer.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
      if (left === 0) { timer.textContent = text.timeup; form.submit(); return; }
      setTimeout(tick, 1000);
    };
    tick();
  }
})();
