// Security keys and passkeys (WebAuthn) for the pages that offer them: the sign-in page ("Sign
// in with a passkey"), the second step of signing in ("Use your security key"), "confirm it's
// you" and the security page ("Add a security key or passkey"). Loaded only by those pages
// (with the page's nonce; after an htmx swap app.js adds it when such a page arrives).
//
// A ceremony is a submit button carrying:
//   data-webauthn="create|get"     register a new credential, or sign with one
//   data-webauthn-start="/api/…"   POST (JSON, CSRF header) answering {publicKey, handle?}
//   data-webauthn-into="field"     the hidden input that receives credential.toJSON()
//   data-webauthn-send="a b"       form fields sent to the start call (e.g. the key's name)
//   data-webauthn-clear="a b"      form fields emptied before submitting (other factors)
//   data-webauthn-reauth="/…"      where to go when the start call answers reauth_required
//   data-webauthn-expired="/…"     where to go when it answers 401 (the sign-in expired)
// Clicking it asks the server for options, hands them to navigator.credentials
// (PublicKeyCredential.parse…OptionsFromJSON, toJSON: no hand-written base64), puts the
// answer into the form and submits the form natively; the server checks everything.
// Each such form names the one origin the server accepts (data-webauthn-origin, from
// PUBLIC_URL). Without JavaScript, in a browser without these APIs, or on a page opened at
// another address, the buttons and their forms stay hidden and the other ways in remain. No
// eval, no inline code, text only via textContent.
(function () {
  "use strict";

  if (window.btWebAuthn) {
    return; // Already loaded (a full page load and an htmx swap may both ask for it).
  }
  window.btWebAuthn = true;

  function supported() {
    return (
      window.isSecureContext &&
      typeof window.PublicKeyCredential === "function" &&
      typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
      typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function" &&
      !!navigator.credentials
    );
  }

  // The server accepts ceremonies from one origin (its PUBLIC_URL), which each form names:
  // opened at another address (an IP instead of the name, another port), a key would be
  // refused, so nothing is offered.
  function here(element) {
    var form = element.closest("form");
    return !!form && form.getAttribute("data-webauthn-origin") === window.location.origin;
  }

  function reveal() {
    if (!supported()) {
      return;
    }
    var hidden = document.querySelectorAll("[data-webauthn-form][hidden], [data-webauthn][hidden]");
    for (var i = 0; i < hidden.length; i++) {
      if (here(hidden[i])) {
        hidden[i].hidden = false;
      }
    }
  }

  function say(form, text) {
    var status = form.querySelector("[data-webauthn-status]");
    if (status) {
      status.textContent = text;
    }
  }

  // JSON without nulls: the WebIDL dictionaries behind parse…FromJSON refuse null members.
  function clean(value) {
    if (Array.isArray(value)) {
      return value.map(clean);
    }
    if (value && typeof value === "object") {
      var out = {};
      Object.keys(value).forEach(function (key) {
        if (value[key] !== null && value[key] !== undefined) {
          out[key] = clean(value[key]);
        }
      });
      return out;
    }
    return value;
  }

  function words(list) {
    return (list || "").split(" ").filter(function (word) {
      return word.length > 0;
    });
  }

  function field(form, name) {
    var element = form.elements.namedItem(name);
    return element && "value" in element ? element : null;
  }

  function explain(error) {
    switch (error && error.name) {
      case "NotAllowedError":
        return "The request was cancelled or timed out. Try again.";
      case "InvalidStateError":
        return "This key is already registered to your account.";
      case "SecurityError":
        return "This browser refuses security keys at this address. Open BillTracker at its public address and try again.";
      case "NotSupportedError":
        return "This key or browser does not support what is needed (a PIN or biometric check).";
      default:
        return (error && error.message) || "That did not work. Try again.";
    }
  }

  async function start(form, button) {
    var body = {};
    words(button.getAttribute("data-webauthn-send")).forEach(function (name) {
      var input = field(form, name);
      body[name] = input ? input.value : "";
    });
    var csrf = field(form, "csrf_token");
    var response = await fetch(button.getAttribute("data-webauthn-start"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        accept: "application/json",
        "content-type": "application/json",
        "x-csrf-token": csrf ? csrf.value : "",
      },
      body: JSON.stringify(body),
    });
    var answer = await response.json().catch(function () {
      return {};
    });
    if (response.ok) {
      return answer;
    }
    var reauth = button.getAttribute("data-webauthn-reauth");
    var expired = button.getAttribute("data-webauthn-expired");
    if (answer.code === "reauth_required" && reauth) {
      window.location.assign(reauth);
      return null;
    }
    if (response.status === 401 && expired) {
      window.location.assign(expired);
      return null;
    }
    throw new Error(answer.detail || "The server did not start the request (" + response.status + ").");
  }

  async function ceremony(form, button) {
    if (!form.reportValidity()) {
      return;
    }
    button.disabled = true;
    say(form, "Follow the prompts of your browser and your security key.");
    try {
      var options = await start(form, button);
      if (!options) {
        return;
      }
      var credential;
      if (button.getAttribute("data-webauthn") === "create") {
        credential = await navigator.credentials.create({
          publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(clean(options.publicKey)),
        });
      } else {
        credential = await navigator.credentials.get({
          publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(clean(options.publicKey)),
        });
      }
      if (!credential) {
        throw new Error("No key answered. Try again.");
      }
      var into = field(form, button.getAttribute("data-webauthn-into") || "credential");
      if (!into) {
        throw new Error("This page cannot take the key's answer.");
      }
      into.value = JSON.stringify(credential.toJSON());
      var handle = field(form, "handle");
      if (handle && options.handle) {
        handle.value = options.handle;
      }
      words(button.getAttribute("data-webauthn-clear")).forEach(function (name) {
        var input = field(form, name);
        if (input) {
          input.value = "";
        }
      });
      say(form, "Checking…");
      // A native submission (no submit event, so htmx leaves it alone): the server answers
      // with the next page, or this one again with what went wrong.
      HTMLFormElement.prototype.submit.call(form);
    } catch (error) {
      say(form, explain(error));
      button.disabled = false;
    }
  }

  // Capture phase: before htmx's boosted-form handler and app.js's confirmation dialog.
  document.addEventListener(
    "submit",
    function (event) {
      var button = event.submitter;
      if (!button || !button.hasAttribute("data-webauthn") || !supported() || !here(button)) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      ceremony(event.target, button);
    },
    true
  );

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", reveal);
  } else {
    reveal();
  }
  document.addEventListener("htmx:afterSettle", reveal);
})();
