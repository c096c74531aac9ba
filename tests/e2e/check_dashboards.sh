#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Static checks of dashboards/: Prometheus config and alert rules (promtool), alert unit
# tests, the Grafana JSON and every PromQL metric name against docs/METRICS.md, and that the
# JSON matches its generator. ~2 s. A missing tool skips its checks, saying so.
#   tests/e2e/check_dashboards.sh           (make check-dashboards)
# Closing line: "check_dashboards: N passed, N failed, N skipped"; exit 1 on any failure.
set -u
cd "$(dirname "$0")/../.."
passed=0 failed=0 skipped=0

run() {		# run <description> <command...>
	local what=$1; shift
	local out
	if out=$("$@" 2>&1); then
		passed=$((passed + 1)); echo "ok   $what"
	else
		failed=$((failed + 1)); echo "FAIL $what"; echo "$out" | sed 's/^/     /'
	fi
}
skip() {
	skipped=$((skipped + 1)); echo "SKIP $1"
}

if command -v promtool >/dev/null; then
	run "promtool check config dashboards/prometheus/prometheus.yml" \
		promtool check config dashboards/prometheus/prometheus.yml
	run "promtool check rules dashboards/prometheus/alerts.yml" \
		promtool check rules dashboards/prometheus/alerts.yml
	run "promtool test rules tests/e2e/alerts_test.yml" \
		promtool test rules tests/e2e/alerts_test.yml
else
	skip "promtool checks: promtool is not installed (Debian package prometheus; make deps)"
fi

if command -v node >/dev/null; then
	run "Grafana dashboards and alert expressions vs docs/METRICS.md" \
		node tests/e2e/check_dashboards.mjs --self-test
	run "dashboards/grafana/*.json match generate.mjs" \
		node dashboards/grafana/generate.mjs --check
else
	skip "JSON / metric-name checks: node is not installed (make deps)"
fi

# deploy/: the systemd unit (binary path swapped for /bin/true: it need not be installed)
# and the Kubernetes manifests (YAML, and the embedded daemon configuration is JSON)
if command -v systemd-analyze >/dev/null; then
	tmpd=$(mktemp -d)
	sed 's|^ExecStart=[^ ]*|ExecStart=/bin/true|' deploy/systemd/powervisord.service >"$tmpd/powervisord.service"
	# verify exits 0 on unknown keys and bad values: any message is a failure
	run "systemd-analyze verify deploy/systemd/powervisord.service" \
		bash -c 'out=$(systemd-analyze verify "$1" 2>&1); [[ -z $out ]] || { echo "$out"; exit 1; }' _ "$tmpd/powervisord.service"
	rm -rf "$tmpd"
else
	skip "systemd unit check: systemd-analyze is not installed"
fi
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
	run "deploy/kubernetes/*.yaml parse; embedded config is JSON" python3 -c '
import glob, json, sys, yaml
for f in glob.glob("deploy/kubernetes/*.yaml"):
    for d in yaml.safe_load_all(open(f)):
        assert d["apiVersion"] and d["kind"] and d["metadata"]["name"], f
        if d["kind"] == "ConfigMap":
            for v in d["data"].values():
                json.loads(v)
'
else
	skip "Kubernetes YAML check: python3-yaml is not installed"
fi

echo "check_dashboards: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 ]]
