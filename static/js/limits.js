// Text limits (journal/forms.py TextLimit): near a field's limit say how much of it is used,
// over it say so before the server refuses (keeping the whole text). There is no maxlength:
// a browser cuts a pasted text there without a word. Texts come from the page (limit_hint).
(function () {
  "use strict";

  // typing: false on load and after a swap, where a text over the limit is already refused by
  // the server's own message under the field.
  function show(field, typing) {
    var limit = parseInt(field.getAttribute("data-limit"), 10);
    var out = document.getElementById(field.id + "-limit");
    if (!limit || !out) return;
    if (!out.hasAttribute("data-limit-text")) out.setAttribute("data-limit-text", out.textContent);
    var count = field.value.length;
    var lang = document.documentElement.lang || "hu";
    var text = out.getAttribute(count > limit ? "data-limit-over" : "data-limit-near");
    var near = (typing && count > limit) || (count <= limit && count >= limit * 0.9);
    out.textContent = near
      ? text.replace("{count}", count.toLocaleString(lang)).replace("{max}", limit.toLocaleString(lang))
      : out.getAttribute("data-limit-text");
    out.hidden = !near && out.hasAttribute("data-limit-long");
    out.classList.toggle("limit-over", near && count > limit);
  }

  function showAll() {
    document.querySelectorAll("[data-limit]").forEach(function (field) {
      show(field, false);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("[data-limit]")) show(event.target, true);
  });
  document.addEventListener("htmx:after:swap", showAll);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", showAll);
  else showAll();
})();
