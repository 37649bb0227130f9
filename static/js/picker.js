// Pickers (core/pickers.py): a region or person field becomes a search box that lists matches from the
// user's scope and keeps the chosen value in a hidden input. Without this script the field still works:
// a select of the user's scope, or a text box whose words the server looks up.
(function () {
  "use strict";
  var counter = 0;

  function enhance(box) {
    var hidden = box.querySelector("input.picker-value");
    var text = box.querySelector("input.picker-text");
    var select = box.querySelector("select.picker-fallback");
    if (select) {
      // The select of the scope becomes a search box: the value moves to a hidden input of the same name.
      hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = select.name;
      hidden.value = select.value;
      hidden.className = "picker-value";
      text = document.createElement("input");
      text.type = "search";
      text.name = select.name + "__q";
      text.id = select.id;
      text.className = "picker-text";
      text.autocomplete = "off";
      text.placeholder = box.getAttribute("data-placeholder") || "";
      text.value = select.value ? select.options[select.selectedIndex].text : "";
      if (select.required) { text.required = true; }
      select.removeAttribute("id");
      select.disabled = true;
      select.hidden = true;
      box.insertBefore(hidden, select);
      box.insertBefore(text, select);
    }
    if (!hidden || !text) { return; }
    var list = document.createElement("ul");
    list.className = "picker-options";
    list.id = "picker-options-" + (++counter);
    list.setAttribute("role", "listbox");
    list.hidden = true;
    box.appendChild(list);
    text.setAttribute("role", "combobox");
    text.setAttribute("aria-autocomplete", "list");
    text.setAttribute("aria-expanded", "false");
    text.setAttribute("aria-controls", list.id);
    var url = box.getAttribute("data-picker-url");
    var timer = null;
    var asked = 0;
    var active = -1;

    function close() {
      list.hidden = true;
      text.setAttribute("aria-expanded", "false");
      active = -1;
    }

    function choose(item) {
      hidden.value = item.getAttribute("data-value");
      text.value = item.getAttribute("data-label");
      var detail = box.querySelector(".picker-detail");
      if (!detail) {
        detail = document.createElement("small");
        detail.className = "picker-detail";
        text.insertAdjacentElement("afterend", detail);
      }
      detail.textContent = item.getAttribute("data-detail") || "";
      close();
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function mark(index) {
      var items = list.querySelectorAll("li[data-value]");
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      items[active].scrollIntoView({ block: "nearest" });
    }

    function show(items, error) {
      list.innerHTML = "";
      if (error || !items.length) {
        var none = document.createElement("li");
        none.className = "picker-none";
        none.textContent = error || box.getAttribute("data-empty") || "—";
        list.appendChild(none);
      }
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.setAttribute("data-value", item.value);
        li.setAttribute("data-label", item.label);
        li.setAttribute("data-detail", item.detail || "");
        var label = document.createElement("span");
        label.textContent = item.label;
        li.appendChild(label);
        if (item.detail) {
          var small = document.createElement("small");
          small.textContent = item.detail;
          li.appendChild(small);
        }
        list.appendChild(li);
      });
      list.hidden = false;
      text.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var mine = ++asked;
      var q = text.value.trim();
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) { if (mine === asked) { show(data.items || [], data.error); } })
        .catch(function () { if (mine === asked) { close(); } });
    }

    text.addEventListener("input", function () {
      hidden.value = "";
      var detail = box.querySelector(".picker-detail");
      if (detail) { detail.textContent = ""; }  // typed words are not a choice (the server looks them up if sent as they are)
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    text.addEventListener("focus", function () { if (!text.value) { ask(); } });
    text.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) { ask(); return; }
        event.preventDefault();
        mark(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden) {
        var items = list.querySelectorAll("li[data-value]");
        var pick = items[active] || (items.length === 1 ? items[0] : null);
        if (pick) { event.preventDefault(); choose(pick); }
      } else if (event.key === "Escape") {
        close();
      }
    });
    list.addEventListener("mousedown", function (event) {
      var item = event.target.closest("li[data-value]");
      if (item) { event.preventDefault(); choose(item); }
    });
    text.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  function start() { document.querySelectorAll(".picker").forEach(enhance); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
