#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generates the Grafana dashboards in this directory (powervisor-*.json) from one place, so
 * panels share conventions: every query goes through the `datasource` variable, filters on
 * `instance`, `vm` and `cpu` where the metric has those labels, and uses only metric names
 * from docs/METRICS.md (tests/e2e/check_dashboards.mjs verifies that on the JSON).
 *
 *   node dashboards/grafana/generate.mjs           rewrite the JSON files
 *   node dashboards/grafana/generate.mjs --check   exit 1 if the JSON files are not what
 *                                                  this script generates (edit here, not there)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const DS = { type: 'prometheus', uid: '${datasource}' };
const I = 'instance=~"$instance"';
const VM = `${I}, vm=~"$vm"`;
const CPU = `${I}, cpu=~"$cpu"`;
const RI = '$__rate_interval';

/* ------------------------------------------------------------------ building blocks */
function target(expr, legendFormat, extra = {}) {
	return { datasource: DS, editorMode: 'code', expr, legendFormat, range: true, ...extra };
}

function fieldConfig(o) {
	const custom = {
		drawStyle: o.draw || 'line',
		lineInterpolation: o.interp || 'linear',
		lineWidth: 1,
		fillOpacity: o.fill ?? (o.stack ? 35 : 10),
		gradientMode: 'none',
		showPoints: 'never',
		spanNulls: false,
		axisPlacement: 'auto',
		axisSoftMin: o.softMin ?? 0,
		stacking: { mode: o.stack || 'none', group: 'A' },
		thresholdsStyle: { mode: 'off' },
	};
	if (o.log) custom.scaleDistribution = { type: 'log', log: 10 };
	const d = {
		unit: o.unit || 'short',
		color: { mode: 'palette-classic' },
		custom,
		thresholds: { mode: 'absolute', steps: o.thresholds || [{ color: 'green', value: null }] },
		mappings: o.mappings || [],
	};
	if (o.decimals !== undefined) d.decimals = o.decimals;
	if (o.min !== undefined) d.min = o.min;
	if (o.max !== undefined) d.max = o.max;
	return { defaults: d, overrides: o.overrides || [] };
}

function timeseries(title, targets, o = {}) {
	return {
		type: 'timeseries', title, description: o.desc || '',
		datasource: DS, targets, w: o.w || 12, h: o.h || 8,
		fieldConfig: fieldConfig(o),
		options: {
			legend: { displayMode: o.legendMode || 'table', placement: o.legendPlace || 'bottom', showLegend: true,
				calcs: o.calcs || ['lastNotNull', 'max'] },
			tooltip: { mode: 'multi', sort: 'desc' },
		},
		/* repeated once per selected value, side by side: alone on its line (w: 24) */
		...(o.repeat ? { repeat: o.repeat, repeatDirection: 'h', maxPerRow: o.maxPerRow || 4 } : {}),
	};
}

function stat(title, targets, o = {}) {
	const fc = fieldConfig(o);
	fc.defaults.color = o.colorMode === 'fixed' ? { mode: 'fixed', fixedColor: o.fixedColor || 'text' }
		: { mode: o.colorMode || 'thresholds' };
	delete fc.defaults.custom;
	return {
		type: 'stat', title, description: o.desc || '', datasource: DS, targets, w: o.w || 4, h: o.h || 4,
		fieldConfig: fc,
		options: {
			reduceOptions: { calcs: [o.calc || 'lastNotNull'], fields: '', values: false },
			colorMode: o.statColor || 'value', graphMode: o.graph || 'area', justifyMode: 'auto',
			textMode: o.textMode || 'auto', orientation: 'auto', wideLayout: true,
		},
	};
}

function bargauge(title, targets, o = {}) {
	const fc = fieldConfig(o);
	fc.defaults.color = { mode: 'continuous-GrYlRd' };
	delete fc.defaults.custom;
	return {
		type: 'bargauge', title, description: o.desc || '', datasource: DS, targets, w: o.w || 8, h: o.h || 8,
		fieldConfig: fc,
		options: {
			reduceOptions: { calcs: [o.calc || 'lastNotNull'], fields: '', values: false },
			displayMode: 'gradient', orientation: 'horizontal', showUnfilled: true, valueMode: 'color',
			minVizHeight: 16, minVizWidth: 8, namePlacement: 'auto', sizing: 'auto',
		},
	};
}

function heatmap(title, expr, o = {}) {
	return {
		type: 'heatmap', title, description: o.desc || '', datasource: DS, w: o.w || 12, h: o.h || 8,
		targets: [target(expr, '{{le}}', { format: 'heatmap' })],
		fieldConfig: { defaults: { custom: { hideFrom: { legend: false, tooltip: false, viz: false },
			scaleDistribution: { type: 'linear' } } }, overrides: [] },
		options: {
			calculate: false,
			cellGap: 1,
			color: { mode: 'scheme', scheme: 'Oranges', fill: 'dark-orange', scale: 'exponential', exponent: 0.5, steps: 64, reverse: false },
			yAxis: { axisPlacement: 'left', unit: o.unit || 's', reverse: false },
			rowsFrame: { layout: 'auto' },
			tooltip: { mode: 'single', yHistogram: true, showColorScale: false },
			legend: { show: true },
			cellValues: { unit: 'reqps' },
			exemplars: { color: 'rgba(255,0,255,0.7)' },
			filterValues: { le: 1e-9 },
			showValue: 'never',
		},
	};
}

function stateTimeline(title, targets, o = {}) {
	const fc = fieldConfig(o);
	fc.defaults.color = { mode: 'thresholds' };
	fc.defaults.custom = { fillOpacity: 80, lineWidth: 0, hideFrom: { legend: false, tooltip: false, viz: false } };
	return {
		type: 'state-timeline', title, description: o.desc || '', datasource: DS, targets,
		w: o.w || 12, h: o.h || 8, fieldConfig: fc,
		options: { mergeValues: true, showValue: 'auto', alignValue: 'left', rowHeight: 0.9,
			legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
			tooltip: { mode: 'single', sort: 'none' } },
	};
}

function table(title, targets, o = {}) {
	return {
		type: 'table', title, description: o.desc || '', datasource: DS, targets, w: o.w || 12, h: o.h || 8,
		fieldConfig: { defaults: { custom: { align: 'auto', cellOptions: { type: 'auto' } }, mappings: [],
			thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }] } }, overrides: [] },
		options: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], fields: '' } },
		transformations: o.transformations || [],
	};
}

function row(title) {
	return { type: 'row', title, collapsed: false, panels: [], w: 24, h: 1 };
}

const byName = (re, props) => ({ matcher: { id: 'byRegexp', options: re },
	properties: Object.entries(props).map(([id, value]) => ({ id, value })) });
const dashed = { 'custom.lineStyle': { fill: 'dash', dash: [10, 10] }, 'custom.fillOpacity': 0 };
const red = [{ color: 'green', value: null }, { color: 'red', value: 1 }];

/* Lay panels out left to right, wrapping at 24 columns; rows start a new line. */
function layout(items) {
	let x = 0, y = 0, lineH = 0, id = 1;
	const out = [];
	for (const it of items) {
		const { w, h, ...p } = it;
		if (p.type === 'row' || x + w > 24) {
			y += lineH;
			x = 0;
			lineH = 0;
		}
		p.id = id++;
		p.gridPos = { h, w, x, y };
		if (p.targets) p.targets = p.targets.map((t, i) => ({ ...t, refId: String.fromCharCode(65 + i) }));
		out.push(p);
		x += w;
		lineH = Math.max(lineH, h);
		if (p.type === 'row') {
			y += h;
			x = 0;
			lineH = 0;
		}
	}
	return out;
}

function queryVar(name, label, query, o = {}) {
	return {
		name, label, type: 'query', datasource: DS, query, definition: query,
		refresh: 2, regex: '', sort: o.sort ?? 1, multi: true, includeAll: true, allValue: o.allValue ?? '.*',
		current: { selected: true, text: ['All'], value: ['$__all'] }, options: [], hide: 0,
	};
}

const VARIABLES = [
	{ name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', regex: '',
		current: {}, options: [], refresh: 1, hide: 0, multi: false, includeAll: false },
	queryVar('instance', 'Node', 'label_values(powervisor_build_info, instance)'),
	queryVar('vm', 'VM', `label_values(powervisor_vm_info{${I}}, vm)`),
	queryVar('cpu', 'CPU', `label_values(powervisor_cpu_frequency_hertz{${I}}, cpu)`, { sort: 3 }),
];

function dashboard(uid, title, description, items, extra = {}) {
	return {
		annotations: { list: [{ builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true,
			hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' }] },
		description,
		editable: true,
		fiscalYearStartMonth: 0,
		graphTooltip: 1,
		links: [{ asDropdown: false, icon: 'external link', includeVars: true, keepTime: true,
			tags: ['powervisor'], targetBlank: false, title: 'Powervisor', type: 'dashboards' }],
		liveNow: false,
		panels: layout(items),
		refresh: '10s',
		schemaVersion: 39,
		tags: ['powervisor', ...(extra.tags || [])],
		templating: { list: VARIABLES },
		time: { from: 'now-1h', to: 'now' },
		timepicker: { refresh_intervals: ['5s', '10s', '30s', '1m', '5m'] },
		timezone: 'browser',
		title,
		uid,
		version: 1,
		weekStart: '',
	};
}

/* ------------------------------------------------------------------ node power */
const node = dashboard('powervisor-node', 'Powervisor / Node power',
	'Node power and energy (by source: rapl/perf measured, model = computed by the power model), per-CPU P-states and C-states, time by state, actuators.', [
	row('Power and energy'),
	stat('Node power', [target(`sum by (instance, source) (powervisor_node_power_watts{${I}})`, '{{instance}} ({{source}})')],
		{ unit: 'watt', decimals: 1, desc: 'Power over the last policy tick. A "(model)" suffix means the figure is computed by the power model, not measured.', colorMode: 'fixed', statColor: 'value' }),
	stat('Power source', [target(`count by (source) (powervisor_node_power_watts{${I}})`, '{{source}}')],
		{ textMode: 'name', graph: 'none', desc: 'model: no RAPL/perf energy interface; every power figure on this node is modelled (POWER_MODEL.md).',
			overrides: [byName('model', { color: { mode: 'fixed', fixedColor: 'orange' } }),
				byName('rapl|perf', { color: { mode: 'fixed', fixedColor: 'green' } })] }),
	stat('Energy in range', [target(`sum by (source) (increase(powervisor_node_energy_joules_total{${I}}[$__range]))`, '{{source}}')],
		{ unit: 'joule', graph: 'none', colorMode: 'fixed' }),
	stat('Idle share of energy', [target(`sum(increase(powervisor_idle_energy_joules_total{${I}}[$__range])) / sum(increase(powervisor_node_energy_joules_total{${I}}[$__range]))`, 'idle')],
		{ unit: 'percentunit', graph: 'none', colorMode: 'fixed', desc: 'Energy attributed to idle CPUs over the time range.' }),
	stat('Governor', [target(`powervisor_governor_info{${I}}`, '{{governor}} on {{backend}}')],
		{ textMode: 'name', graph: 'none', colorMode: 'fixed' }),
	stat('Actuator failures in range', [target(`sum(increase(powervisor_actuator_failures_total{${I}}[$__range])) or vector(0)`, 'failures')],
		{ graph: 'none', thresholds: red, decimals: 0 }),
	timeseries('Node power by source', [target(`sum by (instance, source) (powervisor_node_power_watts{${I}})`, '{{instance}} {{source}}')],
		{ unit: 'watt', desc: 'source="model": estimated by the power model; rapl/perf: measured.' }),
	timeseries('Where the energy goes', [
		target(`sum by (source) (rate(powervisor_node_energy_joules_total{${I}}[${RI}]))`, 'node ({{source}})'),
		target(`sum(rate(powervisor_vm_energy_joules_total{${I}}[${RI}]))`, 'VMs'),
		target(`sum(rate(powervisor_idle_energy_joules_total{${I}}[${RI}]))`, 'idle CPUs'),
		target(`sum(rate(powervisor_overhead_energy_joules_total{${I}}[${RI}]))`, 'VMM overhead')],
		{ unit: 'watt', desc: 'Energy counters as average power: the node total and its attribution.',
			overrides: [byName('^node', { 'custom.fillOpacity': 0, 'custom.lineWidth': 2 })] }),
	timeseries('Power by VM', [target(`sum by (vm, source) (powervisor_vm_power_watts{${VM}})`, '{{vm}} ({{source}})')],
		{ unit: 'watt', stack: 'normal' }),
	bargauge('Energy by VM in range', [target(`sum by (vm) (increase(powervisor_vm_energy_joules_total{${VM}}[$__range]))`, '{{vm}}')],
		{ unit: 'joule', w: 12 }),
	row('P-states'),
	timeseries('CPU frequency', [
		target(`powervisor_cpu_frequency_hertz{${CPU}}`, 'cpu{{cpu}}'),
		target(`powervisor_cpu_frequency_floor_hertz{${CPU}} > 0`, 'cpu{{cpu}} floor')],
		{ unit: 'hertz', interp: 'stepAfter', desc: 'Current frequency; dashed: the aggregated QoS frequency floor.',
			overrides: [byName('floor', dashed)] }),
	timeseries('Time at each frequency', [target(`sum by (freq_mhz) (rate(powervisor_cpu_frequency_residency_seconds_total{${CPU}}[${RI}]))`, '{{freq_mhz}} MHz')],
		{ unit: 's', stack: 'normal', desc: 'CPU-seconds per second at each frequency, over the selected CPUs.' }),
	row('C-states'),
	timeseries('C-state residency, cpu$cpu', [target(`sum by (state) (rate(powervisor_cpu_cstate_residency_seconds_total{${CPU}}[${RI}]))`, '{{state}}')],
		{ unit: 'percentunit', stack: 'normal', max: 1, repeat: 'cpu', w: 24, desc: 'Share of time in each idle state.' }),
	timeseries('Deepest allowed C-state', [target(`powervisor_cpu_cstate_limit{${CPU}}`, 'cpu{{cpu}}')],
		{ interp: 'stepAfter', decimals: 0, desc: 'Index of the deepest idle state the QoS constraints allow.' }),
	timeseries('Wake-latency budget', [target(`powervisor_cpu_latency_budget_seconds{${CPU}}`, 'cpu{{cpu}}')],
		{ unit: 's', interp: 'stepAfter', desc: 'Aggregated wake-latency constraint (absent when none).' }),
	row('CPU time by state'),
	timeseries('Time by state, cpu$cpu', [target(`sum by (state) (rate(powervisor_cpu_time_seconds_total{${CPU}}[${RI}]))`, '{{state}}')],
		{ unit: 'percentunit', stack: 'normal', max: 1, repeat: 'cpu', w: 24, desc: 'guest / vmm / halt / idle, from transitions.',
			overrides: [byName('^guest$', { color: { mode: 'fixed', fixedColor: 'green' } }),
				byName('^vmm$', { color: { mode: 'fixed', fixedColor: 'orange' } }),
				byName('^halt$', { color: { mode: 'fixed', fixedColor: 'blue' } }),
				byName('^idle$', { color: { mode: 'fixed', fixedColor: 'dark-gray' } })] }),
	row('Actuators, devices, policy loop'),
	timeseries('Actuator failures', [target(`sum by (actuator) (increase(powervisor_actuator_failures_total{${I}}[${RI}]))`, '{{actuator}}')],
		{ draw: 'bars', fill: 80, w: 8, desc: 'Failed writes to cpufreq / cpuidle / sched / devices.', decimals: 0 }),
	timeseries('Device power state', [target(`powervisor_device_power_state{${I}}`, '{{device}}')],
		{ interp: 'stepAfter', w: 8, decimals: 0, desc: '0 = on, higher = lower power.',
			mappings: [{ type: 'value', options: { 0: { text: 'on', index: 0 } } }] }),
	timeseries('Policy tick duration', [
		target(`histogram_quantile(0.5, sum by (le) (rate(powervisor_policy_tick_duration_seconds_bucket{${I}}[${RI}])))`, 'p50'),
		target(`histogram_quantile(0.99, sum by (le) (rate(powervisor_policy_tick_duration_seconds_bucket{${I}}[${RI}])))`, 'p99')],
		{ unit: 's', w: 8 }),
], { tags: ['power'] });

/* ------------------------------------------------------------------ per-VM QoS */
const vmState = ['starting', 'running', 'paused', 'stopped', 'failed']
	.map((s, i) => `${i + 1} * sum by (instance, vm) (powervisor_vm_state{${VM}, state="${s}"})`).join(' + ');
const qos = dashboard('powervisor-qos', 'Powervisor / VM QoS',
	'Per-VM quality of service: real-time lateness and deadline misses, reservations and admission, boosting, throttling and how fast QoS changes apply.', [
	row('Real-time tasks'),
	timeseries('RT release lateness p50 / p99', [
		target(`histogram_quantile(0.99, sum by (vm, le) (rate(powervisor_rt_lateness_seconds_bucket{${VM}}[${RI}])))`, '{{vm}} p99'),
		target(`histogram_quantile(0.5, sum by (vm, le) (rate(powervisor_rt_lateness_seconds_bucket{${VM}}[${RI}])))`, '{{vm}} p50')],
		{ unit: 's', log: true, desc: 'Release lateness of real-time activations reported by guests (histogram quantiles).',
			overrides: [byName('p50$', dashed)] }),
	heatmap('RT lateness distribution', `sum by (le) (increase(powervisor_rt_lateness_seconds_bucket{${VM}}[${RI}]))`),
	timeseries('Deadline misses', [target(`sum by (vm) (rate(powervisor_rt_deadline_misses_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 8, thresholds: red }),
	timeseries('Miss ratio', [target(`sum by (vm) (rate(powervisor_rt_deadline_misses_total{${VM}}[${RI}])) / sum by (vm) (rate(powervisor_rt_activations_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'percentunit', w: 8, desc: 'Misses per activation.' }),
	bargauge('Misses in range', [target(`sum by (vm) (increase(powervisor_rt_deadline_misses_total{${VM}}[$__range]))`, '{{vm}}')],
		{ decimals: 0, w: 8 }),
	row('Reservations and boosting'),
	stateTimeline('Reservation admitted', [target(`max by (vm) (powervisor_qos_reservation_admitted{${VM}})`, '{{vm}}')],
		{ thresholds: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
			mappings: [{ type: 'value', options: { 0: { text: 'rejected', color: 'red', index: 0 }, 1: { text: 'admitted', color: 'green', index: 1 } } }],
			desc: 'Whether the VM\'s reservation passed admission control.' }),
	timeseries('Boosted vCPUs', [target(`sum by (vm) (powervisor_qos_boosted{${VM}})`, '{{vm}}')],
		{ interp: 'stepAfter', decimals: 0, desc: 'vCPUs currently holding their reservation (transition-driven boosting).' }),
	timeseries('Budget throttling', [target(`sum by (vm) (rate(powervisor_qos_throttled_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 12, desc: 'Budget exhaustions enforced by the VMM timer.' }),
	timeseries('QoS apply latency', [
		target(`histogram_quantile(0.5, sum by (le) (rate(powervisor_qos_apply_latency_seconds_bucket{${I}}[${RI}])))`, 'p50'),
		target(`histogram_quantile(0.99, sum by (le) (rate(powervisor_qos_apply_latency_seconds_bucket{${I}}[${RI}])))`, 'p99')],
		{ unit: 's', w: 12, desc: 'From a QoS change request to applied (node-wide).' }),
	row('VMs'),
	stateTimeline('VM state', [target(vmState, '{{vm}}')],
		{ thresholds: [{ color: 'text', value: null }],
			mappings: [{ type: 'value', options: {
				1: { text: 'starting', color: 'blue', index: 0 }, 2: { text: 'running', color: 'green', index: 1 },
				3: { text: 'paused', color: 'yellow', index: 2 }, 4: { text: 'stopped', color: 'text', index: 3 },
				5: { text: 'failed', color: 'red', index: 4 } } }] }),
	table('VM definitions', [target(`max by (vm, qos_class, halt_mode) (powervisor_vm_info{${VM}})`, '', { format: 'table', instant: true, range: false })],
		{ transformations: [{ id: 'organize', options: { excludeByName: { Time: true, Value: true }, indexByName: { vm: 0, qos_class: 1, halt_mode: 2 } } }] }),
	timeseries('vCPU time by state', [target(`sum by (vm, state) (rate(powervisor_vcpu_time_seconds_total{${VM}}[${RI}]))`, '{{vm}} {{state}}')],
		{ unit: 'percentunit', w: 8 }),
	timeseries('vCPU migrations', [target(`sum by (vm) (rate(powervisor_vcpu_migrations_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 8 }),
	timeseries('VMM restarts', [target(`sum by (vm) (increase(powervisor_vm_restarts_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ draw: 'bars', fill: 80, decimals: 0, w: 8 }),
], { tags: ['qos'] });

/* ------------------------------------------------------------------ exits */
const exits = dashboard('powervisor-exits', 'Powervisor / VM exits',
	'VM exits by reason and their handling latency (exit to re-entry), and the health of the transition trace pipeline.', [
	row('Exit rates'),
	stat('Exits/s, selected VMs', [target(`sum(rate(powervisor_vm_exits_total{${VM}}[${RI}]))`, 'exits/s')],
		{ unit: 'ops', colorMode: 'fixed', w: 6, h: 6 }),
	bargauge('Exits/s by reason', [target(`sum by (reason) (rate(powervisor_vm_exits_total{${VM}}[${RI}]))`, '{{reason}}')],
		{ unit: 'ops', w: 9, h: 6 }),
	bargauge('Exits/s by VM', [target(`sum by (vm) (rate(powervisor_vm_exits_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 9, h: 6 }),
	timeseries('Exits/s by reason: $vm', [target(`sum by (reason) (rate(powervisor_vm_exits_total{${VM}}[${RI}]))`, '{{reason}}')],
		{ unit: 'ops', stack: 'normal', repeat: 'vm', maxPerRow: 3, w: 24 }),
	row('Exit handling latency'),
	timeseries('Exit latency p50 / p99 by reason: $vm', [
		target(`histogram_quantile(0.99, sum by (reason, le) (rate(powervisor_vm_exit_latency_seconds_bucket{${VM}}[${RI}])))`, '{{reason}} p99'),
		target(`histogram_quantile(0.5, sum by (reason, le) (rate(powervisor_vm_exit_latency_seconds_bucket{${VM}}[${RI}])))`, '{{reason}} p50')],
		{ unit: 's', log: true, repeat: 'vm', maxPerRow: 3, w: 24, overrides: [byName('p50$', dashed)] }),
	heatmap('Exit latency distribution, selected VMs', `sum by (le) (increase(powervisor_vm_exit_latency_seconds_bucket{${VM}}[${RI}]))`, { w: 24 }),
	row('Trace pipeline'),
	timeseries('Transition records consumed', [target(`sum by (vm) (rate(powervisor_trace_records_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 8 }),
	timeseries('Records rejected by validation', [target(`sum by (vm, reason) (rate(powervisor_trace_rejects_total{${VM}}[${RI}]))`, '{{vm}} {{reason}}')],
		{ unit: 'ops', w: 8, thresholds: red, desc: 'A VMM writing malformed records: it is untrusted; investigate.' }),
	timeseries('Records dropped (ring full)', [target(`sum by (vm) (rate(powervisor_trace_drops_total{${VM}}[${RI}]))`, '{{vm}}')],
		{ unit: 'ops', w: 8 }),
], { tags: ['exits'] });

/* ------------------------------------------------------------------ write / check */
const files = {
	'powervisor-node.json': node,
	'powervisor-qos.json': qos,
	'powervisor-exits.json': exits,
};
const check = process.argv.includes('--check');
let stale = 0;
for (const [name, d] of Object.entries(files)) {
	const file = path.join(DIR, name);
	const text = JSON.stringify(d, null, 2) + '\n';
	if (check) {
		const cur = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
		if (cur !== text) {
			console.error(`${file}: differs from generate.mjs output (run: node ${path.relative(process.cwd(), fileURLToPath(import.meta.url))})`);
			stale++;
		}
	} else {
		fs.writeFileSync(file, text);
		console.log(`wrote ${path.relative(process.cwd(), file)}`);
	}
}
process.exit(stale ? 1 : 0);
