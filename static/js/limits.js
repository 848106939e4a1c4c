// Text limits (journal/forms.py TextLimit): near a field's limit say how much of it is used, over
// it say so before the server refuses (keeping the whole text). There is no maxlength: a browser
// cuts a pasted text there without a word. The texts come from the page (limit_hint).
(() => {
  // typing: false on load and after a swap, where the server's own message under the field
  // already refuses a text over the limit.
  const show = (field, typing) => {
    const limit = parseInt(field.getAttribute("data-limit"), 10);
    const out = document.getElementById(field.id + "-limit");
    if (!limit || !out) return;
    if (!out.hasAttribute("data-limit-text")) out.setAttribute("data-limit-text", out.textContent);
    const [count, lang] = [field.value.length, document.documentElement.lang || "hu"];
    const near = count > limit ? typing : count >= limit * 0.9;
    const said = out.getAttribute(
      near ? (count > limit ? "data-limit-over" : "data-limit-near") : "data-limit-text",
    );
    out.textContent = said
      .replace("{count}", count.toLocaleString(lang))
      .replace("{max}", limit.toLocaleString(lang));
    out.hidden = !near && out.hasAttribute("data-limit-long");
    out.classList.toggle("limit-over", near && count > limit);
  };
  const showAll = () => document.querySelectorAll("[data-limit]").forEach((f) => show(f, false));
  document.addEventListener(
    "input",
    ({ target }) => target.matches("[data-limit]") && show(target, true),
  );
  document.addEventListener("htmx:after:swap", showAll);
  showAll(); // a deferred script: the page is parsed
})();
