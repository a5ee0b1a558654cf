// rdv-solidarites: progressive enhancements only; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that ask for confirmation before a dangerous action.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
});
