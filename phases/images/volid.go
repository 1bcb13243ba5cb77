package images

import (
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/config/pyre"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pungo/pungo/phases/compose"
)

// MaxVolumeIDLen is ISO 9660's limit for the volume identifier.
const MaxVolumeIDLen = 32

// Default formats of image_volid_formats and
// image_volid_layered_product_formats.
var (
	DefaultVolIDFormats = []string{
		"{release_short}-{version} {variant}.{arch}",
		"{release_short}-{version} {arch}",
	}
	DefaultLayeredVolIDFormats = []string{
		"{release_short}-{version} {base_product_short}-{base_product_version} {variant}.{arch}",
		"{release_short}-{version} {base_product_short}-{base_product_version} {arch}",
	}
)

func sortedPatterns(m map[string]any) []string {
	ks := slices.Sorted(maps.Keys(m))
	return ks
}

// matchUID is Python's re.match: the pattern anchored at the start only.
func matchUID(pat, uid string) bool {
	re, err := pyre.Compile(pat)
	return err == nil && re.MatchStart(uid)
}

// VolumeIDInput is what get_volid needs besides the compose.
type VolumeIDInput struct {
	Arch     string
	Variant  *compose.Variant // nil for a compose-wide image
	DiscType string
	// Formats overrides the configured formats (extra_isos, ostree_installer).
	Formats []string
	// Extra substitutions (e.g. "subvariant").
	Extra Substs
}

// VolumeID is Pungi's get_volid: try each format in order (layered-product
// formats first for a layered release), apply volume_id_substitutions
// (longest pattern first) and take the first result of at most 32
// characters; when none fits it is an error listing what was tried. A
// format mentioning "%(variant)s" is skipped for a compose-wide image.
// restricted_volid turns every non-word character into "-". An addon gets
// no volume ID ("" and no error): it lives on its parent's media.
func VolumeID(conf *config.Config, ci *compose.Info, in VolumeIDInput) (string, error) {
	v := in.Variant
	if v != nil && v.Type == "addon" {
		return "", nil
	}
	str := func(k string) string { s, _ := compose.StringOpt(conf, k); return s }
	var releaseShort, releaseVersion, baseShort, baseVersion string
	var layered bool
	var variantUID any
	if v != nil && v.Type == "layered-product" {
		if v.Release != nil {
			releaseShort, releaseVersion = v.Release.Short, v.Release.Version
		}
		layered = true
		baseShort = ci.Release.Short
		baseVersion, _, _ = strings.Cut(ci.Release.Version, ".")
		if v.Parent != nil {
			variantUID = v.Parent.UID
		}
	} else {
		releaseShort, releaseVersion = ci.Release.Short, ci.Release.Version
		layered = str("base_product_name") != ""
		baseShort, baseVersion = str("base_product_short"), str("base_product_version")
		if v != nil {
			variantUID = v.UID
		}
	}
	products := DefaultVolIDFormats
	if raw, ok := conf.Get("image_volid_formats"); ok && raw != nil {
		products = compose.AsStrings(raw)
	}
	layeredFormats := DefaultLayeredVolIDFormats
	if raw, ok := conf.Get("image_volid_layered_product_formats"); ok && raw != nil {
		layeredFormats = compose.AsStrings(raw)
	}
	formats := in.Formats
	if len(formats) == 0 {
		formats = products
		if layered {
			formats = append(append([]string{}, layeredFormats...), products...)
		}
	}
	subst := volidSubstitutions(conf)
	s := BaseSubsts(ci).with(
		"variant", variantUID, "release_short", releaseShort, "version", releaseVersion,
		"arch", in.Arch, "disc_type", in.DiscType,
		"base_product_short", baseShort, "base_product_version", baseVersion,
	)
	for k, val := range in.Extra {
		s[k] = val
	}
	var volid string
	var tried []string
	for _, f := range formats {
		if variantUID == nil && strings.Contains(f, "%(variant)s") {
			continue
		}
		out, err := Format(f, s)
		if err != nil {
			return "", fmt.Errorf("Failed to create volume id: %w", err)
		}
		volid = applySubstitutions(out, subst)
		if len(volid) <= MaxVolumeIDLen {
			break
		}
		tried = append(tried, volid)
	}
	if len(volid) > MaxVolumeIDLen {
		sort.SliceStable(tried, func(i, j int) bool { return len(tried[i]) < len(tried[j]) })
		where := in.Arch
		if v != nil {
			where = v.UID + "." + in.Arch
		}
		return "", fmt.Errorf("%s: could not create a volume ID of at most %d characters; tried %q (set image_volid_formats or volume_id_substitutions)", where, MaxVolumeIDLen, tried)
	}
	if conf.Bool("restricted_volid") {
		volid = nonWord.ReplaceAllString(volid, "-")
	}
	return volid, nil
}

var nonWord = regexp.MustCompile(`\W`)

type substitution struct{ from, to string }

func volidSubstitutions(conf *config.Config) []substitution {
	raw, _ := conf.Get("volume_id_substitutions")
	m, _ := raw.(map[string]any)
	out := make([]substitution, 0, len(m))
	for k, v := range m {
		out = append(out, substitution{k, pyStr(v)})
	}
	// Longest pattern first, so that a shorter one cannot break a longer
	// one; equal lengths alphabetically for a stable result.
	sort.Slice(out, func(i, j int) bool {
		if len(out[i].from) != len(out[j].from) {
			return len(out[i].from) > len(out[j].from)
		}
		return out[i].from < out[j].from
	})
	return out
}

func applySubstitutions(s string, subs []substitution) string {
	for _, x := range subs {
		s = strings.ReplaceAll(s, x.from, x.to)
	}
	return s
}
