package depsolve

import (
	"reflect"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// TestLookasideByNEVRA: as Pungi's is_from_lookaside, every package the
// gather adds (binary, debuginfo, debugsource) is flagged lookaside, and
// so not shipped, when a lookaside repository holds its exact NEVRA, even
// if the copy picked comes from a main repository.
func TestLookasideByNEVRA(t *testing.T) {
	mainRepo := func() []*repomd.Package {
		return []*repomd.Package{
			pkg("app-1-1.x86_64"),
			pkg("app-libs-1-1.x86_64", "S:app-1-1.src.rpm"),
			pkg("app-debuginfo-1-1.x86_64", "S:app-1-1.src.rpm"),
			pkg("app-debugsource-1-1.x86_64", "S:app-1-1.src.rpm"),
			pkg("app-1-1.src"),
		}
	}
	tests := []struct {
		name      string
		lookaside []*repomd.Package
		opts      Options
		want      []string
	}{
		{
			// The lookaside copies come from another build (source RPM), so
			// the main ones are picked: their NEVRA still makes them
			// lookaside.
			name:      "debuginfo and debugsource of the same NEVRA in a lookaside",
			lookaside: []*repomd.Package{pkg("app-debuginfo-1-1.x86_64", "S:app-rebuild-1-1.src.rpm"), pkg("app-debugsource-1-1.x86_64", "S:app-rebuild-1-1.src.rpm")},
			want: []string{"app-1-1.src@main", "app-1-1.x86_64@main[input]",
				"app-debuginfo-1-1.x86_64@main[lookaside]", "app-debugsource-1-1.x86_64@main[lookaside]"},
		},
		{
			name:      "the same build in a lookaside: its copies are picked",
			lookaside: []*repomd.Package{pkg("app-debuginfo-1-1.x86_64", "S:app-1-1.src.rpm"), pkg("app-debugsource-1-1.x86_64", "S:app-1-1.src.rpm")},
			want: []string{"app-1-1.src@main", "app-1-1.x86_64@main[input]",
				"app-debuginfo-1-1.x86_64@lookaside[lookaside]", "app-debugsource-1-1.x86_64@lookaside[lookaside]"},
		},
		{
			name:      "another release in the lookaside is not the same package",
			lookaside: []*repomd.Package{pkg("app-debuginfo-1-2.x86_64", "S:app-1-2.src.rpm"), pkg("app-debugsource-1-0.x86_64", "S:app-1-1.src.rpm")},
			want: []string{"app-1-1.src@main", "app-1-1.x86_64@main[input]",
				"app-debuginfo-1-1.x86_64@main", "app-debugsource-1-0.x86_64@lookaside[lookaside]", "app-debugsource-1-1.x86_64@main"},
		},
		{
			name:      "a main copy added by fulltree whose NEVRA is in the lookaside",
			lookaside: []*repomd.Package{pkg("app-libs-1-1.x86_64", "S:app-rebuild-1-1.src.rpm")},
			opts:      Options{Fulltree: true, ExcludeDebug: true},
			want:      []string{"app-1-1.src@main", "app-1-1.x86_64@main[input]", "app-libs-1-1.x86_64@main[fulltree,lookaside]"},
		},
		{
			name:      "the debuginfo of a lookaside binary is not lookaside by itself",
			lookaside: []*repomd.Package{pkg("app-1-1.x86_64")},
			want: []string{"app-1-1.src@main[lookaside]", "app-1-1.x86_64@lookaside[input,lookaside]",
				"app-debuginfo-1-1.x86_64@main", "app-debugsource-1-1.x86_64@main"},
		},
		{
			name: "no lookaside",
			want: []string{"app-1-1.src@main", "app-1-1.x86_64@main[input]", "app-debuginfo-1-1.x86_64@main", "app-debugsource-1-1.x86_64@main"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var repos []*Repo
			if tt.lookaside != nil {
				repos = append(repos, &Repo{ID: "lookaside", Lookaside: true, Packages: tt.lookaside})
			}
			repos = append(repos, &Repo{ID: "main", Packages: mainRepo()})
			tt.opts.Arch = "x86_64"
			res, err := Gather(newTestPool(t, repos...), []string{"app"}, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(res); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}
