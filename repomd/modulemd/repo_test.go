package modulemd_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
	"github.com/pungo/pungo/repomd/modulemd/modtest"
)

func TestReadRepo(t *testing.T) {
	cases := []struct {
		name    string
		yaml    string
		streams int
		err     string
	}{
		{"no modules record", "", -1, ""},
		{"modules", modtest.NodejsYAML, 2, ""},
		{"bad modules", "---\ndocument: modulemd\nversion: 2\ndata: [\n", 0, "-modules.yaml.gz"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := modtest.WriteRepo(t, t.TempDir(), modtest.NodejsPackages, c.yaml)
			r, err := repomd.OpenMeta(dir)
			if err != nil {
				t.Fatal(err)
			}
			x, err := modulemd.ReadRepo(r)
			switch {
			case c.err != "":
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), filepath.Join(dir, "repodata")) {
					t.Errorf("error %v, want one naming the %s file", err, c.err)
				}
			case err != nil:
				t.Fatal(err)
			case c.streams < 0 && x != nil:
				t.Errorf("an index without a record: %+v", x)
			case c.streams >= 0 && (x == nil || len(x.Streams) != c.streams || x.DefaultStream("nodejs") != "18"):
				t.Errorf("index %+v", x)
			}
		})
	}
}
