// The message area (#messages): what an action answers replaces what an earlier one said (but
// a one-time link), and a message that arrives while the area is scrolled out of sight floats
// at the bottom of the screen, where the user is looking (a refused "Send" far down a page must
// not look like nothing happened), until tapped, closed with its button or dismissed with
// Escape. The close button sits outside the live region, so it is not read out as part of the
// message; closing gives focus back to where it was.
(function () {
  "use strict";

  var closer = null; // the close button, next to #messages
  var returnTo = null; // what had focus before the close button

  function area() {
    return document.getElementById("messages");
  }

  function inSight(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  function float(messages, on) {
    messages.classList.toggle("messages-floating", on);
    if (closer) closer.hidden = !on;
  }

  // A one-time link stays: it is shown once and cannot be shown again (an answer that makes it
  // invalid replaces it itself, e.g. disabling the account).
  function clear(messages) {
    var hadFocus = closer && document.activeElement === closer;
    float(messages, false);
    messages.querySelectorAll(".message:not(.message-link)").forEach(function (message) {
      message.remove();
    });
    if (hadFocus && returnTo && returnTo.isConnected) returnTo.focus({ preventScroll: true });
  }

  // A new action (not a read or a poll): the outcome of the last one no longer applies.
  document.addEventListener("htmx:before:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var method = ctx && ctx.request && ctx.request.method;
    var messages = area();
    if (messages && method && method.toUpperCase() !== "GET") clear(messages);
  });

  function makeCloser(messages) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "messages-close";
    button.hidden = true;
    button.textContent = "\u00d7";
    button.setAttribute("aria-label", messages.getAttribute("data-close-label") || "Bezárás");
    button.addEventListener("focus", function (event) {
      returnTo = event.relatedTarget;
    });
    button.addEventListener("click", function () {
      clear(messages);
    });
    messages.after(button);
    return button;
  }

  function arrived(records) {
    return records.some(function (record) {
      return Array.prototype.some.call(record.addedNodes, function (node) {
        return node.nodeType === 1 && node.classList.contains("message");
      });
    });
  }

  function watch() {
    var messages = area();
    if (!messages) return;
    closer = makeCloser(messages);
    new MutationObserver(function (records) {
      if (!messages.querySelector(".message")) float(messages, false);
      // Only a message that has just arrived floats: one the user closed stays where it is.
      else if (arrived(records) && !messages.classList.contains("messages-floating") && !inSight(messages)) {
        float(messages, true);
      }
    }).observe(messages, { childList: true });
    // A floating message goes away when tapped (its text has been read).
    messages.addEventListener("click", function () {
      if (messages.classList.contains("messages-floating")) clear(messages);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || event.defaultPrevented || event.isComposing) return;
      if (messages.classList.contains("messages-floating")) clear(messages);
    });
  }

  // A choice the browser shows before the server answers (an attendance radio) goes back to
  // what the server rendered when the request fails: a status not recorded must not look
  // recorded. An expired token is the exception: autosave.js sends the same choice again.
  function resetFailed(event, response) {
    var form = event.detail && event.detail.ctx && event.detail.ctx.sourceElement;
    if (!form || !form.matches || !form.matches("form[data-reset-on-error]")) return;
    if (response && response.status < 400) return;
    if (response && response.status === 400 && response.headers.get("X-CSRF-Expired")) return;
    form.reset();
  }

  document.addEventListener("htmx:after:request", function (event) {
    resetFailed(event, event.detail.ctx && event.detail.ctx.response);
  });
  document.addEventListener("htmx:error", function (event) {
    resetFailed(event, null);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
