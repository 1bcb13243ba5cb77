package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// The test binary doubles as "pungo compose" for tests that need a real
// process (signals): PUNGO_COMPOSE_TEST_EXEC=1 runs runCompose instead of
// the tests.
func init() {
	if os.Getenv("PUNGO_COMPOSE_TEST_EXEC") == "1" {
		os.Exit(runCompose(os.Args[1:]))
	}
}

var demoDir = filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")

// demoConfig writes a copy of the demo config into a new directory with
// every relative path made absolute, then the extra lines (which override
// earlier assignments).
func demoConfig(t *testing.T, extra string, edit func(string) string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(demoDir, "demo.conf"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, rel := range []string{"variants.xml", "comps.xml", "rpms", "modular/rpms", "lookaside", "extra/README.demo"} {
		s = strings.ReplaceAll(s, `"`+rel+`"`, `"`+filepath.Join(demoDir, rel)+`"`)
	}
	if edit != nil {
		s = edit(s)
	}
	s += "\n" + extra + "\n"
	p := filepath.Join(t.TempDir(), "demo.conf")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// runPungo runs "pungo compose ARGS" as a child process with TMPDIR set to
// tmpdir and returns the exit code and stderr.
func runPungo(t *testing.T, tmpdir string, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PUNGO_COMPOSE_TEST_EXEC=1", "TMPDIR="+tmpdir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Stdout = &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stderr.String()
}

func onlyCompose(t *testing.T, target string) string {
	t.Helper()
	ents, _ := os.ReadDir(target)
	for _, e := range ents {
		if e.IsDir() {
			return filepath.Join(target, e.Name())
		}
	}
	t.Fatalf("no compose directory in %s", target)
	return ""
}

func readJSON(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// snapshot lists every file under dir with size and mtime, to prove a run
// wrote nothing there.
func snapshot(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil {
			fmt.Fprintf(&b, "%s %d %d\n", p, info.Size(), info.ModTime().UnixNano())
		}
		return nil
	})
	return b.String()
}

func TestDemoCompose(t *testing.T) {
	target, tmp := t.TempDir(), t.TempDir()
	before := snapshot(t, demoDir)
	notes := filepath.Join(t.TempDir(), "notes")
	script := filepath.Join(t.TempDir(), "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n{ printf '%s ' \"$1\"; cat; echo; } >> "+notes+"\n"), 0o755)
	code, out := runPungo(t, tmp, "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet", "--notification-script", script)
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	dir := onlyCompose(t, target)
	id := filepath.Base(dir)
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); string(st) != "FINISHED\n" {
		t.Fatalf("STATUS %q", st)
	}
	if cid, _ := os.ReadFile(filepath.Join(dir, "COMPOSE_ID")); string(cid) != id || !strings.HasPrefix(id, "Demo-1.0-") || !strings.HasSuffix(id, ".n.0") {
		t.Errorf("COMPOSE_ID %q dir %s", cid, id)
	}
	if l, err := os.Readlink(filepath.Join(target, "latest-Demo-1")); err != nil || l != id {
		t.Errorf("latest link: %q %v", l, err)
	}
	// Nothing outside the compose directory: the target holds the compose
	// and the latest link, TMPDIR stays empty, the inputs are untouched.
	if ents, _ := os.ReadDir(target); len(ents) != 2 {
		t.Errorf("target dir has %d entries", len(ents))
	}
	if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
		t.Errorf("TMPDIR written: %v", ents)
	}
	if after := snapshot(t, demoDir); after != before {
		t.Error("testdata/demo changed during the compose")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "compose", "*", "*", "*", ".repodata.tmp-*"))
	if len(matches) > 0 {
		t.Errorf("leftover temporary repodata: %v", matches)
	}

	t.Run("composeinfo", func(t *testing.T) { checkComposeInfo(t, dir, id) })
	t.Run("rpms", func(t *testing.T) { checkRpms(t, dir, id) })
	t.Run("extra_files", func(t *testing.T) { checkExtraFiles(t, dir, id) })
	t.Run("treeinfo", func(t *testing.T) { checkTreeInfo(t, dir) })
	t.Run("notifications", func(t *testing.T) {
		data, _ := os.ReadFile(notes)
		s := string(data)
		for _, want := range []string{"status-change {", `"status":"STARTED"`, `"status":"FINISHED"`, `phase-start {`, `"phase_name":"gather"`, "phase-stop {", `"compose_id":"` + id + `"`} {
			if !strings.Contains(s, want) {
				t.Errorf("notifications lack %s", want)
			}
		}
	})
	t.Run("dnf", func(t *testing.T) { checkWithDNF(t, dir) })
	t.Run("reuse", func(t *testing.T) {
		code, out := runPungo(t, tmp, "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet", "--old-composes", target)
		if code != 0 {
			t.Fatalf("second compose exited %d:\n%s", code, out)
		}
		second := filepath.Join(target, strings.TrimSuffix(id, ".0")+".1")
		log, err := os.ReadFile(filepath.Join(second, "logs/global/pungi.global.log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"Reusing the gather result of old compose " + dir + " (inputs unchanged)",
			"Reusing repodata of " + dir + "/compose/Server/x86_64/os for Server.x86_64 rpm (createrepo update mode)",
			"(Server.x86_64 rpm): 15 packages, 15 reused"} {
			if !strings.Contains(string(log), want) {
				t.Errorf("log lacks %q", want)
			}
		}
		// Without gather_allow_reuse (Pungi's default) the gather runs again.
		other := t.TempDir()
		code, out = runPungo(t, tmp, "--config", demoConfig(t, "gather_allow_reuse = False", nil), "--target-dir", other, "--quiet", "--old-composes", target)
		log, _ = os.ReadFile(filepath.Join(onlyCompose(t, other), "logs/global/pungi.global.log"))
		if code != 0 || strings.Contains(string(log), "Reusing the gather result") || !strings.Contains(string(log), "Not reusing old gather results: gather_allow_reuse is not set") {
			t.Errorf("gather_allow_reuse = False: code %d\n%s\n%s", code, out, log)
		}
		a := readJSON(t, filepath.Join(dir, "compose/metadata/rpms.json"))["payload"].(map[string]any)["rpms"]
		b := readJSON(t, filepath.Join(second, "compose/metadata/rpms.json"))["payload"].(map[string]any)["rpms"]
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Error("reused compose ships other packages")
		}
	})
	t.Run("gather-diff", func(t *testing.T) {
		out, code := captureStdout(t, func() int {
			return runGather([]string{"--config", filepath.Join(demoDir, "demo.conf"), "--diff", dir})
		})
		if code != 0 || strings.Contains(out, "+") || strings.Contains(out, " - ") || strings.Count(out, "  no changes\n") != 4 {
			t.Errorf("gather --diff against the same inputs: code %d\n%s", code, out)
		}
		cfg := demoConfig(t, `filter_packages = [("^Server$", {"*": ["demo-httpd-tools"]})]`+"\n"+
			`additional_packages = [("^Server$", {"*": ["demo-games"]}), ("^Server-optional$", {"*": ["demo-editor-extras"]})]`, nil)
		out, code = captureStdout(t, func() int { return runGather([]string{"--config", cfg, "--diff", dir, "--variant", "Server"}) })
		if code != 1 || !strings.Contains(out, "  - demo-httpd-tools-2.4-7.x86_64\n") || !strings.Contains(out, "  + demo-games-0.9-1.x86_64\n") || !strings.Contains(out, "  + demo-games-0.9-1.src\n") {
			t.Errorf("gather --diff with changes: code %d\n%s", code, out)
		}
	})
}

func checkComposeInfo(t *testing.T, dir, id string) {
	ci := readJSON(t, filepath.Join(dir, "compose/metadata/composeinfo.json"))
	h := ci["header"].(map[string]any)
	if h["type"] != "productmd.composeinfo" || h["version"] != "1.2" {
		t.Errorf("header %v", h)
	}
	p := ci["payload"].(map[string]any)
	c := p["compose"].(map[string]any)
	if c["id"] != id || c["type"] != "nightly" || c["respin"] != 0.0 || len(c["date"].(string)) != 8 {
		t.Errorf("compose %v", c)
	}
	if _, ok := c["label"]; ok {
		t.Errorf("label in an unlabelled compose: %v", c)
	}
	r := p["release"].(map[string]any)
	want := map[string]any{"name": "Demo Linux", "short": "Demo", "version": "1.0", "type": "ga", "internal": false}
	for k, v := range want {
		if r[k] != v {
			t.Errorf("release.%s = %v want %v", k, r[k], v)
		}
	}
	if _, ok := r["is_layered"]; ok {
		t.Error("is_layered written for a non-layered release")
	}
	if _, ok := p["base_product"]; ok {
		t.Error("base_product written for a non-layered release")
	}
	vs := p["variants"].(map[string]any)
	keys := []string{}
	for k := range vs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "Server,Server-HA,Server-optional,Workstation" {
		t.Fatalf("variants %v", keys)
	}
	server := vs["Server"].(map[string]any)
	if server["id"] != "Server" || server["uid"] != "Server" || server["name"] != "Server" || server["type"] != "variant" {
		t.Errorf("Server %v", server)
	}
	if fmt.Sprint(server["arches"]) != "[x86_64]" || fmt.Sprint(server["variants"]) != "[HA optional]" {
		t.Errorf("Server arches/variants %v %v", server["arches"], server["variants"])
	}
	paths := server["paths"].(map[string]any)
	wantPaths := map[string]string{
		"os_tree": "Server/x86_64/os", "packages": "Server/x86_64/os/Packages", "repository": "Server/x86_64/os",
		"source_tree": "Server/source/tree", "source_packages": "Server/source/tree/Packages", "source_repository": "Server/source/tree",
		"debug_tree": "Server/x86_64/debug/tree", "debug_packages": "Server/x86_64/debug/tree/Packages", "debug_repository": "Server/x86_64/debug/tree",
	}
	for k, v := range wantPaths {
		m, _ := paths[k].(map[string]any)
		if m["x86_64"] != v {
			t.Errorf("Server paths.%s = %v want %s", k, paths[k], v)
		}
	}
	// Image directories are listed only when image phases made them.
	for k, v := range paths {
		if _, ok := wantPaths[k]; ok {
			continue
		}
		rel, _ := v.(map[string]any)["x86_64"].(string)
		st, err := os.Stat(filepath.Join(dir, "compose", rel))
		if !strings.Contains(" isos source_isos images jigdos source_jigdos ", " "+k+" ") || err != nil || !st.IsDir() {
			t.Errorf("unexpected Server path %s = %v (%v)", k, v, err)
		}
	}
	ha := vs["Server-HA"].(map[string]any)
	if ha["id"] != "HA" || ha["type"] != "addon" {
		t.Errorf("HA %v", ha)
	}
	hp := ha["paths"].(map[string]any)
	if hp["repository"].(map[string]any)["x86_64"] != "Server/x86_64/os/addons/HA" || hp["os_tree"].(map[string]any)["x86_64"] != "Server/x86_64/os" {
		t.Errorf("HA paths %v", hp)
	}
}

func checkRpms(t *testing.T, dir, id string) {
	doc := readJSON(t, filepath.Join(dir, "compose/metadata/rpms.json"))
	h := doc["header"].(map[string]any)
	if h["type"] != "productmd.rpms" || h["version"] != "1.2" {
		t.Errorf("header %v", h)
	}
	p := doc["payload"].(map[string]any)
	if c := p["compose"].(map[string]any); c["id"] != id || c["type"] != "nightly" {
		t.Errorf("compose %v", c)
	}
	rpms := p["rpms"].(map[string]any)
	srv := rpms["Server"].(map[string]any)["x86_64"].(map[string]any)
	httpd := srv["demo-httpd-0:2.4-7.src"].(map[string]any)
	bin := httpd["demo-httpd-0:2.4-7.x86_64"].(map[string]any)
	if bin["category"] != "binary" || bin["path"] != "Server/x86_64/os/Packages/demo-httpd-2.4-7.x86_64.rpm" || bin["sigkey"] != nil {
		t.Errorf("demo-httpd entry %v", bin)
	}
	src := httpd["demo-httpd-0:2.4-7.src"].(map[string]any)
	if src["category"] != "source" || src["path"] != "Server/source/tree/Packages/demo-httpd-2.4-7.src.rpm" {
		t.Errorf("demo-httpd source entry %v", src)
	}
	dbg := srv["demo-shell-0:5.2-1.src"].(map[string]any)["demo-shell-debuginfo-0:5.2-1.x86_64"].(map[string]any)
	if dbg["category"] != "debug" || dbg["path"] != "Server/x86_64/debug/tree/Packages/demo-shell-debuginfo-5.2-1.x86_64.rpm" {
		t.Errorf("debuginfo entry %v", dbg)
	}
	ha := rpms["Server-HA"].(map[string]any)["x86_64"].(map[string]any)
	if e := ha["demo-cluster-0:1.4-2.src"].(map[string]any)["demo-cluster-0:1.4-2.x86_64"].(map[string]any); e["path"] != "Server/x86_64/os/addons/HA/demo-cluster-1.4-2.x86_64.rpm" {
		t.Errorf("addon entry %v", e)
	}
	// Every path exists; no lookaside package is shipped.
	for v, arches := range rpms {
		for _, srpms := range arches.(map[string]any) {
			for _, pkgs := range srpms.(map[string]any) {
				for nevra, e := range pkgs.(map[string]any) {
					path := e.(map[string]any)["path"].(string)
					if _, err := os.Stat(filepath.Join(dir, "compose", path)); err != nil {
						t.Errorf("%s %s: %v", v, nevra, err)
					}
					if strings.HasPrefix(nevra, "demo-fonts") {
						t.Errorf("lookaside package shipped in %s", v)
					}
				}
			}
		}
	}
}

func checkExtraFiles(t *testing.T, dir, id string) {
	doc := readJSON(t, filepath.Join(dir, "compose/metadata/extra_files.json"))
	h := doc["header"].(map[string]any)
	if h["type"] != "productmd.extra_files" || h["version"] != "1.2" {
		t.Errorf("header %v", h)
	}
	p := doc["payload"].(map[string]any)
	if c := p["compose"].(map[string]any); c["id"] != id {
		t.Errorf("compose %v", c)
	}
	files := p["extra_files"].(map[string]any)["Server"].(map[string]any)["x86_64"].([]any)
	if len(files) != 1 {
		t.Fatalf("extra files %v", files)
	}
	f := files[0].(map[string]any)
	data, _ := os.ReadFile(filepath.Join(demoDir, "extra/README.demo"))
	sums := f["checksums"].(map[string]any)
	if f["file"] != "Server/x86_64/os/README.demo" || f["size"] != float64(len(data)) || len(sums) != 3 || len(sums["sha256"].(string)) != 64 {
		t.Errorf("extra file %v", f)
	}
	tree := readJSON(t, filepath.Join(dir, "compose/Server/x86_64/os/extra_files.json"))
	if tree["header"].(map[string]any)["version"] != "1.0" || tree["data"].([]any)[0].(map[string]any)["file"] != "README.demo" {
		t.Errorf("tree extra_files.json %v", tree)
	}
}

func checkTreeInfo(t *testing.T, dir string) {
	f, err := os.Open(filepath.Join(dir, "compose/Server/x86_64/os/.treeinfo"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ti, err := productmd.ParseINI(f)
	if err != nil {
		t.Fatal(err)
	}
	checks := map[[2]string]string{
		{"header", "type"}: "productmd.treeinfo", {"header", "version"}: "1.2", {"release", "name"}: "Demo Linux",
		{"release", "short"}: "Demo", {"release", "version"}: "1.0", {"tree", "arch"}: "x86_64", {"tree", "variants"}: "Server",
		{"variant-Server", "packages"}: "Packages", {"variant-Server", "repository"}: ".", {"variant-Server", "addons"}: "Server-HA",
		{"addon-Server-HA", "repository"}: "addons/HA", {"addon-Server-HA", "parent"}: "Server", {"general", "packagedir"}: "Packages",
	}
	for k, v := range checks {
		if ti[k[0]][k[1]] != v {
			t.Errorf("[%s] %s = %q want %q", k[0], k[1], ti[k[0]][k[1]], v)
		}
	}
	if !strings.HasPrefix(ti["checksums"]["repodata/repomd.xml"], "sha256:") || !strings.HasPrefix(ti["checksums"]["addons/HA/repodata/repomd.xml"], "sha256:") {
		t.Errorf("checksums %v", ti["checksums"])
	}
	di, _ := os.ReadFile(filepath.Join(dir, "compose/Server/x86_64/os/.discinfo"))
	if lines := strings.Split(string(di), "\n"); len(lines) < 4 || lines[1] != "Demo Linux 1.0" || lines[2] != "x86_64" || lines[3] != "ALL" {
		t.Errorf(".discinfo %q", di)
	}
	mr, _ := os.ReadFile(filepath.Join(dir, "compose/Server/x86_64/os/media.repo"))
	if !strings.HasPrefix(string(mr), "[InstallMedia]\nname=Demo Linux 1.0\nmediaid=") {
		t.Errorf("media.repo %q", mr)
	}
	if _, err := os.Stat(filepath.Join(dir, "compose/Server/x86_64/os/addons/HA/.treeinfo")); err == nil {
		t.Error("addon has its own .treeinfo")
	}
}

func dnfArgs(root, cache string, repos map[string]string) []string {
	args := []string{"-q", "-y", "--installroot", root, "--releasever", "1", "--setopt=reposdir=/dev/null",
		"--setopt=cachedir=" + cache, "--nogpgcheck"}
	ids := make([]string, 0, len(repos))
	for id := range repos {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		args = append(args, "--repofrompath", id+",file://"+repos[id], "--repo", id)
	}
	return args
}

func checkWithDNF(t *testing.T, dir string) {
	toolcheck.Need(t, "dnf")
	top := filepath.Join(dir, "compose")
	look := filepath.Join(demoDir, "lookaside")
	server, ha, opt, ws := top+"/Server/x86_64/os", top+"/Server/x86_64/os/addons/HA", top+"/Server-optional/x86_64/os", top+"/Workstation/x86_64/os"
	cases := []struct {
		tree    string
		group   string
		repos   map[string]string
		want    string
		closure string // repo id checked by repoclosure
	}{
		{"Server", "web-server", map[string]string{"t": server}, "demo-httpd", "t"},
		{"Server-HA", "ha", map[string]string{"t": ha, "p": server}, "demo-cluster", "t"},
		{"Server-optional", "development", map[string]string{"t": opt, "p": server}, "demo-ssl-devel", "t"},
		{"Workstation", "desktop", map[string]string{"t": ws, "l": look}, "demo-desktop", "t"},
	}
	for _, tc := range cases {
		root, cache := t.TempDir(), t.TempDir()
		args := append(dnfArgs(root, cache, tc.repos), "groupinstall", tc.group)
		if out, err := exec.Command("dnf", args...).CombinedOutput(); err != nil {
			t.Errorf("%s: dnf groupinstall %s: %v\n%s", tc.tree, tc.group, err, out)
			continue
		}
		out, _ := exec.Command("rpm", "--root", root, "-qa", "--qf", "%{NAME}\n").Output()
		if !strings.Contains(string(out), tc.want+"\n") {
			t.Errorf("%s: %s not installed: %s", tc.tree, tc.want, out)
		}
		cargs := []string{"-q", "repoclosure", "--releasever", "1", "--setopt=reposdir=/dev/null", "--setopt=cachedir=" + cache, "--check", tc.closure}
		for id, p := range tc.repos {
			cargs = append(cargs, "--repofrompath", id+",file://"+p, "--repo", id)
		}
		if out, err := exec.Command("dnf", cargs...).CombinedOutput(); err != nil {
			t.Errorf("%s: dnf repoclosure: %v\n%s", tc.tree, err, out)
		}
	}
}

// captureStdout runs fn with os.Stdout redirected and returns the output.
func captureStdout(t *testing.T, fn func() int) (string, int) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	code := fn()
	w.Close()
	os.Stdout = old
	return <-done, code
}

// TestDemoGatherMatchesDepsolve replays every depsolver run of a demo
// gather through pungo depsolve with the arguments pungo gather --json
// prints (DepsolveArgs: options, lookaside repositories, the module view
// as its active streams, --hybrid), against one repository holding the
// demo's package set (rpms and modular/rpms with its modules.yaml), and
// compares the results package by package (flags and repository
// included), before the variant rules trim them. The demo as shipped
// (module source nodeps, comps deps: Server's deps view has demo-lang:2
// active) and with gather_method hybrid (Server's module source in the
// hybrid view, every comps source in the default-streams view).
func TestDemoGatherMatchesDepsolve(t *testing.T) {
	repo := demoPkgsetRepo(t)
	data, err := os.ReadFile(filepath.Join(demoDir, "variants.xml"))
	if err != nil {
		t.Fatal(err)
	}
	stream1 := filepath.Join(t.TempDir(), "variants.xml")
	if err := os.WriteFile(stream1, bytes.ReplaceAll(data, []byte("demo-lang:2"), []byte("demo-lang:1")), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, extra string
		runs        int
		stream      string // Server's
	}{
		{"demo", "", 4, "demo-lang:2"},
		{"hybrid", `gather_method = "hybrid"`, 5, "demo-lang:2"},
		// Server ships the non-default stream: the replay sees demo-lang
		// 1.0 only through the view's active streams.
		{"hybrid, non-default stream", "gather_method = \"hybrid\"\nvariants_file = \"" + stream1 + "\"", 5, "demo-lang:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, res, cleanup, err := planGather(context.Background(), demoConfig(t, tc.extra, nil))
			if cleanup != nil {
				defer cleanup()
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Depsolve) != tc.runs {
				t.Fatalf("depsolve runs: %d", len(res.Depsolve))
			}
			modular := 0
			for key, di := range res.Depsolve {
				uid, rest, _ := strings.Cut(key, ".")
				arch, src, _ := strings.Cut(rest, ".")
				args, ok, why := di.DepsolveArgs(arch, repo)
				if !ok {
					t.Fatalf("%s: no replay: %s", key, why)
				}
				if di.ModulesApplied && slices.Contains(di.Modules, tc.stream) {
					modular++
				}
				out, code := captureStdout(t, func() int { return runDepsolve(append([]string{"--json"}, args...)) })
				if code != 0 {
					t.Fatalf("%s: pungo depsolve %v exited %d: %s", key, args, code, out)
				}
				var got depsolveJSON
				if err := json.Unmarshal([]byte(out), &got); err != nil {
					t.Fatalf("%s: %v\n%s", key, err, out)
				}
				want := res.Depsolved[key]
				cmp := func(typ string, items []depsolveJSONItem, ref []depsolve.Item) {
					var a, b []string
					for _, it := range items {
						a = append(a, it.NEVRA+" "+strings.Join(it.Flags, ",")+" "+it.Repo)
					}
					for _, it := range ref {
						// The gather's pool holds a variant's stream packages in a
						// repository of their own; they are the package set's.
						id := strings.Replace(it.Repo.ID, "modules-", "pkgset-", 1)
						b = append(b, it.Pkg.NEVRA()+" "+strings.Join(it.Flags.Names(), ",")+" "+id)
					}
					sort.Strings(a)
					sort.Strings(b)
					if strings.Join(a, "\n") != strings.Join(b, "\n") {
						t.Errorf("%s %s (%s): pungo depsolve %v\n%s\ngather phase\n%s", uid, typ, src, args, strings.Join(a, "\n"), strings.Join(b, "\n"))
					}
				}
				cmp("rpm", got.RPM, want.RPM)
				cmp("srpm", got.SRPM, want.SRPM)
				cmp("debuginfo", got.Debuginfo, want.Debuginfo)
				if len(want.RPM) == 0 {
					t.Errorf("%s: empty result", key)
				}
			}
			if modular == 0 {
				t.Errorf("no run had %s active", tc.stream)
			}
		})
	}
}

// demoPkgsetRepo makes one repository of the demo's package set: the
// packages of rpms and modular/rpms, with modular/rpms' modules record.
func demoPkgsetRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, sub := range []string{"rpms", "modular/rpms"} {
		ents, err := os.ReadDir(filepath.Join(demoDir, sub))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if strings.HasSuffix(e.Name(), ".rpm") {
				if err := os.Symlink(filepath.Join(demoDir, sub, e.Name()), filepath.Join(dir, e.Name())); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := createrepo.Run(dir, createrepo.Options{}); err != nil {
		t.Fatal(err)
	}
	r, err := repomd.Open(filepath.Join(demoDir, "modular/rpms"))
	if err != nil {
		t.Fatal(err)
	}
	x, err := modulemd.ReadRepo(r)
	if err != nil || x == nil {
		t.Fatalf("modular/rpms modules: %v", err)
	}
	if _, err := pkgset.AddModulesRecord(x, dir, t.TempDir(), ""); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestComposeFaults(t *testing.T) {
	status := func(dir string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
		return strings.TrimSpace(string(b))
	}
	t.Run("unresolved dependency with check_deps", func(t *testing.T) {
		cfg := demoConfig(t, "gather_lookaside_repos = []", nil)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
		dir := onlyCompose(t, target)
		if code != 2 || status(dir) != "DOOMED" {
			t.Fatalf("code %d status %s\n%s", code, status(dir), out)
		}
		if !strings.Contains(out, "Unresolved dependencies for Workstation.x86_64 (check_deps is on): demo-desktop.x86_64: demo-fonts") {
			t.Errorf("message: %s", out)
		}
		if _, err := os.Lstat(filepath.Join(target, "latest-Demo-1")); err == nil {
			t.Error("latest link made for a DOOMED compose")
		}
	})
	t.Run("missing package file", func(t *testing.T) {
		repo := t.TempDir()
		ents, _ := os.ReadDir(filepath.Join(demoDir, "rpms"))
		for _, e := range ents {
			if e.IsDir() {
				continue
			}
			if err := os.Link(filepath.Join(demoDir, "rpms", e.Name()), filepath.Join(repo, e.Name())); err != nil {
				data, _ := os.ReadFile(filepath.Join(demoDir, "rpms", e.Name()))
				os.WriteFile(filepath.Join(repo, e.Name()), data, 0o644)
			}
		}
		os.Symlink(filepath.Join(demoDir, "rpms", "repodata"), filepath.Join(repo, "repodata"))
		os.Remove(filepath.Join(repo, "demo-shell-5.2-1.x86_64.rpm"))
		cfg := demoConfig(t, fmt.Sprintf("pkgset_repos = {\"x86_64\": [%q]}", repo), nil)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
		dir := onlyCompose(t, target)
		if code != 2 || status(dir) != "DOOMED" || !strings.Contains(out, "demo-shell-5.2-1.x86_64.rpm") || !strings.Contains(out, "no such file") {
			t.Errorf("code %d status %s\n%s", code, status(dir), out)
		}
	})
	t.Run("missing input package", func(t *testing.T) {
		cfg := demoConfig(t, `additional_packages = [("^Server$", {"*": ["no-such-package"]})]`, nil)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
		dir := onlyCompose(t, target)
		log, _ := os.ReadFile(filepath.Join(dir, "logs/global/pungi.global.log"))
		if code != 0 || !strings.Contains(string(log), "Input package no-such-package of Server.x86_64 is not in the package set") {
			t.Errorf("code %d\n%s", code, out)
		}
	})
	t.Run("wrong variants file", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "variants.xml")
		os.WriteFile(bad, []byte("<variants>\n  <variant id=\"Server\" name=\"Server\" type=\"bogus\">\n  </variant>\n</variants>\n"), 0o644)
		cfg := demoConfig(t, fmt.Sprintf("variants_file = %q", bad), nil)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
		dir := onlyCompose(t, target)
		if code != 2 || status(dir) != "DOOMED" || !strings.Contains(out, bad+":2") {
			t.Errorf("code %d status %s\n%s", code, status(dir), out)
		}
	})
	t.Run("broken notification script", func(t *testing.T) {
		script := filepath.Join(t.TempDir(), "broken.sh")
		os.WriteFile(script, []byte("#!/bin/sh\necho oops >&2\nexit 7\n"), 0o755)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--notification-script", script)
		dir := onlyCompose(t, target)
		if code != 0 || status(dir) != "FINISHED" || !strings.Contains(out, "Failed to invoke notification script "+script) {
			t.Errorf("code %d status %s\n%s", code, status(dir), out)
		}
	})
	t.Run("killed compose", func(t *testing.T) {
		// The script kills the compose when createrepo starts, then lingers
		// so the signal arrives while the phase runs.
		script := filepath.Join(t.TempDir(), "kill.sh")
		os.WriteFile(script, []byte("#!/bin/sh\nif [ \"$1\" = phase-start ] && grep -q '\"phase_name\":\"createrepo\"'; then kill -TERM $PPID; sleep 0.5; fi\nexit 0\n"), 0o755)
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet", "--notification-script", script)
		dir := onlyCompose(t, target)
		if code != 1 || status(dir) != "TERMINATED" {
			t.Fatalf("code %d status %s\n%s", code, status(dir), out)
		}
		// No half-written repodata: no temporary directories, and every
		// repodata present is complete.
		filepath.Walk(filepath.Join(dir, "compose"), func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return nil
			}
			if strings.HasPrefix(info.Name(), ".repodata.tmp-") {
				t.Errorf("half-written repodata left: %s", p)
			}
			if info.Name() == "repodata" {
				if _, err := repomd.Open(filepath.Dir(p)); err != nil {
					t.Errorf("incomplete repodata %s: %v", p, err)
				}
			}
			return nil
		})
		log, _ := os.ReadFile(filepath.Join(dir, "logs/global/pungi.global.log"))
		if !strings.Contains(string(log), "Compose run failed: signal terminated") {
			t.Errorf("log does not say why:\n%s", log)
		}
	})
	t.Run("just-phase gather without pkgset", func(t *testing.T) {
		// Pungi's check_skip_phases refuses it before anything is made.
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet", "--just-phase", "gather")
		if ents, _ := os.ReadDir(target); code != 2 || len(ents) != 0 || !strings.Contains(out, "pkgset phase is skipped but it's needed by gather phase") {
			t.Errorf("code %d, %d entries in the target\n%s", code, len(ents), out)
		}
		target = t.TempDir()
		if code, out := runPungo(t, t.TempDir(), "--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet", "--just-phase", "pkgset", "--just-phase", "gather"); code != 0 {
			t.Errorf("--just-phase pkgset --just-phase gather: code %d\n%s", code, out)
		}
	})
	t.Run("option rules", func(t *testing.T) {
		cfg := filepath.Join(demoDir, "demo.conf")
		for _, tc := range []struct {
			args []string
			want string
		}{
			{[]string{"--production"}, "must specify label for a production compose"},
			{[]string{"--label", "Gold-1"}, "Label in unknown format: Gold-1"},
			{[]string{"--skip-phase", "pkgset"}, "pkgset phase is skipped but it's needed by gather phase"},
			{[]string{"--skip-phase", "gather", "--skip-phase", "pkgset"}, "gather phase is skipped but it's needed by createrepo phase"},
			{[]string{"--skip-phase", "no_such_phase"}, `unknown phase "no_such_phase"`},
			{[]string{"--label", "RC-1.0", "--no-label"}, "mutually exclusive"},
		} {
			target := t.TempDir()
			code, out := runPungo(t, t.TempDir(), append([]string{"--config", cfg, "--target-dir", target, "--quiet"}, tc.args...)...)
			if code != 2 || !strings.Contains(out, tc.want) {
				t.Errorf("%v: code %d\n%s", tc.args, code, out)
			}
			if ents, _ := os.ReadDir(target); len(ents) != 0 {
				t.Errorf("%v: a compose directory was created", tc.args)
			}
		}
	})
}

func TestParseKojiEvent(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "work", "global"), 0o755)
	os.WriteFile(filepath.Join(dir, "work", "global", "koji-event"), []byte(`{"id": 4242, "ts": 1.5}`), 0o644)
	for in, want := range map[string]int64{"": 0, "17": 17, dir: 4242} {
		if got, err := parseKojiEvent(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	if _, err := parseKojiEvent(t.TempDir()); err == nil {
		t.Error("a directory without koji-event accepted")
	}
}

// TestKojiCompose composes the demo from a test Koji hub (demoKojiHub):
// the builds are tagged in a parent and a child tag, demo-httpd has a copy
// signed by abcd1234, the others are unsigned.
func TestKojiCompose(t *testing.T) {
	hub, top := demoKojiHub(t)
	kojiConf := func(sigkeys string) string { return kojiDemoConfig(t, "sigkeys = "+sigkeys) }

	target := t.TempDir()
	code, out := runPungo(t, t.TempDir(), "--config", kojiConf(`["abcd1234", None]`), "--target-dir", target, "--quiet")
	if code != 0 {
		t.Fatalf("koji compose exited %d:\n%s", code, out)
	}
	dir := onlyCompose(t, target)
	rpms := readJSON(t, filepath.Join(dir, "compose/metadata/rpms.json"))["payload"].(map[string]any)["rpms"].(map[string]any)
	srv := rpms["Server"].(map[string]any)["x86_64"].(map[string]any)
	httpd := srv["demo-httpd-0:2.4-7.src"].(map[string]any)["demo-httpd-0:2.4-7.x86_64"].(map[string]any)
	shell := srv["demo-shell-0:5.2-1.src"].(map[string]any)["demo-shell-0:5.2-1.x86_64"].(map[string]any)
	if httpd["sigkey"] != "abcd1234" || shell["sigkey"] != nil {
		t.Errorf("sigkeys: httpd %v shell %v", httpd["sigkey"], shell["sigkey"])
	}
	if ev, err := os.ReadFile(filepath.Join(dir, "work/global/koji-event")); err != nil || !strings.Contains(string(ev), fmt.Sprintf(`"id":%d`, hub.LastEvent())) {
		t.Errorf("koji-event: %s %v", ev, err)
	}
	// The tree's demo-httpd is the signed copy.
	a, _ := os.Stat(filepath.Join(dir, "compose/Server/x86_64/os/Packages/demo-httpd-2.4-7.x86_64.rpm"))
	b, _ := os.Stat(filepath.Join(top, "packages/demo-httpd/2.4/7/data/signed/abcd1234/x86_64/demo-httpd-2.4-7.x86_64.rpm"))
	if a == nil || b == nil || !os.SameFile(a, b) {
		t.Error("the tree does not hold the signed copy")
	}

	target = t.TempDir()
	code, out = runPungo(t, t.TempDir(), "--config", kojiConf(`["abcd1234"]`), "--target-dir", target, "--quiet")
	dir = onlyCompose(t, target)
	st, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
	if code != 2 || string(st) != "DOOMED\n" || !strings.Contains(out, "RPM(s) not found for sigs: [abcd1234]") || !strings.Contains(out, "demo-shell-5.2-1.x86_64.rpm") {
		t.Errorf("missing signed copy: code %d status %q\n%s", code, st, out)
	}

	// A host without Koji's topdir: two composes at once download from
	// topurl into one shared koji_cache; each file crosses the network
	// once and the trees hold hard links to the cached files.
	prof := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(prof, []byte(fmt.Sprintf("[demokoji]\nserver = %s\ntopdir = %s\ntopurl = %s\n", hub.URL(), filepath.Join(t.TempDir(), "not-mounted"), hub.TopURL())), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
	cache := t.TempDir()
	cfg := kojiConf(`["abcd1234", None]` + "\nkoji_cache = \"" + cache + "\"")
	targets := []string{t.TempDir(), t.TempDir()}
	codes, outs := make([]int, 2), make([]string, 2)
	var wg sync.WaitGroup
	for i := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], outs[i] = runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", targets[i], "--quiet")
		}()
	}
	wg.Wait()
	for i := range targets {
		if codes[i] != 0 {
			t.Fatalf("koji_cache compose %d exited %d:\n%s", i, codes[i], outs[i])
		}
	}
	downloads := hub.Downloads()
	seen := map[string]bool{}
	for _, d := range downloads {
		if seen[d] {
			t.Errorf("%s downloaded twice", d)
		}
		seen[d] = true
	}
	if !seen["packages/demo-httpd/2.4/7/data/signed/abcd1234/x86_64/demo-httpd-2.4-7.x86_64.rpm"] {
		t.Errorf("signed demo-httpd not downloaded: %v", downloads)
	}
	cached, _ := os.Stat(filepath.Join(cache, "packages/demo-httpd/2.4/7/data/signed/abcd1234/x86_64/demo-httpd-2.4-7.x86_64.rpm"))
	for _, target := range targets {
		tree, _ := os.Stat(filepath.Join(onlyCompose(t, target), "compose/Server/x86_64/os/Packages/demo-httpd-2.4-7.x86_64.rpm"))
		if cached == nil || tree == nil || !os.SameFile(cached, tree) {
			t.Errorf("%s: tree's demo-httpd is not a hard link to the cached copy", target)
		}
	}
	// A third compose finds everything in the cache.
	code, out = runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", t.TempDir(), "--quiet")
	if code != 0 || len(hub.Downloads()) != len(downloads) {
		t.Errorf("cached compose: exit %d, %d new downloads\n%s", code, len(hub.Downloads())-len(downloads), out)
	}
}

// TestDemoISOCompose composes demo-iso.conf (demo.conf plus DVD ISOs): the
// import keeps every demo setting and each variant gets its two DVDs.
// demo.conf itself builds none, so that it composes without ISO tools.
func TestDemoISOCompose(t *testing.T) {
	toolcheck.Need(t, "genisoimage")
	toolcheck.Need(t, "implantisomd5")
	target, tmp := t.TempDir(), t.TempDir()
	code, out := runPungo(t, tmp, "--config", filepath.Join(demoDir, "demo-iso.conf"), "--target-dir", target, "--quiet", "--no-latest-link")
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	dir := onlyCompose(t, target)
	id := filepath.Base(dir)
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); string(st) != "FINISHED\n" {
		t.Fatalf("STATUS %q", st)
	}
	for _, rel := range []string{"Server/x86_64/iso/" + id + "-Server-x86_64-dvd1.iso", "Server/source/iso/" + id + "-Server-source-dvd1.iso",
		"Workstation/x86_64/iso/" + id + "-Workstation-x86_64-dvd1.iso", "Workstation/source/iso/" + id + "-Workstation-source-dvd1.iso"} {
		if st, err := os.Stat(filepath.Join(dir, "compose", rel)); err != nil || st.Size() == 0 {
			t.Errorf("ISO %s: %v", rel, err)
		}
	}
	// Settings imported from demo.conf still apply (filter_packages).
	if _, err := os.Stat(filepath.Join(dir, "compose", "Workstation", "x86_64", "os", "Packages", "demo-games-0.9-1.x86_64.rpm")); err == nil {
		t.Error("demo-games shipped in Workstation: demo.conf's filter_packages lost")
	}
}

// TestLatestLinkOptions: the latest-Demo-1 link is made unless
// --no-latest-link, and with --latest-link-status only for a matching
// status (case-insensitive, as Pungi).
func TestLatestLinkOptions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		link bool
	}{
		{nil, true},
		{[]string{"--no-latest-link"}, false},
		{[]string{"--latest-link-status", "doomed"}, false},
		{[]string{"--latest-link-status", "DOOMED", "--latest-link-status", "finished"}, true},
	} {
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), append([]string{"--config", filepath.Join(demoDir, "demo.conf"), "--target-dir", target, "--quiet",
			"--skip-phase", "repoclosure"}, tc.args...)...)
		if code != 0 {
			t.Fatalf("%v: code %d\n%s", tc.args, code, out)
		}
		_, err := os.Readlink(filepath.Join(target, "latest-Demo-1"))
		if (err == nil) != tc.link {
			t.Errorf("%v: latest link present %v, want %v", tc.args, err == nil, tc.link)
		}
	}
}

// TestLinkTypeAndHashedDirectories composes the demo with each link_type
// and hashed_directories: the tree holds the right kind of file, rpms.json
// and the repodata point at Packages/<first letter>/ when hashed.
func TestLinkTypeAndHashedDirectories(t *testing.T) {
	for _, tc := range []struct {
		linkType string
		hashed   bool
	}{
		{"hardlink", true},
		{"copy", false},
		{"symlink", true},
		{"abspath-symlink", false},
	} {
		t.Run(fmt.Sprintf("%s-hashed-%v", tc.linkType, tc.hashed), func(t *testing.T) {
			py := map[bool]string{true: "True", false: "False"}[tc.hashed]
			cfg := demoConfig(t, fmt.Sprintf("link_type = %q\nhashed_directories = %s", tc.linkType, py), nil)
			target := t.TempDir()
			if code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--skip-phase", "repoclosure"); code != 0 {
				t.Fatalf("code %d\n%s", code, out)
			}
			dir := onlyCompose(t, target)
			rel := "Server/x86_64/os/Packages/demo-httpd-2.4-7.x86_64.rpm"
			if tc.hashed {
				rel = "Server/x86_64/os/Packages/d/demo-httpd-2.4-7.x86_64.rpm"
			}
			rpms := readJSON(t, filepath.Join(dir, "compose/metadata/rpms.json"))["payload"].(map[string]any)["rpms"].(map[string]any)
			e := rpms["Server"].(map[string]any)["x86_64"].(map[string]any)["demo-httpd-0:2.4-7.src"].(map[string]any)["demo-httpd-0:2.4-7.x86_64"].(map[string]any)
			if e["path"] != rel {
				t.Errorf("rpms.json path %v, want %s", e["path"], rel)
			}
			file := filepath.Join(dir, "compose", rel)
			fi, err := os.Lstat(file)
			if err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(demoDir, "rpms", "demo-httpd-2.4-7.x86_64.rpm")
			si, _ := os.Stat(src)
			target2, _ := os.Readlink(file)
			switch tc.linkType {
			case "hardlink":
				if !os.SameFile(fi, si) {
					t.Error("not a hard link of the package set file")
				}
			case "copy":
				if fi.Mode()&os.ModeSymlink != 0 || os.SameFile(fi, si) || fi.Size() != si.Size() {
					t.Error("not a copy")
				}
			case "symlink":
				if fi.Mode()&os.ModeSymlink == 0 || filepath.IsAbs(target2) {
					t.Errorf("not a relative symlink: %q", target2)
				}
			case "abspath-symlink":
				if fi.Mode()&os.ModeSymlink == 0 || target2 != src {
					t.Errorf("not an absolute symlink to %s: %q", src, target2)
				}
			}
			repo, err := repomd.Open(filepath.Join(dir, "compose/Server/x86_64/os"))
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range repo.Packages {
				if p.Name == "demo-httpd" {
					found = true
					if want := strings.TrimPrefix(rel, "Server/x86_64/os/"); p.Location != want {
						t.Errorf("repodata location %s, want %s", p.Location, want)
					}
				}
			}
			if !found {
				t.Error("demo-httpd not in the repodata")
			}
		})
	}
}
