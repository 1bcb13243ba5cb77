package productmd

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pungo/pungo/internal/ini"
)

// TreeInfo is a .treeinfo file (productmd format 1.2, with the [general]
// section kept for pre-productmd readers).
type TreeInfo struct {
	Release     Release  // name, short, version, is_layered
	BaseProduct *Release // layered products only
	Arch        string
	Timestamp   int64
	Platforms   []string
	Variants    []*TreeVariant
	// Checksums maps a path relative to the tree to "type:hex".
	Checksums map[string]string
	// Images maps platform → image name → path.
	Images    map[string]map[string]string
	MainImage string // [stage2] mainimage
	InstImage string
	DiscNum   int
	Discs     int
}

// TreeVariant is a [variant-UID] or [addon-UID] section.
type TreeVariant struct {
	ID, UID, Name, Type string
	// Paths: packages, repository, source_packages, source_repository,
	// debug_packages, debug_repository, identity.
	Paths  map[string]string
	Parent string
	Addons []*TreeVariant
}

func (v *TreeVariant) section() string {
	if v.Type == "addon" {
		return "addon-" + v.UID
	}
	return "variant-" + v.UID
}

// Write renders the file like productmd's SortedConfigParser: sections
// and their keys sorted, "key = value" lines, a blank line after each
// section.
func (t *TreeInfo) Write(w io.Writer) error {
	if len(t.Variants) == 0 {
		return fmt.Errorf(".treeinfo: no variant")
	}
	secs := map[string]map[string]string{}
	set := func(sec, k, v string) {
		if secs[sec] == nil {
			secs[sec] = map[string]string{}
		}
		secs[sec][k] = v
	}
	set("header", "type", "productmd.treeinfo")
	set("header", "version", FormatVersion)
	set("release", "name", t.Release.Name)
	set("release", "version", t.Release.Version)
	set("release", "short", t.Release.Short)
	if t.Release.IsLayered {
		set("release", "is_layered", "true")
		if t.BaseProduct != nil {
			set("base_product", "name", t.BaseProduct.Name)
			set("base_product", "version", t.BaseProduct.Version)
			set("base_product", "short", t.BaseProduct.Short)
		}
	}
	plat := map[string]bool{t.Arch: true}
	for _, p := range t.Platforms {
		plat[p] = true
	}
	for p := range t.Images {
		plat[p] = true
	}
	platforms := keys(plat)
	set("tree", "arch", t.Arch)
	set("tree", "platforms", strings.Join(platforms, ","))
	set("tree", "build_timestamp", strconv.FormatInt(t.Timestamp, 10))
	var top []string
	var addVariant func(v *TreeVariant)
	addVariant = func(v *TreeVariant) {
		s := v.section()
		set(s, "id", v.ID)
		set(s, "uid", v.UID)
		set(s, "name", v.Name)
		set(s, "type", v.Type)
		for k, p := range v.Paths {
			if p != "" {
				set(s, k, p)
			}
		}
		if v.Parent != "" {
			set(s, "parent", v.Parent)
		}
		var addons []string
		for _, a := range v.Addons {
			addVariant(a)
			addons = append(addons, a.UID)
		}
		if len(addons) > 0 {
			sort.Strings(addons)
			set(s, "addons", strings.Join(addons, ","))
		}
	}
	for _, v := range t.Variants {
		top = append(top, v.UID)
		addVariant(v)
	}
	sort.Strings(top)
	set("tree", "variants", strings.Join(top, ","))
	for p, v := range t.Checksums {
		set("checksums", p, v)
	}
	for plat, imgs := range t.Images {
		for name, p := range imgs {
			set("images-"+plat, name, p)
		}
	}
	if t.MainImage != "" {
		set("stage2", "mainimage", t.MainImage)
	}
	if t.InstImage != "" {
		set("stage2", "instimage", t.InstImage)
	}
	if t.DiscNum > 0 || t.Discs > 0 {
		set("media", "discnum", strconv.Itoa(t.DiscNum))
		set("media", "totaldiscs", strconv.Itoa(t.Discs))
	}
	// [general]: compatibility with pre-productmd readers.
	g := "general"
	set(g, "; WARNING.0", "This section provides compatibility with pre-productmd treeinfos.")
	set(g, "; WARNING.1", "Read productmd documentation for details about new format.")
	set(g, "name", t.Release.Name+" "+t.Release.Version)
	set(g, "family", t.Release.Name)
	set(g, "version", t.Release.Version)
	set(g, "arch", t.Arch)
	set(g, "platforms", strings.Join(platforms, ","))
	set(g, "timestamp", strconv.FormatInt(t.Timestamp, 10))
	// productmd keys its variants by ID, so [general] names IDs (the first
	// in sorted order is the main variant) where [tree] names UIDs.
	ids := make([]string, 0, len(t.Variants))
	for _, v := range t.Variants {
		ids = append(ids, v.ID)
	}
	sort.Strings(ids)
	set(g, "variants", strings.Join(ids, ","))
	main := t.Variants[0]
	for _, v := range t.Variants {
		if v.ID == ids[0] {
			main = v
		}
	}
	set(g, "variant", main.ID)
	if p := main.Paths["packages"]; p != "" {
		set(g, "packagedir", p)
	} else if p := main.Paths["source_packages"]; p != "" && t.Arch == "src" {
		set(g, "packagedir", p)
	}
	if p := main.Paths["repository"]; p != "" {
		set(g, "repository", p)
	} else if p := main.Paths["source_repository"]; p != "" && t.Arch == "src" {
		set(g, "repository", p)
	}
	return writeINI(w, secs)
}

func writeINI(w io.Writer, secs map[string]map[string]string) error {
	bw := bufio.NewWriter(w)
	names := slices.Sorted(maps.Keys(secs))
	for _, s := range names {
		fmt.Fprintf(bw, "[%s]\n", s)
		ks := slices.Sorted(maps.Keys(secs[s]))
		for _, k := range ks {
			fmt.Fprintf(bw, "%s = %s\n", k, secs[s][k])
		}
		bw.WriteString("\n")
	}
	return bw.Flush()
}

func keys(m map[string]bool) []string {
	out := slices.Sorted(maps.Keys(m))
	return out
}

// ParseINI reads a .treeinfo-style file into section → key → value (for
// merging a buildinstall .treeinfo and for tests), as productmd's
// configparser does (internal/ini).
func ParseINI(r io.Reader) (map[string]map[string]string, error) {
	f, err := ini.Parse(r, "")
	if err != nil {
		return nil, err
	}
	return f.Map(), nil
}

// DiscInfo renders a .discinfo file: timestamp, description, arch, disc
// numbers ("ALL").
func DiscInfo(timestamp float64, description, arch string, discs []string) string {
	if len(discs) == 0 {
		discs = []string{"ALL"}
	}
	return fmt.Sprintf("%f\n%s\n%s\n%s\n", timestamp, description, arch, strings.Join(discs, ","))
}

// MediaRepo renders the media.repo file PackageKit reads from install
// media.
func MediaRepo(name string, mediaID string) string {
	if mediaID == "" {
		mediaID = "None"
	}
	return strings.Join([]string{"[InstallMedia]", "name=" + name, "mediaid=" + mediaID,
		"metadata_expire=-1", "gpgcheck=0", "cost=500", ""}, "\n")
}
