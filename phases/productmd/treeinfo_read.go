package productmd

import (
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// treeVariantPaths are the path keys of a [variant-*] or [addon-*]
// section, as productmd's VariantPaths.
var treeVariantPaths = []string{"packages", "repository", "source_packages", "source_repository",
	"debug_packages", "debug_repository", "identity"}

// ReadTreeInfoFile reads the .treeinfo at path (ReadTreeInfo); an error
// names the file.
func ReadTreeInfoFile(path string) (*TreeInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ti, err := ReadTreeInfo(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return ti, nil
}

// ReadTreeInfo reads a .treeinfo in productmd's 1.x format (what pungo,
// Pungi and lorax write) into a TreeInfo, as productmd's TreeInfo.load:
// [release], [base_product] for layered releases, [tree] (or [general]
// when there is no [tree]), the variants named in [tree] variants with
// their addons, [checksums], [images-*], [stage2] and [media]. [general]
// is not read: Write derives it again. A .treeinfo without [release]
// short (lorax's) is read with an empty Short.
func ReadTreeInfo(r io.Reader) (*TreeInfo, error) {
	secs, err := ParseINI(r)
	if err != nil {
		return nil, err
	}
	get := func(sec, key string) string { return secs[sec][key] }
	t := &TreeInfo{Checksums: map[string]string{}}
	t.Release = Release{Name: get("release", "name"), Version: get("release", "version"), Short: get("release", "short")}
	if _, ok := secs["release"]["short"]; !ok && secs["release"] != nil && secs["header"] != nil {
		// productmd: a missing short name is the name.
		t.Release.Short = t.Release.Name
	}
	t.Release.IsLayered = parseBool(get("release", "is_layered"))
	if t.Release.IsLayered {
		t.BaseProduct = &Release{Name: get("base_product", "name"), Version: get("base_product", "version"), Short: get("base_product", "short")}
	}
	tree := "tree"
	if secs[tree] == nil {
		tree = "general"
	}
	t.Arch = get(tree, "arch")
	for _, p := range strings.Split(get(tree, "platforms"), ",") {
		if p != "" && !slices.Contains(t.Platforms, p) {
			t.Platforms = append(t.Platforms, p)
		}
	}
	if tree == "tree" {
		if s := get(tree, "build_timestamp"); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, fmt.Errorf("[tree] build_timestamp: not a number: %q", s)
			}
			t.Timestamp = int64(f)
		}
	} else {
		t.Timestamp = -1
	}
	var variant func(uid string, addon bool, depth int) (*TreeVariant, error)
	variant = func(uid string, addon bool, depth int) (*TreeVariant, error) {
		if uid == "" {
			return nil, fmt.Errorf("empty variant UID")
		}
		if depth > 8 {
			return nil, fmt.Errorf("variant %s: addons nested too deep", uid)
		}
		sec := "variant-" + uid
		if addon {
			sec = "addon-" + uid
		}
		kv, ok := secs[sec]
		if !ok {
			return nil, fmt.Errorf("no [%s] section", sec)
		}
		v := &TreeVariant{ID: kv["id"], UID: kv["uid"], Name: kv["name"], Type: kv["type"], Parent: kv["parent"], Paths: map[string]string{}}
		for _, k := range treeVariantPaths {
			if p, ok := kv[k]; ok {
				v.Paths[k] = p
			}
		}
		for _, a := range strings.Split(kv["addons"], ",") {
			if a == "" {
				continue
			}
			av, err := variant(a, true, depth+1)
			if err != nil {
				return nil, err
			}
			v.Addons = append(v.Addons, av)
		}
		return v, nil
	}
	for _, uid := range strings.Split(get("tree", "variants"), ",") {
		if uid == "" {
			continue
		}
		v, err := variant(uid, false, 0)
		if err != nil {
			return nil, err
		}
		t.Variants = append(t.Variants, v)
	}
	for p, sum := range secs["checksums"] {
		t.Checksums[p] = sum
	}
	for name, kv := range secs {
		plat, ok := strings.CutPrefix(name, "images-")
		if !ok {
			continue
		}
		if plat != t.Arch && strings.HasSuffix(plat, "-"+t.Arch) {
			plat = strings.TrimSuffix(plat, "-"+t.Arch)
		}
		if t.Images == nil {
			t.Images = map[string]map[string]string{}
		}
		t.Images[plat] = map[string]string{}
		for img, p := range kv {
			t.Images[plat][img] = p
		}
	}
	t.MainImage, t.InstImage = get("stage2", "mainimage"), get("stage2", "instimage")
	if m := secs["media"]; m != nil {
		if t.DiscNum, err = strconv.Atoi(m["discnum"]); err != nil {
			return nil, fmt.Errorf("[media] discnum: %w", err)
		}
		if t.Discs, err = strconv.Atoi(m["totaldiscs"]); err != nil {
			return nil, fmt.Errorf("[media] totaldiscs: %w", err)
		}
	}
	return t, nil
}

// parseBool is configparser's getboolean.
func parseBool(s string) bool {
	switch strings.ToLower(s) {
	case "1", "yes", "true", "on":
		return true
	}
	return false
}

// Variant returns the top-level variant with the UID (nil when none).
func (t *TreeInfo) Variant(uid string) *TreeVariant {
	for _, v := range t.Variants {
		if v.UID == uid {
			return v
		}
	}
	return nil
}
