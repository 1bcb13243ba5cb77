package ostree

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func git(t *testing.T, dir string, args ...string) {
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// configRepo makes a local git repository holding the given files on main.
func configRepo(t *testing.T, files map[string]string) string {
	toolcheck.Need(t, "git")
	dir := t.TempDir()
	git(t, dir, "init", "-q")
	for name, content := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
	}
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "config")
	return dir
}

func ostreeRepo(t *testing.T) string {
	toolcheck.Need(t, "ostree")
	r := filepath.Join(t.TempDir(), "repo")
	if out, err := exec.Command("ostree", "init", "--repo="+r, "--mode=archive").CombinedOutput(); err != nil {
		t.Fatalf("ostree init: %v %s", err, out)
	}
	return r
}

func treeCompose(t *testing.T, block map[string]any) (*compose.Compose, string) {
	imgtest.WithPath(t, imgtest.FakeBin(t, "rpm-ostree"))
	log := filepath.Join(t.TempDir(), "rpm-ostree.log")
	t.Setenv("FAKE_RPM_OSTREE_LOG", log)
	c := imgtest.NewCompose(t, map[string]any{"ostree": map[string]any{"^Server$": block}}, "Beta-1.2")
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	os.MkdirAll(filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os"), 0o755)
	return c, log
}

const treefileJSON = `{"ref": "demo/${basearch}/server", "repos": ["upstream"], "packages": ["bash", "kernel"]}`

func TestOSTreeCommit(t *testing.T) {
	tp := &TreePhase{}
	cfg := configRepo(t, map[string]string{"demo.json": treefileJSON})
	repo := ostreeRepo(t)
	block := map[string]any{"treefile": "demo.json", "config_url": cfg, "config_branch": "main", "ostree_repo": repo,
		"repo":    []any{"Server", map[string]any{"name": "extra", "baseurl": "http://example.com/extra/$basearch", "exclude": "foo*"}},
		"version": "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN", "update_summary": true, "unified_core": true}
	c, log := treeCompose(t, block)
	msgs := filepath.Join(t.TempDir(), "msgs")
	script := filepath.Join(t.TempDir(), "notify")
	os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"$1\"; cat; echo; } >> "+msgs+"\n"), 0o755)
	c.Notifier = compose.NewNotifier([]string{script})
	c.Notifier.Attach(c)
	ctx := context.Background()
	if err := tp.Run(ctx, c); err != nil {
		t.Fatal(err)
	}
	workTree := filepath.Join(c.Topdir, "work", "ostree-1", "config_repo")
	calls, _ := os.ReadFile(log)
	logdir := filepath.Join(c.Topdir, "logs", "x86_64", "Server", "ostree-1")
	want := "compose tree --repo=" + repo + " --write-commitid-to=" + logdir + "/commitid.log --touch-if-changed=" + logdir +
		"/commitid.log.stamp --unified-core --add-metadata-string=version=1.0_Beta.1.2 " + workTree + "/demo.json\n"
	if string(calls) != want {
		t.Errorf("rpm-ostree called with\n%s\nwant\n%s", calls, want)
	}
	// The treefile lists only the compose's repos, defined in pungi.repo.
	var tf map[string]any
	b, _ := os.ReadFile(filepath.Join(workTree, "demo.json"))
	json.Unmarshal(b, &tf)
	if r := tf["repos"].([]any); len(r) != 3 || r[0] != "repo-0" {
		t.Errorf("treefile repos %v", tf["repos"])
	}
	pr, _ := os.ReadFile(filepath.Join(workTree, "pungi.repo"))
	for _, w := range []string{"baseurl=" + filepath.Join(c.Topdir, "compose", "Server", "$basearch", "os"), "exclude=foo*", "baseurl=" + filepath.Join(c.Topdir, "work", "$basearch", "repo", "repos") + "\n"} {
		if !strings.Contains(string(pr), w) {
			t.Errorf("pungi.repo lacks %q:\n%s", w, pr)
		}
	}
	tr, _ := tp.Commit("Server", "x86_64", 1)
	if tr.Ref != "demo/x86_64/server" || len(tr.CommitID) != 64 {
		t.Fatalf("result %+v", tr)
	}
	sent, _ := os.ReadFile(msgs)
	var note map[string]any
	if parts := strings.SplitN(string(sent), "\n", 3); len(parts) < 2 || parts[0] != "ostree" || json.Unmarshal([]byte(parts[1]), &note) != nil {
		t.Fatalf("notification %q", sent)
	}
	if note["commitid"] != tr.CommitID || note["ref"] != "demo/x86_64/server" || note["variant"] != "Server" || note["local_repo_path"] != repo {
		t.Errorf("ostree notification %v", note)
	}
	rev, err := exec.Command("ostree", "rev-parse", "--repo="+repo, tr.Ref).Output()
	if err != nil || strings.TrimSpace(string(rev)) != tr.CommitID {
		t.Fatalf("ref not tagged: %s %v", rev, err)
	}
	ver, _ := exec.Command("ostree", "show", "--repo="+repo, "--print-metadata-key=version", tr.Ref).Output()
	if strings.TrimSpace(string(ver)) != "'1.0_Beta.1.2'" {
		t.Errorf("version metadata %q", ver)
	}
	if _, err := os.Stat(filepath.Join(repo, "summary")); err != nil {
		t.Errorf("summary not updated: %v", err)
	}

	// Nothing changed: no new commit, the ref stays.
	if err := tp.Run(ctx, c); err != nil {
		t.Fatal(err)
	}
	res, _ := tp.Commit("Server", "x86_64", 1)
	if res.CommitID != "" {
		t.Errorf("a commit was made without changes: %+v", res)
	}
	// force_new_commit makes one.
	block["force_new_commit"] = true
	c.Conf.Set("ostree", map[string]any{"^Server$": block})
	if err := tp.Run(ctx, c); err != nil {
		t.Fatal(err)
	}
	res, _ = tp.Commit("Server", "x86_64", 1)
	if id := res.CommitID; id == "" || id == tr.CommitID {
		t.Errorf("force_new_commit: %q", id)
	}
}

func TestOSTreeMissingTreefile(t *testing.T) {
	cfg := configRepo(t, map[string]string{"other.json": treefileJSON})
	block := map[string]any{"treefile": "demo.json", "config_url": cfg, "config_branch": "main", "ostree_repo": ostreeRepo(t)}
	c, _ := treeCompose(t, block)
	err := (&TreePhase{}).Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "treefile demo.json does not exist in "+cfg+" (branch main)") {
		t.Fatalf("run: %v", err)
	}
	block["failable"] = []any{"*"}
	c.Conf.Set("ostree", map[string]any{"^Server$": block})
	if err := (&TreePhase{}).Run(context.Background(), c); err != nil {
		t.Fatalf("failable ostree stopped the compose: %v", err)
	}
	if c.FailedDeliverables() != 1 {
		t.Fatalf("failed deliverables %d", c.FailedDeliverables())
	}
}

func TestValidateRequiredKeys(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{"ostree": map[string]any{"^Server$": map[string]any{"treefile": "x.json"}}}, "")
	err := compose.ValidateConfig(c, &TreePhase{})
	if err == nil || !strings.Contains(err.Error(), `ostree for Server.x86_64: "config_url" is required`) {
		t.Fatalf("validate: %v", err)
	}
	if (&TreePhase{}).Skip(imgtest.NewCompose(t, nil, "")) != true {
		t.Fatal("ostree runs without configuration")
	}
}

func TestOSTreeContainer(t *testing.T) {
	imgtest.WithPath(t, imgtest.FakeBin(t, "rpm-ostree"))
	cfg := configRepo(t, map[string]string{"demo.yaml": "ref: demo/${basearch}/server\nrepos:\n  - upstream\npackages: [bash]\n"})
	c := imgtest.NewCompose(t, map[string]any{"ostree_container": map[string]any{"^Server$": map[string]any{
		"treefile": "demo.yaml", "config_url": cfg, "config_branch": "main", "version": "!VERSION_FROM_VERSION_DATE_RESPIN"}}}, "")
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	if err := (&ContainerPhase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Path != "Server/x86_64/images/DEMO-Server-1.0.20240102.0.ociarchive" || e[0].Image.Format != "ociarchive" {
		t.Fatalf("manifest %+v", e)
	}
	// A YAML treefile is included by the tweaked JSON one.
	b, _ := os.ReadFile(filepath.Join(c.Topdir, "work", "ostree-container-1", "config_repo", "demo.yaml"))
	if !strings.Contains(string(b), `"include": "demo.yaml.orig.yaml"`) {
		t.Errorf("tweaked treefile %s", b)
	}
}

func TestOSTreeInstaller(t *testing.T) {
	toolcheck.Need(t, "xorrisofs", "checkisomd5")
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	log := filepath.Join(t.TempDir(), "lorax.log")
	t.Setenv("FAKE_LORAX_LOG", log)
	tmpl := configRepo(t, map[string]string{"ostree-based-installer/lorax-configure-repo.tmpl": "# template\n"})
	repoDir := t.TempDir()
	c := imgtest.NewCompose(t, map[string]any{"ostree_installer": []any{[]any{"^Server$", map[string]any{"x86_64": map[string]any{
		"repo": []any{"file://" + repoDir}, "release": nil, "template_repo": tmpl, "template_branch": "main",
		"add_template": []any{"ostree-based-installer/lorax-configure-repo.tmpl"}, "add_template_var": []any{"ostree_ref=demo/x86_64/server"},
		"installpkgs": []any{"fedora-productimg-atomic"}}}}}}, "")
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	if err := (&InstallerPhase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	calls, _ := os.ReadFile(log)
	tmplPath := filepath.Join(c.Topdir, "work", "x86_64", "Server", "lorax_templates", "ostree-based-installer", "lorax-configure-repo.tmpl")
	for _, w := range []string{"--release=" + compose.ImageRelease(c.Info), "--source=file://" + repoDir, "--volid=DEMO-1.0 Server.x86_64",
		"--installpkgs=fedora-productimg-atomic", "--add-template=" + tmplPath, "--add-template-var=ostree_ref=demo/x86_64/server", "--nomacboot"} {
		if !strings.Contains(string(calls), w) {
			t.Errorf("lorax call lacks %q:\n%s", w, calls)
		}
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Type != "dvd-ostree" || e[0].Image.Path != "Server/x86_64/iso/"+c.ID()+"-Server-x86_64-ostree1.iso" || !e[0].Image.Bootable {
		t.Fatalf("manifest %+v", e)
	}
	if _, err := os.Stat(filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "images", "install.img")); err != nil {
		t.Error("installer output not copied into the os tree")
	}
}
