package pkgset

import (
	"context"
	"fmt"

	"github.com/pungo/pungo/phases/compose"
)

func loadKoji(ctx context.Context, c *compose.Compose) (*Set, error) {
	return nil, fmt.Errorf("pkgset_source koji: not implemented yet")
}
