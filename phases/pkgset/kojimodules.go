package pkgset

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/runroot"
	"github.com/pungo/pungo/repomd/fetch"
	"github.com/pungo/pungo/repomd/modulemd"
)

// This file chooses the module builds of a Koji compose as Pungi's
// source_koji does, per variant:
//   - with <kojitag> entries in the variant's <modules>, or with
//     pkgset_koji_module_tag and <module> entries: the module builds tagged
//     in those tags (inherited builds only from the topmost tag holding
//     each name:stream), kept when a <module> entry names them (name and
//     stream exactly, version and context when given; "*" keeps all), the
//     latest version of each name:stream with all its contexts;
//   - otherwise each <module> entry is searched in Koji by NVR glob, the
//     builds completed before the compose's event taken (the latest
//     version of them when the entry has none);
//   - pkgset_koji_module_builds adds explicit N:S:V:C builds (and drops
//     other builds of their name:stream), pkgset_scratch_modules adds
//     scratch builds from the Module Build Service (test composes only).
//
// A build's modulemd for a tree arch is its modulemd.<basearch>.txt module
// archive; builds that have only modulemd.txt (old builds without final
// per-arch files) are skipped, and an arch without a file is an error
// unless filter_modules removes the module there. The rpms of a module
// are those of its content tag (latest per package, inherited as
// pkgset_koji_inherit_modules says) whose name.arch is an artifact of a
// module using that tag; each stream's packages are its artifacts among
// them, by NEVRA, as Pungi's module gather source matches them.

// kojiModuleBuild is a module build chosen for at least one variant.
type kojiModuleBuild struct {
	nsvc, name, stream string
	// tag is the content tag its rpms come from.
	tag string
	// mmd is the stream per tree arch, for the arches some variant ships
	// it on.
	mmd map[string]*modulemd.Stream
}

// kojiModules is what the Koji source chose for modules.
type kojiModules struct {
	builds map[string]*kojiModuleBuild // by NSVC
	// variants maps variant UID → tree arch → the NSVCs it ships there.
	variants map[string]map[string][]string
	// tags are the content tags, in the order first chosen.
	tags []string
}

// kojiModuleChooser holds what choosing needs.
type kojiModuleChooser struct {
	c      *compose.Compose
	client *koji.Client
	src    *copySource
	event  koji.Event
	out    *kojiModules
	// mmdCache holds parsed archives by topdir-relative path, archives a
	// build's module archives by build ID: variants share builds.
	mmdCache map[string]*modulemd.Stream
	archives map[int64]map[string]string
}

// chooseKojiModules chooses the module builds of every variant. It returns
// nil when no variant has modules and no module option applies.
func chooseKojiModules(ctx context.Context, c *compose.Compose, client *koji.Client, src *copySource, event koji.Event) (*kojiModules, error) {
	ch := &kojiModuleChooser{c: c, client: client, src: src, event: event, mmdCache: map[string]*modulemd.Stream{}, archives: map[int64]map[string]string{},
		out: &kojiModules{builds: map[string]*kojiModuleBuild{}, variants: map[string]map[string][]string{}}}
	moduleTags := compose.StringsOpt(c.Conf, "pkgset_koji_module_tag")
	found := false
	for _, v := range c.GetVariants(nil, "") {
		extra := compose.AsStrings(c.Conf.ForVariant("pkgset_koji_module_builds", v.UID))
		var excludeNS []string
		for _, nsvc := range extra {
			p := strings.Split(nsvc, ":")
			excludeNS = append(excludeNS, strings.Join(p[:min(2, len(p))], ":"))
		}
		switch {
		case len(v.ModularKojiTags) > 0 || len(moduleTags) > 0 && len(v.Modules) > 0:
			if err := ch.fromTags(ctx, v, append(slices.Clone(v.ModularKojiTags), moduleTags...), excludeNS); err != nil {
				return nil, err
			}
			found = true
		case len(v.Modules) > 0:
			if err := ch.bySearch(ctx, v, excludeNS); err != nil {
				return nil, err
			}
			found = true
		}
		if len(extra) > 0 {
			if err := ch.explicit(ctx, v, extra); err != nil {
				return nil, err
			}
			found = true
		}
		if scratch := compose.AsStrings(c.Conf.ForVariant("pkgset_scratch_modules", v.UID)); len(scratch) > 0 {
			if err := ch.scratch(ctx, v, scratch); err != nil {
				return nil, err
			}
			found = true
		}
	}
	if !found {
		return nil, nil
	}
	for _, arches := range ch.out.variants {
		for a := range arches {
			slices.Sort(arches[a])
			arches[a] = slices.Compact(arches[a])
		}
	}
	return ch.out, nil
}

// parseSpec reads a <module> entry as Pungi's variant_dict_from_str:
// N:S[:V[:C]] as ParseModuleSpec, and also the old NAME-STREAM[-VERSION]
// form (with Pungi's warning), which Koji's NVRs make readable.
func (ch *kojiModuleChooser) parseSpec(s string) (ModuleSpec, error) {
	if strings.Contains(s, ":") || s == "*" {
		return ParseModuleSpec(s)
	}
	ch.c.Log.Warningf("Variant file uses old format of module definition with '-' delimiter, please switch to official format defined by Modules Naming Policy.")
	m := ModuleSpec{Raw: s}
	i := strings.LastIndex(s, "-")
	last := s[i+1:]
	if len(last) == 14 && strings.Trim(last, "0123456789") == "" {
		m.Version = last
		s = s[:max(i, 0)]
		i = strings.LastIndex(s, "-")
		m.Stream = s[i+1:]
	} else {
		m.Stream = last
	}
	m.Name = s[:max(i, 0)]
	return m, nil
}

// kojiStream is the Koji version of a module stream (MBS turns dashes
// into underscores).
func kojiStream(s string) string { return strings.ReplaceAll(s, "-", "_") }

// splitRelease splits a module build's release VERSION.CONTEXT.
func splitRelease(rel string) (uint64, string) {
	v, ctx, _ := strings.Cut(rel, ".")
	n, _ := strconv.ParseUint(v, 10, 64)
	return n, ctx
}

// fromTags takes the latest module builds tagged in tags, as Pungi's
// _get_modules_from_koji_tags, warning about <module> entries no tag
// has.
func (ch *kojiModuleChooser) fromTags(ctx context.Context, v *compose.Variant, tags, excludeNS []string) error {
	var specs []ModuleSpec
	all := false
	for _, raw := range v.Modules {
		if raw == "*" {
			all = true
			continue
		}
		s, err := ch.parseSpec(raw)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.UID, err)
		}
		specs = append(specs, s)
	}
	expected := map[string]bool{}
	if !all {
		for _, s := range specs {
			expected[s.Raw] = true
		}
	}
	ev := ch.event.ID
	for _, tag := range tags {
		builds, err := ch.client.ListTagged(ctx, tag, koji.ListTaggedOpts{Event: &ev, Inherit: true, Type: "module"})
		if err != nil {
			return err
		}
		builds, err = ch.topmostOnly(ctx, tag, builds)
		if err != nil {
			return err
		}
		if len(v.Modules) > 0 && !all {
			builds = slices.DeleteFunc(builds, func(b koji.Build) bool {
				ver, bctx := splitRelease(b.Release)
				for _, s := range specs {
					if b.Name == s.Name && b.Version == kojiStream(s.Stream) &&
						(s.Version == "" || strconv.FormatUint(ver, 10) == s.Version) && (s.Context == "" || bctx == s.Context) {
						delete(expected, s.Raw)
						return false
					}
				}
				return true
			})
		}
		for _, b := range latestModuleBuilds(builds) {
			full, err := ch.client.GetBuild(ctx, b.ID)
			if err != nil {
				return err
			}
			if full == nil {
				return fmt.Errorf("koji: module build %s (%d) listed in tag %s does not exist", b.NVR, b.ID, tag)
			}
			nsvc, err := ch.add(ctx, v, full, excludeNS)
			if err != nil {
				return err
			}
			if nsvc != "" {
				ch.c.Log.Infof("Module %s in variant %s will use Koji tag %s.", nsvc, v.UID, ch.out.builds[nsvc].tag)
			}
		}
	}
	if len(expected) > 0 {
		left := slices.Sorted(maps.Keys(expected))
		ch.c.Log.Warningf("Configuration specified patterns (%s) that don't match any modules in the configured tags.", strings.Join(left, ", "))
	}
	return nil
}

// topmostOnly keeps, for each name:stream, the builds of the first tag in
// the inheritance order (tag itself first) that has any, as Pungi's
// filter_inherited.
func (ch *kojiModuleChooser) topmostOnly(ctx context.Context, tag string, builds []koji.Build) ([]koji.Build, error) {
	ev := ch.event.ID
	links, err := ch.client.GetFullInheritance(ctx, tag, &ev)
	if err != nil {
		return nil, err
	}
	order := []string{tag}
	for _, l := range links {
		order = append(order, l.Name)
	}
	in := map[string]map[string]bool{} // name:stream → tags holding it
	for _, b := range builds {
		k := b.Name + ":" + b.Version
		if in[k] == nil {
			in[k] = map[string]bool{}
		}
		in[k][b.TagName] = true
	}
	top := map[string]string{}
	for k, tags := range in {
		for _, t := range order {
			if tags[t] {
				top[k] = t
				break
			}
		}
	}
	return slices.DeleteFunc(builds, func(b koji.Build) bool { return top[b.Name+":"+b.Version] != b.TagName }), nil
}

// latestModuleBuilds keeps, for each name:stream, the builds of its
// highest version (every context), ordered as Pungi sorts them (name,
// stream, version numerically, context, all descending).
func latestModuleBuilds(builds []koji.Build) []koji.Build {
	sorted := slices.Clone(builds)
	slices.SortStableFunc(sorted, func(a, b koji.Build) int {
		av, ac := splitRelease(a.Release)
		bv, bc := splitRelease(b.Release)
		return -cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version), cmp.Compare(av, bv), cmp.Compare(ac, bc))
	})
	latest := map[string]uint64{}
	var out []koji.Build
	for _, b := range sorted {
		ns := b.Name + ":" + b.Version
		ver, _ := splitRelease(b.Release)
		if l, ok := latest[ns]; ok && l != ver {
			continue
		}
		latest[ns] = ver
		out = append(out, b)
	}
	return out
}

// bySearch finds each <module> entry's builds by NVR glob, as Pungi's
// get_koji_modules: an entry no build matches is an error.
func (ch *kojiModuleChooser) bySearch(ctx context.Context, v *compose.Variant, excludeNS []string) error {
	for _, raw := range v.Modules {
		s, err := ch.parseSpec(raw)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.UID, err)
		}
		query := fmt.Sprintf("%s-%s-%s.%s", s.Name, kojiStream(s.Stream), cmp.Or(s.Version, "*"), cmp.Or(s.Context, "*"))
		query = strings.ReplaceAll(query, "*.*", "*")
		found, err := ch.client.SearchBuilds(ctx, query, "glob")
		if err != nil {
			return err
		}
		var builds []*koji.Build
		for _, f := range found {
			b, err := ch.client.GetBuild(ctx, f.ID)
			if err != nil {
				return err
			}
			if b == nil {
				continue
			}
			if b.CompletionTS > ch.event.TS {
				ch.c.Log.Debugf("Module build %s is too new, ignoring it.", f.Name)
				continue
			}
			if _, ok := moduleInfo(b); !ok {
				continue
			}
			if b.State == koji.BuildDeleted {
				ch.c.Log.Debugf("Module build %s has been deleted, ignoring it.", f.Name)
				continue
			}
			builds = append(builds, b)
		}
		if len(builds) == 0 {
			return fmt.Errorf("variant %s: no module build found for %q (queried for %q)", v.UID, raw, query)
		}
		if s.Version == "" {
			var latest uint64
			for _, b := range builds {
				info, _ := moduleInfo(b)
				latest = max(latest, info.version)
			}
			builds = slices.DeleteFunc(builds, func(b *koji.Build) bool { info, _ := moduleInfo(b); return info.version != latest })
		}
		for _, b := range builds {
			nsvc, err := ch.add(ctx, v, b, excludeNS)
			if err != nil {
				return err
			}
			if nsvc != "" {
				ch.c.Log.Infof("Module '%s' in variant '%s' will use Koji tag '%s' (as a result of querying module '%s')", nsvc, v.UID, ch.out.builds[nsvc].tag, raw)
			}
		}
	}
	return nil
}

// explicit adds pkgset_koji_module_builds (N:S:V:C each) to a variant.
func (ch *kojiModuleChooser) explicit(ctx context.Context, v *compose.Variant, nsvcs []string) error {
	for _, nsvc := range nsvcs {
		msg := fmt.Sprintf("Adding extra module build '%s' to variant '%s'", nsvc, v.UID)
		ch.c.Log.Infof("%s", msg)
		p := strings.Split(nsvc, ":")
		if len(p) != 4 {
			return fmt.Errorf("pkgset_koji_module_builds: module %s is not in N:S:V:C format", nsvc)
		}
		nvr := fmt.Sprintf("%s-%s-%s.%s", p[0], p[1], p[2], p[3])
		b, err := ch.client.GetBuild(ctx, nvr)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("pkgset_koji_module_builds: module build %s (%s) does not exist in Koji", nsvc, nvr)
		}
		got, err := ch.add(ctx, v, b, nil)
		if err != nil {
			return err
		}
		if got == "" {
			ch.c.Log.Warningf("%s - Failed", msg)
			continue
		}
		ch.c.Log.Infof("Extra module '%s' in variant '%s' will use Koji tag '%s'", got, v.UID, ch.out.builds[got].tag)
	}
	return nil
}

// modInfo is a build's extra.typeinfo.module.
type modInfo struct {
	name, stream, context, tag string
	version                    uint64
}

func (m modInfo) nsvc() string {
	return fmt.Sprintf("%s:%s:%d:%s", m.name, m.stream, m.version, m.context)
}

func moduleInfo(b *koji.Build) (modInfo, bool) {
	ti, _ := b.Extra["typeinfo"].(map[string]any)
	m, ok := ti["module"].(map[string]any)
	if !ok {
		return modInfo{}, false
	}
	str := func(k string) (string, bool) {
		switch x := m[k].(type) {
		case string:
			return x, true
		case int64:
			return strconv.FormatInt(x, 10), true
		}
		return "", false
	}
	var info modInfo
	var ok1, ok2, ok3, ok4, ok5 bool
	info.name, ok1 = str("name")
	info.stream, ok2 = str("stream")
	info.context, ok3 = str("context")
	info.tag, ok4 = str("content_koji_tag")
	ver, ok5 := str("version")
	n, err := strconv.ParseUint(ver, 10, 64)
	if !(ok1 && ok2 && ok3 && ok4 && ok5) || err != nil {
		return modInfo{}, false
	}
	info.version = n
	return info, true
}

// add reads a module build's modulemd archives and records it for the
// variant's arches (Pungi's _add_module_to_variant). It returns "" when the
// build is skipped: no final per-arch modulemd, its name:stream excluded,
// or filtered out on every arch.
func (ch *kojiModuleChooser) add(ctx context.Context, v *compose.Variant, b *koji.Build, excludeNS []string) (string, error) {
	info, ok := moduleInfo(b)
	if !ok {
		return "", fmt.Errorf("koji: build %s has no module information (extra.typeinfo.module)", b.NVR)
	}
	files, err := ch.moduleArchives(ctx, b)
	if err != nil {
		return "", err
	}
	nsvc := info.nsvc()
	if len(files) <= 1 {
		ch.c.Log.Warningf("Module build %s (%s) has no final per-arch modulemd files (built before MBS uploaded them): skipped, rebuild it", nsvc, b.NVR)
		return "", nil
	}
	if slices.Contains(excludeNS, info.name+":"+info.stream) {
		return "", nil
	}
	added := false
	for _, arch := range v.Arches {
		if FilteredModule(ch.c, v.UID, arch, info.name, info.stream) {
			ch.c.Log.Debugf("Module %s is filtered from %s.%s", nsvc, v.UID, arch)
			continue
		}
		rel, ok := files["modulemd."+arch+".txt"]
		if !ok {
			return "", fmt.Errorf("module %s does not have metadata for arch %s and is not filtered out via filter_modules option", nsvc, arch)
		}
		s, err := ch.readStream(ctx, rel, arch, b.NVR)
		if err != nil {
			return "", err
		}
		if s == nil {
			continue
		}
		ch.record(v, arch, nsvc, info, s)
		added = true
	}
	if !added {
		return "", nil
	}
	return nsvc, nil
}

// moduleArchives returns a build's module archives: modulemd.<basearch>.txt
// (MBS names them by arch, Pungi by basearch) or modulemd.txt → its
// topdir-relative path under Koji's typedir for the module btype.
func (ch *kojiModuleChooser) moduleArchives(ctx context.Context, b *koji.Build) (map[string]string, error) {
	if files, ok := ch.archives[b.ID]; ok {
		return files, nil
	}
	archives, err := ch.client.ListArchives(ctx, b.ID, "module")
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	dir := path.Join("packages", cmp.Or(b.PackageName, b.Name), b.Version, b.Release, "files", "module")
	for _, a := range archives {
		if a.BType != "module" {
			continue
		}
		key := a.Filename
		if p := strings.Split(a.Filename, "."); len(p) == 3 {
			key = "modulemd." + runroot.BaseArch(p[1]) + ".txt"
		}
		files[key] = path.Join(dir, a.Filename)
	}
	ch.archives[b.ID] = files
	return files, nil
}

// record notes that a variant ships a stream on an arch.
func (ch *kojiModuleChooser) record(v *compose.Variant, arch, nsvc string, info modInfo, s *modulemd.Stream) {
	mb := ch.out.builds[nsvc]
	if mb == nil {
		mb = &kojiModuleBuild{nsvc: nsvc, name: info.name, stream: info.stream, tag: info.tag, mmd: map[string]*modulemd.Stream{}}
		ch.out.builds[nsvc] = mb
		if !slices.Contains(ch.out.tags, info.tag) {
			ch.out.tags = append(ch.out.tags, info.tag)
		}
	}
	mb.mmd[arch] = s
	if ch.out.variants[v.UID] == nil {
		ch.out.variants[v.UID] = map[string][]string{}
	}
	ch.out.variants[v.UID][arch] = append(ch.out.variants[v.UID][arch], nsvc)
}

// readStream reads the one module stream of a modulemd archive (the first
// one, with Pungi's warning, when there are more); nil when it holds
// none.
func (ch *kojiModuleChooser) readStream(ctx context.Context, rel, arch, nvr string) (*modulemd.Stream, error) {
	if s, ok := ch.mmdCache[rel]; ok {
		return s, nil
	}
	file, err := ch.src.get(ctx, rel, nil)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return nil, fmt.Errorf("module build %s: archive %s is listed by Koji but missing from its topdir", nvr, rel)
	}
	idx, err := modulemd.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("module build %s: %w", nvr, err)
	}
	s := ch.firstStream(idx, arch, nvr)
	ch.mmdCache[rel] = s
	return s, nil
}

func (ch *kojiModuleChooser) firstStream(idx *modulemd.Index, arch, build string) *modulemd.Stream {
	if len(idx.Streams) == 0 {
		ch.c.Log.Infof("Skipping arch: %s. Build: %s", arch, build)
		return nil
	}
	if len(idx.Streams) > 1 {
		ch.c.Log.Warningf("Multiple modules/streams for arch: %s. Build: %s. Processing first module/stream only.", arch, build)
	}
	return idx.Streams[0]
}

// scratch adds pkgset_scratch_modules from the Module Build Service
// (Pungi's _add_scratch_modules_to_variant): test composes only.
func (ch *kojiModuleChooser) scratch(ctx context.Context, v *compose.Variant, nsvcs []string) error {
	if ch.c.Info.Compose.Type != "test" {
		ch.c.Log.Warningf("Only test composes could include scratch module builds")
		return nil
	}
	api, _ := compose.StringOpt(ch.c.Conf, "mbs_api_url")
	if api == "" {
		return fmt.Errorf("pkgset_scratch_modules needs mbs_api_url")
	}
	for _, nsvc := range nsvcs {
		p := strings.Split(nsvc, ":")
		if len(p) != 4 {
			return fmt.Errorf("pkgset_scratch_modules: invalid N:S:V:C - %s", nsvc)
		}
		q := url.Values{"name": {p[0]}, "stream": {p[1]}, "version": {p[2]}, "context": {p[3]}}
		var list struct {
			Items []struct {
				ID      int64  `json:"id"`
				Name    string `json:"name"`
				KojiTag string `json:"koji_tag"`
			} `json:"items"`
		}
		if err := mbsGet(ctx, strings.TrimRight(api, "/")+"/module-builds/?"+q.Encode(), &list); err != nil {
			return err
		}
		if len(list.Items) == 0 {
			ch.c.Log.Warningf("pkgset_scratch_modules: the Module Build Service has no build %s", nsvc)
			continue
		}
		mb := list.Items[0]
		var final map[string]string
		if err := mbsGet(ctx, fmt.Sprintf("%s/final-modulemd/%d", strings.TrimRight(api, "/"), mb.ID), &final); err != nil {
			ch.c.Log.Errorf("Unable to get modulemd for build %s (id %d)", nsvc, mb.ID)
			return err
		}
		for _, arch := range v.Arches {
			text, ok := final[arch]
			if !ok {
				continue
			}
			idx, err := modulemd.Parse([]byte(text), fmt.Sprintf("final modulemd of MBS build %d (%s)", mb.ID, arch))
			if err != nil {
				return err
			}
			s := ch.firstStream(idx, arch, nsvc)
			if s == nil {
				continue
			}
			ch.record(v, arch, nsvc, modInfo{name: p[0], stream: p[1], context: p[3], tag: mb.KojiTag}, s)
			ch.c.Log.Infof("Module '%s' in variant '%s' will use Koji tag '%s' (as a result of querying module '%s')", nsvc, v.UID, mb.KojiTag, mb.Name)
		}
	}
	return nil
}

// mbsGet reads one MBS REST API answer.
func mbsGet(ctx context.Context, u string, out any) error {
	data, err := fetch.Default().Get(ctx, u, 0, 64<<20)
	if err != nil {
		return fmt.Errorf("mbs_api_url: %w", err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("mbs_api_url: %s: %v", u, err)
	}
	return nil
}

// contentRPMs lists the rpms of every content tag as Pungi populates a
// module tag's package set: the latest builds (inherited as
// pkgset_koji_inherit_modules says), only rpms whose name.arch is an
// artifact of a module using the tag, and every source rpm.
func (km *kojiModules) contentRPMs(ctx context.Context, c *compose.Compose, client *koji.Client, event int64, valid map[string]bool) ([]kojiRPM, error) {
	inherit := c.Conf.Bool("pkgset_koji_inherit_modules")
	var out []kojiRPM
	for _, tag := range km.tags {
		include := map[[2]string]bool{}
		for _, mb := range km.builds {
			if mb.tag != tag {
				continue
			}
			for _, s := range mb.mmd {
				for _, a := range s.RPMArtifacts() {
					if n, ok := modulemd.ParseArtifact(a); ok {
						include[[2]string{n.Name, n.Arch}] = true
					}
				}
			}
		}
		ev := event
		rpms, builds, err := client.ListTaggedRPMs(ctx, tag, koji.ListTaggedOpts{Event: &ev, Inherit: inherit, Latest: true})
		if err != nil {
			return nil, err
		}
		byID := map[int64]koji.Build{}
		for _, b := range builds {
			byID[b.ID] = b
		}
		n := 0
		for _, r := range rpms {
			b, ok := byID[r.BuildID]
			if !ok || !valid[r.Arch] || r.Arch != "src" && !include[[2]string{r.Name, r.Arch}] {
				continue
			}
			out = append(out, kojiRPM{rpm: r, build: b, origin: "module tag " + tag, moduleTag: tag})
			n++
		}
		c.Log.Infof("Module content tag %s: %d of %d rpms are artifacts or sources (inherit: %v)", tag, n, len(rpms), inherit)
	}
	return out, nil
}

// addTo gives the set the chosen modules: per tree arch each stream with
// its packages (the content tag's packages that are its artifacts, by
// NEVRA, for the arch, but the noarch ones x keeps out of the arch), and
// the variants' choices.
func (km *kojiModules) addTo(set *Set, arches []string, byTag map[string][]*Package, x *exclusion) {
	set.Modules = map[string]map[string]*ModuleStream{}
	set.ModuleMeta = map[string]*modulemd.Index{}
	set.VariantModules = km.variants
	for _, arch := range arches {
		ok := ArchesFor(arch)
		var match map[string]bool
		if x != nil {
			match = x.matchArches(arch)
		}
		streams := map[string]*ModuleStream{}
		for nsvc, mb := range km.builds {
			s := mb.mmd[arch]
			if s == nil {
				continue
			}
			want := map[string]bool{}
			for _, a := range s.RPMArtifacts() {
				if k := modulemd.NormalizeArtifact(a); k != "" {
					want[k] = true
				}
			}
			ms := &ModuleStream{MD: s, Origin: "Koji tag " + mb.tag, KojiTag: mb.tag}
			for _, p := range byTag[mb.tag] {
				if ok[p.Arch] && want[modulemd.PackageKey(p.Package)] && !x.excluded(p, arch, match) {
					ms.Packages = append(ms.Packages, p)
				}
			}
			streams[nsvc] = ms
		}
		set.Modules[arch] = streams
		set.ModuleMeta[arch] = modulemd.NewIndex() // Koji builds carry no defaults: module_defaults_dir gives them
	}
}

// describe names the chosen modules for reuse decisions.
func (km *kojiModules) describe() string {
	var b strings.Builder
	b.WriteString("koji modules")
	uids := slices.Sorted(maps.Keys(km.variants))
	for _, uid := range uids {
		arches := slices.Sorted(maps.Keys(km.variants[uid]))
		for _, a := range arches {
			fmt.Fprintf(&b, " %s.%s=%v", uid, a, km.variants[uid][a])
		}
	}
	return b.String()
}
