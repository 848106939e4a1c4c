// The message area (#messages): what an action answers replaces what an earlier one said (but
// a one-time link), and a message that arrives while the area is scrolled out of sight floats
// at the bottom of the screen, where the user is looking (a refused "Send" far down a page must
// not look like nothing happened), until tapped, closed or dismissed with Escape.
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
    var button = messages.querySelector(".messages-close");
    if (button) button.remove();
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

  // A floating message has a close button (and Escape) besides a tap anywhere on it.
  function closeButton(messages) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "messages-close";
    button.textContent = "\u00d7";
    button.setAttribute("aria-label", messages.getAttribute("data-close-label") || "Bezárás");
    return button;
  }

  function watch() {
    var messages = area();
    if (!messages) return;
    new MutationObserver(function () {
      var floating = messages.classList.contains("messages-floating");
      if (!messages.querySelector(".message")) {
        floating = false;
      } else if (!floating && !inSight(messages)) {
        floating = true;
      }
      messages.classList.toggle("messages-floating", floating);
      var button = messages.querySelector(".messages-close");
      if (floating && !button) messages.appendChild(closeButton(messages));
      if (!floating && button) button.remove();
    }).observe(messages, { childList: true });
    // A floating message goes away when tapped (its text has been read).
    messages.addEventListener("click", function () {
      if (messages.classList.contains("messages-floating")) clear(messages);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && messages.classList.contains("messages-floating")) {
        clear(messages);
      }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
