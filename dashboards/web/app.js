// SPDX-License-Identifier: GPL-2.0-only
/*
 * Powervisor built-in dashboard.
 *
 * Polls the REST API (api/openapi.yaml) once a second and draws live panels: node power and
 * its source, per-VM power, CPU and RT lateness, exits/s by reason (from counter deltas), per-CPU
 * frequency, utilisation, C-state residency and time by state, and the QoS state of every VM.
 * Charts are uPlot time series over a rolling window; tables and bars are plain DOM.
 *
 * Rules kept here: every string from the API reaches the page through textContent (never
 * innerHTML); requests carry the bearer token from localStorage and have a timeout; a poll
 * never overlaps the previous one; errors never stop polling — 401/403 ask for a token, an
 * unreachable daemon shows a banner and keeps retrying with a capped backoff.
 */
'use strict';

(() => {
	const POLL_MS = 1000;			/* poll period while healthy */
	const REQ_TIMEOUT_MS = 2500;		/* per request */
	const MAX_BACKOFF_MS = 5000;		/* retry period cap while the daemon is down */
	const AUTH_RETRY_MS = 3000;		/* retry period while the token is refused */
	const MAX_VMS = 32;			/* VMs fetched in detail per poll */
	const KEEP_S = 900;			/* history kept (largest window) */
	const TOKEN_KEY = 'powervisor.token';
	const WINDOW_KEY = 'powervisor.window_s';
	const REASON_ORDER = ['hlt', 'pio', 'mmio', 'intr', 'irq_window', 'pv_call', 'system_event',
		'shutdown', 'internal_error', 'fail_entry', 'error', 'other'];
	const PALETTE = ['#73bf69', '#f2cc0c', '#5794f2', '#ff9830', '#f2495c', '#b877d9', '#8ab8ff',
		'#96d98d', '#fade2a', '#ffb357', '#ca95e5', '#ff7383', '#37872d', '#1f60c4', '#c4162a'];
	const STATE_COLORS = { guest: '#73bf69', vmm: '#ff9830', halt: '#5794f2', idle: '#464c54' };
	const CSTATE_COLORS = ['#8ab8ff', '#5794f2', '#3274d9', '#1f60c4', '#b877d9', '#8f3bb8'];

	const $ = (id) => document.getElementById(id);

	/* ------------------------------------------------------------------ formatting */
	function fmtNum(v, dec = 1) {
		if (v === null || v === undefined || !Number.isFinite(v))
			return '—';
		const a = Math.abs(v);
		if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
		if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
		if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
		if (a >= 100) return v.toFixed(0);
		return v.toFixed(dec);
	}
	function fmtInt(v) {
		return Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—';
	}
	function fmtEnergy(j) {
		if (!Number.isFinite(j)) return ['—', 'J'];
		if (j >= 3.6e6) return [(j / 3.6e6).toFixed(3), 'kWh'];
		if (j >= 1e6) return [(j / 1e6).toFixed(2), 'MJ'];
		if (j >= 1e3) return [(j / 1e3).toFixed(2), 'kJ'];
		return [j.toFixed(1), 'J'];
	}
	function fmtUptime(s) {
		if (!Number.isFinite(s)) return '—';
		s = Math.floor(s);
		const d = Math.floor(s / 86400), h = Math.floor(s / 3600) % 24, m = Math.floor(s / 60) % 60;
		if (d) return `${d}d ${h}h`;
		if (h) return `${h}h ${m}m`;
		return `${m}m ${s % 60}s`;
	}
	const pad2 = (n) => String(n).padStart(2, '0');
	/* x axis: 24-hour clock, with seconds when ticks are closer than a minute */
	function fmtClockAxis(u, splits, axisIdx, space, incr) {
		return splits.map((s) => {
			const d = new Date(s * 1000);
			const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
			return incr < 60 ? `${hm}:${pad2(d.getSeconds())}` : hm;
		});
	}
	function usFromNs(ns) {
		return Number.isFinite(ns) ? ns / 1000 : null;
	}
	function num(v) {
		return typeof v === 'number' && Number.isFinite(v) ? v : null;
	}
	/* Percent maps may come as 0..100 or as fractions 0..1: normalise to percent. */
	function pctMap(obj) {
		const out = [];
		if (!obj || typeof obj !== 'object') return out;
		let sum = 0;
		for (const [k, v] of Object.entries(obj))
			if (num(v) !== null && v >= 0) { out.push([k, v]); sum += v; }
		if (sum > 0 && sum <= 1.0001)
			for (const e of out) e[1] *= 100;
		return out;
	}

	/* ------------------------------------------------------------------ colours */
	const colorMaps = new Map();
	function colorFor(domain, key) {
		let m = colorMaps.get(domain);
		if (!m) colorMaps.set(domain, (m = new Map()));
		if (!m.has(key)) {
			let idx = m.size;
			if (domain === 'reason') {
				const r = REASON_ORDER.indexOf(key);
				idx = r >= 0 ? r : REASON_ORDER.length + m.size;
			} else if (domain === 'cpu') {
				idx = parseInt(key, 10) || 0;
			}
			m.set(key, PALETTE[idx % PALETTE.length]);
		}
		return m.get(key);
	}

	/* ------------------------------------------------------------------ DOM helpers */
	function el(tag, attrs = {}, ...kids) {
		const e = document.createElement(tag);
		for (const [k, v] of Object.entries(attrs)) {
			if (k === 'class') e.className = v;
			else if (k === 'text') e.textContent = v;
			else if (k === 'style') Object.assign(e.style, v);
			else e.setAttribute(k, v);
		}
		for (const k of kids)
			if (k !== null && k !== undefined)
				e.append(k instanceof Node ? k : document.createTextNode(String(k)));
		return e;
	}
	function setText(id, text) {
		const e = $(id);
		if (e && e.textContent !== text) e.textContent = text;
	}
	function setBadge(id, source) {
		const e = $(id);
		if (!e) return;
		e.textContent = source ? `source: ${source}` : '—';
		e.className = 'badge' + (source ? ` src-${source}` : '');
		e.title = source === 'model' ? 'Modelled: estimated by the power model, not measured'
			: source ? `Measured through ${source}` : '';
	}

	/* ------------------------------------------------------------------ time series */
	/* Aligned columns over a rolling window: t[] in seconds, one value array per key. */
	class Series {
		constructor() {
			this.t = [];
			this.cols = new Map();
		}
		push(t, values) {
			const n = this.t.length;
			this.t.push(t);
			for (const [k, arr] of this.cols)
				arr.push(values.has(k) ? values.get(k) : null);
			for (const [k, v] of values)
				if (!this.cols.has(k)) {
					const arr = new Array(n).fill(null);
					arr.push(v);
					this.cols.set(k, arr);
				}
		}
		trim(minT) {
			let i = 0;
			while (i < this.t.length && this.t[i] < minT) i++;
			if (!i) return;
			this.t.splice(0, i);
			for (const [k, arr] of this.cols) {
				arr.splice(0, i);
				if (arr.every((v) => v === null)) this.cols.delete(k);
			}
		}
		last(k) {
			const arr = this.cols.get(k);
			if (!arr) return null;
			for (let i = arr.length - 1; i >= 0; i--)
				if (arr[i] !== null) return arr[i];
			return null;
		}
	}

	const AXIS = {
		stroke: '#8e8ea0',
		font: '11px Inter, "Helvetica Neue", Arial, sans-serif',
		grid: { stroke: 'rgba(204,204,220,0.07)', width: 1 },
		ticks: { stroke: 'rgba(204,204,220,0.12)', width: 1, size: 4 },
	};

	/* One uPlot chart with its own Grafana-like legend (last value, or the hovered one). */
	class Chart {
		constructor(container, opts) {
			this.container = container;
			this.opts = Object.assign({ height: 240, unit: '', dec: 1, domain: 'series',
				label: (k) => k, sort: null, min: 0 }, opts);
			this.series = new Series();
			this.keys = [];
			this.hidden = new Set();
			this.plot = null;
			this.hoverIdx = null;
			this.plotEl = el('div', { class: 'plot' });
			this.legendEl = el('div', { class: 'legend' });
			this.emptyEl = el('div', { class: 'chart-empty', text: 'Waiting for data…' });
			container.replaceChildren(this.plotEl, this.legendEl, this.emptyEl);
			if (window.ResizeObserver) {
				this.ro = new ResizeObserver(() => this.resize());
				this.ro.observe(container);
			}
		}
		destroy() {
			if (this.ro) this.ro.disconnect();
			if (this.plot) this.plot.destroy();
			this.plot = null;
		}
		push(t, values) {
			this.series.push(t, values);
			this.series.trim(t - KEEP_S);
		}
		sortedKeys() {
			const keys = [...this.series.cols.keys()];
			return this.opts.sort ? keys.sort(this.opts.sort) : keys.sort();
		}
		width() {
			return Math.max(200, Math.floor(this.container.clientWidth || 400));
		}
		resize() {
			if (this.plot) {
				const w = this.width();
				if (w !== this.plot.width)
					this.plot.setSize({ width: w, height: this.opts.height });
			}
		}
		build(keys) {
			if (this.plot) this.plot.destroy();
			const o = this.opts;
			const fmtAxis = (u, vals) => vals.map((v) => (v === null ? '' : fmtNum(v, v !== 0 && Math.abs(v) < 10 ? 1 : 0)));
			const series = [{}];
			for (const k of keys) {
				const c = colorFor(o.domain, k);
				series.push({ label: o.label(k), stroke: c, width: 1.5, fill: c + '14',
					points: { show: false }, show: !this.hidden.has(k),
					value: (u, v) => fmtNum(v, o.dec) });
			}
			this.keys = keys;
			this.plot = new uPlot({
				width: this.width(),
				height: o.height,
				padding: [8, 8, 0, 0],
				legend: { show: false },
				cursor: { drag: { x: false, y: false }, points: { size: 6 } },
				scales: {
					x: { time: true, range: () => this.xRange() },
					y: { range: (u, min, max) => this.yRange(min, max) },
				},
				axes: [Object.assign({}, AXIS, { space: 64, values: fmtClockAxis }),
					Object.assign({}, AXIS, { size: 52, values: fmtAxis })],
				series,
				hooks: { setCursor: [(u) => { this.hoverIdx = u.cursor.idx; this.renderLegend(); }] },
			}, this.data(), this.plotEl);
			this.buildLegend();
		}
		/* The last windowS seconds; while history is shorter, at least 30 s (the chart fills up). */
		xRange() {
			const now = Date.now() / 1000;
			const first = this.series.t.length ? this.series.t[0] : now;
			return [Math.max(now - windowS, Math.min(first - 1, now - 30)), now];
		}
		yRange(min, max) {
			if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max))
				return [0, 1];
			let lo = this.opts.min !== null ? Math.min(this.opts.min, min) : min;
			let hi = max;
			if (hi - lo < 1e-9) hi = lo + (Math.abs(lo) > 1 ? Math.abs(lo) * 0.1 : 1);
			hi += (hi - lo) * 0.08;
			return [lo, hi];
		}
		data() {
			return [this.series.t.slice(), ...this.keys.map((k) => this.series.cols.get(k).slice())];
		}
		buildLegend() {
			this.legendItems = this.keys.map((k, i) => {
				const lv = el('span', { class: 'lv' });
				const item = el('span', { class: 'item' + (this.hidden.has(k) ? ' off' : ''), title: 'Click to show or hide' },
					el('span', { class: 'sw', style: { background: colorFor(this.opts.domain, k) } }),
					el('span', { class: 'lk', text: this.opts.label(k) }), lv);
				item.addEventListener('click', () => {
					if (this.hidden.has(k)) this.hidden.delete(k); else this.hidden.add(k);
					item.classList.toggle('off', this.hidden.has(k));
					this.plot.setSeries(i + 1, { show: !this.hidden.has(k) });
				});
				return { k, lv };
			});
			this.legendEl.replaceChildren(...this.legendItems.map((x) => x.lv.parentNode));
		}
		renderLegend() {
			if (!this.legendItems) return;
			const idx = this.hoverIdx;
			for (const { k, lv } of this.legendItems) {
				const arr = this.series.cols.get(k);
				const v = idx !== null && idx !== undefined && arr ? arr[idx] : this.series.last(k);
				const txt = fmtNum(v, this.opts.dec) + (v !== null && this.opts.unit ? ' ' + this.opts.unit : '');
				if (lv.textContent !== txt) lv.textContent = txt;
			}
		}
		render() {
			const keys = this.sortedKeys();
			this.emptyEl.hidden = keys.length > 0;
			if (!this.plot || keys.length !== this.keys.length || keys.some((k, i) => k !== this.keys[i]))
				this.build(keys);
			else
				this.plot.setData(this.data());
			this.renderLegend();
		}
	}

	const numSort = (a, b) => (parseInt(a, 10) || 0) - (parseInt(b, 10) || 0) || (a < b ? -1 : a > b ? 1 : 0);
	const reasonSort = (a, b) => {
		const ia = REASON_ORDER.indexOf(a), ib = REASON_ORDER.indexOf(b);
		return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1);
	};

	/* ------------------------------------------------------------------ state */
	let token = localStorage.getItem(TOKEN_KEY) || '';
	let windowS = parseInt(localStorage.getItem(WINDOW_KEY) || '120', 10) || 120;
	let paused = false;
	let pollTimer = null;
	let polling = false;
	let failures = 0;
	let polls = 0;
	let lastOk = null;
	const prev = {
		node: null,			/* {t, energy_j, idle_energy_j, overhead_energy_j} */
		exits: new Map(),		/* vm -> {t, counts: Map(reason -> count)} */
		misses: new Map(),		/* vm -> {t, misses} */
	};

	const charts = {};
	const exitCharts = new Map();	/* vm -> {panel, chart} */

	function initCharts() {
		const mk = (name, opts) => {
			const c = document.querySelector(`[data-chart="${name}"]`);
			charts[name] = new Chart(c, opts);
		};
		mk('nodePower', { unit: 'W', domain: 'power',
			sort: (a, b) => (b.startsWith('node') - a.startsWith('node')) || (a < b ? -1 : 1) });
		mk('vmPower', { unit: 'W', dec: 2, domain: 'vm' });
		mk('vmCpu', { unit: '%', domain: 'vm' });
		mk('rtP99', { unit: 'µs', domain: 'vm' });
		mk('rtMiss', { unit: '/s', dec: 2, domain: 'vm' });
		mk('cpuFreq', { unit: 'MHz', dec: 0, domain: 'cpu', label: (k) => `cpu${k}`, sort: numSort });
		mk('cpuUtil', { unit: '%', domain: 'cpu', label: (k) => `cpu${k}`, sort: numSort });
	}

	/* ------------------------------------------------------------------ API */
	class ApiError extends Error {
		constructor(status, code, message) {
			super(message);
			this.status = status;	/* 0 = unreachable / timed out */
			this.code = code;
		}
	}

	async function api(path) {
		const ctl = new AbortController();
		const timer = setTimeout(() => ctl.abort(), REQ_TIMEOUT_MS);
		const headers = { Accept: 'application/json' };
		if (token) headers.Authorization = `Bearer ${token}`;
		let r;
		try {
			r = await fetch(path, { headers, signal: ctl.signal, cache: 'no-store', credentials: 'omit' });
			if (!r.ok) {
				let body = null;
				try { body = await r.json(); } catch (e) { /* not JSON */ }
				const err = body && body.error ? body.error : {};
				throw new ApiError(r.status, err.code || 'http_' + r.status, err.message || r.statusText);
			}
			return await r.json();
		} catch (e) {
			if (e instanceof ApiError) throw e;
			if (r && r.ok) throw new ApiError(502, 'bad_json', 'the response is not valid JSON');
			throw new ApiError(0, 'unreachable', e.name === 'AbortError' ? 'request timed out' : 'connection failed');
		} finally {
			clearTimeout(timer);
		}
	}

	async function fetchAll() {
		const [node, list] = await Promise.all([api('/api/v1/node'), api('/api/v1/vms')]);
		const vms = (Array.isArray(list.vms) ? list.vms : []).filter((v) => v && typeof v.name === 'string')
			.slice(0, MAX_VMS);
		const details = await Promise.all(vms.map(async (summary) => {
			const n = encodeURIComponent(summary.name);
			const [full, exits, qos] = await Promise.allSettled([
				api(`/api/v1/vms/${n}`), api(`/api/v1/vms/${n}/exits`), api(`/api/v1/vms/${n}/qos`)]);
			for (const r of [full, exits, qos])	/* a VM deleted meanwhile gives 404: fine */
				if (r.status === 'rejected' && r.reason.status !== 404) throw r.reason;
			const ok = (r) => (r.status === 'fulfilled' ? r.value : null);
			return {
				name: summary.name,
				summary,
				full: ok(full) || summary,
				exits: ok(exits) && Array.isArray(ok(exits).exits) ? ok(exits).exits : null,
				qos: ok(qos) || (ok(full) && ok(full).qos_state) || null,
			};
		}));
		return { node, vms: details };
	}

	/* ------------------------------------------------------------------ status, banner */
	function setStatus(stateName, text) {
		const s = $('status');
		s.dataset.state = stateName;
		setText('status-text', text);
	}
	function showBanner(kind, text) {
		const b = $('banner');
		b.dataset.kind = kind;
		if (b.textContent !== text) b.textContent = text;
		b.hidden = false;
	}
	function hideBanner() {
		$('banner').hidden = true;
		$('token-form').classList.remove('attention');
	}
	function timeStr(d) {
		return d ? d.toLocaleTimeString('en-GB') : 'never';
	}

	/* Returns the delay before the next poll. */
	function onError(e) {
		failures++;
		if (e.status === 401 || e.status === 403) {
			const why = e.status === 401
				? (token ? 'The saved token was refused' : 'This API requires a bearer token')
				: 'The token lacks the read scope';
			showBanner('auth', `${why} (${e.status} ${e.code}: ${e.message}). Enter a token with the read scope in the Token field above and press Save.`);
			$('token-form').classList.add('attention');
			setStatus('auth', 'token needed');
			return AUTH_RETRY_MS;
		}
		if (e.status === 429) {
			showBanner('warn', 'The API is rate-limiting this client (429); polling slows down.');
			setStatus('down', 'rate limited');
			return 2000;
		}
		const delay = Math.min(MAX_BACKOFF_MS, POLL_MS * 2 ** Math.min(failures - 1, 4));
		const what = e.status ? `the API answered ${e.status} (${e.code}: ${e.message})` : e.message;
		showBanner('down', `Cannot reach powervisord at ${location.host}: ${what}. Retrying every ${Math.round(delay / 1000)} s — attempt ${failures}, last good data ${timeStr(lastOk)}.`);
		setStatus('down', 'disconnected');
		return delay;
	}

	/* ------------------------------------------------------------------ updating */
	function rate(prevEntry, t, value) {
		if (!prevEntry || !Number.isFinite(value) || !Number.isFinite(prevEntry.v)) return null;
		const dt = t - prevEntry.t;
		if (dt <= 0.05 || value < prevEntry.v) return null;	/* too close, or a counter reset */
		return (value - prevEntry.v) / dt;
	}

	function updateNode(t, node) {
		const p = node.power || {};
		const src = typeof p.source === 'string' ? p.source : '';
		setText('node-host', node.hostname || '—');
		setText('fact-backend', node.backend || '—');
		setText('fact-governor', node.governor || '—');
		setText('fact-tick', Number.isFinite(node.tick_ms) ? `${node.tick_ms} ms` : '—');
		setText('fact-uptime', fmtUptime(node.uptime_s));
		setText('fact-version', node.version || '—');

		/* node power: measured (or modelled) watts, plus idle and VMM-overhead power from energy deltas */
		const pv = new Map();
		const nodeLabel = `node (${src || '?'})`;
		if (num(p.watts) !== null) pv.set(nodeLabel, p.watts);
		const pn = prev.node;
		const idleW = pn ? rate({ t: pn.t, v: pn.idle }, t, p.idle_energy_j) : null;
		const ovhW = pn ? rate({ t: pn.t, v: pn.ovh }, t, p.overhead_energy_j) : null;
		if (idleW !== null) pv.set('idle CPUs', idleW);
		if (ovhW !== null) pv.set('VMM overhead', ovhW);
		prev.node = { t, idle: p.idle_energy_j, ovh: p.overhead_energy_j };
		charts.nodePower.push(t, pv);

		setText('stat-power-v', num(p.watts) !== null ? p.watts.toFixed(1) : '—');
		setBadge('power-source', src);
		setBadge('node-power-source', src);
		setText('stat-power-sub', src === 'model' ? 'MODELLED · estimated, not measured'
			: src ? `measured through ${src}` : ' ');
		$('stat-power').classList.toggle('warn', src === 'model');
		const [ev, eu] = fmtEnergy(p.energy_j);
		setText('stat-energy-v', ev);
		setText('stat-energy-u', eu);
		const idle = fmtEnergy(p.idle_energy_j), ovh = fmtEnergy(p.overhead_energy_j);
		setText('stat-energy-sub', `idle ${idle.join(' ')} · VMM ${ovh.join(' ')} · since start`);

		/* CPUs */
		const cpus = Array.isArray(node.cpus) ? node.cpus : [];
		const freq = new Map(), util = new Map();
		for (const c of cpus) {
			if (!Number.isInteger(c.cpu)) continue;
			if (num(c.freq_khz) !== null) freq.set(String(c.cpu), c.freq_khz / 1000);
			let u = num(c.util_pct);
			if (u === null) {
				const tp = new Map(pctMap(c.time_pct));
				if (tp.has('idle')) u = 100 - tp.get('idle');
			}
			if (u !== null) util.set(String(c.cpu), u);
		}
		charts.cpuFreq.push(t, freq);
		charts.cpuUtil.push(t, util);
		renderCstateBars(node, cpus);
		renderTimeBars(cpus);
	}

	function barRow(label, segs, note) {
		const bar = el('div', { class: 'bar' });
		for (const s of segs) {
			if (s.pct <= 0) continue;
			const seg = el('div', { class: 'seg', title: `${s.name}: ${s.pct.toFixed(1)} %`,
				style: { width: `${Math.min(100, s.pct)}%`, background: s.color } });
			if (s.pct >= 9) seg.textContent = `${s.name} ${s.pct.toFixed(0)}%`;
			bar.append(seg);
		}
		const row = el('div', { class: 'bar-row' }, el('div', { class: 'bar-label', text: label }), bar);
		if (note) row.title = note;
		return row;
	}
	function barLegend(entries) {
		return el('div', { class: 'bar-legend' }, ...entries.map(([name, color]) =>
			el('span', {}, el('span', { class: 'sw', style: { background: color } }), name)));
	}

	function renderCstateBars(node, cpus) {
		const box = $('cstate-bars');
		const names = Array.isArray(node.cstates) ? node.cstates.map((c) => c && c.name).filter(Boolean) : [];
		const colorOf = (name) => {
			const i = names.indexOf(name);
			return i >= 0 ? CSTATE_COLORS[i % CSTATE_COLORS.length] : colorFor('cstate', name);
		};
		const seen = new Map();
		const rows = [];
		for (const c of cpus) {
			const res = pctMap(c.cstate_residency_pct);
			if (!res.length) continue;
			res.sort((a, b) => {
				const ia = names.indexOf(a[0]), ib = names.indexOf(b[0]);
				return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
			});
			const total = res.reduce((s, e) => s + e[1], 0);
			const segs = [];
			if (total < 100) segs.push({ name: 'active', pct: 100 - total, color: '#73bf69' });
			for (const [name, pct] of res) {
				const color = colorOf(name);
				seen.set(name, color);
				segs.push({ name, pct: total > 100 ? (pct * 100) / total : pct, color });
			}
			const notes = [];
			if (Number.isInteger(c.cstate_limit))
				notes.push(`deepest allowed: ${names[c.cstate_limit] || 'state ' + c.cstate_limit}`);
			if (Number.isFinite(c.latency_budget_us)) notes.push(`latency budget ${c.latency_budget_us} µs`);
			if (Number.isFinite(c.freq_floor_khz) && c.freq_floor_khz > 0) notes.push(`frequency floor ${c.freq_floor_khz / 1000} MHz`);
			rows.push(barRow(`cpu${c.cpu}`, segs, notes.join(' · ')));
			if (notes.length) rows.push(el('div', { class: 'bar-legend', style: { marginLeft: '64px', marginTop: '-6px' }, text: notes.join(' · ') }));
		}
		if (!rows.length) {
			box.replaceChildren(el('p', { class: 'empty', text: 'No C-state data (the backend exposes no idle states).' }));
			return;
		}
		box.replaceChildren(...rows, barLegend([['active', '#73bf69'], ...seen.entries()]));
	}

	function renderTimeBars(cpus) {
		const box = $('cputime-bars');
		const rows = [];
		const seen = new Map();
		for (const c of cpus) {
			const tp = pctMap(c.time_pct);
			if (!tp.length) continue;
			const order = ['guest', 'vmm', 'halt', 'idle'];
			tp.sort((a, b) => (order.indexOf(a[0]) + 1 || 9) - (order.indexOf(b[0]) + 1 || 9));
			const segs = tp.map(([name, pct]) => {
				const color = STATE_COLORS[name] || colorFor('state', name);
				seen.set(name, color);
				return { name, pct, color };
			});
			rows.push(barRow(`cpu${c.cpu}`, segs));
		}
		if (!rows.length) {
			box.replaceChildren(el('p', { class: 'empty', text: 'No CPU time data.' }));
			return;
		}
		box.replaceChildren(...rows, barLegend([...seen.entries()]));
	}

	function ensureExitChart(vm) {
		let e = exitCharts.get(vm);
		if (e) return e;
		const box = $('exit-charts');
		const empty = box.querySelector('.empty');
		if (empty) empty.remove();
		const chartEl = el('div', { class: 'chart small', 'data-chart': `exits-${vm}` });
		const panel = el('div', { class: 'subpanel', 'data-vm': vm },
			el('h3', {}, el('span', { class: 'swatch', style: { background: colorFor('vm', vm) } }), vm), chartEl);
		/* keep VM panels sorted by name */
		const after = [...box.children].find((c) => c.dataset.vm > vm);
		box.insertBefore(panel, after || null);
		e = { panel, chart: new Chart(chartEl, { height: 180, unit: '/s', domain: 'reason', sort: reasonSort }) };
		exitCharts.set(vm, e);
		return e;
	}

	function pill(text, cls) {
		return el('span', { class: `pill ${cls || ''}`, text });
	}
	function td(content, cls) {
		const c = el('td', cls ? { class: cls } : {});
		if (content instanceof Node) c.append(content); else c.textContent = content;
		return c;
	}
	const STATE_PILL = { running: 'ok', starting: 'info', paused: 'warn', stopped: '', failed: 'bad' };

	function updateVms(t, vms) {
		const power = new Map(), cpu = new Map(), p99 = new Map(), miss = new Map();
		const vmRows = [], qosRows = [];
		let exitsTotal = 0, haveExitRate = false, missesTotal = 0, missRateTotal = 0;
		let worst = null;
		const reasonTotals = new Map();
		const states = {};
		const present = new Set();

		for (const v of vms) {
			const s = v.summary, f = v.full || s, name = v.name;
			present.add(name);
			states[s.state] = (states[s.state] || 0) + 1;
			const energy = f.energy || {};
			const pw = num(s.power_w) ?? num(energy.power_w);
			if (pw !== null) power.set(name, pw);
			if (num(s.cpu_pct) !== null) cpu.set(name, s.cpu_pct);

			/* RT lateness and misses */
			const rt = f.rt || null;
			const lat = rt && rt.lateness ? rt.lateness : null;
			const p99us = lat && lat.count > 0 ? usFromNs(lat.p99_ns) : null;
			if (p99us !== null) {
				p99.set(name, p99us);
				if (!worst || p99us > worst.v) worst = { v: p99us, vm: name };
			}
			const misses = num(rt && rt.misses) ?? num(s.rt_misses);
			if (misses !== null) {
				missesTotal += misses;
				const r = rate(prev.misses.get(name), t, misses);
				if (r !== null) { miss.set(name, r); missRateTotal += r; }
				prev.misses.set(name, { t, v: misses });
			}

			/* exits/s by reason from count deltas */
			let vmExitRate = null;
			if (v.exits) {
				const pe = prev.exits.get(name);
				const counts = new Map();
				const rates = new Map();
				for (const x of v.exits) {
					if (!x || typeof x.reason !== 'string' || num(x.count) === null) continue;
					counts.set(x.reason, x.count);
					const pc = pe ? pe.counts.get(x.reason) : undefined;
					const r = pc !== undefined ? rate({ t: pe.t, v: pc }, t, x.count) : null;
					if (r !== null) {
						rates.set(x.reason, r);
						vmExitRate = (vmExitRate || 0) + r;
						reasonTotals.set(x.reason, (reasonTotals.get(x.reason) || 0) + r);
					}
				}
				prev.exits.set(name, { t, counts });
				const ec = ensureExitChart(name);
				ec.chart.push(t, rates);
				if (vmExitRate !== null) { exitsTotal += vmExitRate; haveExitRate = true; }
			}

			/* VM table row */
			const lat50 = lat && lat.count > 0 ? usFromNs(lat.p50_ns) : null;
			const latMax = lat && lat.count > 0 ? usFromNs(lat.max_ns) : null;
			const nameCell = el('td', {}, el('span', { class: 'swatch', style: { background: colorFor('vm', name) } }), name);
			vmRows.push(el('tr', { 'data-vm': name },
				nameCell,
				td(pill(s.state || '?', STATE_PILL[s.state])),
				td(s.qos || (v.qos && v.qos.class) || '—'),
				td(Number.isFinite(s.vcpus) ? String(s.vcpus) : '—', 'num'),
				td(fmtNum(num(s.cpu_pct)), 'num'),
				td(pw !== null ? pw.toFixed(2) : '—', 'num'),
				td(fmtNum(num(s.energy_j) ?? num(energy.energy_j)), 'num'),
				td(num(energy.share_pct) !== null ? `${energy.share_pct.toFixed(1)} %` : '—', 'num'),
				td(vmExitRate !== null ? fmtNum(vmExitRate) : '—', 'num'),
				td(fmtNum(lat50), 'num'),
				td(fmtNum(p99us), 'num'),
				td(fmtNum(latMax), 'num'),
				td(rt && Number.isFinite(rt.activations) ? fmtInt(rt.activations) : '—', 'num'),
				td(misses !== null ? fmtInt(misses) : '—', misses > 0 ? 'num bad' : 'num'),
				td(Number.isFinite(s.restarts) ? String(s.restarts) : '—', 'num')));

			/* QoS row */
			const q = v.qos || {};
			const resv = q.reservation && Number.isFinite(q.reservation.runtime_us)
				? `${q.reservation.runtime_us} / ${q.reservation.period_us} µs` +
				  (q.reservation.deadline_us ? ` (D ${q.reservation.deadline_us})` : '')
				: '—';
			const admitted = q.admitted === true ? pill('admitted', 'ok')
				: q.admitted === false ? pill('rejected', 'bad') : '—';
			const boosted = Array.isArray(q.boosted_vcpus) && q.boosted_vcpus.length
				? pill(`boosted: ${q.boosted_vcpus.map((x) => 'vcpu' + x).join(', ')}`, 'info') : '—';
			qosRows.push(el('tr', { 'data-vm': name },
				el('td', {}, el('span', { class: 'swatch', style: { background: colorFor('vm', name) } }), name),
				td(q.class ? pill(q.class, q.class === 'realtime' || q.class === 'partition' ? 'info' : '') : '—'),
				td(resv),
				td(admitted),
				td(q.backend || '—'),
				td(Number.isFinite(q.latency_budget_us) ? String(q.latency_budget_us) : '—', 'num'),
				td(boosted),
				td(Array.isArray(q.cpus) && q.cpus.length ? q.cpus.map((c) => 'cpu' + c).join(', ') : '—'),
				td(fmtNum(num(q.apply_latency_us)), 'num'),
				td(q.reason || '', 'reason')));
		}

		/* exit charts of VMs that went away */
		for (const [vm, e] of exitCharts)
			if (!present.has(vm)) {
				e.chart.destroy();
				e.panel.remove();
				exitCharts.delete(vm);
				prev.exits.delete(vm);
			}
		for (const vm of [...prev.misses.keys()])
			if (!present.has(vm)) prev.misses.delete(vm);
		if (!exitCharts.size && !$('exit-charts').querySelector('.empty'))
			$('exit-charts').replaceChildren(el('p', { class: 'empty', text: 'No VMs.' }));

		charts.vmPower.push(t, power);
		charts.vmCpu.push(t, cpu);
		charts.rtP99.push(t, p99);
		charts.rtMiss.push(t, miss);

		const fill = (id, rows, cols) => {
			const body = $(id).tBodies[0];
			body.replaceChildren(...(rows.length ? rows
				: [el('tr', { class: 'empty-row' }, el('td', { colspan: String(cols), text: 'No VMs.' }))]));
		};
		fill('vm-table', vmRows, 15);
		fill('qos-table', qosRows, 10);

		/* stats */
		const running = states.running || 0;
		setText('stat-vms-v', `${running} / ${vms.length}`);
		setText('stat-vms-sub', Object.entries(states).map(([k, n]) => `${n} ${k}`).join(' · ') || 'no VMs');
		$('stat-vms').classList.toggle('bad', (states.failed || 0) > 0);
		setText('stat-exits-v', haveExitRate ? fmtNum(exitsTotal) : '—');
		const top = [...reasonTotals.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2);
		setText('stat-exits-sub', top.length ? 'top: ' + top.map(([r, x]) => `${r} ${fmtNum(x)}/s`).join(' · ') : 'all VMs, from counter deltas');
		setText('stat-p99-v', worst ? fmtNum(worst.v) : '—');
		setText('stat-p99-sub', worst ? `in ${worst.vm}` : 'no real-time activations');
		$('stat-p99').classList.toggle('warn', !!worst && worst.v >= 200 && worst.v < 1000);
		$('stat-p99').classList.toggle('bad', !!worst && worst.v >= 1000);
		setText('stat-misses-v', fmtInt(missesTotal));
		setText('stat-misses-sub', `${fmtNum(missRateTotal, 2)}/s now · since start`);
		$('stat-misses').classList.toggle('bad', missRateTotal > 0);
		$('stat-misses').classList.toggle('good', missRateTotal === 0 && missesTotal === 0);

		const srcs = new Set(vms.map((v) => v.full && v.full.energy && v.full.energy.source).filter(Boolean));
		setBadge('vm-power-source', srcs.size ? [...srcs].join('+') : '');
	}

	function renderAll() {
		for (const c of Object.values(charts)) c.render();
		for (const e of exitCharts.values()) e.chart.render();
	}

	/* ------------------------------------------------------------------ poll loop */
	function schedule(ms) {
		clearTimeout(pollTimer);
		pollTimer = paused ? null : setTimeout(poll, ms);
	}

	async function poll() {
		if (polling || paused) return;
		polling = true;
		const started = performance.now();
		let delay = POLL_MS;
		try {
			const data = await fetchAll();
			const t = Date.now() / 1000;
			failures = 0;
			lastOk = new Date();
			polls++;
			document.body.dataset.polls = String(polls);
			hideBanner();
			setStatus('ok', 'live · 1 s');
			updateNode(t, data.node);
			updateVms(t, data.vms);
			setText('foot-updated', `updated ${timeStr(lastOk)}`);
		} catch (e) {
			if (!(e instanceof ApiError)) {
				console.error(e);	/* a bug in this page: keep going */
				e = new ApiError(502, 'client', String(e && e.message));
			}
			delay = onError(e);
		} finally {
			polling = false;
		}
		renderAll();		/* also slides the window while disconnected */
		schedule(Math.max(0, delay - (performance.now() - started)));
	}

	/* ------------------------------------------------------------------ controls */
	function initControls() {
		const sel = $('window');
		if (![...sel.options].some((o) => o.value === String(windowS))) windowS = 120;
		sel.value = String(windowS);
		sel.addEventListener('change', () => {
			windowS = parseInt(sel.value, 10) || 120;
			localStorage.setItem(WINDOW_KEY, String(windowS));
			renderAll();
		});
		const input = $('token');
		input.value = token;
		$('token-form').addEventListener('submit', (ev) => {
			ev.preventDefault();
			token = input.value.trim();
			if (token) localStorage.setItem(TOKEN_KEY, token);
			else localStorage.removeItem(TOKEN_KEY);
			failures = 0;
			setStatus('idle', 'connecting');
			schedule(0);
		});
		$('token-clear').addEventListener('click', () => {
			token = '';
			input.value = '';
			localStorage.removeItem(TOKEN_KEY);
			schedule(0);
		});
		const pauseBtn = $('pause');
		pauseBtn.addEventListener('click', () => {
			paused = !paused;
			pauseBtn.textContent = paused ? 'Resume' : 'Pause';
			if (paused) {
				clearTimeout(pollTimer);
				setStatus('paused', 'paused');
			} else {
				schedule(0);
			}
		});
	}

	function start() {
		if (typeof uPlot !== 'function') {
			showBanner('down', 'The chart library failed to load (assets/uPlot.iife.min.js).');
			return;
		}
		initCharts();
		initControls();
		setStatus('idle', 'connecting');
		poll();
	}

	if (document.readyState === 'loading')
		document.addEventListener('DOMContentLoaded', start);
	else
		start();
})();
