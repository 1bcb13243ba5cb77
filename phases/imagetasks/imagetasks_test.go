package imagetasks

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/phases/runroot"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// setup makes a hub (files under its topdir), a koji profile pointing at
// it and a compose whose Server variant has x86_64 and aarch64.
func setup(t *testing.T, conf map[string]any) (*compose.Compose, *kojitest.Hub) {
	old := runroot.DefaultPoll
	runroot.DefaultPoll = time.Millisecond
	t.Cleanup(func() { runroot.DefaultPoll = old })
	h := kojitest.New(t, t.TempDir())
	h.Users["compose"] = "pw"
	prof := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(prof, []byte("[test]\nserver = "+h.URL()+"\nauthtype = password\nuser = compose\npassword = pw\ntopdir = "+h.TopDir+"\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
	conf["koji_profile"] = "test"
	// image_build runs Koji's client, as Pungi; the fake submits to h.
	imgtest.WithPath(t, imgtest.FakeBin(t, "koji"))
	c := imgtest.NewCompose(t, conf, "")
	c.Variant("Server").Arches = []string{"aarch64", "x86_64"}
	return c, h
}

func localGitURL(t *testing.T) (string, string) {
	toolcheck.Need(t, "git")
	dir := t.TempDir()
	run := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@e", "-c", "init.defaultBranch=main"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("init", "-q")
	os.WriteFile(filepath.Join(dir, "fedora-cloud-base.ks"), []byte("text\n"), 0o644)
	run("add", ".")
	run("commit", "-q", "-m", "ks")
	return "git+file://" + dir, run("rev-parse", "HEAD")
}

func TestImageBuild(t *testing.T) {
	ksurl, head := localGitURL(t)
	c, h := setup(t, map[string]any{
		"global_target": "f40-candidate", "global_release": nil, "image_build_version": "!VERSION_FROM_VERSION",
		"global_ksurl": ksurl + "#HEAD",
		"image_build": map[string]any{"^Server$": []any{map[string]any{
			"image-build": map[string]any{"format": []any{[]any{"qcow2", "qcow2"}, "raw-xz"}, "name": "Fedora-Cloud-Base",
				"kickstart": "fedora-cloud-base.ks", "distro": "Fedora-20", "disk_size": int64(3),
				"arches": []any{"x86_64", "aarch64", "s390x"}, "failable": []any{"aarch64"}, "subvariant": "Cloud"},
			"factory-parameters": map[string]any{"docker_cmd": "/bin/bash"}}}},
	})
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Polls: 1, Result: "done", Children: []kojitest.Child{
			{Method: "createImage", Arch: "x86_64", Files: map[string][]byte{
				"Fedora-Cloud-Base-1.0.x86_64.qcow2": []byte("qcow2"), "Fedora-Cloud-Base-1.0.x86_64.raw.xz": []byte("raw"),
				"Fedora-Cloud-Base.ks": []byte("ks")}},
			{Method: "createImage", Arch: "aarch64", Fail: "oz failed"},
		}}
	}
	if err := (&ImageBuild{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	calls := h.CallsTo("buildImageOz")
	if len(calls) != 1 {
		t.Fatalf("calls %v", calls)
	}
	a := calls[0].Args
	if a[0] != "Fedora-Cloud-Base" || a[1] != "1.0" || !reflect.DeepEqual(a[2], []any{"aarch64", "x86_64"}) || a[3] != "f40-candidate" ||
		a[4] != filepath.Join(c.Topdir, "compose", "Server", "$arch", "os") {
		t.Errorf("args %v", a)
	}
	opts := a[5].(map[string]any)
	want := map[string]any{
		"format": []any{"qcow2", "raw-xz"}, "repo": []any{filepath.Join(c.Topdir, "compose", "Server", "$arch", "os")},
		"ksurl": ksurl + "#" + head, "kickstart": "fedora-cloud-base.ks", "distro": "Fedora-20", "release": compose.ImageRelease(c.Info),
		"disk_size": "3", "optional_arches": []any{"aarch64"}, "factory_parameter": []any{[]any{"docker_cmd", "/bin/bash"}},
	}
	if !reflect.DeepEqual(opts, want) {
		t.Errorf("opts\n%v\nwant\n%v", opts, want)
	}
	e := images.Of(c).All()
	if len(e) != 2 || e[0].Image.Path != "Server/x86_64/images/Fedora-Cloud-Base-1.0.x86_64.qcow2" || e[0].Image.Type != "qcow2" ||
		e[1].Image.Format != "raw.xz" || e[1].Image.Subvariant != "Cloud" {
		t.Fatalf("manifest %+v %+v", e[0].Image, e[1].Image)
	}
	if c.FailedDeliverables() != 1 {
		t.Errorf("the failed optional arch was not recorded: %d", c.FailedDeliverables())
	}
	ini, err := os.ReadFile(filepath.Join(c.Topdir, "work", "image-build", "Server", "Fedora-Cloud-Base-qcow2-raw-xz-aarch64-x86_64.cfg"))
	for _, want := range []string{"can_fail = aarch64\n", "[factory-parameters]\ndocker_cmd = /bin/bash\n", "subvariant = Cloud\n", "variant = Server\n",
		"arches = aarch64,x86_64\n", "format = qcow2,raw-xz\n", "disk_size = 3\n"} {
		if err != nil || !strings.Contains(string(ini), want) {
			t.Errorf("INI lacks %q (%v):\n%s", want, err, ini)
		}
	}
	if strings.Contains(string(ini), "failable") {
		t.Errorf("INI passes Pungi's failable to koji:\n%s", ini)
	}
	logs, _ := filepath.Glob(filepath.Join(c.Topdir, "logs", "aarch64-x86_64", "imagebuild-Server-Cloud-qcow2-raw-xz.*log"))
	if len(logs) != 1 {
		t.Fatalf("image-build logs %v", logs)
	}
	if l, _ := os.ReadFile(logs[0]); !strings.Contains(string(l), "koji --profile=test image-build --config="+filepath.Join(c.Topdir, "work", "image-build", "Server")) ||
		!strings.Contains(string(l), " --wait\n") || !strings.Contains(string(l), "Created task: ") {
		t.Errorf("log:\n%s", l)
	}
	if len(c.KojiTasks.IDs()) != 1 {
		t.Errorf("task not recorded: %v", c.KojiTasks.IDs())
	}
}

func TestImageBuildFailure(t *testing.T) {
	block := map[string]any{"image-build": map[string]any{"format": "qcow2", "name": "X", "kickstart": "x.ks", "target": "t", "distro": "Fedora-40", "ksurl": "git+https://example.com/ks.git#0123abc"}}
	c, h := setup(t, map[string]any{"image_build": map[string]any{"^Server$": block}})
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "Image build failed: no space left"}
	}
	err := (&ImageBuild{}).Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "ImageBuild task failed") || !strings.Contains(err.Error(), "no space left") {
		t.Fatalf("run: %v", err)
	}
	block["image-build"].(map[string]any)["failable"] = []any{"*"}
	if err := (&ImageBuild{}).Run(context.Background(), c); err != nil {
		t.Fatalf("failable image build stopped the compose: %v", err)
	}
	if c.FailedDeliverables() != 1 {
		t.Errorf("failed %d", c.FailedDeliverables())
	}
	// koji exiting before it created a task is reported with its output.
	bin := t.TempDir()
	os.WriteFile(filepath.Join(bin, "koji"), []byte("#!/bin/sh\necho 'Error: unable to log in, no authentication methods available' >&2\nexit 1\n"), 0o755)
	imgtest.WithPath(t, bin)
	block["image-build"].(map[string]any)["failable"] = nil
	if err := (&ImageBuild{}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "Could not find task ID in output") ||
		!strings.Contains(err.Error(), "unable to log in") {
		t.Errorf("koji without a task: %v", err)
	}
	// No target anywhere is a configuration error.
	delete(block["image-build"].(map[string]any), "target")
	if err := (&ImageBuild{}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "no target") {
		t.Errorf("missing target: %v", err)
	}
}

func TestLiveMedia(t *testing.T) {
	c, h := setup(t, map[string]any{"global_target": "f40", "live_media": map[string]any{"^Server$": map[string]any{
		"kickstart": "live.ks", "arches": []any{"x86_64", "aarch64"}, "release": "!RELEASE_FROM_DATE_RESPIN", "subvariant": "Workstation",
		"ksurl": "git+https://example.com/ks.git#0123abc", "repo": []any{"https://example.com/extra/$basearch", map[string]any{"name": "dict", "baseurl": "https://example.com/dict/$basearch"}}, "failable": []any{"aarch64"},
		"nomacboot": true, "scratch": true}}})
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Children: []kojitest.Child{{Method: "createLiveMedia", Arch: "x86_64",
			Files: map[string][]byte{"Demo-Live-x86_64.iso": []byte("iso"), "Demo-Live.ks": []byte("ks")}}}}
	}
	if err := (&LiveMedia{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	calls := h.CallsTo("buildImage")
	if len(calls) != 1 {
		t.Fatalf("buildImage calls %v", calls)
	}
	call := calls[0]
	// koji's buildImage(name, version, arches, target, ksfile, type, opts).
	if call.Args[0] != "DEMO-Workstation-Live" || call.Args[1] != "1.0" || call.Args[3] != "f40" || !reflect.DeepEqual(call.Args[2], []any{"aarch64", "x86_64"}) ||
		call.Args[4] != "live.ks" || call.Args[5] != "livemedia" {
		t.Errorf("args %v", call.Args)
	}
	tree := filepath.Join(c.Topdir, "compose", "Server", "$basearch", "os")
	want := map[string]any{"release": "20240102.0", "install_tree_url": tree, "ksurl": "git+https://example.com/ks.git#0123abc",
		"repo": []any{"https://example.com/extra/$basearch", "https://example.com/dict/$basearch", tree}, "optional_arches": []any{"aarch64"}, "nomacboot": true, "scratch": true}
	if opts := call.Args[6].(map[string]any); !reflect.DeepEqual(opts, want) {
		t.Errorf("opts\n%v\nwant\n%v", opts, want)
	}
	e := images.Of(c).All()
	if len(e) != 1 || e[0].Image.Path != "Server/x86_64/iso/Demo-Live-x86_64.iso" || e[0].Image.Type != "live" || !e[0].Image.Bootable {
		t.Fatalf("manifest %+v", e)
	}
}

func imageBuildOutcome(h *kojitest.Hub, name string, archives []kojitest.Archive, result func(id int64) any) kojitest.Outcome {
	id, err := h.NewImageBuild(kojitest.ImageBuild{Name: name, Version: "1.0", Release: "1", Archives: archives})
	if err != nil {
		return kojitest.Outcome{Fail: err.Error()}
	}
	return kojitest.Outcome{Result: result(id)}
}

// osbuild as upstream's test_osbuild_phase: osbuildImage(name, version,
// distro, image_types, target, arches, opts=…) with the configured repos
// first (a package_sets dict kept a struct, its baseurl resolved), then
// the variant's, and ostree_url/_ref/_parent as opts["ostree"]; the
// images are the Koji build's archives. kiwibuild's come from its
// createKiwiImage subtasks.
func TestOSBuildAndKiwi(t *testing.T) {
	c, h := setup(t, map[string]any{"global_target": "f40",
		"osbuild": map[string]any{"^Server$": []any{map[string]any{"name": "demo-iot", "distro": "fedora-40", "image_types": []any{"iot-raw-image"},
			"arches": []any{"x86_64"}, "version": "!VERSION_FROM_VERSION_DATE_RESPIN",
			"repo": []any{"https://example.com/extra/$arch", map[string]any{"baseurl": "Server-optional", "package_sets": []any{"build"}},
				map[string]any{"baseurl": "https://example.com/blueprint", "package_sets": []any{"blueprint"}}},
			"ostree_url": "https://ostree.example.com/iot", "ostree_ref": "fedora/40/x86_64/iot", "ostree_parent": "fedora/40/x86_64/iot-old",
			"upload_options": map[string]any{"region": "us-east-1"}}}},
		"kiwibuild": map[string]any{"^Server$": []any{map[string]any{"description_scm": "git+https://example.com/kiwi.git#main",
			"description_path": "teams/cloud.kiwi", "kiwi_profile": "Cloud-Base", "arches": []any{"aarch64"}, "release": nil}}},
	})
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		switch method {
		case "osbuildImage":
			return imageBuildOutcome(h, "demo-iot", []kojitest.Archive{{Filename: "demo.x86_64.raw", Arch: "x86_64", Type: "raw", Data: []byte("raw")}},
				func(id int64) any { return map[string]any{"koji": map[string]any{"build": id}} })
		case "kiwiBuild":
			return kojitest.Outcome{Children: []kojitest.Child{{Method: "createKiwiImage", Arch: "aarch64",
				Files: map[string][]byte{"Cloud.aarch64.qcow2": []byte("q"), "Cloud.aarch64.packages": []byte("p")}}}}
		}
		return kojitest.Outcome{Fail: "unexpected " + method}
	}
	if err := (&OSBuild{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := (&KiwiBuild{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	ob := h.CallsTo("osbuildImage")[0]
	if want := []any{"demo-iot", "1.0.20240102.0", "fedora-40", []any{"iot-raw-image"}, "f40", []any{"x86_64"}}; !reflect.DeepEqual(ob.Args, want) {
		t.Errorf("osbuildImage args %#v, want %#v", ob.Args, want)
	}
	optional := filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository("$arch", c.Variant("Server-optional")))
	wantOpts := map[string]any{"opts": map[string]any{
		"repo": []any{"https://example.com/extra/$arch", map[string]any{"baseurl": optional, "package_sets": []any{"build"}},
			map[string]any{"baseurl": "https://example.com/blueprint", "package_sets": []any{"blueprint"}},
			filepath.Join(c.Topdir, "compose", "Server", "$arch", "os")},
		"ostree":         map[string]any{"url": "https://ostree.example.com/iot", "ref": "fedora/40/x86_64/iot", "parent": "fedora/40/x86_64/iot-old"},
		"upload_options": map[string]any{"region": "us-east-1"},
	}}
	if !reflect.DeepEqual(ob.KW, wantOpts) {
		t.Errorf("osbuildImage opts\n%#v\nwant\n%#v", ob.KW, wantOpts)
	}
	kw := h.CallsTo("kiwiBuild")[0]
	if kw.Args[2] != "git+https://example.com/kiwi.git#main" || kw.Args[3] != "teams/cloud.kiwi" || kw.KW["profile"] != "Cloud-Base" || kw.KW["release"] != compose.ImageRelease(c.Info) {
		t.Errorf("kiwiBuild %v %v", kw.Args, kw.KW)
	}
	e := images.Of(c).All()
	if len(e) != 2 || e[0].Image.Path != "Server/aarch64/images/Cloud.aarch64.qcow2" || e[1].Image.Path != "Server/x86_64/images/demo.x86_64.raw" || e[1].Image.Type != "raw" {
		t.Fatalf("manifest %+v", e)
	}
}

func TestOSBSAndImageContainer(t *testing.T) {
	c, h := setup(t, map[string]any{
		"osbs": map[string]any{"^Server$": map[string]any{"url": "git://example.com/base.git#HEAD", "target": "f40-container",
			"git_branch": "f40", "repo": []any{"https://example.com/$COMPOSE_ID/extra.repo"}, "gpgkey": "file:///etc/pki/rpm-gpg/RPM-GPG-KEY-demo",
			"priority": int64(10), "failable": true, "isolated": true, "registry": map[string]any{"url": "fallback.example.com"}}},
		"osbs_registries": map[string]any{"base-container-*": map[string]any{"url": "registry.example.com/base"}},
		"image_container": map[string]any{"^Server$": []any{map[string]any{"url": "git://example.com/wrap.git#HEAD", "target": "f40-container",
			"git_branch": "f40", "image_spec": map[string]any{"type": "qcow2", "arch": "x86_64"}}}},
	})
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		return imageBuildOutcome(h, "base-container", []kojitest.Archive{{Filename: "docker-image-x86_64.tar.gz", Arch: "x86_64", Type: "tar",
			Data: []byte("layers"), Extra: map[string]any{"docker": map[string]any{"id": "sha256:abc"}}}},
			func(id int64) any {
				return map[string]any{"koji_builds": []any{id}, "repositories": []any{"registry/base:1.0-1"}}
			})
	}
	if err := (&OSBS{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	call := h.CallsTo("buildContainer")[0]
	opts := call.Args[2].(map[string]any)
	// As Pungi: the block's other keys pass through, the variant's own
	// repository comes first, URLs keep their place with $COMPOSE_ID
	// replaced.
	repoURLs := opts["yum_repourls"].([]any)
	if call.Args[0] != "git://example.com/base.git#HEAD" || opts["git_branch"] != "f40" || opts["isolated"] != true || len(repoURLs) != 2 ||
		repoURLs[1] != "https://example.com/"+c.ID()+"/extra.repo" || opts["registry"] != nil || opts["failable"] != nil || opts["gpgkey"] != nil {
		t.Errorf("buildContainer %v", call.Args)
	}
	if call.KW["priority"] != int64(10) {
		t.Errorf("buildContainer priority %v", call.KW)
	}
	// gpgkey turns on signature checking in the repo file, as Pungi.
	if rf, _ := os.ReadFile(repoURLs[0].(string)); !strings.HasSuffix(string(rf), "enabled=1\ngpgcheck=1\ngpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-demo\n") ||
		!strings.HasPrefix(string(rf), "["+c.ID()+"-Server-1]\n") || filepath.Base(repoURLs[0].(string)) != "compose-rpms-Server-1.repo" {
		t.Errorf("repo file %s:\n%s", repoURLs[0], rf)
	}
	// osbs_registries wins over the block's registry for a matching NVR.
	if reg, err := os.ReadFile(filepath.Join(c.Topdir, "logs", "global", "osbs-registries.json")); err != nil || string(reg) != `{"base-container-1.0-1":{"url":"registry.example.com/base"}}` {
		t.Errorf("osbs-registries.json: %s %v", reg, err)
	}
	var meta map[string]map[string][]map[string]any
	b, err := os.ReadFile(filepath.Join(c.Topdir, "compose", "metadata", "osbs.json"))
	if err != nil || json.Unmarshal(b, &meta) != nil {
		t.Fatalf("osbs.json: %v %s", err, b)
	}
	if m := meta["Server"]["x86_64"]; len(m) != 1 || m[0]["nvr"] != "base-container-1.0-1" || m[0]["filename"] != "docker-image-x86_64.tar.gz" {
		t.Errorf("osbs.json %s", b)
	}

	// image_container wraps the one x86_64 qcow2 of the compose.
	qcow := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "images", "cloud.qcow2")
	os.MkdirAll(filepath.Dir(qcow), 0o755)
	os.WriteFile(qcow, []byte("q"), 0o644)
	im, _ := images.NewImage(c, qcow)
	im.Type, im.Format, im.Arch = "qcow2", "qcow2", "x86_64"
	images.Of(c).Add("Server", "x86_64", im)
	if err := (&ImageContainer{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	ic := h.CallsTo("buildContainer")[1].Args[2].(map[string]any)
	repo := ic["yum_repourls"].([]any)[0].(string)
	content, _ := os.ReadFile(repo)
	if !strings.Contains(string(content), "baseurl="+qcow) {
		t.Errorf("image repo file %s:\n%s", repo, content)
	}
	images.Of(c).Add("Server", "x86_64", &images.Image{Path: "Server/x86_64/images/other.qcow2", Type: "qcow2", Arch: "x86_64"})
	err = (&ImageContainer{}).Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "matches 2 images, want exactly 1") {
		t.Fatalf("ambiguous image_spec: %v", err)
	}
}

// When koji loses the hub while waiting ("error: failed to connect"), the
// task is watched through the API instead (Pungi's watch-task retry), and
// its outcome decides.
func TestImageBuildLostConnection(t *testing.T) {
	block := map[string]any{"image-build": map[string]any{"format": "qcow2", "name": "X", "kickstart": "x.ks", "target": "t", "distro": "Fedora-40", "ksurl": "git+https://example.com/ks.git#0123abc", "scratch": true}}
	c, h := setup(t, map[string]any{"image_build": map[string]any{"^Server$": block}})
	t.Setenv("FAKE_KOJI_FAIL_CONNECT", "1")
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Polls: 2, Result: "done", Children: []kojitest.Child{
			{Method: "createImage", Arch: "x86_64", Files: map[string][]byte{"X-1.x86_64.qcow2": []byte("q")}}}}
	}
	if err := (&ImageBuild{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if calls := h.CallsTo("buildImageOz"); len(calls) != 1 || calls[0].Args[5].(map[string]any)["scratch"] != true {
		t.Fatalf("calls %v", calls)
	}
	if e := images.Of(c).All(); len(e) != 1 || e[0].Image.Path != "Server/x86_64/images/X-1.x86_64.qcow2" {
		t.Fatalf("manifest %v", e)
	}
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Polls: 1, Fail: "oz crashed"}
	}
	if err := (&ImageBuild{}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "oz crashed") {
		t.Fatalf("failed task after lost connection: %v", err)
	}
}

// The task koji creates is recorded as soon as koji prints its ID, so a
// TERMINATED compose cancels it while koji is still waiting.
func TestImageBuildCancelledOnTerminate(t *testing.T) {
	block := map[string]any{"image-build": map[string]any{"format": "qcow2", "name": "X", "kickstart": "x.ks", "target": "t", "distro": "Fedora-40", "ksurl": "git+https://example.com/ks.git#0123abc"}}
	c, h := setup(t, map[string]any{"image_build": map[string]any{"^Server$": block}})
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome { return kojitest.Outcome{Hang: true} }
	done := make(chan error, 1)
	go func() { done <- (&ImageBuild{}).Run(context.Background(), c) }()
	deadline := time.Now().Add(60 * time.Second)
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
	case <-time.After(60 * time.Second):
		t.Fatal("image build did not return after terminate")
	}
	if st := h.TaskState(int64(c.KojiTasks.IDs()[0])); st != koji.TaskCanceled {
		t.Fatalf("task state %s", koji.TaskStateName(st))
	}
}

// Pungi refuses an image-build block without kickstart, ksurl or distro
// before it runs koji; so does pungo, naming what is missing.
func TestImageBuildRequiredOptions(t *testing.T) {
	for _, tc := range []struct{ drop, want string }{
		{"distro", "missing distro"},
		{"ksurl", "missing ksurl"},
		{"kickstart", "missing kickstart"},
	} {
		ib := map[string]any{"format": "qcow2", "name": "X", "kickstart": "x.ks", "target": "t", "distro": "Fedora-40", "ksurl": "git+https://example.com/ks.git#0123abc"}
		delete(ib, tc.drop)
		c, _ := setup(t, map[string]any{"image_build": map[string]any{"^Server$": map[string]any{"image-build": ib}}})
		if _, err := PlanImageBuild(context.Background(), c); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("without %s: %v", tc.drop, err)
		}
	}
}

// image_container as Pungi's worker: arch_override narrows the image
// search, the block's other keys pass through to buildContainer, failable
// (a boolean) lets the compose go on.
func TestImageContainerArchOverride(t *testing.T) {
	c, h := setup(t, map[string]any{"image_container": map[string]any{"^Server$": []any{map[string]any{"url": "git://example.com/wrap.git#HEAD",
		"target": "f40-container", "git_branch": "f40", "arch_override": "x86_64", "image_spec": map[string]any{"type": "qcow2"}, "failable": true}}}})
	for _, arch := range []string{"x86_64", "aarch64"} {
		qcow := filepath.Join(c.Topdir, "compose", "Server", arch, "images", "cloud.qcow2")
		os.MkdirAll(filepath.Dir(qcow), 0o755)
		os.WriteFile(qcow, []byte("q"), 0o644)
		im, _ := images.NewImage(c, qcow)
		im.Type, im.Format, im.Arch = "qcow2", "qcow2", arch
		images.Of(c).Add("Server", arch, im)
	}
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "osbs failed"}
	}
	if err := (&ImageContainer{}).Run(context.Background(), c); err != nil {
		t.Fatalf("failable image container stopped the compose: %v", err)
	}
	calls := h.CallsTo("buildContainer")
	if len(calls) != 1 {
		t.Fatalf("calls %v", calls)
	}
	ic := calls[0].Args[2].(map[string]any)
	if ic["arch_override"] != "x86_64" || ic["git_branch"] != "f40" || ic["failable"] != nil || ic["image_spec"] != nil || ic["url"] != nil {
		t.Errorf("image_container opts %v", ic)
	}
	repo, _ := os.ReadFile(ic["yum_repourls"].([]any)[0].(string))
	if !strings.Contains(string(repo), "/Server/x86_64/images/cloud.qcow2") {
		t.Errorf("repo file:\n%s", repo)
	}
}
