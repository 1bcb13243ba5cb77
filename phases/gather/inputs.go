package gather

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/comps"
	"github.com/pungo/pungo/multilib"
	"github.com/pungo/pungo/phases/compose"
)

// Spec is a package named by an input: a name (or glob) and an optional
// arch, as Pungi's (name, arch) tuples.
type Spec struct {
	Name, Arch string
}

// String renders "name" or "name.arch" as in Pungi's kickstart.
func (s Spec) String() string {
	if s.Arch == "" {
		return s.Name
	}
	return s.Name + "." + s.Arch
}

// Inputs are what one source gives one variant.arch to gather from
// (Pungi's get_variant_packages): input packages, comps groups and
// packages to filter out.
type Inputs struct {
	Source   string
	Packages map[Spec]bool
	Groups   map[string]bool
	Filter   map[Spec]bool
}

func newInputs(source string) *Inputs {
	return &Inputs{Source: source, Packages: map[Spec]bool{}, Groups: map[string]bool{}, Filter: map[Spec]bool{}}
}

// SortedPackages returns the input packages as "name[.arch]", sorted.
func (in *Inputs) SortedPackages() []string { return specStrings(in.Packages) }

// SortedFilter returns the filtered packages, sorted.
func (in *Inputs) SortedFilter() []string { return specStrings(in.Filter) }

// SortedGroups returns the group ids, sorted.
func (in *Inputs) SortedGroups() []string {
	out := slices.Sorted(maps.Keys(in.Groups))
	return out
}

func specStrings(m map[Spec]bool) []string {
	out := make([]string, 0, len(m))
	for s := range m {
		out = append(out, s.String())
	}
	sort.Strings(out)
	return out
}

// splitNameArch is Pungi's split_name_arch: "foo.x86_64" → (foo, x86_64)
// when the suffix is a known arch, else the whole string is the name.
func splitNameArch(s string) Spec {
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		if knownArch(s[i+1:]) {
			return Spec{s[:i], s[i+1:]}
		}
	}
	return Spec{Name: s}
}

var allArches = []string{"noarch", "src", "nosrc", "x86_64", "i386", "i486", "i586", "i686", "athlon", "amd64",
	"ia32e", "aarch64", "armhfp", "armv7hl", "armv7hnl", "ppc", "ppc64", "ppc64le", "ppc64p7", "s390", "s390x",
	"ppc64iseries", "ppc64pseries", "alpha", "sparc", "sparc64", "sparcv9", "ia64", "riscv64", "loongarch64"}

func knownArch(a string) bool {
	for _, x := range allArches {
		if x == a {
			return true
		}
	}
	return false
}

// compatibleArches are the package arches a tree arch can take (Pungi's
// get_compatible_arches with multilib).
func compatibleArches(treeArch string) map[string]bool {
	m := map[string]bool{"noarch": true, "src": true}
	for _, a := range multilib.ValidArches(treeArch) {
		m[a] = true
	}
	return m
}

// sources returns the gather sources to run, in Pungi's order: comps when
// comps_file is set, json when gather_source_mapping is set; neither is
// Pungi's old gather_source "none". (gather_source itself was removed from
// Pungi and has no effect.)
func sources(c *compose.Compose) []string {
	out := []string{"module"} // gives nothing for variants without modules
	if _, ok := c.Conf.Get("comps_file"); ok {
		out = append(out, "comps")
	}
	if _, ok := c.Conf.Get("gather_source_mapping"); ok {
		out = append(out, "json")
	}
	return out
}

// sourceInputs is one gather source called for a variant.arch:
// GatherSourceComps or GatherSourceJson.
func (g *gatherer) sourceInputs(source, arch string, v *compose.Variant) (map[Spec]bool, map[string]bool, error) {
	pkgs, groups := map[Spec]bool{}, map[string]bool{}
	switch source {
	case "comps":
		cs, err := g.variantComps(arch, v)
		if err != nil || cs == nil {
			return pkgs, groups, err
		}
		if len(v.Groups) > 0 || v.Type != "variant" {
			want := map[string]bool{}
			for _, gr := range v.Groups {
				want[gr.Name] = true
			}
			for _, gr := range cs.Groups {
				if want[gr.ID] {
					groups[gr.ID] = true
				}
			}
		} else {
			for _, gr := range cs.Groups {
				groups[gr.ID] = true
			}
		}
	case "json":
		m, err := g.jsonMapping()
		if err != nil {
			return nil, nil, err
		}
		for name, arches := range m[v.UID][arch] {
			for _, a := range arches {
				pkgs[Spec{name, a}] = true
			}
		}
	case "module":
		m, err := g.moduleInputs(arch, v)
		if err != nil {
			return nil, nil, err
		}
		pkgs = m
	default:
		return nil, nil, fmt.Errorf("gather_source %q is not one of comps, json, none", source)
	}
	return pkgs, groups, nil
}

// variantComps returns the filtered comps of a variant.arch written by the
// init phase (nil when the compose has no comps).
func (g *gatherer) variantComps(arch string, v *compose.Variant) (*comps.Comps, error) {
	if _, ok := g.c.Conf.Get("comps_file"); !ok {
		return nil, nil
	}
	if cs, ok := g.comps.Get(arch, v.UID); ok {
		return cs, nil
	}
	path := g.c.Paths.Work.Comps(arch, v)
	cs, err := comps.ParseFile(path)
	if err != nil {
		return nil, fmt.Errorf("comps of %s.%s (did the init phase run?): %w", v.UID, arch, err)
	}
	g.comps.Put(arch, v.UID, cs)
	return cs, nil
}

func (g *gatherer) jsonMapping() (map[string]map[string]map[string][]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.mapping != nil {
		return g.mapping, nil
	}
	p, _ := compose.StringOpt(g.c.Conf, "gather_source_mapping")
	path := compose.ResolvePath(g.c.ConfigPath, p)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gather_source_mapping: %w", err)
	}
	m := map[string]map[string]map[string][]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("gather_source_mapping %s: %w", path, err)
	}
	g.mapping = m
	return m, nil
}

// variantInputs is Pungi's get_variant_packages: the source's packages and
// groups, additional_packages (comps source only), filter_packages and the
// system-release choice; optional variants add the inputs of their parent
// and its addons and layered products, addons and layered products those
// of their parent. Filters are never inherited.
func (g *gatherer) variantInputs(source, arch string, v *compose.Variant) (*Inputs, error) {
	in := newInputs(source)
	p, gr, err := g.sourceInputs(source, arch, v)
	if err != nil {
		return nil, err
	}
	if source != "comps" && len(p) == 0 && len(gr) == 0 {
		return in, nil
	}
	for k := range p {
		in.Packages[k] = true
	}
	for k := range gr {
		in.Groups[k] = true
	}
	if source == "module" {
		// As Pungi: the module source gives just its packages.
		return in, nil
	}
	if source == "comps" {
		add, err := additionalPackages(g.c, arch, v)
		if err != nil {
			return nil, err
		}
		for _, s := range add {
			in.Packages[s] = true
		}
	}
	for _, s := range compose.AsStrings(g.c.Conf.ForVariantArch("filter_packages", v.UID, arch)) {
		in.Filter[splitNameArch(s)] = true
	}
	var inherit []*compose.Variant
	switch v.Type {
	case "optional":
		inherit = v.Parent.GetVariants(arch, []string{"self", "variant", "addon", "layered-product"}, false)
	case "addon", "layered-product":
		inherit = []*compose.Variant{v.Parent}
	}
	for _, pv := range inherit {
		pin, err := g.variantInputs(source, arch, pv)
		if err != nil {
			return nil, err
		}
		for k := range pin.Packages {
			in.Packages[k] = true
		}
		for k := range pin.Groups {
			in.Groups[k] = true
		}
	}
	return in, nil
}

// additionalPackages returns additional_packages for a variant.arch,
// rejecting arches the tree cannot hold.
func additionalPackages(c *compose.Compose, arch string, v *compose.Variant) ([]Spec, error) {
	var out []Spec
	compat := compatibleArches(arch)
	for _, s := range compose.AsStrings(c.Conf.ForVariantArch("additional_packages", v.UID, arch)) {
		sp := splitNameArch(s)
		if sp.Arch != "" && !compat[sp.Arch] {
			return nil, fmt.Errorf("Incompatible package arch '%s' for tree arch '%s' in additional package '%s'", sp.Arch, arch, sp.Name)
		}
		out = append(out, sp)
	}
	return out, nil
}

// noteSystemRelease logs the system-release providers Pungi's
// get_system_release_packages would choose from, and that none is chosen:
// kobo's SimpleRpmWrapper looks for b"system-release" among the str
// provides rpm returns on Python 3, so is_system_release is never true and
// filter_system_release_packages never adds or filters a package in real
// Pungi. pungo does what Pungi does; the providers are gathered only as
// the variants' groups, packages and dependencies ask for them.
func (g *gatherer) noteSystemRelease() {
	if !g.c.Conf.Bool("filter_system_release_packages") {
		return
	}
	seen := map[string]bool{}
	var names []string
	for _, arch := range g.c.Arches() {
		for _, p := range g.set.Arch(arch) {
			if p.IsSource() || seen[p.Name] {
				continue
			}
			for i := range p.Provides.Len() {
				if p.Provides.Name(i) == "system-release" {
					seen[p.Name] = true
					names = append(names, p.Name)
					break
				}
			}
		}
	}
	if len(names) == 0 {
		return
	}
	sort.Strings(names)
	g.c.Log.Infof("filter_system_release_packages: not choosing among system-release providers (%s), as Pungi does not "+
		"(kobo's is_system_release never matches on Python 3); they are gathered only as comps, packages and dependencies ask",
		strings.Join(names, ", "))
}

// prepopulate reads gather_prepopulate ({variant: {arch: {build: [name.arch]}}})
// for a variant.arch.
func (g *gatherer) prepopulate(arch string, v *compose.Variant) ([]string, error) {
	raw, ok := g.c.Conf.Get("gather_prepopulate")
	if !ok || raw == nil {
		return nil, nil
	}
	scm, err := compose.ParseSCM(raw)
	if err != nil {
		return nil, fmt.Errorf("gather_prepopulate: %w", err)
	}
	path := compose.ResolvePath(g.c.ConfigPath, scm.File)
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("gather_prepopulate: %w", err)
	}
	var m map[string]map[string]map[string][]string
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("gather_prepopulate %s: %w", path, err)
	}
	compat := compatibleArches(arch)
	var out []string
	for _, pkgs := range m[v.UID][arch] {
		for _, p := range pkgs {
			sp := splitNameArch(p)
			if sp.Arch == "" || !compat[sp.Arch] {
				return nil, fmt.Errorf("Incompatible package arch '%s' for tree arch '%s' in prepopulate package '%s'", sp.Arch, arch, sp.Name)
			}
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}
