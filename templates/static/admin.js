/* admin.js - administration pages: a file input with data-fill="<textarea id>"
 * copies the chosen text file into that textarea (the zones CSV import posts
 * a urlencoded form; no inline script under the CSP). */
(function () {
  'use strict';
  var MAX = 1024 * 1024;
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
      window.alert('Ce fichier dépasse 1 Mo : découpez-le en plusieurs imports.');
      input.value = '';
      return;
    }
    var reader = new FileReader();
    reader.onload = function () { target.value = String(reader.result || ''); };
    reader.readAsText(file, 'utf-8');
  });
}());
