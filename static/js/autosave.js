// Autosave (never lose a word of a journal section or a note) and the page's CSRF token.
//
// Markup (every page works without this script):
//   <form data-autosave …>, or <fieldset data-autosave> units of one form (the write mode):
//     data-autosave-key, -url     the draft key and its address (url_for in the template)
//     data-autosave-saved='{…}'   the saved values when the server put the draft back ("" if
//                                 not); its "Elvetés" button [data-autosave-discard] returns to them
//     data-autosave-compare       a newer draft from another device offers to submit the form
//     textarea name=body (or [data-autosave-body]); other named controls are its "fields" (under
//     their data-autosave-name); input name=version and name=draft (the stamp of the server draft
//     this editor wrote or restored); [data-autosave-status] in the unit or its form
//   data-autosave-texts='{…}' on the unit or its form: messages and the login address
//   (journal/drafts/views.py autosave_texts); <body data-user data-token-url hx-headers:inherited>;
//   <form data-clear-drafts> (logout) clears this browser's copies.
//
// Every change is copied to localStorage at once and PUT to the draft address 3 s after typing
// stops, on leaving the field and when the tab is hidden or closed; the copy goes once the
// server holds that text or a real save (htmx 2xx) went through. On opening, a copy that differs
// from the shown text is put back with "Elvetés" (undone by "Visszavonás"); the version it was
// based on comes back too, so a save over a newer version answers 409 with both texts. A newer
// draft from another device is never overwritten (409: offer both texts). An expired login (401)
// keeps the text, links to the login (new tab) and completes the save after it; an action
// refused for an expired CSRF token (journal/expiry.py) renews it and is sent once more; a lost
// connection retries until it is back; a server error keeps the editor.
(function () {
  "use strict";

  var UNITS = "[data-autosave]";
  var states = new WeakMap();
  var answered = {}; // key → status of a save answered with the editor again (409, 422)
  var resent = new WeakSet(); // forms sent again once with a renewed token
  var confirmed = new WeakSet(); // …whose user has already said yes to "Are you sure?"
  var loginTimer = null;
  var applying = false;

  function text(unit, name) {
    var holder = unit.closest("[data-autosave-texts]");
    return (holder && JSON.parse(holder.getAttribute("data-autosave-texts"))[name]) || "";
  }

  // --- The CSRF token, and the one way to renew it -------------------------------------------

  function bodyHeaders() {
    return JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}");
  }

  function call(url, method, data, keepalive) {
    var input = document.querySelector("input[name=csrf_token]");
    var token = bodyHeaders()["X-CSRFToken"] || (input ? input.value : "");
    var headers = { "HX-Request": "true", "X-CSRFToken": token, Accept: "application/json" };
    headers["Content-Type"] = "application/json";
    var options = { method: method, headers: headers, body: data, keepalive: !!keepalive };
    return fetch(url, Object.assign(options, { credentials: "same-origin", redirect: "manual" }));
  }

  // Resolve to 200 once renewed, to 401 (or another status) when logged out, to 0 offline.
  function renew() {
    return call(document.body.getAttribute("data-token-url"), "GET")
      .then(function (resp) {
        if (resp.status !== 200) return resp.status;
        return resp.json().then(function (data) {
          var headers = bodyHeaders();
          headers["X-CSRFToken"] = data.token;
          document.body.setAttribute("hx-headers:inherited", JSON.stringify(headers));
          document.querySelectorAll("input[name=csrf_token]").forEach(function (input) {
            input.value = data.token;
          });
          return 200;
        });
      })
      .catch(function () {
        return 0;
      });
  }

  // --- The copy in this browser ----------------------------------------------------------------

  function storeKey(unit) {
    var user = document.body.getAttribute("data-user") || "";
    return "muhely:draft:" + user + ":" + unit.getAttribute("data-autosave-key");
  }

  function readLocal(unit) {
    try {
      return JSON.parse(localStorage.getItem(storeKey(unit)));
    } catch (e) {
      return null;
    }
  }

  function writeLocal(unit, snap) {
    try {
      localStorage.setItem(storeKey(unit), JSON.stringify(snap || snapshot(unit)));
    } catch (e) {
      /* storage full or disabled: the server draft still works */
    }
  }

  function removeLocal(unit, onlyIfBody) {
    var entry = readLocal(unit);
    if (entry && (onlyIfBody === undefined || entry.body === onlyIfBody)) localStorage.removeItem(storeKey(unit));
  }

  // --- Reading and writing a unit ----------------------------------------------------------------

  function body(unit) {
    return unit.querySelector("[data-autosave-body]") || unit.querySelector("[name=body]");
  }

  function nameOf(el) {
    return el.getAttribute("data-autosave-name") || el.name;
  }

  function input(unit, name) {
    return unit.querySelector("input[name=" + name + "], input[data-autosave-name=" + name + "]");
  }

  function fields(unit) {
    return Array.prototype.filter.call(unit.elements, function (el) {
      return el.name && el !== body(unit) && !el.readOnly && !/^(hidden|submit|button|reset|file|password|image)$/.test(el.type);
    });
  }

  function snapshot(unit) {
    var values = {};
    var version = input(unit, "version");
    fields(unit).forEach(function (el) {
      if (el.type === "checkbox") values[nameOf(el)] = el.checked;
      else if (el.type !== "radio" || el.checked) values[nameOf(el)] = el.value;
    });
    return {
      body: body(unit).value,
      fields: values,
      base_version: version && /^\d+$/.test(version.value) ? parseInt(version.value, 10) : null,
      draft: input(unit, "draft").value,
    };
  }

  function apply(unit, snap) {
    var values = snap.fields || {};
    var version = input(unit, "version");
    body(unit).value = snap.body || "";
    fields(unit).forEach(function (el) {
      var value = values[nameOf(el)];
      if (!(nameOf(el) in values)) return;
      if (el.type === "checkbox") el.checked = !!value;
      else if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    });
    if (version && snap.base_version != null) version.value = snap.base_version;
    if (typeof snap.draft === "string") input(unit, "draft").value = snap.draft;
    applying = true; // journal.js reacts to a restored visibility; it is not typing
    unit.querySelectorAll("input[type=radio]:checked").forEach(function (el) {
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
    applying = false;
  }

  function canonical(snap) {
    // Key order differs between the server's JSON and the form: compare sorted pairs.
    var values = snap.fields || {};
    return JSON.stringify([snap.body].concat(Object.keys(values).sort().map(function (k) {
      return [k, values[k]];
    })));
  }

  // --- What the user is told -------------------------------------------------------------------

  function status(unit, message) {
    // A unit the page has replaced meanwhile (the write mode's save) speaks for nobody.
    var el = (unit.form || unit).querySelector("[data-autosave-status]");
    if (unit.isConnected && el) el.textContent = message;
  }

  function alert(unit, message, kind, before) {
    var box = unit.querySelector("[data-autosave-alert]");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.setAttribute("data-autosave-alert", "");
      var anchor = before || unit.querySelector(".actions");
      (anchor ? anchor.parentNode : unit).insertBefore(box, anchor);
    }
    box.className = "message autosave-alert message-" + (kind || "error");
    box.textContent = message;
    box.hidden = false;
    return box;
  }

  function clearAlert(unit) {
    var box = unit.querySelector("[data-autosave-alert]");
    if (box) box.hidden = true;
  }

  function notice(unit, message, label, onClick) {
    // Before the text's field: its button is never between the text and "Mentés".
    var button = document.createElement("button");
    var details = unit.closest("details"); // a folded new-note form opens to show it
    button.type = "button";
    button.className = "link-button";
    button.textContent = label;
    button.addEventListener("click", onClick);
    alert(unit, message + " ", "info", body(unit).closest(".field")).append(button);
    if (details) details.open = true;
    return button;
  }

  // --- Sending the draft -------------------------------------------------------------------------

  function state(unit) {
    if (!states.has(unit)) states.set(unit, {});
    return states.get(unit);
  }

  function schedule(unit, delay) {
    var st = state(unit);
    clearTimeout(st.timer);
    st.timer = setTimeout(function () {
      save(unit, {});
    }, delay);
  }

  function changed(unit, delay) {
    var st = state(unit);
    st.dirty = true;
    st.done = false;
    writeLocal(unit);
    if (st.blocked !== "login") schedule(unit, delay);
  }

  function save(unit, opts) {
    var st = state(unit);
    clearTimeout(st.timer);
    if (st.done || !st.dirty || ((st.blocked === "login" || st.blocked === "newer") && !opts.force)) return;
    if (st.inFlight) return void (st.again = true);
    var snap = snapshot(unit);
    writeLocal(unit, snap);
    st.inFlight = true;
    call(unit.getAttribute("data-autosave-url"), "PUT", JSON.stringify(snap), opts.keepalive && snap.body.length < 60000)
      .then(function (resp) {
        if (resp.ok) return resp.json().then(function (data) { stored(unit, snap, data); });
        if (resp.status === 401 || resp.type === "opaqueredirect") return waitForLogin(unit);
        if (resp.status === 400 && !st.renewed) {
          return renew().then(function (code) {
            st.renewed = st.again = code === 200;
            if (code === 401 || code === 0) waitForLogin(unit);
          });
        }
        if (resp.status === 409) {
          st.blocked = "newer";
          offerNewer(unit);
        } else if (/^(403|404|413)$/.test(resp.status)) {
          st.blocked = "denied";
          alert(unit, text(unit, resp.status === 413 ? "tooLong" : "denied"));
        } else retry(unit);
      })
      .catch(function () {
        retry(unit);
      })
      .finally(function () {
        st.inFlight = false;
        if (st.clearAfter) discardServer(unit);
        else if (st.again) schedule(unit, 0);
        st.clearAfter = st.again = false;
      });
  }

  function retry(unit) {
    state(unit).renewed = false;
    status(unit, text(unit, "local"));
    schedule(unit, 10000);
  }

  function stored(unit, snap, data) {
    var st = state(unit);
    var back = { login: "loginBack", offline: "onlineBack" }[st.blocked];
    // Also into an editor the server sent back meanwhile (the answer to a save sent while this
    // draft was on its way): it replaced this unit and must know the draft.
    input(unit, "draft").value = data.draft;
    document.querySelectorAll("[data-autosave-key=" + JSON.stringify(unit.getAttribute("data-autosave-key")) + "]").forEach(function (other) {
      input(other, "draft").value = data.draft;
    });
    removeLocal(unit, snap.body);
    if (canonical(snapshot(unit)) === canonical(snap)) st.dirty = false;
    if (back) alert(unit, text(unit, back), "success");
    else if (st.blocked) clearAlert(unit);
    st.blocked = st.renewed = null;
    status(unit, data.text);
  }

  function discardServer(unit) {
    if (state(unit).inFlight) return void (state(unit).clearAfter = true);
    var url = unit.getAttribute("data-autosave-url") + "?draft=" + encodeURIComponent(input(unit, "draft").value);
    call(url, "DELETE").catch(function () {
      /* a leftover draft of the saved text is not offered on opening */
    });
  }

  // An expired login: the units wait (checked every 5 s and when the tab is back), then save.
  function waitForLogin(unit) {
    var box = alert(unit, text(unit, "login"));
    var link = document.createElement("a");
    state(unit).blocked = "login";
    link.href = text(unit, "loginUrl") + "?next=" + encodeURIComponent(location.pathname + location.search);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = text(unit, "loginLink");
    box.append(link, text(unit, "loginAfter"));
    loginTimer = loginTimer || setInterval(checkLogin, 5000);
  }

  function checkLogin() {
    if (!loginTimer) return;
    renew().then(function (code) {
      if (code !== 200 || !loginTimer) return;
      clearInterval(loginTimer);
      loginTimer = null;
      document.querySelectorAll(UNITS).forEach(function (unit) {
        var st = state(unit);
        if (st.blocked !== "login") return;
        st.dirty = true;
        save(unit, { force: true });
        if (st.pendingSubmit) unit.requestSubmit();
        st.pendingSubmit = false;
      });
    });
  }

  // --- Opening an editor ---------------------------------------------------------------------------

  function offerDiscard(unit, original) {
    // Say so when more than the text came back: a restored "who can read it" must be seen.
    var settings = canonical({ fields: snapshot(unit).fields }) !== canonical({ fields: original.fields });
    notice(unit, text(unit, settings ? "restoredSettings" : "restored"), text(unit, "discard"), discarder(unit, original));
  }

  function discarder(unit, original) {
    return function () {
      // Nothing is asked: what is thrown away stays here for "Visszavonás" until the page goes.
      var st = state(unit);
      var discarded = snapshot(unit);
      clearTimeout(st.timer);
      st.dirty = false;
      discardServer(unit);
      apply(unit, original);
      removeLocal(unit);
      status(unit, ""); // "Piszkozat mentve" spoke of the text just thrown away
      notice(unit, text(unit, "discarded"), text(unit, "undo"), function () {
        apply(unit, discarded);
        changed(unit, 0);
        offerDiscard(unit, original);
        body(unit).focus();
      }).focus();
    };
  }

  function offerNewer(unit) {
    // Its button submits the editor: the server answers 409 with both texts, saving nothing.
    if (!unit.hasAttribute("data-autosave-compare")) return alert(unit, text(unit, "newer"), "info");
    notice(unit, text(unit, "newer"), text(unit, "compare"), function () {
      unit.requestSubmit();
    });
  }

  function init(unit) {
    if (states.has(unit)) return;
    var key = unit.getAttribute("data-autosave-key");
    var original = JSON.parse(unit.getAttribute("data-autosave-saved") || '""') || snapshot(unit);
    var local = readLocal(unit);
    var discard = unit.querySelector("[data-autosave-discard]");
    state(unit);
    if (answered[key]) {
      // The answer to this editor's own save (errors, a conflict) holds the user's text: the
      // copy follows it, and so does the draft after errors (after a conflict the server draft
      // may hold the other text shown beside it: it is replaced only once the user types).
      writeLocal(unit);
      if (answered[key] !== 409) changed(unit, 0);
      delete answered[key];
    } else if (local && canonical(local) !== canonical(snapshot(unit))) {
      apply(unit, local);
      offerDiscard(unit, original);
      changed(unit, 0);
    } else {
      if (local) removeLocal(unit);
      if (discard) discard.addEventListener("click", discarder(unit, original));
    }
  }

  function initAll() {
    document.querySelectorAll(UNITS).forEach(init);
  }

  // --- Events (delegated, so swapped-in editors need nothing) --------------------------------------

  function unitOf(el) {
    return el && el.closest ? el.closest(UNITS) : null;
  }

  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (event) {
      var unit = unitOf(event.target);
      if (!unit || applying) return;
      init(unit);
      changed(unit, 3000);
    });
  });
  document.addEventListener("focusin", function (event) {
    if (unitOf(event.target)) init(unitOf(event.target));
  });
  document.addEventListener("focusout", function (event) {
    var unit = unitOf(event.target);
    if (unit && state(unit).dirty) save(unit, {});
  });

  function flushAll(keepalive) {
    document.querySelectorAll(UNITS).forEach(function (unit) {
      if (state(unit).dirty) save(unit, { keepalive: keepalive });
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushAll(true);
    else checkLogin();
  });
  window.addEventListener("pagehide", function () {
    flushAll(true);
  });
  window.addEventListener("focus", checkLogin);
  window.addEventListener("online", function () {
    flushAll(false);
  });

  document.addEventListener(
    "submit",
    function (event) {
      var unit = unitOf(event.target);
      if (event.target.matches("form[data-clear-drafts]")) {
        Object.keys(localStorage).forEach(function (key) {
          if (key.indexOf("muhely:draft:") === 0) localStorage.removeItem(key);
        });
      } else if (unit) {
        clearTimeout(state(unit).timer);
        writeLocal(unit);
      }
    },
    true
  );

  // --- Answers to real saves (htmx) ---------------------------------------------------------------

  // The write mode: one form whose fieldsets are the units.
  function unitsIn(ctx) {
    var source = ctx && ctx.sourceElement;
    if (!source || !source.matches || source.matches(UNITS)) return [];
    return Array.prototype.slice.call(source.querySelectorAll(UNITS));
  }

  function unitSaving(ctx) {
    var source = ctx && ctx.sourceElement;
    return source && source.matches && source.matches("form" + UNITS) ? source : null;
  }

  // What each unit held when the save was sent: words typed while it was on its way must
  // survive the swap (the new unit puts them back from the local copy, with its notice).
  document.addEventListener("htmx:before:request", function (event) {
    unitsIn(event.detail.ctx).forEach(function (unit) {
      state(unit).sent = body(unit).value;
    });
  });

  function afterUnits(units, ok) {
    units.forEach(function (unit) {
      var st = state(unit);
      var typedSince = body(unit).value !== st.sent;
      var snap = snapshot(unit);
      clearTimeout(st.timer);
      if (ok && !typedSince) {
        st.dirty = false;
        st.done = true;
        removeLocal(unit);
      } else if (st.dirty || typedSince) {
        if (ok) snap.base_version = null; // the save went through: keep the new version
        st.dirty = true;
        writeLocal(unit, snap);
        if (!ok) schedule(unit, 2000);
      }
    });
  }

  // A form sent again after its token was renewed does not ask "Are you sure?" a second time.
  document.addEventListener("htmx:confirm", function (event) {
    if (!confirmed.delete(event.target)) return;
    event.preventDefault();
    event.detail.issueRequest();
  });

  function resend(form, submitter, unit) {
    renew().then(function (code) {
      if (code === 200 && form.isConnected) {
        resent.add(form);
        confirmed.add(form);
        if (submitter && submitter.isConnected && submitter.form === form) form.requestSubmit(submitter);
        else form.requestSubmit();
      } else if (unit && (code === 401 || code === 0)) {
        state(unit).pendingSubmit = true;
        waitForLogin(unit);
      }
    });
  }

  document.addEventListener("htmx:after:request", function (event) {
    var ctx = event.detail.ctx;
    var code = ctx.response.status;
    var form = ctx.request.form;
    var unit = unitSaving(ctx);
    var st = unit && state(unit);
    // An expired token (the message stays in view): renewed, and the form sent once more.
    var expired = code === 400 && form && ctx.response.headers.get("X-CSRF-Expired") && !resent.delete(form);
    if (expired) resend(form, ctx.request.submitter, unit);
    else if (form && code < 400) resent.delete(form);
    if (code !== 409 && code !== 422) afterUnits(unitsIn(ctx), code < 300);
    if (!unit || expired) return;
    if (code < 300) {
      // The save removed the server draft: the copy goes, and so does any notice about it (a
      // draft write still on its way is removed after it).
      clearTimeout(st.timer);
      st.dirty = false;
      st.done = true;
      st.clearAfter = st.inFlight;
      removeLocal(unit);
      input(unit, "draft").value = "";
      clearAlert(unit);
    } else if (code === 401) {
      event.preventDefault(); // the editor and its text stay; the login link is beside them
      st.dirty = st.pendingSubmit = true;
      waitForLogin(unit);
    } else if (code === 409 || code === 422) {
      answered[unit.getAttribute("data-autosave-key")] = code; // the new editor holds the text
    } else {
      // Not saved: the text goes to the server draft; an error page never replaces the editor.
      if (code >= 500 && !ctx.response.headers.get("HX-Retarget")) event.preventDefault();
      if (code >= 500) alert(unit, text(unit, "server"));
      changed(unit, 0);
    }
  });

  document.addEventListener("htmx:error", function (event) {
    var ctx = event.detail.ctx;
    var unit = unitSaving(ctx);
    var units = unitsIn(ctx);
    var box = units.length && ctx.sourceElement.querySelector("[data-write-alert]");
    if (unit) {
      // Only a lost connection: its red box gives way once it is back and the draft saved.
      if (!navigator.onLine) state(unit).blocked = "offline";
      alert(unit, text(unit, "offline"));
      changed(unit, 2000);
    }
    afterUnits(units, false);
    if (box) {
      box.textContent = text(units[0], "offline"); // stays until the next save's answer
      box.hidden = false;
    }
  });

  ["htmx:after:swap", "htmx:after:settle", "htmx:after:process"].forEach(function (name) {
    document.addEventListener(name, initAll);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();
