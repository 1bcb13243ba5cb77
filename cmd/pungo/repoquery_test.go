package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestRepoqueryOutputs(t *testing.T) {
	dir := filepath.Join(toolcheck.Shared(t, "realdata"), "cs9-baseos")
	run := func(args ...string) string {
		t.Helper()
		var o repoqueryOptions
		o.repos = stringList{dir}
		rest := args[:0:0]
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "--latest":
				o.latest = true
			case "--provides":
				o.provides = true
			case "--requires":
				o.requires = true
			case "--count":
				o.count = true
			case "--json":
				o.asJSON = true
			case "--arch":
				i++
				o.arches = append(o.arches, args[i])
			case "--whatprovides":
				i++
				o.whatProvides = append(o.whatProvides, args[i])
			case "--qf":
				i++
				o.queryFormat = args[i]
			default:
				rest = append(rest, args[i])
			}
		}
		o.specs = rest
		var b bytes.Buffer
		if err := repoquery(&b, o); err != nil {
			t.Fatalf("repoquery %v: %v", args, err)
		}
		return b.String()
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"bash"}, "bash-0:5.1.8-2.el9.x86_64\n"},
		{[]string{"bash.x86_64", "bash-5.1.8-2.el9.x86_64", "bash-0:5.1.8-2.el9.x86_64"}, "bash-0:5.1.8-2.el9.x86_64\n"},
		{[]string{"--count", "glibc*"}, "205\n"},
		{[]string{"--count", "glibc", "glibc-common"}, "3\n"},
		{[]string{"--count", "--arch", "i686,noarch", "glibc*"}, "2\n"},
		{[]string{"--qf", `%{name}\t%{epoch}:%{version}|%{arch}|%{sourcerpm}|%{location}`, "bash"},
			"bash\t0:5.1.8|x86_64|bash-5.1.8-2.el9.src.rpm|Packages/bash-5.1.8-2.el9.x86_64.rpm\n"},
		{[]string{"--provides", "bash"}, "/bin/bash\n/bin/sh\nbash = 5.1.8-2.el9\nbash(x86-64) = 5.1.8-2.el9\nconfig(bash) = 5.1.8-2.el9\n"},
		{[]string{"--requires", "bash"}, "filesystem >= 3\nlibc.so.6(GLIBC_2.34)(64bit)\nlibtinfo.so.6()(64bit)\nrtld(GNU_HASH)\n"},
		{[]string{"nonexistent-*"}, ""},
		{[]string{"--qf", "%{name}", "--whatprovides", "libtinfo.so.6*"}, "ncurses-libs\n"},
		{[]string{"--qf", "%{name}", "--whatprovides", "/usr/bin/bas?"}, "bash\n"},
	}
	for _, c := range cases {
		if got := run(c.args...); got != c.want {
			t.Errorf("repoquery %q:\n got %q\nwant %q", c.args, got, c.want)
		}
	}
	var js []map[string]any
	if err := json.Unmarshal([]byte(run("--json", "--provides", "bash")), &js); err != nil {
		t.Fatal(err)
	}
	if len(js) != 1 || js[0]["nevra"] != "bash-5.1.8-2.el9.x86_64" || js[0]["epoch"] != "0" || len(js[0]["provides"].([]any)) != 5 || js[0]["requires"] != nil {
		t.Errorf("json = %v", js)
	}
	// --latest keeps the newest of each name.arch.
	all := strings.Count(run("kernel-core"), "\n")
	latest := strings.Count(run("--latest", "kernel-core"), "\n")
	if all < 1 || latest != 1 {
		t.Errorf("kernel-core: %d versions, %d latest", all, latest)
	}
}

func TestRepoqueryCLIErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // the one line on stderr
	}{
		{nil, "pungo repoquery: at least one --repo is required"},
		{[]string{"--repo", "/nonexistent/repo"}, "pungo repoquery: /nonexistent/repo: no such repository directory"},
		{[]string{"--repo", os.TempDir(), "--qf", "%{bogus}"}, "pungo repoquery: --queryformat: unknown tag %{bogus}"},
		{[]string{"--repo", os.TempDir(), "--resolve", "bash"}, "pungo repoquery: --resolve needs --provides or --requires (the capabilities to resolve)"},
	} {
		code, _, stderr := runCLI(t, runRepoquery, tc.args...)
		if code != 2 || stderr != tc.want+"\n" {
			t.Errorf("repoquery %q: exit %d, stderr %q, want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

// TestRepoqueryAgreesWithDnf runs each query through dnf repoquery and
// pungo repoquery on a repository of the built corpus (source packages,
// two versions of one package, two architectures, file and rich
// requirements) and compares what they print.
func TestRepoqueryAgreesWithDnf(t *testing.T) {
	toolcheck.Need(t, "dnf")
	repo := t.TempDir()
	if code, _, stderr := runCLI(t, runCreaterepo, "-q", "--no-database", "--outputdir", repo, rpmtest.Corpus(t)); code != 0 {
		t.Fatalf("createrepo: %s", stderr)
	}
	root := t.TempDir()
	dnf := func(args ...string) string {
		base := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--repofrompath", "r," + "file://" + repo, "--repo", "r", "--nogpgcheck", "repoquery"}
		out, err := exec.Command("dnf", append(base, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("dnf repoquery %q: %v\n%s", args, err, out)
		}
		return string(out)
	}
	for _, args := range [][]string{
		{},
		{"--arch", "i686,noarch"},
		{"ALPHA"}, // specs ignore case
		{"alpha-2:2.0-1.noarch", "multi.i686", "libfoo-devel-1.2.3"},
		{"alpha-[12].0", "*.src"},
		{"*/alpha"}, // a spec matching no name is a file glob
		{"--latest-limit", "1"},
		{"--latest-limit=-1"},
		{"--provides", "libfoo"},
		{"--requires", "alpha.noarch"},
		{"--whatprovides", "alpha"}, // source packages provide nothing
		{"--whatprovides", "alpha >= 2:1.0, libfoo-devel"},
		{"--whatprovides", "libfoo.so.1()(64bit)"},
		{"--whatprovides", "/usr/share/alpha/*"},
		{"--whatprovides", "*.spec"}, // no provide matches: file globs
		{"--whatrequires", "libfoo"}, // what libfoo's packages provide
		{"--whatrequires", "libfoo*"},
		{"--whatrequires", "alpha-2.0-1.noarch"},
		{"--whatrequires", "*"}, // '*' matches '/' as in fnmatch
		{"--whatrequires", "delta"},
		{"--whatrequires", "/usr/share/alpha/data.txt"},
		{"--whatrequires", "libfoo*", "--exactdeps"},
		{"--whatrequires", "alpha", "--arch", "noarch"},
		{"--requires", "--resolve", "alpha", "multi"},
		{"--requires", "--resolve", "--arch", "x86_64,noarch", "--qf", "%{name}|%{evr}"},
		{"--provides", "--resolve", "libfoo"},
		{"--qf", "%{name}|%{evr}|%{sourcerpm}|%{source_name}|%{url}|%{packager}|%{buildtime}|%{downloadsize}|%{debug_name}|%{source_debug_name}"},
		{"--qf", "%{name}:%{provides}|%{requires}|%{obsoletes}|%{conflicts}|%{recommends}|%{supplements}"},
		{"--qf", "%{files}", "alpha", "libfoo"},
		{"--qf", `[%{name}]%%{arch} %8{arch}|%-8{arch}|\t%{installsize}\n`},
	} {
		want := dnf(args...)
		code, got, stderr := runCLI(t, runRepoquery, append([]string{"--repo", repo}, args...)...)
		if code != 0 {
			t.Errorf("pungo repoquery %q: exit %d: %s", args, code, stderr)
			continue
		}
		if got != want {
			t.Errorf("repoquery %q:\ndnf:\n%s\npungo:\n%s", args, want, got)
		}
		if strings.TrimSpace(want) == "" {
			t.Errorf("repoquery %q: dnf printed nothing, the case tests nothing", args)
		}
	}
}

// TestRepoqueryAgreesWithDnfOnRealData: on CentOS Stream 9's BaseOS and
// AppStream, the --whatrequires that resolves package specs (thousands of
// requirers), a file requirement and --resolve give dnf's answers. pungo
// does no modular filtering of the selection, hence dnf's
// --disable-modular-filtering; --resolve's providers are module-filtered
// in both (nodejs: every stream's packages are selected, their
// requirements resolve to the non-modular nodejs-libs 16, not nodejs:22's).
func TestRepoqueryAgreesWithDnfOnRealData(t *testing.T) {
	toolcheck.Need(t, "dnf")
	real := toolcheck.Shared(t, "realdata")
	baseos, appstream := filepath.Join(real, "cs9-baseos"), filepath.Join(real, "cs9-appstream")
	root := t.TempDir()
	for _, tc := range []struct {
		args     []string
		minLines int
	}{
		{[]string{"--whatrequires", "glibc"}, 100},
		{[]string{"--whatrequires", "/bin/sh", "--arch", "noarch"}, 100},
		{[]string{"--requires", "--resolve", "nodejs", "php", "gcc"}, 20},
		{[]string{"--provides", "--resolve", "--arch", "x86_64", "bash", "kernel-core"}, 2},
	} {
		args := tc.args
		base := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--repofrompath", "b,file://" + baseos,
			"--repofrompath", "a,file://" + appstream, "--repo", "a", "--repo", "b", "--nogpgcheck",
			"repoquery", "--disable-modular-filtering"}
		want, err := exec.Command("dnf", append(base, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("dnf %q: %v\n%s", args, err, want)
		}
		code, got, stderr := runCLI(t, runRepoquery, append([]string{"--repo", baseos, "--repo", appstream}, args...)...)
		if code != 0 {
			t.Fatalf("pungo repoquery %q: %s", args, stderr)
		}
		if got != string(want) {
			w, g := strings.Split(string(want), "\n"), strings.Split(got, "\n")
			t.Errorf("repoquery %q: dnf %d lines, pungo %d", args, len(w), len(g))
		}
		if strings.Count(got, "\n") < tc.minLines {
			t.Errorf("repoquery %q: only %d packages", args, strings.Count(got, "\n"))
		}
	}
}

// TestRepoqueryAll: dnf's -a/--all lists what no SPEC lists.
func TestRepoqueryAll(t *testing.T) {
	repo := filepath.Join("..", "..", "testdata", "demo", "rpms")
	_, want, _ := runCLI(t, runRepoquery, "--repo", repo)
	for _, flag := range []string{"-a", "--all"} {
		code, got, stderr := runCLI(t, runRepoquery, "--repo", repo, flag)
		if code != 0 || got != want || strings.Count(want, "\n") < 10 {
			t.Errorf("%s: exit %d, %d lines (want %d) %s", flag, code, strings.Count(got, "\n"), strings.Count(want, "\n"), stderr)
		}
	}
}
