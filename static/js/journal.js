// Journal section editors: a private section can never go into the report, so choosing
// "private" unticks and disables the "in the report" box (the server refuses it anyway).
(function () {
  "use strict";

  function sync(form) {
    var chosen = form.querySelector("input[data-visibility]:checked");
    var box = form.querySelector("input[data-in-report]");
    if (!chosen || !box) return;
    var isPrivate = chosen.value === "private";
    if (isPrivate) box.checked = false;
    box.disabled = isPrivate;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches("input[data-visibility]")) {
      var form = target.closest("[data-journal-section]");
      if (form) sync(form);
    }
  });
})();
