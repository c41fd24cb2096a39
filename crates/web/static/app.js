// BillTracker progressive enhancement. Every page works without this file; it only adds:
// - a theme toggle (system / dark / light) remembered in localStorage,
// - a native <dialog> confirmation for forms carrying `data-confirm="question"`,
// - dismiss buttons on toasts and floating toasts,
// - focus on an error summary so screen readers and keyboards land on it,
// - Escape / outside click closing the phone "More" menu.
// It runs under a strict CSP: loaded as an external file with the page's nonce, no eval, no
// inline handlers, no innerHTML (all text goes through textContent).
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.add("js");

  // ---- Theme -------------------------------------------------------------------------------
  var THEME_KEY = "bt-theme";
  var THEMES = ["system", "dark", "light"];
  var LABELS = { system: "System", dark: "Dark", light: "Light" };

  function storedTheme() {
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

  var toggles = document.querySelectorAll("[data-theme-toggle]");
  for (var t = 0; t < toggles.length; t++) {
    toggles[t].hidden = false;
    toggles[t].addEventListener("click", function () {
      var next = THEMES[(THEMES.indexOf(storedTheme()) + 1) % THEMES.length];
      try {
        window.localStorage.setItem(THEME_KEY, next);
      } catch (e) {
        // Storage may be disabled; the choice then lasts for this page only.
      }
      applyTheme(next);
    });
  }

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
    if (dialog) {
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

  document.addEventListener("submit", function (event) {
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
      }
      return;
    }
    event.preventDefault();
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
  });

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

  var toasts = document.querySelectorAll(".toast");
  for (var k = 0; k < toasts.length; k++) {
    enhanceToast(toasts[k]);
  }

  // ---- Error summary focus -----------------------------------------------------------------
  var summary = document.querySelector(".error-summary[tabindex]");
  if (summary) {
    summary.focus();
  }

  // ---- Phone "More" menu -------------------------------------------------------------------
  var menus = document.querySelectorAll("details.tab-more");
  function closeMenus(except) {
    for (var m = 0; m < menus.length; m++) {
      if (menus[m] !== except) {
        menus[m].open = false;
      }
    }
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      closeMenus(null);
    }
  });
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest("details.tab-more") : null;
    closeMenus(inside);
  });
})();
