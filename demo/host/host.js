// The firm's own page script: it hears that the form was sent (the receipt id only, never any answer) and says so.
// Tests read #host-receipt, and window.sealformViolations collects any Content-Security-Policy violations.
(function () {
  "use strict";
  window.sealformViolations = [];
  document.addEventListener("securitypolicyviolation", function (event) {
    window.sealformViolations.push(event.violatedDirective + " " + event.blockedURI);
  });
  document.addEventListener("sealform:submitted", function (event) {
    var note = document.getElementById("host-receipt");
    // The client's reference is shown in the form itself; the page only acknowledges.
    note.textContent = "Thank you. Your form reached us securely; keep the reference shown in the form.";
    note.setAttribute("data-receipt", event.detail.receipt);
    note.hidden = false;
  });
})();
