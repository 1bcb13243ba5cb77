// Package pipeline builds the phases of one compose run and wires each to
// the results of the phases it depends on, as pungi-koji's main builds its
// phase objects and hands buildinstall_phase to CreateisoPhase,
// ExtraIsosPhase and write_tree_info. The order and parallel groups the
// phases run in are data: compose.Schedule.
package pipeline

import (
	"github.com/pungo/pungo/phases/buildinstall"
	"github.com/pungo/pungo/phases/checksums"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/compose/metadata"
	"github.com/pungo/pungo/phases/createiso"
	"github.com/pungo/pungo/phases/createrepo"
	"github.com/pungo/pungo/phases/extrafiles"
	"github.com/pungo/pungo/phases/gather"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/imagetasks"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/ostree"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/phases/repoclosure"
)

// New makes one instance of every phase pungo implements, keyed by its
// Pungi name (compose.PhaseNames) or internal step name, for one run.
// Phases Pungi knows that pungo does not implement (live_images) are
// absent: the runner passes over them.
func New() map[string]compose.Phase {
	bi := buildinstall.New()
	ini := &initphase.Phase{}
	ps := &pkgset.Phase{}
	return map[string]compose.Phase{
		"init":                      ini,
		"pkgset":                    ps,
		"buildinstall":              bi,
		"gather":                    &gather.Phase{Pkgset: ps, Comps: ini.Comps()},
		"extra_files":               &extrafiles.Phase{Pkgset: ps},
		"createrepo":                &createrepo.Phase{},
		"ostree":                    &ostree.TreePhase{},
		"ostree_installer":          &ostree.InstallerPhase{},
		"ostree_container":          &ostree.ContainerPhase{},
		compose.StepTreeMetadata:    metadata.NewTreeStep(bi.Result),
		"createiso":                 createiso.New(bi.Result),
		"extra_isos":                createiso.NewExtraISOs(bi.Result),
		"image_build":               &imagetasks.ImageBuild{},
		"live_media":                &imagetasks.LiveMedia{},
		"osbuild":                   &imagetasks.OSBuild{},
		"kiwibuild":                 &imagetasks.KiwiBuild{},
		"imagebuilder":              &imagetasks.ImageBuilder{},
		"osbs":                      &imagetasks.OSBS{},
		"image_container":           &imagetasks.ImageContainer{},
		"image_checksum":            &checksums.Phase{},
		"repoclosure":               &repoclosure.Phase{},
		compose.StepComposeMetadata: &metadata.ComposeStep{},
		"test":                      &images.CheckPhase{},
	}
}
