// Package images owns what every image-producing phase shares: Pungi's
// format strings (image_name_format, image_volid_formats,
// media_checksum_base_filename — "%(key)s" and "{key}" both work, as Pungi
// applies "%" then str.format), volume IDs within ISO 9660's 32
// characters, the image manifest written as productmd images.json, and the
// test phase's image checks (ISO 9660 signature, MBR/GPT/El Torito on
// bootable images, createiso_max_size).
package images

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
)

// Substs are format substitutions; values are strings, ints or nil (which
// Python renders "None").
type Substs map[string]any

func pyStr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

// Format applies Pungi's (format % substs).format(**substs): first
// %-formatting with a mapping, then str.format fields. An unknown key is
// an error naming it, as Pungi's "unknown format element".
func Format(format string, s Substs) (string, error) {
	pct, err := percentFormat(format, s)
	if err != nil {
		return "", err
	}
	return braceFormat(pct, s)
}

func percentFormat(f string, s Substs) (string, error) {
	if !strings.Contains(f, "%") {
		return f, nil
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		if ch != '%' {
			b.WriteByte(ch)
			continue
		}
		if i+1 < len(f) && f[i+1] == '%' {
			b.WriteByte('%')
			i++
			continue
		}
		if i+1 >= len(f) || f[i+1] != '(' {
			return "", fmt.Errorf("format %q: unsupported %%-directive at offset %d (use %%(name)s)", f, i)
		}
		end := strings.IndexByte(f[i+2:], ')')
		if end < 0 {
			return "", fmt.Errorf("format %q: unterminated %%( at offset %d", f, i)
		}
		key := f[i+2 : i+2+end]
		j := i + 2 + end + 1
		if j >= len(f) {
			return "", fmt.Errorf("format %q: incomplete format after %%(%s)", f, key)
		}
		v, ok := s[key]
		if !ok {
			return "", fmt.Errorf("unknown format element: '%s'", key)
		}
		switch f[j] {
		case 's', 'r':
			b.WriteString(pyStr(v))
		case 'd', 'i':
			n, err := strconv.Atoi(pyStr(v))
			if err != nil {
				return "", fmt.Errorf("format %q: %%(%s)d needs a number, got %q", f, key, pyStr(v))
			}
			b.WriteString(strconv.Itoa(n))
		default:
			return "", fmt.Errorf("format %q: unsupported conversion %%(%s)%c", f, key, f[j])
		}
		i = j
	}
	return b.String(), nil
}

func braceFormat(f string, s Substs) (string, error) {
	if !strings.ContainsAny(f, "{}") {
		return f, nil
	}
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		ch := f[i]
		switch {
		case ch == '{' && i+1 < len(f) && f[i+1] == '{':
			b.WriteByte('{')
			i++
		case ch == '}' && i+1 < len(f) && f[i+1] == '}':
			b.WriteByte('}')
			i++
		case ch == '{':
			end := strings.IndexByte(f[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("format %q: single '{' encountered", f)
			}
			field := f[i+1 : i+end]
			key, spec, _ := strings.Cut(field, ":")
			v, ok := s[key]
			if !ok {
				return "", fmt.Errorf("unknown format element: '%s'", key)
			}
			str := pyStr(v)
			if spec != "" {
				// Zero-padded widths ("{disc_num:02}") are the only spec
				// seen in Pungi configs.
				if w, err := strconv.Atoi(strings.TrimLeft(spec, "0")); err == nil && strings.HasPrefix(spec, "0") {
					for len(str) < w {
						str = "0" + str
					}
				} else {
					return "", fmt.Errorf("format %q: unsupported format spec %q", f, spec)
				}
			}
			b.WriteString(str)
			i += end
		case ch == '}':
			return "", fmt.Errorf("format %q: single '}' encountered", f)
		default:
			b.WriteByte(ch)
		}
	}
	return b.String(), nil
}

// BaseSubsts is Pungi's get_format_substs: the compose identity ci, to be
// extended by the caller.
func BaseSubsts(ci *compose.Info) Substs {
	suffix, _ := compose.TypeSuffix(ci.Compose.Type)
	var label, major any
	if l := ci.Compose.Label; l != "" {
		label, major = l, compose.LabelMajorVersion(l)
	}
	return Substs{
		"compose_id":          ci.Compose.ID,
		"release_short":       ci.Release.Short,
		"version":             ci.Release.Version,
		"date":                ci.Compose.Date,
		"respin":              ci.Compose.Respin,
		"type":                ci.Compose.Type,
		"type_suffix":         suffix,
		"label":               label,
		"label_major_version": major,
	}
}

// LayeredComposeID is productmd's compose ID of a layered product variant:
// SHORT-VERSION of the layered product, then the compose's release short
// and major version (the version without its last dot part), then the
// date, type suffix and respin (Gluster-2.3-DP-1-20240101.t.0). Pungi names
// the layered product's images with it, so they do not collide with the
// parent variant's.
func LayeredComposeID(ci *compose.Info, v *compose.Variant) string {
	if v.Release == nil {
		return ci.Compose.ID
	}
	major := ci.Release.Version
	if i := strings.LastIndex(major, "."); i >= 0 {
		major = major[:i]
	}
	suffix, _ := compose.TypeSuffix(ci.Compose.Type)
	return fmt.Sprintf("%s-%s-%s-%s-%s%s.%d", v.Release.Short, v.Release.Version, ci.Release.Short, major,
		ci.Compose.Date, suffix, ci.Compose.Respin)
}

func (s Substs) with(kv ...any) Substs {
	out := make(Substs, len(s)+len(kv)/2)
	for k, v := range s {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

// DefaultNameFormat is Pungi's default image_name_format.
const DefaultNameFormat = "{compose_id}-{variant}-{arch}-{disc_type}{disc_num}{suffix}"

// ImageName is Pungi's compose.get_image_name: the file name of an image
// from image_name_format (a string, or a {variant regex: format} mapping),
// with arch "src" shown as "source" and disc number 0 left out. A
// layered product is named after its parent variant.
func ImageName(conf *config.Config, ci *compose.Info, arch string, v *compose.Variant, discType string, discNum int, suffix string) (string, error) {
	format := DefaultNameFormat
	if raw, ok := conf.Get("image_name_format"); ok && raw != nil {
		switch x := raw.(type) {
		case string:
			format = x
		case map[string]any:
			for _, pat := range sortedPatterns(x) {
				if matchUID(pat, v.UID) {
					if l := compose.AsStrings(x[pat]); len(l) > 0 {
						format = l[0]
					}
					break
				}
			}
		}
	}
	if arch == "src" {
		arch = "source"
	}
	var dn any = ""
	if discNum > 0 {
		dn = discNum
	}
	uid := v.UID
	s := BaseSubsts(ci)
	if v.Type == "layered-product" && v.Parent != nil {
		uid = v.Parent.UID
		s = s.with("compose_id", LayeredComposeID(ci, v))
	}
	s = s.with("variant", uid, "arch", arch, "disc_type", discType, "disc_num", dn, "suffix", suffix)
	name, err := Format(format, s)
	if err != nil {
		return "", fmt.Errorf("Failed to create image name: %w", err)
	}
	return name, nil
}
