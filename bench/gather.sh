#!/usr/bin/env bash
# Benchmarks pungo's depsolver on a Fedora-sized synthetic repository
# (bench/synth: ~70,000 binary and ~30,000 source packages) and prints, in
# one run, side by side:
#   - pungo depsolve of 3,000 input names, greedy none and greedy build +
#     fulltree + selfhosting: the whole command (loading included, wall and
#     CPU time, max RSS) and Gather alone after loading (Go benchmark);
#   - libsolv's install solve of the same 3,000 names (python3-solv,
#     DISTTYPE_RPM), loading and solving timed apart, and the ratio;
#   - pungo repoclosure against dnf repoclosure on the binary repository.
# Usage: bench/gather.sh [-r REPEATS] [-n NAMES]
# Each time is the best of REPEATS runs (default 3): other load on a shared
# machine disturbs the best run least. Outputs go to bench/out/gather/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
repeats=3
nnames=3000
while getopts "r:n:" o; do
	case $o in
	r) repeats=$OPTARG ;;
	n) nnames=$OPTARG ;;
	*) echo "usage: $0 [-r REPEATS] [-n NAMES]" >&2; exit 2 ;;
	esac
done
out=$root/bench/out/gather
mkdir -p "$out"
py=/usr/bin/python3

if [ ! -f "$out/bin/repodata/repomd.xml" ] || [ ! -f "$out/src/repodata/repomd.xml" ]; then
	echo "generating the synthetic repository in $out (once)..." >&2
	rm -rf "$out/bin" "$out/src"
	go run ./bench/synth/cmd/synthrepo -out "$out/bin" -source-out "$out/src" >&2
fi
go build -o "$out/pungo" ./cmd/pungo

# The same input names for every tool: NAMES binary package names spread
# evenly over the sorted distinct names of the binary repository, leaving
# out packages with unresolvable requirements (the generator leaves some
# pkgconfig() requirements unprovided): libsolv refuses to install those,
# which would make its solve incomparable.
primary=$(ls "$out"/bin/repodata/*primary.xml*)
zcat -f "$primary" | grep -o '<name>[^<]*</name>' | sed 's/<name>//; s/<\/name>//' | sort -u >"$out/allnames.txt"
"$out/pungo" repoclosure --repo "bin=$out/bin" --json | grep '"nevra"' |
	sed 's/.*"nevra": "//; s/".*//; s/-[^-]*-[^-]*$//' | sort -u >"$out/broken-names.txt" || true
comm -23 "$out/allnames.txt" "$out/broken-names.txt" >"$out/oknames.txt"
awk -v n="$nnames" '{a[NR-1]=$0} END {if (n > NR) n = NR; for (i = 0; i < n; i++) print a[int(i * NR / n)]}' \
	"$out/oknames.txt" >"$out/names.txt"
echo "input names: $(wc -l <"$out/names.txt") of $(wc -l <"$out/oknames.txt") distinct binary names without unresolvable requirements ($(wc -l <"$out/allnames.txt") in all)" >&2

# best RUNS CMD...: runs CMD REPEATS times under /usr/bin/time and prints
# "wall cpu maxrss_mb" of the fastest run.
best() {
	local bw="" bc="" bm=""
	for _ in $(seq "$repeats"); do
		/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >"$out/last.out" 2>"$out/last.err" || true
		read -r w u s m < <(tail -n 1 "$out/time.txt")
		c=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN{exit !(a<b)}'; then bw=$w bc=$c bm=$((m / 1024)); fi
	done
	echo "$bw $bc $bm"
}

repos=(--repo "bin=$out/bin" --repo "src=$out/src")
read -r none_w none_c none_m < <(best "$out/pungo" depsolve "${repos[@]}" --json -- $(cat "$out/names.txt"))
none_rpms=$(grep -c '"nevra"' "$out/last.out" || true)
read -r full_w full_c full_m < <(best "$out/pungo" depsolve "${repos[@]}" --greedy build --fulltree --selfhosting --json -- $(cat "$out/names.txt"))
full_rpms=$(grep -c '"nevra"' "$out/last.out" || true)

# Gather alone, after loading: the Go benchmark on the same names.
PUNGO_GATHER_REPO=$out PUNGO_GATHER_NAMES=$out/names.txt \
	go test ./bench/gather/ -run '^$' -bench 'Gather|Load|Pool' -benchtime "${repeats}x" >"$out/gobench.txt"
# gb KEY: "wall cpu" seconds per operation of a Go benchmark.
gb() {
	awk -v k="$1" '$1 ~ k { c = ""; for (i = 4; i <= NF; i++) if ($i == "cpu-ns/op") c = $(i - 1)
		printf "%.3f %.3f\n", $3 / 1e9, c / 1e9; exit }' "$out/gobench.txt"
}
read -r g_none g_none_c < <(gb 'BenchmarkGather/none')
read -r g_full g_full_c < <(gb 'BenchmarkGather/build-fulltree')
read -r g_load g_load_c < <(gb 'BenchmarkLoad')
read -r g_pool g_pool_c < <(gb 'BenchmarkPool')

# libsolv: load primary (the synthetic file requires all lie in primary, so
# pungo never reads filelists here either), then solve "install NAME" for
# every name.
cat >"$out/solv_install.py" <<'PYEOF'
import glob, resource, sys, time
import solv
repodir, names = sys.argv[1], open(sys.argv[2]).read().split()
t0 = time.time()
pool = solv.Pool()
pool.setdisttype(solv.Pool.DISTTYPE_RPM)
pool.setarch("x86_64")
repo = pool.add_repo("bin")
repo.add_rpmmd(solv.xfopen(glob.glob(repodir + "/repodata/*primary.xml*")[0]), None, 0)
pool.addfileprovides()
pool.createwhatprovides()
# The generator leaves some requirements unprovided; gather reports and
# skips them, so give libsolv one stub package providing them all instead
# of letting it refuse most of the jobs.
missing = set()
for sv in pool.solvables_iter():
    for dep in sv.lookup_deparray(solv.SOLVABLE_REQUIRES):
        if not pool.whatprovides(dep.id) and not str(dep).startswith("rpmlib("):
            missing.add(dep.id)
stubs = pool.add_repo("stubs")
stub = stubs.add_solvable()
stub.name, stub.evr, stub.arch = "unresolved-stub", "1-1", "noarch"
def leaf_names(text):
    # names in a rich dependency: words that are neither operators nor
    # versions ("(a >= 1 with a < 2)" -> a), their own parentheses kept
    out, prev = [], ""
    for tok in text.split():
        tok = tok.lstrip("(")
        while tok.count(")") > tok.count("("):
            tok = tok[:-1]
        if tok and tok not in ("and", "or", "if", "else", "unless", "with", "without") \
                and tok not in ("<", "<=", "=", ">=", ">") and prev not in ("<", "<=", "=", ">=", ">"):
            out.append(tok)
        prev = tok
    return out
for d in missing:
    text = pool.dep2str(d)
    for name in (leaf_names(text) if text.startswith("(") else [text.split(" ")[0]]):
        stub.add_deparray(solv.SOLVABLE_PROVIDES, pool.Dep(name))
stubs.internalize()
pool.createwhatprovides()
t1 = time.time()
jobs = [pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_NAME, pool.str2id(n)) for n in names]
solver = pool.Solver()
solver.set_flag(solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED, 1)
problems = solver.solve(jobs)
t2 = time.time()
n = len(solver.transaction().newsolvables())
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print("%.3f %.3f %d %d %d" % (t1 - t0, t2 - t1, len(problems), n, rss))
PYEOF
solv_load="" solv_solve=""
if $py -c 'import solv' 2>/dev/null; then
	for _ in $(seq "$repeats"); do
		read -r l s p n r < <($py "$out/solv_install.py" "$out/bin" "$out/names.txt")
		if [ -z "$solv_solve" ] || awk -v a="$s" -v b="$solv_solve" 'BEGIN{exit !(a<b)}'; then
			solv_load=$l solv_solve=$s solv_problems=$p solv_n=$n solv_rss=$r
		fi
	done
fi

# repoclosure of the binary repository: pungo against dnf.
read -r rc_w rc_c rc_m < <(best "$out/pungo" repoclosure --repo "bin=$out/bin")
rc_broken=$(grep -c '^package: ' "$out/last.out" || true)
dnf_w=""
if command -v dnf >/dev/null; then
	mkdir -p "$out/dnfroot"
	dnf_cmd=(dnf -q --installroot "$out/dnfroot" --releasever 1 --setopt=reposdir=/dev/null
		--setopt=cachedir="$out/dnfcache" --nogpgcheck --repofrompath "bin,file://$out/bin" --repo bin repoclosure)
	# Cold: a compose runs dnf on repositories it has just written, with no
	# metadata cache; warm: dnf's solv cache of the repository exists.
	read -r dnf_w dnf_c dnf_m < <(best bash -c 'rm -rf "$0"; exec "$@"' "$out/dnfcache" "${dnf_cmd[@]}")
	dnf_broken=$(grep -c '^package: ' "$out/last.out" || true)
	read -r dnfw_w dnfw_c dnfw_m < <(best "${dnf_cmd[@]}")
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a > 0) printf "%.1fx", b / a; else print "-" }'; }
echo
echo "gather of $(wc -l <"$out/names.txt") names, $(wc -l <"$out/allnames.txt") binary names in the repository (best of $repeats)"
printf '%-44s %10s %10s %10s\n' "" "wall s" "cpu s" "RSS MB"
printf '%-44s %10s %10s %10s   %s\n' "pungo depsolve, greedy none (whole command)" "$none_w" "$none_c" "$none_m" "$none_rpms packages"
printf '%-44s %10s %10s %10s   %s\n' "pungo depsolve, build+fulltree+selfhosting" "$full_w" "$full_c" "$full_m" "$full_rpms packages"
printf '%-44s %10s %10s\n' "  Gather alone after loading, greedy none" "$g_none" "$g_none_c"
printf '%-44s %10s %10s\n' "  Gather alone, build+fulltree+selfhosting" "$g_full" "$g_full_c"
printf '%-44s %10s %10s\n' "  loading (open both repos + pool)" "$g_load" "$g_load_c"
printf '%-44s %10s %10s\n' "  of which building the pool" "$g_pool" "$g_pool_c"
if [ -n "$solv_solve" ]; then
	printf '%-44s %10s %10s %10s   %s\n' "libsolv install solve (python3-solv)" "$solv_solve" "" "$solv_rss" "$solv_n packages, $solv_problems problems"
	printf '%-44s %10s\n' "  libsolv loading primary" "$solv_load"
	echo "  pungo Gather (none, wall) / libsolv solve: $(ratio "$solv_solve" "$g_none")"
fi
echo
printf '%-44s %10s %10s %10s   %s\n' "pungo repoclosure" "$rc_w" "$rc_c" "$rc_m" "$rc_broken packages broken"
if [ -n "$dnf_w" ]; then
	printf '%-44s %10s %10s %10s   %s\n' "dnf repoclosure (no metadata cache)" "$dnf_w" "$dnf_c" "$dnf_m" "$dnf_broken packages broken"
	printf '%-44s %10s %10s %10s\n' "dnf repoclosure (warm solv cache)" "$dnfw_w" "$dnfw_c" "$dnfw_m"
	echo "  pungo repoclosure vs dnf: $(ratio "$rc_w" "$dnf_w") faster (wall, cold), $(ratio "$rc_c" "$dnf_c") (cpu, cold), $(ratio "$rc_w" "$dnfw_w") (wall, warm)"
fi
echo "targets: Gather <= 0.3 s after loading, whole command <= 1.0 s, <= 600 MB RSS; repoclosure >= 5x dnf"
