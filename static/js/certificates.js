// Certificate page enhancements: the "copy link" button. Without JavaScript the readonly link
// field stays usable by hand, so the button is only shown once this script runs.
(function () {
  "use strict";

  function announce(button, text) {
    // Shown beside the button, and said by the page's live region (base.html).
    var status = document.getElementById("copy-link-status");
    var region = document.getElementById("live-status");
    if (status) { status.textContent = text; }
    if (region) {
      region.textContent = "";
      // A fresh text node after clearing makes screen readers announce a repeated message.
      window.setTimeout(function () { region.textContent = text; }, 50);
    }
  }

  function copy(button) {
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    if (!input) { return; }
    var copied = button.getAttribute("data-copied-text");
    var failed = button.getAttribute("data-failed-text");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(
        function () { announce(button, copied); },
        function () { input.select(); announce(button, failed); }
      );
      return;
    }
    input.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    announce(button, ok ? copied : failed);
  }

  function init(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      if (button.dataset.copyReady) { return; }
      button.dataset.copyReady = "1";
      button.hidden = false;
      button.addEventListener("click", function () { copy(button); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
