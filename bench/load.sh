#!/usr/bin/env bash
# Benchmarks loading a Fedora-sized repository with pungo against libsolv
# (python3-solv, DISTTYPE_RPM) in one run and prints times, ratios and peak
# RSS:
#   - primary only: `pungo repoquery --repo R --count` against
#     repo.add_rpmmd(primary);
#   - primary and filelists: `pungo repoquery --repo R --count
#     --whatprovides /usr/bin/sh` (a path query makes repoquery load
#     filelists) against add_rpmmd(primary) + add_rpmmd(filelists,
#     REPO_EXTEND_SOLVABLES).
# Both sides are whole processes (start-up, reading, decompressing,
# checksum for pungo, parsing). The repository (bench/synth: 70,000 binary
# packages, about 130 MB of primary XML, gzip) is generated once into
# bench/out/synth70k (gitignored).
# Usage: bench/load.sh [-r REPEATS] [-b BINARY_PACKAGES] [-c gz|zst|xz]
# (-c: compression of the generated metadata; gz by default, zst as
# Fedora publishes it today)
# Each figure is the best of REPEATS runs (default 5): on a shared machine
# the best run is the one other load disturbed least.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
repeats=5
binary=70000
compress=gz
while getopts "r:b:c:" o; do
	case $o in
	r) repeats=$OPTARG ;;
	b) binary=$OPTARG ;;
	c) compress=$OPTARG ;;
	*) echo "usage: $0 [-r REPEATS] [-b BINARY_PACKAGES] [-c gz|zst|xz]" >&2; exit 2 ;;
	esac
done
out=$root/bench/out
repo=$out/synth${binary}
[ "$compress" = gz ] || repo=$repo-$compress
mkdir -p "$out"
if [ ! -f "$repo/repodata/repomd.xml" ]; then
	echo "generating $repo ($binary binary packages)…" >&2
	go run ./bench/synth/cmd/synthrepo --binary "$binary" --source $((binary * 3 / 7)) --compress "$compress" --out "$repo" --source-out "$repo-src"
fi
go build -o "$out/pungo" ./cmd/pungo

cat >"$out/solvload.py" <<'PY'
import glob, sys, solv
repo_dir, with_filelists = sys.argv[1], sys.argv[2] == "1"
pool = solv.Pool()
pool.setdisttype(solv.Pool.DISTTYPE_RPM)
pool.setarch("x86_64")
repo = pool.add_repo("bench")
f = solv.xfopen(glob.glob(repo_dir + "/repodata/*-primary.xml*")[0])
repo.add_rpmmd(f, None, 0)
f.close()
if with_filelists:
    f = solv.xfopen(glob.glob(repo_dir + "/repodata/*-filelists.xml*")[0])
    repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES)
    f.close()
print(repo.nsolvables)
PY

# measure NAME CMD… : best wall time (s) over the repeats with its peak RSS
# (KB), and the best CPU time (user+sys, s), printed as
# "NAME SECONDS RSS CPU". CPU time is what a busy machine disturbs least;
# pungo spreads a load over the cores, so its wall time can be well below
# its CPU time on an idle machine and above it on a busy one.
measure() {
	local name=$1 best="" rss="" cpu="" line t m c
	shift
	for _ in $(seq "$repeats"); do
		line=$( { /usr/bin/time -f "%e %M %U %S" "$@" >/dev/null; } 2>&1 | tail -1)
		read -r t m u s <<<"$line"
		c=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; then
			best=$t
			rss=$m
		fi
		if [ -z "$cpu" ] || awk -v a="$c" -v b="$cpu" 'BEGIN{exit !(a<b)}'; then
			cpu=$c
		fi
	done
	echo "$name $best $rss $cpu"
}

# Check that both sides see the same package count first.
n_pungo=$("$out/pungo" repoquery --repo "$repo" --count)
n_solv=$(/usr/bin/python3 "$out/solvload.py" "$repo" 0)
echo "repository: $repo ($n_pungo packages per pungo, $n_solv per libsolv)"
primary=$(ls "$repo"/repodata/*-primary.xml*)
echo "primary: $(du -h "$primary" | cut -f1) compressed, $(grep -A6 '"primary"' "$repo/repodata/repomd.xml" | sed -n 's/.*<open-size>\(.*\)<\/open-size>.*/\1/p' | awk '{printf "%.0f MB", $1/1e6}') XML"
echo "load averages: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo

report() {
	local label=$1 p=$2 s=$3
	read -r _ pt pm pc <<<"$p"
	read -r _ st sm sc <<<"$s"
	printf "%-18s wall: pungo %5.2f s  libsolv %5.2f s  ratio %4.1fx | cpu: pungo %5.2f s  libsolv %5.2f s  ratio %4.1fx | rss: pungo %4d MB  libsolv %4d MB\n" \
		"$label" "$pt" "$st" "$(awk -v a="$st" -v b="$pt" 'BEGIN{printf "%.2f", a/b}')" \
		"$pc" "$sc" "$(awk -v a="$sc" -v b="$pc" 'BEGIN{printf "%.2f", a/b}')" $((pm / 1024)) $((sm / 1024))
}

p=$(measure pungo "$out/pungo" repoquery --repo "$repo" --count)
s=$(measure libsolv /usr/bin/python3 "$out/solvload.py" "$repo" 0)
report "primary" "$p" "$s"
p=$(measure pungo "$out/pungo" repoquery --repo "$repo" --count --whatprovides /usr/bin/sh)
s=$(measure libsolv /usr/bin/python3 "$out/solvload.py" "$repo" 1)
report "primary+filelists" "$p" "$s"
