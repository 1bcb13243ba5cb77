package pkgset

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/modulemd"
)

// The package set repositories of an arch, work/<arch>/repo/<name>, as
// Pungi's pkgset phase writes them (pkgset/common.py, _create_arch_repo,
// one per package set): Pungi makes a package set of each Koji tag it
// reads, the pkgset_koji_tag tags and the content tag of each module
// build a variant takes, and one named "repos" from pkgset_repos. A
// module content tag's repository gets the modulemd of every stream of
// any variant on the arch built in the tag, plus the defaults of those
// modules (module_defaults_dir with module_defaults_override_dir), added
// with modifyrepo_c --mdtype=modules. pungo's Koji package set merges the
// pkgset_koji_tag tags (a package name from the first tag that has it),
// so each tag's repository holds the packages taken from it, the first
// one also those of pkgset_koji_builds and scratch tasks. Streams from
// pkgset_repos' modules.yaml (pungo's own) go in the "repos" repository
// with their modulemd. buildinstall and ostree read them all with dnf,
// which sees the default streams active and the other streams' packages
// hidden, as in Pungi.

// archRepo is one package set repository of an arch.
type archRepo struct {
	name string
	pkgs []*Package
	mods *modulemd.Index // nil: no modules record
}

// archRepos splits an arch's package set into its repositories.
func archRepos(c *compose.Compose, s *Set, arch string) ([]*archRepo, error) {
	streams, err := usedStreams(c, s, arch)
	if err != nil {
		return nil, err
	}
	var repos []*archRepo
	byName := map[string]*archRepo{}
	repo := func(name string) *archRepo {
		r := byName[name]
		if r == nil {
			r = &archRepo{name: name}
			byName[name] = r
			repos = append(repos, r)
		}
		return r
	}
	src, _ := compose.StringOpt(c.Conf, "pkgset_source")
	if src != "koji" {
		r := repo("repos")
		r.pkgs = slices.Clip(s.Arch(arch))
		addStreams(r, streams, s.ModuleMeta[arch])
		return repos, nil
	}
	tags := compose.StringsOpt(c.Conf, "pkgset_koji_tag")
	first := "koji-builds"
	if len(tags) > 0 {
		first = tags[0]
	}
	for _, t := range tags {
		repo(t)
	}
	for _, p := range s.Arch(arch) {
		name := first
		if t, ok := strings.CutPrefix(p.Origin, "tag "); ok {
			name = t
		}
		r := repo(name)
		r.pkgs = append(r.pkgs, p)
	}
	byTag := map[string][]*ModuleStream{}
	var order []string
	for _, ms := range streams {
		tag := ms.KojiTag
		if tag == "" {
			tag = first
		}
		if byTag[tag] == nil {
			order = append(order, tag)
		}
		byTag[tag] = append(byTag[tag], ms)
	}
	for _, tag := range order {
		addStreams(repo(tag), byTag[tag], s.ModuleMeta[arch])
	}
	return slices.DeleteFunc(repos, func(r *archRepo) bool { return len(r.pkgs) == 0 && r.mods == nil }), nil
}

// usedStreams are the streams the variants on an arch ship, by NSVC.
func usedStreams(c *compose.Compose, s *Set, arch string) ([]*ModuleStream, error) {
	if len(s.Modules[arch]) == 0 {
		return nil, nil
	}
	used := map[string]*ModuleStream{}
	for _, v := range c.GetVariants(nil, arch) {
		streams, _, err := VariantStreams(c, s, v, arch)
		if err != nil {
			return nil, err
		}
		for _, ms := range streams {
			used[ms.NSVC()] = ms
		}
	}
	out := make([]*ModuleStream, 0, len(used))
	for _, k := range slices.Sorted(maps.Keys(used)) {
		out = append(out, used[k])
	}
	return out, nil
}

// addStreams adds streams to a repository: their packages and modulemd,
// with the defaults of their modules from meta.
func addStreams(r *archRepo, streams []*ModuleStream, meta *modulemd.Index) {
	if len(streams) == 0 {
		return
	}
	if r.mods == nil {
		r.mods = modulemd.NewIndex()
	}
	seen := map[*Package]bool{}
	for _, p := range r.pkgs {
		seen[p] = true
	}
	for _, ms := range streams {
		r.mods.AddStream(ms.MD)
		if meta != nil && meta.Defaults[ms.MD.Name] != nil && r.mods.Defaults[ms.MD.Name] == nil {
			r.mods.AddDefaults(meta.Defaults[ms.MD.Name])
		}
		for _, p := range ms.Packages {
			if !seen[p] {
				seen[p] = true
				r.pkgs = append(r.pkgs, p)
			}
		}
	}
}

// addArchRepoModules adds idx to work/<arch>/repo/<name> as the modules
// record, with modifyrepo_c's default sha256 checksums, as Pungi's
// add_modular_metadata does there.
func addArchRepoModules(c *compose.Compose, arch, name string, idx *modulemd.Index) error {
	if idx == nil {
		return nil
	}
	repo := c.Paths.Work.PkgsetRepo(arch, name)
	if _, err := AddModulesRecord(idx, repo, c.Paths.Work.Topdir(arch), ""); err != nil {
		return err
	}
	var nsvcs []string
	for _, s := range idx.Streams {
		nsvcs = append(nsvcs, s.NSVC())
	}
	c.Log.Infof("Package set repository %s: modules %s", repo, strings.Join(nsvcs, ", "))
	return nil
}

// AddModulesRecord adds idx to the repository repoDir as its modules
// record, gzip-compressed: Pungi's add_modular_metadata, which dumps the
// index to a temporary modules.yaml (here under tmpParent) and runs
// modifyrepo_c --mdtype=modules --compress-type=gz on it. checksum ""
// is modifyrepo_c's default, sha256.
func AddModulesRecord(idx *modulemd.Index, repoDir, tmpParent, checksum string) (*createrepo.Record, error) {
	data, err := idx.Bytes()
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(tmpParent, "modules_")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "modules.yaml")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return nil, err
	}
	rec, err := createrepo.AddMetadata(file, filepath.Join(repoDir, "repodata"), createrepo.ModifyOptions{MDType: "modules", Compress: true, CompressType: "gz", ChecksumType: checksum})
	if err != nil {
		return nil, fmt.Errorf("adding modules.yaml to %s: %w", repoDir, err)
	}
	return rec, nil
}
