// 3. An organisation admin invites an agent, creates a motif and a lieu, gives agenda access,
// sets a plage d'ouverture with the new motif at the new lieu.
import { DEMO } from "../lib/harness.mjs";

export const title = "admin d'organisation : invitation, motif, lieu, accès aux agendas, plage";

const ORG = 1;

export async function run(s) {
	const page = s.page;
	const main = page.locator("main");
	const stamp = Date.now().toString(36);

	await s.signInAgent(DEMO("admin.arras"));
	await s.needPage("/admin/", "administration absente");
	await s.check("admin-accueil");
	await s.needPage(`/admin/organisations/${ORG}`, "page d'organisation absente");
	await s.check("organisation");

	// invite an agent (validation error first: the typed names stay, the message is French)
	await s.needPage(`/admin/organisations/${ORG}/agents/new`, "invitation d'agent absente");
	await s.check("agent-inviter");
	const email = `agent.${stamp}@exemple.fr`;
	await page.fill("#first_name", "Inès");
	await page.fill("#last_name", `Invitée-${stamp}`);
	await page.fill("#email", "pas-une-adresse");
	await s.clickNav(main.locator("form button[type=submit]").last());
	await main.locator(".fr-error-text, .fr-message--error, .fr-alert--error").first().waitFor();
	if ((await page.inputValue("#first_name")) !== "Inès") s.problems.push("invitation d'agent : prénom perdu après l'erreur de validation");
	await s.check("agent-inviter-erreur");
	await page.fill("#email", email);
	const svc = main.locator("label", { hasText: "PMI" }).first();
	if (await svc.count() && !(await page.isChecked(`#${await svc.getAttribute("for")}`))) await svc.click();
	await s.clickNav(main.locator("form button[type=submit]").last());
	await main.locator(".fr-error-text, .fr-alert--error").first().waitFor({ state: "detached", timeout: 3000 }).catch(() => {});
	if (await main.locator(".fr-error-text, .fr-alert--error").count())
		throw new Error(`invitation refusée : ${await s.formErrors()}`);
	await s.check("agent-invite");
	await s.goto(`/admin/organisations/${ORG}/agents`);
	await main.getByText(email).or(main.getByText(`Invitée-${stamp}`)).first().waitFor();
	await s.check("agents");

	// a motif in the PMI service
	await s.needPage(`/admin/organisations/${ORG}/motifs/new`, "création de motif absente");
	await s.check("motif-nouveau");
	const motifName = `Bilan de santé ${stamp}`;
	await page.fill("#name", motifName);
	const pmi = await page.locator("#service_id option", { hasText: "PMI" }).first().getAttribute("value");
	await page.selectOption("#service_id", pmi);
	await page.fill("#default_duration_in_min", "30");
	await page.selectOption("#location_type", "public_office").catch(() => {});
	await s.clickNav(main.locator("form button[type=submit]").last());
	if (await main.locator(".fr-error-text, .fr-alert--error").count())
		throw new Error(`motif refusé : ${await s.formErrors()}`);
	await s.goto(`/admin/organisations/${ORG}/motifs`);
	await main.getByText(motifName).first().waitFor();
	await s.check("motifs");

	// a lieu
	await s.needPage(`/admin/organisations/${ORG}/lieux/new`, "création de lieu absente");
	await s.check("lieu-nouveau");
	const lieuName = `Antenne ${stamp}`;
	await page.fill("#name", lieuName);
	await page.fill("#address", "12 Rue Ernestale, 62000 Arras");
	if (await page.locator("#latitude").count()) { await page.fill("#latitude", "50.2948"); await page.fill("#longitude", "2.7711"); }
	await page.fill("#phone_number", "03 21 00 00 00").catch(() => {});
	await s.clickNav(main.locator("form button[type=submit]").last());
	if (await main.locator(".fr-error-text, .fr-alert--error").count())
		throw new Error(`lieu refusé : ${await s.formErrors()}`);
	await s.goto(`/admin/organisations/${ORG}/lieux`);
	await main.getByText(lieuName).first().waitFor();
	await s.check("lieux");

	// agenda access: the secretariat may manage the PMI agent's agenda
	await s.needPage(`/admin/organisations/${ORG}/agenda_accesses`, "accès aux agendas absent");
	await s.check("acces-agendas");
	const opt = async (sel, text) => page.locator(`${sel} option`, { hasText: text }).first().getAttribute("value");
	const owner = await opt("#owner_agent_id", `Invitée-${stamp}`) || await opt("#owner_agent_id", "Lefebvre");
	await page.selectOption("#owner_agent_id", owner);
	await page.selectOption("#grantee_agent_id", await opt("#grantee_agent_id", "Petit"));
	const levels = await page.locator("#level option").evaluateAll((o) => o.map((x) => x.value));
	await page.selectOption("#level", levels[levels.length - 1]);
	await s.clickNav(main.locator("form:has(#owner_agent_id) button[type=submit]"));
	if (await main.locator(".fr-alert--error").count())
		throw new Error(`accès refusé : ${await s.formErrors()}`);
	await s.check("acces-agendas-donne");

	// a plage d'ouverture for the PMI agent, with the new motif at the new lieu
	await s.needPage(`/agent/organisations/${ORG}/plages_ouverture/new`, "création de plage absente");
	await s.check("plage-nouvelle");
	const pmiAgent = await opt("#agent_id", "Lefebvre");
	if (pmiAgent) await page.selectOption("#agent_id", pmiAgent);
	await page.fill("#title", `Bilans ${stamp}`);
	await page.selectOption("#lieu_id", await opt("#lieu_id", lieuName));
	const box = main.locator("label", { hasText: motifName });
	if (!(await box.count())) throw new Error(`le motif « ${motifName} » n'est pas proposé pour la plage`);
	await box.first().click();
	const d = new Date(Date.now() + 21 * 86400000).toISOString().slice(0, 10);
	await page.fill("#first_day", d);
	await page.fill("#start_time", "14:00");
	await page.fill("#end_time", "16:00");
	await s.clickNav(main.locator("form button[type=submit]").last());
	if (await main.locator(".fr-error-text, .fr-message--error, .fr-alert--error").count())
		throw new Error(`plage refusée : ${await s.formErrors()}`);
	await s.check("plage-creee");

	// exports: the page, then a CSV actually downloaded
	await s.needPage(`/export/organisations/${ORG}`, "page d'exports absente");
	await s.check("exports");
	if (!(await main.locator("[role=status], [aria-live], progress, .fr-progress").count()))
		s.notes.push("exports : aucune zone de progression (role=status / aria-live) pendant la préparation du fichier");
	const [dl] = await Promise.all([page.waitForEvent("download"), main.getByRole("button", { name: "Exporter les RDV (CSV)" }).click()]);
	const file = await dl.path();
	const { readFileSync } = await import("node:fs");
	const head = readFileSync(file, "utf8").split(/\r?\n/)[0];
	if (!/;|,/.test(head)) s.problems.push(`export CSV : première ligne inattendue « ${head.slice(0, 80)} »`);
}
