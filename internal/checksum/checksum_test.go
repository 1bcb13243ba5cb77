package checksum

import (
	"context"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Digests of "abc" from FIPS 180 and RFC 1321; a file larger than the
// 4 MiB read buffer hashes as the same data in one piece.
func TestFile(t *testing.T) {
	dir := t.TempDir()
	abc := filepath.Join(dir, "abc")
	os.WriteFile(abc, []byte("abc"), 0o644)
	got, err := File(context.Background(), abc, []string{"md5", "sha1", "sha256", "sha512"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"md5":    "900150983cd24fb0d6963f7d28e17f72",
		"sha1":   "a9993e364706816aba3e25717850c26c9cd0d89d",
		"sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
		"sha512": "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %s, want %s", k, got[k], v)
		}
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, []byte(strings.Repeat("abc", 3<<20)), 0o644)
	one, _ := File(context.Background(), big, []string{"sha256"})
	h := New("sha256")
	h.Write([]byte(strings.Repeat("abc", 3<<20)))
	if one["sha256"] != hex.EncodeToString(h.Sum(nil)) {
		t.Errorf("large file digest %s", one["sha256"])
	}
	for _, bad := range []string{"sha", "SHA256", "crc32", ""} {
		if New(bad) != nil {
			t.Errorf("New(%q) is not nil", bad)
		}
		if _, err := File(context.Background(), abc, []string{bad}); err == nil {
			t.Errorf("File with %q: no error", bad)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := File(ctx, big, []string{"md5"}); err == nil {
		t.Error("cancelled read: no error")
	}
}
