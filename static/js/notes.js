// Shared notes: clear the new-note form after it was posted (the answer is the refreshed list),
// tell the board's polls when someone is typing in the list (the answer is then only "N új
// jegyzet", never a new list: no text is ever lost), and keep deletion notices through a refresh.
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

  function isPoll(elt) {
    return elt && elt.matches && elt.matches("[data-note-poll]");
  }

  // A poll, or a new note posted, while someone types in the list: the answer then leaves the
  // list (and the text in it) alone.
  document.addEventListener("htmx:config:request", function (event) {
    var list = document.getElementById("note-list");
    var asks = isPoll(event.target) || event.target.id === "note-form";
    if (asks && list && busy(list)) event.detail.ctx.request.body.set("typing", "1");
  });

  // A refresh asked before the user's last action in the list was answered may show the list as
  // it was before it (the deleted note still there): it is dropped; the next one is fresh.
  var lastAnswered = 0;
  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    if (ctx && isPoll(event.target)) ctx.askedAt = performance.now();
  });
  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var method = ctx && ctx.request && (ctx.request.method || "").toUpperCase();
    var list = event.target.closest && event.target.closest("#note-list, #note-form");
    if (list && method && method !== "GET") lastAnswered = performance.now();
  });

  // A deletion notice (with its "Visszaállítás" button) is not part of the list the server sends.
  // When the list refreshes itself (its poll, or the answer to a new note), keep each notice where
  // it was, so the way back does not vanish a few seconds after the delete. Paging and filtering,
  // which the user asks for, start afresh.
  document.addEventListener("htmx:before:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var list = document.getElementById("note-list");
    var source = event.target;
    if (!ctx || !list || ctx.target !== list || !(isPoll(source) || source.id === "note-form")) return;
    if (!ctx.response || ctx.response.status !== 200) return;
    if (ctx.askedAt !== undefined && ctx.askedAt < lastAnswered) {
      event.preventDefault();
      return;
    }
    var focused = document.activeElement;
    ctx.keptNotices = Array.prototype.map.call(list.querySelectorAll(".note-deleted"), function (notice) {
      var next = notice.nextElementSibling;
      var previous = notice.previousElementSibling;
      return {
        notice: notice,
        before: next && next.id,
        after: previous && previous.id,
        focused: notice.contains(focused) ? focused : null,
      };
    });
    // Taken out before the swap, so htmx's clean-up of the old list leaves their buttons working.
    ctx.keptNotices.forEach(function (entry) { entry.notice.remove(); });
  });

  // Put back after the swap, or into the old list if the swap did not happen.
  document.addEventListener("htmx:finally:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var entries = ctx && ctx.keptNotices;
    if (!entries || !entries.length) return;
    ctx.keptNotices = null;
    var items = document.getElementById("note-items");
    if (!items) return;
    // From the last: each goes before the note (or notice) that followed it, else after the one
    // before it, else to the top.
    entries.reverse().forEach(function (entry) {
      if (document.getElementById(entry.notice.id)) return; // restored meanwhile: the note is back
      var next = entry.before && document.getElementById(entry.before);
      var previous = entry.after && document.getElementById(entry.after);
      if (next && next.parentNode === items) next.before(entry.notice);
      else if (previous && previous.parentNode === items) previous.after(entry.notice);
      else items.insertBefore(entry.notice, items.querySelector(".note, .note-deleted"));
      if (entry.focused && entry.notice.contains(entry.focused)) entry.focused.focus({ preventScroll: true });
    });
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
    }
  });
})();
