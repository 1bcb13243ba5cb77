#!/usr/bin/env bash
# Runs every fuzz target of the module for SECONDS each (default 30) and
# fails when one found a crasher or executed fewer than MIN_EXECS (1,000)
# inputs: a target that hardly runs fuzzes nothing, even if it prints ok.
# Prints one line per target ("fuzz <package> <target> <execs> <wall s> <result>",
# wall time includes the instrumented build) and ends with one summary line,
# "fuzz: N targets ok" or "fuzz: K of N targets FAILED", so a log reader
# cannot take it for go test's own "ok" lines. Exits 1 on any failure.
# FUZZ_SKIP is an optional extended regexp of "package.Target" to leave out.
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
total=0
failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
while IFS=: read -r file target; do
	pkg=./$(dirname "$file")
	if [ -n "${FUZZ_SKIP:-}" ] && echo "$pkg.$target" | grep -Eq "$FUZZ_SKIP"; then
		continue
	fi
	total=$((total + 1))
	start=$(date +%s)
	out="$log/$(echo "$pkg.$target" | tr / _).log"
	go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "${secs}s" -fuzzminimizetime 2s -parallel 2 >"$out" 2>&1
	rc=$?
	wall=$(($(date +%s) - start))
	# The last progress line carries the total: "fuzz: elapsed: 30s, execs: 123456 (…/sec), …".
	execs=$(grep -o 'execs: [0-9]*' "$out" | tail -1 | grep -o '[0-9]*')
	execs=${execs:-0}
	status=ok
	if [ $rc -ne 0 ] && ! grep -q 'Failing input written' "$out" &&
		[ "$(grep -v '^fuzz: \|^FAIL\|^exit status\|^--- FAIL' "$out" | sed 's/^ *//' | sort -u)" = "context deadline exceeded" ]; then
		# Go 1.26's fuzz coordinator can report its own -fuzztime deadline
		# as a failure when a worker is mid-input as it expires, with no
		# crasher written (go.dev/issue/75804, fixed in Go 1.27).
		rc=0
		note=" (go.dev/issue/75804 deadline race at the end, no crasher)"
	fi
	if [ $rc -ne 0 ]; then
		status="FAIL (crasher or error)"
	elif [ "$execs" -lt "$min" ]; then
		status="FAIL (fewer than $min execs)"
	fi
	if [ "$status" != ok ]; then
		fail=1
		failed=$((failed + 1))
	fi
	printf 'fuzz %-30s %-20s %10s execs %4ss  %s\n' "$pkg" "$target" "$execs" "$wall" "$status${note:-}"
	note=
	if [ "$status" != ok ]; then
		grep -v '^fuzz: elapsed' "$out" | head -30 | sed 's/^/    /'
	fi
done < <(grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r f; do
	grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed "s|^func |${f#./}:|"
done)
if [ $fail -ne 0 ]; then
	echo "fuzz: $failed of $total targets FAILED"
elif [ $total -eq 0 ]; then
	echo "fuzz: no targets run FAILED"
	fail=1
else
	echo "fuzz: $total targets ok"
fi
exit $fail
