// Journal sections: a private section never goes into the report, so choosing "private"
// unticks and disables its "in the report" box (the server refuses it anyway).
document.addEventListener("change", ({ target }) => {
  const section =
    target.matches("input[data-visibility]") && target.closest("[data-journal-section]");
  const box = section && section.querySelector("input[data-in-report]");
  if (!box) return;
  box.disabled = target.value === "private";
  if (box.disabled) box.checked = false;
});
