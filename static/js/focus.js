// Keyboard focus survives an htmx swap. A button is disabled while its request runs, which drops
// focus to the page, and the swap replaces the button anyway: without this, the next Tab starts
// again from the top. The control that had focus is focused again in the new content when it is
// there under the same id (an attendance button, a "Nálam is" in a list its poll refreshed); when
// an action removed it (a deleted guest), focus goes to the heading of the region replaced. Reads
// and polls only put back a control that is there again; they never move focus elsewhere.
(() => {
  // Kept on the request's own context: a request that ends without a swap leaves nothing behind.
  document.addEventListener("htmx:config:request", (event) => {
    const ctx = event.detail.ctx;
    const focused = document.activeElement;
    const target = ctx.target instanceof Element ? ctx.target : null;
    if (!focused || focused === document.body || ![event.target, target].some((elt) => elt?.contains?.(focused))) return;
    const action = (ctx.request.method || "GET").toUpperCase() !== "GET";
    ctx.focusReturn = { id: focused.id, region: target?.id, action };
  });

  document.addEventListener("htmx:after:swap", (event) => {
    const wanted = event.detail.ctx?.focusReturn;
    const current = document.activeElement;
    if (!wanted) return;
    event.detail.ctx.focusReturn = null;
    if (current && current !== document.body && current.isConnected) return; // focus is somewhere
    const again = wanted.id && document.getElementById(wanted.id);
    const region = wanted.action && wanted.region && document.getElementById(wanted.region);
    if (again && !again.disabled) return again.focus({ preventScroll: true });
    if (!region) return;
    const heading = region.querySelector("h1, h2, h3") || region;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  });
})();
