// Shared notes: tell the board's polls (and a new note posted) when someone is typing in the list
// (the answer is then only "N új jegyzet", never a new list: no text is ever lost), and drop a
// refresh asked before the user's last action. (A deletion notice is part of the list the server
// sends: journal/notes/queries.py board.)
(() => {
  const refreshes = (elt) => elt.matches?.("[data-note-poll]") || elt.id === "note-form";
  const busy = (list) =>
    list.querySelector(".note-editor, details[open]") ||
    [...list.querySelectorAll("textarea, input[type=text]")].some(
      (f) => f.value.trim() !== "" || f === document.activeElement,
    );
  document.addEventListener("htmx:config:request", (event) => {
    const list = document.getElementById("note-list");
    if (refreshes(event.target) && list && busy(list))
      event.detail.ctx.request.body.set("typing", "1");
  });
  // A refresh asked before the user's last action in the list was answered may show the list as
  // it was before it (the deleted note still there); one answered while an action travels would
  // replace the note that action's answer goes to. Either is dropped; the next one is fresh.
  let lastAnswered = 0;
  const travelling = new Set(); // the actions' requests on their way
  const action = (event) =>
    event.target.closest?.("#note-list, #note-form") &&
    (event.detail.ctx.request.method || "GET").toUpperCase() !== "GET";
  document.addEventListener("htmx:before:request", (event) => {
    if (event.target.matches?.("[data-note-poll]")) event.detail.ctx.askedAt = performance.now();
    else if (action(event)) travelling.add(event.detail.ctx);
  });
  document.addEventListener("htmx:finally:request", (event) => {
    // By its request: the form it came from may have been swapped away by now.
    if (travelling.delete(event.detail.ctx)) lastAnswered = performance.now();
  });
  document.addEventListener("htmx:before:swap", (event) => {
    const ctx = event.detail.ctx;
    if (ctx.target?.id !== "note-list" || !refreshes(event.target) || ctx.response?.status !== 200)
      return;
    const other = [...travelling].some((action) => action !== ctx);
    if (other || ctx.askedAt < lastAnswered) event.preventDefault();
  });
})();
