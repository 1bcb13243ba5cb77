package pipeline

import (
	"slices"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
)

// Every phase is built under the name it answers to, every name is one
// Pungi knows (or an internal step), and every phase is on the schedule.
func TestPhasesNamedAndScheduled(t *testing.T) {
	scheduled := map[string]bool{}
	var walk func(s compose.Step)
	walk = func(s compose.Step) {
		switch s := s.(type) {
		case compose.PhaseStep:
			scheduled[string(s)] = true
		case compose.Seq:
			for _, x := range s {
				walk(x)
			}
		case compose.Par:
			for _, x := range s {
				walk(x)
			}
		}
	}
	walk(compose.Schedule)
	phases := New()
	for name, p := range phases {
		if p.Name() != name {
			t.Errorf("phase built as %q calls itself %q", name, p.Name())
		}
		internal := name == compose.StepTreeMetadata || name == compose.StepComposeMetadata
		if !internal && !slices.Contains(config.PhaseNames, name) {
			t.Errorf("%q is not a phase Pungi knows", name)
		}
		if !scheduled[name] {
			t.Errorf("%q is never scheduled", name)
		}
	}
	for _, name := range config.PhaseNames {
		if _, ok := phases[name]; !ok && name != "live_images" && name != "weaver" {
			t.Errorf("phase %q is not implemented", name)
		}
	}
	// Two runs never share phase state.
	if New()["buildinstall"] == phases["buildinstall"] {
		t.Error("phases shared between runs")
	}
}
