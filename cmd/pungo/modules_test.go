package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/modulemd/modtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// On CentOS Stream 9, pungo depsolve hides nothing by module metadata (as
// pungi-gather, which adds repositories with module_hotfixes), --module
// solves with exactly the named stream, BaseOS's comps is read although
// only its group_gz file is shipped, and repoclosure keeps dnf's
// default-stream view unless --module-hotfixes.
func TestDepsolveModulesRealdata(t *testing.T) {
	base := toolcheck.Shared(t, "realdata/cs9-baseos")
	app := toolcheck.Shared(t, "realdata/cs9-appstream")
	cases := []struct {
		name string
		args []string
		code int
		want string // substring of stdout (or stderr for code 2)
		not  string
	}{
		{"nothing hidden", []string{"--repo", base, "--repo", app, "--exclude-source", "nodejs"}, 0, "nodejs-22.4.1-4.module_el9", ""},
		{"module stream", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "nodejs"}, 0, "nodejs-20.18.1-1.module_el9", "nodejs-22"},
		{"why names the stream", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "--why", "nodejs", "nodejs"}, 0,
			"input [input] (artifact of nodejs:20:920241205131105:rhel9)", ""},
		{"why names the shadowing stream", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "--why", "nodejs-1:16.20.2-3.el9.x86_64", "nodejs"}, 1,
			"nodejs-1:16.20.2-3.el9.x86_64 (cs9-appstream): excluded by module metadata: shadowed by module nodejs:20:920241205131105:rhel9", ""},
		{"module stream and a non-modular input", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "--why", "nodejs-1:16.20.2-8.el9.x86_64", "nodejs"}, 0,
			"nodejs-1:16.20.2-8.el9.x86_64 (cs9-appstream): input [input]\n", "excluded"},
		{"why names the inactive stream", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "--why", "nodejs", "nodejs"}, 0,
			"nodejs-1:22.4.1-4.module_el9+1103+f54cc21b.x86_64 (cs9-appstream): excluded by module metadata: artifact of nodejs:22:920240816093054:rhel9, a stream that is not active", ""},
		{"unknown stream", []string{"--repo", base, "--repo", app, "--module", "nodejs:99", "nodejs"}, 2, `module stream "nodejs:99"`, ""},
		{"group_gz only", []string{"--repo", base, "--exclude-source", "--group", "core", "bash"}, 0, "bash-", ""},
		// The comps are really read: a group they lack is an error.
		{"group_gz only, unknown group", []string{"--repo", base, "--exclude-source", "--group", "nosuchgroup", "bash"}, 2, `group "nosuchgroup" is not in the comps`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, runDepsolve, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, errOut)
			}
			if !strings.Contains(out+errOut, c.want) || (c.not != "" && strings.Contains(out, c.not)) {
				t.Errorf("output lacks %q or has %q:\n%.2000s%s", c.want, c.not, out, errOut)
			}
		})
	}
	_, dnfView, _ := runCLI(t, runRepoclosure, "--repo", app, "--lookaside", base, "--json")
	_, all, _ := runCLI(t, runRepoclosure, "--repo", app, "--lookaside", base, "--json", "--module-hotfixes")
	if strings.Count(dnfView, `"nevra"`) >= strings.Count(all, `"nevra"`) || strings.Contains(dnfView, ".module_el9") {
		t.Errorf("repoclosure: dnf view %d entries (modular ones: %v), hotfixes %d", strings.Count(dnfView, `"nevra"`),
			strings.Contains(dnfView, ".module_el9"), strings.Count(all, `"nevra"`))
	}
}

// The demo compose ships module demo-lang:2 in Server (two streams in the
// package set, 2 the default): Server's repository holds exactly stream
// 2's artifacts, its modules.yaml that stream and the defaults,
// modules.json lists it with its RPMs, Workstation gets no modular package,
// and dnf in an empty installroot lists and installs the module from the
// tree.
func TestDemoComposeModules(t *testing.T) {
	target := t.TempDir()
	tmp := t.TempDir()
	code, out := runPungo(t, tmp, "--config", demoConfig(t, "", nil), "--target-dir", target, "--quiet")
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	checkDemoModules(t, onlyCompose(t, target), "")
}

// checkDemoModules checks a demo compose whose Server ships demo-lang:2
// (the default stream) of the two streams in the package set: Server's
// repository holds exactly stream 2's artifacts, its modules.yaml that
// stream and the defaults (accepted by modulemd-validator and read
// strictly by libmodulemd, whose view is the same), modules.json lists it
// with its RPMs and kojiTag, Workstation gets no modular package, and dnf
// in an empty installroot lists and installs the module from the tree.
func checkDemoModules(t *testing.T, top, kojiTag string) {
	t.Helper()
	list := func(dir string) []string {
		ents, _ := os.ReadDir(dir)
		var out []string
		for _, e := range ents {
			if strings.Contains(e.Name(), "demo-lang") {
				out = append(out, e.Name())
			}
		}
		return out
	}
	server := filepath.Join(top, "compose", "Server", "x86_64", "os")
	if got := strings.Join(list(filepath.Join(server, "Packages")), " "); got != "demo-lang-2.0-1.module_demo+2.x86_64.rpm demo-lang-devel-2.0-1.module_demo+2.noarch.rpm" {
		t.Errorf("Server packages of demo-lang: %s", got)
	}
	if got := list(filepath.Join(top, "compose", "Workstation", "x86_64", "os", "Packages")); len(got) != 0 {
		t.Errorf("Workstation has modular packages: %v", got)
	}
	r, err := repomd.OpenMeta(server)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("modules")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := modulemd.Read(rc, "Server modules")
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Streams) != 1 || idx.Streams[0].NSVC() != "demo-lang:2:20240201000000:c0ffee02" || idx.DefaultStream("demo-lang") != "2" ||
		len(idx.Streams[0].RPMArtifacts()) != 3 {
		t.Errorf("Server modules.yaml: %d streams, default %q", len(idx.Streams), idx.DefaultStream("demo-lang"))
	}
	if _, err := repomd.OpenMeta(filepath.Join(top, "compose", "Workstation", "x86_64", "os")); err != nil {
		t.Fatal(err)
	}
	mj := readJSON(t, filepath.Join(top, "compose", "metadata", "modules.json"))
	mods := mj["payload"].(map[string]any)["modules"].(map[string]any)
	entry, _ := mods["Server"].(map[string]any)["x86_64"].(map[string]any)["demo-lang:2:20240201000000:c0ffee02"].(map[string]any)
	if entry == nil || len(entry["rpms"].([]any)) != 3 || !strings.HasPrefix(entry["modulemd_path"].(map[string]any)["binary"].(string), "Server/x86_64/os/repodata/") ||
		entry["metadata"].(map[string]any)["koji_tag"] != kojiTag {
		t.Errorf("modules.json (koji_tag want %q): %v", kojiTag, mods)
	}
	checkModulemdOracle(t, r, "demo-lang:2:20240201000000:c0ffee02:x86_64", "2")
	if _, ok := mods["Workstation"]; ok {
		t.Errorf("modules.json lists Workstation: %v", mods)
	}
	work, err := modulemd.ReadFile(filepath.Join(top, "work", "x86_64", "modulemd", "Server.x86_64.modules.yaml"))
	if err != nil || len(work.Streams) != 1 {
		t.Errorf("work modulemd: %v", err)
	}

	dnf := toolcheck.Need(t, "dnf")[0]
	root := t.TempDir()
	dnfArgs := func(args ...string) []string {
		return append([]string{"--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
			"--setopt=cachedir=" + filepath.Join(root, "cache"), "--setopt=module_platform_id=platform:demo1",
			"--repofrompath", "r,file://" + server, "--repo", "r", "--nogpgcheck", "-q"}, args...)
	}
	listOut, err := exec.Command(dnf, dnfArgs("module", "list")...).CombinedOutput()
	if err != nil || !regexp.MustCompile(`demo-lang\s+2 \[d\]\s+default \[d\], devel`).Match(listOut) || strings.Contains(string(listOut), "demo-lang 1") {
		t.Fatalf("dnf module list: %v\n%s", err, listOut)
	}
	if out, err := exec.Command(dnf, dnfArgs("-y", "module", "install", "demo-lang")...).CombinedOutput(); err != nil {
		t.Fatalf("dnf module install: %v\n%s", err, out)
	}
	q, err := exec.Command("rpm", "--root", root, "-q", "demo-lang").CombinedOutput()
	if err != nil || !strings.Contains(string(q), "demo-lang-2.0-1.module_demo+2.x86_64") {
		t.Errorf("installed: %v %s", err, q)
	}
}

// checkModulemdOracle checks a repository's modules.yaml with
// modulemd-validator and libmodulemd (strict read): one stream nsvca with
// its artifacts equal to pungo's reading, and defaultStream as default.
func checkModulemdOracle(t *testing.T, r *repomd.Repo, nsvca, defaultStream string) {
	t.Helper()
	validator := toolcheck.Need(t, "modulemd-validator")[0]
	const python = "/usr/bin/python3" // Debian's, which has the gi bindings
	rc, err := r.OpenRecord("modules")
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "modules.yaml")
	os.WriteFile(file, data, 0o644)
	if out, err := exec.Command(validator, file).CombinedOutput(); err != nil {
		t.Fatalf("modulemd-validator refuses the tree's modules.yaml: %v\n%s", err, out)
	}
	out, err := exec.Command(python, filepath.Join(toolcheck.ProjectRoot(), "repomd", "modulemd", "testdata", "mmdview.py"), file).CombinedOutput()
	if err != nil {
		if toolcheck.Required() || !strings.Contains(string(out), "gi") {
			t.Fatalf("libmodulemd on the tree's modules.yaml: %v\n%s", err, out)
		}
		t.Skipf("python3 without libmodulemd bindings: %s", out)
	}
	var view struct {
		Streams []struct {
			NSVCA     string   `json:"nsvca"`
			Artifacts []string `json:"artifacts"`
		} `json:"streams"`
		Defaults map[string]struct {
			Stream string `json:"stream"`
		} `json:"defaults"`
	}
	if err := json.Unmarshal(out, &view); err != nil {
		t.Fatal(err)
	}
	idx, err := modulemd.Parse(data, "modules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Streams) != 1 || view.Streams[0].NSVCA != nsvca || len(idx.Streams) != 1 ||
		strings.Join(view.Streams[0].Artifacts, " ") != strings.Join(slices.Sorted(slices.Values(idx.Streams[0].RPMArtifacts())), " ") ||
		view.Defaults["demo-lang"].Stream != defaultStream {
		t.Errorf("libmodulemd's view of the tree's modules.yaml: %s", out)
	}
}

// pungo repoquery --modules prints the table dnf module list prints (dnf is
// the oracle; trailing blanks and the heading, which names the repository,
// aside).
func TestRepoqueryModulesMatchesDnf(t *testing.T) {
	repo := filepath.Join(demoDir, "modular", "rpms")
	code, out, errOut := runCLI(t, runRepoquery, "--modules", "--repo", repo)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dnf := toolcheck.Need(t, "dnf")[0]
	root := t.TempDir()
	want, err := exec.Command(dnf, "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir="+filepath.Join(root, "cache"), "--setopt=module_platform_id=platform:demo1",
		"--repofrompath", "r,file://"+repo, "--repo", "r", "--nogpgcheck", "-q", "module", "list").CombinedOutput()
	if err != nil {
		t.Fatalf("dnf module list: %v\n%s", err, want)
	}
	rows := func(s string) string {
		lines := strings.Split(strings.TrimSpace(s), "\n")[1:] // the heading names the repository
		for i, l := range lines {
			lines[i] = strings.TrimRight(l, " ")
		}
		return strings.Join(lines, "\n")
	}
	if rows(out) != rows(string(want)) {
		t.Errorf("pungo:\n%s\ndnf:\n%s", out, want)
	}
	if !strings.Contains(out, "demo-lang 2 [d]") {
		t.Errorf("no default stream marked:\n%s", out)
	}
}

// Pungi's Koji/MBS module options validate (they work: phases/pkgset's
// Koji module tests); pkgset_scratch_modules needs mbs_api_url, as Pungi
// says; the demo (modules from a repository) validates.
func TestConfigValidateModuleOptions(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{`pkgset_koji_module_tag = ["f40-modular"]`, ""},
		{`pkgset_koji_module_builds = {"^Server$": ["m:1:2:c"]}`, ""},
		{`pkgset_koji_inherit_modules = True`, ""},
		{"mbs_api_url = \"https://mbs.example.org\"\npkgset_scratch_modules = {\"^Server$\": [\"m:s:1:c\"]}", ""},
		{`pkgset_scratch_modules = {"^Server$": ["m:s:1:c"]}`, "requires mbs_api_url which is not set"},
		{`filter_modules = [("^Server$", {"*": ["demo-lang:1"]})]`, ""},
		{`module_defaults_dir = "modular"`, ""},
	} {
		code, out, errOut := runCLI(t, runConfig, "validate", demoConfig(t, c.line, nil))
		if c.want == "" {
			if code != 0 {
				t.Errorf("%s: exit %d\n%s%s", c.line, code, out, errOut)
			}
			continue
		}
		if code != 1 || !strings.Contains(out+errOut, c.want) {
			t.Errorf("%s: exit %d, want 1 and %q:\n%s%s", c.line, code, c.want, out, errOut)
		}
	}
}

// pungo gather --why on the demo with the hybrid method: a modular
// package names its stream. With the demo's own config (the module
// source gathered with nodeps, no depsolver result) the gather's recorded
// reason is printed.
func TestGatherWhyModules(t *testing.T) {
	hybrid := demoConfig(t, `gather_method = "hybrid"`, nil)
	nodeps := filepath.Join(demoDir, "demo.conf")
	cases := []struct {
		cfg, name string
		code      int
		want      string
	}{
		{hybrid, "demo-lang", 0, "Server.x86_64 (module):\ndemo-lang-2.0-1.module_demo+2.x86_64 (modules-x86_64): input [input] (artifact of demo-lang:2:20240201000000:c0ffee02)"},
		{hybrid, "demo-lang-devel-2.0-1.module_demo+2.noarch", 0, "(artifact of demo-lang:2:20240201000000:c0ffee02)"},
		{hybrid, "demo-lang-1.0-1.module_demo+1.x86_64", 1, ""},
		{nodeps, "demo-lang", 0, "Server.x86_64 (no depsolving):\ndemo-lang-2.0-1.module_demo+2.x86_64: artifact of demo-lang:2:20240201000000:c0ffee02 [input]\n"},
		{nodeps, "demo-lang-2.0-1.module_demo+2.src", 0, "demo-lang-2.0-1.module_demo+2.src: srpm of artifacts of demo-lang:2:20240201000000:c0ffee02 [input]"},
		{nodeps, "demo-lang-1.0-1.module_demo+1.x86_64", 1, ""},
	}
	for _, c := range cases {
		method := map[string]string{hybrid: "hybrid", nodeps: "module-nodeps"}[c.cfg]
		t.Run(method+"/"+c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, runGather, "--config", c.cfg, "--why", c.name)
			if code != c.code || !strings.Contains(out, c.want) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, c.code, c.want, out, errOut)
			}
		})
	}
}

// pungo repoclosure answers as dnf repoclosure on a modular repository:
// default streams active (other streams' packages hidden, bare packages
// the default stream shadows hidden) and, with --module-hotfixes, as dnf
// with module_hotfixes=true, everything visible.
func TestRepoclosureModulesMatchesDnf(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	repo := modtest.WriteRepo(t, t.TempDir(), modtest.NodejsPackages, modtest.NodejsYAML)
	cases := []struct {
		name    string
		pungo   []string
		dnf     []string
		minimum int // unresolved requirements expected at least
	}{
		{"dnf view", nil, nil, 4},
		{"module hotfixes", []string{"--module-hotfixes"}, []string{"--setopt=r.module_hotfixes=true"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			args := append([]string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
				"--setopt=cachedir=" + filepath.Join(root, "cache"), "--setopt=module_platform_id=platform:el9",
				"--repofrompath", "r,file://" + repo, "--repo", "r"}, c.dnf...)
			out, _ := exec.Command(dnf, append(args, "repoclosure")...).Output()
			_, stdout, _ := runCLI(t, runRepoclosure, append([]string{"--repo", "r=" + repo}, c.pungo...)...)
			got, want := closureLines(stdout), closureLines(string(out))
			if !reflect.DeepEqual(got, want) || len(want) < c.minimum {
				t.Errorf("pungo %v\ndnf   %v", got, want)
			}
		})
	}
}

// pungo depsolve hides nothing by module metadata, as pungi-gather (its
// repositories have module_hotfixes=True): on CentOS Stream 9 every input
// gets the package dnf picks as the latest with module_hotfixes=true,
// modular or not (nodejs 22 over 18 and 20, nginx 2:1.20 over the modular
// 1:1.22 and 1:1.24, …), and the pool holds every package dnf sees.
func TestDepsolveNothingHiddenMatchesDnfRealdata(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	base := toolcheck.Shared(t, "realdata/cs9-baseos")
	app := toolcheck.Shared(t, "realdata/cs9-appstream")
	names := []string{"nodejs", "npm", "perl", "php", "ruby", "postgresql-server", "maven", "redis", "nginx", "mariadb-server", "httpd", "squid", "python3.12", "nodejs-devel", "perl-DBI"}
	root := t.TempDir()
	dnfArgs := []string{"-q", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + filepath.Join(root, "cache"), "--setopt=baseos.module_hotfixes=true", "--setopt=appstream.module_hotfixes=true",
		"--repofrompath", "baseos,file://" + base, "--repo", "baseos", "--repofrompath", "appstream,file://" + app, "--repo", "appstream", "repoquery"}
	out, err := exec.Command(dnf, append(dnfArgs, append([]string{"--latest-limit", "1", "--arch", "x86_64,noarch",
		"--qf", "%{name}-%{epoch}:%{version}-%{release}.%{arch}"}, names...)...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	modular := 0
	for _, l := range strings.Fields(string(out)) {
		n, err := repomd.ParseNEVRA(l)
		if err != nil {
			t.Fatal(err)
		}
		if n.Epoch == "0" {
			l = strings.Replace(l, "-0:", "-", 1)
		}
		want[n.Name] = l
		if strings.Contains(l, ".module_el9") {
			modular++
		}
	}
	if len(want) != len(names) || modular < 5 {
		t.Fatalf("dnf answered %v", want)
	}
	code, stdout, stderr := runCLI(t, runDepsolve, append([]string{"--repo", base, "--repo", app, "--nodeps", "--exclude-source", "--exclude-debug", "--json"}, names...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		RPM []struct{ NEVRA string } `json:"rpm"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res.RPM {
		n, _ := repomd.ParseNEVRA(r.NEVRA)
		got[n.Name] = r.NEVRA
	}
	if !reflect.DeepEqual(got, want) {
		for _, n := range names {
			if got[n] != want[n] {
				t.Errorf("%s: pungo %s, dnf with module_hotfixes %s", n, got[n], want[n])
			}
		}
	}
	out, err = exec.Command(dnf, append(dnfArgs, "--qf", "%{name}-%{epoch}:%{version}-%{release}.%{arch}")...).Output()
	if err != nil {
		t.Fatal(err)
	}
	pool, err := loadPool(context.Background(), []string{base, app}, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i := 0; i < pool.Len(); i++ {
		p := pool.Pkg(depsolve.PkgID(i))
		e := p.Epoch
		if e == "" {
			e = "0"
		}
		seen[p.Name+"-"+e+":"+p.Version+"-"+p.Release+"."+p.Arch] = true
	}
	dnfSees := strings.Fields(string(out))
	missing := 0
	for _, n := range dnfSees {
		if !seen[n] {
			missing++
			t.Errorf("dnf with module_hotfixes sees %s, pungo's pool does not", n)
		}
	}
	if len(dnfSees) != len(seen) || missing > 0 {
		t.Errorf("pungo's pool has %d distinct packages, dnf with module_hotfixes sees %d", len(seen), len(dnfSees))
	}
}
