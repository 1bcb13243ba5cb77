package extrafiles

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestExtraFilesSources(t *testing.T) {
	toolcheck.Need(t, "git", "rpm2cpio", "cpio")
	cfgDir := t.TempDir()
	os.WriteFile(filepath.Join(cfgDir, "EULA"), []byte("eula\n"), 0o644)
	// A git repository with a docs directory.
	gitDir := t.TempDir()
	run := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = gitDir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	os.MkdirAll(filepath.Join(gitDir, "docs"), 0o755)
	os.WriteFile(filepath.Join(gitDir, "docs", "GPL"), []byte("gpl\n"), 0o644)
	run("init", "-q", "-b", "main")
	run("add", ".")
	run("commit", "-q", "-m", "docs")

	conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"media_checksums": []any{"sha256"},
		"extra_files": []any{[]any{"^Server$", map[string]any{"x86_64": []any{
			map[string]any{"scm": "file", "file": "EULA"},
			map[string]any{"scm": "git", "repo": "file://" + gitDir, "branch": "main", "dir": "docs", "target": "legal"},
			map[string]any{"scm": "rpm", "repo": "demo-release-server", "file": "/etc/demo-release-server"},
		}}}}}
	opts := compose.Options{Type: "test", Date: "20240101", ConfigPath: filepath.Join(cfgDir, "x.conf")}
	c := composetest.NewWith(t, conf, opts, opts)
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	c.Variants = []*compose.Variant{server}
	demo, err := repomd.Open(filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms"))
	if err != nil {
		t.Fatal(err)
	}
	var pkgs []*pkgset.Package
	for _, p := range demo.Packages {
		pkgs = append(pkgs, &pkgset.Package{Package: p, Path: demo.PackagePath(p)})
	}
	ps := pkgset.Loaded(&pkgset.Set{ByArch: map[string][]*pkgset.Package{"x86_64": pkgs}})
	if err := (&Phase{Pkgset: ps}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	tree := c.Paths.Compose.OSTree("x86_64", server)
	for rel, want := range map[string]string{"EULA": "eula\n", "legal/GPL": "gpl\n", "demo-release-server": "Demo Server 1.0\n"} {
		data, err := os.ReadFile(filepath.Join(tree, rel))
		if err != nil || string(data) != want {
			t.Errorf("%s: %q %v", rel, data, err)
		}
	}
	var doc struct {
		Payload struct {
			ExtraFiles map[string]map[string][]struct {
				File      string            `json:"file"`
				Size      int64             `json:"size"`
				Checksums map[string]string `json:"checksums"`
			} `json:"extra_files"`
		} `json:"payload"`
	}
	data, _ := os.ReadFile(c.Paths.Compose.Metadata("extra_files.json"))
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range doc.Payload.ExtraFiles["Server"]["x86_64"] {
		files = append(files, f.File)
		if len(f.Checksums) != 1 || len(f.Checksums["sha256"]) != 64 || f.Size == 0 {
			t.Errorf("%s: %+v", f.File, f)
		}
	}
	if strings.Join(files, " ") != "Server/x86_64/os/EULA Server/x86_64/os/demo-release-server Server/x86_64/os/legal/GPL" {
		t.Errorf("files %v", files)
	}
	if _, err := os.Stat(filepath.Join(tree, "extra_files.json")); err != nil {
		t.Error(err)
	}

	c.Conf.Set("extra_files", []any{[]any{"^Server$", map[string]any{"x86_64": []any{map[string]any{"scm": "rpm", "repo": "no-such-rpm", "file": "x"}}}}})
	if err := (&Phase{Pkgset: ps}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "No package matching no-such-rpm in the package set.") {
		t.Errorf("missing rpm: %v", err)
	}
}
