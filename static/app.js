// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function focusTop(root) {
    var target = root.querySelector(".error-summary") || root.querySelector("h1");
    if (!target) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }

  function announce(text) {
    var region = document.getElementById("announcer");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 100);
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
    var query = new URLSearchParams(new FormData(form)).toString();
    history.replaceState({ htmx: true }, "", location.pathname + (query ? "?" + query : ""));
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail.target !== main) return;
    window.scrollTo(0, 0);
    enableCopy(main);
    focusTop(main);
    announce(document.title.split(" – ")[0]);
  });
})();
