package runroot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/koji/kojitest"
)

func TestMethod(t *testing.T) {
	cases := []struct {
		conf  map[string]any
		phase string
		want  string
	}{
		{nil, "createiso", "local"},
		{map[string]any{"runroot_method": "koji"}, "createiso", "koji"},
		{map[string]any{"runroot_method": map[string]any{"buildinstall": "koji", "createiso": "openssh"}}, "createiso", "openssh"},
		{map[string]any{"runroot_method": map[string]any{"buildinstall": "koji"}}, "ostree", "local"},
		// Pungi's rules: runroot_tag without a method is koji; a mapping
		// without the phase takes global_runroot_method; the removed
		// "runroot" option does nothing.
		{map[string]any{"runroot": true}, "ostree", "local"},
		{map[string]any{"runroot_tag": "f40-build"}, "createiso", "koji"},
		{map[string]any{"runroot_tag": "f40-build", "runroot_method": "local"}, "createiso", "local"},
		{map[string]any{"runroot_tag": "f40-build", "runroot_method": map[string]any{"ostree": "openssh"}}, "createiso", "local"},
		{map[string]any{"runroot_method": map[string]any{"buildinstall": "koji"}, "global_runroot_method": "openssh"}, "ostree", "openssh"},
		{map[string]any{"runroot_method": map[string]any{"buildinstall": "local"}, "global_runroot_method": "koji"}, "buildinstall", "local"},
		{map[string]any{"runroot_method": "openssh", "global_runroot_method": "koji"}, "buildinstall", "openssh"},
	}
	for _, tc := range cases {
		c := imgtest.NewCompose(t, tc.conf, "")
		if got := Method(c, tc.phase); got != tc.want {
			t.Errorf("%v %s: %s, want %s", tc.conf, tc.phase, got, tc.want)
		}
	}
}

func TestLocal(t *testing.T) {
	c := imgtest.NewCompose(t, nil, "")
	log := filepath.Join(c.Topdir, "logs", "x86_64", "t.log")
	r := New(c, "createiso")
	if _, err := r.Run(context.Background(), Request{Command: "echo hello; echo err >&2", LogFile: log}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(log); string(b) != "hello\nerr\n" {
		t.Errorf("log %q", b)
	}
	_, err := r.Run(context.Background(), Request{Command: "echo broken; exit 3", LogFile: log})
	if err == nil || !strings.Contains(err.Error(), "exit status 3") || !strings.Contains(err.Error(), "broken") || !strings.Contains(err.Error(), log) {
		t.Fatalf("failing command: %v", err)
	}
}

func kojiCompose(t *testing.T, h *kojitest.Hub) *compose.Compose {
	h.Users["compose"] = "pw"
	c := imgtest.NewCompose(t, map[string]any{
		"runroot_method": "koji", "runroot_tag": "f40-build", "runroot_channel": "compose",
		"runroot_weights": map[string]any{"createiso": 2.5}, "koji_profile": "test",
	}, "")
	conf := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(conf, []byte("[test]\nserver = "+h.URL()+"\nauthtype = password\nuser = compose\npassword = pw\ntopdir = "+h.TopDir+"\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", conf)
	// koji runroot goes through Koji's client, as in Pungi; the fake
	// submits to h.
	imgtest.WithPath(t, imgtest.FakeBin(t, "koji"))
	return c
}

func TestKoji(t *testing.T) {
	h := kojitest.New(t, t.TempDir())
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		if strings.Contains(args[2].(string), "fail") {
			return kojitest.Outcome{Fail: "mock exited with status 1"}
		}
		return kojitest.Outcome{Polls: 1, Result: "command output"}
	}
	c := kojiCompose(t, h)
	r := New(c, "createiso")
	r.Poll = time.Millisecond
	log := filepath.Join(c.Topdir, "logs", "x86_64", "rr.log")
	res, err := r.Run(context.Background(), Request{Command: "mkisofs -o x.iso", Arch: "x86_64", LogFile: log,
		Packages: []string{"genisoimage"}, Mounts: []string{c.Topdir}, NewChroot: true, ChownPaths: []string{c.Topdir}})
	if err != nil {
		t.Fatal(err)
	}
	args, kw := h.TaskArgs(res.TaskID)
	if args[0] != "f40-build" || args[1] != "x86_64" {
		t.Errorf("task args %v", args)
	}
	cmd := args[2].(string)
	if !strings.HasPrefix(cmd, "rm -f /var/lib/rpm/__db*; rm -rf /var/cache/yum/*; set -x; mkisofs -o x.iso ; EXIT_CODE=$? ; chmod -R a+r ") {
		t.Errorf("command %q", cmd)
	}
	// Pungi passes int(weight).
	if kw["channel"] != "compose" || kw["weight"] != int64(2) || kw["new_chroot"] != true {
		t.Errorf("kwargs %v", kw)
	}
	if pk, _ := kw["packages"].([]any); len(pk) != 1 || pk[0] != "genisoimage" {
		t.Errorf("packages %v", kw["packages"])
	}
	if ids := c.KojiTasks.IDs(); len(ids) != 1 || int64(ids[0]) != res.TaskID {
		t.Errorf("recorded tasks %v, want [%d]", ids, res.TaskID)
	}
	b, _ := os.ReadFile(log)
	wantCmd := "koji --profile=test runroot --new-chroot --use-shell --task-id --channel-override=compose --weight=2 --package=genisoimage --mount=" +
		c.Topdir + " f40-build x86_64 'rm -f /var/lib/rpm/__db*; rm -rf /var/cache/yum/*; set -x; mkisofs -o x.iso ; EXIT_CODE=$? ;"
	if !strings.HasPrefix(string(b), wantCmd) || !strings.Contains(string(b), "command output") {
		t.Errorf("log %q\nwant it to start with %q", b, wantCmd)
	}
	// koji runroot takes the base arch.
	if res, err := r.Run(context.Background(), Request{Command: "true", Arch: "i686"}); err != nil {
		t.Fatal(err)
	} else if args, _ := h.TaskArgs(res.TaskID); args[1] != "i386" {
		t.Errorf("i686 runroot arch %v", args[1])
	}
	if res.Output != "command output\n" {
		t.Errorf("output %q (the task ID line belongs to the log only)", res.Output)
	}
	// koji logs in for each of its two runs; pungo once for its shared
	// client (to cancel tasks on TERMINATED).
	if login := h.CallsTo("login"); len(login) != 3 {
		t.Errorf("logins: %d", len(login))
	}

	_, err = r.Run(context.Background(), Request{Command: "fail", Arch: "x86_64"})
	if err == nil || !strings.Contains(err.Error(), "mock exited with status 1") {
		t.Fatalf("failing task: %v", err)
	}
}

func TestKojiCancelledOnTerminate(t *testing.T) {
	h := kojitest.New(t, t.TempDir())
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome { return kojitest.Outcome{Hang: true} }
	c := kojiCompose(t, h)
	r := New(c, "buildinstall")
	r.Poll = 2 * time.Millisecond
	done := make(chan error, 1)
	go func() {
		_, err := r.Run(context.Background(), Request{Command: "lorax", Arch: "x86_64"})
		done <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for len(c.KojiTasks.IDs()) == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if len(c.KojiTasks.IDs()) == 0 {
		t.Fatal("task never recorded")
	}
	c.Terminate("test")
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "CANCELED") {
			t.Fatalf("run after terminate: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after terminate")
	}
	if st := h.TaskState(int64(c.KojiTasks.IDs()[0])); st != koji.TaskCanceled {
		t.Fatalf("task state %s", koji.TaskStateName(st))
	}
	if c.Status() != compose.StatusTerminated {
		t.Errorf("status %s", c.Status())
	}
}

func TestOpenSSH(t *testing.T) {
	bin := t.TempDir()
	record := filepath.Join(bin, "calls")
	// A fake ssh: records its arguments, prints a key for the init call.
	script := "#!/bin/sh\necho \"$@\" >> " + record + "\ncase \"$*\" in *init*) echo KEY42;; esac\n"
	os.WriteFile(filepath.Join(bin, "ssh"), []byte(script), 0o755)
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
	c := imgtest.NewCompose(t, map[string]any{
		"runroot_method":                        "openssh",
		"runroot_ssh_hostnames":                 map[string]any{"x86_64": "builder.example.com"},
		"runroot_ssh_username":                  "releng",
		"runroot_ssh_init_template":             "init-runroot",
		"runroot_ssh_install_packages_template": "install {runroot_key} {packages}",
		"runroot_ssh_run_template":              "run {runroot_key} {command}",
	}, "")
	if _, err := New(c, "createiso").Run(context.Background(), Request{Command: "make-iso", Arch: "x86_64", Packages: []string{"xorriso", "lorax"}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(record)
	want := "-oBatchMode=yes -n -l releng builder.example.com init-runroot\n" +
		"-oBatchMode=yes -n -l releng builder.example.com install KEY42 xorriso lorax\n" +
		"-oBatchMode=yes -n -l releng builder.example.com run KEY42 make-iso\n"
	if string(b) != want {
		t.Errorf("ssh calls:\n%s\nwant:\n%s", b, want)
	}
	if _, err := New(c, "createiso").Run(context.Background(), Request{Command: "x", Arch: "s390x"}); err == nil || !strings.Contains(err.Error(), "no host for arch s390x") {
		t.Fatalf("missing host: %v", err)
	}
}

func TestBaseArch(t *testing.T) {
	for arch, want := range map[string]string{"i686": "i386", "athlon": "i386", "x86_64": "x86_64", "armv7hl": "armhfp",
		"ppc64le": "ppc64le", "ppc64pseries": "ppc64", "aarch64": "aarch64", "s390x": "s390x"} {
		if got := BaseArch(arch); got != want {
			t.Errorf("BaseArch(%s) = %s, want %s", arch, got, want)
		}
	}
}
