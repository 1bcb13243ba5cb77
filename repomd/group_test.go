package repomd

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// writeGroupRepo writes a repository whose repomd.xml lists the given comps
// records; only the files in present exist.
func writeGroupRepo(t *testing.T, listed []string, present map[string]string) string {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "repodata"), 0o755)
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<repomd xmlns="http://linux.duke.edu/metadata/repo"><revision>1</revision>`)
	for _, typ := range listed {
		content := present[typ]
		sum := sha256.Sum256([]byte(content))
		href := "repodata/" + typ + ".xml"
		if content != "" {
			os.WriteFile(filepath.Join(dir, href), []byte(content), 0o644)
		}
		fmt.Fprintf(&b, `<data type="%s"><checksum type="sha256">%s</checksum><location href="%s"/></data>`, typ, hex.EncodeToString(sum[:]), href)
	}
	b.WriteString("</repomd>\n")
	os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml"), []byte(b.String()), 0o644)
	return dir
}

func TestOpenGroup(t *testing.T) {
	cases := []struct {
		name    string
		listed  []string
		present map[string]string
		typ     string // "" none listed; "error" all fail
	}{
		{"gz preferred", []string{"group", "group_gz"}, map[string]string{"group": "plain", "group_gz": "gz"}, "group_gz"},
		{"only plain shipped", []string{"group", "group_gz"}, map[string]string{"group": "plain"}, "group"},
		{"only plain listed", []string{"group"}, map[string]string{"group": "plain"}, "group"},
		{"none listed", nil, nil, ""},
		{"none shipped", []string{"group", "group_gz"}, nil, "error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := OpenMeta(writeGroupRepo(t, c.listed, c.present))
			if err != nil {
				t.Fatal(err)
			}
			rc, typ, ok, err := r.OpenGroup()
			switch {
			case c.typ == "error":
				if err == nil || !strings.Contains(err.Error(), "group_gz") {
					t.Errorf("err %v, want one naming group_gz", err)
				}
			case c.typ == "":
				if ok || err != nil {
					t.Errorf("ok %v err %v for no comps", ok, err)
				}
			default:
				if err != nil || typ != c.typ {
					t.Fatalf("typ %q err %v, want %q", typ, err, c.typ)
				}
				b, _ := io.ReadAll(rc)
				rc.Close()
				if string(b) != c.present[c.typ] {
					t.Errorf("read %q", b)
				}
			}
		})
	}
}

// CentOS Stream 9 BaseOS lists group and group_gz and ships only the
// compressed file.
func TestOpenGroupRealBaseOS(t *testing.T) {
	r, err := OpenMeta(toolcheck.Shared(t, "realdata/cs9-baseos"))
	if err != nil {
		t.Fatal(err)
	}
	rc, typ, _, err := r.OpenGroup()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil || typ != "group_gz" || !strings.Contains(string(b), "<comps") {
		t.Errorf("typ %q err %v, %d bytes", typ, err, len(b))
	}
}
