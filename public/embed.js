/*! sealform embed loader. Put on the firm's page:
 *
 *   <div id="intake"></div>
 *   <script src="https://forms.example/embed.js" data-sealform data-target="#intake" data-pin="KID"></script>
 *
 * Isolated mode (the default) turns the tag into an iframe of the form's own origin, so no script of the firm's
 * page (analytics, session replay, a compromised plugin) can read what the client types. The iframe reports only
 * its height and, after sending, the receipt id; both messages are accepted only from the form's origin and
 * window. See docs/EMBEDDING.md.
 *
 * Attributes: data-target (CSS selector to mount in; default: right after this tag), data-pin (key id(s) the form
 * may seal to, comma separated), data-config (the config's path on the form's origin; the form refuses any other
 * origin), data-lang (the language to show the form in, e.g. "es", when the form offers it; else the client's
 * browser languages choose), data-title (the iframe's accessible name), data-mode="inline" (mount in the page
 * itself; read the trade-off in docs/EMBEDDING.md first).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) {
    return;
  }
  var formUrl = new URL(".", script.src);
  var formOrigin = formUrl.origin;
  var data = script.dataset;

  function host() {
    if (data.target) {
      var target = document.querySelector(data.target);
      if (target) {
        return target;
      }
      console.error("sealform: data-target " + data.target + " matches nothing; mounting after the script tag");
    }
    var box = document.createElement("div");
    script.parentNode.insertBefore(box, script.nextSibling);
    return box;
  }

  function announce(element, receipt) {
    element.dispatchEvent(
      new CustomEvent("sealform:submitted", { bubbles: true, composed: true, detail: { receipt: receipt } })
    );
  }

  function isolated(box) {
    var src = new URL("index.html", formUrl);
    src.searchParams.set("origin", window.location.origin);
    if (data.pin) {
      src.searchParams.set("pin", data.pin);
    }
    if (data.config) {
      src.searchParams.set("config", data.config);
    }
    if (data.lang) {
      src.searchParams.set("lang", data.lang);
    }
    var frame = document.createElement("iframe");
    frame.src = src.href;
    frame.title = data.title || "Secure intake form";
    frame.className = "sealform-frame";
    frame.referrerPolicy = "no-referrer";
    // Scripts and same-origin: the form runs and reaches its own origin (its config and the receiver). Forms:
    // native submit events. Downloads: the receipt and the sealed copy. Popups that escape the sandbox: the
    // privacy-notice link opens as a normal tab. Nothing else: no top navigation, no modals, no pointer lock.
    frame.setAttribute(
      "sandbox",
      "allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox"
    );
    // No camera, microphone, geolocation, payment or anything else a form never needs.
    frame.setAttribute("allow", "camera 'none'; microphone 'none'; geolocation 'none'; payment 'none'; usb 'none'");
    frame.setAttribute("loading", "eager");
    frame.width = "100%";
    frame.height = "900";
    frame.setAttribute("frameborder", "0");
    box.appendChild(frame);

    window.addEventListener("message", function (event) {
      // Only the form's own window, from the form's own origin.
      if (event.origin !== formOrigin || event.source !== frame.contentWindow) {
        return;
      }
      var message = event.data;
      if (!message || typeof message.type !== "string") {
        return;
      }
      if (message.type === "sealform:height" && typeof message.height === "number" && message.height > 0) {
        frame.height = String(Math.min(Math.ceil(message.height), 100000));
      } else if (message.type === "sealform:submitted" && /^[0-9a-f]{64}$/.test(String(message.receipt))) {
        announce(frame, message.receipt);
      }
    });
  }

  function inline(box) {
    // The form's module and wasm come from the form's origin; the firm's page must allow that origin in its
    // script-src and connect-src, plus 'wasm-unsafe-eval'.
    // The build puts its content-hashed names in place of these two (scripts/embed-names.sh).
    var glue = new URL("sealform-form.js", formUrl).href;
    import(glue)
      .then(function (module) {
        return module.default({ module_or_path: new URL("sealform-form_bg.wasm", formUrl).href }).then(function () {
          // The form resolves data-config against its own URL and refuses it unless it stays on the form's origin
          // (the parser drops tabs and newlines, so only the resolved URL's origin tells).
          module.mount_inline(box, formUrl.href, data.config || "", data.pin || "", data.lang || "");
        });
      })
      .catch(function (error) {
        console.error("sealform: could not load the form from " + formOrigin + ": " + error);
      });
  }

  var box = host();
  if (data.mode === "inline") {
    inline(box);
  } else {
    isolated(box);
  }
})();
