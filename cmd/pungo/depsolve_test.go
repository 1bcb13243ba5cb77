package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func gatherFixture(t *testing.T, name string) string {
	return filepath.Join(toolcheck.Shared(t, "conformance/gather"), "fixtures", name)
}

func TestDepsolveJSONMatchesConformance(t *testing.T) {
	repo := gatherFixture(t, "repo")
	la := gatherFixture(t, "repo-krb5-lookaside")
	data, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(repo)), "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name     string          `json:"name"`
		Expected json.RawMessage `json:"expected"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	var want any
	for _, c := range cases {
		if c.Name == "firefox_selfhosting_with_krb5_lookaside" {
			json.Unmarshal(c.Expected, &want)
		}
	}
	// Flags may follow the patterns.
	code, stdout, stderr := runCLI(t, runDepsolve, "--repo", "test-repo="+repo, "--lookaside", "lookaside="+la,
		"Dummy-firefox", "--selfhosting", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got any
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("JSON differs from the conformance data:\n%s", stdout)
	}
}

func TestDepsolveTextWhyAndComps(t *testing.T) {
	repo := gatherFixture(t, "repo")
	code, stdout, stderr := runCLI(t, runDepsolve, "--repo", repo, "--group", "basic-desktop", "--langpacks",
		"--exclude-debug", "dummy-imsettings", "dummy-release-notes", "-dummy-release-notes-cs-CZ")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"RPM(conditional,input): " + filepath.Join(repo, "x86_64", "dummy-imsettings-1.2.9-1.x86_64.rpm"),
		"RPM(): " + filepath.Join(repo, "x86_64", "dummy-imsettings-gnome-1.2.9-1.x86_64.rpm"),
		"RPM(langpack): " + filepath.Join(repo, "noarch", "dummy-release-notes-en-US-1.2-1.noarch.rpm"),
		"SRPM(): " + filepath.Join(repo, "src", "dummy-imsettings-1.2.9-1.src.rpm"),
	} {
		if !strings.Contains(stdout, want+"\n") {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "cs-CZ") || strings.Contains(stdout, "DEBUGINFO") {
		t.Errorf("excluded or debug packages in the output:\n%s", stdout)
	}

	code, stdout, _ = runCLI(t, runDepsolve, "--repo", repo, "--why", "dummy-glibc-common", "dummy-bash")
	if code != 0 {
		t.Fatalf("--why exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) < 3 || !strings.HasPrefix(lines[0], "dummy-glibc-common-2.14-5.x86_64 (repo): binary-dep") ||
		!strings.Contains(lines[len(lines)-1], "dummy-bash-4.2.37-6.x86_64 (repo): input") {
		t.Errorf("--why chain:\n%s", stdout)
	}
	if code, _, _ := runCLI(t, runDepsolve, "--repo", repo, "--why", "dummy-kernel", "dummy-bash"); code != 1 {
		t.Errorf("--why of a package outside the result: exit %d, want 1", code)
	}
}

func TestDepsolveErrors(t *testing.T) {
	repo := gatherFixture(t, "repo")
	dir := t.TempDir()
	missingComps := filepath.Join(dir, "missing-comps.xml")
	badComps := filepath.Join(dir, "bad-comps.xml")
	if err := os.WriteFile(badComps, []byte("<comps>\n<group>\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"dummy-bash"}, "no --repo"},
		{[]string{"--repo", repo, "--greedy", "most", "dummy-bash"}, "greedy"},
		{[]string{"--repo", repo, "--multilib", "bogus", "dummy-bash"}, "bogus"},
		{[]string{"--repo", repo, "--group", "no-such-group", "dummy-bash"}, "no-such-group"},
		{[]string{"--repo", filepath.Join(repo, "repodata"), "dummy-bash"}, "repodata"},
		{[]string{"--repo", repo, "--arch", "x86-64", "dummy-bash"}, `unknown arch "x86-64"`},
		{[]string{"--repo", repo, "--comps", missingComps, "dummy-bash"}, missingComps},
		{[]string{"--repo", repo, "--comps", badComps, "dummy-bash"}, badComps + ":3:"},
		{[]string{"--repo", repo, "--comps", badComps, "--group", "core", "dummy-bash"}, badComps + ":3:"},
		{[]string{"--repo", repo, "--active-modules", "nodejs:20", "dummy-bash"}, `--active-modules: module stream "nodejs:20" is not in the repositories' modules metadata`},
		{[]string{"--repo", repo, "--active-modules=", "--module", "nodejs:20", "dummy-bash"}, "--module and --active-modules exclude each other"},
	} {
		code, _, stderr := runCLI(t, runDepsolve, tt.args...)
		if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want 2 and one line with %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestRepoclosureCLI(t *testing.T) {
	repo := gatherFixture(t, "repo")
	code, stdout, stderr := runCLI(t, runRepoclosure, "--repo", "r="+repo, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	var got []struct {
		NEVRA      string   `json:"nevra"`
		Repo       string   `json:"repo"`
		Unresolved []string `json:"unresolved"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 16 || got[4].NEVRA != "dummy-bash-4.2.37-6.ppc" || got[4].Repo != "r" ||
		!reflect.DeepEqual(got[4].Unresolved, []string{"dummy-glibc(ppc-32)"}) {
		t.Errorf("unexpected report: %+v", got)
	}
	if code, _, stderr := runCLI(t, runRepoclosure, "--repo", repo, "--arch", "x86_64"); code != 0 {
		t.Errorf("--arch x86_64: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, runRepoclosure, "--repo", repo, "--check", "nope"); code != 2 || !strings.Contains(stderr, "nope") {
		t.Errorf("--check of an unknown repo: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, runRepoclosure, "--repo", repo, "--arch", "x86-64"); code != 2 || !strings.Contains(stderr, `unknown arch "x86-64"`) {
		t.Errorf("--arch x86-64: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, runRepoclosure, "--repo", filepath.Join(repo, "nope")); code != 2 || !strings.Contains(stderr, "nope") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("missing repository: exit %d, %q", code, stderr)
	}
}

// TestRepoclosureMatchesDnf compares pungo repoclosure with dnf repoclosure
// on the fixture repositories (all arches, and x86_64 + noarch only).
func TestRepoclosureMatchesDnf(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	repo := gatherFixture(t, "repo")
	la := gatherFixture(t, "repo-krb5-lookaside")
	root := t.TempDir()
	for _, arches := range [][]string{nil, {"x86_64", "noarch"}} {
		args := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--nogpgcheck",
			"--repofrompath", "r," + "file://" + repo, "--repo", "r",
			"--repofrompath", "k," + "file://" + la, "--repo", "k", "repoclosure"}
		pargs := []string{"--repo", "r=" + repo, "--repo", "k=" + la}
		for _, a := range arches {
			args = append(args, "--arch", a)
			pargs = append(pargs, "--arch", a)
		}
		out, _ := exec.Command(dnf, args...).Output()
		_, stdout, _ := runCLI(t, runRepoclosure, pargs...)
		if got, want := closureLines(stdout), closureLines(string(out)); !reflect.DeepEqual(got, want) || len(want) == 0 && arches == nil {
			t.Errorf("arches %v:\npungo %v\ndnf   %v", arches, got, want)
		}
	}
}

// TestRepoclosureMatchesDnfRealdata compares with dnf repoclosure on the
// CentOS Stream 9 metadata: real dependency shapes, rich dependencies and
// modular packages that dnf hides.
func TestRepoclosureMatchesDnfRealdata(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	base := toolcheck.Shared(t, "realdata/cs9-baseos")
	app := toolcheck.Shared(t, "realdata/cs9-appstream")
	root := t.TempDir()
	out, _ := exec.Command(dnf, "-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir="+filepath.Join(root, "cache"), "--nogpgcheck",
		"--repofrompath", "baseos,file://"+base, "--repo", "baseos",
		"--repofrompath", "appstream,file://"+app, "--repo", "appstream",
		"repoclosure", "--arch", "x86_64", "--arch", "noarch").Output()
	code, stdout, stderr := runCLI(t, runRepoclosure, "--repo", "baseos="+base, "--repo", "appstream="+app,
		"--arch", "x86_64", "--arch", "noarch")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	got, want := closureLines(stdout), closureLines(string(out))
	if len(want) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("pungo reports %d unresolved requirements, dnf %d", len(got), len(want))
		for i := 0; i < len(got) && i < len(want); i++ {
			if got[i] != want[i] {
				t.Errorf("first difference: pungo %q, dnf %q", got[i], want[i])
				break
			}
		}
	}
}

// closureLines flattens repoclosure's text report to sorted
// "nevra repo: dep" lines.
func closureLines(s string) []string {
	var out []string
	var pkg string
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "package: "):
			pkg = strings.TrimPrefix(l, "package: ")
		case strings.HasPrefix(l, "    "):
			out = append(out, pkg+": "+strings.TrimSpace(l))
		}
	}
	sort.Strings(out)
	return out
}

// TestDepsolveSameOutputAnyGOMAXPROCS: loading parses metadata in parallel,
// so the whole command (depsolve and repoclosure, JSON and text with
// --why) must print the same bytes with one processor as with several.
func TestDepsolveSameOutputAnyGOMAXPROCS(t *testing.T) {
	repo := gatherFixture(t, "repo")
	la := gatherFixture(t, "repo-krb5-lookaside")
	runs := []struct {
		run  func([]string) int
		args []string
	}{
		{runDepsolve, []string{"--repo", repo, "--lookaside", la, "--greedy", "build", "--fulltree", "--selfhosting",
			"--multilib", "devel", "--multilib", "runtime", "--json", "dummy-*"}},
		{runDepsolve, []string{"--repo", repo, "--greedy", "all", "--fulltree", "--why", "dummy-glibc", "dummy-bash", "dummy-krb5-devel.+"}},
		{runRepoclosure, []string{"--repo", repo, "--lookaside", la, "--json"}},
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, r := range runs {
		var first string
		for _, procs := range []int{1, 2, 4} {
			runtime.GOMAXPROCS(procs)
			_, stdout, stderr := runCLI(t, r.run, r.args...)
			out := stdout + "\x00" + stderr
			if len(stdout) < 50 {
				t.Fatalf("%v: too little output to compare: %q %q", r.args, stdout, stderr)
			}
			if procs == 1 {
				first = out
			} else if out != first {
				t.Errorf("%v: GOMAXPROCS=%d prints differently from GOMAXPROCS=1", r.args, procs)
			}
		}
	}
}

// TestDepsolveJSONWriterMatchesEncoder: the streamed --json output is
// byte for byte what json.Encoder with a two-space indent writes for the
// same document: empty and one-element lists, several elements, flags
// none and many, and strings json escapes (<, >, &, quotes, U+2028).
func TestDepsolveJSONWriterMatchesEncoder(t *testing.T) {
	pkg := func(name, arch string) *repomd.Package {
		return &repomd.Package{Name: name, Arch: arch, EVR: repomd.EVR{Version: "1.0", Release: "1"},
			Location: "Packages/" + name + ".rpm"}
	}
	repo := &depsolve.Repo{ID: "a<b&c>"}
	items := []depsolve.Item{
		{Pkg: pkg("plain", "x86_64"), Repo: repo, Flags: depsolve.FlagInput},
		{Pkg: pkg("q\"uote\u2028", "noarch"), Repo: repo},
		{Pkg: pkg("many", "i686"), Repo: repo, Flags: depsolve.FlagInput | depsolve.FlagFulltree | depsolve.FlagMultilib},
	}
	for _, tc := range []struct {
		name string
		res  depsolve.Result
	}{
		{"empty", depsolve.Result{}},
		{"one each", depsolve.Result{RPM: items[:1], SRPM: items[1:2], Debuginfo: items[2:], Broken: []depsolve.BrokenDep{{Package: "x.x86_64", Req: "foo < 2 & bar"}}}},
		{"several", depsolve.Result{RPM: items, Debuginfo: items, Broken: []depsolve.BrokenDep{{Package: "a.noarch", Req: "b >= 1"}, {Package: "c.src", Req: "<d>"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := depsolveJSON{BrokenDeps: []string{}, RPM: []depsolveJSONItem{}, SRPM: []depsolveJSONItem{}, Debuginfo: []depsolveJSONItem{}}
			for _, part := range []struct {
				from []depsolve.Item
				to   *[]depsolveJSONItem
			}{{tc.res.RPM, &want.RPM}, {tc.res.SRPM, &want.SRPM}, {tc.res.Debuginfo, &want.Debuginfo}} {
				for _, it := range part.from {
					*part.to = append(*part.to, depsolveItem(it))
				}
			}
			for _, b := range tc.res.Broken {
				want.BrokenDeps = append(want.BrokenDeps, b.String())
			}
			var wb, gb bytes.Buffer
			enc := json.NewEncoder(&wb)
			enc.SetIndent("", "  ")
			if err := enc.Encode(want); err != nil {
				t.Fatal(err)
			}
			if err := writeDepsolveJSON(&gb, &tc.res); err != nil {
				t.Fatal(err)
			}
			if gb.String() != wb.String() {
				t.Errorf("streamed JSON differs from json.Encoder's:\n%s\nwant:\n%s", gb.String(), wb.String())
			}
		})
	}
}
