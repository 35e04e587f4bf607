// Reply composer: templates (from the list or by typing "/" and a name), the placeholders still to fill in
// (marked in a preview and named in words), a send button that says what will happen, Ctrl+Enter to send.
(function () {
  "use strict";
  var PLACEHOLDER = /\{(naam|onderwerp|link|bron|afdeling|medewerker|aantal|datum|kanaal)\}/g;
  var SLASH = /(^|\s)\/([\w-]*)$/;

  function textOf(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-text") || "" : "";
  }

  function templates(form) {
    var select = form.querySelector("#reply-template");
    if (!select) return [];
    return Array.prototype.slice.call(select.options)
      .filter(function (option) { return option.value; })
      .map(function (option) { return { id: option.value, text: option.getAttribute("data-text") || "" }; });
  }

  function showUnfilled(form) {
    var area = form.querySelector("#reply-text");
    var status = form.querySelector("#reply-unfilled");
    var preview = form.querySelector("#reply-preview");
    if (!area || !status || !preview) return;
    var found = [];
    var text = area.value;
    preview.textContent = "";
    var last = 0;
    text.replace(PLACEHOLDER, function (match, name, offset) {
      if (found.indexOf(match) === -1) found.push(match);
      preview.appendChild(document.createTextNode(text.slice(last, offset)));
      var mark = document.createElement("mark");
      mark.textContent = match;
      preview.appendChild(mark);
      last = offset + match.length;
      return match;
    });
    preview.appendChild(document.createTextNode(text.slice(last)));
    preview.hidden = found.length === 0;
    status.textContent = found.length ? status.getAttribute("data-template").replace("%s", found.join(", ")) : "";
  }

  function suggestions(form) {
    return form.querySelector("#template-suggestions");
  }

  function slashQuery(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = SLASH.exec(before);
    return match ? { query: match[2].toLowerCase(), start: before.length - match[2].length - 1 } : null;
  }

  function updateSuggestions(form) {
    var area = form.querySelector("#reply-text");
    var list = suggestions(form);
    if (!area || !list) return;
    var wanted = slashQuery(area);
    list.textContent = "";
    if (!wanted) { list.hidden = true; area.removeAttribute("aria-activedescendant"); return; }
    var matches = templates(form).filter(function (template) { return template.id.toLowerCase().indexOf(wanted.query) !== -1; });
    matches.forEach(function (template, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = "template-option-" + template.id;
      item.setAttribute("data-template-id", template.id);
      item.setAttribute("aria-selected", index === 0 ? "true" : "false");
      item.textContent = "/" + template.id;
      item.addEventListener("mousedown", function (event) { event.preventDefault(); insert(form, template.id); });
      list.appendChild(item);
    });
    list.hidden = matches.length === 0;
    if (matches.length) area.setAttribute("aria-activedescendant", "template-option-" + matches[0].id);
    else area.removeAttribute("aria-activedescendant");
  }

  function moveSuggestion(form, step) {
    var items = Array.prototype.slice.call(suggestions(form).querySelectorAll("li"));
    var current = items.findIndex(function (item) { return item.getAttribute("aria-selected") === "true"; });
    var next = Math.min(Math.max(current + step, 0), items.length - 1);
    items.forEach(function (item, index) { item.setAttribute("aria-selected", index === next ? "true" : "false"); });
    form.querySelector("#reply-text").setAttribute("aria-activedescendant", items[next].id);
  }

  function insert(form, templateId) {
    var area = form.querySelector("#reply-text");
    var wanted = slashQuery(area);
    var chosen = templates(form).filter(function (template) { return template.id === templateId; })[0];
    if (!wanted || !chosen) return;
    var end = area.selectionStart;
    area.value = area.value.slice(0, wanted.start) + chosen.text + area.value.slice(end);
    var caret = wanted.start + chosen.text.length;
    area.setSelectionRange(caret, caret);
    var select = form.querySelector("#reply-template");
    if (select) select.value = templateId;
    suggestions(form).hidden = true;
    area.removeAttribute("aria-activedescendant");
    showUnfilled(form);
  }

  function onKey(form, event) {
    var list = suggestions(form);
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
      return;
    }
    if (!list || list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveSuggestion(form, event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" || event.key === "Tab") {
      var selected = list.querySelector("li[aria-selected=true]");
      if (selected) {
        event.preventDefault();
        insert(form, selected.getAttribute("data-template-id"));
      }
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  }

  function bind(form) {
    if (form.dataset.bound) return;
    form.dataset.bound = "1";
    var area = form.querySelector("#reply-text");
    var select = form.querySelector("#reply-template");
    if (select && area) {
      var last = textOf(select);
      select.addEventListener("change", function () {
        if (area.value.trim() === "" || area.value === last) area.value = textOf(select);
        last = textOf(select);
        showUnfilled(form);
      });
    }
    if (area) {
      area.addEventListener("input", function () { showUnfilled(form); updateSuggestions(form); });
      area.addEventListener("keydown", function (event) { onKey(form, event); });
    }
    var button = form.querySelector("#reply-send");
    Array.prototype.forEach.call(form.querySelectorAll("input[data-send-label]"), function (radio) {
      radio.addEventListener("change", function () { if (radio.checked && button) button.textContent = radio.getAttribute("data-send-label"); });
      if (radio.checked && button) button.textContent = radio.getAttribute("data-send-label");
    });
    form.addEventListener("submit", function (event) {
      showUnfilled(form);
      if (area && PLACEHOLDER.test(area.value)) {
        PLACEHOLDER.lastIndex = 0;
        event.preventDefault();
        event.stopImmediatePropagation();
        area.focus();
      }
      PLACEHOLDER.lastIndex = 0;
    }, true);
    showUnfilled(form);
  }

  function bindAll() {
    document.querySelectorAll("form.reply-form").forEach(bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
  document.addEventListener("htmx:afterSettle", bindAll);
})();
