// harness.mjs - what every journey uses: one shared Chromium (Debian's, headless), a fresh
// context per journey, axe-core on every page visited (0 serious/critical violations wanted),
// screenshots at desktop and phone sizes under var/browser/, a 320 px reflow check, keyboard-only
// helpers, and the demo mail sink ($RDV_STATE/mail/*.eml) for confirmation links.
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";

const npm = process.env.RDV_BROWSER_NPM;
const require = createRequire(npm ? path.join(npm, "noop.js") : import.meta.url);
export const { chromium } = require("playwright-core");
const AXE_SOURCE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

export const BASE = (process.env.RDV_TEST_URL || "http://127.0.0.1:8080").replace(/\/$/, "");
export const PASSWORD = process.env.RDV_DEMO_PASSWORD || "rdv-demo-2026";
export const OUT = process.env.RDV_BROWSER_OUT || path.resolve("var/browser");
export const DEMO = (who) => `${who}@demo.rdv-solidarites.fr`;

export const DESKTOP = { width: 1280, height: 800 };
// After the desktop screenshot, the same page (not the journey again) is resized: 375 px (a common
// phone) gets a screenshot, 320 px (the narrowest phone, RGAA reflow) the overflow checks, and a
// screenshot too with RDV_BROWSER_ALL_SIZES=1.
export const PHONE = { width: 375, height: 667 };
export const NARROW = { width: 320, height: 640 };
const NARROW_SHOT = process.env.RDV_BROWSER_ALL_SIZES === "1";

export class Skip extends Error {}

export async function launch() {
	// playwright gives every launch a fresh temporary --user-data-dir of its own (removed at close)
	const dir = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "rdv-browser-"));
	const b = await chromium.launch({
		executablePath: process.env.RDV_CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
			"--disable-background-networking", "--disable-component-update", "--disable-sync",
			"--disable-dev-shm-usage"],
	});
	return { browser: b, dir };
}

/** A journey's session: one browser context, its pages, findings and artefacts. */
export class Session {
	constructor(browser, name) {
		this.browser = browser;
		this.name = name;
		this.step = 0;
		this.problems = [];   // failures found along the way (axe, reflow), reported at the end
		this.notes = [];      // informational lines
		this.visited = [];
		this.dir = path.join(OUT, name);
		fs.rmSync(this.dir, { recursive: true, force: true });
		fs.mkdirSync(this.dir, { recursive: true });
	}

	async open() {
		this.context = await this.browser.newContext({
			viewport: DESKTOP, locale: "fr-FR", timezoneId: "Europe/Paris", bypassCSP: true,
		});
		this.context.setDefaultTimeout(15000);
		this.page = await this.context.newPage();
		this.page.on("pageerror", (e) => this.notes.push(`erreur JavaScript : ${e.message}`));
		this.page.on("dialog", (d) => { this.notes.push(`dialogue « ${d.message()} » accepté`); d.accept(); });
		return this.page;
	}

	async close() { await this.context?.close().catch(() => {}); }

	async goto(url) {
		const res = await this.page.goto(url.startsWith("http") ? url : BASE + url, { waitUntil: "domcontentloaded" });
		return res;
	}

	/** Checks the current page: axe (serious/critical = problem), 320 px reflow, DSFR layout,
	 *  and screenshots (desktop + phones). label names the files. */
	async check(label, { reflow = true } = {}) {
		const page = this.page;
		await page.waitForLoadState("load").catch(() => {});
		const n = String(++this.step).padStart(2, "0");
		const slug = `${n}-${label.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}`;
		const url = page.url().replace(BASE, "");
		this.visited.push(url);
		const where = `${label} (${url})`;
		// DSFR shell present and the stylesheet actually applied (no unstyled page)
		const shell = await page.evaluate(() => ({
			header: !!document.querySelector("header.fr-header"),
			footer: !!document.querySelector("footer.fr-footer"),
			main: !!document.querySelector("main"),
			h1: document.querySelectorAll("h1").length,
			lang: document.documentElement.lang,
			title: document.title,
			styled: getComputedStyle(document.body).fontFamily.toLowerCase().includes("marianne"),
		}));
		if (!shell.header || !shell.footer || !shell.main) this.problems.push(`${where} : en-tête/pied de page/main DSFR absent`);
		if (!shell.styled) this.problems.push(`${where} : feuille de style DSFR non appliquée (police Marianne absente)`);
		if (shell.h1 !== 1) this.problems.push(`${where} : ${shell.h1} titre(s) h1 (un seul attendu)`);
		if (shell.lang !== "fr") this.problems.push(`${where} : <html lang> = « ${shell.lang} »`);
		// axe-core, all default rules; serious and critical impacts fail
		await page.evaluate(AXE_SOURCE);
		const res = await page.evaluate(async () => {
			const r = await window.axe.run(document, { resultTypes: ["violations"] });
			return r.violations.map((v) => ({
				id: v.id, impact: v.impact, help: v.help,
				nodes: v.nodes.slice(0, 4).map((x) => x.target.join(" ") + (x.failureSummary ? " — " + x.failureSummary.split("\n").slice(1, 2).join("").trim() : "")),
				count: v.nodes.length,
			}));
		});
		for (const v of res) {
			const line = `${where} : axe ${v.impact} ${v.id} (${v.help}) ×${v.count} : ${v.nodes.join(" | ")}`;
			if (v.impact === "serious" || v.impact === "critical") this.problems.push(line);
			else this.notes.push(line);
		}
		await page.screenshot({ path: path.join(this.dir, `${slug}-desktop.png`), fullPage: true });
		await page.setViewportSize(PHONE);
		await page.screenshot({ path: path.join(this.dir, `${slug}-${PHONE.width}x${PHONE.height}.png`), fullPage: true });
		await page.setViewportSize(NARROW);
		if (reflow) await this.reflowCheck(where, NARROW.width);
		if (NARROW_SHOT) await page.screenshot({ path: path.join(this.dir, `${slug}-${NARROW.width}x${NARROW.height}.png`), fullPage: true });
		await page.setViewportSize(DESKTOP);
		return res;
	}

	/** At the current (narrow) width: the document must not scroll horizontally
	 *  (scrollWidth <= width), and labelled buttons must not be clipped. */
	async reflowCheck(where, width) {
		const page = this.page;
		const over = await page.evaluate(() => {
			const w = document.documentElement.clientWidth, out = [];
			if (document.documentElement.scrollWidth <= w) return null;
			// the widest culprits first: elements sticking out of the viewport, outside wide
			// containers that scroll on their own (tables, the calendar)
			for (const el of document.querySelectorAll("body *")) {
				const r = el.getBoundingClientRect();
				if (r.right > w + 1 && r.width > 0 && getComputedStyle(el).visibility !== "hidden" &&
					!el.parentElement?.closest(".fr-table, .fc-view-harness, [data-scrollable]")) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : ""));
				if (out.length >= 3) break;
			}
			return { scroll: document.documentElement.scrollWidth, w, out };
		});
		// buttons meant to show their label (icon left/right) but clipped by DSFR's icon-only rules
		const clipped = await page.evaluate(() => [...document.querySelectorAll("main .fr-btn[class*='fr-btn--icon-']")]
			.filter((b) => b.offsetParent && b.scrollWidth > b.clientWidth + 2 && getComputedStyle(b).overflow === "hidden")
			.map((b) => `« ${b.textContent.trim()} »`).slice(0, 3));
		if (clipped.length) this.problems.push(`${where} : bouton(s) tronqué(s) à ${width} px : ${clipped.join(", ")}`);
		if (over) this.problems.push(`${where} : défilement horizontal à ${width} px (largeur ${over.scroll} px) : ${over.out.join(", ") || "?"}`);
	}

	// ---- keyboard only ----
	/** Tabs (forward) until the element has focus; fails when it cannot be reached. */
	async tabTo(locator, max = 200) {
		const el = locator.first();
		await el.waitFor({ state: "attached" });
		for (let i = 0; i < max; i++) {
			if (await el.evaluate((e) => e === document.activeElement || e.contains(document.activeElement))) return;
			await this.page.keyboard.press("Tab");
		}
		throw new Error(`élément inaccessible au clavier après ${max} tabulations : ${locator}`);
	}
	/** Tabs to a link or button and activates it with Enter (waiting for the navigation it causes). */
	async kbActivate(locator, { navigation = true } = {}) {
		await this.tabTo(locator);
		if (navigation) {
			await Promise.all([this.page.waitForNavigation({ waitUntil: "domcontentloaded" }), this.page.keyboard.press("Enter")]);
		} else {
			await this.page.keyboard.press("Enter");
		}
	}
	async kbType(locator, text) {
		await this.tabTo(locator);
		await this.page.keyboard.press("ControlOrMeta+A");
		await this.page.keyboard.type(text);
	}
	async kbSelect(locator, optionText, max = 60) {
		await this.tabTo(locator);
		for (let i = 0; i < max; i++) {
			const t = await locator.first().evaluate((s) => s.options[s.selectedIndex]?.text || "");
			if (t.includes(optionText)) return;
			await this.page.keyboard.press("ArrowDown");
		}
		throw new Error(`option « ${optionText} » introuvable au clavier dans ${locator}`);
	}
	async kbCheck(locator) { await this.tabTo(locator); await this.page.keyboard.press("Space"); }
	/** Submits the form of the focused field with Enter. */
	async kbSubmit() {
		await Promise.all([this.page.waitForNavigation({ waitUntil: "domcontentloaded" }), this.page.keyboard.press("Enter")]);
	}

	/** Click and wait for the navigation (mouse journeys). */
	async clickNav(locator) {
		await Promise.all([this.page.waitForNavigation({ waitUntil: "domcontentloaded" }), locator.first().click()]);
	}

	/** The validation messages on the page (alerts and per-field messages), "" when none. */
	async formErrors() {
		return (await this.page.locator("main .fr-alert--error, main .fr-error-text, main .fr-message--error").allInnerTexts())
			.map((t) => t.replace(/\s+/g, " ").trim()).join(" | ");
	}

	async signInAgent(email) {
		await this.goto("/agent/sign_in");
		await this.page.fill("#email", email);
		await this.page.fill("#password", PASSWORD);
		await this.clickNav(this.page.locator("main button[type=submit]"));
		if (this.page.url().includes("/sign_in")) throw new Error(`connexion refusée pour ${email}`);
	}

	/** Skips the journey when a page the journey needs is not there yet (404 / 501). */
	async needPage(url, reason) {
		const res = await this.goto(url);
		if (!res || res.status() === 404 || res.status() === 501) throw new Skip(`${reason} (${url} : ${res ? res.status() : "pas de réponse"})`);
		return res;
	}
}

/** Waits for a demo-sink e-mail to `to` whose decoded body matches re; returns the match. */
export async function waitForMail(to, re, timeoutMs = 20000) {
	const state = process.env.RDV_STATE;
	if (!state) throw new Skip("RDV_STATE non défini : boîte mail de démonstration introuvable");
	const dir = path.join(state, "mail");
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		let files = [];
		try { files = fs.readdirSync(dir).filter((f) => f.endsWith(".eml")); } catch { /* not yet */ }
		for (const f of files) {
			let raw;
			try { raw = fs.readFileSync(path.join(dir, f), "utf8"); } catch { continue; }
			if (!raw.toLowerCase().includes(to.toLowerCase())) continue;
			const text = decodeMail(raw);
			const m = text.match(re);
			if (m) return m;
		}
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`aucun e-mail pour ${to} correspondant à ${re} dans ${dir}`);
}

function decodeMail(raw) {
	let out = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
	// base64 parts
	for (const m of raw.matchAll(/Content-Transfer-Encoding: base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi)) {
		try { out += "\n" + Buffer.from(m[1].replace(/\s+/g, ""), "base64").toString("utf8"); } catch { /* ignore */ }
	}
	return out.replace(/&amp;/g, "&");
}

/** Date helpers (Europe/Paris, YYYY-MM-DD). */
export function isoDay(d) {
	return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris", year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}
export function nextWeekday(fromDays, weekday /* 1=lundi */) {
	const d = new Date(Date.now() + fromDays * 86400000);
	while (((d.getUTCDay() + 6) % 7) + 1 !== weekday) d.setUTCDate(d.getUTCDate() + 1);
	return d;
}

/** Runs one SQL statement on the stack's database (DATABASE_URL, exported by nginx/stack.sh):
 *  only to work around a server bug so the rest of a journey still runs; returns stdout. */
export async function sql(statement, ...params) {
	const { execFileSync } = await import("node:child_process");
	const url = process.env.DATABASE_URL;
	if (!url) throw new Error("DATABASE_URL non défini");
	const args = [url, "-X", "-q", "-tA", "-v", "ON_ERROR_STOP=1"];
	params.forEach((p, i) => args.push("-v", `p${i + 1}=${p}`));
	return execFileSync("psql", args, { input: statement, encoding: "utf8" }).trim();
}
