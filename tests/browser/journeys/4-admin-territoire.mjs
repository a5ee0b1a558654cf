// 4. A territory admin imports a zones CSV with one bad line, reads which line is wrong, fixes
// it, checks again and confirms the import.
import { DEMO } from "../lib/harness.mjs";

export const title = "admin de territoire : import de zones (une ligne fausse, corrigée)";

const TERR = 1;

export async function run(s) {
	const page = s.page;
	const main = page.locator("main");

	await s.signInAgent(DEMO("admin.territoire"));
	await s.needPage(`/admin/territories/${TERR}`, "page du territoire absente");
	await s.check("territoire");
	await s.needPage(`/admin/territories/${TERR}/sectors`, "secteurs absents");
	await s.check("secteurs");

	// real sector ids and city codes from the export (the same format as the import)
	const exported = await page.evaluate(async (t) => {
		const r = await fetch(`/admin/territories/${t}/zones.csv`);
		return r.ok ? r.text() : "";
	}, TERR);
	const rows = exported.replace(/^\uFEFF/, "").split(/\r?\n/).filter(Boolean);
	if (rows.length < 2) throw new Error("export des zones vide : impossible de fabriquer un fichier d'import");
	const sep = rows[0].includes(";") ? ";" : ",";
	const head = rows[0].split(sep).map((h) => h.replace(/"/g, "").trim());
	const col = (name) => head.indexOf(name);
	if (col("sector_id") < 0 || col("city_code") < 0) throw new Error(`colonnes inattendues dans l'export : ${rows[0]}`);
	const first = rows[1].split(sep);
	const sector = first[col("sector_id")].replace(/"/g, "");
	const line = (code, name) => ["sector_id", "city_code", "city_name"].map((h) => ({ sector_id: sector, city_code: code, city_name: name })[h]).join(";");
	const good = ["sector_id;city_code;city_name", line("62041", "Arras"), line("62065", "Beaurains")];
	const bad = good.concat(line("ABCDE", "Commune inconnue"));

	await s.needPage(`/admin/territories/${TERR}/zones/import`, "import de zones absent");
	await s.check("import-zones");
	await page.fill("#csv", bad.join("\n") + "\n");
	await s.clickNav(main.getByRole("button", { name: "Vérifier le fichier" }));
	const err = main.locator(".fr-alert--error");
	await err.waitFor();
	const lines = await main.locator("table tbody tr td:first-child").allTextContents();
	const table = (await main.locator("table tbody").first().textContent()).replace(/\s+/g, " ");
	if (lines.map((t) => t.trim()).join(",") !== "4") s.problems.push(`import de zones : la ligne fausse (4) n'est pas désignée : « ${table.slice(0, 200)} »`);
	if ((await page.inputValue("#csv")).trim() !== bad.join("\n").trim()) s.problems.push("import de zones : le contenu saisi n'est pas conservé après l'erreur");
	if ((await page.getAttribute("#csv", "aria-invalid")) !== "true" || (await page.getAttribute("#csv", "aria-describedby")) !== "csv-error" ||
	    !(await page.locator("#csv-error").count())) s.problems.push("import de zones : le champ CSV n'est pas signalé en erreur (message à côté du champ)");
	if (await main.getByRole("button", { name: "Confirmer l'import" }).count()) s.problems.push("import de zones : confirmation proposée malgré une erreur");
	await s.check("import-zones-erreur");

	// fix the line (keep what was typed, change the bad code), check again, confirm
	await page.fill("#csv", (await page.inputValue("#csv")).replace("ABCDE;Commune inconnue", "62764;Saint-Laurent-Blangy"));
	await s.clickNav(main.getByRole("button", { name: "Vérifier le fichier" }));
	await main.locator(".fr-alert--success, .fr-alert--error").first().waitFor();
	if (await main.locator(".fr-alert--error", { hasText: /^\s*0 erreur/ }).count()) {
		s.problems.push("import de zones : un fichier sans erreur affiche « 0 erreur(s) : rien n'a été importé » (alerte d'erreur) au lieu de « Vérification réussie »");
		if (!(await main.getByRole("button", { name: "Confirmer l'import" }).count())) throw new Error("import de zones : fichier corrigé sans bouton « Confirmer l'import »");
	} else if (await main.locator(".fr-alert--error").count()) throw new Error(`fichier corrigé refusé : ${await s.formErrors()} ${(await main.locator("table tbody").first().textContent().catch(() => "")).replace(/\s+/g, " ")}`);
	await s.check("import-zones-verifie");
	await s.clickNav(main.getByRole("button", { name: "Confirmer l'import" }));
	await main.locator(".fr-alert--success, [role=status]").first().waitFor();
	if (await main.locator(".fr-alert--error").count()) throw new Error(`import refusé : ${await s.formErrors()}`);
	await s.check("import-zones-fait");
}
