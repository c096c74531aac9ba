#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
/*
 * Static checks of the Grafana dashboards and Prometheus rules against the metrics contract:
 *
 *   node tests/e2e/check_dashboards.mjs [--self-test]
 *
 * - docs/METRICS.md is parsed for metric names, types and label names;
 * - every dashboards/grafana/*.json: schemaVersion >= 36, unique uid, a `datasource` variable
 *   of type datasource/prometheus, `vm` and `cpu` query variables from label_values(), every
 *   panel and target going through ${datasource}, unique panel ids, sane grid positions;
 * - every PromQL expression (panel targets, variable queries, alert rules in
 *   dashboards/prometheus/alerts.yml) uses only metric names from METRICS.md — histogram
 *   series (_bucket/_sum/_count) only for histograms — and in selectors only labels that
 *   metric has (plus instance/job, and le on _bucket).
 * --self-test feeds known-bad expressions through the checker and fails unless each is caught.
 * Prints one line per problem and a closing "check_dashboards.mjs: N passed, N failed".
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TARGET_LABELS = new Set(['instance', 'job']);
const PROMQL_WORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool',
	'and', 'or', 'unless', 'offset', 'atan2', 'inf', 'nan', 'Inf', 'NaN',
	/* aggregation operators: may be followed by a grouping clause instead of "(" */
	'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values',
	'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
/* metrics that come from Prometheus itself, not from powervisord */
const BUILTIN_METRICS = { up: new Set(['instance', 'job']) };

/* ------------------------------------------------------------------ the catalog */
function parseCatalog(file) {
	const text = fs.readFileSync(file, 'utf8');
	const metrics = new Map();
	for (const line of text.split('\n')) {
		const m = line.match(/^\|\s*`(powervisor_[a-z0-9_]+)`\s*\|\s*([^|]*)\|\s*([^|]*)\|/);
		if (!m) continue;
		const labels = new Set();
		for (const part of m[3].split(',')) {
			const l = part.match(/`([a-z_][a-z0-9_]*)`/);
			if (l) labels.add(l[1]);
		}
		metrics.set(m[1], { type: m[2].trim().split(/\s/)[0], labels });
	}
	return metrics;
}

/* ------------------------------------------------------------------ PromQL scanning */
/*
 * Metric selectors in @expr: [{name, labels: [label names in its {...}]}]. Good enough for
 * the PromQL we write: strings, ranges, grouping clauses and function calls are told apart
 * syntactically; Grafana's $variables are left inside strings and ranges.
 */
function selectors(expr) {
	const out = [];
	let s = expr.replace(/\[[^\]]*\]/g, ' ');		/* [5m], [$__rate_interval] */
	/* grouping / matching label lists */
	s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' $1 ');
	const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{(?:[^}"]|"(?:[^"\\]|\\.)*")*\})|([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\()?|"(?:[^"\\]|\\.)*"/g;
	let m;
	while ((m = re.exec(s))) {
		if (m[2] !== undefined) {
			const labels = [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*"/g)].map((x) => x[1]);
			const nameLabel = m[2].match(/__name__\s*=~?\s*"([^"]*)"/);
			const name = m[1] || (nameLabel && nameLabel[1]) || '';
			out.push({ name, labels: labels.filter((l) => l !== '__name__') });
		} else if (m[3] !== undefined) {
			if (m[4]) continue;				/* a function call */
			if (PROMQL_WORDS.has(m[3])) continue;
			if (/^\d/.test(m[3])) continue;
			out.push({ name: m[3], labels: [] });
		}
	}
	return out;
}

function metricInfo(catalog, name) {
	if (BUILTIN_METRICS[name]) return { labels: BUILTIN_METRICS[name], type: 'gauge', base: name };
	if (catalog.has(name)) return { ...catalog.get(name), base: name };
	const h = name.match(/^(.*)_(bucket|sum|count)$/);
	if (h && catalog.has(h[1]) && catalog.get(h[1]).type === 'histogram') {
		const labels = new Set(catalog.get(h[1]).labels);
		if (h[2] === 'bucket') labels.add('le');
		return { labels, type: 'counter', base: h[1] };
	}
	return null;
}

/* Problems with one expression, as strings. */
function checkExpr(catalog, expr) {
	const problems = [];
	const sels = selectors(expr);
	if (!sels.some((s) => s.name)) problems.push('uses no metric at all');
	for (const s of sels) {
		if (!s.name) {
			problems.push(`selector without a metric name`);
			continue;
		}
		const info = metricInfo(catalog, s.name);
		if (!info) {
			const h = s.name.match(/^(.*)_(bucket|sum|count)$/);
			problems.push(h && catalog.has(h[1]) ? `${s.name}: ${h[1]} is a ${catalog.get(h[1]).type}, not a histogram`
				: `${s.name}: not in docs/METRICS.md`);
			continue;
		}
		for (const l of s.labels)
			if (!info.labels.has(l) && !TARGET_LABELS.has(l))
				problems.push(`${s.name}{${l}=...}: ${info.base} has no label "${l}"`);
	}
	return problems;
}

/* ------------------------------------------------------------------ files */
function walkPanels(panels, fn) {
	for (const p of panels || []) {
		fn(p);
		if (p.panels) walkPanels(p.panels, fn);
	}
}

function checkDashboard(catalog, file, seenUids) {
	const problems = [];
	const bad = (msg) => problems.push(`${path.relative(REPO, file)}: ${msg}`);
	let d;
	try {
		d = JSON.parse(fs.readFileSync(file, 'utf8'));
	} catch (e) {
		bad(`not valid JSON: ${e.message}`);
		return { problems, exprs: 0 };
	}
	if (!(d.schemaVersion >= 36)) bad(`schemaVersion ${d.schemaVersion} < 36`);
	if (!d.uid || !d.title) bad('uid and title are required');
	if (seenUids.has(d.uid)) bad(`uid ${d.uid} used twice`);
	seenUids.add(d.uid);
	const vars = (d.templating && d.templating.list) || [];
	const v = (n) => vars.find((x) => x.name === n);
	const ds = v('datasource');
	if (!ds || ds.type !== 'datasource' || ds.query !== 'prometheus')
		bad('needs a variable "datasource" of type datasource with query "prometheus"');
	let exprs = 0;
	for (const name of ['vm', 'cpu']) {
		const q = v(name);
		const text = q && (typeof q.query === 'string' ? q.query : q.query && q.query.query);
		const m = text && text.match(/^label_values\((.*),\s*([a-z_]+)\)$/);
		if (!q || q.type !== 'query' || !m || m[2] !== name)
			bad(`needs a query variable "${name}" = label_values(<metric>, ${name})`);
		else if (!metricInfo(catalog, m[1].replace(/\{.*\}/, '').trim())?.labels.has(name))
			bad(`variable ${name}: ${m[1]} has no label ${name}`);
	}
	for (const q of vars.filter((x) => x.type === 'query')) {
		if (!q.datasource || q.datasource.uid !== '${datasource}')
			bad(`variable ${q.name} must use the \${datasource} variable`);
		const text = typeof q.query === 'string' ? q.query : q.query && q.query.query;
		const m = text && text.match(/^label_values\((.*),\s*[a-z_]+\)$/);
		if (m) {
			exprs++;
			for (const p of checkExpr(catalog, m[1])) bad(`variable ${q.name}: ${p}`);
		}
	}
	const ids = new Set();
	let panels = 0;
	walkPanels(d.panels, (p) => {
		panels++;
		const where = `panel ${p.id} "${p.title}"`;
		if (ids.has(p.id)) bad(`${where}: duplicate id`);
		ids.add(p.id);
		const g = p.gridPos;
		if (!g || !(g.w > 0) || !(g.h > 0) || g.x < 0 || g.x + g.w > 24) bad(`${where}: bad gridPos ${JSON.stringify(g)}`);
		if (p.type === 'row') return;
		if (!p.datasource || p.datasource.uid !== '${datasource}') bad(`${where}: panel datasource must be \${datasource}`);
		if (!Array.isArray(p.targets) || !p.targets.length) bad(`${where}: no queries`);
		for (const t of p.targets || []) {
			if (!t.datasource || t.datasource.uid !== '${datasource}') bad(`${where}: target ${t.refId} datasource must be \${datasource}`);
			if (typeof t.expr !== 'string' || !t.expr.trim()) {
				bad(`${where}: target ${t.refId} has no expr`);
				continue;
			}
			exprs++;
			for (const pr of checkExpr(catalog, t.expr)) bad(`${where}: ${pr}  [${t.expr}]`);
		}
	});
	if (!panels) bad('no panels');
	return { problems, exprs };
}

/* alerts.yml: exprs are single-line, or block scalars (| or >) indented below "expr:" */
function alertExprs(file) {
	const lines = fs.readFileSync(file, 'utf8').split('\n');
	const out = [];
	for (let i = 0; i < lines.length; i++) {
		const m = lines[i].match(/^(\s*)expr:\s*(.*)$/);
		if (!m) continue;
		if (/^[|>][-+]?\s*$/.test(m[2])) {
			const body = [];
			for (i++; i < lines.length && (lines[i].trim() === '' || lines[i].match(/^\s*/)[0].length > m[1].length); i++)
				body.push(lines[i].trim());
			i--;
			out.push(body.join(' ').trim());
		} else {
			out.push(m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1').trim());
		}
	}
	return out;
}

/* ------------------------------------------------------------------ main */
const catalog = parseCatalog(path.join(REPO, 'docs/METRICS.md'));
let passed = 0, failed = 0;
const report = (ok, what, problems = []) => {
	if (ok) passed++; else failed++;
	console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
	for (const p of problems) console.log(`     ${p}`);
};

report(catalog.size >= 20, `docs/METRICS.md: ${catalog.size} metrics`);

if (process.argv.includes('--self-test')) {
	const mustFail = [
		'rate(powervisor_no_such_metric_total[5m])',
		'powervisor_node_power_watts{vm="x"}',
		'powervisor_node_energy_joules_total_bucket',
		'histogram_quantile(0.9, rate(powervisor_vm_exits_total_bucket[5m]))',
		'sum by (vm) (rate(powervisor_vm_exits_totl{vm=~"$vm"}[1m]))',
		'powervisor_qos_apply_latency_seconds_bucket{vm="a"}',
		'vector(1)',
	];
	const mustPass = [
		'histogram_quantile(0.99, sum by (vm, le) (rate(powervisor_rt_lateness_seconds_bucket{instance=~"$instance", vm=~"$vm"}[$__rate_interval])))',
		'sum by (instance, vm) (rate(powervisor_vm_exits_total[1m])) > 50000',
		'up{job=~"powervisord.*"} == 0',
		'1 * sum by (instance, vm) (powervisor_vm_state{state="running"}) + 2 * sum by (instance, vm) (powervisor_vm_state{state="paused"})',
	];
	for (const e of mustFail) report(checkExpr(catalog, e).length > 0, `self-test: rejects ${e}`);
	for (const e of mustPass) report(checkExpr(catalog, e).length === 0, `self-test: accepts ${e}`, checkExpr(catalog, e));
}

const gdir = path.join(REPO, 'dashboards/grafana');
const files = fs.readdirSync(gdir).filter((f) => f.endsWith('.json')).sort();
report(files.length >= 3, `dashboards/grafana: ${files.length} dashboards`);
const uids = new Set();
for (const f of files) {
	const { problems, exprs } = checkDashboard(catalog, path.join(gdir, f), uids);
	report(!problems.length && exprs > 0, `dashboards/grafana/${f}: ${exprs} expressions`, problems);
}

const alerts = path.join(REPO, 'dashboards/prometheus/alerts.yml');
const aexprs = alertExprs(alerts);
const aproblems = aexprs.flatMap((e) => checkExpr(catalog, e).map((p) => `${p}  [${e}]`));
report(aexprs.length >= 5 && !aproblems.length, `dashboards/prometheus/alerts.yml: ${aexprs.length} expressions`, aproblems);

console.log(`check_dashboards.mjs: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
