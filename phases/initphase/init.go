// Package initphase owns the first phase of a compose, which can never be
// skipped: it reads the variants file into the compose (copying it to
// work/global/variants.xml) and prepares the comps files every later phase
// uses: the global copy, one per arch, and one per variant and arch
// filtered with Pungi's rules (comps.FilterForVariant).
package initphase

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/variants"
	"github.com/pungo/pungo/repomd/createrepo"
)

// ReadVariants copies variants_file (a path relative to the config or a
// scm_dict) to work/global/variants.xml and builds the variant tree with
// tree_arches and tree_variants applied, as Pungi's read_variants.
func ReadVariants(ctx context.Context, c *compose.Compose) error {
	raw, ok := c.Conf.Get("variants_file")
	if !ok {
		return fmt.Errorf("config: variants_file is required")
	}
	scm, err := compose.ParseSCM(raw)
	if err != nil {
		return fmt.Errorf("variants_file: %w", err)
	}
	tmp, err := c.Paths.Work.MkdirTemp("", nil, "variants_file_")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	files, err := c.Fetch(ctx, scm, tmp)
	if err != nil {
		return fmt.Errorf("variants_file: %w", err)
	}
	dst := c.Paths.Work.VariantsFile()
	data, err := os.ReadFile(filepath.Join(tmp, files[0]))
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return err
	}
	name := scm.File
	if scm.Kind == "file" {
		name = compose.ResolvePath(c.ConfigPath, scm.File)
	}
	vs, err := variants.Parse(data, name, compose.StringsOpt(c.Conf, "tree_arches"), compose.StringsOpt(c.Conf, "tree_variants"))
	if err != nil {
		return err
	}
	for _, n := range vs.Notes {
		c.Log.Infof("%s", n)
	}
	if len(vs.Variants) == 0 {
		return fmt.Errorf("%s: no variant left to compose (check tree_arches and tree_variants)", name)
	}
	c.Variants = vs.Variants
	return nil
}

// Phase is the init phase.
type Phase struct {
	comps VariantComps
}

// Comps is the filtered comps of each variant.arch the phase wrote; the
// gather phase is handed it when the run is wired.
func (p *Phase) Comps() *VariantComps { return &p.comps }

// VariantComps holds the filtered comps of each variant.arch, so the
// gather phase need not parse again what the init phase just wrote. Its
// zero value is empty and ready to use; a nil *VariantComps holds nothing.
type VariantComps struct {
	mu sync.Mutex
	m  map[variantArch]*comps.Comps
}

type variantArch struct{ uid, arch string }

// Get returns the comps of variant uid on arch, if held.
func (vc *VariantComps) Get(arch, uid string) (*comps.Comps, bool) {
	if vc == nil {
		return nil, false
	}
	vc.mu.Lock()
	defer vc.mu.Unlock()
	cs, ok := vc.m[variantArch{uid, arch}]
	return cs, ok
}

// Put records the comps of variant uid on arch.
func (vc *VariantComps) Put(arch, uid string, cs *comps.Comps) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.m == nil {
		vc.m = map[variantArch]*comps.Comps{}
	}
	vc.m[variantArch{uid, arch}] = cs
}

// Name implements compose.Phase.
func (*Phase) Name() string { return "init" }

// Skip implements compose.Phase: init never skips.
func (*Phase) Skip(*compose.Compose) bool { return false }

// Run writes the comps files when comps_file is configured.
func (p *Phase) Run(ctx context.Context, c *compose.Compose) error {
	if _, ok := c.Conf.Get("comps_file"); !ok {
		return nil
	}
	global, err := WriteGlobalComps(ctx, c)
	if err != nil {
		return err
	}
	var tasks []compose.Task
	for _, arch := range c.Arches() {
		tasks = append(tasks, compose.Task{Name: arch, Run: func(context.Context) error {
			return writeArchComps(c, global, arch)
		}})
		for _, v := range c.GetVariants(nil, arch) {
			tasks = append(tasks, compose.Task{Name: v.UID + "." + arch, Run: func(context.Context) error {
				return WriteVariantComps(c, global, arch, v, &p.comps)
			}})
		}
	}
	return c.RunTasks(ctx, "init", tasks, 0)
}

// WriteGlobalComps fetches comps_file to work/global/comps/comps-global.xml
// and parses it.
func WriteGlobalComps(ctx context.Context, c *compose.Compose) (*comps.Comps, error) {
	raw, _ := c.Conf.Get("comps_file")
	scm, err := compose.ParseSCM(raw)
	if err != nil {
		return nil, fmt.Errorf("comps_file: %w", err)
	}
	tmp, err := c.Paths.Work.MkdirTemp("", nil, "comps_")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	files, err := c.Fetch(ctx, scm, tmp)
	if err != nil {
		return nil, fmt.Errorf("comps_file: %w", err)
	}
	data, err := os.ReadFile(filepath.Join(tmp, files[0]))
	if err != nil {
		return nil, err
	}
	dst := c.Paths.Work.Comps("", nil)
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return nil, err
	}
	name := scm.File
	if scm.Kind == "file" {
		name = compose.ResolvePath(c.ConfigPath, scm.File)
	}
	cs, err := comps.ParseFile(dst)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return cs, nil
}

func writeArchComps(c *compose.Compose, global *comps.Comps, arch string) error {
	cs := global.Clone()
	cs.Filter(comps.FilterOptions{Arch: arch, NoCleanup: true})
	return atomicfile.WriteWith(c.Paths.Work.Comps(arch, nil), 0o644, func(w io.Writer) error { return cs.Write(w) })
}

// WriteVariantComps writes work/<arch>/comps/comps-<Variant>.<arch>.xml
// and records the filtered comps in out.
func WriteVariantComps(c *compose.Compose, global *comps.Comps, arch string, v *compose.Variant, out *VariantComps) error {
	var lookaside []*compose.Variant
	for _, pair := range compose.AsList(mustGet(c, "variant_as_lookaside")) {
		p := compose.AsStrings(pair)
		if len(p) == 2 && p[0] == v.UID {
			if lv := c.Variant(p[1]); lv != nil {
				lookaside = append(lookaside, lv)
			}
		}
	}
	filterEnvs := c.Conf.Bool("comps_filter_environments")
	cs, res := comps.FilterForVariant(global, v.CompsFilter(arch, filterEnvs, lookaside...))
	for _, m := range res.UnmatchedMessages(v.UID, arch) {
		c.Log.Warningf("%s", m)
	}
	for _, d := range res.Diagnostics {
		c.Log.Warningf("comps %s.%s: %s", v.UID, arch, d)
	}
	out.Put(arch, v.UID, cs)
	path := c.Paths.Work.Comps(arch, v)
	if err := atomicfile.WriteWith(path, 0o644, func(w io.Writer) error { return cs.Write(w) }); err != nil {
		return err
	}
	// The comps repository: no packages, the variant's groups, with
	// createrepo_checksum as Pungi's create_comps_repo.
	if _, err := createrepo.Run(c.Paths.Work.CompsRepo(arch, v), createrepo.Options{GroupFile: path, ChecksumType: c.Conf.String("createrepo_checksum")}); err != nil {
		return fmt.Errorf("comps repository of %s.%s: %w", v.UID, arch, err)
	}
	return nil
}

func mustGet(c *compose.Compose, key string) any {
	v, _ := c.Conf.Get(key)
	return v
}
