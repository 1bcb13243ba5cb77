package compose

import (
	"path/filepath"
	"testing"

	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/productmd"
)

// The helpers that need only the config or the compose identity work
// without a compose directory.
func TestPureHelpers(t *testing.T) {
	conf := config.NewWithDefaults(map[string]any{"translate_paths": []any{
		[]any{"/mnt/koji/compose/", "https://kojipkgs/compose/"}, []any{"/mnt", "/srv"}}})
	for in, want := range map[string]string{
		"/mnt/koji/compose/F-1/compose": "https://kojipkgs/compose/F-1/compose",
		"/mnt/other/":                   "/srv/other",
		"/elsewhere/./x":                "/elsewhere/x",
	} {
		if got := TranslatePath(conf, in); got != want {
			t.Errorf("TranslatePath(%q) = %q, want %q", in, got, want)
		}
	}
	abs, _ := filepath.Abs("comps.xml")
	for _, tt := range []struct{ cfg, p, want string }{
		{"/etc/pungi/f.conf", "comps.xml", "/etc/pungi/comps.xml"},
		{"/etc/pungi/f.conf", "/abs/comps.xml", "/abs/comps.xml"},
		{"/etc/pungi/f.conf", "https://h/comps.xml", "https://h/comps.xml"},
		{"", "comps.xml", abs},
		{"/etc/pungi/f.conf", "", ""},
	} {
		if got := ResolvePath(tt.cfg, tt.p); got != tt.want {
			t.Errorf("ResolvePath(%q, %q) = %q, want %q", tt.cfg, tt.p, got, tt.want)
		}
	}
	ci := &Info{}
	ci.Compose = productmd.ComposeSection{Date: "20240101", Type: "nightly", Respin: 2}
	ci.Release.Version = "40"
	if got := ImageRelease(ci); got != "20240101.n.2" {
		t.Errorf("ImageRelease = %q", got)
	}
	if got := ImageVersion(ci); got != "40" {
		t.Errorf("ImageVersion = %q", got)
	}
	ci.Compose.Label = "Beta-1.3"
	if got, ver := ImageRelease(ci), ImageVersion(ci); got != "1.3" || ver != "40_Beta" {
		t.Errorf("with label: ImageRelease %q, ImageVersion %q", got, ver)
	}
}
