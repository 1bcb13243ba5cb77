package gather

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/pkgset"
	"github.com/pungo/pungo/repomd"
)

// reuseKeys are the options that change a gather result.
var reuseKeys = []string{
	"gather_method", "gather_fulltree", "gather_selfhosting", "greedy_method", "multilib", "multilib_blacklist",
	"multilib_whitelist", "additional_packages", "filter_packages", "filter_system_release_packages",
	"gather_lookaside_repos", "variant_as_lookaside", "gather_prepopulate", "gather_source_mapping", "check_deps",
	"require_all_comps_packages", "comps_file", "comps_filter_environments", "tree_arches", "tree_variants",
	"hashed_directories", "link_type", "filter_modules",
}

// reuseFile is work/global/gather-reuse.json: the inputs' fingerprint and
// the result, so a later compose with the same inputs can skip the
// depsolving (--old-composes).
func reuseFile(dir string) string { return filepath.Join(dir, "work", "global", "gather-reuse.json") }

type reuseEntry struct {
	NEVRA  string   `json:"nevra"`
	Path   string   `json:"path"`
	Sigkey string   `json:"sigkey,omitempty"`
	Flags  []string `json:"flags"`
	Why    string   `json:"why,omitempty"`
}

type reuseDoc struct {
	Fingerprint string                                        `json:"fingerprint"`
	Result      map[string]map[string]map[string][]reuseEntry `json:"result"`
}

// fingerprint hashes everything a gather result depends on: the gather
// options, the variants file, every variant's comps and the package set's
// inputs (repository checksums, Koji event and tags).
func fingerprint(c *compose.Compose, set *pkgset.Set) (string, error) {
	h := sha256.New()
	for _, k := range reuseKeys {
		v, _ := c.Conf.Get(k)
		b, err := json.Marshal(v)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s=%s\n", k, b)
	}
	files := []string{c.Paths.Work.VariantsFile()}
	for _, arch := range c.Arches() {
		for _, v := range c.GetVariants(nil, arch) {
			files = append(files, c.Paths.Work.Comps(arch, v))
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			return "", err
		}
		fmt.Fprintf(h, "%s %x\n", filepath.Base(f), sha256.Sum256(data))
	}
	inputs := append([]string(nil), set.Inputs...)
	sort.Strings(inputs)
	for _, in := range inputs {
		fmt.Fprintf(h, "pkgset %s\n", in)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func saveReuse(c *compose.Compose, fp string, res *Result) error {
	// Streamed, not json.Marshal of a map tree: one entry per package of
	// every variant.arch, written at the end of every compose.
	return atomicfile.WriteWith(reuseFile(c.Topdir), 0o644, func(w io.Writer) error {
		buf := make([]byte, 0, 128<<10)
		flush := func() error {
			_, err := w.Write(buf)
			buf = buf[:0]
			return err
		}
		buf = append(buf, `{"fingerprint":`...)
		buf = appendJSONString(buf, fp)
		buf = append(buf, `,"result":{`...)
		for i, arch := range keysOf(res.ByArch) {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, arch)
			buf = append(buf, ":{"...)
			byV := res.ByArch[arch]
			for j, uid := range keysOf(byV) {
				if j > 0 {
					buf = append(buf, ',')
				}
				buf = appendJSONString(buf, uid)
				buf = append(buf, ":{"...)
				for k, t := range Types {
					if k > 0 {
						buf = append(buf, ',')
					}
					buf = appendJSONString(buf, t)
					buf = append(buf, ":["...)
					for l, e := range byV[uid][t] {
						if l > 0 {
							buf = append(buf, ',')
						}
						buf = appendReuseEntry(buf, e)
						if len(buf) > 64<<10 {
							if err := flush(); err != nil {
								return err
							}
						}
					}
					buf = append(buf, ']')
				}
				buf = append(buf, '}')
			}
			buf = append(buf, '}')
		}
		buf = append(buf, "}}"...)
		return flush()
	})
}

// appendReuseEntry appends e as the JSON object reuseEntry decodes.
func appendReuseEntry(buf []byte, e *Entry) []byte {
	p := e.Pkg
	buf = append(buf, `{"nevra":`...)
	buf = appendJSONString(buf, p.NEVRA())
	buf = append(buf, `,"path":`...)
	buf = appendJSONString(buf, e.Path)
	if e.Sigkey != "" {
		buf = append(buf, `,"sigkey":`...)
		buf = appendJSONString(buf, e.Sigkey)
	}
	buf = append(buf, `,"flags":[`...)
	for i, f := range e.Flags {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendJSONString(buf, f)
	}
	buf = append(buf, ']')
	if e.Why != "" {
		buf = append(buf, `,"why":`...)
		buf = appendJSONString(buf, e.Why)
	}
	return append(buf, '}')
}

// jsonPlain reports whether s can be written between quotes as is.
func jsonPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 || b >= 0x7f || b == '"' || b == '\\' {
			return false
		}
	}
	return true
}

func appendJSONString(buf []byte, s string) []byte {
	if jsonPlain(s) {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	q, _ := json.Marshal(s)
	return append(buf, q...)
}

func keysOf[V any](m map[string]V) []string {
	keys := slices.Sorted(maps.Keys(m))
	return keys
}

// tryReuse returns the gather result of the newest old compose whose
// inputs had the same fingerprint and whose packages are all still in the
// package set; nil when there is none.
func tryReuse(c *compose.Compose, set *pkgset.Set, fp string) (*Result, string) {
	for _, old := range compose.OldComposeDirs(c) {
		data, err := os.ReadFile(reuseFile(old))
		if err != nil {
			continue
		}
		var doc reuseDoc
		if json.Unmarshal(data, &doc) != nil || doc.Fingerprint != fp {
			c.Log.Infof("Gather result of %s not reusable: inputs changed", old)
			continue
		}
		res := &Result{ByArch: map[string]map[string]PkgMap{}, Inputs: map[string][]*Inputs{}}
		ok := true
		for arch, byV := range doc.Result {
			byPath := map[string]*pkgset.Package{}
			for _, p := range set.Arch(arch) {
				byPath[p.Path] = p
			}
			for _, ms := range set.Modules[arch] {
				for _, p := range ms.Packages {
					byPath[p.Path] = p
				}
			}
			res.ByArch[arch] = map[string]PkgMap{}
			for uid, m := range byV {
				pm := newPkgMap()
				for t, list := range m {
					for _, e := range list {
						ent := &Entry{Path: e.Path, Sigkey: e.Sigkey, Flags: e.Flags, Why: e.Why}
						if p := byPath[e.Path]; p != nil && p.NEVRA() == e.NEVRA {
							ent.Pkg = p.Package
						} else if ent.HasFlag("lookaside") {
							n, err := repomd.ParseNEVRA(e.NEVRA)
							if err != nil {
								ok = false
								continue
							}
							ent.Pkg = &repomd.Package{Name: n.Name, Arch: n.Arch, EVR: n.EVR, Location: filepath.Base(e.Path)}
						} else {
							ok = false
							continue
						}
						pm[t] = append(pm[t], ent)
					}
				}
				res.ByArch[arch][uid] = pm
			}
		}
		if ok {
			return res, old
		}
		c.Log.Infof("Gather result of %s not reusable: its packages are no longer in the package set", old)
	}
	return nil, ""
}
