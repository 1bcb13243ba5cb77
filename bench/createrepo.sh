#!/usr/bin/env bash
# Benchmarks pungo createrepo against createrepo_c in one run and prints the
# times and ratios:
#   - 2,000 tiny RPMs, and 100 RPMs of about 5 MB each (built once with
#     rpmbuild into bench/out/, which is gitignored);
#   - a full run and a no-change --update rerun, both tools at the same
#     --workers;
#   - --zck full runs (without and with databases, and with dictionaries
#     made by zck_gen_zdict as Fedora makes its fedora-repo-zdicts) on
#     "tinysrc": the tiny RPMs with the source RPM name in each header
#     rewritten (same length, tiny-1-1.src.rpm -> tyNNNN-1.src.rpm) so that
#     every package has its own source package and so its own zchunk chunk,
#     as in a real distribution; the tiny corpus itself, all built from one
#     source package, makes a single chunk per file.
# Usage: bench/createrepo.sh [-w WORKERS] [-r REPEATS] [-c "tiny big"]
# Each measurement is the best of REPEATS runs (default 5), so that other
# load on a shared machine disturbs it least.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
workers=5
repeats=5
corpora="tiny big"
while getopts "w:r:c:" o; do
	case $o in
	w) workers=$OPTARG ;;
	r) repeats=$OPTARG ;;
	c) corpora=$OPTARG ;;
	*) echo "usage: $0 [-w WORKERS] [-r REPEATS] [-c CORPORA]" >&2; exit 2 ;;
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

for corpus in $corpora; do "gen_$corpus"; done
go build -o "$out/pungo" ./cmd/pungo

# measure CMD…: runs CMD $repeats times and prints "WALL CPU", the fastest
# wall time and the smallest user+system CPU time in seconds. On a shared
# machine the CPU time is the steadier measure of the work done. perf
# stat's task-clock counts it to the microsecond; /usr/bin/time, the
# fallback, only to 10 ms.
if perf stat -x, -e task-clock -o /dev/null true 2>/dev/null; then
	use_perf=1
else
	use_perf=""
fi
measure() {
	local bw="" bc="" w c s e
	for _ in $(seq "$repeats"); do
		if [ -n "$use_perf" ]; then
			s=$(date +%s.%N)
			perf stat -x, -e task-clock -o "$out/time.txt" "$@" >/dev/null
			e=$(date +%s.%N)
			w=$(echo "$e - $s" | bc)
			c=$(echo "$(grep task-clock "$out/time.txt" | cut -d, -f1) / 1000" | bc -l)
		else
			/usr/bin/time -f "%e %U %S" -o "$out/time.txt" "$@" >/dev/null
			read -r w u s <"$out/time.txt"
			c=$(echo "$u + $s" | bc)
		fi
		if [ -z "$bw" ] || [ "$(echo "$w < $bw" | bc)" = 1 ]; then bw=$w; fi
		if [ -z "$bc" ] || [ "$(echo "$c < $bc" | bc)" = 1 ]; then bc=$c; fi
	done
	echo "$bw $bc"
}

ratio() { if [ "$(echo "$2 > 0" | bc)" = 1 ]; then printf '%.2fx' "$(echo "$1 / $2" | bc -l)"; else echo "inf"; fi; }

row() { # label, createrepo_c "wall cpu", pungo "wall cpu"
	local cw cc pw pc
	read -r cw cc <<<"$2"
	read -r pw pc <<<"$3"
	printf '%-40s %8.3fs %8.3fs %8s   %8.3fs %8.3fs %8s\n' "$1" "$cw" "$pw" "$(ratio "$cw" "$pw")" "$cc" "$pc" "$(ratio "$cc" "$pc")"
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; best of $repeats runs each"
printf '%-40s %9s %9s %8s   %9s %9s %8s\n' "case (--workers $workers)" "c wall" "pungo" "speedup" "c cpu" "pungo" "ratio"
for corpus in $corpora; do
	dir=$out/$corpus
	cat "$dir"/*.rpm >/dev/null # warm the page cache for both tools alike
	for db in --database --no-database; do
		[ "$corpus" = big ] && [ "$db" = --no-database ] && continue
		c=$out/$corpus-c
		p=$out/$corpus-pungo
		rm -rf "$c" "$p"
		mkdir -p "$c" "$p"
		mc=$(measure createrepo_c -q $db --workers "$workers" --outputdir "$c" "$dir")
		mp=$(measure "$out/pungo" createrepo -q $db --workers "$workers" --outputdir "$p" "$dir")
		row "$corpus ($(ls "$dir" | grep -c rpm) rpms) $db: full run" "$mc" "$mp"
		if ! "$out/pungo" repodiff -q "$c" "$p"; then
			echo "WARNING: pungo and createrepo_c metadata differ on $corpus $db" >&2
		fi
		uc=$(measure createrepo_c -q $db --update --workers "$workers" --outputdir "$c" "$dir")
		up=$(measure "$out/pungo" createrepo -q $db --update --workers "$workers" --outputdir "$p" "$dir")
		row "$corpus $db: no-change --update" "$uc" "$up"
	done
done

# zchunk on tinysrc, without and with Fedora-style dictionaries
# (zck_gen_zdict over createrepo_c's own .zck files).
case " $corpora " in *" tiny "*) ;; *) exit 0 ;; esac
dir=$out/tinysrc
if [ ! -f "$dir/.complete" ]; then
	rm -rf "$dir"
	mkdir -p "$dir"
	python3 - "$out/tiny" "$dir" <<'PY'
import os, sys, glob
src, dst = sys.argv[1], sys.argv[2]
old = b"tiny-1-1.src.rpm"
for i, f in enumerate(sorted(glob.glob(os.path.join(src, "*.rpm")))):
    b = open(f, "rb").read()
    assert b.count(old) == 1, f
    open(os.path.join(dst, os.path.basename(f)), "wb").write(b.replace(old, b"ty%04d-1.src.rpm" % i))
PY
	touch "$dir/.complete"
fi
cat "$dir"/*.rpm >/dev/null
dicts=$out/zdicts
if [ ! -f "$dicts/other.xml.zdict" ]; then
	rm -rf "$dicts" "$out/zdict-work"
	mkdir -p "$dicts" "$out/zdict-work/repo"
	createrepo_c -q --zck --no-database --simple-md-filenames --outputdir "$out/zdict-work/repo" "$dir"
	for n in primary filelists other; do
		mkdir -p "$out/zdict-work/$n/chunks"
		(cd "$out/zdict-work/$n" && zck_gen_zdict -d chunks "$out/zdict-work/repo/repodata/$n.xml.zck" >/dev/null 2>&1)
		mv "$out/zdict-work/$n/$n.xml.zdict" "$dicts/"
	done
	rm -rf "$out/zdict-work"
fi
for flags in "--no-database --zck" "--database --zck" "--no-database --zck --zck-dict-dir $dicts"; do
	c=$out/zck-c
	p=$out/zck-pungo
	rm -rf "$c" "$p"
	mkdir -p "$c" "$p"
	# shellcheck disable=SC2086
	mc=$(measure createrepo_c -q $flags --workers "$workers" --outputdir "$c" "$dir")
	# shellcheck disable=SC2086
	mp=$(measure "$out/pungo" createrepo -q $flags --workers "$workers" --outputdir "$p" "$dir")
	label="tinysrc ${flags/ --zck-dict-dir $dicts/ +dicts}"
	row "$label" "$mc" "$mp"
	if ! "$out/pungo" repodiff -q "$c" "$p"; then
		echo "WARNING: pungo and createrepo_c metadata differ on tiny $flags" >&2
	fi
	for t in primary filelists other; do
		printf '    %-10s .zck bytes: createrepo_c %s, pungo %s\n' "$t" \
			"$(stat -c %s "$c"/repodata/*-$t.xml.zck)" "$(stat -c %s "$p"/repodata/*-$t.xml.zck)"
	done
done
