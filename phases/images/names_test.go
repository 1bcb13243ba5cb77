package images_test

import (
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/productmd"
)

// Image names, volume IDs and version generators need only the config and
// the compose identity: no compose directory.
func TestNamesWithoutACompose(t *testing.T) {
	conf := config.NewWithDefaults(map[string]any{"release_name": "Fedora", "release_short": "Fedora", "release_version": "40"})
	ci := &compose.Info{Compose: productmd.ComposeSection{ID: "Fedora-40-20240101.n.1", Date: "20240101", Type: "nightly", Respin: 1}}
	ci.Release.Short, ci.Release.Version = "Fedora", "40"
	server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	name, err := images.ImageName(conf, ci, "x86_64", server, "dvd", 1, ".iso")
	if err != nil || name != "Fedora-40-20240101.n.1-Server-x86_64-dvd1.iso" {
		t.Errorf("ImageName = %q, %v", name, err)
	}
	vol, err := images.VolumeID(conf, ci, images.VolumeIDInput{Arch: "x86_64", Variant: server, DiscType: "dvd"})
	if err != nil || vol != "Fedora-40 Server.x86_64" {
		t.Errorf("VolumeID = %q, %v", vol, err)
	}
	for gen, want := range map[string]string{
		"!RELEASE_FROM_DATE_RESPIN":            "20240101.1",
		"!VERSION_FROM_VERSION_DATE_RESPIN":    "40.20240101.1",
		"!RELEASE_FROM_LABEL_DATE_TYPE_RESPIN": "20240101.n.1",
		"plain":                                "plain",
	} {
		if got, err := images.VersionGenerator(ci, gen); err != nil || got != want {
			t.Errorf("VersionGenerator(%q) = %q, %v; want %q", gen, got, err, want)
		}
	}
}
