package initphase

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func demoCompose(t *testing.T, extra map[string]any) *compose.Compose {
	t.Helper()
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")
	conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"variants_file": "variants.xml", "comps_file": "comps.xml"}
	for k, v := range extra {
		conf[k] = v
	}
	opts := compose.Options{Type: "test", Date: "20240101", ConfigPath: filepath.Join(demo, "demo.conf")}
	return composetest.NewWith(t, conf, opts, opts)
}

func TestInitDemo(t *testing.T) {
	c := demoCompose(t, nil)
	ctx := context.Background()
	if err := ReadVariants(ctx, c); err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, v := range c.GetVariants(nil, "") {
		uids = append(uids, v.UID)
	}
	if strings.Join(uids, " ") != "Server Server-HA Server-optional Workstation" {
		t.Fatalf("variants %v", uids)
	}
	if _, err := os.Stat(c.Paths.Work.VariantsFile()); err != nil {
		t.Error(err)
	}
	if err := (&Phase{}).Run(ctx, c); err != nil {
		t.Fatal(err)
	}
	ws, err := comps.ParseFile(c.Paths.Work.Comps("x86_64", c.Variant("Workstation")))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, g := range ws.Groups {
		ids = append(ids, g.ID)
	}
	if strings.Join(ids, " ") != "core desktop" {
		t.Errorf("Workstation groups %v", ids)
	}
	for _, p := range ws.Group("desktop").Packages {
		if p.Name == "demo-httpd" {
			t.Error("variant=Server package kept in Workstation's comps")
		}
	}
	srv, _ := comps.ParseFile(c.Paths.Work.Comps("x86_64", c.Variant("Server")))
	if srv.Group("desktop") != nil || srv.Group("web-server") == nil {
		t.Error("Server comps not filtered to its groups")
	}
	repo, err := repomd.Open(c.Paths.Work.CompsRepo("x86_64", c.Variant("Server")))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := repo.Record("group"); !ok || len(repo.Packages) != 0 {
		t.Errorf("comps repository: group record %v, %d packages", ok, len(repo.Packages))
	}
	for _, p := range []string{c.Paths.Work.Comps("", nil), c.Paths.Work.Comps("x86_64", nil)} {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
}

func TestReadVariantsErrors(t *testing.T) {
	c := demoCompose(t, map[string]any{"variants_file": "no-such-variants.xml"})
	if err := ReadVariants(context.Background(), c); err == nil || !strings.Contains(err.Error(), "no-such-variants.xml") {
		t.Errorf("missing file: %v", err)
	}
	c = demoCompose(t, map[string]any{"tree_arches": []any{"s390x"}})
	if err := ReadVariants(context.Background(), c); err == nil || !strings.Contains(err.Error(), "no variant left") {
		t.Errorf("all filtered: %v", err)
	}
	c = demoCompose(t, map[string]any{"tree_variants": []any{"Workstation"}})
	if err := ReadVariants(context.Background(), c); err != nil || len(c.GetVariants(nil, "")) != 1 {
		t.Errorf("tree_variants: %v %d", err, len(c.GetVariants(nil, "")))
	}
}

// TestCompsRepoChecksum: the comps repositories are written with
// createrepo_checksum, as Pungi's create_comps_repo (sha256 by default).
func TestCompsRepoChecksum(t *testing.T) {
	for _, tt := range []struct {
		option any // nil: unset
		want   string
	}{{nil, "sha256"}, {"sha512", "sha512"}, {"sha1", "sha1"}} {
		extra := map[string]any{}
		if tt.option != nil {
			extra["createrepo_checksum"] = tt.option
		}
		c := demoCompose(t, extra)
		ctx := context.Background()
		if err := ReadVariants(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := (&Phase{}).Run(ctx, c); err != nil {
			t.Fatal(err)
		}
		repo, err := repomd.Open(c.Paths.Work.CompsRepo("x86_64", c.Variant("Server")))
		if err != nil {
			t.Fatal(err)
		}
		if len(repo.Records) == 0 {
			t.Fatal("no records")
		}
		for _, rec := range repo.Records {
			if rec.Checksum.Type != tt.want {
				t.Errorf("%v: record %s has a %s checksum, want %s", tt.option, rec.Type, rec.Checksum.Type, tt.want)
			}
		}
	}
}
