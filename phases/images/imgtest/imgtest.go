// Package imgtest builds small composes for the image phases' tests: a
// compose directory with a Server variant (x86_64), its optional child and
// an addon, over a MapConfig.
package imgtest

import (
	"testing"

	"github.com/pungo/pungo/phases/compose"
)

// BaseConf is the release every test compose uses.
func BaseConf() compose.MapConfig {
	return compose.MapConfig{"release_name": "Demo", "release_short": "DEMO", "release_version": "1.0"}
}

// NewCompose creates a test compose (type test, date 20240102) under a
// temporary directory. Extra options are merged over BaseConf.
func NewCompose(t testing.TB, extra compose.MapConfig, label string) *compose.Compose {
	t.Helper()
	conf := BaseConf()
	for k, v := range extra {
		conf[k] = v
	}
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
