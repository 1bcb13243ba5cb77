package report

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
)

// compose builds a Compose from "variant/arch" → source NEVRA → binary
// NEVRAs, without repositories.
func fakeCompose(id string, content map[string]map[string][]string) *Compose {
	c := &Compose{ID: id, Rpms: map[string]map[string]map[string]map[string]productmd.RpmEntry{}}
	for va, srcs := range content {
		v, a, _ := strings.Cut(va, "/")
		if c.Rpms[v] == nil {
			c.Rpms[v] = map[string]map[string]map[string]productmd.RpmEntry{}
		}
		c.Rpms[v][a] = map[string]map[string]productmd.RpmEntry{}
		for src, bins := range srcs {
			m := map[string]productmd.RpmEntry{}
			for _, b := range bins {
				m[b] = productmd.RpmEntry{Path: v + "/" + b + ".rpm", Category: "binary"}
			}
			c.Rpms[v][a][src] = m
		}
	}
	return c
}

func TestCompareClassifies(t *testing.T) {
	old := fakeCompose("A-1.0-20240101.0", map[string]map[string][]string{
		"Server/x86_64": {
			"kept-0:1-1.src":    {"kept-0:1-1.x86_64"},
			"up-0:1.0-1.src":    {"up-0:1.0-1.x86_64", "up-libs-0:1.0-1.x86_64"},
			"epoch-0:9-1.src":   {"epoch-0:9-1.x86_64"},
			"down-0:2.0-1.src":  {"down-0:2.0-1.x86_64"},
			"gone-0:1-1.src":    {"gone-0:1-1.noarch"},
			"relbump-0:1-9.src": {"relbump-0:1-9.x86_64"},
		},
		"Client/x86_64": {"up-0:1.0-1.src": {"up-0:1.0-1.x86_64"}},
		"Old/x86_64":    {"gone-0:1-1.src": {"gone-0:1-1.noarch"}},
	})
	cur := fakeCompose("A-1.0-20240102.0", map[string]map[string][]string{
		"Server/x86_64": {
			"kept-0:1-1.src":     {"kept-0:1-1.x86_64"},
			"up-0:1.0-2.src":     {"up-0:1.0-2.x86_64", "up-libs-0:1.0-2.x86_64"},
			"epoch-1:1-1.src":    {"epoch-1:1-1.x86_64"},
			"down-0:1.9-1.src":   {"down-0:1.9-1.x86_64"},
			"new-0:1-1.src":      {"new-0:1-1.x86_64"},
			"relbump-0:1-10.src": {"relbump-0:1-10.x86_64"},
		},
		"Client/x86_64": {"up-0:1.0-2.src": {"up-0:1.0-2.x86_64"}},
	})
	d := Compare(old, cur)
	got := map[string][]string{}
	for _, a := range d.Arches {
		for kind, l := range map[string][]*Change{"added": a.Added, "removed": a.Removed, "upgraded": a.Upgraded, "downgraded": a.Downgraded} {
			for _, c := range l {
				got[a.Variant+"."+a.Arch+" "+kind] = append(got[a.Variant+"."+a.Arch+" "+kind], c.Name+" "+c.Old+" → "+c.New)
			}
		}
	}
	want := map[string][]string{
		"Client.x86_64 upgraded":   {"up up-0:1.0-1.src → up-0:1.0-2.src"},
		"Old.x86_64 removed":       {"gone gone-0:1-1.src → "},
		"Server.x86_64 added":      {"new  → new-0:1-1.src"},
		"Server.x86_64 removed":    {"gone gone-0:1-1.src → "},
		"Server.x86_64 downgraded": {"down down-0:2.0-1.src → down-0:1.9-1.src"},
		"Server.x86_64 upgraded": {"epoch epoch-0:9-1.src → epoch-1:1-1.src", "relbump relbump-0:1-9.src → relbump-0:1-10.src",
			"up up-0:1.0-1.src → up-0:1.0-2.src"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("changes:\n got %v\nwant %v", got, want)
	}
	// up changed in two variants, gone dropped from two: counted once.
	if s := d.Summary; s.Added != 1 || s.Removed != 1 || s.Upgraded != 3 || s.Downgraded != 1 {
		t.Errorf("summary %+v", s)
	}
	for _, a := range d.Arches {
		if a.Variant == "Server" && (a.OldPackages != 6 || a.NewPackages != 6 || a.OldRPMs != 7 || a.NewRPMs != 7) {
			t.Errorf("Server counts %+v", a)
		}
	}
	var text bytes.Buffer
	d.WriteText(&text)
	if !strings.Contains(text.String(), "Package:     up-1.0-2\nOld package: up-1.0-1\nRPMs:        up.x86_64 up-libs.x86_64\n") {
		t.Errorf("text:\n%s", text.String())
	}
	// The first compose of a release: counts, no changes.
	base := Compare(nil, cur)
	if base.Old.ID != "" || base.Summary != (Summary{}) {
		t.Errorf("baseline has changes: %+v", base.Summary)
	}
	for _, a := range base.Arches {
		if len(a.Added)+len(a.Removed) > 0 || a.OldPackages != 0 {
			t.Errorf("baseline %s.%s: %+v", a.Variant, a.Arch, a)
		}
	}
}

func TestEntriesBetween(t *testing.T) {
	day := func(d int) int64 { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC).Unix() }
	e := func(d int, text string) repomd.Changelog {
		return repomd.Changelog{Author: "A <a@x> - " + text, Date: day(d), Text: "- " + text}
	}
	// other.xml order: oldest first, as createrepo_c writes it.
	hi := []repomd.Changelog{e(1, "1.0-1"), e(5, "1.1-1"), e(9, "1.2-1")}
	for _, tc := range []struct {
		name string
		lo   *repomd.Package
		want []string
	}{
		{"upgrade", &repomd.Package{Changelogs: []repomd.Changelog{e(1, "1.0-1")}}, []string{"1.2-1", "1.1-1"}},
		{"same day other text", &repomd.Package{Changelogs: []repomd.Changelog{e(1, "1.0-1"), e(5, "1.0-2")}}, []string{"1.2-1", "1.1-1"}},
		// lo kept a window that no longer holds 1.0-1: not reported as new.
		{"window", &repomd.Package{Changelogs: []repomd.Changelog{e(5, "1.1-1")}}, []string{"1.2-1"}},
		{"lo repo without changelogs", &repomd.Package{TimeBuild: day(6)}, []string{"1.2-1"}},
		{"lo unknown", nil, []string{"1.2-1", "1.1-1", "1.0-1"}},
		{"nothing new", &repomd.Package{Changelogs: hi}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range entriesBetween(hi, tc.lo) {
				got = append(got, strings.TrimPrefix(c.Text, "- "))
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCompareImages(t *testing.T) {
	im := func(v, typ, path string, size int64, sum string) Image {
		return Image{Variant: v, Arch: "x86_64", Type: typ, Format: "iso", Path: path, Size: size, Checksum: sum}
	}
	old := []Image{im("Server", "dvd", "Server/x86_64/iso/A-0.iso", 100, "aa"), im("Server", "boot", "Server/x86_64/iso/boot-0.iso", 10, "bb"),
		im("Client", "dvd", "Client/x86_64/iso/C-0.iso", 5, "cc")}
	cur := []Image{im("Server", "dvd", "Server/x86_64/iso/A-1.iso", 100, "aa"), im("Server", "boot", "Server/x86_64/iso/boot-1.iso", 12, "bd"),
		im("Server", "live", "Server/x86_64/iso/live-1.iso", 7, "ee")}
	d := compareImages(old, cur)
	if len(d.Added) != 1 || d.Added[0].Type != "live" || len(d.Removed) != 1 || d.Removed[0].Variant != "Client" ||
		len(d.Changed) != 1 || d.Changed[0].New.Type != "boot" || d.Changed[0].Old.Size != 10 {
		t.Errorf("image diff %+v", d)
	}
}

func TestComposeReportPage(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "deliverables.json"), []byte(`{"failed": {"image-build": [["Server", "x86_64", "KDE"]], "live": [["Client", "aarch64", null]]}, "required": {}, "attempted": {}}`), 0o644)
	failed, err := readFailed(filepath.Join(dir, "deliverables.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Deliverable{{"image-build", "Server", "x86_64", "KDE"}, {"live", "Client", "aarch64", ""}}
	if !reflect.DeepEqual(failed, want) {
		t.Errorf("failed %+v", failed)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	d := Compare(nil, fakeCompose("A-1", map[string]map[string][]string{"Server/x86_64": {"x-0:1-1.src": {"x-0:1-1.x86_64"}}}))
	d.Arches[0].Variant = "Server<script>"
	var b bytes.Buffer
	err = WriteHTML(&b, Page{Title: "Compose report: A-1", Diff: d, Run: &Run{Status: "FINISHED_INCOMPLETE", Failed: failed,
		Phases: []PhaseSpan{{"init", t0, t0.Add(time.Second)}, {"gather", t0.Add(time.Second), t0.Add(3 * time.Second)},
			{"ostree", t0.Add(time.Second), t0.Add(4 * time.Second)}}}})
	if err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, want := range []string{
		`<tr class="failed"><td class="l">image-build</td><td class="l">Server</td><td class="l">x86_64</td><td class="l">KDE</td></tr>`,
		`id="status">FINISHED_INCOMPLETE<`,
		// 4 s over 460 px: gather starts at 115 px, 230 px wide; ostree runs beside it.
		`<rect class="phase" x="285" y="26" width="230" height="14" fill="#6a5acd"><title>gather 2.0s</title>`,
		`<rect class="phase" x="285" y="46" width="345" height="14" fill="#6a5acd"><title>ostree 3.0s</title>`,
		"Server&lt;script&gt;.x86_64",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Error("variant name not escaped")
	}
}

// A compose compared with an identical one says so under "Package
// changes" instead of leaving the section empty; a changed one lists the
// change there.
func TestReportPagePackageChanges(t *testing.T) {
	same := map[string]map[string][]string{"Server/x86_64": {"x-0:1-1.src": {"x-0:1-1.x86_64"}}}
	newer := map[string]map[string][]string{"Server/x86_64": {"x-0:2-1.src": {"x-0:2-1.x86_64"}}}
	for _, tc := range []struct {
		name     string
		old, new map[string]map[string][]string
		want     string
	}{
		{"unchanged", same, same, "<h2>Package changes</h2>\n<p>None.</p>\n"},
		{"upgraded", same, newer, `<b>upgraded</b>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := Compare(fakeCompose("A-1", tc.old), fakeCompose("A-2", tc.new))
			var b bytes.Buffer
			if err := WriteHTML(&b, Page{Title: "t", Diff: d}); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			changes := page[strings.Index(page, "<h2>Package changes</h2>"):]
			if !strings.Contains(page, tc.want) || strings.Contains(changes, "<p>None.</p>") == (tc.name != "unchanged") {
				t.Errorf("package changes section:\n%s", changes)
			}
		})
	}
}
