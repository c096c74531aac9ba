#!/usr/bin/env bash
# Run the built test programs of the given suites (unit, integration, slow) under build/tests/,
# one after another, and print one closing line: "tests: N passed, N failed".
# Each program is a cmocka runner and exits non-zero when any of its cases fails.
set -u
build=$1; shift
passed=0; failed=0; failed_names=()
for suite in "$@"; do
	dir="$build/tests/$suite"
	[[ -d "$dir" ]] || continue
	for t in "$dir"/test_*; do
		[[ -x "$t" && ! "$t" == *.d && ! "$t" == *.o ]] || continue
		echo "== $suite/$(basename "$t")"
		start_ms=$(date +%s%3N)
		if "$t"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1)); failed_names+=("$suite/$(basename "$t")")
		fi
		ms=$(( $(date +%s%3N) - start_ms )); printf '   (%d.%03d s)\n' $((ms / 1000)) $((ms % 1000))
	done
done
[[ $failed -gt 0 ]] && echo "failed programs: ${failed_names[*]}"
echo "tests: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
