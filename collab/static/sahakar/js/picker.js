/*
 * People picker: a search box (Khmer or Latin name) above a field that takes keys
 * (employee ids, Health IDs). Markup: a field with data-picker="URL" (JSON
 * {items: [{key, name_km, name_en, type?}]}), data-picker-multiple for a comma-separated
 * list, data-picker-label and data-picker-placeholder for the search box's words,
 * data-picker-type="unit" to offer units instead of people.
 */
(function () {
  "use strict";
  var count = 0;

  function enhance(field) {
    var n = ++count;
    var multiple = field.hasAttribute("data-picker-multiple");
    var wanted = field.dataset.pickerType || "person";
    var box = document.createElement("div");
    box.className = "picker";
    var label = document.createElement("label");
    label.htmlFor = "picker-" + n;
    label.textContent = field.dataset.pickerLabel;
    var input = document.createElement("input");
    input.type = "search";
    input.id = "picker-" + n;
    input.autocomplete = "off";
    input.placeholder = field.dataset.pickerPlaceholder || "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", "picker-list-" + n);
    input.setAttribute("aria-autocomplete", "list");
    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = "picker-list-" + n;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.append(label, input, list);
    field.parentNode.insertBefore(box, field);

    var items = [], index = 0, timer = null, ticket = 0;

    function keys() { return field.value.split(/[,\n]/).map(function (k) { return k.trim(); }).filter(Boolean); }

    function choose(item) {
      if (multiple) {
        var have = keys();
        if (have.indexOf(item.key) < 0) have.push(item.key);
        field.value = have.join(", ");
      } else {
        field.value = item.key;
      }
      field.dispatchEvent(new Event("change", { bubbles: true }));
      input.value = "";
      show([]);
      input.focus();
    }

    function show(found) {
      items = found; index = 0;
      list.textContent = "";
      items.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = "picker-" + n + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", i === index ? "true" : "false");
        var name = document.createElement("span");
        name.textContent = [item.name_km, item.name_en].filter(Boolean).join(" · ");
        var key = document.createElement("small");
        key.textContent = item.key;
        li.append(name, key);
        li.addEventListener("mousedown", function (ev) { ev.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      list.hidden = !items.length;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
      if (items.length) input.setAttribute("aria-activedescendant", "picker-" + n + "-0");
      else input.removeAttribute("aria-activedescendant");
    }

    function move(step) {
      if (!items.length) return;
      index = (index + step + items.length) % items.length;
      [].forEach.call(list.children, function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", "picker-" + n + "-" + index);
    }

    function ask() {
      var q = input.value.trim();
      if (!q) { show([]); return; }
      var mine = ++ticket;
      fetch(field.dataset.picker + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) {
          if (mine !== ticket) return;
          show((data.items || []).filter(function (i) { return !i.type || i.type === wanted; }));
        })
        .catch(function () { show([]); });
    }

    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 200); });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "ArrowDown") { ev.preventDefault(); move(1); }
      else if (ev.key === "ArrowUp") { ev.preventDefault(); move(-1); }
      else if (ev.key === "Enter" && items.length) { ev.preventDefault(); choose(items[index]); }
      else if (ev.key === "Escape") { show([]); }
    });
    input.addEventListener("blur", function () { setTimeout(function () { show([]); }, 150); });
  }

  document.querySelectorAll("[data-picker]").forEach(enhance);
})();
