package pkgset

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/modulemd"
)

// Module metadata of work/<arch>/repo. Pungi writes one package-set
// repository per Koji tag and arch; a module content tag's repository gets
// the modulemd of every stream of any variant on that arch built in the tag,
// plus the defaults of those modules (module_defaults_dir with
// module_defaults_override_dir), added with modifyrepo_c --mdtype=modules
// (pkgset/common.py, _create_arch_repo). pungo writes one repository per
// arch, so it holds the union: the main set, the artifacts of the streams
// the variants on the arch ship, and their modulemd with the defaults.
// buildinstall and ostree read it with dnf, which then sees the default
// streams active and the other streams' packages hidden, as in Pungi.

// archRepoModules returns the modulemd for work/<arch>/repo (nil when no
// variant on the arch ships a stream) and the stream packages the
// repository must hold besides the main set.
func archRepoModules(c *compose.Compose, s *Set, arch string) (*modulemd.Index, []*Package, error) {
	if len(s.Modules[arch]) == 0 {
		return nil, nil, nil
	}
	used := map[string]*ModuleStream{}
	for _, v := range c.GetVariants(nil, arch) {
		streams, _, err := VariantStreams(c, s, v, arch)
		if err != nil {
			return nil, nil, err
		}
		for _, ms := range streams {
			used[ms.NSVC()] = ms
		}
	}
	if len(used) == 0 {
		return nil, nil, nil
	}
	nsvcs := make([]string, 0, len(used))
	for k := range used {
		nsvcs = append(nsvcs, k)
	}
	slices.Sort(nsvcs)
	idx := modulemd.NewIndex()
	names := map[string]bool{}
	seen := map[*Package]bool{}
	var pkgs []*Package
	for _, k := range nsvcs {
		ms := used[k]
		idx.AddStream(ms.MD)
		names[ms.MD.Name] = true
		for _, p := range ms.Packages {
			if !seen[p] {
				seen[p] = true
				pkgs = append(pkgs, p)
			}
		}
	}
	if meta := s.ModuleMeta[arch]; meta != nil {
		for n := range names {
			if d := meta.Defaults[n]; d != nil {
				idx.AddDefaults(d)
			}
		}
	}
	return idx, pkgs, nil
}

// addArchRepoModules adds idx to work/<arch>/repo as the modules record,
// with modifyrepo_c's default sha256 checksums, as Pungi's
// add_modular_metadata does there.
func addArchRepoModules(c *compose.Compose, arch string, idx *modulemd.Index) error {
	if idx == nil {
		return nil
	}
	repo := c.Paths.Work.ArchRepo(arch)
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
