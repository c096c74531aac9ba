#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Lint the OpenAPI contract with Redocly CLI (rules: dashboards/web/redocly.yaml), offline.
#   tests/e2e/lint_api.sh        (make lint-api runs npm ci in dashboards/web first)
# Exit 1 on lint errors (warnings are printed, not fatal); skips when the CLI is missing.
set -u
cd "$(dirname "$0")/../.."
cli=dashboards/web/node_modules/@redocly/cli/bin/cli.js
if ! command -v node >/dev/null || [[ ! -f $cli ]]; then
	echo "lint_api: SKIP: node or @redocly/cli missing (make deps; npm ci in dashboards/web)"
	exit 0
fi
# no telemetry, no update check: this runs offline
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
node "$cli" lint --config dashboards/web/redocly.yaml --format=stylish api/openapi.yaml
