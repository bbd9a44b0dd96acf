// What every page does with htmx swaps and disclosures, for keyboard and screen reader users:
// - focus: an answer names the element the learner acts on next with `autofocus` (htmx focuses
//   it when the swap settles, `htmx.autofocus` in Python). When an answer names none and the
//   swap removed the focused element, the swapped part itself takes the focus, never <body>;
// - the live region (#live-region in base.html) holds the words of the last answer only, so
//   each confirmation or count is said once: answers add them out of band (`announce`);
// - an open <details> (the account menu, a folder's Rename) closes with Escape and gives the
//   focus back to its summary.
(function () {
  "use strict";

  var focused = null;    // what had the focus when the answer came, while its swap runs
  var spoken = false;    // this answer has already emptied the live region

  document.addEventListener("htmx:beforeSwap", function () {
    var active = document.activeElement;
    focused = active && active !== document.body ? active : null;
    spoken = false;
  });

  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var region = document.getElementById("live-region");
    if (!spoken && region && region.contains(event.detail.target)) {
      spoken = true;
      Array.prototype.forEach.call(region.children, function (part) { part.textContent = ""; });
    }
  });

  function swappedFor(event) {
    // The element the answer replaced (outerHTML, same id) or filled (innerHTML).
    var target = event.detail && event.detail.target;
    var element = event.target;
    return target && (element === target || (target.id && element.id === target.id));
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var active = document.activeElement;
    if (!focused || focused.isConnected || (active && active !== document.body)) { return; }
    if (!swappedFor(event) || !event.target.isConnected) { return; }
    focused = null;
    var place = event.target;
    if (!place.hasAttribute("tabindex")) { place.setAttribute("tabindex", "-1"); }
    place.focus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var open = event.target.closest && event.target.closest("details[open]");
    if (!open) { return; }
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary) { summary.focus(); }
    event.preventDefault();
  });
})();
