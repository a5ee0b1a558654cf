// rdv-solidarites: progressive enhancements only; every page works without JavaScript.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Buttons that ask for confirmation before a dangerous action.
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    el.addEventListener("click", function (ev) {
      if (!window.confirm(el.getAttribute("data-confirm"))) ev.preventDefault();
    });
  });
  document.querySelectorAll("[data-usager-picker]").forEach(usagerPicker);
});

// The usager picker (booking/rdv_usager_picker.tmpl): without JavaScript a
// search field and a "Rechercher" button that sends the form back with matches
// to tick; with it, an ARIA 1.2 combobox (list autocomplete) over
// usagers/search.json, the chosen usagers as chips holding hidden inputs named
// data-field. data-single: one usager at most (a new choice replaces it).
function usagerPicker(root) {
  var url = root.getAttribute("data-search-url");
  var field = root.getAttribute("data-field") || "user_ids";
  var single = root.hasAttribute("data-single");
  var input = root.querySelector("#usager_q");
  var chips = root.querySelector("#usager-chips");
  if (!url || !input || !chips) return;
  var button = root.querySelector("[data-picker-search]");
  if (button) button.remove();
  var hint = root.querySelector(".rdv-usager-search .fr-hint-text");
  if (hint) hint.id = "usager_q-hint";

  var list = document.createElement("ul");
  list.id = "usager-listbox";
  list.className = "rdv-listbox";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Usagers trouvés");
  list.hidden = true;
  var status = document.createElement("p");
  status.className = "fr-sr-only";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  input.insertAdjacentElement("afterend", list);
  root.appendChild(status);

  input.removeAttribute("name");   // the search text is not part of the RDV
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  if (hint) input.setAttribute("aria-describedby", hint.id);

  var results = [], active = -1, seq = 0, timer = null;

  function say(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }
  function picked(id) {
    return chips.querySelector('input[type="hidden"][name="' + field + '"][value="' + id + '"]') !== null;
  }
  function makeChip(id, label) {
    var li = document.createElement("li");
    li.className = "rdv-chip";
    var text = document.createElement("span");
    text.textContent = label;
    var hidden = document.createElement("input");
    hidden.type = "hidden";
    hidden.name = field;
    hidden.value = String(id);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-close-line rdv-chip__remove";
    remove.title = "Retirer " + label;
    remove.textContent = "Retirer " + label;
    remove.addEventListener("click", function () {
      li.remove();
      say(label + (single ? " retiré(e)." : " retiré(e) du rendez-vous."));
      input.focus();
    });
    li.append(text, hidden, remove);
    return li;
  }
  // the usagers already chosen (checked boxes of the page) become chips
  chips.querySelectorAll('input[name="' + field + '"]').forEach(function (box) {
    var label = root.querySelector('label[for="' + box.id + '"]');
    var li = box.closest("li");
    if (box.checked && box.value) li.replaceWith(makeChip(box.value, label ? label.textContent : box.value));
    else li.remove();
  });

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function setActive(i) {
    var opts = list.querySelectorAll('[role="option"]');
    if (!opts.length) return;
    active = (i + opts.length) % opts.length;
    opts.forEach(function (o, k) { o.setAttribute("aria-selected", k === active ? "true" : "false"); });
    input.setAttribute("aria-activedescendant", opts[active].id);
    opts[active].scrollIntoView({ block: "nearest" });
  }
  function choose(u) {
    if (picked(u.id)) {
      say(u.name + " est déjà choisi(e).");
    } else {
      if (single) chips.textContent = "";
      chips.appendChild(makeChip(u.id, u.label));
      say(u.name + (single ? " choisi(e)." : " ajouté(e) au rendez-vous."));
    }
    input.value = "";
    close();
    input.focus();
  }
  // proches right under their responsable when both are found
  function ordered(users) {
    var byId = {}, out = [];
    users.forEach(function (u) { byId[u.id] = u; });
    users.forEach(function (u) {
      if (u.responsible_id && byId[u.responsible_id]) return;
      out.push(u);
      users.forEach(function (p) { if (p.responsible_id === u.id) out.push(p); });
    });
    return out;
  }
  function render(users) {
    results = ordered(users);
    list.textContent = "";
    results.forEach(function (u, k) {
      var li = document.createElement("li");
      li.id = "usager-option-" + u.id;
      li.className = "rdv-option" + (u.responsible_id ? " rdv-option--proche" : "");
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.id = String(u.id);
      var name = document.createElement("span");
      name.className = "rdv-option__name";
      name.textContent = u.name;
      var details = [];
      if (u.birth_date) details.push("né(e) le " + u.birth_date);
      if (u.phone) details.push(u.phone);
      if (u.responsible_id) details.push("proche de " + (u.responsible_label || ""));
      if (picked(u.id)) details.push("déjà choisi(e)");
      var small = document.createElement("span");
      small.className = "rdv-option__details";
      small.textContent = details.join(" · ");
      li.append(name, small);
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
      li.addEventListener("click", function () { choose(results[k]); });
      list.appendChild(li);
    });
    if (results.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      say(results.length === 1 ? "1 usager trouvé." : results.length + " usagers trouvés.");
    } else {
      close();
      say("Aucun usager de l'organisation ne correspond.");
    }
  }
  function search() {
    var q = input.value.trim(), mine = ++seq;
    if (q.length < 2) { close(); return; }
    fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (j) { if (mine === seq) render(j.users || []); })
      .catch(function () { if (mine === seq) { close(); say("La recherche d'usagers n'a pas abouti, réessayez."); } });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (ev) {
    var open = !list.hidden;
    if (ev.key === "ArrowDown" || ev.key === "ArrowUp") {
      ev.preventDefault();
      if (!open && results.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
      setActive(active < 0 ? (ev.key === "ArrowDown" ? 0 : -1) : active + (ev.key === "ArrowDown" ? 1 : -1));
    } else if (ev.key === "Enter") {
      // never sends the RDV form from the search field
      ev.preventDefault();
      if (open && active >= 0) choose(results[active]);
      else if (open && results.length === 1) choose(results[0]);
    } else if (ev.key === "Escape") {
      if (open) { ev.preventDefault(); close(); } else if (input.value) { ev.preventDefault(); input.value = ""; }
    } else if (ev.key === "Tab") {
      close();
    }
  });
  input.addEventListener("blur", close);
}
