package pkgset

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// kojiRPM is one rpm chosen for the package set.
type kojiRPM struct {
	rpm    koji.RPM
	build  koji.Build
	origin string
	// taskPath is the topdir-relative work/ path of a scratch build's rpm
	// (pkgset_koji_scratch_tasks); "" for rpms of real builds.
	taskPath string
	// taskSize is the size Koji's listTaskOutput gives the scratch rpm.
	taskSize int64
	// moduleTag is the module content tag the rpm was listed from; "" for
	// rpms of the main package set.
	moduleTag string
}

// sigkeyOrder reads sigkeys: key IDs in priority order, None (nil) for
// "unsigned is acceptable". Keys are compared lowercased, as Koji stores
// them. No sigkeys at all means unsigned only.
func sigkeyOrder(c *compose.Compose) []string {
	raw, ok := c.Conf.Get("sigkeys")
	if !ok || raw == nil {
		return []string{""}
	}
	var out []string
	for _, v := range compose.AsList(raw) {
		s, _ := v.(string)
		out = append(out, strings.ToLower(s))
	}
	if len(out) == 0 {
		return []string{""}
	}
	return out
}

// loadKoji builds the package set from Koji: the latest builds of
// pkgset_koji_tag (with inheritance unless pkgset_koji_inherit is False)
// at the compose's event, plus pkgset_koji_builds, each rpm taken from the
// first signed copy in sigkeys order (None: the unsigned file).
func loadKoji(ctx context.Context, c *compose.Compose) (*Set, error) {
	profName, _ := compose.StringOpt(c.Conf, "koji_profile")
	if profName == "" {
		profName = "koji"
	}
	prof, err := koji.LoadProfile(profName)
	if err != nil {
		return nil, err
	}
	client, err := koji.New(prof.Server)
	if err != nil {
		return nil, err
	}
	event, err := composeEvent(ctx, c, client)
	if err != nil {
		return nil, err
	}
	c.Log.Infof("Getting package set at koji event %d", event.ID)
	valid := map[string]bool{}
	for _, a := range c.Arches() {
		for k := range ArchesFor(a) {
			valid[k] = true
		}
	}
	inherit := c.Conf.Bool("pkgset_koji_inherit")
	chosen := map[string]bool{} // build package names taken already
	var picked []kojiRPM
	take := func(rpms []koji.RPM, builds []koji.Build, origin string, override bool) {
		byID := map[int64]koji.Build{}
		names := map[string]bool{}
		for _, b := range builds {
			byID[b.ID] = b
			names[buildName(b)] = true
		}
		if override {
			// Explicit builds replace the tagged builds of the same package.
			var kept []kojiRPM
			for _, p := range picked {
				if !names[buildName(p.build)] {
					kept = append(kept, p)
				}
			}
			picked = kept
		}
		for _, r := range rpms {
			b, ok := byID[r.BuildID]
			if !ok || !valid[r.Arch] || (!override && chosen[buildName(b)]) {
				continue
			}
			picked = append(picked, kojiRPM{rpm: r, build: b, origin: origin})
		}
		for n := range names {
			chosen[n] = true
		}
	}
	for _, tag := range compose.StringsOpt(c.Conf, "pkgset_koji_tag") {
		ev := event.ID
		rpms, builds, err := client.ListTaggedRPMs(ctx, tag, koji.ListTaggedOpts{Event: &ev, Inherit: inherit, Latest: true})
		if err != nil {
			return nil, err
		}
		c.Log.Infof("Koji tag %s: %d builds, %d rpms (inherit: %v)", tag, len(builds), len(rpms), inherit)
		take(rpms, builds, "tag "+tag, false)
	}
	for _, nvr := range compose.StringsOpt(c.Conf, "pkgset_koji_builds") {
		b, err := client.GetBuild(ctx, nvr)
		if err != nil {
			return nil, err
		}
		if b == nil {
			return nil, fmt.Errorf("pkgset_koji_builds: build %s does not exist in Koji", nvr)
		}
		rpms, err := client.ListRPMs(ctx, b.ID, nil)
		if err != nil {
			return nil, err
		}
		take(rpms, []koji.Build{*b}, "build "+nvr, true)
	}
	scratch, err := scratchTaskRPMs(ctx, c, client, valid)
	if err != nil {
		return nil, err
	}
	picked = append(picked, scratch...)
	src, err := openCopySource(c, prof)
	if err != nil {
		return nil, err
	}
	mods, err := chooseKojiModules(ctx, c, client, src, event)
	if err != nil {
		return nil, err
	}
	if mods != nil {
		modular, err := mods.contentRPMs(ctx, c, client, event.ID, valid)
		if err != nil {
			return nil, err
		}
		picked = append(picked, modular...)
	}
	sort.Slice(picked, func(i, j int) bool { return rpmFile(picked[i].rpm) < rpmFile(picked[j].rpm) })

	sigkeys := sigkeyOrder(c)
	if src.dl != nil {
		if err := src.loadChecksums(ctx, c, client, picked); err != nil {
			return nil, err
		}
	}
	files, err := locateCopies(ctx, c, src, picked, sigkeys)
	if err != nil {
		return nil, err
	}
	pkgs := make([]*Package, len(files))
	old, oldDir := loadOldHeaders(c)
	var tasks []compose.Task
	var mu sync.Mutex
	reused := 0
	for i, f := range files {
		if p := old.lookup(f.path); p != nil {
			pkgs[i] = &Package{Package: p, Path: f.path, Sigkey: f.sigkey, Origin: f.origin}
			reused++
			continue
		}
		tasks = append(tasks, compose.Task{Name: filepath.Base(f.path), Run: func(context.Context) error {
			p, err := rpmfile.ReadFile(f.path, rpmfile.Options{})
			if err != nil {
				return err
			}
			p.Location = filepath.Base(f.path)
			mu.Lock()
			pkgs[i] = &Package{Package: p, Path: f.path, Sigkey: f.sigkey, Origin: f.origin}
			mu.Unlock()
			return nil
		}})
	}
	if oldDir != "" {
		c.Log.Infof("pkgset: reusing %d of %d package headers read by old compose %s", reused, len(files), oldDir)
	}
	if err := c.RunTasks(ctx, "pkgset", tasks, 0); err != nil {
		return nil, err
	}
	if err := saveHeaders(c, pkgs); err != nil {
		return nil, err
	}
	// Module content tags' rpms stay out of the main set, as in Pungi,
	// where each content tag is a package set of its own.
	var mainPkgs []*Package
	byTag := map[string][]*Package{}
	for i, f := range files {
		if f.moduleTag != "" {
			byTag[f.moduleTag] = append(byTag[f.moduleTag], pkgs[i])
		} else {
			mainPkgs = append(mainPkgs, pkgs[i])
		}
	}
	latest := keepLatest(mainPkgs)
	// The content tags' packages are subset by ExclusiveArch/ExcludeArch
	// as the main set is (Pungi merges each tag's set into an arch's with
	// the same rules).
	withModular := latest
	for _, tag := range slices.Sorted(maps.Keys(byTag)) {
		withModular = append(withModular[:len(withModular):len(withModular)], byTag[tag]...)
	}
	x, err := loadExclusion(ctx, c, withModular)
	if err != nil {
		return nil, err
	}
	set := &Set{ByArch: split(latest, c.Arches(), x), Event: event.ID}
	set.Inputs = append(set.Inputs, fmt.Sprintf("koji %s event %d tags %v builds %v sigkeys %v inherit %v", prof.Server, event.ID,
		compose.StringsOpt(c.Conf, "pkgset_koji_tag"), compose.StringsOpt(c.Conf, "pkgset_koji_builds"), sigkeys, inherit))
	if mods != nil {
		mods.addTo(set, c.Arches(), byTag, x)
		set.Inputs = append(set.Inputs, mods.describe())
	}
	return set, nil
}

// composeEvent returns --koji-event (or koji_event), else the hub's last
// event, and records it in work/global/koji-event as Pungi does.
func composeEvent(ctx context.Context, c *compose.Compose, client *koji.Client) (koji.Event, error) {
	var ev koji.Event
	var err error
	if c.KojiEvent != 0 {
		ev, err = client.GetEvent(ctx, c.KojiEvent)
	} else {
		ev, err = client.GetLastEvent(ctx)
	}
	if err != nil {
		return ev, err
	}
	data, _ := json.Marshal(map[string]any{"id": ev.ID, "ts": ev.TS})
	path := filepath.Join(c.Paths.Work.Topdir(""), "koji-event")
	return ev, atomicfile.WriteFile(path, data, 0o644)
}

func buildName(b koji.Build) string {
	if b.PackageName != "" {
		return b.PackageName
	}
	return b.Name
}

func rpmFile(r koji.RPM) string {
	return fmt.Sprintf("%s-%s-%s.%s.rpm", r.Name, r.Version, r.Release, r.Arch)
}
