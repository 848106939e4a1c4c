// Keyboard focus survives an htmx swap. A button is disabled while its request runs, which
// drops focus to the page, and the swap replaces the button anyway: without this, the next Tab
// starts again from the top ("Ugrás a tartalomra"). The control that had focus is focused again
// in the new content when it is there under the same id (an attendance button, a "Nálam is" in a
// list its poll refreshed: focus in what asked or in what is replaced); when an action
// removed it (a deleted guest), focus goes to the heading of the region that was replaced.
// Reads and polls only put back a control that is there again; they never move focus elsewhere.
(function () {
  "use strict";

  // Kept on the request's own context, so a request that ends without a swap (204, an error)
  // leaves nothing behind for a later, unrelated swap.
  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var focused = document.activeElement;
    var source = event.target;
    var target = ctx && ctx.target instanceof Element ? ctx.target : null;
    var within = [source, target].some(function (elt) { return elt && elt.contains && elt.contains(focused); });
    if (!ctx || !focused || focused === document.body || !within) return;
    ctx.focusReturn = {
      id: focused.id || null,
      region: target && target.id ? target.id : null,
      action: (ctx.request.method || "GET").toUpperCase() !== "GET",
    };
  });

  function headingOf(region) {
    var heading = region.querySelector("h1, h2, h3") || region;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    return heading;
  }

  document.addEventListener("htmx:after:swap", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var wanted = ctx && ctx.focusReturn;
    if (!wanted) return;
    ctx.focusReturn = null;
    var current = document.activeElement;
    if (current && current !== document.body && current.isConnected) return; // focus is somewhere
    var again = wanted.id && document.getElementById(wanted.id);
    if (again && !again.disabled) {
      again.focus({ preventScroll: true });
    } else if (wanted.action && wanted.region && document.getElementById(wanted.region)) {
      headingOf(document.getElementById(wanted.region)).focus({ preventScroll: true });
    }
  });
})();
