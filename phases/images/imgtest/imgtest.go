// Package imgtest builds small composes for the image phases' tests: a
// compose directory with a Server variant (x86_64), its optional child and
// an addon, over the production config type with the schema's defaults.
package imgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// BaseConf is the release every test compose uses.
func BaseConf() map[string]any {
	return map[string]any{"release_name": "Demo", "release_short": "DEMO", "release_version": "1.0"}
}

// NewCompose creates a test compose (type test, date 20240102) under a
// temporary directory. Extra options are merged over BaseConf; the config
// gets the schema's defaults, as a loaded one does.
func NewCompose(t testing.TB, extra map[string]any, label string) *compose.Compose {
	t.Helper()
	values := BaseConf()
	for k, v := range extra {
		values[k] = v
	}
	conf := config.NewWithDefaults(values)
	dir, _, err := compose.CreateDir(t.TempDir(), conf, compose.Options{Type: "test", Date: "20240102", Label: label})
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(conf, dir, compose.Options{}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Log.Close() })
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	opt := &compose.Variant{UID: "Server-optional", ID: "optional", Name: "optional", Type: "optional", Arches: []string{"x86_64"}, Parent: server}
	ha := &compose.Variant{UID: "Server-HA", ID: "HA", Name: "HA", Type: "addon", Arches: []string{"x86_64"}, Parent: server}
	server.Variants = []*compose.Variant{opt, ha}
	c.Variants = []*compose.Variant{server}
	return c
}

var (
	fakeMu  sync.Mutex
	fakeDir string
	built   = map[string]error{}
)

// FakeBin builds the Go fake under testdata/fakes/<name> (once per test
// binary) and returns the directory holding it, to prepend to PATH. Shell
// fakes already in testdata/fakes are used from there (FakesDir).
func FakeBin(t testing.TB, name string) string {
	t.Helper()
	fakeMu.Lock()
	defer fakeMu.Unlock()
	if fakeDir == "" {
		d, err := os.MkdirTemp("", "pungo-fakes-")
		if err != nil {
			t.Fatal(err)
		}
		fakeDir = d
	}
	err, done := built[name]
	if !done {
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		cmd := exec.Command(gobin, "build", "-o", filepath.Join(fakeDir, name), "./testdata/fakes/"+name)
		cmd.Dir = toolcheck.ProjectRoot()
		if out, e := cmd.CombinedOutput(); e != nil {
			err = fmt.Errorf("building fake %s: %v\n%s", name, e, out)
		}
		built[name] = err
	}
	if err != nil {
		t.Fatal(err)
	}
	return fakeDir
}

// FakesDir is testdata/fakes (shell fakes).
func FakesDir() string { return filepath.Join(toolcheck.ProjectRoot(), "testdata", "fakes") }

// WithPath prepends dirs to PATH for the test.
func WithPath(t testing.TB, dirs ...string) {
	t.Setenv("PATH", strings.Join(append(dirs, os.Getenv("PATH")), ":"))
}
