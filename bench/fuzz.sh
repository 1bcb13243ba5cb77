#!/usr/bin/env bash
# Runs every fuzz target of the module for SECONDS each (default 30) and
# fails when one found a crasher or executed fewer than MIN_EXECS (1,000)
# inputs: a target that hardly runs fuzzes nothing, even if it prints ok.
# Prints one line per target: package, target, execs, result.
# Crashers are written by go test to <package>/testdata/fuzz/<Target>/;
# commit each as a regression test.
#   bench/fuzz.sh [SECONDS]
# -fuzzminimizetime bounds the time spent shrinking each new interesting
# input (go's default is 60 s per input, which is how targets used to sit
# minimizing for a whole run and execute a dozen inputs).
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
min=${MIN_EXECS:-1000}
fail=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	out="$log/$(echo "$pkg.$target" | tr / _).log"
	go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime 2s -parallel 2 >"$out" 2>&1
	rc=$?
	# The last progress line carries the total: "fuzz: elapsed: 30s, execs: 123456 (…/sec), …".
	execs=$(grep -o 'execs: [0-9]*' "$out" | tail -1 | grep -o '[0-9]*')
	execs=${execs:-0}
	status=ok
	if [ $rc -ne 0 ]; then
		status="FAIL (crasher or error)"
		fail=1
	elif [ "$execs" -lt "$min" ]; then
		status="FAIL (fewer than $min execs)"
		fail=1
	fi
	printf '%-32s %-20s %10s  %s\n' "$pkg" "$target" "$execs" "$status"
	if [ "$status" != ok ]; then
		grep -v '^fuzz: elapsed' "$out" | head -30 | sed 's/^/    /'
	fi
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do
	grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |${f#./}:|"
done)
exit $fail
