package productmd

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
)

// RpmCategories are the package categories of rpms.json.
var RpmCategories = []string{"binary", "debug", "source"}

// Rpms is the content of metadata/rpms.json: variant → arch → source
// NEVRA → NEVRA → {path, sigkey, category}. NEVRAs always carry the epoch
// ("bash-0:5.1-2.x86_64"), paths are relative to compose/.
type Rpms struct {
	Compose ComposeSection

	mu   sync.Mutex
	rpms map[string]map[string]map[string]map[string]RpmEntry
}

// RpmEntry is one package of rpms.json.
type RpmEntry struct {
	Path     string
	Sigkey   string // "" is written as null
	Category string
}

// NormalizeNEVRA returns name-epoch:version-release.arch with epoch 0 made
// explicit, as productmd stores NEVRAs.
func NormalizeNEVRA(name, epoch, version, release, arch string) string {
	if epoch == "" {
		epoch = "0"
	}
	// Called once per package of a compose: concatenation, not Sprintf.
	return name + "-" + epoch + ":" + version + "-" + release + "." + arch
}

// Add records a package, with productmd's checks: a relative path, a known
// category, a source NEVRA for every non-source package and none for a
// source package.
func (r *Rpms) Add(variant, arch, nevra, path, sigkey, category, srpmNEVRA string) error {
	if arch == "src" || arch == "nosrc" {
		return fmt.Errorf("rpms.json: source arch %q is not allowed: source packages are listed under binary arches (%s)", arch, nevra)
	}
	if !strings.Contains(nevra, ":") || (srpmNEVRA != "" && !strings.Contains(srpmNEVRA, ":")) {
		return fmt.Errorf("rpms.json: missing epoch in N-E:V-R.A: %s %s", nevra, srpmNEVRA)
	}
	if strings.HasPrefix(path, "/") {
		return fmt.Errorf("rpms.json: relative path expected: %s", path)
	}
	// productmd stores sigkeys lower-case (configs often write them upper).
	sigkey = strings.ToLower(sigkey)
	known := false
	for _, c := range RpmCategories {
		known = known || c == category
	}
	if !known {
		return fmt.Errorf("rpms.json: invalid category %q for %s", category, nevra)
	}
	isSrc := strings.HasSuffix(nevra, ".src") || strings.HasSuffix(nevra, ".nosrc")
	if category == "source" {
		if srpmNEVRA != "" {
			return fmt.Errorf("rpms.json: expected blank srpm_nevra for source package: %s", nevra)
		}
		if !isSrc {
			return fmt.Errorf("rpms.json: source category for a binary package: %s", nevra)
		}
		srpmNEVRA = nevra
	} else {
		if srpmNEVRA == "" {
			return fmt.Errorf("rpms.json: missing srpm_nevra for package: %s", nevra)
		}
		if isSrc {
			return fmt.Errorf("rpms.json: %s category for a source package: %s", category, nevra)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.rpms == nil {
		r.rpms = map[string]map[string]map[string]map[string]RpmEntry{}
	}
	va := r.rpms[variant]
	if va == nil {
		va = map[string]map[string]map[string]RpmEntry{}
		r.rpms[variant] = va
	}
	aa := va[arch]
	if aa == nil {
		aa = map[string]map[string]RpmEntry{}
		va[arch] = aa
	}
	sa := aa[srpmNEVRA]
	if sa == nil {
		sa = map[string]RpmEntry{}
		aa[srpmNEVRA] = sa
	}
	sa[nevra] = RpmEntry{Path: path, Sigkey: sigkey, Category: category}
	return nil
}

// Variants returns the recorded data (variant → arch → srpm → nevra).
func (r *Rpms) Variants() map[string]map[string]map[string]map[string]RpmEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.rpms
}

// MarshalJSON renders the productmd document.
func (r *Rpms) MarshalJSON() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	rpms := map[string]any{}
	for v, arches := range r.rpms {
		am := map[string]any{}
		for a, srpms := range arches {
			sm := map[string]any{}
			for s, pkgs := range srpms {
				pm := map[string]any{}
				for n, e := range pkgs {
					var sig any
					if e.Sigkey != "" {
						sig = e.Sigkey
					}
					pm[n] = map[string]any{"path": e.Path, "sigkey": sig, "category": e.Category}
				}
				sm[s] = pm
			}
			am[a] = sm
		}
		rpms[v] = am
	}
	c := r.Compose
	c.Label = "" // productmd's rpms.json compose section has no label
	return json.Marshal(map[string]any{
		"header":  Header{Type: "productmd.rpms", Version: FormatVersion},
		"payload": map[string]any{"compose": c.toJSON(), "rpms": rpms},
	})
}

// ReadRpms loads an rpms.json (e.g. of an old compose for --diff).
func ReadRpms(data []byte, name string) (*Rpms, error) {
	var doc struct {
		Header  Header `json:"header"`
		Payload struct {
			Compose struct {
				ID     string `json:"id"`
				Type   string `json:"type"`
				Date   string `json:"date"`
				Respin int    `json:"respin"`
			} `json:"compose"`
			Rpms map[string]map[string]map[string]map[string]struct {
				Path     string  `json:"path"`
				Sigkey   *string `json:"sigkey"`
				Category string  `json:"category"`
			} `json:"rpms"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.Header.Type != "productmd.rpms" {
		return nil, fmt.Errorf("%s: header type %q is not productmd.rpms", name, doc.Header.Type)
	}
	r := &Rpms{Compose: ComposeSection{ID: doc.Payload.Compose.ID, Type: doc.Payload.Compose.Type,
		Date: doc.Payload.Compose.Date, Respin: doc.Payload.Compose.Respin}}
	r.rpms = map[string]map[string]map[string]map[string]RpmEntry{}
	for v, arches := range doc.Payload.Rpms {
		r.rpms[v] = map[string]map[string]map[string]RpmEntry{}
		for a, srpms := range arches {
			r.rpms[v][a] = map[string]map[string]RpmEntry{}
			for s, pkgs := range srpms {
				r.rpms[v][a][s] = map[string]RpmEntry{}
				for n, e := range pkgs {
					sig := ""
					if e.Sigkey != nil {
						sig = *e.Sigkey
					}
					r.rpms[v][a][s][n] = RpmEntry{Path: e.Path, Sigkey: sig, Category: e.Category}
				}
			}
		}
	}
	return r, nil
}
