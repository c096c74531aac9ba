#!/usr/bin/env bash
# `make run`: start the main job on the embedded default configuration.
#   - powervisord (the node daemon with its default VMs) when it is built;
#   - otherwise pv-vmm running pvguest's default mixed workload on /dev/kvm;
#   - otherwise the tracer demo (a synthetic producer recorded and exported).
# RUN_SECONDS bounds the run (default: until Ctrl-C for the daemon, 10 s otherwise).
set -euo pipefail
build=${1:-build}
out="$build/run"
mkdir -p "$out"

if [[ -x "$build/powervisord" ]]; then
	args=()
	[[ -n "${RUN_SECONDS:-}" ]] && args+=(--run-for "$RUN_SECONDS" --summary-json "$out/summary.json")
	exec "$build/powervisord" --state-dir "$out/state" "${args[@]}"
fi

secs=${RUN_SECONDS:-10}
if [[ -x "$build/pv-vmm" && -f "$build/guest/pvguest.elf" && -w /dev/kvm ]]; then
	echo "run: pv-vmm + pvguest, 2 vCPUs, rt + cpu + burst workload for ${secs} s"
	"$build/pv-vmm" --name demo --kernel "$build/guest/pvguest.elf" --vcpus 2 --mem 64M \
		--workload 'rt:period_us=1000,wcet_us=200;cpu;burst:on_ms=20,off_ms=30' \
		--duration-ms $((secs * 1000)) --console stdout --trace-out "$out/demo.pvtrace"
	if [[ -x "$build/pv-trace" ]]; then
		"$build/pv-trace" perfetto "$out/demo.pvtrace" -o "$out/demo.perfetto.json"
		echo "run: trace in $out/demo.pvtrace; open $out/demo.perfetto.json in ui.perfetto.dev"
	fi
	exit 0
fi

echo "run: no /dev/kvm or VMM build; running the tracer demo (synthetic producer)"
"$build/pv-trace" demo --duration-ms $((secs * 1000)) --vcpus 2 -o "$out/demo.pvtrace"
"$build/pv-trace" perfetto "$out/demo.pvtrace" -o "$out/demo.perfetto.json"
echo "run: open $out/demo.perfetto.json in ui.perfetto.dev"
