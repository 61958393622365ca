/* Small helpers for the citizen's forms: move the focus to the error summary when a page comes
   back with errors (its links lead to the fields), and check a file's size as soon as it is
   chosen (input[data-max-bytes]), before a long upload the server would refuse. */
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  }
  function checkSize(event) {
    var input = event.target;
    if (!input.matches || !input.matches("input[type=file][data-max-bytes]")) { return; }
    var limit = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = "";
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!message && limit && file.size > limit) {
        message = (input.getAttribute("data-too-big") || "Tệp quá lớn: ") + file.name;
      }
    });
    input.setCustomValidity(message);
    if (message) { input.reportValidity(); }
  }
  document.addEventListener("change", checkSize);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
