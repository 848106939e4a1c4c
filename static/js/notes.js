// Shared notes: tell the board's polls (and a new note posted) when someone is typing in the list
// (the answer is then only "N új jegyzet", never a new list: no text is ever lost), drop a
// refresh asked before the user's last action, and keep deletion notices through a refresh.
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
  // A deletion notice (with "Visszaállítás") is not in the list the server sends: when the list
  // refreshes itself (its poll, a new note) each stays where it was; paging and filtering don't.
  document.addEventListener("htmx:before:swap", (event) => {
    const ctx = event.detail.ctx;
    const list = document.getElementById("note-list");
    if (!list || ctx.target !== list || !refreshes(event.target) || ctx.response?.status !== 200)
      return;
    const other = [...travelling].some((action) => action !== ctx);
    if (other || ctx.askedAt < lastAnswered) return event.preventDefault();
    const focused = document.activeElement;
    ctx.keptNotices = [...list.querySelectorAll(".note-deleted")].map((notice) => ({
      notice,
      before: notice.nextElementSibling?.id,
      after: notice.previousElementSibling?.id,
      focused: notice.contains(focused) ? focused : null,
    }));
    // Taken out before the swap, so htmx's clean-up of the old list leaves their buttons working.
    ctx.keptNotices.forEach((entry) => entry.notice.remove());
  });
  // Put back after the swap (or into the old list if there was none), from the last: each goes
  // before the note that followed it, else after the one before it, else to the top.
  document.addEventListener("htmx:finally:swap", (event) => {
    const entries = event.detail.ctx?.keptNotices;
    const items = document.getElementById("note-items");
    if (!entries || !items) return;
    event.detail.ctx.keptNotices = null;
    entries.reverse().forEach(({ notice, before, after, focused }) => {
      const next = before && document.getElementById(before);
      const previous = after && document.getElementById(after);
      if (document.getElementById(notice.id)) return; // restored meanwhile: the note is back
      if (next?.parentNode === items) next.before(notice);
      else if (previous?.parentNode === items) previous.after(notice);
      else items.insertBefore(notice, items.querySelector(".note, .note-deleted"));
      if (focused && notice.contains(focused)) focused.focus({ preventScroll: true });
    });
  });
})();
