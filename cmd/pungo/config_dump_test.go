package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// shipsGames reports whether a compose's Server tree has demo-games.
func shipsGames(t *testing.T, dir string) bool {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "compose/metadata/rpms.json"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(data), "demo-games-0:0.9-1.x86_64")
}

func TestConfigDumpFreezeEvent(t *testing.T) {
	hub, _ := demoKojiHub(t)
	cfg := kojiDemoConfig(t, `additional_packages = [("^Server$", {"*": ["demo-games"]})]`)
	compose := func(config string) string {
		target := t.TempDir()
		code, out := runPungo(t, t.TempDir(), "--config", config, "--target-dir", target, "--quiet", "--no-latest-link")
		if code != 0 {
			t.Fatalf("compose %s: exit %d\n%s", config, code, out)
		}
		return onlyCompose(t, target)
	}
	first := compose(cfg)
	frozen := hub.LastEvent()
	if shipsGames(t, first) {
		t.Fatal("demo-games shipped before it was tagged")
	}
	// Koji moves on: demo-games gets tagged.
	hub.TagBuild("demo-1.0", "demo-games-0.9-1")

	// Pin the first compose's event, from its config file and from the
	// compose directory itself (its config dump).
	for _, source := range []string{cfg, first} {
		code, out, errOut := runCLI(t, runConfig, "dump", "--freeze-event", first, source)
		if code != 0 {
			t.Fatalf("config dump --freeze-event %s: exit %d: %s", source, code, errOut)
		}
		var dumped map[string]any
		if err := json.Unmarshal([]byte(out), &dumped); err != nil {
			t.Fatalf("dump of %s: %v", source, err)
		}
		if ev, _ := dumped["koji_event"].(float64); int64(ev) != frozen {
			t.Errorf("dump of %s: koji_event %v, want %d", source, dumped["koji_event"], frozen)
		}
		if dumped["pkgset_koji_tag"] != "demo-1.0" {
			t.Errorf("dump of %s lost the config: %v", source, dumped["pkgset_koji_tag"])
		}
		if source != cfg {
			continue
		}
		pinned := filepath.Join(t.TempDir(), "pinned.json")
		os.WriteFile(pinned, []byte(out), 0o644)
		// The respin from the pinned config sees Koji as it was.
		calls := len(hub.CallsTo("getEvent"))
		respin := compose(pinned)
		if shipsGames(t, respin) {
			t.Error("compose from the frozen config took a build tagged after the event")
		}
		ev, _ := os.ReadFile(filepath.Join(respin, "work/global/koji-event"))
		if !strings.Contains(string(ev), fmt.Sprintf(`"id":%d`, frozen)) {
			t.Errorf("respin's koji-event: %s", ev)
		}
		if len(hub.CallsTo("getEvent")) != calls+1 {
			t.Error("respin did not ask the hub for the frozen event")
		}
	}
	// The same config unfrozen takes the newest state of the tag.
	if !shipsGames(t, compose(cfg)) {
		t.Error("unfrozen compose lacks demo-games tagged since")
	}
}

func TestConfigDumpMulti(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"multi.conf": "[general]\nrelease_name = Demo\nTarget: /mnt/composes\n\n[server]\nconfig = server.conf\n\n[client]\nconfig = client.conf\n",
		"server.conf": `release_name = "Demo"
release_short = "demo"
release_version = "1"
variants_file = "variants.xml"
comps_file = "comps.xml"
pkgset_source = "repos"
gather_method = "deps"
pkgset_repos = {"x86_64": ["/repo"]}
sigkeys = [None]
`,
		"client.conf": `from server import *
release_short = "democlient"
`,
		"variants.xml": "<variants/>\n",
		"comps.xml":    "<comps/>\n",
	})
	dest := filepath.Join(t.TempDir(), "frozen")
	code, _, errOut := runCLI(t, runConfig, "dump", "--freeze-event", "4242", "--multi", dest, filepath.Join(dir, "multi.conf"))
	if code != 0 {
		t.Fatalf("dump --multi: exit %d: %s", code, errOut)
	}
	ini, err := os.ReadFile(filepath.Join(dest, "multi.conf"))
	if err != nil {
		t.Fatal(err)
	}
	want := "[general]\nrelease_name = Demo\ntarget = /mnt/composes\n\n[server]\nconfig = server.json\n\n[client]\nconfig = client.json\n\n"
	if string(ini) != want {
		t.Errorf("rewritten multi.conf:\n%s\nwant:\n%s", ini, want)
	}
	for part, short := range map[string]string{"server.json": "demo", "client.json": "democlient"} {
		var m map[string]any
		data, err := os.ReadFile(filepath.Join(dest, part))
		if err != nil || json.Unmarshal(data, &m) != nil {
			t.Fatalf("%s: %v\n%s", part, err, data)
		}
		if m["release_short"] != short || m["koji_event"] != float64(4242) || m["createrepo_checksum"] != "sha256" {
			t.Errorf("%s: release_short %v koji_event %v createrepo_checksum (default) %v", part, m["release_short"], m["koji_event"], m["createrepo_checksum"])
		}
	}
	for _, f := range []string{"variants.xml", "comps.xml"} {
		if _, err := os.Stat(filepath.Join(dest, f)); err != nil {
			t.Errorf("%s not copied beside the dumps: %v", f, err)
		}
	}
	// An invalid part stops the dump with the validation errors (exit 1).
	os.WriteFile(filepath.Join(dir, "client.conf"), []byte("from server import *\ngather_method = \"bogus\"\n"), 0o644)
	code, _, errOut = runCLI(t, runConfig, "dump", "--multi", t.TempDir(), filepath.Join(dir, "multi.conf"))
	if code != 1 || !strings.Contains(errOut, "gather_method") {
		t.Errorf("invalid part: exit %d, %q", code, errOut)
	}
}
