// People typeahead under the search box: asks /search/people/?q= as the user types.
(function () {
  "use strict";
  var input = document.getElementById("search-q");
  var list = document.getElementById("search-typeahead");
  if (!input || !list) { return; }
  var timer = null;
  var latest = 0;

  function render(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = item.url;
      a.textContent = item.title; // text, never HTML
      li.appendChild(a);
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }

  function ask() {
    var q = input.value.trim();
    if (!q) { render([]); return; }
    var ticket = ++latest;
    fetch(input.dataset.typeahead + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .then(function (data) { if (ticket === latest) { render(data.items || []); } })
      .catch(function () { render([]); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 250);
  });
})();
