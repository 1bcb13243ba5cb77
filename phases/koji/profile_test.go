package koji

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadProfile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.conf"), []byte("[koji]\nserver = https://koji.example.com/kojihub\n\n[stg]\nserver = https://old/kojihub\nauthtype = kerberos\n"), 0o644)
	sub := filepath.Join(dir, "conf.d")
	os.MkdirAll(sub, 0o755)
	os.WriteFile(filepath.Join(sub, "stg.conf"), []byte("# override\n[stg]\nserver = https://stg.example.com/kojihub\ntopdir = /mnt/koji\ncert = ~/.koji/client.crt\n"), 0o644)
	t.Setenv("PUNGO_KOJI_CONFIG", filepath.Join(dir, "a.conf")+":"+sub)
	p, err := LoadProfile("stg")
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.UserHomeDir()
	if p.Server != "https://stg.example.com/kojihub" || p.AuthType != "kerberos" || p.TopDir != "/mnt/koji" || p.Cert != filepath.Join(home, ".koji", "client.crt") {
		t.Errorf("profile %+v", p)
	}
	if _, err := LoadProfile("nope"); err == nil || !strings.Contains(err.Error(), `koji profile "nope" not found`) {
		t.Errorf("missing profile: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "a.conf"), []byte("[koji\nserver=x\n"), 0o644)
	if _, err := LoadProfile("koji"); err == nil || !strings.Contains(err.Error(), "a.conf:1: bad section header") {
		t.Errorf("bad file: %v", err)
	}
}
