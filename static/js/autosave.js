// Autosave: never lose a word of a journal section or a note (README "Never losing a word"). A
// unit is a <form data-autosave> or a write-mode <fieldset data-autosave>; its template gives its
// key, addresses, texts and stamps. Every change is copied to this browser at once, and to the
// server's draft 3 s after typing stops, on leaving the field and when the tab goes.
(() => {
  const UNITS = "[data-autosave]";
  const states = new WeakMap();
  const answered = {}; // key → a save answered with the editor again (409, 422): code, values before
  const stamps = {}; // key → the stamp of the draft this page stored last
  let applying = false;
  const on = (type, listener, target = document) => target.addEventListener(type, listener);
  const text = (unit, name) =>
    JSON.parse(unit.closest("[data-autosave-texts]").getAttribute("data-autosave-texts"))[name];
  const state = (unit) => states.get(unit) || states.set(unit, {}).get(unit);
  const keyOf = (unit) => unit.getAttribute("data-autosave-key");
  // hx-headers holds the token, for a browser that does not say where a request comes from.
  const inherited = JSON.parse(document.body.getAttribute("hx-headers:inherited") || "{}");
  const headers = { ...inherited, "HX-Request": "true", "Content-Type": "application/json" };
  const call = (url, method, body, keepalive = false) =>
    fetch(url, { method, headers, body, keepalive, credentials: "same-origin", redirect: "manual" });
  // The copy in this browser, encrypted (AES-GCM) with the key only its owner's pages carry
  // (data-copy-key): nobody else on this browser reads it. Storage full: the server draft works.
  const storeKey = (unit) => `muhely:draft:${document.body.getAttribute("data-user") || ""}:${keyOf(unit)}`;
  const utf8 = (text) => new TextEncoder().encode(text);
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const b64 = (data) => btoa(Array.from(new Uint8Array(data), (n) => String.fromCharCode(n)).join(""));
  const aes = async (use, iv, data) => {
    const raw = bytes(document.body.getAttribute("data-copy-key"));
    const key = await crypto.subtle.importKey("raw", raw, "AES-GCM", false, [use]);
    return crypto.subtle[use]({ name: "AES-GCM", iv }, key, data);
  };
  const chains = {}; // by key, so an editor swapped in waits for the copy its old one wrote
  const inOrder = (unit, step, key = storeKey(unit)) =>
    (chains[key] = (chains[key] || Promise.resolve()).then(step).catch(() => null));
  const load = async (unit) => {
    const stored = JSON.parse(localStorage.getItem(storeKey(unit)));
    if (!Array.isArray(stored)) return stored; // kept readable: from before, or no Web Crypto
    return JSON.parse(new TextDecoder().decode(await aes("decrypt", ...stored.map(bytes))));
  };
  const readLocal = (unit) => inOrder(unit, () => load(unit));
  const writeLocal = (unit, snap = snapshot(unit)) =>
    inOrder(unit, async () => {
      const [iv, plain] = [crypto.getRandomValues(new Uint8Array(12)), JSON.stringify(snap)];
      // Without Web Crypto (plain http on another host than localhost) the copy stays readable.
      const sealed = crypto.subtle && [b64(iv), b64(await aes("encrypt", iv, utf8(plain)))];
      localStorage.setItem(storeKey(unit), sealed ? JSON.stringify(sealed) : plain);
    });
  const removeLocal = (unit, onlyIfBody) =>
    inOrder(unit, async () => {
      if (onlyIfBody === undefined || (await load(unit))?.body === onlyIfBody)
        localStorage.removeItem(storeKey(unit));
    });
  const body = (unit) =>
    unit.querySelector("[data-autosave-body]") || unit.querySelector("[name=body]");
  const nameOf = (el) => el.getAttribute("data-autosave-name") || el.name;
  const input = (unit, name) =>
    unit.querySelector(`input[name=${name}], input[data-autosave-name=${name}]`);
  const SKIPPED = /^(hidden|submit|button|reset|file|password|image)$/;
  const isField = (unit, el) =>
    el.name && el !== body(unit) && !el.readOnly && !SKIPPED.test(el.type);
  const fields = (unit) => [...unit.elements].filter((el) => isField(unit, el));
  // Key order differs between the server's JSON and the form: compare sorted pairs.
  const canonical = ({ body, fields: f = {} }) => JSON.stringify([body, Object.entries(f).sort()]);
  function snapshot(unit) {
    const values = {};
    fields(unit).forEach((el) => {
      if (el.type === "checkbox") values[nameOf(el)] = el.checked;
      else if (el.type !== "radio" || el.checked) values[nameOf(el)] = el.value;
    });
    const [version, draft] = [input(unit, "version")?.value, input(unit, "draft").value];
    const base_version = /^\d+$/.test(version) ? parseInt(version, 10) : null;
    return { body: body(unit).value, fields: values, base_version, draft };
  }
  const apply = (unit, snap) => {
    const values = snap.fields || {};
    body(unit).value = snap.body || "";
    fields(unit).forEach((el) => {
      const value = values[nameOf(el)];
      if (!(nameOf(el) in values)) return;
      if (el.type === "checkbox") el.checked = !!value;
      else if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    });
    if (input(unit, "version") && snap.base_version != null)
      input(unit, "version").value = snap.base_version;
    if (typeof snap.draft === "string") input(unit, "draft").value = snap.draft;
    applying = true; // journal.js reacts to a restored visibility; it is not typing
    unit
      .querySelectorAll("input[type=radio]:checked")
      .forEach((el) => el.dispatchEvent(new Event("change", { bubbles: true })));
    applying = false;
  };
  const status = (unit, message) => {
    // A unit the page has replaced meanwhile (the write mode's save) speaks for nobody.
    const el = (unit.form || unit).querySelector("[data-autosave-status]");
    if (unit.isConnected && el) el.textContent = message;
  };
  // Notices (with a button) above the text, messages below the buttons: "Mentés" never moves mid-press.
  const alert = (unit, message, kind = "error", mark = "alert") => {
    let box = unit.querySelector(`[data-autosave-${mark}]`);
    if (!box) {
      const before = mark === "notice" ? body(unit).closest(".field") : unit.querySelector(".actions")?.nextSibling;
      box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.setAttribute(`data-autosave-${mark}`, "");
      (before ? before.parentNode : unit).insertBefore(box, before);
    }
    return Object.assign(box, { className: `message autosave-alert message-${kind}`, textContent: message, hidden: false });
  };
  const notice = (unit, message, label, onClick) => {
    const button = Object.assign(document.createElement("button"), { type: "button", className: "link-button", textContent: label });
    button.addEventListener("click", onClick);
    alert(unit, message + " ", "info", "notice").append(button);
    if (unit.closest("details")) unit.closest("details").open = true; // a folded new-note form
    return button;
  };
  const schedule = (unit, delay) => {
    clearTimeout(state(unit).timer);
    state(unit).timer = setTimeout(() => save(unit), delay);
  };
  const changed = (unit, delay) => {
    Object.assign(state(unit), { dirty: true, done: false });
    writeLocal(unit);
    schedule(unit, delay);
  };
  function save(unit, { keepalive = false } = {}) {
    const st = state(unit);
    clearTimeout(st.timer);
    if (st.done || !st.dirty || st.blocked === "newer") return;
    if (st.inFlight) return void (st.again = true);
    const snap = snapshot(unit);
    writeLocal(unit, snap);
    st.inFlight = true;
    const keep = keepalive && snap.body.length < 60000; // a browser sends at most 64 KiB so
    call(unit.getAttribute("data-autosave-url"), "PUT", JSON.stringify(snap), keep)
      .then(async (resp) => {
        if (resp.ok) return stored(unit, snap, await resp.json());
        if (resp.status === 401 || resp.type === "opaqueredirect") return waitForLogin(unit);
        if (resp.status === 409) {
          st.blocked = "newer";
          status(unit, ""); // "Piszkozat mentve" spoke of an earlier text
          offerNewer(unit);
        } else if ([403, 404, 413].includes(resp.status)) {
          st.blocked = "denied";
          alert(unit, text(unit, resp.status === 413 ? "tooLong" : "denied"));
        } else retry(unit);
      })
      .catch(() => retry(unit))
      .finally(() => {
        st.inFlight = false;
        if (st.clearAfter) discardServer(unit);
        else if (st.again) schedule(unit, 0);
        st.clearAfter = st.again = false;
      });
  }
  const retry = (unit) => {
    status(unit, text(unit, "local"));
    schedule(unit, 10000);
  };
  const stored = (unit, snap, data) => {
    const st = state(unit);
    const back = { login: "loginBack", offline: "onlineBack" }[st.blocked];
    stamps[keyOf(unit)] = data.draft; // for an editor that replaces this one later (init)
    const key = JSON.stringify(keyOf(unit)); // and into one that replaced it meanwhile
    [unit, ...document.querySelectorAll(`[data-autosave-key=${key}]`)].forEach((u) => (input(u, "draft").value = data.draft));
    removeLocal(unit, snap.body);
    if (canonical(snapshot(unit)) === canonical(snap)) st.dirty = false;
    if (back) alert(unit, text(unit, back), "success");
    else if (st.blocked) unit.querySelector("[data-autosave-alert]").hidden = true;
    st.blocked = null;
    status(unit, data.text);
    const form = unit.form || unit; // the "Mentés" pressed while logged out goes now
    if (state(form).pendingSubmit) form.requestSubmit();
    state(form).pendingSubmit = false;
  };
  const discardServer = (unit) => {
    if (state(unit).inFlight) return void (state(unit).clearAfter = true);
    const url = `${unit.getAttribute("data-autosave-url")}?draft=${encodeURIComponent(input(unit, "draft").value)}`;
    call(url, "DELETE").catch(() => {}); // a leftover draft of the saved text is not offered
  };
  // An expired login: the draft's save asks again every 5 s (and when the tab is back); once
  // the login is back (in a new tab) it goes through, and so does a "Mentés" pressed meanwhile.
  const waitForLogin = (unit) => {
    schedule(unit, 5000);
    if (state(unit).blocked === "login") return; // the link stays where the user may be on it
    state(unit).blocked = "login";
    const next = encodeURIComponent(location.pathname + location.search);
    const link = Object.assign(document.createElement("a"), {
      href: `${text(unit, "loginUrl")}?next=${next}`,
      target: "_blank",
      rel: "noopener",
    });
    link.textContent = text(unit, "loginLink");
    alert(unit, text(unit, "login")).append(link, text(unit, "loginAfter"));
  };
  const offerDiscard = (unit, original) => {
    // Say so when more than the text came back: a restored "who can read it" must be seen.
    const settings =
      canonical({ fields: snapshot(unit).fields }) !== canonical({ fields: original.fields });
    const said = text(unit, settings ? "restoredSettings" : "restored");
    notice(unit, said, text(unit, "discard"), discarder(unit, original));
  };
  // Nothing is asked: what is thrown away stays here for "Visszavonás" until the page goes.
  const discarder = (unit, original) => () => {
    const discarded = snapshot(unit);
    clearTimeout(state(unit).timer);
    state(unit).dirty = false;
    discardServer(unit);
    apply(unit, original);
    removeLocal(unit);
    status(unit, ""); // "Piszkozat mentve" spoke of the text just thrown away
    notice(unit, text(unit, "discarded"), text(unit, "undo"), () => {
      apply(unit, discarded);
      changed(unit, 0);
      offerDiscard(unit, original);
      body(unit).focus();
    }).focus();
  };
  // Its button submits the editor: the server answers 409 with both texts, saving nothing.
  const offerNewer = (unit) =>
    unit.hasAttribute("data-autosave-compare")
      ? notice(unit, text(unit, "newer"), text(unit, "compare"), () => unit.requestSubmit())
      : alert(unit, text(unit, "newer"), "info");
  const init = async (unit) => {
    if (state(unit).original) return;
    const key = keyOf(unit);
    // An answer made before this page's last draft was stored: that draft is its own, not newer.
    if ((stamps[key] || "") > input(unit, "draft").value) input(unit, "draft").value = stamps[key];
    const saved = JSON.parse(unit.getAttribute("data-autosave-saved") || '""');
    const original = answered[key]?.original || saved || snapshot(unit);
    state(unit).original = original;
    if (answered[key]) {
      // Its own save's answer (errors, a conflict) holds the user's text: the copy follows, the draft after errors.
      writeLocal(unit);
      if (answered[key].code !== 409) changed(unit, 0);
      return delete answered[key];
    }
    const discard = unit.querySelector("[data-autosave-discard]"); // the server put a draft back
    discard?.addEventListener("click", discarder(unit, original));
    const local = await readLocal(unit);
    if (state(unit).dirty) return; // typed meanwhile: what is on screen is newer
    if (local && canonical(local) !== canonical(snapshot(unit))) {
      apply(unit, local);
      offerDiscard(unit, original);
      changed(unit, 0);
    } else if (local) removeLocal(unit);
  };
  const allUnits = () => document.querySelectorAll(UNITS);
  const initAll = () => allUnits().forEach(init);
  ["htmx:after:swap", "htmx:after:settle", "htmx:after:process"].forEach((t) => on(t, initAll));
  initAll(); // a deferred script: the page is parsed
  // Delegated, so swapped-in editors need nothing. A "change" with no "input" since a save is no typing (a field left for "Küldés").
  const unitOf = (el) => el?.closest?.(UNITS);
  const typed = ({ target, type }) => {
    if (!unitOf(target) || applying || (type === "change" && !state(unitOf(target)).dirty)) return;
    init(unitOf(target));
    changed(unitOf(target), 3000);
  };
  ["input", "change"].forEach((type) => on(type, typed));
  on("focusin", ({ target }) => unitOf(target) && init(unitOf(target)));
  const flush = (unit, keepalive = false) => unit && state(unit).dirty && save(unit, { keepalive });
  on("focusout", ({ target }) => flush(unitOf(target)));
  const flushAll = (keepalive) => allUnits().forEach((unit) => flush(unit, keepalive));
  on("visibilitychange", () => flushAll(document.visibilityState === "hidden"));
  on("pagehide", () => flushAll(true), window);
  ["focus", "online"].forEach((type) => on(type, () => flushAll(false), window));
  // Logout clears the readable copies; a sealed one ([iv, text]) waits for its owner's return.
  const readable = (key) => key.startsWith("muhely:draft:") && localStorage[key][0] !== "[";
  const submitted = ({ target }) =>
    target.matches("form[data-clear-drafts]")
      ? Object.keys(localStorage).filter(readable).forEach((key) => localStorage.removeItem(key))
      : unitOf(target) && (clearTimeout(state(unitOf(target)).timer), writeLocal(unitOf(target)));
  document.addEventListener("submit", submitted, true);
  // The write mode: one form whose fieldsets are the units.
  const unitsIn = ({ sourceElement: form }) =>
    form?.matches?.(UNITS) === false ? [...form.querySelectorAll(UNITS)] : [];
  const unitSaving = (ctx) =>
    ctx?.sourceElement?.matches?.("form" + UNITS) ? ctx.sourceElement : null;
  // What each unit held when sent (words typed meanwhile survive the swap), and its draft's stamp.
  on("htmx:before:request", ({ detail: { ctx } }) => {
    for (const u of [...unitsIn(ctx), unitSaving(ctx)].filter(Boolean))
      Object.assign(state(u), { sent: canonical(snapshot(u)), sentDraft: input(u, "draft").value });
  });
  const afterUnits = (units, ok) =>
    units.forEach((unit) => {
      const st = state(unit);
      const snap = snapshot(unit);
      const typedSince = canonical(snap) !== st.sent;
      clearTimeout(st.timer);
      if (ok && !typedSince) {
        Object.assign(st, { dirty: false, done: true });
        removeLocal(unit);
      } else if (st.dirty || typedSince) {
        if (ok) snap.base_version = null; // the save went through: keep the new version
        st.dirty = true;
        writeLocal(unit, snap);
        if (!ok) schedule(unit, 2000);
      }
    });
  on("htmx:after:request", (event) => {
    const { ctx } = event.detail;
    const [code, own, units] = [ctx.response.status, unitSaving(ctx), unitsIn(ctx)];
    // The write mode's form is no unit: its first section waits for the login in its stead.
    const unit = own || (code === 401 ? units[0] : null);
    const st = unit && state(unit);
    // Answered with the editors again: the new ones keep the copies (and drafts, after errors).
    if (code === 409 || code === 422)
      [own, ...units].forEach((u) => u && (answered[keyOf(u)] = { code, original: state(u).original }));
    else afterUnits(units, code < 300);
    if (!unit) return;
    if (code < 300) {
      // Saved: the draft goes, with one on its way or stored since. Typed since: the text stays, drafted now.
      clearTimeout(st.timer);
      const untouched = canonical(snapshot(unit)) === st.sent;
      Object.assign(st, { dirty: !untouched, done: untouched, clearAfter: st.inFlight && untouched });
      if (!untouched) return void save(unit);
      if (!st.inFlight && input(unit, "draft").value !== st.sentDraft) discardServer(unit);
      removeLocal(unit);
      if (unit.matches("[data-reset-on-success]")) { apply(unit, st.original); unit.closest("details")?.removeAttribute("open"); }
      input(unit, "draft").value = "";
      unit.querySelectorAll("[data-autosave-alert], [data-autosave-notice]").forEach((b) => (b.hidden = true));
    } else if (code === 401) {
      if (own) event.preventDefault(); // the editor and its text stay; the login link is beside them
      [st.dirty, state(ctx.sourceElement).pendingSubmit] = [true, true];
      waitForLogin(unit);
    } else if (code !== 409 && code !== 422) {
      // Not saved: the text goes to the server draft; an error page never replaces the editor.
      if (code >= 500 && !ctx.response.headers.get("HX-Retarget")) event.preventDefault();
      if (code >= 500) alert(unit, text(unit, "server"));
      changed(unit, 0);
    }
  });
  on("htmx:error", ({ detail: { ctx } }) => {
    const unit = unitSaving(ctx);
    const units = unitsIn(ctx);
    const box = units.length && ctx.sourceElement.querySelector("[data-write-alert]");
    if (unit) {
      // Only a lost connection: its red box gives way once it is back and the draft saved.
      if (!navigator.onLine) state(unit).blocked = "offline";
      alert(unit, text(unit, "offline"));
      changed(unit, 2000);
    }
    afterUnits(units, false);
    if (box) Object.assign(box, { textContent: text(units[0], "offline"), hidden: false }); // until the next answer
  });
})();
