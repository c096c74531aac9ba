#!/usr/bin/env bash
# Fetch Debian's current cloud kernel (a bzImage) for the slow Linux-boot test, without
# installing it: `apt-get download` the linux-image package and extract vmlinuz into
# $1 (default build/linux). Prints the kernel's path. Reuses an earlier download.
set -euo pipefail
dest=${1:-build/linux}
mkdir -p "$dest"
existing=$(ls "$dest"/boot/vmlinuz-* 2>/dev/null | tail -n 1 || true)
if [[ -n "$existing" ]]; then
	echo "$existing"
	exit 0
fi
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
if [[ -z "$pkg" ]]; then
	apt-get update -qq >/dev/null 2>&1 || true
	pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
fi
[[ -n "$pkg" ]] || { echo "fetch-linux.sh: no linux-image-cloud-amd64 in the apt lists" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1)
dpkg-deb -x "$tmp"/*.deb "$tmp/x"
mkdir -p "$dest/boot"
cp "$tmp"/x/boot/vmlinuz-* "$dest/boot/"
ls "$dest"/boot/vmlinuz-* | tail -n 1
