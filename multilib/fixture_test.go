package multilib

import (
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// loadFixture reads name, arch, EVR, provides and the complete file list of
// every package in a conformance fixture repository. It is a test-only
// reader of the two metadata files, kept independent of repomd's.
func loadFixture(t *testing.T, dir string) []*repomd.Package {
	t.Helper()
	open := func(name string) *xml.Decoder {
		f, err := os.Open(filepath.Join(dir, "repodata", name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return xml.NewDecoder(z)
	}
	type entry struct {
		Name string `xml:"name,attr"`
	}
	type ver struct {
		Epoch string `xml:"epoch,attr"`
		Ver   string `xml:"ver,attr"`
		Rel   string `xml:"rel,attr"`
	}
	var primary struct {
		Packages []struct {
			Name     string  `xml:"name"`
			Arch     string  `xml:"arch"`
			Version  ver     `xml:"version"`
			Checksum string  `xml:"checksum"`
			Provides []entry `xml:"format>provides>entry"`
		} `xml:"package"`
	}
	if err := open("primary.xml.gz").Decode(&primary); err != nil {
		t.Fatal(err)
	}
	var filelists struct {
		Packages []struct {
			PkgID string `xml:"pkgid,attr"`
			Files []struct {
				Type string `xml:"type,attr"`
				Path string `xml:",chardata"`
			} `xml:"file"`
		} `xml:"package"`
	}
	if err := open("filelists.xml.gz").Decode(&filelists); err != nil {
		t.Fatal(err)
	}
	files := map[string][]repomd.File{}
	for _, p := range filelists.Packages {
		for _, f := range p.Files {
			typ := repomd.FileRegular
			switch f.Type {
			case "dir":
				typ = repomd.FileDir
			case "ghost":
				typ = repomd.FileGhost
			}
			files[p.PkgID] = append(files[p.PkgID], repomd.File{Path: f.Path, Type: typ})
		}
	}
	var out []*repomd.Package
	for _, x := range primary.Packages {
		p := &repomd.Package{Name: x.Name, Arch: x.Arch,
			EVR:   repomd.EVR{Epoch: x.Version.Epoch, Version: x.Version.Ver, Release: x.Version.Rel},
			Files: files[x.Checksum], FilesComplete: true}
		for _, e := range x.Provides {
			p.Provides = p.Provides.Append(repomd.Dep{Name: e.Name})
		}
		out = append(out, p)
	}
	return out
}

func nevra(p *repomd.Package) string {
	e := ""
	if p.Epoch != "" && p.Epoch != "0" {
		e = p.Epoch + ":"
	}
	return p.Name + "-" + e + p.Version + "-" + p.Release + "." + p.Arch
}

// TestFixtureVerdicts checks python-multilib verdicts on packages of Pungi's
// fixture repository.
func TestFixtureVerdicts(t *testing.T) {
	dir := toolcheck.Shared(t, "conformance/gather/fixtures/repo")
	byNEVRA := map[string]*repomd.Package{}
	for _, p := range loadFixture(t, dir) {
		byNEVRA[nevra(p)] = p
	}
	tests := []struct {
		methods []string
		nevra   string
		want    bool
		rule    string
	}{
		{[]string{"runtime"}, "dummy-glibc-2.14-5.i686", true, "runtime: /lib/libc.so.6: shared library in a standard libdir"},
		{[]string{"runtime"}, "dummy-glibc-2.14-5.ppc", true, "runtime: /lib/libc.so.6: shared library in a standard libdir"},
		{[]string{"runtime"}, "dummy-glibc-common-2.14-5.i686", false, "runtime: no runtime library or plugin in files"},
		{[]string{"runtime"}, "dummy-lvm2-devel-2.02.84-4.i686", false, "runtime: no runtime library or plugin in files"},
		{[]string{"devel"}, "dummy-lvm2-devel-2.02.84-4.i686", true, "devel: name ends in -devel"},
		{[]string{"devel"}, "dummy-atlas-devel-3.8.4-7.i686", true, "devel: name ends in -devel"},
		{[]string{"devel"}, "dummy-atlas-3.8.4-7.i686", false, "devel: not a -devel/-static package; no runtime library or plugin in files"},
		{[]string{"devel"}, "dummy-release-server-1.0.0-1.i686", false, "devel: not a -devel/-static package; no runtime library or plugin in files"},
	}
	for _, tt := range tests {
		p := byNEVRA[tt.nevra]
		if p == nil {
			t.Fatalf("%s not in the fixture", tt.nevra)
		}
		c, err := New(tt.methods, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, rule := c.IsMultilib(p); got != tt.want || rule != tt.rule {
			t.Errorf("%v %s = %v %q, want %v %q", tt.methods, tt.nevra, got, rule, tt.want, tt.rule)
		}
	}
}

// TestConformanceVerdicts derives python-multilib's verdicts from Pungi's
// recorded gathers: in a case with multilib options, the compat-arch build
// of a native package in the result (same name and EVR) is in the result
// flagged "multilib" exactly when python-multilib selected it.
func TestConformanceVerdicts(t *testing.T) {
	root := toolcheck.Shared(t, "conformance/gather")
	data, err := os.ReadFile(filepath.Join(root, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string   `json:"name"`
		Repos   []string `json:"repos"`
		Arch    string   `json:"arch"`
		Options struct {
			Methods   []string `json:"multilib_methods"`
			Blacklist []string `json:"multilib_blacklist"`
			Whitelist []string `json:"multilib_whitelist"`
		} `json:"options"`
		Expected struct {
			RPM []struct {
				NEVRA string   `json:"nevra"`
				Flags []string `json:"flags"`
			} `json:"rpm"`
		} `json:"expected"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	repos := map[string][]*repomd.Package{}
	checked := 0
	for _, cs := range cases {
		o := cs.Options
		if len(o.Methods) == 0 && len(o.Whitelist) == 0 {
			continue
		}
		c, err := New(o.Methods, o.Blacklist, o.Whitelist)
		if err != nil {
			t.Fatal(err)
		}
		inResult := map[string][]string{}
		for _, e := range cs.Expected.RPM {
			inResult[e.NEVRA] = e.Flags
		}
		_, multi := Arches(cs.Arch)
		for _, repo := range cs.Repos {
			if repos[repo] == nil {
				repos[repo] = loadFixture(t, filepath.Join(root, "fixtures", repo))
			}
			byNameEVR := map[string][]*repomd.Package{}
			for _, p := range repos[repo] {
				byNameEVR[p.Name+"-"+p.Version+"-"+p.Release] = append(byNameEVR[p.Name+"-"+p.Version+"-"+p.Release], p)
			}
			for _, p := range repos[repo] {
				if _, ok := inResult[nevra(p)]; !ok || slices.Contains(multi, p.Arch) || p.Arch == "noarch" {
					continue
				}
				for _, m := range byNameEVR[p.Name+"-"+p.Version+"-"+p.Release] {
					if !slices.Contains(multi, m.Arch) || c.Blacklisted(m) {
						continue
					}
					flags, in := inResult[nevra(m)]
					if in && !slices.Contains(flags, "multilib") {
						continue // in the result for another reason
					}
					checked++
					if got, rule := c.IsMultilib(m); got != in {
						t.Errorf("%s: %s: IsMultilib = %v (%s), Pungi: %v", cs.Name, nevra(m), got, rule, in)
					}
				}
			}
		}
	}
	if checked < 5 {
		t.Errorf("only %d verdicts checked", checked)
	}
	t.Logf("%d multilib verdicts agree with the recorded gathers", checked)
}
