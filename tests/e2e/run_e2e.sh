#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the dashboard's browser test (tests/e2e/dashboard.spec.mjs) with node's test runner.
#   tests/e2e/run_e2e.sh [BUILD]        (make test-e2e builds fake_api and runs npm ci first)
# Which server (see the spec's header for PV_E2E_SERVER_CMD / PV_E2E_URL / PV_E2E_TOKEN):
#   - PV_E2E_SERVER_CMD or PV_E2E_URL set: that one;
#   - else the real daemon: $BUILD/powervisord with three small pvguest VMs, a temp state
#     dir, a token file, --quiet and a free port (--listen 127.0.0.1:0; the spec reads the
#     URL the daemon prints), stopped and cleaned up afterwards;
#   - else (no /dev/kvm, daemon or guest not built, or PV_E2E_FAKE=1) the stand-in
#     $BUILD/tests/e2e/fake_api.
# Skips — exit 0, saying why — when node, Chromium, playwright-core or the server is missing.
set -u
cd "$(dirname "$0")/../.."
build=${1:-build}

skip() {
	echo "e2e: SKIP: $*"
	echo "e2e: 0 passed, 0 failed, 1 skipped"
	exit 0
}
command -v node >/dev/null || skip "node is not installed (make deps)"
chromium=${PV_E2E_CHROMIUM:-/usr/bin/chromium}
[[ -x "$chromium" ]] || skip "no browser at $chromium: install Debian's chromium (make deps)"
[[ -f dashboards/web/node_modules/playwright-core/package.json ]] ||
	skip "playwright-core is not installed: run 'npm ci' in dashboards/web"

tmp=""
cleanup() {
	[[ -n "$tmp" ]] || return
	# the daemon shuts its VMs down on SIGTERM; kill any VMM left, by the pids it recorded
	for f in "$tmp"/state/run/*.json; do
		[[ -f "$f" ]] || continue
		pid=$(sed -n 's/.*"pid": *\([0-9][0-9]*\).*/\1/p' "$f" | head -1)
		if [[ -n "$pid" ]] && grep -q pv-vmm "/proc/$pid/cmdline" 2>/dev/null; then
			kill -9 "$pid" 2>/dev/null
		fi
	done
	rm -rf "$tmp"
}

# one directory for the run: the daemon's files and everything node and the browser put in
# $TMPDIR (the spec's disk-cache dir, playwright's profile), removed however the run ends
tmp=$(mktemp -d /tmp/pv-e2e-XXXXXX) || exit 1
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
mkdir -p "$tmp/tmp"

if [[ -z "${PV_E2E_SERVER_CMD:-}${PV_E2E_URL:-}" && "${PV_E2E_FAKE:-0}" != 1 &&
      -r /dev/kvm && -w /dev/kvm && -x "$build/powervisord" && -x "$build/pv-vmm" &&
      -f "$build/guest/pvguest.elf" ]]; then
	token="e2e-read-token-0123456789"
	printf '%s read\n' "$token" > "$tmp/tokens"
	cat > "$tmp/config.json" <<'EOF'
{ "node": { "tick_ms": 10, "backend": "model", "governor": "transition" },
  "vms": [
    { "name": "rt0", "workload": "rt:period_us=2000,wcet_us=200", "memory_mib": 16,
      "qos": "realtime", "reservation": { "runtime_us": 1200, "period_us": 2000 } },
    { "name": "web1", "workload": "burst:on_ms=5,off_ms=45", "memory_mib": 16 },
    { "name": "idle0", "workload": "idle", "memory_mib": 16 }
  ] }
EOF
	export PV_E2E_SERVER_CMD="exec '$(realpath "$build")/powervisord' --config '$tmp/config.json' \
--state-dir '$tmp/state' --listen 127.0.0.1:0 --token-file '$tmp/tokens' --quiet"
	export PV_E2E_TOKEN=$token
	echo "e2e: against the real daemon ($build/powervisord, 3 VMs)"
elif [[ -z "${PV_E2E_SERVER_CMD:-}${PV_E2E_URL:-}" ]]; then
	[[ -x "$build/tests/e2e/fake_api" ]] ||
		skip "$build/tests/e2e/fake_api is not built (make $build/tests/e2e/fake_api)"
	echo "e2e: against the stand-in $build/tests/e2e/fake_api (no /dev/kvm or daemon not built)"
fi
export PV_BUILD=$build
TMPDIR="$tmp/tmp" node --test --test-reporter=spec tests/e2e/dashboard.spec.mjs
status=$?
cleanup
trap - EXIT
exit $status
