// rdv-solidarites, exports page: say that the file is being prepared (progressive enhancement).
// The page cannot know when a download ends: on submit the form is marked busy and a status
// message appears; both are cleared as soon as the form is used again. Without JavaScript the
// buttons simply download the file.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form[data-export-status]").forEach(function (form) {
    var status = document.getElementById(form.getAttribute("data-export-status"));
    if (!status) return;
    function clear() {
      form.removeAttribute("aria-busy");
      status.textContent = "";
    }
    form.addEventListener("submit", function () {
      form.setAttribute("aria-busy", "true");
      status.textContent = "";
      var alert = document.createElement("div");
      alert.className = "fr-alert fr-alert--info fr-alert--sm";
      var p = document.createElement("p");
      p.textContent = "Préparation du fichier… Le téléchargement démarre dès que le fichier est prêt.";
      alert.appendChild(p);
      status.appendChild(alert);
    });
    form.addEventListener("input", clear);
    form.addEventListener("change", clear);
    window.addEventListener("pageshow", clear);
  });
});
