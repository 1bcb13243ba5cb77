package createrepo

import (
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmtest"
)

// TestChangelogLimitZeroValue: Options{} keeps createrepo_c's default of
// 10 entries per package (what a compose, whose command line names no
// limit, must get); NoChangelogs keeps none, -1 all. alpha's packages
// carry 12 entries, libfoo's one.
func TestChangelogLimitZeroValue(t *testing.T) {
	corpus := rpmtest.Corpus(t)
	for _, tt := range []struct {
		limit              int
		wantAlpha, wantFoo int
	}{
		{0, 10, 1}, {NoChangelogs, 0, 0}, {-1, 12, 1}, {3, 3, 1},
	} {
		out := t.TempDir()
		if _, err := Run(corpus, Options{OutputDir: out, ChangelogLimit: tt.limit}); err != nil {
			t.Fatal(err)
		}
		r, err := repomd.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.LoadOther(); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.Packages {
			want := -1
			switch p.Name {
			case "alpha":
				want = tt.wantAlpha
			case "libfoo":
				want = tt.wantFoo
			}
			if want >= 0 && len(p.Changelogs) != want {
				t.Errorf("limit %d: %s has %d changelog entries, want %d", tt.limit, p.NEVRA(), len(p.Changelogs), want)
			}
		}
	}
}
