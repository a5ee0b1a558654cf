// rdv-solidarites, public search: address autocomplete (progressive enhancement).
// Without JavaScript the form sends the typed address and the server geocodes it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[data-autocomplete]").forEach(function (input) {
    var url = input.getAttribute("data-autocomplete");
    var list = document.getElementById(input.getAttribute("list") || "");
    if (!list) {
      list = document.createElement("datalist");
      list.id = input.id + "-suggestions";
      input.parentNode.appendChild(list);
      input.setAttribute("list", list.id);
    }
    var found = {}, timer = null, last = "";
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (q.length < 3 || q === last || found[q]) return;
      clearTimeout(timer);
      timer = setTimeout(function () {
        last = q;
        fetch(url + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (data) {
            list.textContent = "";
            (data.results || []).forEach(function (a) {
              found[a.label] = a;
              var o = document.createElement("option");
              o.value = a.label;
              list.appendChild(o);
            });
          })
          .catch(function () { /* the server geocodes on submit */ });
      }, 150);
    });
    var form = input.form;
    if (!form) return;
    form.addEventListener("submit", function () {
      var a = found[input.value.trim()];
      if (!a) return;
      [["city_code", a.city_code], ["street_ban_id", a.street_ban_id], ["lat", a.lat], ["lon", a.lon]]
        .forEach(function (kv) {
          if (kv[1] === undefined || kv[1] === null || form.elements[kv[0]]) return;
          var h = document.createElement("input");
          h.type = "hidden";
          h.name = kv[0];
          h.value = String(kv[1]);
          form.appendChild(h);
        });
    });
  });
});
