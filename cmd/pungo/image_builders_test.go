package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/koji/kojitest"
)

// A config with every current kiwibuild key (per image and phase-wide),
// an imagebuilder block and an osbuild block with ostree keys and a
// package_sets repo validates cleanly and composes against the test hub,
// which binds each call to the Koji plugin's signature and checks its
// types; the images land in the trees and images.json.
func TestComposeWithImageBuilders(t *testing.T) {
	top := t.TempDir()
	hub := kojitest.New(t, top)
	hub.Users["compose"] = "pw"
	prof := filepath.Join(t.TempDir(), "koji.conf")
	os.WriteFile(prof, []byte(fmt.Sprintf("[demokoji]\nserver = %s\nauthtype = password\nuser = compose\npassword = pw\ntopdir = %s\n", hub.URL(), top)), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", prof)
	hub.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		switch method {
		case "kiwiBuild":
			return kojitest.Outcome{Children: []kojitest.Child{{Method: "createKiwiImage", Arch: "x86_64",
				Files: map[string][]byte{"Demo-Cloud.x86_64-1.0.qcow2": []byte("qcow2"), "Demo-Cloud.x86_64-1.0.packages": []byte("p")}}}}
		case "imageBuilderBuild":
			return kojitest.Outcome{Children: []kojitest.Child{{Method: "imageBuilderBuildArch", Arch: "x86_64",
				Files: map[string][]byte{"Demo-Container.x86_64.oci.tar.xz": []byte("oci")}}}}
		case "osbuildImage":
			id, err := hub.NewImageBuild(kojitest.ImageBuild{Name: "Demo-IoT", Version: "1.0", Release: "1",
				Archives: []kojitest.Archive{{Filename: "Demo-IoT.x86_64.raw.xz", Arch: "x86_64", Type: "raw-xz", Data: []byte("raw")}}})
			if err != nil {
				return kojitest.Outcome{Fail: err.Error()}
			}
			return kojitest.Outcome{Result: map[string]any{"koji": map[string]any{"build": id}}}
		}
		return kojitest.Outcome{Fail: "unexpected " + method}
	}
	conf := demoConfig(t, `koji_profile = "demokoji"
global_target = "demo-1.0-candidate"
kiwibuild_description_scm = "https://example.com/kiwi-descriptions.git"
kiwibuild_description_path = "teams/cloud/cloud.kiwi"
kiwibuild_type = "oem"
kiwibuild_type_attr = ["format=qcow2"]
kiwibuild_bundle_name_format = "%N-%v.%A"
kiwibuild_version = "!VERSION_FROM_VERSION"
kiwibuild_repo_releasever = "1"
kiwibuild = {
    "^Server$": [{
        "kiwi_profile": "Cloud-Base",
        "target": "demo-1.0-kiwi",
        "description_scm": "https://example.com/kiwi-descriptions.git#main",
        "description_path": "teams/cloud/cloud.kiwi",
        "release": "1",
        "arches": ["x86_64"],
        "repos": ["https://example.com/updates/$arch"],
        "failable": ["x86_64"],
        "subvariant": "Cloud",
        "type": "oem",
        "type_attr": ["format=qcow2", "firmware=uefi"],
        "bundle_name_format": "%N-%v-%I.%A",
        "version": "1.0",
        "repo_releasever": "1",
        "manifest_type": "qcow2",
    }],
}
imagebuilder = {
    "^Server$": [{
        "name": "Demo-Container",
        "types": ["container"],
        "arches": ["x86_64"],
        "repos": ["https://example.com/updates/$arch"],
        "subvariant": "Container",
        "ostree": {"url": "https://ostree.example.com/demo", "ref": "demo/1/x86_64/base"},
    }],
}
osbuild = {
    "^Server$": [{
        "name": "Demo-IoT",
        "distro": "demo-1",
        "image_types": ["iot-raw-image"],
        "repo": [{"baseurl": "https://example.com/iot/$arch", "package_sets": ["blueprint"]}],
        "ostree_url": "https://ostree.example.com/iot",
        "ostree_ref": "demo/1/x86_64/iot",
        "ostree_parent": "demo/1/x86_64/iot-old",
    }],
}
`, nil)
	code, out, errOut := runCLI(t, runConfig, "validate", conf)
	if code != 0 || strings.Contains(out+errOut, "error") {
		t.Fatalf("config validate exited %d:\n%s%s", code, out, errOut)
	}
	target := t.TempDir()
	code, log := runPungo(t, t.TempDir(), "--config", conf, "--target-dir", target, "--quiet", "--no-latest-link")
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, log)
	}
	dir := onlyCompose(t, target)
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); string(st) != "FINISHED\n" {
		t.Fatalf("STATUS %q", st)
	}
	for _, m := range []string{"kiwiBuild", "imageBuilderBuild", "osbuildImage"} {
		if n := len(hub.CallsTo(m)); n != 1 {
			t.Errorf("%s called %d times", m, n)
		}
	}
	kw := hub.CallsTo("kiwiBuild")[0].KW
	for k, want := range map[string]string{"type": "oem", "result_bundle_name_format": "%N-%v-%I.%A", "version": "1.0", "repo_releasever": "1", "release": "1", "profile": "Cloud-Base"} {
		if kw[k] != want {
			t.Errorf("kiwiBuild %s = %v, want %s", k, kw[k], want)
		}
	}
	if fmt.Sprint(kw["type_attr"]) != "[format=qcow2 firmware=uefi]" || fmt.Sprint(kw["optional_arches"]) != "[x86_64]" {
		t.Errorf("kiwiBuild keywords %v", kw)
	}
	opts := hub.CallsTo("osbuildImage")[0].KW["opts"].(map[string]any)
	if fmt.Sprint(opts["ostree"]) != "map[parent:demo/1/x86_64/iot-old ref:demo/1/x86_64/iot url:https://ostree.example.com/iot]" {
		t.Errorf("osbuild ostree %v", opts["ostree"])
	}
	if r, _ := opts["repo"].([]any); len(r) != 2 || fmt.Sprint(r[0]) != "map[baseurl:https://example.com/iot/$arch package_sets:[blueprint]]" {
		t.Errorf("osbuild repos %#v", opts["repo"])
	}
	im := readJSON(t, filepath.Join(dir, "compose", "metadata", "images.json"))["payload"].(map[string]any)["images"].(map[string]any)
	got := map[string]bool{}
	for _, e := range im["Server"].(map[string]any)["x86_64"].([]any) {
		m := e.(map[string]any)
		got[fmt.Sprintf("%s %s %s", m["path"], m["type"], m["subvariant"])] = true
	}
	for _, want := range []string{
		"Server/x86_64/images/Demo-Cloud.x86_64-1.0.qcow2 qcow2 Cloud",
		"Server/x86_64/images/Demo-Container.x86_64.oci.tar.xz container Container",
		"Server/x86_64/images/Demo-IoT.x86_64.raw.xz raw-xz Server",
	} {
		if !got[want] {
			t.Errorf("images.json lacks %q: %v", want, got)
		}
	}
}
