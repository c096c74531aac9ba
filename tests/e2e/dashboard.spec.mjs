// SPDX-License-Identifier: GPL-2.0-only
/*
 * Browser test of the built-in dashboard: headless Debian Chromium driven by playwright-core
 * (never a downloaded browser) against a server that serves the dashboard and the REST API.
 *
 *   node --test tests/e2e/dashboard.spec.mjs        (or: make test-e2e / tests/e2e/run_e2e.sh)
 *
 * Which server:
 *   default               $PV_BUILD/tests/e2e/fake_api (PV_BUILD defaults to build), started
 *                         here with --token, on a free port; stopped and restarted to test the
 *                         "server down" banner.
 *   PV_E2E_SERVER_CMD     a shell command that starts the server (e.g. the real powervisord
 *                         with a test configuration); its URL is PV_E2E_URL, or else the first
 *                         http://host:port it prints. It is stopped (process group) at the end.
 *   PV_E2E_URL alone      a server that is already running.
 *   PV_E2E_TOKEN          a read token for it (default: the one given to fake_api). With no
 *                         token and an open API, the 401 test is skipped.
 *   PV_E2E_CHROMIUM       browser binary (default /usr/bin/chromium).
 *   PV_E2E_SCREENSHOT     where to save the screenshot (default $PV_BUILD/dashboard.png).
 * Skips, saying why, when Chromium, playwright-core or the server binary is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.resolve(REPO, process.env.PV_BUILD || 'build');
const CHROMIUM = process.env.PV_E2E_CHROMIUM || '/usr/bin/chromium';
const FAKE = path.join(BUILD, 'tests/e2e/fake_api');
const FAKE_TOKEN = 'e2e-dashboard-token-0123456789';
const SERVER_CMD = process.env.PV_E2E_SERVER_CMD || '';
const FIXED_URL = process.env.PV_E2E_URL || '';
const USE_FAKE = !SERVER_CMD && !FIXED_URL;
const TOKEN = process.env.PV_E2E_TOKEN || (USE_FAKE ? FAKE_TOKEN : '');
const SCREENSHOT = process.env.PV_E2E_SCREENSHOT || path.join(BUILD, 'dashboard.png');

let chromium = null;
let skipReason = '';
try {
	const require = createRequire(path.join(REPO, 'dashboards/web/package.json'));
	({ chromium } = require('playwright-core'));
} catch (e) {
	skipReason = 'playwright-core is not installed: run `npm ci` in dashboards/web (make test-e2e does)';
}
if (!skipReason && !fs.existsSync(CHROMIUM))
	skipReason = `no browser at ${CHROMIUM}: install Debian's chromium (make deps)`;
if (!skipReason && USE_FAKE && !fs.existsSync(FAKE))
	skipReason = `${FAKE} is not built: run make ${path.relative(REPO, FAKE)}`;
if (skipReason)
	console.log(`# SKIP dashboard e2e: ${skipReason}`);

/* ------------------------------------------------------------------ the server */
let server = null;		/* child process we started, or null */
let profile = '';		/* the browser's disk-cache dir (ours: removed in after()) */
let baseUrl = FIXED_URL.replace(/\/$/, '');
let fakePort = 0;

function startServer(cmd, args, opts = {}) {
	const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
	let out = '';
	const urlP = new Promise((resolve, reject) => {
		const onData = (d) => {
			out += d.toString();
			const m = out.match(/https?:\/\/[0-9A-Za-z.\-[\]:]+:\d+/);
			if (m) resolve(m[0]);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('exit', (code, sig) => reject(new Error(`server exited (${code ?? sig}) before it was ready:\n${out}`)));
		child.on('error', reject);
	});
	return { child, urlP, output: () => out };
}

function stopServer(s) {
	if (!s || s.child.exitCode !== null || s.child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		const t = setTimeout(() => { try { process.kill(-s.child.pid, 'SIGKILL'); } catch { /* gone */ } }, 3000);
		s.child.once('exit', () => { clearTimeout(t); resolve(); });
		try { process.kill(-s.child.pid, 'SIGTERM'); } catch { clearTimeout(t); resolve(); }
	});
}

async function waitHealthy(url, ms = 20000) {
	const end = Date.now() + ms;
	let last = '';
	while (Date.now() < end) {
		try {
			const r = await fetch(`${url}/healthz`);
			if (r.ok) return;
			last = `HTTP ${r.status}`;
		} catch (e) {
			last = e.message;
		}
		await sleep(100);
	}
	throw new Error(`${url}/healthz not healthy after ${ms} ms (${last})`);
}

async function withTimeout(p, ms, what) {
	let t;
	const timeout = new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); });
	try { return await Promise.race([p, timeout]); } finally { clearTimeout(t); }
}

async function startFake(port = 0) {
	const s = startServer(FAKE, ['--listen', `127.0.0.1:${port}`, '--token', FAKE_TOKEN]);
	const url = await withTimeout(s.urlP, 10000, 'fake_api start');
	return { s, url };
}

async function api(p, token = TOKEN) {
	const r = await fetch(baseUrl + p, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
	return { status: r.status, type: r.headers.get('content-type') || '', body: await r.text() };
}

/* ------------------------------------------------------------------ the browser */
let browser = null;
const pageErrors = [];

async function newPage({ withToken }) {
	const ctx = await browser.newContext({ viewport: { width: 1600, height: 1000 }, deviceScaleFactor: 1 });
	if (withToken && TOKEN)
		await ctx.addInitScript((tok) => localStorage.setItem('powervisor.token', tok), TOKEN);
	const page = await ctx.newPage();
	page.on('pageerror', (e) => pageErrors.push(`pageerror: ${e.message}`));
	page.on('console', (m) => {
		/* failed fetches while the server is deliberately down are expected */
		if (m.type() === 'error' && !/Failed to load resource|ERR_CONNECTION_REFUSED|status of 401/.test(m.text()))
			pageErrors.push(`console: ${m.text()}`);
	});
	return { ctx, page };
}

async function polls(page) {
	return parseInt((await page.evaluate(() => document.body.dataset.polls)) || '0', 10);
}

async function waitPolls(page, n, ms = 15000) {
	await page.waitForFunction((k) => parseInt(document.body.dataset.polls || '0', 10) >= k, n, { timeout: ms });
}

/* Every legend value, stat value and table cell: what "the dashboard shows" right now. */
async function snapshot(page) {
	return page.evaluate(() => ({
		legends: [...document.querySelectorAll('.legend .lv')].map((e) => e.textContent),
		stats: [...document.querySelectorAll('.stat-value')].map((e) => e.textContent),
	}));
}

before(async () => {
	if (skipReason) return;
	if (USE_FAKE) {
		const { s, url } = await startFake();
		server = s;
		baseUrl = url;
		fakePort = parseInt(new URL(url).port, 10);
	} else if (SERVER_CMD) {
		server = startServer('/bin/sh', ['-c', SERVER_CMD]);
		if (!baseUrl)
			baseUrl = (await withTimeout(server.urlP, 30000, 'PV_E2E_SERVER_CMD start')).replace(/\/$/, '');
	}
	await waitHealthy(baseUrl);
	profile = fs.mkdtempSync(path.join(os.tmpdir(), 'pv-e2e-chromium-'));
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		headless: true,
		/* playwright runs the browser with a fresh temporary --user-data-dir of its own */
		args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
			'--disable-component-update', '--disable-sync', '--no-first-run',
			'--no-proxy-server', `--disk-cache-dir=${profile}`],
		timeout: 30000,
	});
});

after(async () => {
	try {
		if (browser) await browser.close();
		await stopServer(server);
	} finally {
		if (profile) fs.rmSync(profile, { recursive: true, force: true });
	}
});

/* ------------------------------------------------------------------ tests */
test('the server serves the dashboard and its embedded assets', { skip: skipReason || false, timeout: 30000 }, async () => {
	const index = await api('/', '');
	assert.equal(index.status, 200);
	assert.match(index.type, /^text\/html/);
	assert.doesNotMatch(index.body, /https?:\/\//i, 'index.html must not name external URLs');
	const refs = [...index.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
		.filter((r) => !r.startsWith('data:'));
	assert.ok(refs.length >= 4, `index.html refers to ${refs.length} assets`);
	for (const ref of refs) {
		const r = await api('/' + ref.replace(/^\//, ''), '');
		assert.equal(r.status, 200, `${ref} is served`);
	}
	const js = await api('/assets/app.js', '');
	assert.match(js.type, /^application\/javascript/);
	const css = await api('/assets/style.css', '');
	assert.match(css.type, /^text\/css/);
	const bad = await api('/assets/..%2f..%2fMakefile', '');
	assert.equal(bad.status, 404);
});

test('asks for a token on 401 and recovers once one is saved', { skip: skipReason || false, timeout: 45000 }, async (t) => {
	const open = await api('/api/v1/node', '');
	if (open.status !== 401) {
		t.skip(`the API answers ${open.status} without a token (open API): nothing to test`);
		return;
	}
	if (!TOKEN) {
		t.skip('the API needs a token but PV_E2E_TOKEN is not set');
		return;
	}
	const { ctx, page } = await newPage({ withToken: false });
	try {
		await page.goto(baseUrl + '/');
		await page.waitForSelector('#banner[data-kind="auth"]:not([hidden])', { timeout: 10000 });
		assert.equal(await page.getAttribute('#status', 'data-state'), 'auth');
		assert.match(await page.textContent('#banner'), /token/i);
		await page.fill('#token', TOKEN);
		await page.click('#token-form button[type="submit"]');
		await waitPolls(page, 2);
		assert.equal(await page.isHidden('#banner'), true, 'the banner goes away');
		assert.equal(await page.getAttribute('#status', 'data-state'), 'ok');
		assert.equal(await page.evaluate(() => localStorage.getItem('powervisor.token')), TOKEN,
			'the token is kept in localStorage');
	} finally {
		await ctx.close();
	}
});

test('charts render and their legend values move between samples', { skip: skipReason || false, timeout: 60000 }, async () => {
	const node = JSON.parse((await api('/api/v1/node')).body);
	const vms = JSON.parse((await api('/api/v1/vms')).body).vms;
	const { ctx, page } = await newPage({ withToken: true });
	try {
		await page.goto(baseUrl + '/');
		await waitPolls(page, 3);
		/* 7 fixed charts + one exits chart per VM, each a uPlot canvas */
		const want = 7 + Math.min(vms.length, 32);
		await page.waitForFunction((n) => document.querySelectorAll('.uplot canvas').length >= n, want, { timeout: 10000 });
		const canvases = await page.$$eval('.uplot canvas', (cs) => cs.map((c) => [c.width, c.height]));
		assert.ok(canvases.length >= want, `${canvases.length} canvases, want ${want}`);
		for (const [w, h] of canvases)
			assert.ok(w > 100 && h > 100, `canvas is ${w}x${h}`);

		const a = await snapshot(page);
		assert.ok(a.legends.length >= 7, `${a.legends.length} legend values`);
		assert.ok(a.legends.filter((v) => v !== '—').length >= 7, `legend values: ${a.legends.join(' | ')}`);
		await sleep(2500);
		await waitPolls(page, (await polls(page)) + 1);
		const b = await snapshot(page);
		const changed = a.legends.filter((v, i) => b.legends[i] !== undefined && b.legends[i] !== v).length;
		assert.ok(changed >= 3, `only ${changed} legend values changed in 2.5 s:\n${a.legends.join(' | ')}\n${b.legends.join(' | ')}`);

		/* power source shown, "model" visibly */
		const src = node.power.source;
		assert.match(await page.textContent('#power-source'), new RegExp(src));
		if (src === 'model')
			assert.match(await page.textContent('#stat-power-sub'), /MODELLED/);
		/* one row per VM in both tables, QoS class shown */
		assert.equal(await page.$$eval('#vm-table tbody tr[data-vm]', (r) => r.length), Math.min(vms.length, 32));
		assert.equal(await page.$$eval('#qos-table tbody tr[data-vm]', (r) => r.length), Math.min(vms.length, 32));
		for (const vm of vms.slice(0, 32))
			assert.match(await page.textContent(`#qos-table tr[data-vm="${vm.name}"]`), new RegExp(vm.qos));
		/* per-CPU bars */
		assert.equal(await page.$$eval('#cputime-bars .bar-row', (r) => r.length), node.cpus.length);

		await page.waitForTimeout(300);	/* let bar transitions settle for the picture */
		fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
		await page.screenshot({ path: SCREENSHOT, fullPage: true });
		assert.ok(fs.statSync(SCREENSHOT).size > 20000, 'screenshot written');
		console.log(`# screenshot: ${path.relative(REPO, SCREENSHOT)}`);
	} finally {
		await ctx.close();
	}
	assert.deepEqual(pageErrors, [], 'no script errors in the page');
});

test('shows a banner while the server is down and recovers when it is back', { skip: skipReason || (!USE_FAKE && 'needs the fake server, which this test restarts') || false, timeout: 60000 }, async () => {
	const { ctx, page } = await newPage({ withToken: true });
	try {
		await page.goto(baseUrl + '/');
		await waitPolls(page, 2);
		await stopServer(server);
		server = null;
		await page.waitForSelector('#banner[data-kind="down"]:not([hidden])', { timeout: 10000 });
		assert.equal(await page.getAttribute('#status', 'data-state'), 'down');
		assert.match(await page.textContent('#banner'), /Cannot reach powervisord.*Retrying/);
		const before = await polls(page);
		/* same port: the page keeps retrying the same origin */
		const { s } = await startFake(fakePort);
		server = s;
		await waitPolls(page, before + 2, 20000);
		assert.equal(await page.isHidden('#banner'), true, 'the banner goes away');
		assert.equal(await page.getAttribute('#status', 'data-state'), 'ok');
	} finally {
		await ctx.close();
	}
	assert.deepEqual(pageErrors, [], 'no script errors in the page');
});
