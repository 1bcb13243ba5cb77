#!/usr/bin/env bash
# The depsolve benchmark suite: runs every benchmark case against its peers
# in one run and writes bench/report/ (report.md: a table of wall and CPU
# times, peak RSS and pungo/peer ratios, with the machine, its core count
# and load average; one SVG bar chart per area) and the short summary
# between the bench-report markers in README.md.
#
# Areas and peers (each case is a whole process, timed by /usr/bin/time):
#   load        repoquery --count over a synthetic repository, primary and
#               primary+filelists                       vs libsolv (python3-solv)
#   gather      pungo depsolve (whole command) on the synthetic repository
#               and on CentOS Stream 9 BaseOS+AppStream (../shared/realdata;
#               greedy none, fulltree, multilib runtime; CS9 also from a
#               warm --cachedir)                        vs libsolv load+solve
#               and the binary cache: warm pungo --cachedir loads of the
#               synthetic and CS9 repositories   vs pungo writing its cache
#                                                  (cold) and libsolv's .solv
#   repoclosure pungo repoclosure                       vs dnf repoclosure (cold, warm cache);
#               pungo with a warm --cachedir          vs dnf with its warm cache
#   createrepo  tiny RPMs --no-database and --database; --zck without and
#               with databases (on tinysrc: one source package per RPM);
#               5 MB RPMs --database               vs createrepo_c (same --workers)
#   compose     per-phase wall, CPU and peak RSS of bench/compose (pungo
#               only: no peer composes this; the phases share one process,
#               whose RSS bench/compose samples while each phase runs)
#
# Usage: bench/run.sh [-q] [-r REPEATS] [AREA...]
#   -q  quick mode (a couple of minutes): 10,000-package synthetic
#       repository, 300 tiny RPMs, 20 RPMs of 5 MB, a 10,000+4,000
#       compose, one run each.
#   Default: 70,000 packages, 2,000 tiny RPMs, 100 RPMs of 5 MB,
#   70,000+30,000 compose, best of 3.
# Generated inputs live in bench/out/ (gitignored) and are reused. The
# older per-area scripts (load.sh, createrepo.sh, gather.sh, compose.sh)
# print more detail for one area.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=""
repeats=""
while getopts "qr:" o; do
	case $o in
	q) quick=1 ;;
	r) repeats=$OPTARG ;;
	*) echo "usage: $0 [-q] [-r REPEATS] [AREA...]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
areas=("$@")
[ ${#areas[@]} -gt 0 ] || areas=(load gather repoclosure createrepo compose)
if [ -n "$quick" ]; then
	: "${repeats:=1}"
	binary=10000 tiny=300 big=20 cbinary=10000 csource=4000 names=1000 mode=quick
else
	: "${repeats:=3}"
	binary=70000 tiny=2000 big=100 cbinary=70000 csource=30000 names=3000 mode=full
fi
py=/usr/bin/python3
out=$root/bench/out/run
mkdir -p "$out"
results=$out/results.tsv
meta=$out/meta.tsv
: >"$results"
go build -o "$out/pungo" ./cmd/pungo
go build -o "$out/reportgen" ./bench/reportgen

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
{
	printf 'machine\t%s\n' "$(uname -n) ($(uname -m), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo))"
	printf 'nproc\t%s\n' "$(nproc)"
	printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'commit\t%s\n' "$(git describe --always --dirty=+changes 2>/dev/null || echo unknown)"
	printf 'mode\t%s (best of %s runs)\n' "$mode" "$repeats"
	printf 'load_start\t%s\n' "$(loadavg)"
} >"$meta"

# measure AREA CASE TOOL CMD...: runs CMD $repeats times under
# /usr/bin/time and appends the fastest run's "wall cpu rss_mb" to the
# results, with the load average when it finished; a failed run is
# marked in the tool's name. The fastest run's
# stdout is kept in $out/best.out.
measure() {
	local area=$1 case=$2 tool=$3 bw="" bc="" bm="" w u s m c rc
	shift 3
	for _ in $(seq "$repeats"); do
		rc=0
		/usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" >"$out/last.out" 2>"$out/last.err" || rc=$?
		# A failed run is not a measurement: mark it in the report.
		# (repoclosure exits 1 when it finds broken dependencies,
		# which both test repositories have.)
		if [ "$rc" != 0 ] && ! { [ "$area" = repoclosure ] && [ "$rc" = 1 ]; }; then
			echo "WARNING: $tool failed (exit $rc) on $area/$case: $(tail -n 2 "$out/last.err" | tr '\n' ' ')" >&2
			tool="$tool (FAILED, exit $rc)"
		fi
		read -r w u s m < <(tail -n 1 "$out/time.txt")
		c=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')
		if [ -z "$bw" ] || awk -v a="$w" -v b="$bw" 'BEGIN{exit !(a<b)}'; then
			bw=$w bc=$c bm=$((m / 1024))
			cp "$out/last.out" "$out/best.out"
		fi
	done
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$area" "$case" "$tool" "$bw" "$bc" "$bm" "$(loadavg)" >>"$results"
	printf '  %-12s %-44s %-28s %7ss %7ss %6s MB\n' "$area" "$case" "$tool" "$bw" "$bc" "$bm" >&2
}

# The synthetic repository shared by load, gather and repoclosure.
synth=$root/bench/out/synth$binary
if [ ! -f "$synth/repodata/repomd.xml" ] || [ ! -f "$synth-src/repodata/repomd.xml" ]; then
	echo "generating $synth ($binary binary packages, once)..." >&2
	rm -rf "$synth" "$synth-src"
	go run ./bench/synth/cmd/synthrepo --binary "$binary" --source $((binary * 3 / 7)) --out "$synth" --source-out "$synth-src" >&2
fi
base=$root/../shared/realdata/cs9-baseos
app=$root/../shared/realdata/cs9-appstream

# pick N FILE REPO...: N names spread evenly over the sorted distinct binary
# names of REPO..., leaving out packages with unresolvable requirements
# (libsolv would refuse those jobs, making its solve incomparable).
pick() {
	local n=$1 file=$2 r args=()
	shift 2
	for r in "$@"; do args+=(--repo "$r"); done
	for r in "$@"; do zcat -f "$r"/repodata/*primary.xml*; done |
		grep -o '<name>[^<]*</name>' | sed 's/<name>//; s/<\/name>//' | sort -u >"$out/all.txt"
	"$out/pungo" repoclosure "${args[@]}" --json | grep '"nevra"' |
		sed 's/.*"nevra": "//; s/".*//; s/-[^-]*-[^-]*$//' | sort -u >"$out/broken.txt" || true
	comm -23 "$out/all.txt" "$out/broken.txt" |
		awk -v n="$n" '{a[NR-1]=$0} END {if (n > NR) n = NR; for (i = 0; i < n; i++) print a[int(i * NR / n)]}' >"$file"
}

run_load() {
	local c="primary, $binary pkgs"
	measure load "$c" pungo "$out/pungo" repoquery --repo "$synth" --count
	measure load "$c" libsolv $py bench/solvbench.py load "$synth"
	c="primary+filelists, $binary pkgs"
	measure load "$c" pungo "$out/pungo" repoquery --repo "$synth" --count --whatprovides /usr/bin/sh
	measure load "$c" libsolv $py bench/solvbench.py load-filelists "$synth"
	c="CS9 BaseOS+AppStream primary"
	measure load "$c" pungo "$out/pungo" repoquery --repo "$base" --repo "$app" --count
	measure load "$c" libsolv $py bench/solvbench.py load "$base" "$app"
	# The binary cache: "pungo" reads its warm --cachedir images, "pungo
	# (cold cache)" parses and writes them, libsolv reads its .solv files.
	local k r cache=$out/pungocache
	for k in synth cs9; do
		local dirs=("$synth") rargs=()
		c="primary, $binary pkgs, warm cache"
		[ $k = synth ] || { dirs=("$base" "$app") c="CS9 BaseOS+AppStream primary, warm cache"; }
		for r in "${dirs[@]}"; do rargs+=(--repo "$r"); done
		"$out/pungo" repoquery --cachedir "$cache" "${rargs[@]}" --count >/dev/null
		$py bench/solvbench.py write-solv "$out/solvcache" "${dirs[@]}"
		measure load "$c" pungo "$out/pungo" repoquery --cachedir "$cache" "${rargs[@]}" --count
		measure load "$c" "pungo (cold cache)" bash -c 'rm -rf "$0"; exec "$@"' "$out/pungocache-cold" "$out/pungo" repoquery --cachedir "$out/pungocache-cold" "${rargs[@]}" --count
		measure load "$c" "libsolv (.solv)" $py bench/solvbench.py load-solv "$out/solvcache" "${dirs[@]}"
	done
}

# solv_install CASE NAMES REPO...: libsolv's install solve of NAMES, as
# two rows: the whole python3 process, and libsolv's own load+solve as the
# script times it (without Python's start-up and the stub set-up).
solv_install() {
	local c=$1 lw sw lc sc pr n
	shift
	measure gather "$c" "libsolv (whole process)" $py bench/solvbench.py install "$@"
	read -r lw sw lc sc pr n <"$out/best.out"
	printf 'gather\t%s\tlibsolv load+solve\t%s\t%s\t%s\t%s\n' "$c" \
		"$(awk -v a="$lw" -v b="$sw" 'BEGIN{printf "%.3f", a+b}')" "$(awk -v a="$lc" -v b="$sc" 'BEGIN{printf "%.3f", a+b}')" \
		"$(tail -n 1 "$results" | cut -f6)" "$(loadavg)" >>"$results"
	echo "  libsolv: load $lw s, solve $sw s, $n packages, $pr problems" >&2
}

run_gather() {
	local c
	pick "$names" "$out/synth-names.txt" "$synth"
	c="synthetic $binary pkgs, $(wc -l <"$out/synth-names.txt") names"
	# shellcheck disable=SC2046
	measure gather "$c" pungo "$out/pungo" depsolve --repo "bin=$synth" --repo "src=$synth-src" --json -- $(cat "$out/synth-names.txt")
	solv_install "$c" "$out/synth-names.txt" "$synth"
	pick 300 "$out/cs9-names.txt" "$base" "$app"
	c="CS9 BaseOS+AppStream, $(wc -l <"$out/cs9-names.txt") names, fulltree, multilib"
	# shellcheck disable=SC2046
	measure gather "$c" pungo "$out/pungo" depsolve --repo "baseos=$base" --repo "appstream=$app" \
		--greedy none --fulltree --multilib runtime --json -- $(cat "$out/cs9-names.txt")
	grep -q '"nevra"' "$out/best.out" || echo "WARNING: pungo depsolve on CS9 printed no packages" >&2
	solv_install "$c" "$out/cs9-names.txt" "$base" "$app"
	# The same depsolve from a warm --cachedir (the compose keeps one in
	# its work dir by default), beside the libsolv load+solve just measured.
	local cache=$out/gathercache row
	row=$(tail -n 1 "$results")
	rm -rf "$cache"
	# shellcheck disable=SC2046
	"$out/pungo" depsolve --cachedir "$cache" --repo "baseos=$base" --repo "appstream=$app" \
		--greedy none --fulltree --multilib runtime --json -- $(cat "$out/cs9-names.txt") >/dev/null 2>&1
	# shellcheck disable=SC2046
	measure gather "$c, warm cache" pungo "$out/pungo" depsolve --cachedir "$cache" --repo "baseos=$base" --repo "appstream=$app" \
		--greedy none --fulltree --multilib runtime --json -- $(cat "$out/cs9-names.txt")
	printf '%s\n' "$row" | awk -F'\t' -v OFS='\t' -v c="$c, warm cache" '{$2 = c; print}' >>"$results"
}

run_repoclosure() {
	local c dnf_cmd
	mkdir -p "$out/dnfroot"
	for c in synthetic cs9; do
		local repos=() label
		if [ $c = synthetic ]; then
			repos=("bin=$synth") label="synthetic $binary pkgs"
		else
			repos=("baseos=$base" "appstream=$app") label="CS9 BaseOS+AppStream"
		fi
		local pargs=() dargs=() r
		for r in "${repos[@]}"; do pargs+=(--repo "$r"); dargs+=(--repofrompath "${r%%=*},file://${r#*=}" --repo "${r%%=*}"); done
		measure repoclosure "$label" pungo "$out/pungo" repoclosure "${pargs[@]}"
		dnf_cmd=(dnf -q --installroot "$out/dnfroot" --releasever 1 --setopt=reposdir=/dev/null
			--setopt=cachedir="$out/dnfcache-$c" --nogpgcheck "${dargs[@]}" repoclosure)
		measure repoclosure "$label" "dnf (no cache)" bash -c 'rm -rf "$0"; exec "$@"' "$out/dnfcache-$c" "${dnf_cmd[@]}"
		measure repoclosure "$label" "dnf (warm cache)" "${dnf_cmd[@]}"
		# Both with warm caches: pungo --cachedir against dnf's solv cache.
		"$out/pungo" repoclosure --cachedir "$out/pungocache" "${pargs[@]}" >/dev/null 2>&1 || true
		measure repoclosure "$label, warm caches" pungo "$out/pungo" repoclosure --cachedir "$out/pungocache" "${pargs[@]}"
		measure repoclosure "$label, warm caches" "dnf (warm cache)" "${dnf_cmd[@]}"
	done
}

# shellcheck source=bench/corpus.sh
. "$root/bench/corpus.sh"

# run_createrepo: both tools at --workers 5 on the tiny RPMs (without and
# with databases), on tinysrc (the same RPMs, one source package each, so
# one zchunk chunk per package as in a distribution) with --zck, without
# and with databases, and on the 5 MB RPMs with databases.
run_createrepo() {
	local cr=$root/bench/out/createrepo corpus dir flags c p
	tiny_corpus "$cr/tiny-$tiny" "$tiny"
	tinysrc_corpus "$cr/tiny-$tiny" "$cr/tinysrc-$tiny"
	big_corpus "$cr/big-$big" "$big"
	for corpus in "tiny-$tiny --no-database" "tiny-$tiny --database" "tinysrc-$tiny --no-database --zck" \
		"tinysrc-$tiny --database --zck" "big-$big --database"; do
		dir=$cr/${corpus%% *} flags=${corpus#* }
		cat "$dir"/*.rpm >/dev/null # the page cache warm for both tools alike
		c=$out/cr-c p=$out/cr-pungo
		rm -rf "$c" "$p"
		mkdir -p "$c" "$p"
		local what label
		case ${corpus%%-*} in
		tiny) what="tiny RPMs" ;;
		tinysrc) what="tiny RPMs (a source package each)" ;;
		big) what="RPMs of 5 MB" ;;
		esac
		label="$(find "$dir" -name '*.rpm' | wc -l) $what $flags"
		# shellcheck disable=SC2086
		measure createrepo "$label" createrepo_c createrepo_c -q $flags --workers 5 --outputdir "$c" "$dir"
		# shellcheck disable=SC2086
		measure createrepo "$label" pungo "$out/pungo" createrepo -q $flags --workers 5 --outputdir "$p" "$dir"
		"$out/pungo" repodiff -q "$c" "$p" || echo "WARNING: pungo and createrepo_c metadata differ ($corpus)" >&2
	done
}

run_compose() {
	local phase w c args
	go build -o "$out/composebench" ./bench/compose
	args=(-out "$root/bench/out/compose" -binary "$cbinary" -source "$csource" -pungo "$out/pungo" -preview=false)
	# Generate the data outside the measurement (kept between runs).
	"$out/composebench" "${args[@]}" >/dev/null 2>"$out/last.err" || true
	# bench/compose runs `pungo compose` and reads its phase times: with a
	# prebuilt pungo and no gather preview, the process tree's peak RSS
	# is pungo compose's.
	measure compose "pungo compose ($cbinary+$csource pkgs, 2 arches, 3 variants)" pungo "$out/composebench" "${args[@]}"
	# Per-phase rows from the measured run's own table ("  phase  wall
	# cpu  peak-RSS-MB"); the phases share one process, and bench/compose
	# samples its RSS while each phase runs ("-" for the metadata steps,
	# which log no phase start).
	awk '/^  phase /{t=1; next} t && NF==4 && $2 ~ /s$/ {print $1, $2, $3, $4} t && NF!=4 {t=0}' "$out/best.out" |
		while read -r phase w c m; do
			[ "$m" = - ] && m=""
			printf 'compose\tphase %s\tpungo\t%s\t%s\t%s\t%s\n' "$phase" "${w%s}" "${c%s}" "$m" "$(loadavg)" >>"$results"
		done
}

for a in "${areas[@]}"; do
	echo "== $a" >&2
	"run_$a"
done
printf 'load_end\t%s\n' "$(loadavg)" >>"$meta"
"$out/reportgen" -results "$results" -meta "$meta" -out bench/report -readme README.md
echo "wrote bench/report/report.md and bench/report/*.svg" >&2
