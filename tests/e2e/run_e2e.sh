#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Run the dashboard's browser test (tests/e2e/dashboard.spec.mjs) with node's test runner.
#   tests/e2e/run_e2e.sh [BUILD]        (make test-e2e builds fake_api and runs npm ci first)
# Skips — exit 0, saying why — when node, Chromium, playwright-core or the server is missing.
# See the spec's header for PV_E2E_SERVER_CMD / PV_E2E_URL / PV_E2E_TOKEN (real daemon).
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
if [[ -z "${PV_E2E_SERVER_CMD:-}${PV_E2E_URL:-}" && ! -x "$build/tests/e2e/fake_api" ]]; then
	skip "$build/tests/e2e/fake_api is not built (make $build/tests/e2e/fake_api)"
fi
export PV_BUILD=$build
exec node --test --test-reporter=spec tests/e2e/dashboard.spec.mjs
