/*
 * agenda.js - the agent agenda (booking/agenda.tmpl): one FullCalendar per
 * selected agent, side by side, fed by agenda/events.json. Selecting free
 * time opens the RDV creation page. Moving an RDV POSTs …/rdvs/:id/move
 * (CSRF token from data-csrf) three ways, all through moveRdv():
 *   - drag and drop inside one agent's calendar (new time);
 *   - drag and drop from one agent's calendar to another's (new time and
 *     agent: FullCalendar's eventReceive between calendars);
 *   - the keyboard: key D on a focused RDV, or the « Déplacer » buttons of
 *     the week list, open the #agenda-move dialog (day, time, agent).
 * A 409 asks confirmation (force), other refusals are explained, and the
 * calendars are reloaded from the server after every attempt. No inline
 * script: all data comes from data-* attributes.
 */
(function () {
  "use strict";

  var calendars = [];

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* "2026-12-07T14:30:00+01:00" from a Date, in the browser's offset. */
  function isoLocal(d) {
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":00" + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }

  function frWhen(d) {
    return d.toLocaleDateString("fr-FR", { weekday: "long", day: "numeric", month: "long" }) +
      " à " + d.getHours() + " h " + pad(d.getMinutes());
  }

  function announce(text) {
    var s = document.getElementById("agenda-status");
    if (s) { s.textContent = text; }
  }

  function message(data, fallback) {
    return data && data.error && data.error.message ? data.error.message : fallback;
  }

  /* A 409: the conflict, or the warnings the move needs confirmed. */
  function conflictText(data) {
    var w = (data && data.error && data.error.warnings) || [];
    return w.length ? w.map(function (x) { return x.message; }).join(" ")
      : message(data, "Ce créneau est en conflit avec un autre rendez-vous.");
  }

  /* POST the move; resolves {status, data}. mv: {rdvId, start (Date), from, to, force}. */
  function moveRdv(root, mv) {
    var body = { starts_at: isoLocal(mv.start), agent_id: mv.to, from_agent_id: mv.from };
    if (mv.force) { body.force = true; }
    return fetch(root.dataset.moveUrl + mv.rdvId + "/move", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    }, function () {
      return { status: 0, data: { error: { message: "Le serveur ne répond pas : le rendez-vous n'a pas été déplacé." } } };
    });
  }

  function refetchAll() {
    calendars.forEach(function (cal) { cal.refetchEvents(); });
  }

  function refusal(status) {
    if (status === 403) { return "Vous n'avez pas le droit de modifier l'agenda de cet agent."; }
    if (status === 404) { return "Ce rendez-vous ou cet agenda ne vous est pas accessible."; }
    return "Le rendez-vous n'a pas pu être déplacé.";
  }

  /* Drag and drop (inside one calendar or between two): confirm() on a 409.
   * An RDV received from another calendar is a local copy here: removed
   * once answered, the refetch shows the server's version. */
  function onDrop(root, info, from, to, received) {
    var mv = { rdvId: info.event.extendedProps.rdv_id, start: info.event.start, from: from, to: to };
    moveRdv(root, mv).then(function (r) {
      if (r.status === 409 && window.confirm(conflictText(r.data) + "\n\nDéplacer quand même ?")) {
        mv.force = true;
        return moveRdv(root, mv);
      }
      return r;
    }).then(function (r) {
      if (r.status === 200) {
        if (received) { info.event.remove(); }
        announce("Rendez-vous déplacé au " + frWhen(mv.start) + ".");
      } else {
        if (r.status !== 409) { window.alert(message(r.data, refusal(r.status))); }
        info.revert();
      }
      refetchAll();
    });
  }

  function onSelect(root, agentId, info) {
    window.location.href = root.dataset.newUrl + "?starts_at=" + encodeURIComponent(isoLocal(info.start)) +
      "&agent_id=" + encodeURIComponent(agentId);
  }

  /* ------------------------------------------------------------ the dialog */

  function dialogPart(id) { return document.getElementById(id); }

  function showAlert(id, text) {
    var el = dialogPart(id);
    if (!el) { return; }
    el.hidden = !text;
    el.querySelector("p").textContent = text || "";
  }

  var MOVE_FIELDS = ["move-date", "move-time", "move-agent"];
  /* The move API's error fields → the dialog's inputs. */
  var MOVE_FIELD_OF = { date: "move-date", starts_at: "move-time", time: "move-time", agent_id: "move-agent", agent_ids: "move-agent" };

  /* Shows (text) or clears (empty) the French message next to one of the
   * dialog's inputs: DSFR error group, aria-invalid, aria-describedby. */
  function fieldError(id, text) {
    var input = dialogPart(id), p = dialogPart(id + "-error");
    if (!input || !p) { return; }
    var group = input.closest(".fr-input-group, .fr-select-group");
    var kind = group && group.classList.contains("fr-select-group") ? "fr-select-group--error" : "fr-input-group--error";
    if (group) { group.classList.toggle(kind, !!text); }
    p.textContent = text || "";
    p.hidden = !text;
    if (text) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id + "-error");
    } else {
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    }
  }

  function clearFieldErrors() { MOVE_FIELDS.forEach(function (id) { fieldError(id, ""); }); }

  /* errors: {inputId: message}; the first invalid input (in form order) gets focus. */
  function showFieldErrors(errors) {
    clearFieldErrors();
    var first = null;
    MOVE_FIELDS.forEach(function (id) {
      if (errors[id]) { fieldError(id, errors[id]); first = first || id; }
    });
    if (first) { dialogPart(first).focus(); }
    return first !== null;
  }

  /* A refused move: the fields the API names next to their inputs, the rest on top. */
  function showMoveRefusal(data, status) {
    var fields = (data && data.error && data.error.fields) || {}, errors = {}, rest = [];
    Object.keys(fields).forEach(function (k) {
      var text = [].concat(fields[k]).join(" ");
      if (MOVE_FIELD_OF[k]) { errors[MOVE_FIELD_OF[k]] = text; } else { rest.push(text); }
    });
    var placed = showFieldErrors(errors);
    showAlert("agenda-move-error", rest.length ? rest.join(" ") : placed ? "" : message(data, refusal(status)));
  }

  /* Opens the dialog for one RDV: mv {rdvId, start, from, title}; opener gets focus back. */
  function openDialog(root, mv, opener) {
    var dlg = dialogPart("agenda-move");
    if (!dlg || typeof dlg.showModal !== "function") { return; }
    dlg._mv = mv;
    dlg._opener = opener;
    dlg._force = false;
    dialogPart("agenda-move-what").textContent = mv.title + " – actuellement le " + frWhen(mv.start) + ".";
    dialogPart("move-date").value = mv.start.getFullYear() + "-" + pad(mv.start.getMonth() + 1) + "-" + pad(mv.start.getDate());
    dialogPart("move-time").value = pad(mv.start.getHours()) + ":" + pad(mv.start.getMinutes());
    var sel = dialogPart("move-agent");
    sel.value = String(mv.from);
    if (sel.value !== String(mv.from)) { sel.selectedIndex = 0; }
    showAlert("agenda-move-error", "");
    showAlert("agenda-move-warning", "");
    clearFieldErrors();
    dialogPart("agenda-move-submit").textContent = "Déplacer";
    dlg.showModal();
    dialogPart("move-date").focus();
  }

  function closeDialog(dlg) {
    dlg.close();
    var o = dlg._opener;
    if (o && document.body.contains(o)) { o.focus(); }
  }

  /* The dialog's values → a Date, or null with each field's error shown next
   * to it and the first invalid field focused. */
  function dialogStart() {
    var d = dialogPart("move-date").value, t = dialogPart("move-time").value, errors = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) { errors["move-date"] = "Indiquez le jour du rendez-vous (ex. : 14/03/2027)."; }
    if (!/^\d{2}:\d{2}/.test(t)) { errors["move-time"] = "Indiquez l'heure de début (ex. : 09:30)."; }
    if (!dialogPart("move-agent").value) { errors["move-agent"] = "Choisissez l'agent du rendez-vous."; }
    if (showFieldErrors(errors)) { return null; }
    var p = d.split("-"), h = t.split(":");
    return new Date(+p[0], +p[1] - 1, +p[2], +h[0], +h[1], 0);
  }

  /* After a move from the dialog: the calendars reloaded, focus on the moved RDV. */
  function focusRdvSoon(rdvId, fallback) {
    window.setTimeout(function () {
      var ev = document.querySelector("#agenda [data-rdv-id='" + rdvId + "']");
      if (ev) { ev.focus(); } else if (fallback && document.body.contains(fallback)) { fallback.focus(); }
    }, 400);
  }

  function submitDialog(root, dlg) {
    var start = dialogStart();
    if (!start) { return; }
    var mv = dlg._mv, to = parseInt(dialogPart("move-agent").value, 10) || mv.from;
    var submit = dialogPart("agenda-move-submit");
    submit.disabled = true;
    showAlert("agenda-move-error", "");
    announce("Déplacement en cours…");
    moveRdv(root, { rdvId: mv.rdvId, start: start, from: mv.from, to: to, force: dlg._force }).then(function (r) {
      submit.disabled = false;
      if (r.status === 200) {
        dlg.close();
        refetchAll();
        announce("Rendez-vous déplacé au " + frWhen(start) + ".");
        focusRdvSoon(mv.rdvId, dlg._opener);
        return;
      }
      if (r.status === 409) {
        showAlert("agenda-move-warning", conflictText(r.data) + " Validez à nouveau pour déplacer quand même.");
        dlg._force = true;
        submit.textContent = "Déplacer quand même";
        announce("Confirmation demandée.");
        submit.focus();
        return;
      }
      showMoveRefusal(r.data, r.status);
      announce("Le rendez-vous n'a pas été déplacé.");
    });
  }

  function initDialog(root) {
    var dlg = dialogPart("agenda-move");
    if (!dlg) { return; }
    dialogPart("agenda-move-form").addEventListener("submit", function (e) {
      e.preventDefault();
      submitDialog(root, dlg);
    });
    dialogPart("agenda-move-cancel").addEventListener("click", function () { closeDialog(dlg); });
    dlg.addEventListener("cancel", function (e) { e.preventDefault(); closeDialog(dlg); });
    /* changing the time after a warning asks again without force */
    MOVE_FIELDS.forEach(function (id) {
      dialogPart(id).addEventListener("change", function () {
        fieldError(id, "");
        dlg._force = false;
        showAlert("agenda-move-warning", "");
        dialogPart("agenda-move-submit").textContent = "Déplacer";
      });
    });
    /* the week list's « Déplacer » buttons (hidden without JS) */
    var btns = document.querySelectorAll(".agenda-move-btn");
    for (var i = 0; i < btns.length; i++) {
      btns[i].hidden = false;
      btns[i].addEventListener("click", function (e) {
        var b = e.currentTarget;
        openDialog(root, { rdvId: parseInt(b.dataset.rdvId, 10), start: new Date(b.dataset.start),
          from: parseInt(b.dataset.agentId, 10), title: b.dataset.title }, b);
      });
    }
    var hint = document.getElementById("agenda-kb-hint");
    if (hint) { hint.hidden = false; }
  }

  /* Key D on a focused, movable RDV of the calendar opens the dialog. */
  function keyboardMove(root, info) {
    var ev = info.event, p = ev.extendedProps;
    if (!p || p.kind !== "rdv" || !p.rdv_id || !ev.startEditable) { return; }
    info.el.setAttribute("data-rdv-id", String(p.rdv_id));
    info.el.setAttribute("aria-keyshortcuts", "D");
    info.el.setAttribute("aria-describedby", "agenda-kb-hint");
    info.el.addEventListener("keydown", function (e) {
      if ((e.key === "d" || e.key === "D") && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault();
        openDialog(root, { rdvId: p.rdv_id, start: ev.start, from: p.agent_id, title: ev.title }, info.el);
      }
    });
  }

  /* ------------------------------------------------------------ calendars */

  function build(root, el) {
    var agentId = parseInt(el.dataset.agentId, 10);
    var writable = el.dataset.writable === "1";
    var cal = new window.FullCalendar.Calendar(el, {
      locale: "fr",
      firstDay: 1,
      initialView: root.dataset.view || "timeGridWeek",
      initialDate: root.dataset.date || undefined,
      headerToolbar: { left: "prev,next today", center: "title", right: "timeGridDay,timeGridWeek" },
      /* text buttons: FullCalendar's icon spans are role="img" without a name (axe role-img-alt) */
      buttonIcons: false,
      buttonText: { prev: "‹ Précédent", next: "Suivant ›", today: "Aujourd'hui", day: "Jour", week: "Semaine" },
      allDaySlot: false,
      slotMinTime: "07:00:00",
      slotMaxTime: "20:00:00",
      nowIndicator: true,
      height: "auto",
      weekends: false,
      selectable: writable,
      selectMirror: true,
      editable: writable,
      /* an RDV dragged from another agent's calendar lands here: reassigned */
      droppable: writable,
      eventDurationEditable: false,
      events: { url: root.dataset.eventsUrl, extraParams: { agent_ids: String(agentId) } },
      select: function (info) { onSelect(root, agentId, info); },
      eventDrop: function (info) { onDrop(root, info, agentId, agentId, false); },
      eventReceive: function (info) { onDrop(root, info, info.event.extendedProps.agent_id, agentId, true); },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        if (p && p.lieu) { info.el.setAttribute("title", info.event.title + " – " + p.lieu); }
        keyboardMove(root, info);
      }
    });
    cal.render();
    calendars.push(cal);
  }

  function init() {
    var root = document.getElementById("agenda");
    if (!root || !window.FullCalendar) { return; }
    root.classList.add("agenda-js");
    var els = root.querySelectorAll(".agenda-calendar");
    for (var i = 0; i < els.length; i++) { build(root, els[i]); }
    initDialog(root);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
