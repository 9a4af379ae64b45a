// The few behaviours of motcua's pages that are not HTMX, as a static file: the
// Content-Security-Policy allows no inline script or event-handler attribute (README,
// "Security headers"). Delegated from the document, so parts swapped in by HTMX work too.
//   <select data-autosubmit>   sends its form when the choice changes (the language switch)
//   <button data-print>        prints the page
"use strict";
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
    target.form.submit();
  }
});
document.addEventListener("click", function (event) {
  var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (target) {
    window.print();
  }
});
//   <div data-error-summary tabindex="-1">   the form's error summary: focused on load, so a
//   screen reader reads it first and Tab goes on to its links to the fields
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary instanceof HTMLElement) {
    summary.focus();
  }
});
