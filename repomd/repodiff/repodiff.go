// Package repodiff compares two rpm-md repositories package by package and
// field by field (primary, filelists and other data), ignoring what does
// not change the content: package order, repomd.xml timestamps and
// revision, metadata file names and their compression.
package repodiff

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/zck"
)

// Difference is one reported difference; String renders it as one line.
type Difference struct {
	Package string // NEVRA (and location when ambiguous); "" for repository-level differences
	Field   string
	A, B    string // values; "" when absent on that side
}

func (d Difference) String() string {
	subject := "repository"
	if d.Package != "" {
		subject = d.Package
	}
	switch {
	case d.Field == "package" && d.B == "":
		return fmt.Sprintf("%s: only in A", subject)
	case d.Field == "package" && d.A == "":
		return fmt.Sprintf("%s: only in B", subject)
	}
	return fmt.Sprintf("%s: %s: A %s, B %s", subject, d.Field, d.A, d.B)
}

// Compare opens both repositories (directories or URLs), loads their
// filelists and other data, and returns the differences.
func Compare(a, b string) ([]Difference, error) {
	ra, err := load(a)
	if err != nil {
		return nil, err
	}
	rb, err := load(b)
	if err != nil {
		return nil, err
	}
	return Diff(ra, rb)
}

func load(loc string) (*repomd.Repo, error) {
	r, err := repomd.Open(loc)
	if err != nil {
		return nil, err
	}
	if err := r.LoadFilelists(); err != nil {
		return nil, err
	}
	if err := r.LoadOther(); err != nil {
		return nil, err
	}
	return r, nil
}

// metadataTypes are compared package by package, not as files; the
// databases are derived from them and only their presence is compared.
var metadataTypes = map[string]bool{
	"primary": true, "filelists": true, "other": true,
	"primary_db": true, "filelists_db": true, "other_db": true,
	"primary_zck": true, "filelists_zck": true, "other_zck": true,
}

// Diff compares two loaded repositories. Records other than the package
// metadata (group, modules, updateinfo, productid, …) are compared by their
// uncompressed content, so the compression used does not matter; a group
// file and its compressed twin count as one.
func Diff(a, b *repomd.Repo) ([]Difference, error) {
	var out []Difference
	add := func(pkg, field, va, vb string) { out = append(out, Difference{pkg, field, va, vb}) }

	// Repository level.
	for _, tags := range []struct {
		field string
		a, b  []string
	}{
		{"content tags", a.ContentTags, b.ContentTags},
		{"repo tags", a.RepoTags, b.RepoTags},
		{"distro tags", distros(a), distros(b)},
	} {
		if x, y := sorted(tags.a), sorted(tags.b); strings.Join(x, "\n") != strings.Join(y, "\n") {
			add("", tags.field, tagList(x), tagList(y))
		}
	}
	ta, tb := recordKinds(a), recordKinds(b)
	for _, k := range union(keys(ta), keys(tb)) {
		ra, inA := ta[k]
		rb, inB := tb[k]
		switch {
		case !inA:
			add("", "record "+k, "absent", "present")
		case !inB:
			add("", "record "+k, "present", "absent")
		case !metadataTypes[k]:
			ca, err := recordContent(a, ra)
			if err != nil {
				return nil, err
			}
			cb, err := recordContent(b, rb)
			if err != nil {
				return nil, err
			}
			if !bytes.Equal(ca, cb) {
				add("", "record "+k+" content", fmt.Sprintf("%d bytes", len(ca)), fmt.Sprintf("%d bytes", len(cb)))
			}
		}
	}

	// Packages, paired by NEVRA, then by location within a NEVRA.
	ga, gb := group(a.Packages), group(b.Packages)
	for _, nevra := range union(keys(ga), keys(gb)) {
		pa, pb := ga[nevra], gb[nevra]
		pairs, onlyA, onlyB := pair(pa, pb)
		ambiguous := len(pa) > 1 || len(pb) > 1
		label := func(p *repomd.Package) string {
			if ambiguous {
				return nevra + " (" + p.Location + ")"
			}
			return nevra
		}
		for _, p := range onlyA {
			add(label(p), "package", "present", "")
		}
		for _, p := range onlyB {
			add(label(p), "package", "", "present")
		}
		for _, pr := range pairs {
			for _, d := range comparePackages(pr[0], pr[1]) {
				d.Package = label(pr[0])
				out = append(out, d)
			}
		}
	}
	return out, nil
}

func q(s string) string { return fmt.Sprintf("%q", s) }

// distros spells each distro tag as createrepo_c's --distro takes it.
func distros(r *repomd.Repo) []string {
	var s []string
	for _, d := range r.DistroTags {
		if d.CPEID != "" {
			s = append(s, d.CPEID+","+d.Name)
		} else {
			s = append(s, d.Name)
		}
	}
	return s
}

func tagList(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return quoteAll(s)
}

// recordKinds maps record types to records, folding "group_gz"/"group_xz"
// style compressed twins into "<type> (compressed)" so that a different
// compression is not a difference.
func recordKinds(r *repomd.Repo) map[string]repomd.Record {
	m := map[string]repomd.Record{}
	for _, rec := range r.Records {
		k := rec.Type
		for _, suf := range []string{"_gz", "_xz", "_bz2", "_zst", "_zstd"} {
			if strings.HasSuffix(k, suf) && !metadataTypes[k] {
				k = strings.TrimSuffix(k, suf) + " (compressed)"
			}
		}
		m[k] = rec
	}
	return m
}

func recordContent(r *repomd.Repo, rec repomd.Record) ([]byte, error) {
	rc, err := r.OpenRecord(rec.Type)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err == nil && strings.HasSuffix(rec.Href, ".zck") {
		// zchunk compresses chunk by chunk: compare what it holds.
		b, err = zck.Decode(b)
	}
	return b, err
}

func group(pkgs []*repomd.Package) map[string][]*repomd.Package {
	m := map[string][]*repomd.Package{}
	for _, p := range pkgs {
		k := p.NEVRA()
		m[k] = append(m[k], p)
	}
	return m
}

// pair matches packages of one NEVRA: equal locations first, then what is
// left in location order.
func pair(a, b []*repomd.Package) (pairs [][2]*repomd.Package, onlyA, onlyB []*repomd.Package) {
	byLoc := map[string]*repomd.Package{}
	for _, p := range b {
		byLoc[p.Location] = p
	}
	used := map[*repomd.Package]bool{}
	var restA []*repomd.Package
	for _, p := range a {
		if o := byLoc[p.Location]; o != nil && !used[o] {
			used[o] = true
			pairs = append(pairs, [2]*repomd.Package{p, o})
		} else {
			restA = append(restA, p)
		}
	}
	var restB []*repomd.Package
	for _, p := range b {
		if !used[p] {
			restB = append(restB, p)
		}
	}
	byLocation := func(s []*repomd.Package) {
		sort.Slice(s, func(i, j int) bool { return s[i].Location < s[j].Location })
	}
	byLocation(restA)
	byLocation(restB)
	n := min(len(restA), len(restB))
	for i := 0; i < n; i++ {
		pairs = append(pairs, [2]*repomd.Package{restA[i], restB[i]})
	}
	return pairs, restA[n:], restB[n:]
}

// comparePackages lists field differences of two packages with the same
// NEVRA.
func comparePackages(a, b *repomd.Package) []Difference {
	var out []Difference
	str := func(field, x, y string) {
		if x != y {
			out = append(out, Difference{Field: field, A: q(x), B: q(y)})
		}
	}
	num := func(field string, x, y int64) {
		if x != y {
			out = append(out, Difference{Field: field, A: fmt.Sprint(x), B: fmt.Sprint(y)})
		}
	}
	str("checksum", a.Checksum.Type+":"+a.Checksum.Value, b.Checksum.Type+":"+b.Checksum.Value)
	str("summary", a.Summary, b.Summary)
	str("description", a.Description, b.Description)
	str("packager", a.Packager, b.Packager)
	str("url", a.URL, b.URL)
	num("time file", a.TimeFile, b.TimeFile)
	num("time build", a.TimeBuild, b.TimeBuild)
	num("size package", a.SizePackage, b.SizePackage)
	num("size installed", a.SizeInstalled, b.SizeInstalled)
	num("size archive", a.SizeArchive, b.SizeArchive)
	str("location", a.Location, b.Location)
	str("location base", a.LocationBase, b.LocationBase)
	str("license", a.License, b.License)
	str("vendor", a.Vendor, b.Vendor)
	str("group", a.Group, b.Group)
	str("buildhost", a.BuildHost, b.BuildHost)
	str("sourcerpm", a.SourceRPM, b.SourceRPM)
	num("header start", a.HeaderStart, b.HeaderStart)
	num("header end", a.HeaderEnd, b.HeaderEnd)
	deps := []struct {
		name string
		a, b repomd.DepList
	}{
		{"provides", a.Provides, b.Provides}, {"requires", a.Requires, b.Requires},
		{"conflicts", a.Conflicts, b.Conflicts}, {"obsoletes", a.Obsoletes, b.Obsoletes},
		{"recommends", a.Recommends, b.Recommends}, {"suggests", a.Suggests, b.Suggests},
		{"supplements", a.Supplements, b.Supplements}, {"enhances", a.Enhances, b.Enhances},
	}
	for _, d := range deps {
		if x := setDiff(depStrings(d.a), depStrings(d.b)); x != nil {
			x.Field = d.name
			out = append(out, *x)
		}
	}
	if x := setDiff(fileStrings(a.Files), fileStrings(b.Files)); x != nil {
		x.Field = "files"
		out = append(out, *x)
	}
	if x := listDiff(changelogStrings(a.Changelogs), changelogStrings(b.Changelogs)); x != nil {
		x.Field = "changelogs"
		out = append(out, *x)
	}
	return out
}

func depStrings(l repomd.DepList) []string {
	ds := l.Slice()
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = depText(d)
	}
	return s
}

// depText spells out every part of an entry, the empty and "0" epochs
// included, so that no difference hides behind rpm's short form.
func depText(d repomd.Dep) string {
	s := d.Name
	if d.Flags != repomd.DepAny {
		s += " " + d.Flags.String() + " " + d.Epoch + ":" + d.Version
		if d.Release != "" {
			s += "-" + d.Release
		}
	}
	if d.Pre {
		s += " [pre]"
	}
	return s
}

func fileStrings(fs []repomd.File) []string {
	s := make([]string, len(fs))
	for i, f := range fs {
		switch f.Type {
		case repomd.FileDir:
			s[i] = f.Path + " [dir]"
		case repomd.FileGhost:
			s[i] = f.Path + " [ghost]"
		default:
			s[i] = f.Path
		}
	}
	return s
}

func changelogStrings(cs []repomd.Changelog) []string {
	s := make([]string, len(cs))
	for i, c := range cs {
		s[i] = fmt.Sprintf("%s %s: %q", time.Unix(c.Date, 0).UTC().Format("2006-01-02"), c.Author, c.Text)
	}
	return s
}

// setDiff compares two lists as multisets and describes what only one side
// has.
func setDiff(a, b []string) *Difference {
	count := map[string]int{}
	for _, s := range a {
		count[s]++
	}
	for _, s := range b {
		count[s]--
	}
	var onlyA, onlyB []string
	for s, n := range count {
		for ; n > 0; n-- {
			onlyA = append(onlyA, s)
		}
		for ; n < 0; n++ {
			onlyB = append(onlyB, s)
		}
	}
	if len(onlyA) == 0 && len(onlyB) == 0 {
		return nil
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return &Difference{A: "has " + quoteAll(onlyA), B: "has " + quoteAll(onlyB)}
}

// listDiff compares ordered lists: different lengths are told as such
// (a list cut shorter differs in its first entries too, which says less),
// else the first differing entry is shown.
func listDiff(a, b []string) *Difference {
	if len(a) != len(b) {
		return &Difference{A: entries(len(a)), B: entries(len(b))}
	}
	n := len(a)
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return &Difference{A: fmt.Sprintf("entry %d %s", i+1, a[i]), B: fmt.Sprintf("entry %d %s", i+1, b[i])}
		}
	}
	return nil
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}

func quoteAll(s []string) string {
	if len(s) == 0 {
		return "nothing more"
	}
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func sorted(s []string) []string {
	c := append([]string(nil), s...)
	sort.Strings(c)
	return c
}

func keys[V any](m map[string]V) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	return k
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range append(a, b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
