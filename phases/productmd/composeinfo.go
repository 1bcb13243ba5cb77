// Package productmd owns the compose metadata formats that productmd (the
// Python library Pungi uses) defines: composeinfo.json, rpms.json,
// extra_files.json, .treeinfo, .discinfo and media.repo. It only knows the
// formats; which values go in them is decided by the compose phases.
//
// Every JSON file carries productmd's header {"type": …, "version": "1.2"} and
// is written with sorted keys and four-space indentation, as productmd's
// dump does, through a temporary file renamed into place.
package productmd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/pungo/pungo/internal/atomicfile"
)

// FormatVersion is the productmd metadata version written in every header.
const FormatVersion = "1.2"

// Header is the "header" object of a productmd JSON file.
type Header struct {
	Type    string `json:"type"`
	Version string `json:"version"`
}

// ComposeSection is composeinfo's "compose" object. Label and Final are
// written only when the compose has a label, as productmd does.
type ComposeSection struct {
	ID     string
	Type   string
	Date   string
	Respin int
	Label  string
	Final  bool
}

func (c ComposeSection) toJSON() map[string]any {
	m := map[string]any{"id": c.ID, "type": c.Type, "date": c.Date, "respin": c.Respin}
	if c.Label != "" {
		m["label"] = c.Label
		m["final"] = c.Final
	}
	return m
}

// Release describes a release or a base product. IsLayered is written only
// when true and Internal only for a release (not for a base product),
// following productmd's serializers.
type Release struct {
	Name      string
	Short     string
	Version   string
	Type      string
	IsLayered bool
	Internal  bool
}

func (r Release) toJSON(isBase bool) map[string]any {
	m := map[string]any{"name": r.Name, "short": r.Short, "version": r.Version, "type": r.Type}
	if !isBase {
		if r.IsLayered {
			m["is_layered"] = true
		}
		m["internal"] = r.Internal
	}
	return m
}

// VariantPathKeys are the per-arch path kinds of a composeinfo variant, in
// productmd's order.
var VariantPathKeys = []string{
	"os_tree", "packages", "repository", "isos", "images", "jigdos",
	"source_tree", "source_packages", "source_repository", "source_isos", "source_jigdos",
	"debug_tree", "debug_packages", "debug_repository",
}

// Variant is one composeinfo variant. Paths maps a path kind (see
// VariantPathKeys) to arch → path relative to the compose/ directory.
// Release is used only for layered products.
type Variant struct {
	ID, UID, Name, Type string
	Arches              []string
	Paths               map[string]map[string]string
	Release             *Release
	Variants            []*Variant
}

// ComposeInfo is the content of composeinfo.json (and of Pungi's
// work/global/composeinfo-base.json, which has no variants).
type ComposeInfo struct {
	Compose     ComposeSection
	Release     Release
	BaseProduct *Release // nil unless the release is layered
	Variants    []*Variant
}

// MarshalJSON renders the productmd document, header included.
func (ci *ComposeInfo) MarshalJSON() ([]byte, error) {
	payload := map[string]any{
		"compose": ci.Compose.toJSON(),
		"release": ci.Release.toJSON(false),
	}
	if ci.Release.IsLayered && ci.BaseProduct != nil {
		payload["base_product"] = ci.BaseProduct.toJSON(true)
	}
	vars := map[string]any{}
	for _, v := range ci.Variants {
		if err := serializeVariant(vars, v); err != nil {
			return nil, err
		}
	}
	payload["variants"] = vars
	return json.Marshal(map[string]any{
		"header":  Header{Type: "productmd.composeinfo", Version: FormatVersion},
		"payload": payload,
	})
}

// serializeVariant adds v and its children to the flat UID-keyed map, as
// productmd does: children appear at the top level and the parent lists
// their IDs.
func serializeVariant(out map[string]any, v *Variant) error {
	if _, dup := out[v.UID]; dup {
		return fmt.Errorf("composeinfo: variant UID %s appears twice", v.UID)
	}
	arches := append([]string(nil), v.Arches...)
	sort.Strings(arches)
	dump := map[string]any{"id": v.ID, "uid": v.UID, "name": v.Name, "type": v.Type, "arches": arches}
	if v.Type == "layered-product" && v.Release != nil {
		r := *v.Release
		r.IsLayered = true
		dump["release"] = r.toJSON(false)
	}
	paths := map[string]any{}
	for _, kind := range VariantPathKeys {
		byArch := v.Paths[kind]
		m := map[string]string{}
		for _, a := range arches {
			if p := byArch[a]; p != "" {
				m[a] = p
			}
		}
		if len(m) > 0 {
			paths[kind] = m
		}
	}
	dump["paths"] = paths
	if len(v.Variants) > 0 {
		ids := make([]string, 0, len(v.Variants))
		for _, c := range v.Variants {
			ids = append(ids, c.ID)
			if err := serializeVariant(out, c); err != nil {
				return err
			}
		}
		sort.Strings(ids)
		dump["variants"] = ids
	}
	out[v.UID] = dump
	return nil
}

// WriteJSON writes v as productmd does (sorted keys, indent 4) to path,
// atomically.
func WriteJSON(path string, v any) error {
	if iw, ok := v.(indentedWriter); ok {
		if err := atomicfile.WriteWith(path, 0o644, iw.writeIndented); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		return nil
	}
	data, err := MarshalIndent(v)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.WriteFile(path, data, 0o644)
}

// MarshalIndent renders v with sorted keys and four-space indentation.
// encoding/json already sorts map keys; structs are avoided in the
// documents so the key order is always alphabetical.
func MarshalIndent(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "    "); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// ReadComposeInfo loads the compose and release parts of a composeinfo
// file (enough to reopen a compose directory).
func ReadComposeInfo(path string) (*ComposeInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeComposeInfo(f, path)
}

func decodeComposeInfo(r io.Reader, name string) (*ComposeInfo, error) {
	var doc struct {
		Header  Header `json:"header"`
		Payload struct {
			Compose struct {
				ID     string `json:"id"`
				Type   string `json:"type"`
				Date   string `json:"date"`
				Respin int    `json:"respin"`
				Label  string `json:"label"`
				Final  bool   `json:"final"`
			} `json:"compose"`
			Release     releaseJSON  `json:"release"`
			BaseProduct *releaseJSON `json:"base_product"`
		} `json:"payload"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.Header.Type != "productmd.composeinfo" {
		return nil, fmt.Errorf("%s: header type %q is not productmd.composeinfo", name, doc.Header.Type)
	}
	p := doc.Payload
	ci := &ComposeInfo{
		Compose: ComposeSection{ID: p.Compose.ID, Type: p.Compose.Type, Date: p.Compose.Date,
			Respin: p.Compose.Respin, Label: p.Compose.Label, Final: p.Compose.Final},
		Release: p.Release.release(),
	}
	if p.BaseProduct != nil {
		b := p.BaseProduct.release()
		ci.BaseProduct = &b
	}
	return ci, nil
}

type releaseJSON struct {
	Name      string `json:"name"`
	Short     string `json:"short"`
	Version   string `json:"version"`
	Type      string `json:"type"`
	IsLayered bool   `json:"is_layered"`
	Internal  bool   `json:"internal"`
}

func (r releaseJSON) release() Release {
	return Release{Name: r.Name, Short: r.Short, Version: r.Version, Type: r.Type, IsLayered: r.IsLayered, Internal: r.Internal}
}
