// Keyboard focus survives an htmx swap. A button is disabled while its request runs, which
// drops focus to the page, and the swap replaces the button anyway: without this, the next Tab
// starts again from the top ("Ugrás a tartalomra"). The control that had focus is focused again
// in the new content when it is there under the same id (an attendance button); when an action
// removed it (a deleted guest), focus goes to the heading of the region that was replaced.
// Reads and polls only put back a control that is there again; they never move focus elsewhere.
(function () {
  "use strict";

  var pending = null;

  document.addEventListener("htmx:config:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var focused = document.activeElement;
    var source = event.target;
    if (!ctx || !focused || focused === document.body || !source.contains || !source.contains(focused)) {
      return;
    }
    var target = ctx.target instanceof Element ? ctx.target : null;
    pending = {
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

  document.addEventListener("htmx:after:swap", function () {
    var wanted = pending;
    pending = null;
    if (!wanted) return;
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
