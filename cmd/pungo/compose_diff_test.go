package main

import (
	"encoding/json"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/report"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// Specs of the second demo compose's package set: demo-coreutils upgraded
// with two changelog entries on top of the one it had, and demo-hello new.
const coreutils91Spec = `Name:           demo-coreutils
Version:        9.1
Release:        1
Summary:        Demo core utilities
License:        MIT
URL:            https://example.org/demo
Requires:       libdemoc.so.1()(64bit)
Requires:       /usr/bin/dsh

%description
Demo core utilities, now with a bigger ls.

%install
mkdir -p %{buildroot}/usr/bin
head -c 20000 /dev/zero > %{buildroot}/usr/bin/dls
echo 'cp' > %{buildroot}/usr/bin/dcp

%files
/usr/bin/dls
/usr/bin/dcp

%changelog
* Wed Mar 06 2024 Demo Builder <demo@example.org> - 9.1-1
- Rebase to 9.1 (dls learned --colour).

* Fri Feb 02 2024 Demo Builder <demo@example.org> - 9.0-3
- Fix dcp <overwrite> & "quoting".

* Mon Jan 01 2024 Demo Builder <demo@example.org> - 9.0-2
- Demo package for the pungo compose demo.
`

const helloSpec = `Name:           demo-hello
Version:        1.0
Release:        1
Summary:        Demo greeter
License:        MIT
BuildArch:      noarch

%description
Says hello.

%install
mkdir -p %{buildroot}/usr/bin
echo 'hello' > %{buildroot}/usr/bin/dhello

%files
/usr/bin/dhello

%changelog
* Mon Jan 01 2024 Demo Builder <demo@example.org> - 1.0-1
- First release.
`

// twoDemoComposes composes the demo twice into one target directory: the
// second compose's package set has demo-coreutils upgraded, demo-hello
// added and demo-games (shipped in Server by additional_packages) removed.
// The second runs with --old-composes, so it writes its report against the
// first. It returns both compose directories.
func twoDemoComposes(t *testing.T) (string, string) {
	t.Helper()
	toolcheck.Need(t, "rpmbuild")
	work := t.TempDir()
	rpms := filepath.Join(work, "rpms")
	if err := os.MkdirAll(rpms, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(filepath.Join(demoDir, "rpms"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".rpm") {
			copyTestFile(t, filepath.Join(demoDir, "rpms", e.Name()), filepath.Join(rpms, e.Name()))
		}
	}
	createrepo := func() {
		if code, _, errOut := runCLI(t, runCreaterepo, "--no-database", "--changelog-limit", "10", rpms); code != 0 {
			t.Fatalf("createrepo %s: %s", rpms, errOut)
		}
	}
	createrepo()
	cfg := demoConfig(t, `additional_packages = [
    ("^Server-optional$", {"*": ["demo-editor-extras"]}),
    ("^Server$", {"*": ["demo-games", "demo-hello"]}),
]`, func(s string) string {
		return strings.ReplaceAll(s, `"`+filepath.Join(demoDir, "rpms")+`"`, `"`+rpms+`"`)
	})
	target := filepath.Join(work, "composes")
	os.MkdirAll(target, 0o755)
	compose := func(label string) string {
		before, _ := os.ReadDir(target)
		code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link", "--old-composes", target)
		if code != 0 {
			t.Fatalf("%s compose: exit %d\n%s", label, code, out)
		}
		after, _ := os.ReadDir(target)
		for _, e := range after {
			found := false
			for _, b := range before {
				found = found || b.Name() == e.Name()
			}
			if !found {
				return filepath.Join(target, e.Name())
			}
		}
		t.Fatalf("%s compose: no new directory in %s", label, target)
		return ""
	}
	first := compose("first")

	args := []string{"-ba", "--target", "x86_64", "--define", "_buildhost build.demo.example.org", "--define", "debug_package %{nil}"}
	env := []string{"SOURCE_DATE_EPOCH=1709683200"}
	built := rpmtest.Build(t, "pungo-demo-upgrades",
		rpmtest.Spec{Name: "demo-coreutils.spec", Text: coreutils91Spec, Args: args, Env: env},
		rpmtest.Spec{Name: "demo-hello.spec", Text: helloSpec, Args: args, Env: env})
	for _, old := range []string{"demo-coreutils-9.0-2.src.rpm", "demo-coreutils-9.0-2.x86_64.rpm", "demo-games-0.9-1.src.rpm", "demo-games-0.9-1.x86_64.rpm"} {
		if err := os.Remove(filepath.Join(rpms, old)); err != nil {
			t.Fatal(err)
		}
	}
	if len(built) != 4 {
		t.Fatalf("built %v, want demo-coreutils 9.1 and demo-hello 1.0 with their sources", built)
	}
	for _, f := range built {
		copyTestFile(t, f, filepath.Join(rpms, filepath.Base(f)))
	}
	createrepo()
	second := compose("second")
	return first, second
}

func copyTestFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestComposeDiffDemo(t *testing.T) {
	first, second := twoDemoComposes(t)

	code, out, errOut := runCLI(t, runComposeDiff, "--json", first, filepath.Join(second, "compose", "metadata"))
	if code != 0 {
		t.Fatalf("compose-diff --json: exit %d: %s", code, errOut)
	}
	var d report.Diff
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("compose-diff --json: %v\n%s", err, out)
	}
	type change struct{ kind, name, old, new string }
	var got []change
	for _, a := range d.Arches {
		for _, l := range []struct {
			kind string
			list []*report.Change
		}{{"added", a.Added}, {"removed", a.Removed}, {"upgraded", a.Upgraded}, {"downgraded", a.Downgraded}} {
			for _, c := range l.list {
				got = append(got, change{a.Variant + "." + a.Arch + " " + l.kind, c.Name, c.Old, c.New})
			}
		}
	}
	want := []change{
		{"Server.x86_64 added", "demo-hello", "", "demo-hello-0:1.0-1.src"},
		{"Server.x86_64 removed", "demo-games", "demo-games-0:0.9-1.src", ""},
		{"Server.x86_64 upgraded", "demo-coreutils", "demo-coreutils-0:9.0-2.src", "demo-coreutils-0:9.1-1.src"},
		{"Workstation.x86_64 upgraded", "demo-coreutils", "demo-coreutils-0:9.0-2.src", "demo-coreutils-0:9.1-1.src"},
	}
	if len(got) != len(want) {
		t.Fatalf("changes:\n got %q\nwant %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: got %q, want %q", i, got[i], want[i])
		}
	}
	if s := d.Summary; s.Added != 1 || s.Removed != 1 || s.Upgraded != 1 || s.Downgraded != 0 {
		t.Errorf("summary counts each source once: %+v", s)
	}
	for _, a := range d.Arches {
		for _, c := range a.Upgraded {
			if len(c.Changelog) != 2 || !strings.Contains(c.Changelog[0].Text, "Rebase to 9.1") ||
				!strings.Contains(c.Changelog[1].Text, "quoting") || !strings.HasSuffix(c.Changelog[0].Author, "- 9.1-1") {
				t.Errorf("%s.%s %s changelog: want the two entries after 9.0-2, newest first, got %+v", a.Variant, a.Arch, c.Name, c.Changelog)
			}
			if c.NewSize <= c.OldSize {
				t.Errorf("%s grew by 20 kB of payload, size %d → %d", c.Name, c.OldSize, c.NewSize)
			}
		}
		if a.Variant == "Server" && a.NewPackages != a.OldPackages {
			t.Errorf("Server: one source added and one removed, count %d → %d", a.OldPackages, a.NewPackages)
		}
	}

	code, text, errOut := runCLI(t, runComposeDiff, first, second)
	if code != 0 {
		t.Fatalf("compose-diff: exit %d: %s", code, errOut)
	}
	if os.Getenv("PUNGO_SHOW") != "" {
		t.Log(text)
	}
	for _, want := range []string{
		"Added packages:                      1", "Dropped packages:                    1", "Upgraded packages:                   1",
		"= UPGRADED PACKAGES =\nPackage:     demo-coreutils-9.1-1\nOld package: demo-coreutils-9.0-2\n",
		"  * Wed Mar 06 2024 Demo Builder <demo@example.org> - 9.1-1\n  - Rebase to 9.1 (dls learned --colour).\n",
		"= ADDED PACKAGES =\nPackage:     demo-hello-1.0-1\nSummary:     Demo greeter\nRPMs:        demo-hello.noarch demo-hello.src\n",
		"= DROPPED PACKAGES =\nPackage:     demo-games-0.9-1\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text output lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Demo package for the pungo compose demo") {
		t.Errorf("text output repeats the changelog entry both versions have:\n%s", text)
	}

	// Errors name the path and are one line.
	code, _, errOut = runCLI(t, runComposeDiff, first, filepath.Join(first, "nope"))
	if code != 2 || !strings.Contains(errOut, "nope: no such compose directory") || strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("missing compose: exit %d, %q", code, errOut)
	}

	t.Run("html", func(t *testing.T) {
		toolcheck.Need(t, "chromium")
		page := filepath.Join(t.TempDir(), "diff.html")
		if code, _, errOut := runCLI(t, runComposeDiff, "--html", page, first, second); code != 0 {
			t.Fatalf("compose-diff --html: exit %d: %s", code, errOut)
		}
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		selfContained(t, string(raw))
		dom, text := renderDOM(t, page)
		for _, want := range []string{
			"Changes from " + filepath.Base(first) + " to " + filepath.Base(second),
			"upgraded demo-coreutils-9.0-2 → demo-coreutils-9.1-1",
			"* Wed Mar 06 2024 Demo Builder <demo@example.org> - 9.1-1 - Rebase to 9.1 (dls learned --colour).",
			`- Fix dcp <overwrite> & "quoting".`,
			"added demo-hello-1.0-1 — Demo greeter",
			"dropped demo-games-0.9-1",
			"Added packages 1", "Dropped packages 1", "Upgraded packages 1", "Downgraded packages 0",
			"Source packages per variant and arch, before and after",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("rendered page lacks %q:\n%s", want, text)
			}
		}
		// The variants table has a row per variant and arch with the counts
		// of the JSON diff.
		for _, a := range d.Arches {
			row := fmt.Sprintf("%s %s %d %d %d %d %d %d", a.Variant, a.Arch, a.OldPackages, a.NewPackages,
				len(a.Added), len(a.Removed), len(a.Upgraded), len(a.Downgraded))
			if !strings.Contains(text, row) {
				t.Errorf("rendered variants table lacks the row %q", row)
			}
		}
		// The browser built tables and two SVG charts with a bar per
		// variant, arch and side (counts) and per variant and arch (sizes).
		if n := strings.Count(dom, "<tbody>"); n < 2 {
			t.Errorf("rendered DOM has %d tbody elements, want the summary and variants tables", n)
		}
		if n := strings.Count(dom, "<svg"); n != 2 {
			t.Errorf("rendered DOM has %d svg charts, want 2", n)
		}
		if n := strings.Count(dom, "<rect"); n < 2+4*2+4 {
			t.Errorf("rendered DOM has %d rects, want legend + bars for 4 variant.arch rows", n)
		}
	})

	t.Run("compose report", func(t *testing.T) {
		toolcheck.Need(t, "chromium")
		page := filepath.Join(second, "logs", "global", report.ComposeReportName)
		raw, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		selfContained(t, string(raw))
		dom, text := renderDOM(t, page)
		for _, want := range []string{
			"Compose report: " + filepath.Base(second),
			"Changes from " + filepath.Base(first) + " to " + filepath.Base(second),
			"Status: FINISHED",
			"Failed deliverables None.",
			"upgraded demo-coreutils-9.0-2 → demo-coreutils-9.1-1",
			// The compose's own repositories keep changelogs, so its report
			// has the entries in between too.
			"* Wed Mar 06 2024 Demo Builder <demo@example.org> - 9.1-1 - Rebase to 9.1 (dls learned --colour).",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("rendered compose report lacks %q:\n%s", want, text)
			}
		}
		for _, phase := range []string{"init", "pkgset", "gather", "createrepo"} {
			if !regexp.MustCompile(`<rect class="phase"[^>]*><title>` + phase + ` `).MatchString(dom) {
				t.Errorf("timeline has no bar for phase %s", phase)
			}
		}
		shot := screenshot(t, page, os.Getenv("PUNGO_SCREENSHOT_DIR"), "compose-report.png")
		// Charts as a person sees them: timeline bars, the blue "after"
		// bars of the package counts, the green bars of growing sizes.
		for _, c := range []struct {
			what    string
			r, g, b uint8
			min     int
		}{{"timeline bars", 0x6a, 0x5a, 0xcd, 100}, {"blue 'after' count bars", 0x2f, 0x6f, 0xb5, 200}, {"green size-growth bars", 0x2e, 0x9d, 0x4f, 50}} {
			if n := countColour(shot, c.r, c.g, c.b); n < c.min {
				t.Errorf("screenshot shows %d pixels of the %s, want at least %d", n, c.what, c.min)
			}
		}
		// The first compose had no older one: its report says so.
		raw, err = os.ReadFile(filepath.Join(first, "logs", "global", report.ComposeReportName))
		if err != nil || !strings.Contains(string(raw), "No older compose of this release to compare with") {
			t.Errorf("first compose's report (%v):\n%s", err, raw)
		}
	})
}

// selfContained fails when a page refers to anything outside itself.
func selfContained(t *testing.T, page string) {
	t.Helper()
	rest := strings.ReplaceAll(page, `xmlns="http://www.w3.org/2000/svg"`, "")
	for _, bad := range []string{"http:", "https:", "<script", "<link", "src=", "url(", "@import"} {
		if strings.Contains(rest, bad) {
			t.Errorf("page is not self-contained: it has %q", bad)
		}
	}
}

func chromiumArgs(t *testing.T) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--user-data-dir=" + t.TempDir()}
}

var tagRE = regexp.MustCompile(`(?s)<style.*?</style>|<title>.*?</title>|<[^>]*>`)

// renderDOM loads a page in headless Chromium and returns the DOM it built
// and that DOM's text, whitespace collapsed.
func renderDOM(t *testing.T, page string) (string, string) {
	t.Helper()
	cmd := exec.Command("chromium", append(chromiumArgs(t), "--dump-dom", "file://"+page)...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom %s: %v", page, err)
	}
	dom := string(out)
	text := html.UnescapeString(tagRE.ReplaceAllString(dom, " "))
	return dom, strings.Join(strings.Fields(text), " ")
}

// screenshot renders a page to PNG (kept in keep when set) and decodes it.
func screenshot(t *testing.T, page, keep, name string) image.Image {
	t.Helper()
	dir := keep
	if dir == "" {
		dir = t.TempDir()
	}
	shot := filepath.Join(dir, name)
	cmd := exec.Command("chromium", append(chromiumArgs(t), "--window-size=1200,1800", "--screenshot="+shot, "file://"+page)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chromium --screenshot %s: %v\n%s", page, err, out)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", shot, err)
	}
	return img
}

// countColour counts the pixels of one colour (within a small tolerance).
func countColour(img image.Image, r, g, b uint8) int {
	n := 0
	bounds := img.Bounds()
	near := func(a uint32, want uint8) bool { d := int(a>>8) - int(want); return d > -6 && d < 6 }
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(pr, r) && near(pg, g) && near(pb, b) {
				n++
			}
		}
	}
	return n
}
