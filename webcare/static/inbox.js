/* Inbox and case page: keyboard shortcuts (can be switched off, WCAG 2.1.4) and the "typing" flag for presence. */
(function () {
  "use strict";

  var STORAGE_KEY = "webcare.shortcuts";
  var pendingG = 0;

  function shortcutsOn() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) !== "off";
    } catch (error) {
      return true;
    }
  }

  function setShortcuts(on) {
    try {
      window.localStorage.setItem(STORAGE_KEY, on ? "on" : "off");
    } catch (error) {
      /* storage unavailable: the choice lasts for this page only */
    }
  }

  function isTextField(element) {
    if (!element) return false;
    if (element.isContentEditable) return true;
    var tag = element.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    if (tag !== "INPUT") return false;
    var type = (element.getAttribute("type") || "text").toLowerCase();
    return ["checkbox", "radio", "button", "submit", "reset", "hidden", "range", "color", "file"].indexOf(type) === -1;
  }

  function rowLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#case-rows a[id^='case-link-']"));
  }

  function moveInList(step) {
    var links = rowLinks();
    if (!links.length) return false;
    var index = links.indexOf(document.activeElement);
    var next = index === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(Math.max(index + step, 0), links.length - 1);
    links.forEach(function (link) { link.closest("tr").classList.remove("is-selected"); });
    links[next].closest("tr").classList.add("is-selected");
    links[next].focus();
    return true;
  }

  function openAndFocus(panelId, selector) {
    var panel = document.getElementById(panelId);
    if (!panel) return false;
    panel.open = true;
    var target = panel.querySelector(selector);
    if (target) target.focus();
    return true;
  }

  function focusElement(id) {
    var element = document.getElementById(id);
    if (!element) return false;
    element.focus();
    return true;
  }

  function clickElement(id) {
    var element = document.getElementById(id);
    if (!element) return false;
    element.click();
    return true;
  }

  function showHelp() {
    var help = document.getElementById("shortcuts-help");
    if (!help) return false;
    help.open = true;
    help.querySelector("summary").focus();
    return true;
  }

  function goToInbox() {
    var help = document.getElementById("shortcuts-help");
    var url = help && help.getAttribute("data-inbox-url");
    if (!url) return false;
    window.location.assign(url);
    return true;
  }

  function onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextField(event.target) || !shortcutsOn()) return;
    var key = event.key;
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (key === "i" && goToInbox()) event.preventDefault();
      return;
    }
    pendingG = 0;
    var handled = false;
    switch (key) {
      case "j": handled = moveInList(1); break;
      case "k": handled = moveInList(-1); break;
      case "c": handled = clickElement("claim-button"); break;
      case "n": handled = focusElement("note-text"); break;
      case "e": handled = openAndFocus("escalate-panel", "select, textarea"); break;
      case "r": handled = openAndFocus("resolve-panel", "input[type=radio]"); break;
      case "g": pendingG = Date.now(); handled = true; break;
      case "?": handled = showHelp(); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  }

  function trackTyping() {
    var flag = document.getElementById("typing-flag");
    if (!flag) return;
    var lastTyped = 0;
    document.addEventListener("input", function (event) {
      var target = event.target;
      if (target && target.tagName === "TEXTAREA") {
        lastTyped = Date.now();
        flag.value = "true";
      }
    });
    window.setInterval(function () {
      if (flag.value === "true" && Date.now() - lastTyped > 4000) flag.value = "false";
    }, 1000);
  }

  function init() {
    var toggle = document.getElementById("shortcuts-enabled");
    if (toggle) {
      toggle.checked = shortcutsOn();
      toggle.addEventListener("change", function () { setShortcuts(toggle.checked); });
    }
    document.addEventListener("keydown", onKey);
    trackTyping();
    /* Case actions update the page in place; a refused one (400, 403, 409) brings its page with the problem. */
    document.addEventListener("htmx:beforeSwap", function (event) {
      var status = event.detail.xhr.status;
      var elt = event.detail.elt;
      if (status >= 400 && status < 500 && elt && elt.getAttribute && elt.getAttribute("hx-boost") === "true") {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
