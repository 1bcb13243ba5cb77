package toolcheck

import (
	"strings"
	"testing"
)

// recorder is a testing.TB that notes how a check ended instead of ending
// the test: only the first Skipf or Fatalf counts, as the real ones stop
// the test.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}
func (r *recorder) Skipf(format string, args ...any) {
	if r.skipped == "" && r.failed == "" {
		r.skipped = sprintf(format, args...)
	}
}
func (r *recorder) Fatalf(format string, args ...any) {
	if r.skipped == "" && r.failed == "" {
		r.failed = sprintf(format, args...)
	}
}

func sprintf(format string, args ...any) string {
	var b strings.Builder
	b.WriteString(format)
	for _, a := range args {
		b.WriteString(" ")
		b.WriteString(a.(string))
	}
	return b.String()
}

// A missing tool or missing shared data skips normally and fails under
// PUNGO_REQUIRE_TOOLS=1.
func TestMissingSkipsOrFails(t *testing.T) {
	checks := []struct {
		name string
		run  func(tb testing.TB)
	}{
		{"tool", func(tb testing.TB) { Need(tb, "pungo-no-such-tool") }},
		{"shared data", func(tb testing.TB) { Shared(tb, "pungo-no-such-shared-dir") }},
	}
	for _, c := range checks {
		for _, require := range []string{"", "1"} {
			t.Setenv("PUNGO_REQUIRE_TOOLS", require)
			r := &recorder{TB: t}
			c.run(r)
			if require == "1" && (r.failed == "" || r.skipped != "") {
				t.Errorf("%s missing under PUNGO_REQUIRE_TOOLS=1: failed %q, skipped %q", c.name, r.failed, r.skipped)
			}
			if require == "" && (r.skipped == "" || r.failed != "") {
				t.Errorf("%s missing without PUNGO_REQUIRE_TOOLS: failed %q, skipped %q", c.name, r.failed, r.skipped)
			}
		}
	}
}
