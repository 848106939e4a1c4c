// The page's CSRF token, in one place: read it, renew it from the server (after a new login it
// changes), and send an htmx action refused for an expired token once more with a fresh one.
// autosave.js uses the same functions for its drafts and saves.
//
// An action answered 400 with "X-CSRF-Expired" (journal/errors.py) keeps its message on screen;
// when the user is logged in, the token is renewed and the same form is sent again at once
// (which clears the message). When the login itself has expired, the message says to log in
// again in a new tab and press the button again: that press is refused once more (the page's
// token is from the old session), the token is renewed, and the action goes through.
(function () {
  "use strict";

  function token() {
    var raw = document.body && document.body.getAttribute("hx-headers:inherited");
    if (raw) {
      try {
        var value = JSON.parse(raw)["X-CSRFToken"];
        if (value) return value;
      } catch (e) {
        /* fall through to a form field */
      }
    }
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function set(value) {
    var body = document.body;
    var headers = {};
    try {
      headers = JSON.parse(body.getAttribute("hx-headers:inherited") || "{}");
    } catch (e) {
      headers = {};
    }
    headers["X-CSRFToken"] = value;
    body.setAttribute("hx-headers:inherited", JSON.stringify(headers));
    document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
      input.value = value;
    });
  }

  // Resolve to the HTTP status of the renewal (200 when the token was renewed; 0 offline).
  function refresh() {
    var headers = { "HX-Request": "true", "X-CSRFToken": token(), Accept: "application/json" };
    var url = document.body.getAttribute("data-token-url");
    return fetch(url, { headers: headers, credentials: "same-origin", redirect: "manual" })
      .then(function (resp) {
        if (resp.status !== 200) return resp.status;
        return resp.json().then(function (data) {
          set(data.token);
          return 200;
        });
      })
      .catch(function () {
        return 0;
      });
  }

  window.muhelyCsrf = { token: token, set: set, refresh: refresh };

  var resent = new WeakSet(); // forms sent again once for an expired token
  var confirmed = new WeakSet(); // forms being sent again: the user has already said yes

  // A form sent again after its token was renewed does not ask "Are you sure?" a second time.
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target;
    if (!confirmed.has(form)) return;
    confirmed.delete(form);
    event.preventDefault();
    event.detail.issueRequest();
  });

  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail && event.detail.ctx;
    var response = ctx && ctx.response;
    var form = ctx && ctx.request && ctx.request.form;
    if (!response || !form || form.hasAttribute("data-autosave")) return;
    if (response.status !== 400 || !response.headers.get("X-CSRF-Expired")) {
      if (response.status < 400) resent.delete(form);
      return;
    }
    if (resent.has(form)) {
      resent.delete(form); // refused again: the message stays; a later press may try again
      return;
    }
    var submitter = ctx.request.submitter;
    refresh().then(function (status) {
      if (status !== 200 || !form.isConnected || !form.requestSubmit) return;
      resent.add(form);
      confirmed.add(form);
      if (submitter && submitter.isConnected && submitter.form === form) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  });
})();
