package checksums

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
)

func put(t *testing.T, c *compose.Compose, rel, content string) *images.Image {
	p := filepath.Join(c.Topdir, "compose", rel)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	im, err := images.NewImage(c, p)
	if err != nil {
		t.Fatal(err)
	}
	return im
}

func sha(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s))) }

func countDigests(t *testing.T) *int32 {
	var n int32
	old := digest
	digest = func(ctx context.Context, p string, types []string) (map[string]string, error) {
		atomic.AddInt32(&n, 1)
		return old(ctx, p, types)
	}
	t.Cleanup(func() { digest = old })
	return &n
}

func TestPerImageFiles(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{"media_checksums": []any{"md5", "sha256"}}, "")
	m := images.Of(c)
	a := put(t, c, "Server/x86_64/iso/a.iso", "aaa")
	b := put(t, c, "Server/x86_64/iso/b.iso", "bb")
	src := put(t, c, "Server/source/iso/s.iso", "source")
	m.Add("Server", "x86_64", a)
	m.Add("Server", "x86_64", b)
	m.Add("Server", "x86_64", src)
	m.Add("Server", "aarch64", src)
	n := countDigests(t)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if *n != 3 {
		t.Errorf("%d files hashed, want 3 (source ISO once)", *n)
	}
	iso := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso")
	got, _ := os.ReadFile(filepath.Join(iso, "SHA256SUM"))
	want := "# a.iso: 3 bytes\nSHA256 (a.iso) = " + sha("aaa") + "\n# b.iso: 2 bytes\nSHA256 (b.iso) = " + sha("bb") + "\n"
	if string(got) != want {
		t.Errorf("SHA256SUM:\n%s\nwant:\n%s", got, want)
	}
	one, _ := os.ReadFile(filepath.Join(iso, "a.iso.MD5SUM"))
	if !strings.HasPrefix(string(one), "# a.iso: 3 bytes\nMD5 (a.iso) = 47bce5c74f589f4867dbd57e9ca9f808\n") {
		t.Errorf("a.iso.MD5SUM: %q", one)
	}
	srcSum, _ := os.ReadFile(filepath.Join(c.Topdir, "compose", "Server", "source", "iso", "SHA256SUM"))
	if strings.Count(string(srcSum), "SHA256 (s.iso)") != 1 {
		t.Errorf("source SHA256SUM lists s.iso more than once:\n%s", srcSum)
	}
	if a.Checksums["sha256"] != sha("aaa") || src.Checksums["md5"] == "" {
		t.Errorf("manifest checksums %v %v", a.Checksums, src.Checksums)
	}
	if _, err := os.Stat(filepath.Join(c.Topdir, "compose", "metadata", "images.json")); err != nil {
		t.Errorf("images.json not written: %v", err)
	}
}

func TestOneFileWithBaseName(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{
		"media_checksums":              []any{"sha256"},
		"media_checksum_one_file":      true,
		"media_checksum_base_filename": "%(release_short)s-%(variant)s-%(version)s-{arch}-{dirname}",
	}, "")
	m := images.Of(c)
	m.Add("Server", "x86_64", put(t, c, "Server/x86_64/iso/a.iso", "aaa"))
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso", "DEMO-Server-1.0-x86_64-iso-CHECKSUM")
	got, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "# a.iso: 3 bytes\nSHA256 (a.iso) = "+sha("aaa")+"\n" {
		t.Errorf("CHECKSUM: %q", got)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(p), "a.iso.SHA256SUM")); err == nil {
		t.Error("per-image file written with media_checksum_one_file")
	}
}

func TestValidateOneFileNeedsOneType(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{"media_checksum_one_file": true, "media_checksums": []any{"md5", "sha256"}}, "")
	if err := compose.ValidateConfig(c, &Phase{}); err == nil || !strings.Contains(err.Error(), "requires only one checksum") {
		t.Fatalf("validate: %v", err)
	}
	c = imgtest.NewCompose(t, map[string]any{"media_checksums": []any{"crc32"}}, "")
	if err := compose.ValidateConfig(c, &Phase{}); err == nil || !strings.Contains(err.Error(), `unsupported checksum type "crc32"`) {
		t.Fatalf("validate: %v", err)
	}
}
