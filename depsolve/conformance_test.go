package depsolve_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// conformanceCase is one entry of ../shared/conformance/gather/cases.json.
type conformanceCase struct {
	Name      string   `json:"name"`
	Repos     []string `json:"repos"`
	Lookaside []string `json:"lookaside"`
	Arch      string   `json:"arch"`
	Packages  []string `json:"packages"`
	Groups    []string `json:"groups"`
	Options   struct {
		Greedy            string   `json:"greedy"`
		Fulltree          bool     `json:"fulltree"`
		Selfhosting       bool     `json:"selfhosting"`
		ResolveDeps       bool     `json:"resolve_deps"`
		MultilibMethods   []string `json:"multilib_methods"`
		MultilibBlacklist []string `json:"multilib_blacklist"`
		MultilibWhitelist []string `json:"multilib_whitelist"`
		Prepopulate       []string `json:"prepopulate"`
		FulltreeExcludes  []string `json:"fulltree_excludes"`
		ExcludeSource     bool     `json:"exclude_source"`
		ExcludeDebug      bool     `json:"exclude_debug"`
		Langpacks         bool     `json:"langpacks"`
	} `json:"options"`
	Expected gathered `json:"expected"`
}

type entry struct {
	NEVRA string   `json:"nevra"`
	File  string   `json:"file"`
	Repo  string   `json:"repo"`
	Flags []string `json:"flags"`
}

type gathered struct {
	RPM        []entry  `json:"rpm"`
	SRPM       []entry  `json:"srpm"`
	Debuginfo  []entry  `json:"debuginfo"`
	BrokenDeps []string `json:"broken_deps"`
}

// openedRepos caches parsed fixture repositories across cases; packages
// are never modified by Gather except for file lists being completed.
var openedRepos = map[string]*repomd.Repo{}

func openFixture(t *testing.T, dir string) *repomd.Repo {
	t.Helper()
	if r, ok := openedRepos[dir]; ok {
		return r
	}
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	openedRepos[dir] = r
	return r
}

// caseComps reads the comps of every repository and returns the
// conditional packages of the listed groups and the langpacks table.
func caseComps(t *testing.T, repos []*repomd.Repo, groups []string) ([]depsolve.Conditional, []depsolve.Langpack) {
	t.Helper()
	var conds []depsolve.Conditional
	var langs []depsolve.Langpack
	for _, r := range repos {
		typ := "group"
		if _, ok := r.Record(typ); !ok {
			typ = "group_gz"
			if _, ok := r.Record(typ); !ok {
				continue
			}
		}
		rd, err := r.OpenRecord(typ)
		if err != nil {
			t.Fatal(err)
		}
		c, err := comps.Parse(rd, r.Location)
		rd.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range groups {
			g := c.Group(id)
			if g == nil {
				continue
			}
			for _, pr := range g.Packages {
				if pr.Type == comps.TypeConditional {
					conds = append(conds, depsolve.Conditional{Name: pr.Requires, Install: pr.Name})
				}
			}
		}
		for _, l := range c.Langpacks {
			langs = append(langs, depsolve.Langpack{Name: l.Name, Install: l.Install})
		}
	}
	return conds, langs
}

func entries(items []depsolve.Item) []entry {
	out := []entry{}
	for _, it := range items {
		out = append(out, entry{NEVRA: it.Pkg.NEVRA(), File: it.Pkg.FileName(), Repo: it.Repo.ID, Flags: it.Flags.Names()})
	}
	return out
}

// repoFrom wraps a fixture repository, optionally with its packages in
// reverse primary.xml order.
func repoFrom(id string, r *repomd.Repo, lookaside, reverse bool) *depsolve.Repo {
	repo := depsolve.RepoFrom(id, r, lookaside)
	if reverse {
		pk := make([]*repomd.Package, len(r.Packages))
		for i, p := range r.Packages {
			pk[len(pk)-1-i] = p
		}
		repo.Packages = pk
	}
	return repo
}

func runCase(t *testing.T, dir string, c *conformanceCase, reverse bool) (gathered, error) {
	var repos []*depsolve.Repo
	var raw []*repomd.Repo
	for i, name := range c.Lookaside {
		r := openFixture(t, filepath.Join(dir, "fixtures", name))
		raw = append(raw, r)
		repos = append(repos, repoFrom(repoID("lookaside", i), r, true, reverse))
	}
	for i, name := range c.Repos {
		r := openFixture(t, filepath.Join(dir, "fixtures", name))
		raw = append(raw, r)
		repos = append(repos, repoFrom(repoID("test-repo", i), r, false, reverse))
	}
	pool, err := depsolve.NewPool(repos)
	if err != nil {
		return gathered{}, err
	}
	conds, langs := caseComps(t, raw, c.Groups)
	o := c.Options
	opts := depsolve.Options{
		Arch:              c.Arch,
		Greedy:            o.Greedy,
		Fulltree:          o.Fulltree,
		FulltreeExcludes:  o.FulltreeExcludes,
		Selfhosting:       o.Selfhosting,
		NoDeps:            !o.ResolveDeps,
		ExcludeSource:     o.ExcludeSource,
		ExcludeDebug:      o.ExcludeDebug,
		MultilibMethods:   o.MultilibMethods,
		MultilibBlacklist: o.MultilibBlacklist,
		MultilibWhitelist: o.MultilibWhitelist,
		Prepopulate:       o.Prepopulate,
		Conditional:       conds,
	}
	if o.Langpacks {
		opts.Langpacks = langs
	}
	res, err := depsolve.Gather(pool, c.Packages, opts)
	if err != nil {
		return gathered{}, err
	}
	got := gathered{RPM: entries(res.RPM), SRPM: entries(res.SRPM), Debuginfo: entries(res.Debuginfo), BrokenDeps: []string{}}
	for _, b := range res.Broken {
		got.BrokenDeps = append(got.BrokenDeps, b.String())
	}
	return got, nil
}

func repoID(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s%d", base, i+1)
}

func normalize(g *gathered) {
	for _, l := range []*[]entry{&g.RPM, &g.SRPM, &g.Debuginfo} {
		if *l == nil {
			*l = []entry{}
		}
		for i := range *l {
			if (*l)[i].Flags == nil {
				(*l)[i].Flags = []string{}
			}
		}
	}
	if g.BrokenDeps == nil {
		g.BrokenDeps = []string{}
	}
}

// TestConformance runs Pungi's 65 DNF gather test cases and compares the
// complete results (packages, repositories, flags, broken dependencies).
func TestConformance(t *testing.T) { testConformance(t, false) }

// TestConformanceReversedRepodata runs the cases again with every
// repository's packages in reverse order: Pungi's answers do not depend on
// it, so neither may ours.
func TestConformanceReversedRepodata(t *testing.T) { testConformance(t, true) }

func testConformance(t *testing.T, reverse bool) {
	dir := toolcheck.Shared(t, "conformance/gather")
	data, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []conformanceCase
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	pass := 0
	for i := range cases {
		c := &cases[i]
		t.Run(c.Name, func(t *testing.T) {
			got, err := runCase(t, dir, c, reverse)
			if err != nil {
				t.Fatal(err)
			}
			want := c.Expected
			normalize(&want)
			normalize(&got)
			if reflect.DeepEqual(got, want) {
				pass++
				return
			}
			for _, part := range []struct {
				name      string
				got, want []entry
			}{{"rpm", got.RPM, want.RPM}, {"srpm", got.SRPM, want.SRPM}, {"debuginfo", got.Debuginfo, want.Debuginfo}} {
				if !reflect.DeepEqual(part.got, part.want) {
					t.Errorf("%s:\n got  %s\n want %s", part.name, show(part.got), show(part.want))
				}
			}
			if !reflect.DeepEqual(got.BrokenDeps, want.BrokenDeps) {
				t.Errorf("broken_deps:\n got  %q\n want %q", got.BrokenDeps, want.BrokenDeps)
			}
		})
	}
	order := "primary.xml order"
	if reverse {
		order = "reversed package order"
	}
	t.Logf("conformance (%s): %d/%d cases pass", order, pass, len(cases))
	fmt.Fprintf(os.Stderr, "gather conformance (%s): %d/%d cases pass\n", order, pass, len(cases))
}

func show(es []entry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "\n    %s %s [%s]", e.NEVRA, e.Repo, strings.Join(e.Flags, ","))
	}
	return b.String()
}
