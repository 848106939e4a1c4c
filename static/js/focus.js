// Keyboard focus survives an htmx swap (a button disabled in flight drops it to the page, and
// the swap replaces the button): the control that had focus is focused again when the new content
// has it under the same id; when an action removed it (a deleted guest), the heading of the region
// replaced gets it. Reads and polls only put back a control that is there again.
(() => {
  // Kept on the request's own context: a request that ends without a swap leaves nothing behind.
  document.addEventListener("htmx:config:request", (event) => {
    const ctx = event.detail.ctx;
    const focused = document.activeElement;
    const target = ctx.target instanceof Element ? ctx.target : null;
    const inside = [event.target, target].some((elt) => elt?.contains?.(focused));
    if (!focused || focused === document.body || !inside) return;
    const action = (ctx.request.method || "GET").toUpperCase() !== "GET";
    ctx.focusReturn = { id: focused.id, region: target?.id, action };
  });
  document.addEventListener("htmx:after:swap", (event) => {
    const wanted = event.detail.ctx?.focusReturn;
    if (!wanted) return;
    event.detail.ctx.focusReturn = null;
    if (document.activeElement !== document.body && document.activeElement?.isConnected) return; // focus is somewhere
    const again = wanted.id && document.getElementById(wanted.id);
    const region = wanted.action && wanted.region && document.getElementById(wanted.region);
    if (again && !again.disabled) return again.focus({ preventScroll: true });
    if (!region) return;
    const heading = region.querySelector("h1, h2, h3") || region;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  });
})();
