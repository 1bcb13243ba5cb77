package repodiff

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// setDep returns l with entry i changed by change.
func setDep(l repomd.DepList, i int, change func(*repomd.Dep)) repomd.DepList {
	s := l.Slice()
	change(&s[i])
	return repomd.MakeDepList(s)
}

func TestComparePackages(t *testing.T) {
	base := func() *repomd.Package {
		return &repomd.Package{
			Name: "a", Arch: "noarch", EVR: repomd.EVR{Epoch: "0", Version: "1", Release: "1"},
			Requires:   repomd.MakeDepList([]repomd.Dep{{Name: "b"}, {Name: "c", Flags: repomd.DepGE, EVR: repomd.EVR{Epoch: "0", Version: "2"}}}),
			Files:      []repomd.File{{Path: "/usr/bin/a"}, {Path: "/etc/a", Type: repomd.FileDir}},
			Changelogs: []repomd.Changelog{{Author: "x", Date: 1, Text: "one"}, {Author: "x", Date: 2, Text: "two"}},
		}
	}
	for _, c := range []struct {
		name   string
		change func(p *repomd.Package)
		field  string
	}{
		{"same, deps and files reordered", func(p *repomd.Package) {
			r := p.Requires.Slice()
			r[0], r[1] = r[1], r[0]
			p.Requires = repomd.MakeDepList(r)
			p.Files[0], p.Files[1] = p.Files[1], p.Files[0]
		}, ""},
		{"summary", func(p *repomd.Package) { p.Summary = "s" }, "summary"},
		{"requires version", func(p *repomd.Package) { p.Requires = setDep(p.Requires, 1, func(d *repomd.Dep) { d.Version = "3" }) }, "requires"},
		{"pre flag", func(p *repomd.Package) { p.Requires = setDep(p.Requires, 0, func(d *repomd.Dep) { d.Pre = true }) }, "requires"},
		{"epoch 0 vs empty", func(p *repomd.Package) { p.Requires = setDep(p.Requires, 1, func(d *repomd.Dep) { d.Epoch = "" }) }, "requires"},
		{"file type", func(p *repomd.Package) { p.Files[1].Type = repomd.FileGhost }, "files"},
		{"changelog order", func(p *repomd.Package) { p.Changelogs[0], p.Changelogs[1] = p.Changelogs[1], p.Changelogs[0] }, "changelogs"},
		{"header range", func(p *repomd.Package) { p.HeaderEnd = 9 }, "header end"},
		{"supplements", func(p *repomd.Package) { p.Supplements = repomd.MakeDepList([]repomd.Dep{{Name: "z"}}) }, "supplements"},
	} {
		b := base()
		c.change(b)
		d := comparePackages(base(), b)
		switch {
		case c.field == "" && len(d) != 0:
			t.Errorf("%s: unexpected differences %v", c.name, d)
		case c.field != "" && (len(d) != 1 || d[0].Field != c.field):
			t.Errorf("%s: got %v, want one %s difference", c.name, d, c.field)
		}
	}
}

func TestCompareRepos(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	comps := filepath.Join(toolcheck.ProjectRoot(), "testdata", "createrepo", "comps.xml")
	mk := func(o createrepo.Options) string {
		o.OutputDir = t.TempDir()
		o.ChangelogLimit = 10
		if _, err := createrepo.Run(corpus, o); err != nil {
			t.Fatal(err)
		}
		return o.OutputDir
	}
	a := mk(createrepo.Options{GroupFile: comps})
	// Other compression, simple names, another checksum of the metadata
	// files: no difference in content.
	b := mk(createrepo.Options{GroupFile: comps, CompressType: "xz", SimpleMDFilenames: true})
	if d, err := Compare(a, b); err != nil || len(d) != 0 {
		t.Errorf("a vs b: %v %v", d, err)
	}
	c := mk(createrepo.Options{BaseURL: "http://x/", Content: []string{"c"}})
	d, err := Compare(a, c)
	if err != nil {
		t.Fatal(err)
	}
	text := ""
	for _, x := range d {
		text += x.String() + "\n"
	}
	for _, want := range []string{"content tags", "record group: A present, B absent", "alpha-2:2.0-1.noarch: location base: A \"\", B \"http://x/\""} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	// A changed group file is a content difference.
	other := filepath.Join(t.TempDir(), "comps.xml")
	data, _ := os.ReadFile(comps)
	os.WriteFile(other, []byte(strings.Replace(string(data), "Core", "Kernel", 1)), 0o644)
	e := mk(createrepo.Options{GroupFile: other})
	if d, err := Compare(a, e); err != nil || len(d) != 2 || !strings.Contains(d[0].String(), "content") {
		t.Errorf("changed comps: %v %v", d, err)
	}
}

// TestDifferenceLines pins how differences read: a shortened changelog is
// told by its length, tags as createrepo_c's options spell them.
func TestDifferenceLines(t *testing.T) {
	long := &repomd.Package{Name: "a", Arch: "noarch", Changelogs: []repomd.Changelog{
		{Author: "x", Date: 86400, Text: "one"}, {Author: "x", Date: 2 * 86400, Text: "two"}}}
	short := &repomd.Package{Name: "a", Arch: "noarch", Changelogs: long.Changelogs[1:]}
	reordered := &repomd.Package{Name: "a", Arch: "noarch", Changelogs: []repomd.Changelog{long.Changelogs[1], long.Changelogs[0]}}
	a := &repomd.Repo{DistroTags: []repomd.DistroTag{{CPEID: "cpe:/o:x:1", Name: "X 1"}}, ContentTags: []string{"binary"}}
	b := &repomd.Repo{DistroTags: []repomd.DistroTag{{Name: "X 1"}}}
	repoDiffs, err := Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range append(comparePackages(long, short), comparePackages(long, reordered)...) {
		d.Package = "a" // set by the caller
		got = append(got, d.String())
	}
	for _, d := range repoDiffs {
		got = append(got, d.String())
	}
	want := []string{
		`a: changelogs: A 2 entries, B 1 entry`,
		`a: changelogs: A entry 1 1970-01-02 x: "one", B entry 1 1970-01-03 x: "two"`,
		`repository: content tags: A "binary", B none`,
		`repository: distro tags: A "cpe:/o:x:1,X 1", B "X 1"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
