package config

import (
	"fmt"
)

// Diagnostic is one validation finding.
type Diagnostic struct {
	Pos    Pos    // where the option was assigned; zero when unknown
	Option string // the top-level option concerned, if any
	Msg    string
}

func (d Diagnostic) String() string {
	if d.Pos.File == "" {
		return d.Msg
	}
	if d.Pos.Line == 0 {
		return fmt.Sprintf("%s: %s", d.Pos.File, d.Msg)
	}
	return fmt.Sprintf("%s: %s", d.Pos, d.Msg)
}
