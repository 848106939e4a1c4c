// Shared notes: tell the board's polls (and a new note posted) when someone types in the list
// (the answer is then only "N új jegyzet", never a new list: no text is ever lost), and keep the
// answers in order. A deletion notice is part of the list: journal/notes/queries.py board.
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
  // A poll answered after an action in the list could show the list as it was before it, replace
  // the note the action's answer goes to, or count the user's own new note as news: an action
  // gives up the polls on their way, and no poll is asked while one travels.
  const travelling = new Set(); // the actions' requests on their way (by request: forms go)
  const action = (event) =>
    event.target.closest?.("#note-list, #note-form") &&
    (event.detail.ctx.request.method || "GET").toUpperCase() !== "GET";
  document.addEventListener("htmx:before:request", (event) => {
    if (event.target.matches?.("[data-note-poll]")) {
      if (travelling.size) event.preventDefault();
    } else if (action(event)) {
      travelling.add(event.detail.ctx);
      const abort = (poll) => htmx.trigger(poll, "htmx:abort", {}, false); // no bubbling
      document.querySelectorAll("[data-note-poll]").forEach(abort);
    }
  });
  document.addEventListener("htmx:finally:request", (event) => travelling.delete(event.detail.ctx));
  // Only the note posted last is said and lit: each one posted goes on top of the list.
  document.addEventListener("htmx:after:swap", () =>
    [...document.querySelectorAll("#note-items .note-posted")].slice(1).forEach((said) => {
      said.closest(".note").classList.remove("note-fresh");
      said.remove();
    }),
  );
})();
