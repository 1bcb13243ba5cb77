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

# shellcheck source=bench/corpus.sh
. "$root/bench/corpus.sh"
# The corpora: 2,000 tiny RPMs, 100 of 5 MB, and tinysrc (below).
declare -A corpus_dir=([tiny]=$out/tiny-2000 [big]=$out/big-100)
for corpus in $corpora; do
	case $corpus in
	big) big_corpus "${corpus_dir[big]}" 100 ;;
	tiny) tiny_corpus "${corpus_dir[tiny]}" 2000 ;;
	*) echo "unknown corpus $corpus (tiny, big)" >&2; exit 2 ;;
	esac
done
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
	dir=${corpus_dir[$corpus]}
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
dir=$out/tinysrc-2000
tinysrc_corpus "${corpus_dir[tiny]}" "$dir"
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
