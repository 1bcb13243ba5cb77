package buildinstall

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/phases/runroot"
)

func TestPluginArgList(t *testing.T) {
	got := runroot.PluginArgList([]runroot.PluginArg{{Key: "product", Value: "Fedora"}, {Key: "sources", Value: []string{"/a", "/b"}},
		{Key: "isfinal", Value: true}, {Key: "nomacboot", Value: false}, {Key: "bugurl", Value: ""}, {Key: "rootfs-size", Value: int64(4)},
		{Key: "installpkgs", Value: []string(nil)}, {Key: "weight", Value: 2.0}, {Key: "conf", Value: nil}})
	want := "product=Fedora sources=/a sources=/b isfinal rootfs-size=4 weight=2"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %q\nwant %q", strings.Join(got, " "), want)
	}
}

// pluginSetup is setup with lorax_use_koji_plugin: Koji's client (the
// fake koji) submits pungi-buildinstall to a test hub and, as the builder,
// runs the fake lorax.
func pluginSetup(t *testing.T, extra map[string]any) (*compose.Compose, *kojitest.Hub, string) {
	conf := map[string]any{"lorax_use_koji_plugin": true, "runroot_tag": "f40-build", "runroot_channel": "compose",
		"runroot_weights": map[string]any{"buildinstall": 3.0}, "koji_profile": "test",
		"buildinstall_packages": []any{[]any{".*", map[string]any{"*": []any{"fedora-logos"}}}}}
	for k, v := range extra {
		conf[k] = v
	}
	c, log := setup(t, conf)
	h := kojitest.New(t, t.TempDir())
	h.Users["compose"] = "pw"
	kc := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(kc, []byte("[test]\nserver = "+h.URL()+"\nauthtype = password\nuser = compose\npassword = pw\ntopdir = "+h.TopDir+"\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", kc)
	imgtest.WithPath(t, imgtest.FakeBin(t, "koji"))
	old := runroot.DefaultPoll
	runroot.DefaultPoll = time.Millisecond
	t.Cleanup(func() { runroot.DefaultPoll = old })
	return c, h, log
}

func TestPluginBuildinstall(t *testing.T) {
	c, h, log := pluginSetup(t, nil)
	bi := New()
	if err := bi.Run(context.Background(), c); err != nil {
		b, _ := os.ReadFile(filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server.x86_64.log"))
		t.Fatalf("%v\n%s", err, b)
	}
	ids := c.KojiTasks.IDs()
	if len(ids) != 1 {
		t.Fatalf("recorded koji tasks %v", ids)
	}
	out := filepath.Join(c.Topdir, "work", "x86_64", "buildinstall", "Server")
	logs := filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs")
	// The exact koji command line, as Pungi's get_pungi_buildinstall_cmd.
	wantCmd := fmt.Sprintf("koji --profile=test pungi-buildinstall --nowait --task-id --channel-override=compose --weight=3 --package=lorax"+
		" --package=fedora-logos --mount=%s --chown-uid=%d f40-build x86_64 product=Demo version=1.0 release=1.0 sources=%s"+
		" variant=Server installpkgs=fedora-logos buildarch=x86_64 'volid=DEMO-1.0 Server.x86_64' nomacboot"+
		" bugurl=https://bugs.example.com add-template-var=x=1 noupgrade rootfs-size=4 outputdir=%s\n",
		c.Topdir, os.Getuid(), filepath.Join(c.Topdir, "work", "x86_64", "repo", "repos"), out)
	b, _ := os.ReadFile(c.Paths.Log.LogFile("x86_64", "buildinstall-Server"))
	if !strings.HasPrefix(string(b), wantCmd) {
		t.Errorf("koji log:\n%s\nwant it to start with\n%s", b, wantCmd)
	}
	args, kw := h.TaskArgs(int64(ids[0]))
	if args[0] != "f40-build" || args[1] != "x86_64" || !strings.HasPrefix(args[2].(string), "pungi-buildinstall product=Demo ") ||
		kw["channel"] != "compose" || kw["weight"] != int64(3) {
		t.Errorf("task %v %v", args, kw)
	}
	// The builder's lorax wrote into outputdir/results and outputdir/logs;
	// both came home and were harvested like a runroot lorax run.
	calls, _ := os.ReadFile(log)
	if !strings.Contains(string(calls), " --logfile="+filepath.Join(out, "logs", "lorax.log")+" ") || !strings.HasSuffix(string(calls), " "+filepath.Join(out, "results")+"\n") {
		t.Errorf("lorax called with %s", calls)
	}
	for _, gone := range []string{"results", "logs"} {
		if _, err := os.Stat(filepath.Join(out, gone)); err == nil {
			t.Errorf("%s/ left in %s", gone, out)
		}
	}
	for _, f := range []string{filepath.Join(out, "images", "boot.iso"), filepath.Join(logs, "lorax.log"),
		filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "images", "efiboot.img"),
		filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "ks.cfg")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not harvested: %v", err)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(c.Topdir, "compose", "Server", "x86_64", "os", "isolinux", "isolinux.cfg"))
	if !strings.Contains(string(cfg), `inst.ks=hd:LABEL=DEMO-1.0\x20Server.x86_64:/ks.cfg`) {
		t.Errorf("isolinux.cfg not rewritten:\n%s", cfg)
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Type != "boot" || !bi.Result.Succeeded("Server", "x86_64") {
		t.Fatalf("images %+v", e)
	}
}

func TestPluginBuildinstallTopdir(t *testing.T) {
	top := t.TempDir()
	c, _, _ := pluginSetup(t, map[string]any{"buildinstall_topdir": top})
	if err := New().Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	run := filepath.Join(top, "buildinstall-"+filepath.Base(c.Topdir), "x86_64", "Server")
	b, _ := os.ReadFile(c.Paths.Log.LogFile("x86_64", "buildinstall-Server"))
	if !strings.Contains(string(b), " outputdir="+run+"\n") {
		t.Errorf("koji log:\n%s", b)
	}
	for _, f := range []string{filepath.Join(c.Topdir, "work", "x86_64", "buildinstall", "Server", "images", "boot.iso"),
		filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "lorax.log")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("not copied back: %v", err)
		}
	}
}

func TestPluginBuildinstallFails(t *testing.T) {
	failing := func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "lorax exited with status 1"}
	}
	c, h, _ := pluginSetup(t, nil)
	h.Tasks = failing
	err := New().Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "lorax for Server.x86_64: Pungi-buildinstall task failed: 10001 (") ||
		!strings.Contains(err.Error(), "lorax exited with status 1") || !strings.Contains(err.Error(), "buildinstall-Server.x86_64.log for more details") {
		t.Fatalf("run: %v", err)
	}
	// The task's logs come home even when it failed.
	if b, _ := os.ReadFile(filepath.Join(c.Topdir, "logs", "x86_64", "buildinstall-Server-logs", "lorax.log")); !strings.Contains(string(b), "failed") {
		t.Errorf("lorax log %q", b)
	}

	c2, h2, _ := pluginSetup(t, map[string]any{"failable_deliverables": []any{[]any{".*", map[string]any{"*": []any{"buildinstall"}}}}})
	h2.Tasks = failing
	bi2 := New()
	if err := bi2.Run(context.Background(), c2); err != nil {
		t.Fatalf("failable buildinstall stopped the compose: %v", err)
	}
	if c2.FailedDeliverables() != 1 || bi2.Result.Succeeded("Server", "x86_64") {
		t.Fatal("failure not recorded")
	}
}
