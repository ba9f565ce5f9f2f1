// Seat and ledger expansions on the Metronome pages: a second click or Escape closes one, several
// may be open at once, and focus goes back to the control that opened it. Without JavaScript the
// links open full pages instead.
(function () {
  "use strict";
  function controlFor(panel) {
    return document.querySelector('a[data-expand][aria-controls="' + panel.id + '"]');
  }
  function close(control) {
    var panel = document.getElementById(control.getAttribute("aria-controls"));
    if (panel) panel.replaceChildren();
    control.setAttribute("aria-expanded", "false");
    control.focus();
  }
  // Capture phase: runs before htmx's own click handler on the link, so an open panel closes
  // instead of being fetched again.
  document.addEventListener("click", function (event) {
    var control = event.target.closest && event.target.closest("a[data-expand]");
    if (!control || control.getAttribute("aria-expanded") !== "true") return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    event.stopPropagation();
    close(control);
  }, true);
  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = event.detail.target;
    var control = panel && panel.id ? controlFor(panel) : null;
    if (control) control.setAttribute("aria-expanded", panel.childElementCount ? "true" : "false");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = Array.prototype.slice.call(
      document.querySelectorAll('a[data-expand][aria-expanded="true"]'));
    if (!open.length) return;
    // The innermost open panel holding the focus, else the last one opened on the page.
    var focused = document.activeElement;
    var inside = open.filter(function (c) {
      var p = document.getElementById(c.getAttribute("aria-controls"));
      return p && (p.contains(focused) || c === focused);
    });
    var target = inside.length ? inside[inside.length - 1] : open[open.length - 1];
    event.preventDefault();
    close(target);
  });
})();
