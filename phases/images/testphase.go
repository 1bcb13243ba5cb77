package images

import (
	"context"

	"github.com/pungo/pungo/phases/compose"
)

// TestPhase is Pungi's test phase: the sanity checks of every image in
// the manifest and of images.json (repoclosure is its own phase).
type TestPhase struct{}

// Name implements compose.Phase.
func (*TestPhase) Name() string { return "test" }

// Skip implements compose.Phase.
func (*TestPhase) Skip(*compose.Compose) bool { return false }

// Run implements compose.Phase.
func (*TestPhase) Run(ctx context.Context, c *compose.Compose) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := CheckImages(c); err != nil {
		return err
	}
	return CheckMetadata(c)
}
