#!/usr/bin/env bash
# Benchmarks pungo createrepo against createrepo_c in one run and prints the
# times and ratios:
#   - 2,000 tiny RPMs, and 100 RPMs of about 5 MB each (built once with
#     rpmbuild into bench/out/, which is gitignored);
#   - a full run and a no-change --update rerun, both tools at the same
#     --workers.
# Usage: bench/createrepo.sh [-w WORKERS] [-r REPEATS]
# Each measurement is the best of REPEATS runs (default 3), so that other
# load on a shared machine disturbs it least.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
workers=5
repeats=3
while getopts "w:r:" o; do
	case $o in
	w) workers=$OPTARG ;;
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-w WORKERS] [-r REPEATS]" >&2; exit 2 ;;
	esac
done
out=$root/bench/out/createrepo
mkdir -p "$out"

# gen_tiny writes one spec with 2,000 subpackages (a file, a require and a
# provide each): one rpmbuild produces them all.
gen_tiny() {
	local dir=$out/tiny n=2000
	[ -f "$dir/.complete" ] && return
	rm -rf "$dir" "$out/top-tiny"
	mkdir -p "$dir"
	{
		printf 'Name: tiny\nVersion: 1\nRelease: 1\nSummary: tiny bench packages\nLicense: MIT\nBuildArch: noarch\n'
		printf '%%description\ntiny\n%%install\nmkdir -p %%{buildroot}/usr/share/tiny\n'
		printf 'for i in $(seq -w 1 %d); do echo $i > %%{buildroot}/usr/share/tiny/f$i; done\n' $n
		for i in $(seq -w 1 $n); do
			next=$(printf '%04d' $(( (10#$i % n) + 1 )))
			printf '%%package -n tiny-%s\nSummary: tiny package %s\nRequires: tiny-%s\nProvides: tinycap(%s) = 1\n' "$i" "$i" "$next" "$i"
			printf '%%description -n tiny-%s\ntiny %s\n%%files -n tiny-%s\n/usr/share/tiny/f%s\n' "$i" "$i" "$i" "$i"
		done
	} >"$out/tiny.spec"
	echo "building 2,000 tiny RPMs (once; about 2 minutes)..." >&2
	rpmbuild --nodeps --quiet --define "_topdir $out/top-tiny" -bb "$out/tiny.spec" >/dev/null
	mv "$out"/top-tiny/RPMS/noarch/*.rpm "$dir/"
	rm -rf "$out/top-tiny"
	touch "$dir/.complete"
}

# gen_big writes 100 subpackages carrying 5 MB of random data each, with an
# uncompressed payload so that building them is quick.
gen_big() {
	local dir=$out/big n=100
	[ -f "$dir/.complete" ] && return
	rm -rf "$dir" "$out/top-big"
	mkdir -p "$dir"
	{
		printf 'Name: big\nVersion: 1\nRelease: 1\nSummary: big bench packages\nLicense: MIT\nBuildArch: noarch\n'
		printf '%%define _binary_payload w0.ufdio\n%%define __os_install_post %%{nil}\n'
		printf '%%description\nbig\n%%install\nmkdir -p %%{buildroot}/usr/share/big\n'
		printf 'for i in $(seq -w 1 %d); do head -c 5000000 /dev/urandom > %%{buildroot}/usr/share/big/f$i; done\n' $n
		for i in $(seq -w 1 $n); do
			printf '%%package -n big-%s\nSummary: big package %s\n%%description -n big-%s\nbig %s\n%%files -n big-%s\n/usr/share/big/f%s\n' "$i" "$i" "$i" "$i" "$i" "$i"
		done
	} >"$out/big.spec"
	echo "building 100 RPMs of 5 MB (once)..." >&2
	rpmbuild --nodeps --quiet --define "_topdir $out/top-big" -bb "$out/big.spec" >/dev/null
	mv "$out"/top-big/RPMS/noarch/*.rpm "$dir/"
	rm -rf "$out/top-big"
	touch "$dir/.complete"
}

gen_tiny
gen_big
go build -o "$out/pungo" ./cmd/pungo

# best_of CMD…: runs CMD $repeats times, prints the fastest wall time (s).
best_of() {
	local best="" t0 t1 t
	for _ in $(seq "$repeats"); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | bc)
		if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
	done
	printf '%.3f' "$best"
}

printf '%-34s %12s %12s %8s\n' "case (workers=$workers)" "createrepo_c" "pungo" "speedup"
for corpus in tiny big; do
	dir=$out/$corpus
	cat "$dir"/*.rpm >/dev/null # warm the page cache for both tools alike
	c=$out/$corpus-c
	p=$out/$corpus-pungo
	rm -rf "$c" "$p"
	mkdir -p "$c" "$p"
	tc=$(best_of createrepo_c -q --workers "$workers" --outputdir "$c" "$dir")
	tp=$(best_of "$out/pungo" createrepo -q --workers "$workers" --outputdir "$p" "$dir")
	printf '%-34s %11ss %11ss %7.2fx\n' "$corpus: full run" "$tc" "$tp" "$(echo "$tc / $tp" | bc -l)"
	uc=$(best_of createrepo_c -q --update --workers "$workers" --outputdir "$c" "$dir")
	up=$(best_of "$out/pungo" createrepo -q --update --workers "$workers" --outputdir "$p" "$dir")
	printf '%-34s %11ss %11ss %7.2fx\n' "$corpus: no-change --update rerun" "$uc" "$up" "$(echo "$uc / $up" | bc -l)"
	if ! "$out/pungo" repodiff -q "$c" "$p"; then
		echo "WARNING: pungo and createrepo_c metadata differ on $corpus" >&2
	fi
done
