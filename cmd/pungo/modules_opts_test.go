package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
)

// readModules returns the modules record of a compose repository.
func readModules(t *testing.T, repo string) *modulemd.Index {
	t.Helper()
	r, err := repomd.OpenMeta(repo)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := r.OpenRecord("modules")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	x, err := modulemd.Read(rc, repo)
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// module_defaults_dir wins over the defaults the repository carries, with
// module_defaults_override_dir over it; module_obsoletes_dir adds
// obsoletes; createrepo_extra_modulemd adds a stream to Workstation
// (modules.json's koji_tag "DUMMY", as Pungi).
func TestDemoComposeModuleOptions(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("defaults/demo-lang.yaml", "document: modulemd-defaults\nversion: 1\ndata: {module: demo-lang, modified: 202402010000, stream: \"1\", profiles: {\"1\": [devel]}}\n")
	write("overrides/demo-lang.yaml", "document: modulemd-defaults\nversion: 1\ndata: {module: demo-lang, modified: 202402010000, stream: \"2\", profiles: {\"2\": [devel]}}\n")
	write("obsoletes/demo-lang.yaml", "document: modulemd-obsoletes\nversion: 1\ndata: {modified: 2024-03-01T00:00Z, module: demo-lang, stream: \"1\", message: use demo-lang:2, obsoleted_by: {module: demo-lang, stream: \"2\"}}\n")
	write("extra/x86_64/tool.yaml", "document: modulemd\nversion: 2\ndata: {name: demo-tool, stream: \"1\", version: 1, context: c1, arch: x86_64, summary: Tool, description: A tool., license: {module: [MIT]}}\n")
	conf := demoConfig(t, `
module_defaults_dir = {"scm": "file", "dir": "`+filepath.Join(dir, "defaults")+`"}
module_defaults_override_dir = "`+filepath.Join(dir, "overrides")+`"
module_obsoletes_dir = "`+filepath.Join(dir, "obsoletes")+`"
createrepo_extra_modulemd = {"Workstation": {"scm": "file", "dir": "`+filepath.Join(dir, "extra")+`"}}
`, nil)
	target := t.TempDir()
	code, out := runPungo(t, t.TempDir(), "--config", conf, "--target-dir", target, "--quiet")
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	top := onlyCompose(t, target)
	server := readModules(t, filepath.Join(top, "compose", "Server", "x86_64", "os"))
	d := server.Defaults["demo-lang"]
	if d == nil || d.Stream != "2" || strings.Join(d.Profiles["2"], ",") != "devel" || d.Profiles["1"] != nil {
		t.Errorf("Server defaults: %+v (want the override's: stream 2, profile devel)", d)
	}
	if len(server.Obsoletes) != 1 || server.Obsoletes[0].Stream != "1" {
		t.Errorf("Server obsoletes: %+v", server.Obsoletes)
	}
	ws := readModules(t, filepath.Join(top, "compose", "Workstation", "x86_64", "os"))
	if len(ws.Streams) != 1 || ws.Streams[0].Name != "demo-tool" {
		t.Errorf("Workstation streams: %+v", ws.Streams)
	}
	mj := readJSON(t, filepath.Join(top, "compose", "metadata", "modules.json"))
	wsMods, _ := mj["payload"].(map[string]any)["modules"].(map[string]any)["Workstation"].(map[string]any)
	e, _ := wsMods["x86_64"].(map[string]any)["demo-tool:1:1:c1"].(map[string]any)
	if e == nil || e["metadata"].(map[string]any)["koji_tag"] != "DUMMY" {
		t.Errorf("modules.json Workstation: %v", wsMods)
	}
}
