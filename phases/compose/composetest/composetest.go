// Package composetest makes compose directories for the phases' tests: a
// config with the schema's defaults, a fresh directory under the test's
// temporary directory, and the compose's log closed when the test ends.
package composetest

import (
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
)

// New creates and opens a test compose for conf, dated 20240101.
func New(t testing.TB, conf map[string]any) *compose.Compose {
	t.Helper()
	return NewWith(t, conf, compose.Options{Type: "test", Date: "20240101"}, compose.Options{})
}

// NewWith creates the compose directory with create's options (type, date,
// label) and opens it with open's (Koji event, …).
func NewWith(t testing.TB, conf map[string]any, create, open compose.Options) *compose.Compose {
	t.Helper()
	dir, _, err := compose.CreateDir(t.TempDir(), config.NewWithDefaults(conf), create)
	if err != nil {
		t.Fatal(err)
	}
	c, err := compose.New(config.NewWithDefaults(conf), dir, open, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Log.Close() })
	return c
}
