// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function focusTop(root) {
    var target = root.querySelector(".error-summary") || root.querySelector("h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  function enableCopy(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      var field = document.getElementById(button.getAttribute("data-copy-target"));
      var status = button.closest("section").querySelector(".copy-status");
      button.hidden = false;
      button.addEventListener("click", function () {
        field.select();
        var done = function () { if (status) status.textContent = "Link copied."; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
          });
        } else {
          if (status) status.textContent = "Press Ctrl+C (or ⌘C) to copy the selected link.";
        }
      });
    });
  }

  // A link in the error summary moves focus to the first choice of its question, not only the scroll.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".error-summary a[href^='#']");
    if (!link) return;
    var input = document.getElementById(link.getAttribute("href").slice(1));
    if (!input) return;
    window.setTimeout(function () { input.focus(); }, 0);  // after the browser has followed the link
  });

  document.addEventListener("DOMContentLoaded", function () {
    enableCopy(document);
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });

  // Before a step is sent, write its choices into the current history entry, so that the browser's
  // back button returns to this step with them still selected.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!form.matches || !form.matches("form.step-form")) return;
    var params = new URLSearchParams(new FormData(form));
    var returning = new URLSearchParams(location.search).get("return");
    if (returning) params.set("return", returning);  // a step opened from the check page returns there
    var query = params.toString();
    history.replaceState({ htmx: true }, "", location.pathname + (query ? "?" + query : ""));
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail.target !== main) return;
    window.scrollTo(0, 0);
    enableCopy(main);
    focusTop(main);  // screen readers read the newly focused heading (or error summary): that is the announcement
  });
})();
