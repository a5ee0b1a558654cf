// runner.mjs - runs tests/browser/journeys/*.mjs (or those named on the command line) in one
// shared Chromium, two at a time, each in its own context. A journey exports `title` and
// `run(session)`; it may throw Skip(reason) when a page it needs does not exist yet.
// Prints per journey: ok / FAIL / skipped, the problems found (axe, reflow, shell), and ends with
// "N passed, N failed".
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, Session, Skip, OUT, BASE } from "./lib/harness.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = fs.readdirSync(path.join(here, "journeys")).filter((f) => f.endsWith(".mjs")).sort()
	.filter((f) => wanted.length === 0 || wanted.some((w) => f.includes(w)));
const PARALLEL = Number(process.env.RDV_BROWSER_PARALLEL || 2);
const JOURNEY_TIMEOUT = Number(process.env.RDV_BROWSER_JOURNEY_TIMEOUT || 150000);

fs.mkdirSync(OUT, { recursive: true });
const t0 = Date.now();
const { browser, dir } = await launch();
console.error(`browser: ${browser.version()} contre ${BASE}, ${files.length} parcours, captures dans ${OUT}`);

const results = [];
async function runOne(file) {
	const mod = await import(path.join(here, "journeys", file));
	const name = file.replace(/\.mjs$/, "");
	const s = new Session(browser, name);
	const start = Date.now();
	let status = "ok", error = null;
	try {
		await s.open();
		let timer;
		const limit = Math.max(JOURNEY_TIMEOUT, Number(mod.timeout) || 0);   // a long journey may ask for more
		await Promise.race([
			mod.run(s),
			new Promise((_, rej) => { timer = setTimeout(() => rej(new Error(`délai dépassé (${limit / 1000} s)`)), limit); }),
		]).finally(() => clearTimeout(timer));
		if (s.problems.length) status = "FAIL";
	} catch (e) {
		if (e instanceof Skip) { status = "skipped"; error = e.message; }
		else {
			status = "FAIL"; error = e.stack || String(e);
			try { await s.page?.screenshot({ path: path.join(s.dir, "echec.png"), fullPage: true }); } catch { /* closed */ }
			error += `\n      page : ${s.page?.url()}`;
		}
	} finally {
		await s.close();
	}
	results.push({ name, title: mod.title || name, status, error, s, ms: Date.now() - start });
	const head = `${status === "ok" ? "ok     " : status === "skipped" ? "skipped" : "FAIL   "} ${name} – ${mod.title || ""} (${((Date.now() - start) / 1000).toFixed(1)} s, ${s.visited.length} pages)`;
	const lines = [head];
	if (status === "skipped") lines.push(`      skipped: ${error}`);
	else if (error) lines.push(`      ${error.split("\n").slice(0, 8).join("\n      ")}`);
	for (const p of s.problems) lines.push(`      ✗ ${p}`);
	if (process.env.RDV_BROWSER_VERBOSE) for (const n of s.notes) lines.push(`      · ${n}`);
	console.log(lines.join("\n"));
	fs.writeFileSync(path.join(s.dir, "rapport.txt"), lines.concat(s.notes.map((n) => "      · " + n), s.visited.map((v) => "      page " + v)).join("\n") + "\n");
}

const queue = files.slice();
await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, async () => {
	while (queue.length) await runOne(queue.shift());
}));
await browser.close();
fs.rmSync(dir, { recursive: true, force: true });

const passed = results.filter((r) => r.status === "ok").length;
const failed = results.filter((r) => r.status === "FAIL").length;
const skipped = results.filter((r) => r.status === "skipped");
const pages = results.reduce((n, r) => n + r.s.visited.length, 0);
console.log(`browser: ${pages} pages vérifiées (axe-core, 320 px), ${((Date.now() - t0) / 1000).toFixed(1)} s` +
	(skipped.length ? `; skipped: ${skipped.map((r) => r.name).join(", ")}` : ""));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
