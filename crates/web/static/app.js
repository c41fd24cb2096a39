// BillTracker progressive enhancement. Every page works without this file; it only adds:
// - a theme toggle (system / dark / light) remembered in localStorage,
// - a native <dialog> confirmation for forms carrying `data-confirm="question"`,
// - dismiss buttons on toasts, and a toast when an htmx request fails,
// - focus on an error summary so screen readers and keyboards land on it,
// - Escape / outside click closing the phone "More" menu,
// - the bill finder: "/" or Ctrl+K focuses it, typing lists matching bills (from /api/bills),
// - form parts shown only while a select holds a value (data-show-when, the bill form),
// - back from a step-up, the focus on the button of the form that asked for it,
// - the service worker registration (it caches static files only, never financial data),
// - loading webauthn.js when an htmx swap brings a page with security keys or passkeys,
// - tracker rows that change in place: focus back on the row's control after the swap.
// It runs under a strict CSP: loaded as an external file with the page's nonce, no eval, no
// inline handlers, no innerHTML (all text goes through textContent). htmx swaps page bodies
// (hx-boost), so everything binds by event delegation or re-runs `enhance` on `htmx:load`.
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");
  // This page's CSP nonce, for scripts added later.
  var NONCE = document.currentScript ? document.currentScript.nonce : "";

  // ---- Theme -------------------------------------------------------------------------------
  var THEME_KEY = "bt-theme";
  var THEMES = ["system", "dark", "light"];
  var LABELS = { system: "System", dark: "Dark", light: "Light" };

  // One setting: a signed-in account's theme is the one saved in its profile (the server puts
  // it on <html data-theme-saved>, "system" included); the toggle saves it there, in the
  // background. Only pages without an account (none show the toggle) fall back to this
  // device's storage, which a signed-in page clears so it can never override the profile.
  function storedTheme() {
    var saved = root.getAttribute("data-theme-saved");
    if (THEMES.indexOf(saved) >= 0) {
      try {
        window.localStorage.removeItem(THEME_KEY);
      } catch (e) {
        // Storage may be disabled: nothing to clear.
      }
      return saved;
    }
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return THEMES.indexOf(value) >= 0 ? value : "system";
    } catch (e) {
      return "system";
    }
  }

  function applyTheme(theme) {
    if (theme === "dark" || theme === "light") {
      root.setAttribute("data-theme", theme);
    } else {
      root.removeAttribute("data-theme");
    }
    var labels = document.querySelectorAll("[data-theme-label]");
    for (var i = 0; i < labels.length; i++) {
      labels[i].textContent = LABELS[theme];
    }
  }

  applyTheme(storedTheme());

  function saveTheme(theme, previous) {
    var token = document.querySelector('input[name="csrf_token"]');
    var body = new URLSearchParams();
    body.set("theme", theme);
    body.set("csrf_token", token ? token.value : "");
    fetch("/profile/theme", {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
    }).then(function (response) {
      if (!(response.ok || response.type === "opaqueredirect")) {
        throw new Error("not saved");
      }
    }).catch(function () {
      root.setAttribute("data-theme-saved", previous);
      applyTheme(previous);
      showToast("The theme could not be saved; try again.");
    });
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target instanceof Element ? event.target.closest("[data-theme-toggle]") : null;
    if (!toggle) {
      return;
    }
    var current = storedTheme();
    var next = THEMES[(THEMES.indexOf(current) + 1) % THEMES.length];
    if (root.hasAttribute("data-theme-saved")) {
      root.setAttribute("data-theme-saved", next);
      saveTheme(next, current);
    } else {
      try {
        window.localStorage.setItem(THEME_KEY, next);
      } catch (e) {
        // Storage may be disabled; the choice then lasts for this page only.
      }
    }
    applyTheme(next);
  });

  // ---- Confirm dialogs ---------------------------------------------------------------------
  var dialog = null;
  var dialogMessage = null;
  var dialogConfirm = null;
  var onConfirm = null;

  function button(label, className, value) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = className;
    b.textContent = label;
    b.addEventListener("click", function () {
      dialog.close(value);
    });
    return b;
  }

  function ensureDialog() {
    if (dialog && document.body.contains(dialog)) {
      return dialog;
    }
    dialog = document.createElement("dialog");
    dialog.className = "dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-message");
    dialogMessage = document.createElement("p");
    dialogMessage.id = "confirm-dialog-message";
    var actions = document.createElement("div");
    actions.className = "cluster";
    var cancel = button("Cancel", "btn btn-secondary", "cancel");
    dialogConfirm = button("Confirm", "btn btn-danger", "confirm");
    actions.appendChild(cancel);
    actions.appendChild(dialogConfirm);
    dialog.appendChild(dialogMessage);
    dialog.appendChild(actions);
    dialog.addEventListener("close", function () {
      var action = onConfirm;
      onConfirm = null;
      if (dialog.returnValue === "confirm" && action) {
        action();
      }
    });
    document.body.appendChild(dialog);
    return dialog;
  }

  function ask(message, confirmLabel, action) {
    ensureDialog();
    dialogMessage.textContent = message;
    dialogConfirm.textContent = confirmLabel;
    dialog.returnValue = "";
    onConfirm = action;
    dialog.showModal();
    // The safe choice has focus, so Enter never destroys anything by accident.
    dialog.querySelector(".btn-secondary").focus();
  }

  // Capture phase: runs before htmx's own submit handler on the (boosted) form.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!(form instanceof HTMLFormElement)) {
        return;
      }
      var message = form.getAttribute("data-confirm");
      if (!message || form.getAttribute("data-confirmed") === "yes") {
        return;
      }
      if (typeof HTMLDialogElement !== "function") {
        if (!window.confirm(message)) {
          event.preventDefault();
          event.stopImmediatePropagation();
        }
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter || null;
      ask(message, form.getAttribute("data-confirm-label") || "Confirm", function () {
        form.setAttribute("data-confirmed", "yes");
        if (typeof form.requestSubmit === "function") {
          form.requestSubmit(submitter);
        } else {
          form.submit();
        }
        form.removeAttribute("data-confirmed");
      });
    },
    true
  );

  // ---- Toasts ------------------------------------------------------------------------------
  function enhanceToast(toast) {
    if (toast.querySelector("[data-dismiss]")) {
      return;
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    close.addEventListener("click", function () {
      toast.remove();
    });
    toast.appendChild(close);
  }

  function showToast(text) {
    var region = document.querySelector(".toasts");
    if (!region) {
      return;
    }
    var toast = document.createElement("p");
    toast.className = "toast toast-error";
    toast.textContent = text;
    enhanceToast(toast);
    region.appendChild(toast);
  }

  // While a form's request runs, its submit buttons are disabled (no double submission).
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form) {
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = true;
    }
    form.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target instanceof HTMLFormElement ? event.target : null;
    if (!form) {
      return;
    }
    var buttons = form.querySelectorAll("button[type=submit], button:not([type])");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].disabled = false;
    }
    form.removeAttribute("aria-busy");
  });

  document.addEventListener("htmx:responseError", function () {
    showToast("Something went wrong on the server; nothing was changed. Try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    showToast("The server could not be reached. Check your connection and try again.");
  });

  // ---- Tracker rows change in place ---------------------------------------------------------
  // A row's form (hx-post on a form inside a table row) is answered with that row, its pay
  // period's header and the summary cards, swapped in place (pages/tracker/in_place.rs), so the
  // page neither reloads nor scrolls. The swap removes the button that was pressed; focus goes
  // to the new row's control with the same data-focus ("primary": Pay becomes Undo and back,
  // "skip": Skip becomes Unskip and back), so keyboard and screen-reader users stay on the row.
  var rowFocus = null;

  function rowForm(element) {
    return element instanceof HTMLFormElement && element.hasAttribute("hx-post") && element.closest("tr[id]")
      ? element
      : null;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = rowForm(event.target);
    if (!form) {
      return;
    }
    var control = form.querySelector("[data-focus]");
    rowFocus = { row: form.closest("tr[id]").id, key: control ? control.getAttribute("data-focus") : "" };
  });

  // Every in-place answer carries HX-Reswap. A refused one (an error page, such as the CSRF
  // layer's 403 after the cookies were cleared) says "none": the row stays and a toast says what
  // to do. One without it is a whole page: after a redirect (the session ended: the sign-in
  // page) the browser goes there; any other HTML page replaces the body, as a boosted request
  // would; anything else is a toast.
  document.addEventListener("htmx:beforeSwap", function (event) {
    // detail.elt is the swap's target here; the form that asked is in requestConfig.
    var form = rowForm(event.detail.requestConfig && event.detail.requestConfig.elt);
    var xhr = event.detail.xhr;
    if (form && xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Reswap") === "none") {
      rowFocus = null;
      event.detail.shouldSwap = false;
      showToast("That did not work; reload the page and try again.");
      return;
    }
    if (!form || !xhr || xhr.getResponseHeader("HX-Reswap") || !event.detail.shouldSwap) {
      return;
    }
    rowFocus = null;
    var sent = new URL(form.getAttribute("hx-post"), window.location.href).pathname;
    if (xhr.responseURL && new URL(xhr.responseURL).pathname !== sent) {
      event.detail.shouldSwap = false;
      window.location.assign(xhr.responseURL);
    } else if (/^text\/html/.test(xhr.getResponseHeader("Content-Type") || "")) {
      event.detail.target = document.body;
      event.detail.swapOverride = "innerHTML";
    } else {
      event.detail.shouldSwap = false;
      showToast("That did not work; reload the page and try again.");
    }
  });

  function forgetRowFocus() {
    rowFocus = null;
  }
  document.addEventListener("htmx:sendError", forgetRowFocus);
  document.addEventListener("htmx:responseError", forgetRowFocus);

  function restoreRowFocus() {
    var wanted = rowFocus;
    rowFocus = null;
    var row = wanted ? document.getElementById(wanted.row) : null;
    if (!row) {
      return;
    }
    var control = null;
    var controls = row.querySelectorAll("[data-focus]");
    for (var i = 0; i < controls.length && !control; i++) {
      if (controls[i].getAttribute("data-focus") === wanted.key) {
        control = controls[i];
      }
    }
    control = control || row.querySelector("[data-focus], a[href]");
    if (control) {
      // The control sits where the pressed one was: no scrolling.
      control.focus({ preventScroll: true });
    }
  }

  // A toast of an in-place answer leaves after a while (it floats over the page); it was read
  // out by the live region when it came.
  function expireToasts(scope) {
    var toasts = scope.querySelectorAll(".toast[data-expires]");
    for (var i = 0; i < toasts.length; i++) {
      var toast = toasts[i];
      toast.removeAttribute("data-expires");
      window.setTimeout(toast.remove.bind(toast), 8000);
    }
  }

  // ---- Filters and sorting apply on change --------------------------------------------------
  // A GET form marked data-autosubmit sends itself when one of its selects changes (its Apply
  // button stays for keyboards and for pages without JavaScript).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLSelectElement) || !field.form) {
      return;
    }
    if (field.form.hasAttribute("data-autosubmit") && typeof field.form.requestSubmit === "function") {
      field.form.requestSubmit();
    }
  });

  // ---- Form parts shown by a choice --------------------------------------------------------
  // A part marked data-show-when="field=value other" (the bill form's estimate range, verified
  // autopay date, due day) shows only while the form's select `field` holds one of the
  // values; a <details> part is opened then. Without JavaScript they are plain sections.
  function showWhenMatches(part) {
    var rule = part.getAttribute("data-show-when") || "";
    var eq = rule.indexOf("=");
    var form = part.closest("form");
    var field = form && eq > 0 ? form.elements.namedItem(rule.slice(0, eq)) : null;
    if (!field || typeof field.value !== "string") {
      return true;
    }
    return rule.slice(eq + 1).split(" ").indexOf(field.value) >= 0;
  }

  function applyShowWhen(scope) {
    var parts = scope.querySelectorAll("[data-show-when]");
    for (var i = 0; i < parts.length; i++) {
      var shown = showWhenMatches(parts[i]);
      parts[i].hidden = !shown;
      if (shown && parts[i] instanceof HTMLDetailsElement) {
        parts[i].open = true;
      }
    }
  }

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field instanceof HTMLSelectElement && field.form && field.form.querySelector("[data-show-when]")) {
      applyShowWhen(field.form);
    }
  });

  // ---- First-run answers pre-filled from the browser ----------------------------------------
  // A field marked data-prefill still holding its server default takes the browser's time
  // zone or language; the person still sees it and saves it (nothing is sent by itself).
  function browserValue(kind) {
    try {
      if (kind === "time-zone") {
        return Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      }
      if (kind === "locale") {
        return navigator.language || "";
      }
    } catch (e) {
      return "";
    }
    return "";
  }

  function prefill(scope) {
    var fields = scope.querySelectorAll("[data-prefill]");
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      var value = browserValue(field.getAttribute("data-prefill"));
      if (value && field.value === field.getAttribute("data-default")) {
        field.value = value;
      }
    }
  }

  // ---- Per-content enhancements (first load and every htmx swap) ----------------------------
  function enhance(scope) {
    prefill(scope);
    applyShowWhen(scope);
    var toggles = scope.querySelectorAll("[data-theme-toggle]");
    for (var t = 0; t < toggles.length; t++) {
      toggles[t].hidden = false;
    }
    applyTheme(storedTheme());
    var toasts = scope.querySelectorAll(".toast");
    for (var k = 0; k < toasts.length; k++) {
      enhanceToast(toasts[k]);
    }
    var summary = scope.querySelector(".error-summary[tabindex]");
    if (summary) {
      summary.focus();
    }
    var finders = scope.querySelectorAll("[data-bill-finder]");
    for (var f = 0; f < finders.length; f++) {
      setUpFinder(finders[f]);
    }
    loadWebAuthn(scope);
  }

  // Pages offering security keys or passkeys name webauthn.js in their <head>; an htmx swap
  // keeps the first page's <head>, so when such a page arrives that way the script is added
  // here, once, with this page's nonce.
  function loadWebAuthn(scope) {
    if (window.btWebAuthn || !scope.querySelector("[data-webauthn-form]")) {
      return;
    }
    if (document.querySelector('script[src="/static/webauthn.js"]')) {
      return;
    }
    var script = document.createElement("script");
    script.src = "/static/webauthn.js";
    script.nonce = NONCE;
    document.head.appendChild(script);
  }

  // ---- Phone "More" menu -------------------------------------------------------------------
  function closeMenus(except) {
    var menus = document.querySelectorAll("details.tab-more");
    for (var m = 0; m < menus.length; m++) {
      if (menus[m] !== except) {
        menus[m].open = false;
      }
    }
  }
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest("details.tab-more") : null;
    closeMenus(inside);
  });

  // ---- Bill finder -------------------------------------------------------------------------
  // A search form (GET /bills?q=) that works without JavaScript; with it, the input becomes a
  // combobox listing the caller's active bills as you type. Bills are fetched once per page
  // from the JSON API and kept only in this page's memory.
  var bills = null;
  var billsRequest = null;

  function loadBills() {
    if (bills) {
      return Promise.resolve(bills);
    }
    if (!billsRequest) {
      billsRequest = fetch("/api/bills", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (list) {
          bills = Array.isArray(list) ? list : [];
          return bills;
        })
        .catch(function () {
          billsRequest = null;
          return [];
        });
    }
    return billsRequest;
  }

  function setUpFinder(form) {
    if (form.getAttribute("data-ready") === "yes") {
      return;
    }
    form.setAttribute("data-ready", "yes");
    var input = form.querySelector("input[type=search]");
    var list = form.querySelector("[role=listbox]");
    if (!input || !list) {
      return;
    }
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    var active = -1;
    var shown = [];

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function mark(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(query) {
      var q = query.trim().toLowerCase();
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      if (!q) {
        close();
        return;
      }
      shown = bills.filter(function (bill) {
        return bill.is_active && String(bill.name).toLowerCase().indexOf(q) >= 0;
      }).slice(0, 8);
      if (shown.length === 0) {
        var none = document.createElement("li");
        none.className = "finder-empty";
        none.textContent = "No bill matches \u201c" + query.trim() + "\u201d";
        list.appendChild(none);
      }
      shown.forEach(function (bill, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-href", "/bills/" + encodeURIComponent(bill.id));
        var name = document.createElement("span");
        name.textContent = bill.name;
        var detail = document.createElement("span");
        detail.className = "finder-detail";
        detail.textContent = bill.expected_amount + " " + bill.currency + (bill.next_due ? " \u00b7 due " + bill.next_due : "");
        option.appendChild(name);
        option.appendChild(detail);
        list.appendChild(option);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      mark(shown.length > 0 ? 0 : -1);
    }

    function go(index) {
      var option = list.querySelectorAll("[role=option]")[index];
      if (option) {
        window.location.assign(option.getAttribute("data-href"));
      }
    }

    input.addEventListener("input", function () {
      loadBills().then(function () {
        render(input.value);
      });
    });
    input.addEventListener("focus", function () {
      loadBills();
    });
    input.addEventListener("keydown", function (event) {
      var count = list.querySelectorAll("[role=option]").length;
      if (event.key === "ArrowDown" && count > 0) {
        event.preventDefault();
        mark((active + 1) % count);
      } else if (event.key === "ArrowUp" && count > 0) {
        event.preventDefault();
        mark((active - 1 + count) % count);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        go(active);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    list.addEventListener("mousedown", function (event) {
      var option = event.target instanceof Element ? event.target.closest("[role=option]") : null;
      if (option) {
        event.preventDefault();
        window.location.assign(option.getAttribute("data-href"));
      }
    });
  }

  function visibleFinder() {
    var inputs = document.querySelectorAll("[data-bill-finder] input[type=search]");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].offsetParent !== null) {
        return inputs[i];
      }
    }
    var more = document.querySelector("details.tab-more");
    if (more && inputs.length > 0) {
      more.open = true;
      return inputs[inputs.length - 1];
    }
    return null;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
      return;
    }
    var target = event.target;
    var typing =
      target instanceof HTMLElement &&
      (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
    var slash = event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey;
    var ctrlK = (event.key === "k" || event.key === "K") && (event.ctrlKey || event.metaKey);
    if (slash || ctrlK) {
      var input = visibleFinder();
      if (input) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    }
  });

  // ---- Back from a step-up -------------------------------------------------------------------
  // A step-up returns to the page that asked for it at the action's form (`#form-id`): its
  // button gets the focus, so the action is one key or tap away from being sent again.
  function focusTargetForm() {
    var id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    var form = id ? document.getElementById(id) : null;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var submit = form.querySelector("button[type=submit], button:not([type])");
    if (submit) {
      submit.focus();
    }
  }

  // ---- Start -------------------------------------------------------------------------------
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      enhance(document);
      focusTargetForm();
    });
  } else {
    enhance(document);
    focusTargetForm();
  }
  document.addEventListener("htmx:afterSettle", function () {
    // A swap may follow a change (a bill added or renamed): fetch the finder's list again.
    bills = null;
    billsRequest = null;
    restoreRowFocus();
    expireToasts(document);
    enhance(document);
    var main = document.getElementById("main");
    var summary = document.querySelector(".error-summary[tabindex]");
    if (main && !summary && !main.contains(document.activeElement)) {
      main.focus({ preventScroll: true });
    }
  });

  // ---- Service worker (installable app; caches static files only) --------------------------
  if ("serviceWorker" in navigator && window.isSecureContext) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {
        // No offline shell; the app works the same online.
      });
    });
  }
})();
