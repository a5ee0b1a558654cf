/* admin.js - administration pages (progressive enhancements; every page
 * works without JavaScript; no inline script under the CSP):
 * - a file input with data-fill="<textarea id>" copies the chosen text file
 *   into that textarea (the zones CSV import posts a urlencoded form); a file
 *   too large is refused next to the input;
 * - a form with data-progress="<status id>" says, once submitted, that the
 *   long operation is running (data-progress-text). */
(function () {
  'use strict';
  var MAX = 1024 * 1024;

  /* Shows (text) or clears (empty) the message next to a file input. */
  function uploadError(input, text) {
    var group = input.closest('.fr-upload-group');
    var p = document.getElementById(input.id + '-error');
    if (group) { group.classList.toggle('fr-upload-group--error', !!text); }
    if (p) { p.textContent = text || ''; p.hidden = !text; }
    if (text) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', input.id + '-error');
    } else {
      input.removeAttribute('aria-invalid');
      input.removeAttribute('aria-describedby');
    }
  }

  document.addEventListener('change', function (ev) {
    var input = ev.target;
    if (!input || !input.getAttribute || !input.getAttribute('data-fill') || !input.files || !input.files[0]) {
      return;
    }
    var target = document.getElementById(input.getAttribute('data-fill'));
    var file = input.files[0];
    if (!target) {
      return;
    }
    if (file.size > MAX) {
      uploadError(input, 'Ce fichier dépasse 1 Mo : découpez-le en plusieurs imports.');
      input.value = '';
      input.focus();
      return;
    }
    uploadError(input, '');
    var reader = new FileReader();
    reader.onload = function () { target.value = String(reader.result || ''); };
    reader.readAsText(file, 'utf-8');
  });

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    var status = form.getAttribute && document.getElementById(form.getAttribute('data-progress') || '');
    if (!status) {
      return;
    }
    var text = form.getAttribute('data-progress-text') || 'Traitement en cours…';
    form.setAttribute('aria-busy', 'true');
    status.textContent = '';
    var alert = document.createElement('div');
    alert.className = 'fr-alert fr-alert--info fr-alert--sm';
    var p = document.createElement('p');
    p.textContent = text;
    alert.appendChild(p);
    status.appendChild(alert);
  });
  window.addEventListener('pageshow', function () {
    document.querySelectorAll('form[data-progress]').forEach(function (form) {
      form.removeAttribute('aria-busy');
      var status = document.getElementById(form.getAttribute('data-progress'));
      if (status) { status.textContent = ''; }
    });
  });
}());
