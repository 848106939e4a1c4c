// The message area (#messages): what an action answers replaces what an earlier one said (but a
// one-time link), and a message that arrives while the area is out of sight floats at the bottom
// of the screen, where the user is looking (a refused "Send" far down a page must not look like
// nothing happened), until tapped, closed with its button (outside the live region, so it is not
// read out; base.html) or dismissed with Escape; closing gives focus back to where it was.
(() => {
  // A choice the browser shows before the server answers (an attendance radio) goes back to what
  // the server rendered when the request fails: a status not recorded must not look recorded.
  const resetFailed = ({ detail: { ctx } }) =>
    ctx?.sourceElement?.matches?.("form[data-reset-on-error]") &&
    !(ctx.response?.status < 400) &&
    ctx.sourceElement.reset();
  document.addEventListener("htmx:after:request", resetFailed);
  document.addEventListener("htmx:error", resetFailed);

  const messages = document.getElementById("messages");
  const closer = document.querySelector("[data-messages-close]");
  if (!messages || !closer) return;
  let returnTo = null; // what had focus before the close button
  const floating = () => messages.classList.contains("messages-floating");
  const float = (on) => {
    messages.classList.toggle("messages-floating", on);
    closer.hidden = !on;
  };
  // A one-time link stays: it is shown once and cannot be shown again (an answer that makes it
  // invalid replaces it itself, e.g. disabling the account).
  const clear = () => {
    const hadFocus = document.activeElement === closer;
    float(false);
    messages.querySelectorAll(".message:not(.message-link)").forEach((message) => message.remove());
    if (hadFocus && returnTo?.isConnected) returnTo.focus({ preventScroll: true });
  };
  // A new action (not a read or a poll): the outcome of the last one no longer applies.
  document.addEventListener("htmx:before:request", ({ detail: { ctx } }) => {
    if ((ctx?.request?.method || "GET").toUpperCase() !== "GET") clear();
  });
  closer.addEventListener("focus", (event) => (returnTo = event.relatedTarget));
  closer.addEventListener("click", clear);
  // Only a message that has just arrived floats: one the user closed stays where it is.
  new MutationObserver((records) => {
    const box = messages.getBoundingClientRect();
    const arrived = records.some((record) =>
      [...record.addedNodes].some((node) => node.classList?.contains("message")),
    );
    if (!messages.querySelector(".message")) float(false);
    else if (arrived && !floating() && (box.bottom <= 0 || box.top >= window.innerHeight))
      float(true);
  }).observe(messages, { childList: true });
  // A floating message goes away when tapped (its text has been read) or with Escape.
  messages.addEventListener("click", () => floating() && clear());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && !event.isComposing && floating())
      clear();
  });
})();
