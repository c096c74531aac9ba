#!/usr/bin/env bash
# Install the Debian packages Powervisor needs to build, test and benchmark — only those
# missing. Called first by `make run` and `make test`, so a fresh Debian 12 machine needs
# nothing but the two README commands.
set -euo pipefail

BUILD_PKGS=(build-essential pkg-config clang libclang-rt-14-dev
            libjansson-dev libmicrohttpd-dev libcmocka-dev libcpupower-dev libpfm4-dev
            libseccomp-dev libcap-ng-dev zlib1g-dev)
# openssl + curl: tests/integration/test_api_tls.c makes a certificate and speaks HTTPS
TEST_PKGS=(qemu-system-x86 prometheus wrk chromium openssl curl)
# Tools that may come from outside Debian's packaging (the machine image ships node and
# npm): "command:package" — install the package only when the command is missing.
TOOLS=(node:nodejs npm:npm)

missing=()
for p in "${BUILD_PKGS[@]}" "${TEST_PKGS[@]}"; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[[ "$st" == "install ok installed" ]] || missing+=("$p")
done
for t in "${TOOLS[@]}"; do
	command -v "${t%%:*}" >/dev/null 2>&1 || missing+=("${t#*:}")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
	echo "deps.sh: run as root (or: sudo apt-get install ${missing[*]})" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps.sh: done"
