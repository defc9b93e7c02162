// Passkeys (WebAuthn): the JSON options from the server become the ArrayBuffers that
// navigator.credentials wants, and the credential goes back as JSON (base64url fields).
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) return; // the box stays hidden

  function toBytes(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const raw = atob(base64 + "===".slice((base64.length + 3) % 4));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0)).buffer;
  }
  function toText(buffer) {
    const raw = String.fromCharCode.apply(null, new Uint8Array(buffer));
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function post(box, url, body) {
    const token = box.querySelector("[name=csrfmiddlewaretoken]").value;
    return fetch(url, {
      method: "POST", credentials: "same-origin", body: JSON.stringify(body || {}),
      headers: {"Content-Type": "application/json", "X-CSRFToken": token},
    }).then((r) => r.json().then((data) => ({ok: r.ok, data: data})));
  }
  function credentialJSON(credential) {
    const r = credential.response;
    const response = {clientDataJSON: toText(r.clientDataJSON)};
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    return {id: credential.id, rawId: toText(credential.rawId), type: credential.type,
            response: response, clientExtensionResults: {}};
  }
  function descriptors(list) {
    return (list || []).map((d) => Object.assign({}, d, {id: toBytes(d.id)}));
  }
  function go(url) {
    const target = new URL(url, window.location.href);
    window.location.assign(target);
    // Only the #fragment differs (the profile page adds to itself): nothing was loaded.
    if (target.pathname + target.search === window.location.pathname + window.location.search) {
      window.location.reload();
    }
  }
  function run(box, button, ceremony) {
    const error = box.querySelector("[data-passkey-error]");
    button.addEventListener("click", function () {
      error.hidden = true;
      button.disabled = true;
      ceremony()
        .then(function (result) {
          if (result.ok) { go(result.data.redirect); return; }
          throw new Error(result.data.error || box.dataset.cancelled);
        })
        .catch(function (e) {
          error.textContent = e instanceof DOMException ? box.dataset.cancelled : e.message;
          error.hidden = false;
          button.disabled = false;
        });
    });
  }

  document.querySelectorAll("[data-passkey-sign-in]").forEach(function (box) {
    box.hidden = false;
    run(box, box.querySelector("button"), function () {
      return post(box, box.dataset.options).then(function (options) {
        const o = options.data;
        o.challenge = toBytes(o.challenge);
        o.allowCredentials = descriptors(o.allowCredentials);
        return navigator.credentials.get({publicKey: o});
      }).then(function (credential) {
        const body = credentialJSON(credential);
        body.next = box.dataset.next;
        return post(box, box.dataset.finish, body);
      });
    });
  });

  document.querySelectorAll("[data-passkey-add]").forEach(function (box) {
    box.hidden = false;
    const form = box.querySelector("form");
    run(box, form.querySelector("button"), function () {
      return post(box, box.dataset.options).then(function (options) {
        if (!options.ok) return options;
        const o = options.data;
        o.challenge = toBytes(o.challenge);
        o.user.id = toBytes(o.user.id);
        o.excludeCredentials = descriptors(o.excludeCredentials);
        return navigator.credentials.create({publicKey: o}).then(function (credential) {
          const name = form.querySelector("[name=name]").value;
          return post(box, box.dataset.finish, {name: name, credential: credentialJSON(credential)});
        });
      });
    });
  });
})();
