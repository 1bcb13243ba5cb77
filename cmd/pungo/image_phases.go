package main

// The image and delegated phases register themselves with compose.Register
// when imported: buildinstall; createiso and extra_isos; image_checksum
// (which also writes compose/metadata/images.json); test (image sanity
// checks); ostree, ostree_container and ostree_installer; image_build,
// live_media, osbuild, kiwibuild, imagebuilder, osbs and image_container.
import (
	_ "github.com/pungo/pungo/phases/buildinstall"
	_ "github.com/pungo/pungo/phases/checksums"
	_ "github.com/pungo/pungo/phases/createiso"
	_ "github.com/pungo/pungo/phases/images"
	_ "github.com/pungo/pungo/phases/imagetasks"
	_ "github.com/pungo/pungo/phases/ostree"
)
