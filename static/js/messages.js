// The message area (#messages): what an action answers replaces what an earlier one said (but
// a one-time link), and
// a message that arrives while the area is scrolled out of sight floats at the bottom of the
// screen, where the user is looking (a refused "Send" far down a page must not look like
// nothing happened).
(function () {
  "use strict";

  function area() {
    return document.getElementById("messages");
  }

  function inSight(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  // A one-time link stays: it is shown once and cannot be shown again (an answer that makes it
  // invalid replaces it itself, e.g. disabling the account).
  function clear(messages) {
    messages.classList.remove("messages-floating");
    messages.querySelectorAll(".message:not(.message-link)").forEach(function (message) {
      message.remove();
    });
  }

  // A new action (not a read or a poll): the outcome of the last one no longer applies.
  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var method = ctx && ctx.request && ctx.request.method;
    var messages = area();
    if (messages && method && method.toUpperCase() !== "GET") clear(messages);
  });

  function watch() {
    var messages = area();
    if (!messages) return;
    new MutationObserver(function () {
      if (!messages.firstElementChild) {
        messages.classList.remove("messages-floating");
      } else if (!messages.classList.contains("messages-floating") && !inSight(messages)) {
        messages.classList.add("messages-floating");
      }
    }).observe(messages, { childList: true });
    // A floating message goes away when tapped (its text has been read).
    messages.addEventListener("click", function () {
      if (messages.classList.contains("messages-floating")) clear(messages);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
