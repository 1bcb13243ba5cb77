package repoclosure

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/composetest"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// treeCompose makes a compose whose Server tree holds the named demo
// packages, with a repository written by pungo's createrepo.
func treeCompose(t *testing.T, strictness string, files ...string) *compose.Compose {
	t.Helper()
	conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1",
		"repoclosure_strictness": []any{[]any{".*", map[string]any{"*": strictness}}}}
	c := composetest.New(t, conf)
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	c.Variants = []*compose.Variant{server}
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo", "rpms")
	pkgDir := c.Paths.Compose.Packages("x86_64", server)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(demo, f))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(pkgDir, f), data, 0o644)
	}
	if _, err := createrepo.Run(c.Paths.Compose.Repository("x86_64", server), createrepo.Options{}); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRepoclosure(t *testing.T) {
	complete := []string{"demo-shell-5.2-1.x86_64.rpm", "demo-libc-2.1-3.x86_64.rpm", "demo-libc-common-2.1-3.noarch.rpm", "demo-filesystem-1.0-1.noarch.rpm"}
	c := treeCompose(t, "fatal", complete...)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatalf("closed tree: %v", err)
	}
	broken := append(complete[:1:1], "demo-filesystem-1.0-1.noarch.rpm")
	c = treeCompose(t, "fatal", broken...)
	err := (&Phase{}).Run(context.Background(), c)
	if err == nil || !strings.Contains(err.Error(), "Repoclosure failed for Server.x86_64") || !strings.Contains(err.Error(), "demo-shell-5.2-1.x86_64") || !strings.Contains(err.Error(), "libdemoc.so.1()(64bit)") {
		t.Fatalf("fatal: %v", err)
	}
	log, _ := os.ReadFile(c.Paths.Log.LogFile("x86_64", "repoclosure-Server"))
	if !strings.Contains(string(log), "package: demo-shell-5.2-1.x86_64") {
		t.Errorf("log:\n%s", log)
	}
	c = treeCompose(t, "lenient", broken...)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatalf("lenient: %v", err)
	}
	clog, _ := os.ReadFile(c.Paths.Log.LogFile("", "pungi"))
	if !strings.Contains(string(clog), "[WARNING ] Repoclosure failed for Server.x86_64") {
		t.Errorf("lenient does not warn:\n%s", clog)
	}
	c = treeCompose(t, "off", broken...)
	if err := (&Phase{}).Run(context.Background(), c); err != nil {
		t.Fatalf("off: %v", err)
	}
	if _, err := os.Stat(c.Paths.Log.LogFile("x86_64", "repoclosure-Server")); err == nil {
		t.Error("repoclosure ran although off")
	}
	c.Conf.Set("repoclosure_strictness", []any{[]any{".*", map[string]any{"*": "strict"}}})
	if err := compose.ValidateConfig(c, &Phase{}); err == nil {
		t.Error("unknown strictness accepted")
	}
}
