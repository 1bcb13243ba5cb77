package productmd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestRpmsAddChecks(t *testing.T) {
	r := &Rpms{Compose: ComposeSection{ID: "X-1-20240101.0", Type: "production", Date: "20240101", Label: "RC-1.0"}}
	cases := []struct {
		nevra, path, cat, src string
		ok                    bool
	}{
		{"bash-0:5.1-2.x86_64", "Server/x86_64/os/Packages/b/bash-5.1-2.x86_64.rpm", "binary", "bash-0:5.1-2.src", true},
		{"bash-0:5.1-2.src", "Server/source/tree/Packages/b/bash-5.1-2.src.rpm", "source", "", true},
		{"bash-debuginfo-0:5.1-2.x86_64", "Server/x86_64/debug/tree/Packages/b/bash-debuginfo-5.1-2.x86_64.rpm", "debug", "bash-0:5.1-2.src", true},
		{"bash-0:5.1-2.x86_64", "/abs/path.rpm", "binary", "bash-0:5.1-2.src", false},
		{"bash-0:5.1-2.x86_64", "p.rpm", "binary", "", false},
		{"bash-0:5.1-2.src", "p.rpm", "source", "bash-0:5.1-2.src", false},
		{"bash-0:5.1-2.x86_64", "p.rpm", "source", "", false},
		{"bash-0:5.1-2.src", "p.rpm", "binary", "bash-0:5.1-2.src", false},
		{"bash-0:5.1-2.x86_64", "p.rpm", "weird", "bash-0:5.1-2.src", false},
		{"bash-5.1-2.x86_64", "p.rpm", "binary", "bash-0:5.1-2.src", false},
		{"bash-0:5.1-2.x86_64", "p.rpm", "binary", "bash-5.1-2.src", false},
		{"bash-0:5.1-2.src", "p.rpm", "source@src", "", false},
	}
	for _, tc := range cases {
		arch := "x86_64"
		if cat, ok := strings.CutSuffix(tc.cat, "@src"); ok {
			tc.cat, arch = cat, "src"
		}
		err := r.Add("Server", arch, tc.nevra, tc.path, "", tc.cat, tc.src)
		if (err == nil) != tc.ok {
			t.Errorf("%s %s %s: err %v", tc.nevra, tc.cat, tc.path, err)
		}
	}
	r.Add("Server", "x86_64", "zsh-0:5.9-1.x86_64", "Server/x86_64/os/Packages/z/zsh-5.9-1.x86_64.rpm", "FD431D51", "binary", "zsh-0:5.9-1.src")
	data, err := MarshalIndent(r)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	c := doc["payload"].(map[string]any)["compose"].(map[string]any)
	if _, ok := c["label"]; ok || c["id"] != "X-1-20240101.0" || c["respin"] != 0.0 {
		t.Errorf("compose section %v", c)
	}
	srpm := doc["payload"].(map[string]any)["rpms"].(map[string]any)["Server"].(map[string]any)["x86_64"].(map[string]any)["bash-0:5.1-2.src"].(map[string]any)
	if len(srpm) != 3 || srpm["bash-0:5.1-2.src"].(map[string]any)["sigkey"] != nil {
		t.Errorf("bash srpm group %v", srpm)
	}
	if !strings.Contains(string(data), `"sigkey": "fd431d51"`) || !strings.HasSuffix(string(data), "}\n") || !strings.Contains(string(data), "\n    \"header\"") {
		t.Errorf("rendering:\n%s", data)
	}
	back, err := ReadRpms(data, "rpms.json")
	if err != nil || back.Variants()["Server"]["x86_64"]["zsh-0:5.9-1.src"]["zsh-0:5.9-1.x86_64"].Sigkey != "fd431d51" {
		t.Errorf("round trip: %v", err)
	}
	if _, err := ReadRpms([]byte(`{"header":{"type":"productmd.images","version":"1.2"},"payload":{}}`), "x"); err == nil {
		t.Error("wrong header type accepted")
	}
}

func TestNormalizeNEVRA(t *testing.T) {
	if got := NormalizeNEVRA("a", "", "1", "2", "noarch"); got != "a-0:1-2.noarch" {
		t.Error(got)
	}
	if got := NormalizeNEVRA("a", "3", "1", "2", "src"); got != "a-3:1-2.src" {
		t.Error(got)
	}
}

func TestComposeInfoVariants(t *testing.T) {
	ci := &ComposeInfo{
		Compose:     ComposeSection{ID: "P-1-B-9-20240101.n.0", Type: "nightly", Date: "20240101", Label: "Beta-1.0", Final: false},
		Release:     Release{Name: "Prod", Short: "P", Version: "1", Type: "ga", IsLayered: true},
		BaseProduct: &Release{Name: "Base", Short: "B", Version: "9", Type: "ga"},
		Variants: []*Variant{{ID: "Server", UID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64", "aarch64"},
			Paths:    map[string]map[string]string{"os_tree": {"x86_64": "Server/x86_64/os", "aarch64": "Server/aarch64/os", "s390x": "ignored"}},
			Variants: []*Variant{{ID: "optional", UID: "Server-optional", Name: "optional", Type: "optional", Arches: []string{"x86_64"}}}}},
	}
	data, err := MarshalIndent(ci)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	json.Unmarshal(data, &doc)
	p := doc["payload"].(map[string]any)
	c := p["compose"].(map[string]any)
	if c["label"] != "Beta-1.0" || c["final"] != false {
		t.Errorf("label/final %v", c)
	}
	if r := p["release"].(map[string]any); r["is_layered"] != true || r["internal"] != false {
		t.Errorf("release %v", r)
	}
	if b := p["base_product"].(map[string]any); b["short"] != "B" || b["type"] != "ga" || len(b) != 4 {
		t.Errorf("base_product %v", b)
	}
	vs := p["variants"].(map[string]any)
	s := vs["Server"].(map[string]any)
	if s["variants"].([]any)[0] != "optional" || len(s["arches"].([]any)) != 2 || s["arches"].([]any)[0] != "aarch64" {
		t.Errorf("Server %v", s)
	}
	if os := s["paths"].(map[string]any)["os_tree"].(map[string]any); len(os) != 2 {
		t.Errorf("paths of arches the variant lacks are kept: %v", os)
	}
	if vs["Server-optional"].(map[string]any)["paths"] == nil {
		t.Error("child variant not at top level")
	}
	back, err := decodeComposeInfo(bytes.NewReader(data), "ci")
	if err != nil || back.Compose.ID != ci.Compose.ID || back.BaseProduct == nil || back.BaseProduct.Short != "B" {
		t.Errorf("read back: %v %+v", err, back)
	}
}

func TestTreeInfoAndINI(t *testing.T) {
	ti := &TreeInfo{Release: Release{Name: "Demo", Short: "D", Version: "1"}, Arch: "x86_64", Timestamp: 42,
		Variants: []*TreeVariant{{ID: "Server", UID: "Server", Name: "Server", Type: "variant",
			Paths:  map[string]string{"packages": "Packages", "repository": "."},
			Addons: []*TreeVariant{{ID: "HA", UID: "Server-HA", Name: "HA", Type: "addon", Parent: "Server", Paths: map[string]string{"repository": "addons/HA"}}}}},
		Checksums: map[string]string{"repodata/repomd.xml": "sha256:ab"},
		Images:    map[string]map[string]string{"xen": {"kernel": "images/pxeboot/vmlinuz"}}}
	var b bytes.Buffer
	if err := ti.Write(&b); err != nil {
		t.Fatal(err)
	}
	secs, err := ParseINI(&b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[[2]string]string{{"tree", "platforms"}: "x86_64,xen", {"tree", "build_timestamp"}: "42", {"general", "timestamp"}: "42",
		{"variant-Server", "addons"}: "Server-HA", {"addon-Server-HA", "parent"}: "Server", {"images-xen", "kernel"}: "images/pxeboot/vmlinuz",
		{"general", "name"}: "Demo 1", {"general", "repository"}: ".", {"checksums", "repodata/repomd.xml"}: "sha256:ab"}
	for k, v := range want {
		if secs[k[0]][k[1]] != v {
			t.Errorf("[%s] %s = %q want %q", k[0], k[1], secs[k[0]][k[1]], v)
		}
	}
	if _, err := ParseINI(strings.NewReader("[a]\nnot a pair\n")); err == nil {
		t.Error("bad line accepted")
	}
	if got := DiscInfo(1.5, "Demo 1", "x86_64", nil); got != "1.500000\nDemo 1\nx86_64\nALL\n" {
		t.Errorf("discinfo %q", got)
	}
}

func TestExtraFiles(t *testing.T) {
	x := &ExtraFiles{Compose: ComposeSection{ID: "X", Type: "test", Date: "20240101"}}
	if err := x.Add("", "x86_64", "a", 1, nil); err == nil {
		t.Error("empty variant accepted")
	}
	if err := x.Add("Server", "x86_64", "/abs", 1, nil); err == nil {
		t.Error("absolute path accepted")
	}
	x.Add("Server", "x86_64", "Server/x86_64/os/GPL", 5, map[string]string{"sha256": "00"})
	tree, _ := x.ForTree("Server", "x86_64", "Server/x86_64/os")
	if !strings.Contains(string(tree), `"file": "GPL"`) || !strings.Contains(string(tree), `"version": "1.0"`) {
		t.Errorf("tree file:\n%s", tree)
	}
}

// TestExtraFilesDocument checks metadata/extra_files.json byte for byte in
// productmd's dump layout: sorted keys at every level, four-space indent.
func TestExtraFilesDocument(t *testing.T) {
	x := &ExtraFiles{Compose: ComposeSection{ID: "X-1-20240101.t.0", Type: "test", Date: "20240101", Label: "Beta-1.0"}}
	x.Add("Server", "x86_64", "Server/x86_64/os/GPL", 5, map[string]string{"sha256": "00", "md5": "11"})
	got, err := MarshalIndent(x)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
    "header": {
        "type": "productmd.extra_files",
        "version": "1.2"
    },
    "payload": {
        "compose": {
            "date": "20240101",
            "id": "X-1-20240101.t.0",
            "respin": 0,
            "type": "test"
        },
        "extra_files": {
            "Server": {
                "x86_64": [
                    {
                        "checksums": {
                            "md5": "11",
                            "sha256": "00"
                        },
                        "file": "Server/x86_64/os/GPL",
                        "size": 5
                    }
                ]
            }
        }
    }
}
`
	if string(got) != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// A .treeinfo read back and written again is the same file (productmd's
// load then dump), layered release, addons, images and media included.
func TestTreeInfoRoundTrip(t *testing.T) {
	ti := &TreeInfo{Release: Release{Name: "Gluster", Short: "Gluster", Version: "2.3", IsLayered: true},
		BaseProduct: &Release{Name: "Demo", Short: "Demo", Version: "1"}, Arch: "x86_64", Timestamp: 1700000000,
		Platforms: []string{"xen"},
		Variants: []*TreeVariant{{ID: "Server", UID: "Server", Name: "Server", Type: "variant", Paths: map[string]string{"packages": "Packages", "repository": "."},
			Addons: []*TreeVariant{{ID: "HA", UID: "Server-HA", Name: "HA", Type: "addon", Parent: "Server", Paths: map[string]string{"repository": "addons/HA"}}}}},
		Checksums: map[string]string{"images/boot.iso": "sha256:01", "repodata/repomd.xml": "sha256:02"},
		Images:    map[string]map[string]string{"x86_64": {"boot.iso": "images/boot.iso", "kernel": "images/pxeboot/vmlinuz"}, "xen": {"kernel": "images/xen/vmlinuz"}},
		MainImage: "images/install.img", DiscNum: 1, Discs: 2}
	var first bytes.Buffer
	if err := ti.Write(&first); err != nil {
		t.Fatal(err)
	}
	back, err := ReadTreeInfo(bytes.NewReader(first.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	var second bytes.Buffer
	if err := back.Write(&second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("first:\n%s\nsecond:\n%s", first.String(), second.String())
	}
	for _, want := range []string{"[base_product]\nname = Demo\n", "[images-xen]\nkernel = images/xen/vmlinuz\n", "[media]\ndiscnum = 1\ntotaldiscs = 2\n",
		"[tree]\narch = x86_64\nbuild_timestamp = 1700000000\nplatforms = x86_64,xen\n", "\n; WARNING.1 = Read productmd documentation for details about new format.\n"} {
		if !strings.Contains(first.String(), want) {
			t.Errorf("written .treeinfo lacks %q:\n%s", want, first.String())
		}
	}
}
