/*
 * agenda.js - the agent agenda (booking/agenda.tmpl): one FullCalendar per
 * selected agent, side by side, fed by agenda/events.json. Selecting free
 * time opens the RDV creation page; dragging an RDV POSTs the move (with the
 * CSRF token from data-csrf), asks confirmation on a 409 conflict and reverts
 * when refused. No inline script: all data comes from data-* attributes.
 */
(function () {
  "use strict";

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* "2026-12-07T14:30:00+01:00" from a Date, in the browser's offset. */
  function isoLocal(d) {
    var off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" +
      pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":00" + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }

  function announce(text) {
    var s = document.getElementById("agenda-status");
    if (s) { s.textContent = text; }
  }

  function postMove(root, info, agentId, force) {
    var id = info.event.extendedProps.rdv_id;
    var body = { starts_at: isoLocal(info.event.start), agent_id: agentId };
    if (force) { body.force = true; }
    return fetch(root.dataset.moveUrl + id + "/move", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": root.dataset.csrf, "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    });
  }

  function message(data, fallback) {
    return data && data.error && data.error.message ? data.error.message : fallback;
  }

  function onDrop(root, agentId, info) {
    postMove(root, info, agentId, false).then(function (r) {
      if (r.status === 200) { announce("Rendez-vous déplacé."); return; }
      if (r.status === 409 && window.confirm(message(r.data, "Ce créneau est en conflit avec un autre rendez-vous.") +
          "\n\nDéplacer quand même ?")) {
        return postMove(root, info, agentId, true).then(function (r2) {
          if (r2.status === 200) { announce("Rendez-vous déplacé."); return; }
          window.alert(message(r2.data, "Le rendez-vous n'a pas pu être déplacé."));
          info.revert();
        });
      }
      if (r.status !== 409) { window.alert(message(r.data, "Le rendez-vous n'a pas pu être déplacé.")); }
      info.revert();
    }).catch(function () {
      window.alert("Le serveur ne répond pas : le rendez-vous n'a pas été déplacé.");
      info.revert();
    });
  }

  function onSelect(root, agentId, info) {
    window.location.href = root.dataset.newUrl + "?starts_at=" + encodeURIComponent(isoLocal(info.start)) +
      "&agent_id=" + encodeURIComponent(agentId);
  }

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
      eventDurationEditable: false,
      events: { url: root.dataset.eventsUrl, extraParams: { agent_ids: String(agentId) } },
      select: function (info) { onSelect(root, agentId, info); },
      eventDrop: function (info) { onDrop(root, agentId, info); },
      eventDidMount: function (info) {
        var p = info.event.extendedProps;
        if (p && p.lieu) { info.el.setAttribute("title", info.event.title + " – " + p.lieu); }
      }
    });
    cal.render();
  }

  function init() {
    var root = document.getElementById("agenda");
    if (!root || !window.FullCalendar) { return; }
    root.classList.add("agenda-js");
    var els = root.querySelectorAll(".agenda-calendar");
    for (var i = 0; i < els.length; i++) { build(root, els[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
