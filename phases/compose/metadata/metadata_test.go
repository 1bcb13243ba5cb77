package metadata

import (
	"context"
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
