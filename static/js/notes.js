// Shared notes: clear the new-note form after it was posted (and refresh the list), and keep the board's
// polling from replacing the list while someone is typing in it (no text is ever lost).
(function () {
  "use strict";

  function busy(list) {
    if (list.querySelector(".note-editor, details[open]")) return true;
    var fields = list.querySelectorAll("textarea, input[type=text]");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value.trim() !== "" || fields[i] === document.activeElement) return true;
    }
    return false;
  }

  document.addEventListener("htmx:config:request", function (event) {
    var elt = event.target;
    if (elt.matches && elt.matches("[data-note-poll]") && busy(elt)) event.preventDefault();
  });

  // Autosave may put back an unfinished new note: open its folded form so it is seen.
  function unfold() {
    var form = document.getElementById("note-form");
    var details = form && form.closest("details");
    if (!details || details.open) return;
    new MutationObserver(function () {
      var title = form.querySelector("[name=title]");
      var body = form.querySelector("[name=body]");
      if ((title && title.value) || (body && body.value)) details.open = true;
    }).observe(form, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", unfold);
  else unfold();

  document.addEventListener("htmx:after:request", function (event) {
    var elt = event.target;
    var ctx = event.detail && event.detail.ctx;
    var status = ctx && ctx.response && ctx.response.status;
    if (elt.matches && elt.matches("form[data-reset-on-success]") && status >= 200 && status < 300) {
      elt.reset();
      var details = elt.closest("details");
      if (details) details.open = false;
      // The new note went to the top of the list; refresh the list now, not at the next poll,
      // so its count, filters and pages agree with it.
      var list = document.querySelector("[data-note-poll]");
      if (list) list.dispatchEvent(new CustomEvent("notes-changed"));
    }
  });
})();
