package depsolve

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

func TestRepoArg(t *testing.T) {
	for arg, want := range map[string][2]string{
		"base=/srv/repo":             {"base", "/srv/repo"},
		"/srv/cs9-baseos/":           {"cs9-baseos", "/srv/cs9-baseos/"},
		"/srv/x/repodata":            {"x", "/srv/x/repodata"},
		"https://h/a=b/os":           {"os", "https://h/a=b/os"},
		"file:///srv/os=1":           {"os=1", "file:///srv/os=1"},
		".":                          {"repo", "."},
		"lookaside=https://h/c9/os/": {"lookaside", "https://h/c9/os/"},
	} {
		if id, loc := repoArg(arg); id != want[0] || loc != want[1] {
			t.Errorf("repoArg(%q) = %q, %q; want %q, %q", arg, id, loc, want[0], want[1])
		}
	}
}

func TestOpenReposOrderAndIDs(t *testing.T) {
	if _, err := OpenRepos([]string{"/nonexistent/pungo-repo"}, nil); err == nil {
		t.Error("a missing repository opened")
	}
	base := filepath.Join(toolcheck.Shared(t, "realdata"), "cs9-baseos")
	repos, err := OpenRepos([]string{base, base + "/"}, []string{"la=" + base})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range repos {
		got = append(got, fmt.Sprintf("%s:%v:%d", r.ID, r.Lookaside, len(r.Packages)))
	}
	want := []string{"la:true:1125", "cs9-baseos:false:1125", "cs9-baseos-2:false:1125"}
	if !slices.Equal(got, want) {
		t.Errorf("OpenRepos gave %v, want %v", got, want)
	}
}
