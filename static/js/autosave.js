// Autosave: never lose a word of a journal section or a note being written.
//
// Markup contract (any form; the page must work without this script):
//
//   <form data-autosave                      opt in (or a <fieldset data-autosave> inside a form
//                                            that holds several: the journal's write mode)
//         data-autosave-key="section:12"     the draft key (registered kind, see journal/drafts)
//         data-autosave-url="/drafts/…"      where the draft is kept (url_for in the template)
//         data-autosave-version="3">         optional; the version the text started from
//                                            (an <input name="version"> wins if present)
//     <textarea name="body">                 the main text (or mark another with data-autosave-body)
//     other named controls                   kept as "fields" (not hidden inputs, buttons,
//                                            passwords, files, read-only or [data-autosave-skip]),
//                                            under their data-autosave-name if they have one
//     <input type=hidden name="version"        or data-autosave-name="version": the base version
//     <span data-autosave-status></span>     optional; the quiet "Piszkozat mentve 14:32" indicator
//                                            (created before .actions or at the end if missing;
//                                            data-autosave-status-in="ID" on the unit names one
//                                            shared by several units)
//     <input type=hidden name=draft>         the stamp of the server draft this editor wrote or
//                                            restored (created if missing); a save or a draft
//                                            write replaces only that draft (journal/drafts)
//   </form>
//   data-autosave-texts='{…}'                every message and the login address, in the user's
//                                            language (journal/drafts/views.py autosave_texts)
//   data-autosave-compare                    a newer draft from another device offers a button
//                                            that submits the form: the server answers 409 with
//                                            both texts
//   <form data-clear-drafts …>               a logout form: this browser's copies are cleared
//   <body data-user="7">                     copies in localStorage are kept per user
//
// What happens: every change is copied to localStorage at once and sent to PUT <url> about
// 3 s after typing stops, when the field is left, and when the tab is hidden or closed. The
// local copy is removed as soon as the server confirms that text. On opening an editor, a
// local copy (or else the server draft, unless the server already put it back) that differs
// from the shown text is put back, with a notice and a button to throw it away (and one to
// undo that); the hidden `version` is set to the one the copy was based on, so a save over a
// newer version answers 409 with both texts instead of overwriting. A draft written meanwhile
// by another device is never overwritten: its 409 offers to show both texts. An expired login (401) or CSRF token (400) keeps the text, shows a message
// with a login link (new tab), and completes the save once the login is back; network errors
// retry when the connection returns. A successful real save (htmx 2xx) clears the local copy
// (the server removed the draft it superseded).
(function () {
  "use strict";

  var PREFIX = "muhely:draft:";
  var DELAY = 3000;
  var RETRY = 10000;
  var states = new WeakMap();
  var loginWaiting = false;
  var loginTimer = null;
  var applying = false;
  var answered = {}; // keys whose editor came back from a 409/422: it already holds the text

  // --- Storage ------------------------------------------------------------------------------

  function text(form, name) {
    try {
      // On the unit or on a form around several units (the journal's write mode).
      var holder = form.closest("[data-autosave-texts]") || form;
      return JSON.parse(holder.getAttribute("data-autosave-texts") || "{}")[name] || "";
    } catch (e) {
      return "";
    }
  }

  function stampInput(form) {
    var input = form.querySelector("input[name=draft], input[data-autosave-name=draft]");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "draft";
      form.appendChild(input);
    }
    return input;
  }

  function setStamp(form, value) {
    // Also into the editor the server sent back meanwhile (a 409 or 422 answer to a save sent
    // while this draft write was in flight): it replaced this form and must know the draft.
    var key = JSON.stringify(form.getAttribute("data-autosave-key"));
    stampInput(form).value = value;
    document.querySelectorAll("[data-autosave-key=" + key + "]").forEach(function (other) {
      stampInput(other).value = value;
    });
  }

  function user() {
    return (document.body && document.body.getAttribute("data-user")) || "";
  }

  function storeKey(form) {
    return PREFIX + user() + ":" + form.getAttribute("data-autosave-key");
  }

  function readLocal(form) {
    try {
      var raw = window.localStorage.getItem(storeKey(form));
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  }

  function writeLocal(form, snap) {
    try {
      window.localStorage.setItem(storeKey(form), JSON.stringify(snap));
    } catch (e) {
      /* storage full or disabled: the server draft still works */
    }
  }

  function removeLocal(form, onlyIfBody) {
    try {
      var entry = readLocal(form);
      if (entry && (onlyIfBody === undefined || entry.body === onlyIfBody)) {
        window.localStorage.removeItem(storeKey(form));
      }
    } catch (e) {
      /* nothing to remove */
    }
  }

  function clearAllLocal() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var k = window.localStorage.key(i);
        if (k && k.indexOf(PREFIX) === 0) window.localStorage.removeItem(k);
      }
    } catch (e) {
      /* storage disabled */
    }
  }

  // --- Reading and writing the form -----------------------------------------------------------

  function bodyControl(form) {
    return form.querySelector("[data-autosave-body]") || form.querySelector("[name=body]");
  }

  function nameOf(el) {
    return el.getAttribute("data-autosave-name") || el.name;
  }

  function versionInput(form) {
    return form.querySelector("input[name=version], input[data-autosave-name=version]");
  }

  function fieldControls(form) {
    var body = bodyControl(form);
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el === body || el.name === "csrf_token" || nameOf(el) === "version") return false;
      if (el.hasAttribute("data-autosave-skip") || el.readOnly) return false;
      return !/^(hidden|submit|button|reset|file|password|image)$/.test(el.type);
    });
  }

  function versionOf(form) {
    var input = versionInput(form);
    var value = input ? input.value : form.getAttribute("data-autosave-version");
    return value && /^\d+$/.test(value) ? parseInt(value, 10) : null;
  }

  function snapshot(form) {
    var fields = {};
    fieldControls(form).forEach(function (el) {
      var name = nameOf(el);
      if (el.type === "checkbox") fields[name] = el.checked;
      else if (el.type === "radio") {
        if (el.checked) fields[name] = el.value;
      } else fields[name] = el.value;
    });
    var body = bodyControl(form);
    return {
      body: body ? body.value : "",
      fields: fields,
      base_version: versionOf(form),
      draft: stampInput(form).value,
      t: Date.now(),
    };
  }

  function apply(form, snap) {
    var body = bodyControl(form);
    if (body) body.value = snap.body || "";
    var fields = snap.fields || {};
    fieldControls(form).forEach(function (el) {
      var name = nameOf(el);
      if (!(name in fields)) return;
      if (el.type === "checkbox") el.checked = !!fields[name];
      else if (el.type === "radio") el.checked = el.value === fields[name];
      else el.value = fields[name];
    });
    var input = versionInput(form);
    if (input && snap.base_version != null) input.value = String(snap.base_version);
    if (typeof snap.draft === "string") stampInput(form).value = snap.draft;
    // Let other scripts (e.g. the private/report rule) react to restored values.
    applying = true;
    try {
      fieldControls(form).forEach(function (el) {
        if (el.type === "radio" && el.checked) el.dispatchEvent(new Event("change", { bubbles: true }));
      });
    } finally {
      applying = false;
    }
  }

  function canonical(fields) {
    // Key order differs between the server's JSON and the form: compare sorted pairs.
    fields = fields || {};
    return JSON.stringify(
      Object.keys(fields)
        .sort()
        .map(function (k) {
          return [k, fields[k]];
        })
    );
  }

  function same(a, b) {
    return a.body === b.body && canonical(a.fields) === canonical(b.fields);
  }

  // --- Messages --------------------------------------------------------------------------------

  function statusEl(form) {
    var shared = form.getAttribute("data-autosave-status-in");
    var el = shared ? document.getElementById(shared) : form.querySelector("[data-autosave-status]");
    if (el) return el;
    el = document.createElement("span");
    el.className = "autosave-status";
    el.setAttribute("aria-live", "polite");
    el.setAttribute("data-autosave-status", "");
    var actions = form.querySelector(".actions");
    (actions || form).appendChild(el);
    return el;
  }

  function quiet(form, message) {
    // An answer for a unit the page has replaced meanwhile (the write mode's save) must not
    // overwrite the status line the new units share.
    if (!form.isConnected) return;
    var el = statusEl(form);
    el.textContent = message;
  }

  function alertBox(form, before) {
    var box = form.querySelector("[data-autosave-alert]");
    if (box) return box;
    box = document.createElement("div");
    box.className = "message message-error autosave-alert";
    box.setAttribute("role", "alert");
    box.setAttribute("data-autosave-alert", "");
    var anchor = before || form.querySelector(".actions");
    (anchor ? anchor.parentNode : form).insertBefore(box, anchor);
    return box;
  }

  function alert(form, message, kind, before) {
    var box = alertBox(form, before);
    box.className = "message autosave-alert message-" + (kind || "error");
    box.textContent = message;
    box.hidden = false;
    return box;
  }

  function clearAlert(form) {
    var box = form.querySelector("[data-autosave-alert]");
    if (box) {
      box.hidden = true;
      box.textContent = "";
    }
  }

  function loginAlert(form) {
    var box = alert(form, text(form, "login"), "error");
    var link = document.createElement("a");
    link.href = text(form, "loginUrl") + "?next=" + encodeURIComponent(location.pathname + location.search);
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = text(form, "loginLink");
    box.appendChild(link);
    box.appendChild(document.createTextNode(text(form, "loginAfter")));
  }

  // --- Talking to the server ---------------------------------------------------------------------

  // The page's CSRF token and its renewal: static/js/csrf.js.
  function csrfToken() {
    return window.muhelyCsrf.token();
  }

  function headers(json) {
    var h = { "HX-Request": "true", "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (json) h["Content-Type"] = "application/json";
    return h;
  }

  function urlOf(form) {
    return form.getAttribute("data-autosave-url");
  }

  function refreshToken() {
    return window.muhelyCsrf.refresh();
  }

  function state(form) {
    var st = states.get(form);
    if (!st) {
      st = { timer: null, inFlight: false, again: false, dirty: false, done: false, blocked: null };
      states.set(form, st);
    }
    return st;
  }

  function schedule(form, delay) {
    var st = state(form);
    clearTimeout(st.timer);
    st.timer = setTimeout(function () {
      save(form, {});
    }, delay);
  }

  function save(form, opts) {
    var st = state(form);
    clearTimeout(st.timer);
    if (st.done || !st.dirty) return;
    if ((st.blocked === "login" || st.blocked === "newer") && !opts.force) return;
    if (st.inFlight) {
      st.again = true;
      return;
    }
    var snap = snapshot(form);
    writeLocal(form, snap);
    st.inFlight = true;
    fetch(urlOf(form), {
      method: "PUT",
      headers: headers(true),
      body: JSON.stringify({
        body: snap.body,
        fields: snap.fields,
        base_version: snap.base_version,
        draft: snap.draft,
      }),
      credentials: "same-origin",
      redirect: "manual",
      keepalive: !!opts.keepalive && snap.body.length < 60000,
    })
      .then(function (resp) {
        if (resp.ok) {
          return resp.json().then(function (data) {
            if (data.draft) setStamp(form, data.draft);
            removeLocal(form, snap.body);
            if (same(snapshot(form), snap)) st.dirty = false;
            if (st.blocked) {
              var back = { login: "loginBack", offline: "onlineBack" }[st.blocked];
              st.blocked = null;
              if (back) alert(form, text(form, back), "success");
              else clearAlert(form);
            }
            quiet(form, data.text);
          });
        }
        if (resp.status === 401 || resp.type === "opaqueredirect") return waitForLogin(form);
        if (resp.status === 400 && !opts.renewed) {
          return refreshToken().then(function (status) {
            if (status === 200) {
              st.inFlight = false;
              save(form, { renewed: true, force: true });
            } else if (status === 401 || status === 0) waitForLogin(form);
          });
        }
        if (resp.status === 409) {
          st.blocked = "newer";
          offerNewer(form);
        } else if (resp.status === 404 || resp.status === 403) {
          st.blocked = "denied";
          alert(form, text(form, "denied"));
        } else if (resp.status === 413) {
          st.blocked = "long";
          alert(form, text(form, "tooLong"));
        } else {
          quiet(form, text(form, "local"));
          schedule(form, RETRY);
        }
      })
      .catch(function () {
        quiet(form, text(form, "local"));
        schedule(form, RETRY);
      })
      .finally(function () {
        st.inFlight = false;
        if (st.clearAfter) {
          st.clearAfter = false;
          discardServer(form);
        } else if (st.again) {
          st.again = false;
          schedule(form, 0);
        }
      });
  }

  function discardServer(form) {
    var st = state(form);
    if (st.inFlight) {
      st.clearAfter = true;
      return;
    }
    var url = urlOf(form) + "?draft=" + encodeURIComponent(stampInput(form).value);
    fetch(url, { method: "DELETE", headers: headers(false), credentials: "same-origin", redirect: "manual" }).catch(
      function () {
        /* a leftover server draft equals the saved text and is ignored on opening */
      }
    );
  }

  // --- An expired login ---------------------------------------------------------------------------

  function waitForLogin(form) {
    var st = state(form);
    st.blocked = "login";
    loginAlert(form);
    if (loginWaiting) return;
    loginWaiting = true;
    loginTimer = setInterval(checkLogin, 5000);
  }

  function checkLogin() {
    if (!loginWaiting) return;
    refreshToken().then(function (status) {
      if (status !== 200 || !loginWaiting) return;
      loginWaiting = false;
      clearInterval(loginTimer);
      document.querySelectorAll("[data-autosave]").forEach(function (form) {
        var st = state(form);
        if (st.blocked !== "login") return;
        st.dirty = true;
        save(form, { force: true });
        if (st.pendingSubmit) {
          st.pendingSubmit = false;
          if (form.requestSubmit) form.requestSubmit();
        }
      });
    });
  }

  // --- Opening an editor ---------------------------------------------------------------------------

  function notice(form, message, label, onClick) {
    // Before the text's field: its button is reached before the text, never between the
    // text and "Mentés".
    var body = bodyControl(form);
    var box = alert(form, message + " ", "info", body && body.closest(".field"));
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = label;
    button.addEventListener("click", onClick);
    box.appendChild(button);
    return button;
  }

  function offerDiscard(form, original) {
    // Say so when more than the text came back: a restored "who can read it" must be seen.
    var settings = canonical(snapshot(form).fields) !== canonical(original.fields);
    notice(form, text(form, settings ? "restoredSettings" : "restored"), text(form, "discard"), discarder(form, original));
  }

  function discarder(form, original) {
    return function () {
      // Nothing is asked: what is thrown away stays here for "Visszavonás" until the page goes.
      var st = state(form);
      var discarded = snapshot(form);
      clearTimeout(st.timer);
      st.dirty = false;
      discardServer(form);
      apply(form, original);
      removeLocal(form);
      quiet(form, ""); // "Piszkozat mentve" spoke of the text just thrown away
      notice(form, text(form, "discarded"), text(form, "undo"), function () {
        apply(form, discarded);
        st.dirty = true;
        writeLocal(form, snapshot(form));
        schedule(form, 0);
        offerDiscard(form, original);
        bodyControl(form).focus();
      }).focus();
    };
  }

  function offerNewer(form) {
    // Its button submits the editor: the server answers 409 with both texts, saving nothing.
    if (!form.hasAttribute("data-autosave-compare")) return alert(form, text(form, "newer"), "info");
    notice(form, text(form, "newer"), text(form, "compare"), function () {
      form.requestSubmit();
    });
  }

  function init(form) {
    if (states.has(form) || !form.getAttribute("data-autosave-key")) return;
    var st = state(form);
    // The section editor puts its draft back on the server and names the saved values here.
    var saved = form.getAttribute("data-autosave-saved");
    var original = (saved && JSON.parse(saved)) || snapshot(form);
    var key = form.getAttribute("data-autosave-key");
    if (answered[key]) {
      // The server's answer to this editor's own save (conflict or errors) shows the user's
      // text with the current version: keep it, and let the local copy follow it. After a
      // conflict the server draft may hold the other text shown beside it: it is replaced
      // only once the user types.
      var answer = answered[key];
      delete answered[key];
      if (!stampInput(form).value) stampInput(form).value = answer.draft;
      writeLocal(form, snapshot(form));
      if (answer.status !== 409) {
        st.dirty = true;
        schedule(form, 0);
      }
      return;
    }
    var local = readLocal(form);
    if (local && !same(local, snapshot(form))) {
      apply(form, local);
      offerDiscard(form, original);
      st.dirty = true;
      schedule(form, 0);
      return;
    }
    if (local) removeLocal(form);
    var discard = form.querySelector("[data-autosave-discard]");
    if (discard) discard.addEventListener("click", discarder(form, original));
    if (saved !== null) return;
    fetch(urlOf(form), { headers: headers(false), credentials: "same-origin", redirect: "manual" })
      .then(function (resp) {
        return resp.ok ? resp.json() : null;
      })
      .then(function (draft) {
        // Typed before the draft came: it stays unseen, and the first write offers it.
        if (!draft || !draft.exists || st.dirty || !form.isConnected) return;
        if (same(draft, snapshot(form))) stampInput(form).value = draft.draft;
        else {
          apply(form, draft);
          offerDiscard(form, original);
        }
      })
      .catch(function () {
        /* offline: what is on screen is all there is */
      });
  }

  function initAll() {
    document.querySelectorAll("[data-autosave]").forEach(init);
  }

  function formOf(target) {
    return target && target.closest ? target.closest("[data-autosave]") : null;
  }

  // --- Events (delegated, so swapped-in editors need nothing) ------------------------------------

  function changed(event) {
    var form = formOf(event.target);
    if (!form || applying) return;
    init(form);
    var st = state(form);
    st.dirty = true;
    st.done = false;
    writeLocal(form, snapshot(form));
    if (st.blocked !== "login") schedule(form, DELAY);
  }

  document.addEventListener("input", changed);
  document.addEventListener("change", changed);

  document.addEventListener("focusin", function (event) {
    var form = formOf(event.target);
    if (form) init(form);
  });

  document.addEventListener("focusout", function (event) {
    var form = formOf(event.target);
    if (form && state(form).dirty) save(form, {});
  });

  function flushAll(keepalive) {
    document.querySelectorAll("[data-autosave]").forEach(function (form) {
      var st = state(form);
      if (st.dirty) {
        writeLocal(form, snapshot(form));
        save(form, { keepalive: keepalive });
      }
    });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flushAll(true);
    else if (loginWaiting) checkLogin();
  });
  window.addEventListener("pagehide", function () {
    flushAll(true);
  });
  window.addEventListener("focus", function () {
    if (loginWaiting) checkLogin();
  });
  window.addEventListener("online", function () {
    flushAll(false);
  });

  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (form.matches && form.matches("form[data-clear-drafts]")) {
        clearAllLocal();
        return;
      }
      form = formOf(form);
      if (!form) return;
      var st = state(form);
      clearTimeout(st.timer);
      writeLocal(form, snapshot(form));
    },
    true
  );

  function requestForm(event) {
    var ctx = event.detail && event.detail.ctx;
    var source = ctx && ctx.sourceElement;
    return source && source.matches && source.matches("form[data-autosave]") ? source : null;
  }

  document.addEventListener("htmx:after:request", function (event) {
    var form = requestForm(event);
    if (!form) return;
    var ctx = event.detail.ctx;
    var status = ctx.response.status;
    var st = state(form);
    if (status >= 200 && status < 300) {
      // The real save worked and removed the server draft: the local copy is no longer needed,
      // nor is any notice about them (e.g. "we restored your unsaved text" on a form that
      // stays, like the new-note form). A draft write still in flight is removed after it.
      clearTimeout(st.timer);
      st.dirty = false;
      st.done = true;
      st.renewedSubmit = false;
      st.clearAfter = st.inFlight;
      removeLocal(form);
      stampInput(form).value = "";
      clearAlert(form);
      return;
    }
    if (status === 401) {
      // Keep the editor (and its text) instead of following HX-Redirect to the login page.
      event.preventDefault();
      st.dirty = true;
      st.pendingSubmit = true;
      waitForLogin(form);
      return;
    }
    if (status === 400 && !st.renewedSubmit) {
      // Most likely an expired CSRF token: renew it and send the same form once more.
      event.preventDefault();
      st.renewedSubmit = true;
      alert(form, text(form, "token"), "info");
      refreshToken().then(function (code) {
        if (code === 200 && form.isConnected && form.requestSubmit) form.requestSubmit();
        else if (code === 401 || code === 0) {
          st.pendingSubmit = true;
          waitForLogin(form);
        }
      });
      return;
    }
    st.renewedSubmit = false;
    if (status === 409 || status === 422) {
      answered[form.getAttribute("data-autosave-key")] = { status: status, draft: stampInput(form).value };
    }
    if (status >= 500) {
      // The editor stays (an error page never replaces it).
      if (!ctx.response.headers.get("HX-Retarget")) event.preventDefault();
      alert(form, text(form, "server"));
    }
    if (status !== 409 && status !== 422) {
      // The save did not happen: the text goes to the server draft instead. (409 and 422 come
      // back as a new editor holding the user's text, which takes over from here.)
      st.dirty = true;
      writeLocal(form, snapshot(form));
      schedule(form, 0);
    }
  });

  document.addEventListener("htmx:error", function (event) {
    var form = requestForm(event);
    if (!form) return;
    var st = state(form);
    st.dirty = true;
    // Only a lost connection: its red box gives way once it is back and the draft is saved.
    if (!navigator.onLine) st.blocked = "offline";
    writeLocal(form, snapshot(form));
    alert(form, text(form, "offline"));
    schedule(form, 2000);
  });

  // The journal's write mode: one form whose fieldsets are autosave units. An answer that
  // is not a swap of the form (errors go to the message area) leaves the units as they are,
  // and their text goes on into the drafts.
  function unitsOf(event) {
    var ctx = event.detail && event.detail.ctx;
    var source = ctx && ctx.sourceElement;
    if (!source || !source.matches || source.matches("[data-autosave]")) return [];
    return Array.prototype.slice.call(source.querySelectorAll("[data-autosave]"));
  }

  // What each unit held when the save was sent: words typed while it was on its way must
  // survive the swap (the new unit puts them back from the local copy, with its notice).
  document.addEventListener("htmx:before:request", function (event) {
    unitsOf(event).forEach(function (unit) {
      state(unit).sent = bodyControl(unit).value;
    });
  });

  function afterUnits(event, ok) {
    unitsOf(event).forEach(function (unit) {
      var st = state(unit);
      clearTimeout(st.timer);
      var typedSince = bodyControl(unit).value !== st.sent;
      if (ok && !typedSince) {
        st.dirty = false;
        st.done = true;
        removeLocal(unit);
      } else if (st.dirty || typedSince) {
        var snap = snapshot(unit);
        if (ok) snap.base_version = null; // the save went through: keep the new version
        st.dirty = true;
        writeLocal(unit, snap);
        if (!ok) schedule(unit, 2000);
      }
    });
  }

  document.addEventListener("htmx:after:request", function (event) {
    var response = event.detail && event.detail.ctx && event.detail.ctx.response;
    if (!response || response.status === 409 || response.status === 422) return;
    afterUnits(event, response.status >= 200 && response.status < 300);
  });
  document.addEventListener("htmx:error", function (event) {
    var units = unitsOf(event);
    afterUnits(event, false);
    var box = units.length && event.detail.ctx.sourceElement.querySelector("[data-write-alert]");
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
