package ostree

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/phases/runroot"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// kojiPlugin points Koji's client (the fake koji, playing the builder)
// at a test hub.
func kojiPlugin(t *testing.T) *kojitest.Hub {
	h := kojitest.New(t, t.TempDir())
	h.Users["compose"] = "pw"
	kc := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(kc, []byte("[test]\nserver = "+h.URL()+"\nauthtype = password\nuser = compose\npassword = pw\ntopdir = "+h.TopDir+"\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", kc)
	imgtest.WithPath(t, imgtest.FakeBin(t, "koji"))
	old := runroot.DefaultPoll
	runroot.DefaultPoll = time.Millisecond
	t.Cleanup(func() { runroot.DefaultPoll = old })
	return h
}

func TestOSTreeInstallerPlugin(t *testing.T) {
	toolcheck.Need(t, "xorrisofs", "checkisomd5")
	imgtest.WithPath(t, imgtest.FakeBin(t, "lorax"))
	repoDir := t.TempDir()
	conf := func(extra map[string]any) map[string]any {
		m := map[string]any{"ostree_installer_use_koji_plugin": true, "runroot_tag": "f40-build", "koji_profile": "test",
			"runroot_weights": map[string]any{"ostree_installer": 5.0},
			"ostree_installer": []any{[]any{"^Server$", map[string]any{"x86_64": map[string]any{
				"repo": []any{"file://" + repoDir}, "release": nil, "installpkgs": []any{"fedora-productimg-atomic"},
				"add_template_var": []any{"ostree_ref=demo/x86_64/server"}, "rootfs_size": int64(3)}}}}}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}

	kojiPlugin(t)
	c := imgtest.NewCompose(t, conf(nil), "")
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	if err := (&InstallerPhase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	logdir := filepath.Join(c.Topdir, "logs", "x86_64", "Server", "ostree_installer-1")
	out := filepath.Join(c.Topdir, "work", "x86_64", "Server", "ostree_installer")
	b, _ := os.ReadFile(filepath.Join(logdir, "runroot.log"))
	want := fmt.Sprintf("koji --profile=test pungi-buildinstall --nowait --task-id --weight=5 --package=pungi --package=lorax --package=ostree"+
		" --mount=%s --chown-uid=%d f40-build x86_64 product=Demo version=1.0 release=%s sources=file://%s 'sources=%s/work/$basearch/repo/repos' variant=Server nomacboot"+
		" 'volid=DEMO-1.0 Server.x86_64' buildarch=x86_64 installpkgs=fedora-productimg-atomic add-template-var=ostree_ref=demo/x86_64/server"+
		" rootfs-size=3 outputdir=%s\n", c.Topdir, os.Getuid(), compose.ImageRelease(c.Info), repoDir, c.Topdir, out)
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("koji log:\n%s\nwant it to start with\n%s", b, want)
	}
	if ids := c.KojiTasks.IDs(); len(ids) != 1 {
		t.Errorf("recorded koji tasks %v", ids)
	}
	for _, f := range []string{filepath.Join(out, "images", "boot.iso"), filepath.Join(logdir, "lorax.log"),
		filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "images", "install.img")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not harvested: %v", err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "results")); err == nil {
		t.Error("results/ left in the output directory")
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Type != "dvd-ostree" || !e[0].Image.Bootable {
		t.Fatalf("images %+v", e)
	}

	// A failing task: a clear error, or a failed deliverable when failable.
	for _, failable := range []bool{false, true} {
		h := kojiPlugin(t)
		h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
			return kojitest.Outcome{Fail: "lorax: no space left"}
		}
		extra := map[string]any{}
		if failable {
			extra["ostree_installer"] = []any{[]any{"^Server$", map[string]any{"x86_64": map[string]any{
				"repo": []any{"file://" + repoDir}, "failable": []any{"*"}}}}}
		}
		c := imgtest.NewCompose(t, conf(extra), "")
		os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
		err := (&InstallerPhase{}).Run(context.Background(), c)
		if failable {
			if err != nil || c.FailedDeliverables() != 1 {
				t.Fatalf("failable: %v, failed %d", err, c.FailedDeliverables())
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), "ostree_installer Server.x86_64: Pungi-buildinstall task failed: ") ||
			!strings.Contains(err.Error(), "lorax: no space left") || !strings.Contains(err.Error(), "runroot.log for more details") {
			t.Fatalf("failing task: %v", err)
		}
	}
}

func TestOSTreePlugin(t *testing.T) {
	tp := &TreePhase{}
	cfg := configRepo(t, map[string]string{"demo.json": treefileJSON})
	repo := ostreeRepo(t)
	block := map[string]any{"treefile": "demo.json", "config_url": cfg, "config_branch": "main", "ostree_repo": repo,
		"repo":    []any{map[string]any{"name": "extra", "baseurl": "http://example.com/extra/$basearch"}},
		"version": "!OSTREE_VERSION_FROM_LABEL_DATE_TYPE_RESPIN", "update_summary": true, "ostree_ref": "demo/custom"}
	c, log := treeCompose(t, block)
	h := kojiPlugin(t)
	for k, v := range map[string]any{"ostree_use_koji_plugin": true, "runroot_tag": "f40-build", "runroot_channel": "compose",
		"koji_profile": "test", "runroot_weights": map[string]any{"ostree": 4.0}} {
		c.Conf.Set(k, v)
	}
	if err := tp.Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	logdir := filepath.Join(c.Topdir, "logs", "x86_64", "Server", "ostree-1")
	work := filepath.Join(c.Topdir, "work", "ostree-1")
	b, _ := os.ReadFile(filepath.Join(logdir, "runroot.log"))
	want := "koji --profile=test pungi-ostree --nowait --task-id --channel-override=compose --weight=4 --package=pungi --package=ostree" +
		" --package=rpm-ostree --mount=" + c.Topdir + " --mount=" + repo + " f40-build x86_64 repo=" + repo + " log-dir=" + logdir +
		" treefile=" + filepath.Join(work, "config_repo", "demo.json") + " version=1.0_Beta.1.2 extra-config=" + filepath.Join(work, "extra_config.json") +
		" update-summary ostree-ref=demo/custom\n"
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("koji log:\n%s\nwant it to start with\n%s", b, want)
	}
	args, kw := h.TaskArgs(int64(c.KojiTasks.IDs()[0]))
	if args[1] != "x86_64" || !strings.HasPrefix(args[2].(string), "pungi-ostree repo=") || kw["weight"] != int64(4) {
		t.Errorf("task %v %v", args, kw)
	}
	// The builder (pungi-make-ostree) committed; pungo read the commit ID
	// from log-dir, tagged the ref the treefile now names and kept the
	// summary to the plugin.
	if calls, _ := os.ReadFile(log); !strings.Contains(string(calls), "--add-metadata-string=version=1.0_Beta.1.2") {
		t.Errorf("rpm-ostree calls %s", calls)
	}
	tr, _ := tp.Commit("Server", "x86_64", 1)
	if tr.Ref != "demo/custom" || len(tr.CommitID) != 64 {
		t.Fatalf("result %+v", tr)
	}
	if rev, err := exec.Command("ostree", "rev-parse", "--repo="+repo, tr.Ref).Output(); err != nil || strings.TrimSpace(string(rev)) != tr.CommitID {
		t.Fatalf("ref not tagged: %s %v", rev, err)
	}
	if _, err := os.Stat(filepath.Join(repo, "summary")); err != nil {
		t.Errorf("summary not updated: %v", err)
	}

	// A failing task is a clear error; a failable one is recorded.
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "rpm-ostree: error: no such package"}
	}
	err := tp.Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "ostree Server.x86_64: Pungi-ostree task failed: ") || !strings.Contains(err.Error(), "no such package") {
		t.Fatalf("failing task: %v", err)
	}
	block["failable"] = []any{"*"}
	c.Conf.Set("ostree", map[string]any{"^Server$": block})
	if err := tp.Run(context.Background(), c); err != nil || c.FailedDeliverables() != 1 {
		t.Fatalf("failable: %v, failed %d", err, c.FailedDeliverables())
	}
}

func TestOSTreeContainerPlugin(t *testing.T) {
	imgtest.WithPath(t, imgtest.FakeBin(t, "rpm-ostree"))
	h := kojiPlugin(t)
	cfg := configRepo(t, map[string]string{"demo.yaml": "ref: demo/${basearch}/server\nrepos:\n  - upstream\npackages: [bash]\n"})
	block := map[string]any{"treefile": "demo.yaml", "config_url": cfg, "config_branch": "main",
		"version": "!VERSION_FROM_VERSION_DATE_RESPIN", "runroot_packages": []any{"extra-tool"}}
	c := imgtest.NewCompose(t, map[string]any{"ostree_container": map[string]any{"^Server$": block},
		"ostree_container_use_koji_plugin": true, "runroot_tag": "f40-build", "runroot_channel": "compose", "koji_profile": "test"}, "")
	os.MkdirAll(filepath.Join(c.Paths.Work.PkgsetRepo("x86_64", "repos"), "repodata"), 0o755)
	if err := (&ContainerPhase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	logdir := filepath.Join(c.Topdir, "logs", "x86_64", "Server", "ostree-container-1")
	work := filepath.Join(c.Topdir, "work", "ostree-container-1")
	target := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "images")
	b, _ := os.ReadFile(filepath.Join(logdir, "runroot.log"))
	want := "koji --profile=test pungi-ostree --nowait --task-id --channel-override=compose --package=pungi --package=ostree" +
		" --package=rpm-ostree --package=selinux-policy-targeted --package=extra-tool --mount=" + c.Topdir + " f40-build x86_64 log-dir=" + logdir +
		" treefile=" + filepath.Join(work, "config_repo", "demo.yaml") + " version=1.0.20240102.0 extra-config=" + filepath.Join(work, "extra_config.json") +
		" ociarchive-path=" + target + " ociarchive-name=DEMO-Server-1.0.20240102.0\n"
	if !strings.HasPrefix(string(b), want) {
		t.Errorf("koji log:\n%s\nwant it to start with\n%s", b, want)
	}
	if args, _ := h.TaskArgs(int64(c.KojiTasks.IDs()[0])); !strings.HasPrefix(args[2].(string), "pungi-ostree log-dir=") {
		t.Errorf("task %v", args)
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Path != "Server/x86_64/images/DEMO-Server-1.0.20240102.0.ociarchive" || e[0].Image.Deliverable != "ostree-container" {
		t.Fatalf("manifest %+v", e)
	}
	// The task tweaked the treefile (pungo leaves it to the plugin).
	if tf, _ := os.ReadFile(filepath.Join(work, "config_repo", "demo.yaml")); !strings.Contains(string(tf), `"include": "demo.yaml.orig.yaml"`) {
		t.Errorf("treefile not tweaked by the task: %s", tf)
	}

	// A failing task is a clear error; a failable one is recorded.
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "rpm-ostree: error: no such package"}
	}
	err := (&ContainerPhase{}).Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "ostree_container Server.x86_64: Pungi-ostree task failed: ") || !strings.Contains(err.Error(), "no such package") {
		t.Fatalf("failing task: %v", err)
	}
	block["failable"] = []any{"*"}
	c.Conf.Set("ostree_container", map[string]any{"^Server$": block})
	if err := (&ContainerPhase{}).Run(context.Background(), c); err != nil || c.FailedDeliverables() != 1 {
		t.Fatalf("failable: %v, failed %d", err, c.FailedDeliverables())
	}
}
