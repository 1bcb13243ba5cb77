package pkgset

import (
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
	"os"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// TestArchRepoChecksum: work/<arch>/repo is written with
// createrepo_checksum, as Pungi's _create_arch_repo (sha256 by default):
// every record of repomd.xml and every package's pkgid, which is the
// digest of its file.
func TestArchRepoChecksum(t *testing.T) {
	repo := exclusiveRepo(t)
	for _, tt := range []struct {
		option any // createrepo_checksum; nil: unset
		want   string
		hash   func() hash.Hash
	}{
		{nil, "sha256", sha256.New},
		{"sha512", "sha512", sha512.New},
		{"sha1", "sha1", sha1.New},
	} {
		conf := map[string]any{}
		if tt.option != nil {
			conf["createrepo_checksum"] = tt.option
		}
		c := reposCompose(t, repo, []string{"x86_64"}, conf)
		set, err := Load(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeArchRepos(context.Background(), c, set); err != nil {
			t.Fatal(err)
		}
		r, err := repomd.Open(c.Paths.Work.PkgsetRepo("x86_64", "repos"))
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range r.Records {
			if rec.Checksum.Type != tt.want {
				t.Errorf("%v: record %s has a %s checksum, want %s", tt.option, rec.Type, rec.Checksum.Type, tt.want)
			}
		}
		if len(r.Packages) == 0 {
			t.Fatalf("%v: no packages", tt.option)
		}
		for _, p := range r.Packages {
			data, err := os.ReadFile(r.PackagePath(p))
			if err != nil {
				t.Fatal(err)
			}
			h := tt.hash()
			h.Write(data)
			if p.Checksum.Type != tt.want || p.Checksum.Value != hex.EncodeToString(h.Sum(nil)) {
				t.Errorf("%v: %s pkgid %s:%s, want the %s of the file", tt.option, p.NEVRA(), p.Checksum.Type, p.Checksum.Value, tt.want)
			}
		}
	}
}
