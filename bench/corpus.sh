# shellcheck shell=bash
# RPM corpora for the createrepo benchmarks, sourced by bench/createrepo.sh
# and bench/run.sh. Each function builds its directory once (marked by
# .complete) and leaves it alone afterwards.

# tiny_corpus DIR N: N tiny noarch RPMs (one file, one require, one
# provide each), all subpackages of one spec, so one rpmbuild makes them.
tiny_corpus() {
	local dir=$1 n=$2 top=$1.top i next
	[ -f "$dir/.complete" ] && return
	rm -rf "$dir" "$top"
	mkdir -p "$dir"
	{
		printf 'Name: tiny\nVersion: 1\nRelease: 1\nSummary: tiny bench packages\nLicense: MIT\nBuildArch: noarch\n'
		printf '%%description\ntiny\n%%install\nmkdir -p %%{buildroot}/usr/share/tiny\n'
		printf 'for i in $(seq -w 1 %d); do echo $i > %%{buildroot}/usr/share/tiny/f$i; done\n' "$n"
		for i in $(seq -w 1 "$n"); do
			next=$(printf "%0${#n}d" $(((10#$i % n) + 1)))
			printf '%%package -n tiny-%s\nSummary: tiny package %s\nRequires: tiny-%s\nProvides: tinycap(%s) = 1\n' "$i" "$i" "$next" "$i"
			printf '%%description -n tiny-%s\ntiny %s\n%%files -n tiny-%s\n/usr/share/tiny/f%s\n' "$i" "$i" "$i" "$i"
		done
	} >"$dir.spec"
	echo "building $n tiny RPMs (once; about 2 minutes for 2,000)..." >&2
	build_spec "$dir"
}

# tinysrc_corpus SRC DST: the tiny RPMs of SRC with the source RPM name in
# each header rewritten (same length: tiny-1-1.src.rpm -> tyNNNN-1.src.rpm)
# so that every package has its own source package and so its own zchunk
# chunk, as in a distribution (createrepo_c ends a chunk where the source
# package changes; the tiny corpus itself makes one chunk per file).
tinysrc_corpus() {
	local src=$1 dst=$2
	[ -f "$dst/.complete" ] && return
	rm -rf "$dst"
	mkdir -p "$dst"
	python3 - "$src" "$dst" <<'PY'
import os, sys, glob
src, dst = sys.argv[1], sys.argv[2]
old = b"tiny-1-1.src.rpm"
for i, f in enumerate(sorted(glob.glob(os.path.join(src, "*.rpm")))):
    b = open(f, "rb").read()
    assert b.count(old) == 1, f
    open(os.path.join(dst, os.path.basename(f)), "wb").write(b.replace(old, b"ty%04d-1.src.rpm" % i))
PY
	touch "$dst/.complete"
}

# big_corpus DIR N: N subpackages carrying 5 MB of random data each, with
# an uncompressed payload so that building them is quick.
big_corpus() {
	local dir=$1 n=$2 top=$1.top i
	[ -f "$dir/.complete" ] && return
	rm -rf "$dir" "$top"
	mkdir -p "$dir"
	{
		printf 'Name: big\nVersion: 1\nRelease: 1\nSummary: big bench packages\nLicense: MIT\nBuildArch: noarch\n'
		printf '%%define _binary_payload w0.ufdio\n%%define __os_install_post %%{nil}\n'
		printf '%%description\nbig\n%%install\nmkdir -p %%{buildroot}/usr/share/big\n'
		printf 'for i in $(seq -w 1 %d); do head -c 5000000 /dev/urandom > %%{buildroot}/usr/share/big/f$i; done\n' "$n"
		for i in $(seq -w 1 "$n"); do
			printf '%%package -n big-%s\nSummary: big package %s\n%%description -n big-%s\nbig %s\n%%files -n big-%s\n/usr/share/big/f%s\n' "$i" "$i" "$i" "$i" "$i" "$i"
		done
	} >"$dir.spec"
	echo "building $n RPMs of 5 MB (once)..." >&2
	build_spec "$dir"
}

# build_spec DIR: builds DIR.spec's noarch RPMs into DIR and marks it
# complete.
build_spec() {
	local dir=$1 top=$1.top
	rpmbuild --nodeps --quiet --define "_topdir $top" -bb "$dir.spec" >/dev/null
	mv "$top"/RPMS/noarch/*.rpm "$dir/"
	rm -rf "$top"
	touch "$dir/.complete"
}
