// Package synth generates synthetic rpm-md repositories of Fedora's size and
// shape for benchmarks: repodata only (repomd.xml, primary, filelists and
// other, gzip-compressed), no .rpm files. The same Options and seed always
// give the same bytes.
//
// The shape follows a Fedora Everything tree: every binary package has a
// sourcerpm that exists among the generated source packages; packages
// provide "name = EVR" (and "name(x86-64) = EVR" when arched); library
// packages provide sonames ("libfoo.so.1()(64bit)") which other packages
// require with a Zipf skew toward a few core libraries (glibc, libgcc,
// zlib, openssl…); -devel packages require their library at the exact EVR
// and provide pkgconfig(); some packages require files (/bin/sh,
// /usr/bin/python3, /usr/bin/perl, other /usr/bin tools that exist), some
// carry rich dependencies and weak ones (Recommends, Supplements); about 4%
// of the binaries are i686 multilib builds of libraries; a few sources come
// in two versions. With the default sizes (and SourceDir set) the
// binary repository's primary is about 130 MB of XML, 18 MB gzipped.
//
// Use it from Go:
//
//	err := synth.Generate("/tmp/repo", synth.Options{Binary: 70000, Source: 30000, SourceDir: "/tmp/repo-src"})
//
// or with the command bench/synth/cmd/synthrepo. repomd.Open, libsolv and dnf
// all read the result.
package synth

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
)

// Options sizes and places the repository. Zero values take the defaults.
type Options struct {
	Binary int   // binary packages (default 70,000)
	Source int   // source packages (default 30,000; negative: none)
	Seed   int64 // random seed (default 1)
	// SourceDir, when set, receives the source packages as a repository of
	// their own (Fedora's layout); otherwise they share dir with the
	// binaries.
	SourceDir string
	// Compress is the compression of primary, filelists and other: "gz"
	// (default), "zst", "xz" or "none".
	Compress string
	// Timestamp is written into repomd.xml and the packages (default a
	// fixed date, so output is reproducible).
	Timestamp int64
}

func (o *Options) defaults() {
	if o.Binary == 0 {
		o.Binary = 70000
	}
	if o.Source == 0 {
		o.Source = 30000
	}
	if o.Source < 0 {
		o.Source = 0
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Compress == "" {
		o.Compress = "gz"
	}
	if o.Timestamp == 0 {
		o.Timestamp = 1700000000
	}
}

type dep struct {
	name, flags, epoch, ver, rel string
	pre                          bool
}

type file struct {
	path, typ string // typ "", "dir" or "ghost"
}

type pkg struct {
	name, arch, epoch, ver, rel string
	summary, description        string
	sourcerpm                   string
	provides, requires          []dep
	conflicts, obsoletes        []dep
	recommends, supplements     []dep
	files                       []file
	changelogs                  int
	size                        int64
	seq                         int // for checksums and times
}

func (p *pkg) nevra() string {
	e := ""
	if p.epoch != "0" {
		e = p.epoch + ":"
	}
	return p.name + "-" + e + p.ver + "-" + p.rel + "." + p.arch
}

func (p *pkg) fileName() string { return p.name + "-" + p.ver + "-" + p.rel + "." + p.arch + ".rpm" }

// model is the generated package set before it is written.
type model struct {
	rng      *rand.Rand
	binaries []*pkg
	sources  []*pkg
	opts     Options
}

// source is one source package being planned, with its subpackages.
type srcPlan struct {
	name, ver, rel, epoch string
	kind                  string // "", "perl", "python", "rust", "golang", "lib"
	subs                  []string
	libSoname             string // soname its library provides
	pcName                string // pkgconfig name of its -devel
	tool                  string // /usr/bin tool of its main package
	pkg                   *pkg
}

var syllables = strings.Fields(`ab ac ad al am an ar as at ba be bi bo bu ca ce ci co cu da de di do du
	el em en er es fa fe fi fo ga ge gi go gu ha he hi ho il im in is ja jo ka ke ki ko la le li lo lu
	ma me mi mo mu na ne ni no nu ob ok ol om on or os pa pe pi po pu qu ra re ri ro ru sa se si so su
	ta te ti to tu ul um un ur us va ve vi vo wa we wi xa xe yo za ze zo`)

// core packages, most depended on first: the Zipf skew of soname requires
// lands on these.
var coreSources = []struct {
	name, ver, soname, tool string
}{
	{"glibc", "2.38", "libc.so.6", "/usr/bin/ldd"},
	{"gcc", "13.2.1", "libgcc_s.so.1", "/usr/bin/gcc"},
	{"zlib", "1.2.13", "libz.so.1", ""},
	{"openssl", "3.1.1", "libcrypto.so.3", "/usr/bin/openssl"},
	{"glib2", "2.78.0", "libglib-2.0.so.0", "/usr/bin/gio"},
	{"systemd", "254.5", "libsystemd.so.0", "/usr/bin/systemctl"},
	{"xz", "5.4.4", "liblzma.so.5", "/usr/bin/xz"},
	{"libselinux", "3.5", "libselinux.so.1", ""},
	{"pcre2", "10.42", "libpcre2-8.so.0", ""},
	{"ncurses", "6.4", "libtinfo.so.6", "/usr/bin/tput"},
	{"libxml2", "2.10.4", "libxml2.so.2", "/usr/bin/xmllint"},
	{"bzip2", "1.0.8", "libbz2.so.1", "/usr/bin/bzip2"},
	{"libffi", "3.4.4", "libffi.so.8", ""},
	{"expat", "2.5.0", "libexpat.so.1", ""},
	{"bash", "5.2.21", "", "/usr/bin/bash"},
	{"python3", "3.12.1", "libpython3.12.so.1.0", "/usr/bin/python3"},
	{"perl", "5.38.0", "libperl.so.5.38", "/usr/bin/perl"},
	{"pkgconf", "1.9.5", "libpkgconf.so.4", "/usr/bin/pkg-config"},
}

var glibcVersions = []string{"2.2.5", "2.3", "2.3.4", "2.4", "2.7", "2.14", "2.17", "2.25", "2.28", "2.32", "2.33", "2.34", "2.38"}

func (m *model) word(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(syllables[m.rng.Intn(len(syllables))])
	}
	return b.String()
}

func (m *model) version() string {
	switch m.rng.Intn(5) {
	case 0:
		return fmt.Sprintf("%d.%d", m.rng.Intn(10), m.rng.Intn(30))
	case 1:
		return fmt.Sprintf("%d.%d.%d~rc%d", m.rng.Intn(5), m.rng.Intn(20), m.rng.Intn(10), 1+m.rng.Intn(3))
	case 2:
		return fmt.Sprintf("%d", 20200000+m.rng.Intn(40000))
	}
	return fmt.Sprintf("%d.%d.%d", m.rng.Intn(10), m.rng.Intn(30), m.rng.Intn(100))
}

func (m *model) sentence(words int) string {
	var b strings.Builder
	for i := 0; i < words; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(m.word(1 + m.rng.Intn(3)))
	}
	return b.String()
}

// plan decides the source packages and their subpackage names so that
// the binary count comes out exactly.
func (m *model) plan() []*srcPlan {
	o := m.opts
	nSrc := o.Source
	if nSrc == 0 {
		nSrc = o.Binary * 3 / 7
	}
	if nSrc < len(coreSources)+1 {
		nSrc = len(coreSources) + 1
	}
	multilib := o.Binary * 4 / 100
	budget := o.Binary - multilib // x86_64 + noarch binaries
	if budget < nSrc {
		nSrc = budget
		if nSrc < len(coreSources) {
			nSrc = len(coreSources)
		}
	}
	seen := map[string]bool{}
	var plans []*srcPlan
	for i, c := range coreSources {
		p := &srcPlan{name: c.name, ver: c.ver, rel: fmt.Sprintf("%d.fc40", 1+i%3), epoch: "0", kind: "lib",
			libSoname: c.soname, pcName: c.name, tool: c.tool}
		seen[c.name] = true
		plans = append(plans, p)
	}
	// A few sources get a second, older version: dnf and gather must pick
	// the newest.
	for len(plans) < nSrc {
		var name, kind string
		switch r := m.rng.Intn(100); {
		case r < 18:
			kind, name = "perl", "perl-"+strings.Title(m.word(2))+"-"+strings.Title(m.word(1+m.rng.Intn(2)))
		case r < 33:
			kind, name = "python", "python-"+m.word(2+m.rng.Intn(2))
		case r < 41:
			kind, name = "rust", "rust-"+m.word(2)+"-"+m.word(1)
		case r < 47:
			kind, name = "golang", "golang-github-"+m.word(2)+"-"+m.word(2)
		case r < 62:
			kind, name = "lib", "lib"+m.word(2)
		default:
			name = m.word(2 + m.rng.Intn(2))
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		p := &srcPlan{name: name, ver: m.version(), rel: fmt.Sprintf("%d.fc40", 1+m.rng.Intn(5)), epoch: "0", kind: kind}
		if m.rng.Intn(50) == 0 {
			p.epoch = fmt.Sprint(1 + m.rng.Intn(3))
		}
		switch kind {
		case "lib", "":
			if kind == "lib" || m.rng.Intn(3) == 0 {
				base := strings.TrimPrefix(name, "lib")
				p.libSoname = fmt.Sprintf("lib%s.so.%d", base, m.rng.Intn(12))
				p.pcName = base
			}
			if kind == "" {
				p.tool = "/usr/bin/" + name
			}
		}
		plans = append(plans, p)
		if len(plans) < nSrc && m.rng.Intn(40) == 0 {
			old := *p
			old.ver = "0." + p.ver
			old.pkg = nil
			plans = append(plans, &old)
		}
	}
	// Subpackages: the main one, then extras until the budget is used.
	total := 0
	for _, p := range plans {
		switch p.kind {
		case "python":
			p.subs = []string{"python3-" + strings.TrimPrefix(p.name, "python-")}
		case "rust":
			p.subs = []string{p.name + "-devel"}
		case "golang":
			p.subs = []string{p.name + "-devel"}
		case "lib":
			p.subs = []string{p.name, p.name + "-devel"}
		default:
			p.subs = []string{p.name}
		}
		total += len(p.subs)
	}
	extras := []string{"-libs", "-devel", "-doc", "-common", "-tools", "-data", "-tests", "-static", "-plugins", "-langpack-de", "-langpack-fr"}
	for total < budget {
		p := plans[m.rng.Intn(len(plans))]
		if p.kind == "rust" || p.kind == "golang" {
			continue
		}
		added := false
		for _, e := range extras {
			n := p.name + e
			if !slices.Contains(p.subs, n) {
				p.subs = append(p.subs, n)
				added = true
				break
			}
		}
		if !added {
			p.subs = append(p.subs, fmt.Sprintf("%s-module%d", p.name, len(p.subs)))
		}
		total++
	}
	for total > budget { // tiny repositories: drop extras
		for _, p := range plans {
			if total > budget && len(p.subs) > 1 {
				p.subs = p.subs[:len(p.subs)-1]
				total--
			}
		}
		if total > budget {
			break
		}
	}
	return plans
}

// symVersion is the v-th symbol version a library defines.
func symVersion(p *srcPlan, v int) string {
	base := strings.ToUpper(strings.TrimPrefix(strings.SplitN(p.libSoname, ".so", 2)[0], "lib"))
	return fmt.Sprintf("%s_%d.%d", base, 1+v/2, v%2)
}

// perlModule is the perl(…) name a perl source's package provides.
func perlModule(p *srcPlan) string {
	if p.kind != "perl" {
		return "perl(" + p.name + ")"
	}
	return "perl(" + strings.ReplaceAll(strings.TrimPrefix(p.name, "perl-"), "-", "::") + ")"
}

func newModel(o Options) *model {
	m := &model{rng: rand.New(rand.NewSource(o.Seed)), opts: o}
	plans := m.plan()

	// Library sonames in popularity order: core first.
	var libs []*srcPlan
	var devels []*srcPlan
	var tools []string
	for _, p := range plans {
		if p.libSoname != "" {
			libs = append(libs, p)
		}
		if p.pcName != "" && slices.Contains(p.subs, p.name+"-devel") {
			devels = append(devels, p)
		}
		if p.tool != "" {
			tools = append(tools, p.tool)
		}
	}
	var perls, pythons []*srcPlan
	for _, p := range plans {
		switch p.kind {
		case "perl":
			perls = append(perls, p)
		case "python":
			pythons = append(pythons, p)
		}
	}
	if len(perls) == 0 || len(pythons) == 0 {
		perls = append(perls, plans[0])
		pythons = append(pythons, plans[0])
	}
	zipfPerl := rand.NewZipf(m.rng, 1.1, 4, uint64(len(perls)-1))
	zipfPy := rand.NewZipf(m.rng, 1.1, 4, uint64(len(pythons)-1))
	zipfLib := rand.NewZipf(m.rng, 1.3, 2, uint64(len(libs)-2)) // libs[0] is glibc, always required
	zipfDev := rand.NewZipf(m.rng, 1.2, 2, uint64(len(devels)-1))

	seq := 0
	libPkgName := func(p *srcPlan) string {
		if slices.Contains(p.subs, p.name+"-libs") {
			return p.name + "-libs"
		}
		return p.subs[0]
	}
	var multilibCandidates []*pkg
	for _, sp := range plans {
		srpm := sp.name + "-" + sp.ver + "-" + sp.rel + ".src.rpm"
		libOwner := ""
		if sp.libSoname != "" {
			libOwner = libPkgName(sp)
		}
		for _, sub := range sp.subs {
			seq++
			p := &pkg{name: sub, arch: "x86_64", epoch: sp.epoch, ver: sp.ver, rel: sp.rel, sourcerpm: srpm, seq: seq}
			isDevel := strings.HasSuffix(sub, "-devel")
			noarch := strings.HasSuffix(sub, "-doc") || strings.HasSuffix(sub, "-data") || strings.Contains(sub, "-langpack-") ||
				sp.kind == "perl" || sp.kind == "python" && m.rng.Intn(2) == 0 || sp.kind == "rust" || sp.kind == "golang" ||
				strings.HasSuffix(sub, "-common")
			if noarch && sub != libOwner {
				p.arch = "noarch"
			}
			p.summary = "The " + sub + " package: " + m.sentence(4+m.rng.Intn(6))
			p.description = m.sentence(5+m.rng.Intn(18)) + ".\n" + m.sentence(2+m.rng.Intn(6)) + "."
			p.size = int64(5000 + m.rng.Intn(5000000))
			p.changelogs = 1 + m.rng.Intn(3)
			evr := [3]string{sp.epoch, sp.ver, sp.rel}
			p.provides = append(p.provides, dep{name: sub, flags: "EQ", epoch: evr[0], ver: evr[1], rel: evr[2]})
			if p.arch == "x86_64" {
				p.provides = append(p.provides, dep{name: sub + "(x86-64)", flags: "EQ", epoch: evr[0], ver: evr[1], rel: evr[2]})
			}
			// Files.
			base := "/usr/share/doc/" + sub
			p.files = append(p.files, file{path: base, typ: "dir"}, file{path: base + "/README"})
			if m.rng.Intn(3) == 0 {
				p.files = append(p.files, file{path: "/usr/share/licenses/" + sub, typ: "dir"}, file{path: "/usr/share/licenses/" + sub + "/COPYING"})
			}
			if sub == libOwner {
				so := sp.libSoname
				p.provides = append(p.provides, dep{name: so + "()(64bit)"})
				for v := 0; v < 1+len(sp.name)%4; v++ {
					p.provides = append(p.provides, dep{name: so + "(" + symVersion(sp, v) + ")(64bit)"})
				}
				if sp.name == "glibc" {
					for _, gv := range glibcVersions {
						p.provides = append(p.provides, dep{name: "libc.so.6(GLIBC_" + gv + ")(64bit)"})
					}
					for _, l := range []string{"libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "ld-linux-x86-64.so.2"} {
						p.provides = append(p.provides, dep{name: l + "()(64bit)"})
						p.files = append(p.files, file{path: "/usr/lib64/" + l})
					}
					p.provides = append(p.provides, dep{name: "rtld(GNU_HASH)"})
				}
				p.files = append(p.files, file{path: "/usr/lib64/" + so}, file{path: "/usr/lib64/" + so + ".0.0"})
				multilibCandidates = append(multilibCandidates, p)
			}
			if sp.tool != "" && sub == sp.subs[0] {
				p.files = append(p.files, file{path: sp.tool})
			}
			switch {
			case p.arch != "noarch" && !isDevel:
				for i, n := 0, m.rng.Intn(4); i < n; i++ {
					p.files = append(p.files, file{path: "/usr/bin/" + sub + fmt.Sprint(i)})
				}
			}
			for i, n := 0, m.rng.Intn(20); i < n; i++ {
				p.files = append(p.files, file{path: fmt.Sprintf("/usr/share/%s/%s.dat", sp.name, m.word(2))})
			}
			if m.rng.Intn(10) == 0 {
				p.files = append(p.files, file{path: "/etc/" + sub + ".conf"}, file{path: "/var/log/" + sub + ".log", typ: "ghost"})
				p.provides = append(p.provides, dep{name: "config(" + sub + ")", flags: "EQ", epoch: evr[0], ver: evr[1], rel: evr[2]})
			}
			if m.rng.Intn(25) == 0 {
				p.provides = append(p.provides, dep{name: "bundled(" + m.word(2) + ")", flags: "EQ", epoch: "0", ver: m.version()})
			}
			if m.rng.Intn(200) == 0 {
				p.files = append(p.files, file{path: "/etc/" + sub + "/" + m.word(2) + " & <more>.conf"})
			}

			// Requires.
			reqs := map[string]bool{}
			addReq := func(d dep) {
				if !reqs[d.name] {
					reqs[d.name] = true
					p.requires = append(p.requires, d)
				}
			}
			if p.arch == "x86_64" && sp.name != "glibc" {
				addReq(dep{name: "libc.so.6()(64bit)"})
				addReq(dep{name: "libc.so.6(GLIBC_" + glibcVersions[8+m.rng.Intn(len(glibcVersions)-8)] + ")(64bit)"})
				addReq(dep{name: "rtld(GNU_HASH)"})
				for i, n := 0, m.rng.Intn(18); i < n; i++ {
					l := libs[1+zipfLib.Uint64()]
					if l == sp {
						continue
					}
					addReq(dep{name: l.libSoname + "()(64bit)"})
					if m.rng.Intn(3) == 0 {
						addReq(dep{name: l.libSoname + "(" + symVersion(l, 0) + ")(64bit)"})
					}
				}
			}
			if libOwner != "" && sub != libOwner && !noarch {
				addReq(dep{name: libOwner + "(x86-64)", flags: "EQ", epoch: evr[0], ver: evr[1], rel: evr[2]})
			}
			if isDevel {
				if sp.pcName != "" {
					p.provides = append(p.provides, dep{name: "pkgconfig(" + sp.pcName + ")", flags: "EQ", epoch: "0", ver: sp.ver})
					p.files = append(p.files, file{path: "/usr/lib64/pkgconfig/" + sp.pcName + ".pc"})
					addReq(dep{name: "/usr/bin/pkg-config"})
				}
				if sp.libSoname != "" {
					p.files = append(p.files, file{path: "/usr/lib64/" + strings.SplitN(sp.libSoname, ".so", 2)[0] + ".so"})
				}
				for i, n := 0, m.rng.Intn(4); i < n; i++ {
					d := devels[zipfDev.Uint64()]
					if d != sp {
						addReq(dep{name: "pkgconfig(" + d.pcName + ")"})
					}
				}
				p.files = append(p.files, file{path: "/usr/include/" + sp.name, typ: "dir"}, file{path: "/usr/include/" + sp.name + "/" + sp.name + ".h"})
			}
			if sp.kind == "perl" {
				addReq(dep{name: "perl(:MODULE_COMPAT_5.38.0)"})
				addReq(dep{name: "/usr/bin/perl"})
				p.provides = append(p.provides, dep{name: perlModule(sp), flags: "EQ", epoch: "0", ver: sp.ver})
				for i, n := 0, m.rng.Intn(7); i < n; i++ {
					if o := perls[zipfPerl.Uint64()]; o != sp {
						addReq(dep{name: perlModule(o)})
					}
				}
			}
			if strings.HasPrefix(sub, "python3-") {
				addReq(dep{name: "python(abi)", flags: "EQ", epoch: "0", ver: "3.12"})
				if m.rng.Intn(3) == 0 {
					addReq(dep{name: "/usr/bin/python3"})
				}
				dist := strings.TrimPrefix(sub, "python3-")
				p.provides = append(p.provides, dep{name: "python3.12dist(" + dist + ")", flags: "EQ", epoch: "0", ver: sp.ver},
					dep{name: "python3dist(" + dist + ")", flags: "EQ", epoch: "0", ver: sp.ver})
				for i, n := 0, m.rng.Intn(6); i < n; i++ {
					if o := pythons[zipfPy.Uint64()]; o != sp {
						addReq(dep{name: "python3.12dist(" + strings.TrimPrefix(o.subs[0], "python3-") + ")", flags: "GE", epoch: "0", ver: "0." + fmt.Sprint(i)})
					}
				}
			}
			if m.rng.Intn(7) == 0 {
				addReq(dep{name: "/bin/sh", pre: true})
				p.requires = append(p.requires, dep{name: "/bin/sh"})
			}
			if m.rng.Intn(40) == 0 && len(tools) > 0 {
				addReq(dep{name: tools[m.rng.Intn(len(tools))]})
			}
			if m.rng.Intn(50) == 0 && len(devels) > 2 {
				a, b := devels[zipfDev.Uint64()], devels[m.rng.Intn(len(devels))]
				addReq(dep{name: fmt.Sprintf("(%s if %s)", libPkgName(a), libPkgName(b))})
			}
			if m.rng.Intn(60) == 0 {
				other := plans[m.rng.Intn(len(plans))]
				addReq(dep{name: fmt.Sprintf("(%s >= 0 with %s < 100:0)", other.subs[0], other.subs[0])})
			}
			if strings.Contains(sub, "-langpack-") {
				lang := sub[strings.LastIndexByte(sub, '-')+1:]
				p.supplements = append(p.supplements, dep{name: fmt.Sprintf("(%s and langpacks-%s)", sp.subs[0], lang)})
			}
			if m.rng.Intn(10) == 0 {
				o := plans[m.rng.Intn(len(plans))]
				p.recommends = append(p.recommends, dep{name: o.subs[0]})
			}
			if m.rng.Intn(100) == 0 {
				p.obsoletes = append(p.obsoletes, dep{name: sub + "-compat", flags: "LT", epoch: evr[0], ver: evr[1], rel: evr[2]})
				p.provides = append(p.provides, dep{name: sub + "-compat", flags: "EQ", epoch: evr[0], ver: evr[1], rel: evr[2]})
			}
			if m.rng.Intn(150) == 0 {
				p.conflicts = append(p.conflicts, dep{name: plans[m.rng.Intn(len(plans))].subs[0], flags: "LT", epoch: "0", ver: "0.1"})
			}
			m.binaries = append(m.binaries, p)
		}
	}
	// bash provides /bin/sh; python3 and perl give what their modules need.
	m.addSpecial("bash", []string{"/usr/bin/sh"}, []dep{{name: "/bin/sh"}})
	m.addSpecial("python3", []string{"/usr/bin/python3.12"}, []dep{{name: "python(abi)", flags: "EQ", epoch: "0", ver: "3.12"}})
	m.addSpecial("perl", nil, []dep{{name: "perl(:MODULE_COMPAT_5.38.0)"}})

	// Multilib: i686 builds of library packages (and their -devel).
	nMulti := o.Binary * 4 / 100
	for i := 0; len(multilibCandidates) > 0 && i < nMulti; i++ {
		src := multilibCandidates[i%len(multilibCandidates)]
		if i >= len(multilibCandidates) {
			break
		}
		seq++
		q := *src
		q.arch, q.seq = "i686", seq
		q.provides = nil
		for _, d := range src.provides {
			d.name = strings.Replace(d.name, "(x86-64)", "(x86-32)", 1)
			d.name = strings.TrimSuffix(strings.TrimSuffix(d.name, "(64bit)"), "()")
			q.provides = append(q.provides, d)
		}
		q.requires = []dep{{name: "libc.so.6"}, {name: "libc.so.6(GLIBC_2.34)"}}
		q.files = nil
		for _, f := range src.files {
			q.files = append(q.files, file{path: strings.Replace(f.path, "/usr/lib64/", "/usr/lib/", 1), typ: f.typ})
		}
		m.binaries = append(m.binaries, &q)
	}
	// Trim or pad to the exact count asked for.
	if len(m.binaries) > o.Binary {
		m.binaries = m.binaries[:o.Binary]
	}
	for i := 0; len(m.binaries) < o.Binary; i++ {
		src := m.binaries[i%len(m.binaries)]
		seq++
		q := *src
		q.name = fmt.Sprintf("%s-extra%d", src.name, i)
		q.seq = seq
		q.provides = []dep{{name: q.name, flags: "EQ", epoch: q.epoch, ver: q.ver, rel: q.rel}}
		q.files = []file{{path: "/usr/share/" + q.name + "/data"}}
		m.binaries = append(m.binaries, &q)
	}

	// Source packages: one per plan, with BuildRequires.
	for _, sp := range plans {
		seq++
		s := &pkg{name: sp.name, arch: "src", epoch: sp.epoch, ver: sp.ver, rel: sp.rel, seq: seq,
			summary: "Source of " + sp.name, description: m.sentence(20+m.rng.Intn(30)) + ".",
			size: int64(10000 + m.rng.Intn(20000000)), changelogs: 1 + m.rng.Intn(3)}
		s.requires = append(s.requires, dep{name: "gcc"}, dep{name: "make"})
		for i, n := 0, m.rng.Intn(8); i < n; i++ {
			d := devels[zipfDev.Uint64()]
			if d != sp {
				s.requires = append(s.requires, dep{name: "pkgconfig(" + d.pcName + ")"})
			}
		}
		if sp.kind == "python" {
			s.requires = append(s.requires, dep{name: "python3-devel"}, dep{name: "python3dist(setuptools)", flags: "GE", epoch: "0", ver: "40"})
		}
		if m.rng.Intn(30) == 0 {
			s.requires = append(s.requires, dep{name: "(cmake >= 3.20 or meson)"})
		}
		s.files = []file{{path: sp.name + ".spec"}, {path: sp.name + "-" + sp.ver + ".tar.gz"}}
		m.sources = append(m.sources, s)
	}
	if o.Source > 0 {
		if len(m.sources) > o.Source {
			m.sources = m.sources[:o.Source]
		}
	} else {
		m.sources = nil
	}
	sortPkgs(m.binaries)
	sortPkgs(m.sources)
	return m
}

// addSpecial gives a core package its extra files and provides.
func (m *model) addSpecial(name string, files []string, provides []dep) {
	for _, p := range m.binaries {
		if p.name == name {
			for _, f := range files {
				p.files = append(p.files, file{path: f})
			}
			p.provides = append(p.provides, provides...)
			return
		}
	}
}

func sortPkgs(ps []*pkg) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.name != b.name {
			return a.name < b.name
		}
		if a.ver != b.ver {
			return a.ver < b.ver
		}
		return a.arch < b.arch
	})
}
