package imagetasks

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	pconfig "github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/koji/kojitest"
	"github.com/pungo/pungo/phases/runroot"
)

const kiwiSCM = "https://example.com/kiwi.git"

// kiwiMinimal is upstream's MINIMAL_CONF for kiwibuild.
func kiwiMinimal(extra map[string]any) map[string]any {
	b := map[string]any{"description_scm": kiwiSCM, "description_path": "Fedora.kiwi", "kiwi_profile": "Cloud-Base-Generic"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

// The kiwiBuild call for each way of configuring the current kiwibuild
// keys (upstream Pungi's test_kiwibuildphase cases): positional target,
// arches, description URL and path, then every keyword, None when unset.
// The test hub binds the call to the kiwi plugin's signature and checks
// the types, as Koji would.
func TestKiwiBuildArguments(t *testing.T) {
	serverRepo := func(c *compose.Compose) string { return filepath.Join(c.Topdir, "compose", "Server", "$arch", "os") }
	for _, tc := range []struct {
		name   string
		conf   map[string]any
		args   func(c *compose.Compose) []any
		kw     func(c *compose.Compose) map[string]any
		arches []string
	}{
		{
			name: "minimal",
			conf: map[string]any{"kiwibuild": map[string]any{"^Server$": []any{kiwiMinimal(map[string]any{"target": "f40"})}}},
			args: func(*compose.Compose) []any {
				return []any{"f40", []any{"aarch64", "x86_64"}, kiwiSCM, "Fedora.kiwi"}
			},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"profile": "Cloud-Base-Generic", "release": nil, "repos": []any{serverRepo(c)},
					"type": nil, "type_attr": nil, "result_bundle_name_format": nil, "optional_arches": []any{},
					"version": "1.0", "repo_releasever": nil}
			},
		},
		{
			name: "every per-image key",
			conf: map[string]any{"kiwibuild": map[string]any{"^Server$": []any{kiwiMinimal(map[string]any{
				"target": "f40", "release": "1234", "arches": []any{"x86_64"},
				"repos": []any{"https://example.com/repo/", "Server-optional"}, "failable": []any{"*"},
				"subvariant": "Test", "type": "custom", "type_attr": []any{"foo", "bar"}, "bundle_name_format": "fmt",
				"version": "Rawhide", "repo_releasever": "41", "manifest_type": "live-kiwi"})}}},
			args: func(*compose.Compose) []any { return []any{"f40", []any{"x86_64"}, kiwiSCM, "Fedora.kiwi"} },
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"profile": "Cloud-Base-Generic", "release": "1234",
					"repos": []any{"https://example.com/repo/", filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository("$arch", c.Variant("Server-optional"))), serverRepo(c)},
					"type":  "custom", "type_attr": []any{"foo", "bar"}, "result_bundle_name_format": "fmt",
					"optional_arches": []any{"x86_64"}, "version": "Rawhide", "repo_releasever": "41"}
			},
		},
		{
			name: "phase-wide options",
			conf: map[string]any{"kiwibuild": map[string]any{"^Server$": []any{map[string]any{"kiwi_profile": "Generic"}}},
				"kiwibuild_target": "f40", "kiwibuild_release": "1234", "kiwibuild_description_scm": "https://example.com/foo.git",
				"kiwibuild_description_path": "bar", "kiwibuild_type": "custom", "kiwibuild_type_attr": []any{"foo", "bar"},
				"kiwibuild_bundle_name_format": "fmt", "kiwibuild_version": "Rawhide", "kiwibuild_repo_releasever": "41"},
			args: func(*compose.Compose) []any {
				return []any{"f40", []any{"aarch64", "x86_64"}, "https://example.com/foo.git", "bar"}
			},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"profile": "Generic", "release": "1234", "repos": []any{serverRepo(c)},
					"type": "custom", "type_attr": []any{"foo", "bar"}, "result_bundle_name_format": "fmt",
					"optional_arches": []any{}, "version": "Rawhide", "repo_releasever": "41"}
			},
		},
		{
			name: "global options",
			conf: map[string]any{"kiwibuild": map[string]any{"^Server$": []any{kiwiMinimal(nil)}},
				"global_target": "f40", "global_release": "1234", "global_version": "41"},
			args: func(*compose.Compose) []any {
				return []any{"f40", []any{"aarch64", "x86_64"}, kiwiSCM, "Fedora.kiwi"}
			},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"profile": "Cloud-Base-Generic", "release": "1234", "repos": []any{serverRepo(c)},
					"type": nil, "type_attr": nil, "result_bundle_name_format": nil, "optional_arches": []any{},
					"version": "41", "repo_releasever": nil}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, h := setup(t, tc.conf)
			h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
				return kojitest.Outcome{Children: []kojitest.Child{{Method: "createKiwiImage", Arch: "x86_64",
					Files: map[string][]byte{"Fedora.x86_64.qcow2": []byte("q")}}}}
			}
			if err := (&KiwiBuild{}).Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			calls := h.CallsTo("kiwiBuild")
			if len(calls) != 1 {
				t.Fatalf("kiwiBuild calls %v", calls)
			}
			want := tc.kw(c)
			if !reflect.DeepEqual(calls[0].Args, tc.args(c)) {
				t.Errorf("args\n%#v\nwant\n%#v", calls[0].Args, tc.args(c))
			}
			if !reflect.DeepEqual(calls[0].KW, want) {
				t.Errorf("keywords\n%#v\nwant\n%#v", calls[0].KW, want)
			}
		})
	}
}

// A kiwiBuild's images come from its createKiwiImage subtasks: files that
// are images are linked (ISOs into iso/, bootable, typed by manifest_type),
// others (package lists) skipped; the watch log is where Pungi keeps it.
func TestKiwiBuildImages(t *testing.T) {
	c, h := setup(t, map[string]any{"kiwibuild": map[string]any{"^Server$": []any{
		kiwiMinimal(map[string]any{"target": "f40", "subvariant": "KDE", "manifest_type": "live-kiwi"}),
		kiwiMinimal(map[string]any{"target": "f40", "arches": []any{"aarch64"}, "failable": []any{"aarch64"}}),
	}}})
	// The two blocks run at the same time, so their tasks are told apart
	// by what was asked (the second block builds aarch64 only), not by
	// the order they reach the hub.
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		if len(args) > 1 && reflect.DeepEqual(args[1], []any{"aarch64"}) {
			return kojitest.Outcome{Children: []kojitest.Child{{Method: "createKiwiImage", Arch: "aarch64",
				Files: map[string][]byte{"FCBG.aarch64-Rawhide-1.6.vagrant.libvirt.box": []byte("box"), "FCBG.aarch64-Rawhide-1.6.packages": []byte("p")}}}}
		}
		return kojitest.Outcome{Children: []kojitest.Child{
			{Method: "createKiwiImage", Arch: "x86_64", Files: map[string][]byte{"KDE.x86_64-Rawhide-1.6.iso": []byte("iso"), "KDE.x86_64.packages": []byte("p")}},
			{Method: "createKiwiImage", Arch: "aarch64", Files: map[string][]byte{"KDE.aarch64-Rawhide-1.6.iso": []byte("iso")}},
		}}
	}
	// scratch-less kiwi results name no build here: the files are read
	// from the task directories.
	if err := (&KiwiBuild{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := map[string]*images.Image{}
	for _, e := range images.Of(c).All() {
		got[e.Image.Path] = e.Image
	}
	for path, want := range map[string]images.Image{
		"Server/x86_64/iso/KDE.x86_64-Rawhide-1.6.iso":                       {Type: "live-kiwi", Format: "iso", Bootable: true, Subvariant: "KDE"},
		"Server/aarch64/iso/KDE.aarch64-Rawhide-1.6.iso":                     {Type: "live-kiwi", Format: "iso", Bootable: true, Subvariant: "KDE"},
		"Server/aarch64/images/FCBG.aarch64-Rawhide-1.6.vagrant.libvirt.box": {Type: "vagrant-libvirt", Format: "vagrant-libvirt.box", Subvariant: "Server", CanFail: true},
	} {
		im := got[path]
		if im == nil {
			t.Errorf("no image %s in %v", path, got)
			continue
		}
		if im.Type != want.Type || im.Format != want.Format || im.Bootable != want.Bootable || im.Subvariant != want.Subvariant ||
			im.CanFail != want.CanFail || im.Deliverable != "kiwibuild" {
			t.Errorf("%s: %+v, want %+v", path, im, want)
		}
	}
	if len(got) != 3 {
		t.Errorf("images %v", got)
	}
	if _, err := os.Stat(filepath.Join(c.Topdir, "logs", "global", "kiwibuild", "Server-1-watch-task.log")); err != nil {
		t.Errorf("watch log: %v", err)
	}
}

// A failed kiwiBuild fails the compose unless every arch is failable.
func TestKiwiBuildFailure(t *testing.T) {
	for _, tc := range []struct {
		failable []any
		fatal    bool
	}{{nil, true}, {[]any{"x86_64"}, true}, {[]any{"*"}, false}, {[]any{"aarch64", "x86_64"}, false}} {
		c, h := setup(t, map[string]any{"kiwibuild": map[string]any{"^Server$": []any{kiwiMinimal(map[string]any{"target": "f40", "failable": tc.failable})}}})
		h.Tasks = func(string, []any, map[string]any) kojitest.Outcome { return kojitest.Outcome{Fail: "kiwi failed"} }
		err := (&KiwiBuild{}).Run(context.Background(), c)
		if tc.fatal != (err != nil) {
			t.Errorf("failable %v: run error %v", tc.failable, err)
		}
		if err != nil && !strings.Contains(err.Error(), "kiwi failed") {
			t.Errorf("failable %v: %v", tc.failable, err)
		}
	}
}

// The imagebuilder phase as upstream's test_imagebuilderphase: target,
// types, name and version as keywords, opts with the repos (configured
// first, then the variant's), release and the ostree and blueprint dicts.
func TestImageBuilderArguments(t *testing.T) {
	serverRepo := func(c *compose.Compose) string { return filepath.Join(c.Topdir, "compose", "Server", "$arch", "os") }
	for _, tc := range []struct {
		name   string
		conf   map[string]any
		arches []any
		kw     func(c *compose.Compose) map[string]any
	}{
		{
			name:   "minimal",
			conf:   map[string]any{"imagebuilder": map[string]any{"^Server$": []any{map[string]any{"name": "Test", "types": []any{"minimal-raw-xz"}, "target": "f40"}}}},
			arches: []any{"aarch64", "x86_64"},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"types": []any{"minimal-raw-xz"}, "name": "Test", "version": "1.0",
					"opts": map[string]any{"repos": []any{serverRepo(c)}}}
			},
		},
		{
			name: "full",
			conf: map[string]any{"imagebuilder": map[string]any{"^Server$": []any{map[string]any{"name": "Test", "types": []any{"custom"},
				"target": "f40", "release": "1234", "arches": []any{"x86_64"}, "repos": []any{"https://example.com/repo/"},
				"version": "Rawhide", "manifest_type": "custom-type", "seed": int64(42), "scratch": true,
				"ostree":    map[string]any{"url": "https://ostree.example.com/repo", "ref": "fedora/x86_64/iot", "parent": "fedora/x86_64/iot-parent"},
				"blueprint": map[string]any{"customizations": map[string]any{"hostname": "iot"}}}}}},
			arches: []any{"x86_64"},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"types": []any{"custom"}, "name": "Test", "version": "Rawhide",
					"opts": map[string]any{"repos": []any{"https://example.com/repo/", serverRepo(c)}, "release": "1234",
						"seed": int64(42), "scratch": true,
						"ostree":    map[string]any{"url": "https://ostree.example.com/repo", "ref": "fedora/x86_64/iot", "parent": "fedora/x86_64/iot-parent"},
						"blueprint": map[string]any{"customizations": map[string]any{"hostname": "iot"}}}}
			},
		},
		{
			name: "phase-wide and global options",
			conf: map[string]any{"imagebuilder": map[string]any{"^Server$": []any{map[string]any{"name": "Test"}}},
				"imagebuilder_target": "f40", "imagebuilder_release": "1234", "imagebuilder_types": []any{"minimal-raw-xz"},
				"global_version": "41"},
			arches: []any{"aarch64", "x86_64"},
			kw: func(c *compose.Compose) map[string]any {
				return map[string]any{"types": []any{"minimal-raw-xz"}, "name": "Test", "version": "41",
					"opts": map[string]any{"repos": []any{serverRepo(c)}, "release": "1234"}}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, h := setup(t, tc.conf)
			h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
				return kojitest.Outcome{Children: []kojitest.Child{{Method: "imageBuilderBuildArch", Arch: "x86_64",
					Files: map[string][]byte{"Test.x86_64.raw.xz": []byte("raw")}}}}
			}
			if err := (&ImageBuilder{}).Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}
			calls := h.CallsTo("imageBuilderBuild")
			if len(calls) != 1 {
				t.Fatalf("calls %v", calls)
			}
			if want := []any{"f40", tc.arches}; !reflect.DeepEqual(calls[0].Args, want) {
				t.Errorf("args %#v, want %#v", calls[0].Args, want)
			}
			if want := tc.kw(c); !reflect.DeepEqual(calls[0].KW, want) {
				t.Errorf("keywords\n%#v\nwant\n%#v", calls[0].KW, want)
			}
		})
	}
}

// imagebuilder's images: the OCI archive is a container (not docker's
// tar.xz), an ISO goes to iso/ as a bootable "boot" image unless
// manifest_type says otherwise, non-images are skipped; images.json gets
// them through the manifest. A failed task fails the compose even with
// "failable", as in Pungi.
func TestImageBuilderImages(t *testing.T) {
	c, h := setup(t, map[string]any{"imagebuilder": map[string]any{"^Server$": []any{
		map[string]any{"name": "Test", "types": []any{"container"}, "target": "f40", "subvariant": "Container"},
		map[string]any{"name": "Inst", "types": []any{"minimal-installer"}, "target": "f40", "arches": []any{"x86_64"}},
	}}})
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		if kw["name"] == "Inst" {
			return kojitest.Outcome{Children: []kojitest.Child{{Method: "imageBuilderBuildArch", Arch: "x86_64",
				Files: map[string][]byte{"Inst-1.0-1.x86_64.iso": []byte("iso"), "Inst.x86_64.manifest.json": []byte("{}")}}}}
		}
		return kojitest.Outcome{Children: []kojitest.Child{
			{Method: "imageBuilderBuildArch", Arch: "x86_64", Files: map[string][]byte{"Test.x86_64.oci.tar.xz": []byte("oci"), "Test.x86_64.spdx.json": []byte("{}")}},
			{Method: "imageBuilderBuildArch", Arch: "aarch64", Files: map[string][]byte{"Test.aarch64.oci.tar.xz": []byte("oci")}},
		}}
	}
	if err := (&ImageBuilder{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range images.Of(c).All() {
		got[e.Image.Path] = strings.Join([]string{e.Image.Type, e.Image.Format, e.Image.Subvariant, e.Image.Deliverable, map[bool]string{true: "bootable", false: "-"}[e.Image.Bootable]}, " ")
	}
	want := map[string]string{
		"Server/x86_64/images/Test.x86_64.oci.tar.xz":   "container tar.xz Container imageBuilderBuild -",
		"Server/aarch64/images/Test.aarch64.oci.tar.xz": "container tar.xz Container imageBuilderBuild -",
		"Server/x86_64/iso/Inst-1.0-1.x86_64.iso":       "boot iso Server imageBuilderBuild bootable",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("images\n%v\nwant\n%v", got, want)
	}
	for _, num := range []string{"1", "2"} {
		if _, err := os.Stat(filepath.Join(c.Topdir, "logs", "global", "imageBuilderBuild", "Server-"+num+"-watch-task.log")); err != nil {
			t.Errorf("watch log: %v", err)
		}
	}

	c, h = setup(t, map[string]any{"imagebuilder": map[string]any{"^Server$": []any{
		map[string]any{"name": "Test", "types": []any{"container"}, "target": "f40", "failable": []any{"*"}}}}})
	h.Tasks = func(string, []any, map[string]any) kojitest.Outcome {
		return kojitest.Outcome{Fail: "image-builder failed"}
	}
	if err := (&ImageBuilder{}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "image-builder failed") {
		t.Errorf("failed task: %v", err)
	}
	if calls := h.CallsTo("imageBuilderBuild"); len(calls) != 1 || calls[0].KW["opts"].(map[string]any)["optional_arches"] != nil {
		t.Errorf("calls %v", calls)
	}
}

// The test hub refuses what Koji's plugins refuse: an unknown keyword, a
// repo that is Go's text of a map, a wrong type.
func TestPluginSignaturesRefuse(t *testing.T) {
	c, _ := setup(t, map[string]any{})
	kc, err := runroot.Client(context.Background(), c)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tc := range []struct {
		method string
		args   []any
		want   string
	}{
		{"kiwiBuild", []any{"f40", []any{"x86_64"}, "u", "p", map[string]any{"__starstar": true, "bundle_name_format": "x"}}, "unexpected keyword argument 'bundle_name_format'"},
		{"kiwiBuild", []any{"f40", []any{"x86_64"}, "u", "p", map[string]any{"__starstar": true, "type_attr": "a"}}, "type_attr must be a list"},
		{"osbuildImage", []any{"n", "1", "d", []any{"qcow2"}, "t", []any{"x86_64"}, map[string]any{"__starstar": true, "opts": map[string]any{"repo": []any{"map[baseurl:http://x package_sets:[build]]"}}}}, "is not a repository URL"},
		{"osbuildImage", []any{"n", "1", "d", []any{"qcow2"}, "t", []any{"x86_64"}, map[string]any{"__starstar": true, "opts": map[string]any{"repo": []any{map[string]any{"package_sets": []any{"build"}}}}}}, "'baseurl' is a required property"},
		{"osbuildImage", []any{"n", "1", "d", []any{"qcow2"}, "t", []any{"x86_64"}, map[string]any{"__starstar": true, "opts": map[string]any{"ostree": map[string]any{"ostree_ref": "x"}}}}, "('ostree_ref' was unexpected)"},
		{"imageBuilderBuild", []any{"f40", []any{"x86_64"}, map[string]any{"__starstar": true, "types": []any{"a", "b"}, "name": "n", "version": "1"}}, "exactly one string"},
	} {
		if _, err := kc.Call(ctx, tc.method, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %v: %v, want %q", tc.method, tc.args, err, tc.want)
		}
	}
}

// `config validate` (skip_phases) and the compose (--skip-phase, the
// schedule) know the image phases by the same names.
func TestPhaseNamesAgree(t *testing.T) {
	for _, p := range []compose.Phase{&ImageBuild{}, &LiveMedia{}, &OSBuild{}, &KiwiBuild{}, &ImageBuilder{}, &OSBS{}, &ImageContainer{}} {
		if !slices.Contains(pconfig.PhaseNames, p.Name()) {
			t.Errorf("phase %s: config does not know it", p.Name())
		}
		if err := compose.CheckSkipPhases([]string{p.Name()}, nil); err != nil {
			t.Errorf("--skip-phase %s: %v", p.Name(), err)
		}
	}
}
