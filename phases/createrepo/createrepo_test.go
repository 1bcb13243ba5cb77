package createrepo

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestVariantRepos(t *testing.T) {
	certs := t.TempDir()
	os.WriteFile(filepath.Join(certs, "Server-x86_64-1234.pem"), []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	os.WriteFile(filepath.Join(certs, "Demo-Server-HA-x86_64-99.pem"), []byte("-----BEGIN CERTIFICATE-----\n"), 0o644)
	conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"createrepo_checksum": "sha512", "createrepo_use_xz": true, "createrepo_database": false, "product_id": certs,
		"createrepo_extra_args": []any{"--distro", "cpe:/o:demo,Demo 1", "--revision=1.7"}}
	c := newCompose(t, conf)
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	ha := &compose.Variant{UID: "Server-HA", ID: "HA", Name: "HA", Type: "addon", Arches: []string{"x86_64"}, Parent: server}
	server.Variants = []*compose.Variant{ha}
	c.Variants = []*compose.Variant{server}
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms")
	rpms := &productmd.Rpms{Compose: c.Info.Compose}
	put := func(v *compose.Variant, arch, file, nevra, cat, src string) {
		var d, rel string
		if cat == "source" {
			d, rel = c.Paths.Compose.Packages("src", v), c.Paths.Compose.RelPackages("src", v)
		} else {
			d, rel = c.Paths.Compose.Packages(arch, v), c.Paths.Compose.RelPackages(arch, v)
		}
		data, err := os.ReadFile(filepath.Join(demo, file))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, file), data, 0o644)
		if err := rpms.Add(v.UID, "x86_64", nevra, rel+"/"+file, "", cat, src); err != nil {
			t.Fatal(err)
		}
	}
	put(server, "x86_64", "demo-shell-5.2-1.x86_64.rpm", "demo-shell-0:5.2-1.x86_64", "binary", "demo-shell-0:5.2-1.src")
	put(server, "x86_64", "demo-shell-5.2-1.src.rpm", "demo-shell-0:5.2-1.src", "source", "")
	put(ha, "x86_64", "demo-cluster-1.4-2.x86_64.rpm", "demo-cluster-0:1.4-2.x86_64", "binary", "demo-cluster-0:1.4-2.src")
	if err := productmd.WriteJSON(c.Paths.Compose.Metadata("rpms.json"), rpms); err != nil {
		t.Fatal(err)
	}
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	check := func(path string, want ...string) *repomd.Repo {
		t.Helper()
		r, err := repomd.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, p := range r.Packages {
			got = append(got, p.NEVRA())
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: %v want %v", path, got, want)
		}
		return r
	}
	srv := check(c.Paths.Compose.Repository("x86_64", server), "demo-shell-5.2-1.x86_64")
	check(c.Paths.Compose.Repository("x86_64", ha), "demo-cluster-1.4-2.x86_64")
	check(c.Paths.Compose.Repository("src", server), "demo-shell-5.2-1.src")
	check(c.Paths.Compose.DebugRepository("x86_64", server))
	// createrepo_use_xz is createrepo_c's --xz: the databases and the group
	// file copy in xz, primary, filelists and other stay gz.
	rec, ok := srv.Record("primary")
	if !ok || rec.Checksum.Type != "sha512" || !strings.HasSuffix(rec.Href, ".xml.gz") {
		t.Errorf("primary record %+v", rec)
	}
	if _, ok := srv.Record("primary_db"); ok {
		t.Error("database written although createrepo_database is off")
	}
	// createrepo_extra_args are applied, as createrepo_c would.
	if srv.Revision != "1.7" || len(srv.DistroTags) != 1 || srv.DistroTags[0] != (repomd.DistroTag{CPEID: "cpe:/o:demo", Name: "Demo 1"}) {
		t.Errorf("extra args not applied: revision %q, distro tags %+v", srv.Revision, srv.DistroTags)
	}
	// Changelogs are kept (createrepo_c's default limit of 10).
	if err := srv.LoadOther(); err != nil {
		t.Fatal(err)
	}
	if n := len(srv.Packages[0].Changelogs); n != 1 {
		t.Errorf("demo-shell has %d changelog entries in other.xml, want 1", n)
	}
	if _, ok := srv.Record("productid"); !ok {
		t.Error("no productid record")
	}
	os.Remove(filepath.Join(certs, "Server-x86_64-1234.pem"))
	if err := (&Phase{}).Run(context.Background(), c); err == nil || !strings.Contains(err.Error(), "No product certificate found (arch: x86_64, variant: Server)") {
		t.Errorf("missing certificate: %v", err)
	}
}

func TestValidateAndDatabaseDefault(t *testing.T) {
	tests := []struct {
		name    string
		extra   map[string]any
		wantErr string
		wantDB  bool
		old     bool // with --old-composes
	}{
		{name: "defaults: dnf backend, no database", extra: map[string]any{}},
		{name: "yum backend makes databases", extra: map[string]any{"gather_backend": "yum"}, wantDB: true},
		{name: "explicit database wins", extra: map[string]any{"createrepo_database": true}, wantDB: true},
		{name: "explicit no database wins over yum", extra: map[string]any{"gather_backend": "yum", "createrepo_database": false}},
		{name: "deltas off", extra: map[string]any{"createrepo_deltas": false}},
		{name: "deltas without old composes", extra: map[string]any{"createrepo_deltas": true}, wantErr: "Can not generate deltas without old compose"},
		{name: "deltas mapping without old composes", extra: map[string]any{"createrepo_deltas": []any{[]any{"^Client$", map[string]any{"*": true}}}},
			wantErr: "Can not generate deltas without old compose"},
		{name: "deltas with old composes", extra: map[string]any{"createrepo_deltas": true}, old: true},
		{name: "empty deltas mapping", extra: map[string]any{"createrepo_deltas": []any{}}},
		{name: "bad checksum", extra: map[string]any{"createrepo_checksum": "md5"}, wantErr: `createrepo_checksum "md5"`},
		{name: "unsupported extra arg", extra: map[string]any{"createrepo_extra_args": []any{"--split"}},
			wantErr: "createrepo_c option --split is not supported by pungo createrepo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1"}
			for k, v := range tt.extra {
				conf[k] = v
			}
			c := newCompose(t, conf)
			c.Variants = []*compose.Variant{{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}}
			if tt.old {
				toolcheck.Need(t, "makedeltarpm")
				c.OldComposes = []string{t.TempDir()}
			}
			err := compose.ValidateConfig(c, &Phase{})
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate: %v, want %q", err, tt.wantErr)
			}
			if got := yumDatabase(c); got != tt.wantDB {
				t.Errorf("database %v, want %v", got, tt.wantDB)
			}
		})
	}
}

// newCompose creates a test compose directory for conf, closed at the end
// of the test.
func newCompose(t *testing.T, conf map[string]any) *compose.Compose {
	t.Helper()
	return composetest.New(t, conf)
}
