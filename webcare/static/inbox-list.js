/* The case list: filters folded away on a phone, and selecting cases for a bulk action
   (checkboxes, shift-click for a range, "x" on a focused row, "select all"). */
(function () {
  "use strict";

  var lastClicked = null;

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("#case-rows input.case-select"));
  }

  function updateBar() {
    var count = boxes().filter(function (box) { return box.checked; }).length;
    var counter = document.getElementById("bulk-count");
    if (counter) counter.textContent = counter.getAttribute("data-template").replace("%d", count);
    var form = document.getElementById("bulk-form");
    if (form) form.classList.toggle("has-selection", count > 0);
    var submit = document.getElementById("bulk-submit");
    if (submit) submit.disabled = count === 0;
    var all = document.getElementById("select-all");
    if (all) all.checked = count > 0 && count === boxes().length;
  }

  function onClick(event) {
    var box = event.target;
    if (!box.classList || !box.classList.contains("case-select")) return;
    var all = boxes();
    if (event.shiftKey && lastClicked && all.indexOf(lastClicked) !== -1) {
      var from = all.indexOf(lastClicked), to = all.indexOf(box);
      var start = Math.min(from, to), end = Math.max(from, to);
      for (var index = start; index <= end; index++) all[index].checked = box.checked;
    }
    lastClicked = box;
    updateBar();
  }

  function onKey(event) {
    if (event.key !== "x" || event.ctrlKey || event.metaKey || event.altKey) return;
    var row = document.activeElement && document.activeElement.closest && document.activeElement.closest("#case-rows tr");
    var box = row && row.querySelector("input.case-select");
    if (!box || document.activeElement === box) return;
    box.checked = !box.checked;
    lastClicked = box;
    updateBar();
    event.preventDefault();
  }

  function init() {
    var filters = document.querySelector("details.more-filters");
    if (filters && !filters.hasAttribute("data-narrowed") && window.matchMedia("(max-width: 40rem)").matches) {
      filters.open = false;
    }
    var all = document.getElementById("select-all");
    if (all) {
      all.addEventListener("change", function () {
        boxes().forEach(function (box) { box.checked = all.checked; });
        updateBar();
      });
    }
    document.addEventListener("click", onClick);
    document.addEventListener("keydown", onKey);
    var choice = document.getElementById("bulk-action");
    if (choice) {
      var showFields = function () {
        Array.prototype.forEach.call(document.querySelectorAll("[data-bulk-for]"), function (field) {
          field.hidden = field.getAttribute("data-bulk-for").split(" ").indexOf(choice.value) === -1;
        });
      };
      choice.addEventListener("change", showFields);
      showFields();
    }
    /* A poll replaces the rows; the boxes ticked before it stay ticked. */
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      if (!event.detail.target || event.detail.target.id !== "case-rows") return;
      window.__bulkTicked = boxes().filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (!event.detail.target || event.detail.target.id !== "case-rows") return;
      var ticked = window.__bulkTicked || [];
      boxes().forEach(function (box) { box.checked = ticked.indexOf(box.value) !== -1; });
      updateBar();
    });
    updateBar();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
