// Package ostree holds the ostree phases: ostree (rpm-ostree compose tree
// from a treefile in a git config repo, with the compose's repositories,
// version, ref tagging, summary update and the "ostree" notification
// carrying the commit ID), ostree_container (rpm-ostree compose image into
// an .ociarchive) and ostree_installer (lorax with templates from
// template_repo, the installer ISO linked into iso/). What Pungi's
// pungi-make-ostree helper does inside the runroot is done here: the
// treefile is tweaked on the compose side and the runroot runs rpm-ostree.
package ostree

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/runroot"
)

// Block is one configuration block of an ostree phase.
type Block map[string]any

func (b Block) str(k, def string) string {
	if s, ok := b[k].(string); ok && s != "" {
		return s
	}
	return def
}

func (b Block) boolean(k string, def bool) bool {
	if x, ok := b[k].(bool); ok {
		return x
	}
	return def
}

func (b Block) strings(k string) []string { return compose.AsStrings(b[k]) }

// Item is a block to run for one variant and arch.
type Item struct {
	Variant *compose.Variant
	Arch    string
	Conf    Block
	Num     int // 1-based, names work/ostree-N and log directories
}

// Items expands a phase's configuration as Pungi's ConfigGuardedPhase: the
// {variant regex: block(s)} form runs each block on its "arches" (default:
// the variant's), the legacy [(regex, {arch: block})] form per arch.
func Items(c *compose.Compose, name string) ([]Item, error) {
	raw, ok := c.Conf.Get(name)
	if !ok || raw == nil {
		return nil, nil
	}
	var out []Item
	toBlock := func(v any) (Block, error) {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: a configuration block must be a dict, got %T", name, v)
		}
		return Block(m), nil
	}
	if m, ok := raw.(map[string]any); ok {
		pats := slices.Sorted(maps.Keys(m))
		for _, v := range c.GetVariants(nil, "") {
			for _, p := range pats {
				re, err := regexp.Compile("^(?:" + p + ")")
				if err != nil {
					return nil, fmt.Errorf("%s: bad variant pattern %q: %v", name, p, err)
				}
				if !re.MatchString(v.UID) {
					continue
				}
				vals := compose.AsList(m[p])
				if vals == nil {
					vals = []any{m[p]}
				}
				for _, x := range vals {
					b, err := toBlock(x)
					if err != nil {
						return nil, err
					}
					arches := b.strings("arches")
					if len(arches) == 0 {
						arches = v.Arches
					}
					for _, a := range arches {
						out = append(out, Item{Variant: v, Arch: a, Conf: b})
					}
				}
			}
		}
	} else {
		for _, v := range c.GetVariants(nil, "") {
			for _, a := range v.Arches {
				for _, x := range c.Conf.ForVariantArch(name, v.UID, a) {
					b, err := toBlock(x)
					if err != nil {
						return nil, err
					}
					out = append(out, Item{Variant: v, Arch: a, Conf: b})
				}
			}
		}
	}
	for i := range out {
		out[i].Num = i + 1
	}
	return out, nil
}

// CanArchFail is Pungi's can_arch_fail over a block's "failable" arches.
func CanArchFail(b Block, arch string) bool {
	for _, a := range b.strings("failable") {
		if a == "*" || a == arch {
			return true
		}
	}
	return false
}

// RepoDicts turns repo entries (URLs, paths, variant UIDs, or dicts with
// baseurl) into {name, baseurl, …} dicts as Pungi's get_repo_dicts; a
// variant UID means that variant's repository in this compose.
func RepoDicts(c *compose.Compose, repos []any) ([]map[string]any, error) {
	var out []map[string]any
	for _, r := range repos {
		switch x := r.(type) {
		case map[string]any:
			url, _ := x["baseurl"].(string)
			if url == "" {
				return nil, fmt.Errorf("Baseurl is required in repo dict %v", x)
			}
			d := map[string]any{}
			for k, v := range x {
				d[k] = v
			}
			d["baseurl"] = resolveRepo(c, url)
			if _, ok := d["name"]; !ok {
				d["name"] = repoID(url)
			}
			out = append(out, d)
		case string:
			url := resolveRepo(c, x)
			out = append(out, map[string]any{"name": repoID(x), "baseurl": url})
		default:
			return nil, fmt.Errorf("repo entry %v: want a URL or a dict", r)
		}
	}
	return out, nil
}

func resolveRepo(c *compose.Compose, repo string) string {
	if strings.HasPrefix(repo, "/") {
		return compose.TranslatePath(c.Conf, repo)
	}
	if strings.Contains(repo, "://") {
		return repo
	}
	if v := c.Variant(repo); v != nil {
		return compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose", c.Paths.Compose.RelRepository("$basearch", v)))
	}
	return repo
}

func repoID(url string) string {
	var b strings.Builder
	for _, r := range url {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// PkgsetRepos are the package set repositories (work/$basearch/repo/<name>
// of every package set, as Pungi's pkgset_repo(name, "$basearch")) for
// the buildroot to expand.
func PkgsetRepos(c *compose.Compose) []any {
	var out []any
	for _, name := range c.Paths.Work.PkgsetRepoNames("") {
		out = append(out, compose.TranslatePath(c.Conf, filepath.Join(c.Topdir, "work", "$basearch", "repo", name)))
	}
	return out
}

// CloneConfig fetches a git repository's content into dir.
func CloneConfig(ctx context.Context, c *compose.Compose, url, branch, dir string) error {
	if url == "" {
		return fmt.Errorf("config_url is not set")
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	_, err := c.Fetch(ctx, compose.SCM{Kind: "git", Repo: url, Branch: branch, Dir: "."}, dir)
	if err != nil {
		return fmt.Errorf("cloning %s (branch %s): %w", url, branch, err)
	}
	return nil
}

// TweakTreefile is pungi-make-ostree's tweak_treeconf: the compose's
// repositories are written to pungi.repo beside the treefile (named
// repo-0, repo-1, … in name order so rpm-ostree's change detection is not
// defeated), "repos" lists them (after the treefile's own with
// keep_original_sources) and update (e.g. "ref") is applied. JSON
// treefiles are rewritten; a YAML treefile becomes a JSON treefile that
// includes the original (its own repos then stay too). The original is
// kept as TREEFILE.bak.
func TweakTreefile(treefile string, repos []map[string]any, keepOriginal bool, update map[string]any) error {
	raw, err := os.ReadFile(treefile)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(treefile+".bak", raw, 0o644); err != nil {
		return err
	}
	sort.SliceStable(repos, func(i, j int) bool { return fmt.Sprint(repos[i]["name"]) < fmt.Sprint(repos[j]["name"]) })
	var names []any
	if len(repos) > 0 {
		var b strings.Builder
		for i, r := range repos {
			name := fmt.Sprintf("repo-%d", i)
			fmt.Fprintf(&b, "[%s]\nname=%s\nbaseurl=%s\n", name, name, r["baseurl"])
			if ex, _ := r["exclude"].(string); ex != "" {
				fmt.Fprintf(&b, "exclude=%s\n", ex)
			}
			gpg := "0"
			if g, _ := r["gpgcheck"].(bool); g {
				gpg = "1"
			}
			fmt.Fprintf(&b, "gpgcheck=%s\n", gpg)
			names = append(names, name)
		}
		if err := atomicfile.WriteFile(filepath.Join(filepath.Dir(treefile), "pungi.repo"), []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	var doc map[string]any
	if trimmed := strings.TrimSpace(string(raw)); strings.HasPrefix(trimmed, "{") {
		if err := json.Unmarshal(raw, &doc); err != nil {
			return fmt.Errorf("%s: %w", treefile, err)
		}
		orig := compose.AsList(doc["repos"])
		if keepOriginal {
			doc["repos"] = append(append([]any{}, orig...), names...)
		} else {
			doc["repos"] = names
		}
	} else {
		// YAML: include the original under another name.
		orig := treefile + ".orig.yaml"
		if err := atomicfile.WriteFile(orig, raw, 0o644); err != nil {
			return err
		}
		doc = map[string]any{"include": filepath.Base(orig), "repos": names}
		if names == nil {
			doc["repos"] = []any{}
		}
	}
	for k, v := range update {
		doc[k] = v
	}
	out, err := json.MarshalIndent(doc, "", "    ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(treefile, out, 0o644)
}

var yamlRef = regexp.MustCompile(`(?m)^ref:\s*(.+?)\s*$`)

// RefFromTreefile reads "ref" (JSON or YAML), following an "include" of
// a tweaked treefile, with ${basearch} replaced for arch.
func RefFromTreefile(treefile, arch string) (string, error) {
	raw, err := os.ReadFile(treefile)
	if err != nil {
		return "", err
	}
	var ref string
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			return "", fmt.Errorf("%s: %w", treefile, err)
		}
		ref, _ = doc["ref"].(string)
		if inc, ok := doc["include"].(string); ok && ref == "" {
			return RefFromTreefile(filepath.Join(filepath.Dir(treefile), inc), arch)
		}
	} else if m := yamlRef.FindSubmatch(raw); m != nil {
		ref = strings.Trim(string(m[1]), `"'`)
	}
	if ref == "" {
		return "", fmt.Errorf("%s: no ref", treefile)
	}
	return strings.ReplaceAll(ref, "${basearch}", runroot.BaseArch(arch)), nil
}

// CommitID reads what --write-commitid-to wrote; "" when no new commit
// was made (the --touch-if-changed stamp is missing).
func CommitID(file string) (string, error) {
	if _, err := os.Stat(file + ".stamp"); err != nil {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\n", ""), nil
}

// writeExtraConfig writes the block (minus keys the runroot helper does
// not need, with resolved repos) as extra_config.json.
func writeExtraConfig(path string, b Block, repos []map[string]any, drop ...string) error {
	out := map[string]any{}
	for k, v := range b {
		out[k] = v
	}
	for _, k := range drop {
		delete(out, k)
	}
	rl := make([]any, len(repos))
	for i, r := range repos {
		rl[i] = r
	}
	out["repo"] = rl
	data, err := json.MarshalIndent(out, "", "    ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, data, 0o644)
}
