package variants

import (
	"strings"
	"testing"
)

// TestNestingLimit: deeply nested elements are refused with a one-line
// error naming file, line and the limit.
func TestNestingLimit(t *testing.T) {
	doc := "<variants>" + strings.Repeat("<variant>", 1_000_000) + strings.Repeat("</variant>", 1_000_000) + "</variants>"
	_, err := Parse([]byte(doc), "deep.xml", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "deep.xml:1") || !strings.Contains(err.Error(), "nested deeper than the limit of 64") || strings.Contains(err.Error(), "\n") {
		t.Errorf("got %v", err)
	}
}
