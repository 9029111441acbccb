// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function focusTop(root) {
    // A question opened from the check page focuses its answer; otherwise the error summary, else the heading.
    var target = root.querySelector(".error-summary") || root.querySelector("input[autofocus]") || root.querySelector("h1");
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
        var say = function (text) { if (status) status.textContent = text; };
        var selectIt = function () {  // the fallback: show the text selected, for the keyboard to copy
          var folded = field.closest("details");
          if (folded) folded.open = true;
          field.focus();
          field.select();
          say("Press Ctrl+C (or ⌘C) to copy the selected text.");
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () {
            say(button.getAttribute("data-copied") || "Copied.");
          }, selectIt);
        } else {
          selectIt();
        }
      });
    });
  }

  // A link in the error summary moves focus into its question (the chosen answer, else the first), keeping
  // the question's legend in view. A link to a folded section of a result opens it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) return;
    var folded = target.matches("details") ? target : target.closest("details");
    if (folded) folded.open = true;
    if (!link.closest(".error-summary") || !target.matches(".question")) return;
    var input = target.querySelector("input:checked") || target.querySelector("input");
    window.setTimeout(function () {  // after the browser has followed the link
      if (input) input.focus({ preventScroll: true });
      target.scrollIntoView({ block: "start" });
    }, 0);
  });

  document.addEventListener("DOMContentLoaded", function () {
    enableCopy(document);
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  });

  // Keep a step's choices in its history entry as they are made, so that Back (and Back then Forward)
  // returns to the step with them still selected, as the browser does without JavaScript.
  function remember(form) {
    var params = new URLSearchParams(new FormData(form));
    var returning = new URLSearchParams(location.search).get("return");
    if (returning) params.set("return", returning);  // a step opened from the check page returns there
    var query = params.toString();
    history.replaceState({ htmx: true }, "", location.pathname + (query ? "?" + query : "") + location.hash);
  }
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form.step-form");
    if (form) remember(form);
  });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.matches && form.matches("form.step-form")) remember(form);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var main = document.getElementById("main");
    if (event.detail.target !== main) return;
    window.scrollTo(0, 0);
    enableCopy(main);
    focusTop(main);  // screen readers read the newly focused heading (or error summary): that is the announcement
  });
})();
