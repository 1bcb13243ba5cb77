package comps

import (
	"strings"
	"testing"
)

// TestNestingLimit: deeply nested elements are refused with a one-line
// error naming file, line and the limit.
func TestNestingLimit(t *testing.T) {
	for _, tt := range []struct {
		depth int
		want  string // "" = parses
	}{
		{3, ""},
		{maxDepth + 1, "deep.xml:1: malformed XML: elements nested deeper than the limit of 64"},
		{1_000_000, "deep.xml:1: malformed XML: elements nested deeper than the limit of 64"},
	} {
		doc := "<comps>" + strings.Repeat("<x>", tt.depth-1) + strings.Repeat("</x>", tt.depth-1) + "</comps>"
		_, err := ParseBytes([]byte(doc), "deep.xml")
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("depth %d: %v, want %q", tt.depth, err, tt.want)
		}
	}
}
