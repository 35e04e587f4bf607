// Reply composer: choosing a template puts its filled-in text in the reply box (unless the writer changed it).
(function () {
  "use strict";
  function textOf(select) {
    var option = select.options[select.selectedIndex];
    return option ? option.getAttribute("data-text") || "" : "";
  }
  function bind(select) {
    if (select.dataset.bound) { return; }
    select.dataset.bound = "1";
    var target = document.getElementById(select.getAttribute("data-reply-target"));
    if (!target) { return; }
    var last = textOf(select);
    select.addEventListener("change", function () {
      if (target.value.trim() === "" || target.value === last) {
        target.value = textOf(select);
      }
      last = textOf(select);
    });
  }
  function bindAll() {
    document.querySelectorAll("select[data-reply-target]").forEach(bind);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", bindAll);
  } else {
    bindAll();
  }
  document.addEventListener("htmx:afterSettle", bindAll);
})();
