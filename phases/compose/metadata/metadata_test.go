package metadata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/phases/variants"
)

func TestLayeredProductMetadata(t *testing.T) {
	conf := map[string]any{"release_name": "Base OS", "release_short": "BOS", "release_version": "9.2"}
	c := composetest.NewWith(t, conf, compose.Options{Type: "production", Date: "20240101", Label: "RC-1.0"}, compose.Options{})
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	lp := &compose.Variant{UID: "Server-SAP", ID: "SAP", Name: "SAP", Type: "layered-product", Arches: []string{"x86_64"}, Parent: server,
		Release: &variants.Release{Name: "SAP Bits", Short: "SAP", Version: "3"}}
	server.Variants = []*compose.Variant{lp}
	c.Variants = []*compose.Variant{server}
	if !c.Supported {
		t.Error("RC label does not set supported")
	}
	if err := (&TreeStep{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(c.Paths.Compose.OSTree("x86_64", lp), ".treeinfo"))
	if err != nil {
		t.Fatal(err)
	}
	ti, err := productmd.ParseINI(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[[2]string]string{{"release", "name"}: "SAP Bits", {"release", "is_layered"}: "true", {"base_product", "name"}: "Base OS",
		{"base_product", "version"}: "9", {"base_product", "short"}: "BOS", {"tree", "variants"}: "Server", {"variant-Server", "type"}: "variant"} {
		if ti[k[0]][k[1]] != v {
			t.Errorf("[%s] %s = %q want %q", k[0], k[1], ti[k[0]][k[1]], v)
		}
	}
	di, _ := os.ReadFile(filepath.Join(c.Paths.Compose.OSTree("x86_64", lp), ".discinfo"))
	if want := "SAP Bits 3 for Base OS 9\nx86_64\nALL\n"; !strings.HasSuffix(string(di), want) {
		t.Errorf(".discinfo %q, want ending %q", di, want)
	}
	mr, _ := os.ReadFile(filepath.Join(c.Paths.Compose.OSTree("x86_64", lp), "media.repo"))
	if !strings.Contains(string(mr), "name=SAP Bits 3 for Base OS 9\n") {
		t.Errorf("media.repo %q", mr)
	}
	if err := (&ComposeStep{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	data, _ := os.ReadFile(c.Paths.Compose.Metadata("composeinfo.json"))
	json.Unmarshal(data, &doc)
	p := doc["payload"].(map[string]any)
	cs := p["compose"].(map[string]any)
	if cs["label"] != "RC-1.0" || cs["final"] != true || cs["type"] != "production" {
		t.Errorf("compose %v", cs)
	}
	v := p["variants"].(map[string]any)["Server-SAP"].(map[string]any)
	r := v["release"].(map[string]any)
	if r["name"] != "SAP Bits" || r["is_layered"] != true || r["type"] != "ga" {
		t.Errorf("layered release %v", r)
	}
	paths := v["paths"].(map[string]any)
	if paths["os_tree"].(map[string]any)["x86_64"] != "Server-SAP/x86_64/os" {
		t.Errorf("paths %v", paths)
	}
	if _, ok := paths["isos"]; ok {
		t.Error("isos listed although no ISO directory exists")
	}
}

// TestDescription follows Pungi's get_description for .discinfo and
// media.repo.
func TestDescription(t *testing.T) {
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	lp := &compose.Variant{UID: "Server-SAP", ID: "SAP", Name: "SAP", Type: "layered-product", Parent: server,
		Release: &variants.Release{Name: "SAP Bits", Short: "SAP", Version: "3.1"}}
	base := map[string]any{"release_name": "Base OS", "release_short": "BOS", "release_version": "9.2"}
	layered := map[string]any{"release_name": "Tools", "release_short": "T", "release_version": "2.0",
		"base_product_name": "Base OS", "base_product_short": "BOS", "base_product_version": "9"}
	custom := map[string]any{"release_name": "Base OS", "release_short": "BOS", "release_version": "9.2",
		"release_discinfo_description": "Base %(variant_name)s for %(arch)s (100%%)"}
	for _, tc := range []struct {
		conf map[string]any
		v    *compose.Variant
		want string
	}{
		{base, server, "Base OS 9.2"},
		{base, lp, "SAP Bits 3.1 for Base OS 9"},
		{layered, server, "Tools 2.0 for Base OS 9"},
		{custom, server, "Base Server for x86_64 (100%)"},
	} {
		c := composetest.New(t, tc.conf)
		if got := description(c, tc.v, "x86_64"); got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.v.UID, tc.conf["release_name"], got, tc.want)
		}
		c.Log.Close()
	}
}

// TestTreeInfoBootImages: lorax's .treeinfo merged into the tree's as
// Pungi's write_tree_info does (every platform, stage2, a checksum of each
// image read from the tree), and an image lorax lists but the tree lacks
// is an error naming it, as productmd's checksums.add fails in Pungi.
func TestTreeInfoBootImages(t *testing.T) {
	for _, tc := range []struct {
		name    string
		missing string // image left out of the tree
		wantErr string
	}{
		{name: "all images"},
		{name: "kernel missing", missing: "images/pxeboot/vmlinuz", wantErr: "buildinstall's .treeinfo lists images/pxeboot/vmlinuz, which the tree lacks"},
		{name: "stage2 missing", missing: "images/install.img", wantErr: "buildinstall's .treeinfo lists images/install.img, which the tree lacks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := composetest.NewWith(t, map[string]any{"release_name": "Base", "release_short": "B", "release_version": "1", "buildinstall_method": "lorax"}, compose.Options{}, compose.Options{})
			server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
			c.Variants = []*compose.Variant{server}
			bi := filepath.Join(c.Paths.Work.BuildinstallDir("x86_64", nil), "Server", ".treeinfo")
			os.MkdirAll(filepath.Dir(bi), 0o755)
			lorax := "[header]\ntype = productmd.treeinfo\nversion = 1.2\n\n[release]\nname = Base\nversion = 1\n\n[tree]\narch = x86_64\nplatforms = x86_64,xen\n\n" +
				"[images-x86_64]\nefiboot.img = images/efiboot.img\ninitrd = images/pxeboot/initrd.img\nkernel = images/pxeboot/vmlinuz\nnopath = \n\n" +
				"[images-xen]\ninitrd = images/pxeboot/initrd.img\nkernel = images/pxeboot/vmlinuz\n\n[stage2]\nmainimage = images/install.img\n"
			if err := os.WriteFile(bi, []byte(lorax), 0o644); err != nil {
				t.Fatal(err)
			}
			tree := c.Paths.Compose.OSTree("x86_64", server)
			files := map[string]string{"images/efiboot.img": "efi", "images/pxeboot/initrd.img": "initrd", "images/pxeboot/vmlinuz": "kernel", "images/install.img": "stage2"}
			for p, data := range files {
				if p == tc.missing {
					continue
				}
				os.MkdirAll(filepath.Dir(filepath.Join(tree, p)), 0o755)
				os.WriteFile(filepath.Join(tree, p), []byte(data), 0o644)
			}
			err := WriteTreeInfo(c, "x86_64", server, 1, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			ti, err := productmd.ReadTreeInfoFile(filepath.Join(tree, ".treeinfo"))
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ti.Platforms, ","); got != "x86_64,xen" && got != "xen,x86_64" {
				t.Errorf("platforms %q", got)
			}
			if len(ti.Images["x86_64"]) != 3 || ti.Images["xen"]["kernel"] != "images/pxeboot/vmlinuz" || ti.MainImage != "images/install.img" {
				t.Errorf("images %v, stage2 %q", ti.Images, ti.MainImage)
			}
			for p, data := range files {
				h := sha256.Sum256([]byte(data))
				if want := "sha256:" + hex.EncodeToString(h[:]); ti.Checksums[p] != want {
					t.Errorf("checksum of %s = %q, want %q", p, ti.Checksums[p], want)
				}
			}
			if len(ti.Checksums) != len(files) {
				t.Errorf("checksums %v, want one per image", ti.Checksums)
			}
		})
	}
}
