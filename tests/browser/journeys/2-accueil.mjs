// 2. A reception agent signs in, finds a usager, tries to create it again (duplicate warning,
// after a validation error that must keep the typed values), books from a free slot of the
// agenda (FullCalendar selection), moves the RDV by drag and drop in the agenda, moves it again
// with the keyboard only (key D on the RDV → dialog: time and another agent), drags it back
// from that agent's calendar to the first one's (two agendas side by side), marks it seen.
import { DEMO, PASSWORD, isoDay, nextWeekday } from "../lib/harness.mjs";

export const title = "accueil : usager (doublon) → RDV depuis l'agenda → glisser-déposer → clavier → autre agent → vu";

// the longest journey (agenda: drag and drop, keyboard dialog, two agendas side by side)
export const timeout = 240000;

const ORG = 1;          // MDS d'Arras (demo)
const AGENT = 4;        // agent.pmi: plages lundi et jeudi 9 h – 12 h

export async function run(s) {
	const page = s.page;
	const main = page.locator("main");

	await s.goto("/agent/sign_in");
	await s.check("connexion-agent");
	// wrong password first: French message, e-mail kept
	await page.fill("#email", DEMO("secretariat.arras"));
	await page.fill("#password", "pas-le-bon");
	await s.clickNav(main.locator("button[type=submit]"));
	await main.locator(".fr-alert--error").waitFor();
	if ((await page.inputValue("#email")) !== DEMO("secretariat.arras")) s.problems.push("connexion agent : adresse e-mail perdue après un mot de passe refusé");
	await s.check("connexion-agent-erreur");
	await page.fill("#password", PASSWORD);
	await s.clickNav(main.locator("button[type=submit]"));
	await page.waitForURL(/\/agent\/organisations\/\d+\/agenda/);
	await page.waitForSelector(".fc-timegrid, .agenda-column, .fr-callout");
	await s.check("agenda-accueil");

	// find the usager
	await s.clickNav(page.locator("header").getByRole("link", { name: "Usagers", exact: true }));
	await s.check("usagers");
	const rows = await main.locator("table tbody tr").count();
	if (rows >= 20 && !(await main.locator(".fr-pagination").count())) s.problems.push(`liste des usagers : ${rows} lignes sans pagination DSFR (.fr-pagination)`);
	// empty state: says what to do next
	await page.fill("#q", "zzqxw-introuvable");
	await s.clickNav(main.getByRole("button", { name: "Rechercher" }));
	if (!(await main.getByRole("link", { name: /Créer un usager/ }).count())) s.problems.push("recherche d'usager sans résultat : pas de lien « Créer un usager »");
	await s.check("usagers-aucun-resultat");
	await page.fill("#q", "Fontaine");
	await s.clickNav(main.getByRole("button", { name: "Rechercher" }));
	await main.getByRole("link", { name: /Amandine Fontaine|Fontaine Amandine|FONTAINE Amandine/i }).first().waitFor();
	await s.check("usagers-recherche");

	// create it again: validation error (bad e-mail), then the duplicate warning
	await s.clickNav(main.getByRole("link", { name: "Créer un usager" }));
	await s.check("usager-nouveau");
	await page.fill("#first_name", "Amandine");
	await page.fill("#last_name", "Fontaine");
	if (await page.locator("#birth_date").count()) await page.fill("#birth_date", "2007-10-27");
	await page.fill("#email", "pas-une-adresse");
	await s.clickNav(main.locator("form[novalidate] button[type=submit]").first());
	const emailErr = main.locator("#email-error, .fr-input-group--error .fr-error-text").first();
	await emailErr.waitFor();
	if ((await page.inputValue("#first_name")) !== "Amandine" || (await page.inputValue("#last_name")) !== "Fontaine")
		s.problems.push("création d'usager : saisie perdue après l'erreur de validation");
	if (!/adresse|e-mail|invalide|format/i.test(await emailErr.innerText())) s.problems.push(`création d'usager : message d'erreur e-mail « ${await emailErr.innerText()} »`);
	if ((await page.getAttribute("#email", "aria-describedby")) == null) s.problems.push("création d'usager : le champ en erreur n'est pas relié à son message (aria-describedby)");
	await s.check("usager-nouveau-erreur");
	await page.fill("#email", "");
	await page.fill("#phone_number", "06 29 19 18 19").catch(() => {});
	await s.clickNav(main.locator("form[novalidate] button[type=submit]").first());
	const dup = main.locator(".fr-alert--warning", { hasText: "existe peut-être déjà" });
	await dup.waitFor();
	await s.check("usager-doublon");
	// the right move at the desk: open the existing record instead of creating a duplicate
	await s.clickNav(dup.getByRole("link", { name: "Ouvrir la fiche" }).first());
	await s.check("usager-fiche");
	const userId = page.url().match(/usagers\/(\d+)/)[1];

	// two free half hours in one of the PMI agent's morning plages (Monday, Thursday), two weeks
	// ahead or more: earlier runs on the same stack may have taken some
	let day = null, free = [];
	for (let k = 0; k < 16 && !day; k++) {
		const d = isoDay(nextWeekday(14 + 7 * Math.floor(k / 2), k % 2 ? 1 : 4));
		const busy = await page.evaluate(async ({ org, agent, d }) => {
			const q = new URLSearchParams({ agent_ids: String(agent), start: `${d}T00:00:00+01:00`, end: `${d}T23:59:00+01:00` });
			const r = await fetch(`/agent/organisations/${org}/agenda/events.json?${q}`);
			return (await r.json()).filter((e) => e.display !== "background" && !(e.classNames || []).includes("agenda-cancelled"))
				.map((e) => [e.start.slice(11, 16), e.end.slice(11, 16)]);
		}, { org: ORG, agent: AGENT, d });
		free = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"].filter((t) => {
			const end = t.slice(0, 3) + (t.endsWith("30") ? "59" : "29");
			return !busy.some(([a, b]) => a <= end && b > t);
		});
		if (free.length >= 2) day = d;
	}
	if (!day) throw new Error("pas deux demi-heures libres dans les plages du matin des 8 prochaines semaines");
	const [slotA, slotB] = [free[0], free[free.length - 1]];

	await s.goto(`/agent/organisations/${ORG}/agenda?agent_ids=${AGENT}&date=${day}`);
	// the centre of a half hour of day d in the calendar of agent ag (default: the only one)
	const cell = async (d, t, ag = null) => {
		const cal = page.locator(ag ? `.agenda-calendar[data-agent-id="${ag}"]` : ".agenda-calendar").first();
		await cal.locator(`.fc-timegrid-slot-lane[data-time="${t}:00"]`).first().scrollIntoViewIfNeeded();
		const col = await cal.locator(`.fc-timegrid-col[data-date="${d}"]`).first().boundingBox();
		const row = await cal.locator(`.fc-timegrid-slot-lane[data-time="${t}:00"]`).first().boundingBox();
		return { x: col.x + col.width / 2, y: row.y + row.height / 2 };
	};
	// drags the RDV's event (in agent from's calendar) to half hour t of agent to's calendar
	const drag = async (rdv, t, from = null, to = null) => {
		const scope = from ? `.agenda-calendar[data-agent-id="${from}"] ` : "";
		const ev = page.locator(`${scope}.fc-timegrid-event[href$="/rdvs/${rdv}"]`).first();
		await ev.waitFor();
		const b = await cell(day, t, to);   // scrolls the morning into view: the event is there too
		const eb = await ev.boundingBox();
		await page.mouse.move(eb.x + eb.width / 2, eb.y + 4);
		await page.mouse.down();
		await page.mouse.move(eb.x + eb.width / 2, eb.y + 14, { steps: 3 });
		await page.mouse.move(b.x, b.y - (eb.height / 2) + 4 + 2, { steps: 10 });
		await page.mouse.up();
	};
	const moved = () => page.waitForFunction(() => /déplacé au/.test(document.getElementById("agenda-status")?.textContent || ""), null, { timeout: 10000 });
	// the RDV's agents and start time in the feed of agents ids
	const feed = (ids) => page.evaluate(async ({ org, ids, d, rdv }) => {
		const q = new URLSearchParams({ agent_ids: ids.join(","), start: `${d}T00:00:00+01:00`, end: `${d}T23:59:00+01:00` });
		const r = await fetch(`/agent/organisations/${org}/agenda/events.json?${q}`);
		return (await r.json()).filter((e) => e.extendedProps?.rdv_id === Number(rdv))
			.map((e) => `${e.extendedProps.agent_id}@${e.start.slice(11, 16)}`).sort().join(" ");
	}, { org: ORG, ids, d: day, rdv: rdvId });
	await page.waitForSelector(`.fc-timegrid-col[data-date="${day}"]`);
	await page.waitForSelector(".fc-bg-event");
	await s.check("agenda-semaine");
	const a = await cell(day, slotA);
	await page.mouse.move(a.x, a.y);
	await Promise.all([page.waitForURL(/\/rdvs\/new\?/), (async () => { await page.mouse.down(); await page.mouse.move(a.x, a.y + 4, { steps: 2 }); await page.mouse.up(); })()]);
	await page.waitForSelector("#motif_id");
	await s.check("rdv-nouveau");
	const motif = await page.locator("#motif_id option", { hasText: "nourrisson" }).first().getAttribute("value");
	await page.selectOption("#motif_id", motif);
	const lieuOpt = page.locator("#lieu_id option", { hasText: "Gambetta" });
	if (await lieuOpt.count()) await page.selectOption("#lieu_id", await lieuOpt.first().getAttribute("value"));
	await page.fill("#usager_q", "Fontaine");   // the usager combobox (usagers/search.json)
	await main.locator(`#usager-option-${userId}`).click();
	await s.clickNav(main.locator("form button[type=submit]").last());
	if (await main.locator("button[name=confirm_warnings]").count()) {
		await s.check("rdv-avertissements");
		await s.clickNav(main.locator("button[name=confirm_warnings]"));
	}
	await page.waitForURL(/\/rdvs\/\d+$/);
	const rdvId = page.url().match(/rdvs\/(\d+)/)[1];
	await s.check("rdv-cree");

	// drag and drop in the agenda to the other free half hour
	await s.goto(`/agent/organisations/${ORG}/agenda?agent_ids=${AGENT}&date=${day}`);
	await drag(rdvId, slotB);
	await moved();
	await s.check("agenda-rdv-deplace");

	// keyboard only: Tab to the RDV, key D, the dialog: back to the first half hour, in the agenda
	// of another PMI agent (Isabelle Roussel); a conflict there asks confirmation (Enter again)
	await s.goto(`/agent/organisations/${ORG}/agenda?agent_ids=${AGENT}&date=${day}`);
	const other = await page.locator("#agent_ids option", { hasText: "Roussel" }).first().getAttribute("value");
	const evKb = page.locator(`.fc-timegrid-event[href$="/rdvs/${rdvId}"]`).first();
	await evKb.waitFor();
	await page.locator("#agenda-kb-hint:not([hidden])").waitFor();
	await s.tabTo(evKb, 400);
	await page.keyboard.press("d");
	await page.locator("#agenda-move[open]").waitFor();
	if (!(await page.evaluate(() => document.activeElement?.id === "move-date"))) s.problems.push("dialogue « Déplacer » : le focus n'est pas sur le premier champ");
	await s.check("agenda-dialogue-deplacer");
	// an invalid time (the hour erased with the keyboard): the French message next to the field,
	// which is marked invalid, describes itself by it and gets the focus back
	await s.tabTo(page.locator("#move-time"), 10);
	await page.keyboard.press("Backspace");
	await s.tabTo(page.locator("#agenda-move-submit"), 10);
	await page.keyboard.press("Enter");
	await page.locator("#move-time-error:not([hidden])").waitFor({ timeout: 5000 });
	const timeErr = await page.evaluate(() => {
		const t = document.getElementById("move-time");
		return { focused: document.activeElement === t, invalid: t.getAttribute("aria-invalid"),
			described: t.getAttribute("aria-describedby"), text: document.getElementById("move-time-error").textContent,
			group: t.closest(".fr-input-group")?.classList.contains("fr-input-group--error"),
			alert: !document.getElementById("agenda-move-error").hidden };
	});
	if (!/heure de début/.test(timeErr.text) || timeErr.invalid !== "true" || timeErr.described !== "move-time-error" || !timeErr.group)
		s.problems.push(`dialogue « Déplacer » : heure invalide sans message à côté du champ (${JSON.stringify(timeErr)})`);
	if (!timeErr.focused) s.problems.push("dialogue « Déplacer » : le focus ne va pas au champ invalide");
	if (timeErr.alert) s.problems.push("dialogue « Déplacer » : l'erreur de champ est aussi dans l'alerte du haut");
	if (await page.locator("#move-date-error").isVisible() || await page.locator("#move-agent-error").isVisible())
		s.problems.push("dialogue « Déplacer » : un message d'erreur vide est affiché sous un champ valide");
	await s.check("agenda-dialogue-heure-invalide");
	await s.tabTo(page.locator("#move-time"), 10);
	const [ha, ma] = slotA.split(":");
	await page.keyboard.type(ha + ma);
	await s.kbSelect(page.locator("#move-agent"), "Roussel");
	await s.tabTo(page.locator("#agenda-move-submit"), 10);
	await page.keyboard.press("Enter");
	const done = await Promise.race([
		moved().then(() => "ok"),
		page.locator("#agenda-move-warning:not([hidden])").waitFor({ timeout: 10000 }).then(() => "warning"),
	]);
	if (done === "warning") {
		await s.check("agenda-dialogue-avertissement");
		if (!(await page.evaluate(() => document.activeElement?.id === "agenda-move-submit"))) await s.tabTo(page.locator("#agenda-move-submit"), 10);
		await page.keyboard.press("Enter");
		await moved();
	}
	if (await page.locator("#agenda-move[open]").count()) s.problems.push("dialogue « Déplacer » resté ouvert après le déplacement");
	const afterKb = await feed([AGENT, other]);
	if (afterKb !== `${other}@${slotA}`) s.problems.push(`déplacement au clavier : attendu ${other}@${slotA}, agenda « ${afterKb} »`);

	// both agendas side by side (day view): drag it from Roussel's column back to the PMI agent's
	await s.goto(`/agent/organisations/${ORG}/agenda?agent_ids=${AGENT},${other}&date=${day}&view=day`);
	await page.waitForSelector(`.agenda-calendar[data-agent-id="${other}"] .fc-timegrid-event[href$="/rdvs/${rdvId}"]`);
	await s.check("agenda-deux-agents");
	await drag(rdvId, slotB, other, AGENT);
	await moved();
	await page.waitForSelector(`.agenda-calendar[data-agent-id="${AGENT}"] .fc-timegrid-event[href$="/rdvs/${rdvId}"]`);
	await page.waitForFunction(({ ag, rdv }) => document.querySelectorAll(`.agenda-calendar[data-agent-id="${ag}"] .fc-timegrid-event[href$="/rdvs/${rdv}"]`).length === 1,
		{ ag: AGENT, rdv: rdvId }, { timeout: 5000 }).catch(() => s.problems.push("glisser vers l'agenda d'un autre agent : le RDV apparaît en double"));
	const afterDrag = await feed([AGENT, other]);
	if (afterDrag !== `${AGENT}@${slotB}`) s.problems.push(`glisser vers l'agenda d'un autre agent : attendu ${AGENT}@${slotB}, agenda « ${afterDrag} »`);
	await s.check("agenda-deux-agents-deplace");
	// the week list's « Déplacer » opens the same dialog; Échap closes it, focus back on the button
	const listBtn = main.locator(`.agenda-move-btn[data-rdv-id="${rdvId}"]`).first();
	await s.tabTo(listBtn, 500);
	await page.keyboard.press("Enter");
	await page.locator("#agenda-move[open]").waitFor();
	await page.keyboard.press("Escape");
	await page.locator("#agenda-move:not([open])").waitFor({ state: "attached" });
	if (!(await listBtn.evaluate((b) => b === document.activeElement))) s.problems.push("dialogue « Déplacer » : le focus ne revient pas au bouton après Échap");

	// open it: the new time is there; mark it seen
	await s.goto(`/agent/organisations/${ORG}/rdvs/${rdvId}`);
	const [h, m] = slotB.split(":");
	const when = await main.locator("li", { hasText: "Le " }).first().innerText();
	const expected = `à ${Number(h)} h${m === "00" ? "" : " " + m}`;
	if (!new RegExp(`${expected}\\b(?! \\d)`).test(when))
		s.problems.push(`RDV déplacé : l'heure affichée « ${when} » n'est pas ${slotB}`);
	await page.selectOption("#status", "seen");
	await s.clickNav(main.getByRole("button", { name: "Changer le statut" }));
	await main.locator(".fr-badge", { hasText: /^Vu/ }).first().waitFor();
	await s.check("rdv-vu");
}
