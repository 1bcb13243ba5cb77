package koji_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// kojiSource returns a directory holding Koji's client library (koji/) and
// CLI (cli/koji, cli/koji_cli), taken from PUNGO_KOJI_SRC (a Koji source
// tree) or extracted from a fetched snapshot of github.com/koji-project/koji.
// Koji's code is never part of pungo: without it the test skips.
func kojiSource(t *testing.T) string {
	t.Helper()
	if src := os.Getenv("PUNGO_KOJI_SRC"); src != "" {
		if _, err := os.Stat(filepath.Join(src, "koji", "__init__.py")); err != nil {
			t.Fatalf("PUNGO_KOJI_SRC=%s is not a Koji source tree: %v", src, err)
		}
		return src
	}
	gitDir := "/work/.mirror/koji-project+koji/repo"
	if _, err := os.Stat(gitDir); err != nil {
		t.Skip("no Koji source: set PUNGO_KOJI_SRC to a checkout of github.com/koji-project/koji to drive the test hub with the real koji client")
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "git --git-dir="+gitDir+" archive HEAD koji cli | tar -x -C "+dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot extract the Koji snapshot: %v\n%s", err, out)
	}
	return dir
}

// kojiCLI runs the real koji CLI against a profile.
func kojiCLI(t *testing.T, src, conf string, args ...string) (string, error) {
	t.Helper()
	py := "/usr/bin/python3"
	cmd := exec.Command(py, append([]string{filepath.Join(src, "cli", "koji"), "-c", conf, "-p", "hub", "--user", "releng", "--password", "pw"}, args...)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+src+":"+filepath.Join(src, "cli"), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// clientScript drives the hub through Koji's Python library and prints
// what it got, with the Python types where Koji promises them.
const clientScript = `
import json, os, sys, koji
url, task = sys.argv[1], int(sys.argv[2])
out = {"anonymous": koji.ClientSession(url).getLoggedInUser()}
s = koji.ClientSession(url, opts={"user": "releng", "password": "pw"})
s.login()
u = s.getLoggedInUser()
out["user"] = {"name": u["name"], "authtype": u["authtype"], "authtype_int": isinstance(u["authtype"], int),
               "password": u["authtype"] == koji.AUTHTYPES["NORMAL"]}
out["perms"] = [p["name"] for p in s.getAllPerms()]
out["tags"] = [t["name"] for t in s.listTags()]
out["tags_of_build"] = [t["name"] for t in s.listTags(build="hello-1.0-1")]
out["latest"] = [b["nvr"] for b in s.getLatestBuilds("f40-build")]
out["latest_pkg"] = [b["nvr"] for b in s.getLatestBuilds("f40-build", package="nope")]
r = s.getRPM("hello-1.0-1.x86_64", strict=True)
out["rpm"] = {"id_int": isinstance(r["id"], int), "nvra": "%(name)s-%(version)s-%(release)s.%(arch)s" % r,
              "payloadhash": r["payloadhash"], "by_id": s.getRPM(r["id"])["arch"], "missing": s.getRPM("nope-1-1.x86_64")}
ti = s.getTaskInfo(task, request=True)
out["task"] = {k: type(ti[k]).__name__ for k in ("host_id", "create_ts", "start_ts", "completion_ts", "create_time", "state")}
out["task_state"] = koji.TASK_STATES[ti["state"]]
out["children"] = [c["method"] for c in s.getTaskChildren(task)]
mods = s.listTagged("f40-modular", type="module")
out["module_builds"] = [b["nvr"] for b in mods]
mb = s.getBuild(mods[0]["build_id"], strict=True)
typedir = koji.PathInfo(topdir=sys.argv[3]).typedir(mb, "module")
out["module_archives"] = [[a["filename"], os.path.exists(os.path.join(typedir, a["filename"]))] for a in s.listArchives(buildID=mb["id"], type="module")]
out["module_tag"] = mb["extra"]["typeinfo"]["module"]["content_koji_tag"]
out["module_completed"] = isinstance(mb["completion_ts"], float)
out["search"] = [b["name"] for b in s.search("nodejs-20*", "build", "glob")]
with s.multicall() as m:
    perms, version = m.getAllPerms(), m.getKojiVersion()
out["multicall"] = [len(perms.result), version.result]
s.logout()
print(json.dumps(out, sort_keys=True))
`

// TestRealKojiClient drives the test hub with Koji's own client library and
// CLI, so the hub answers in Koji's protocol (types, fields, keyword
// arguments, multicall), not only in the dialect pungo's client speaks.
func TestRealKojiClient(t *testing.T) {
	toolcheck.Need(t, "rpmbuild", "rpm")
	src := kojiSource(t)
	if out, err := exec.Command("/usr/bin/python3", "-c", "import defusedxml, dateutil, requests, six").CombinedOutput(); err != nil {
		if toolcheck.Required() {
			t.Fatalf("the koji client's Python dependencies (python3-defusedxml python3-dateutil python3-requests python3-six) are missing: %s", out)
		}
		t.Skipf("the koji client's Python dependencies are missing: %s", out)
	}
	top := t.TempDir()
	kojitest.MakeBuild(t, top, kojitest.RPMSpec{Name: "hello", Version: "1.0", Release: "1", Arches: []string{"x86_64"}, SigKeys: []string{"abcd1234"}})
	h := kojitest.New(t, top)
	h.Users["releng"] = "pw"
	if err := h.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	h.AddTag("f40-build", "x86_64")
	h.AddTag("f40-other", "x86_64")
	h.TagBuild("f40-build", "hello-1.0-1")
	h.AddTag("f40-modular")
	nvr, err := h.AddModuleBuild(kojitest.ModuleBuild{Name: "nodejs", Stream: "20", Version: 1, Context: "c0ffee", ContentTag: "module-nodejs-20",
		Archives: map[string]string{"modulemd.txt": "x", "modulemd.x86_64.txt": "y"}})
	if err != nil {
		t.Fatal(err)
	}
	h.TagBuild("f40-modular", nvr)
	rpmFile := filepath.Join(top, "packages/hello/1.0/1/x86_64/hello-1.0-1.x86_64.rpm")
	task, err := h.AddScratchTask(rpmFile)
	if err != nil {
		t.Fatal(err)
	}
	// rpm itself says what Koji's payloadhash (SIGMD5) must be.
	sigmd5, err := exec.Command("rpm", "-qp", "--nosignature", "--qf", "%{SIGMD5}", rpmFile).Output()
	if err != nil {
		t.Fatal(err)
	}

	script := filepath.Join(t.TempDir(), "client.py")
	os.WriteFile(script, []byte(clientScript), 0o644)
	cmd := exec.Command("/usr/bin/python3", script, h.URL(), fmt.Sprint(task), top)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+src)
	raw, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("koji library: %v\n%s", err, stderr)
	}
	var got map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	want := map[string]any{
		"anonymous":     nil,
		"user":          map[string]any{"name": "releng", "authtype": 0.0, "authtype_int": true, "password": true},
		"tags":          []any{"f40-build", "f40-other", "f40-modular"},
		"tags_of_build": []any{"f40-build"},
		"latest":        []any{"hello-1.0-1"},
		"latest_pkg":    []any{},
		"rpm":           map[string]any{"id_int": true, "nvra": "hello-1.0-1.x86_64", "payloadhash": string(sigmd5), "by_id": "x86_64", "missing": nil},
		"task":          map[string]any{"host_id": "int", "create_ts": "float", "start_ts": "float", "completion_ts": "float", "create_time": "str", "state": "int"},
		"task_state":    "CLOSED",
		"children":      []any{"buildArch"},
		"multicall":     []any{float64(len(got["perms"].([]any))), kojitest.KojiVersion},
		// Module builds as Pungi's source_koji reads them: the archives
		// lie where koji.PathInfo.typedir(build, "module") says.
		"module_builds":    []any{"nodejs-20-1.c0ffee"},
		"module_archives":  []any{[]any{"modulemd.txt", true}, []any{"modulemd.x86_64.txt", true}},
		"module_tag":       "module-nodejs-20",
		"module_completed": true,
		"search":           []any{"nodejs-20-1.c0ffee"},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s: koji library got %#v, want %#v", k, got[k], w)
		}
	}
	if perms, _ := got["perms"].([]any); len(perms) < 10 || perms[0] != "admin" {
		t.Errorf("getAllPerms: %v", got["perms"])
	}

	// The koji CLI, as a release engineer would type it.
	conf := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("[hub]\nserver = %s\ntopurl = %s\ntopdir = %s\nauthtype = password\n", h.URL(), h.TopURL(), top)), 0o644)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"moshimoshi"}, []string{", releng!", "(Koji " + kojitest.KojiVersion + ")", "Authenticated via password"}},
		{[]string{"latest-build", "f40-build", "hello"}, []string{"hello-1.0-1", "f40-build", "kojibuilder"}},
		{[]string{"rpminfo", "hello-1.0-1.x86_64"}, []string{"RPM: hello-1.0-1.x86_64", "Build: hello-1.0-1", "SIGMD5: " + string(sigmd5), "License: MIT"}},
	} {
		out, err := kojiCLI(t, src, conf, tc.args...)
		if err != nil {
			t.Errorf("koji %s: %v\n%s", strings.Join(tc.args, " "), err, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("koji %s: output lacks %q:\n%s", strings.Join(tc.args, " "), w, out)
			}
		}
	}
}
