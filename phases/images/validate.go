package images

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// imageTypeFormats is productmd's IMAGE_TYPE_FORMAT_MAPPING: the image
// types productmd accepts and, across all of them, the accepted formats.
var imageTypeFormats = map[string][]string{
	"appx": {"appx"}, "boot": {"iso"}, "bootable-container": {"ociarchive"}, "cd": {"iso"},
	"container": {"tar.xz", "oci", "ociarchive"}, "docker": {"tar.gz", "tar.xz"}, "dvd": {"iso"},
	"dvd-debuginfo": {"iso"}, "dvd-ostree": {"iso"}, "dvd-ostree-osbuild": {"iso"}, "ec2": nil,
	"fex": {"erofs.xz", "erofs.gz", "erofs", "squashfs.xz", "squashfs.gz", "squashfs"},
	"kvm": nil, "live": nil, "live-osbuild": {"iso"}, "liveimg-squashfs": {"liveimg.squashfs"},
	"netinst": {"iso"}, "ociarchive": {"ociarchive"}, "p2v": nil, "qcow": {"qcow"}, "qcow2": {"qcow2"},
	"raw": {"raw"}, "raw-xz": {"raw.xz"}, "rescue": nil, "rhevm-ova": {"rhevm.ova"}, "tar-gz": {"tar.gz"},
	"vagrant-hyperv": {"vagrant-hyperv.box"}, "vagrant-libvirt": {"vagrant-libvirt.box"},
	"vagrant-virtualbox": {"vagrant-virtualbox.box"}, "vagrant-vmware-fusion": {"vagrant-vmware-fusion.box"},
	"vdi": {"vdi"}, "vmdk": {"vmdk"}, "vpc": {"vhd"}, "vhd-compressed": {"vhd.gz", "vhd.xz", "vhdfixed.xz"},
	"vsphere-ova": {"vsphere.ova"}, "wsl2": {"tar", "tar.gz", "wsl"},
}

var imageFormats = func() map[string]bool {
	m := map[string]bool{}
	for _, fs := range imageTypeFormats {
		for _, f := range fs {
			m[f] = true
		}
	}
	return m
}()

var implantMD5RE = regexp.MustCompile(`^[a-z0-9]{32}$`)

// validateEntry applies productmd's Image.validate to one decoded
// images.json (1.2) entry: every field present with its type, no blank
// path, size, arch or checksums, a known type and format, a well-formed
// implanted MD5, and additional_variants only on a unified image.
func validateEntry(im map[string]json.RawMessage) error {
	var str = func(k string, blankOK bool) (string, error) {
		raw, ok := im[k]
		if !ok {
			return "", fmt.Errorf("field %s missing", k)
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("%s is %s, not a string", k, raw)
		}
		if s == "" && !blankOK {
			return "", fmt.Errorf("%s is empty", k)
		}
		return s, nil
	}
	var integer = func(k string) (int64, error) {
		raw, ok := im[k]
		if !ok {
			return 0, fmt.Errorf("field %s missing", k)
		}
		var n int64
		if err := json.Unmarshal(raw, &n); err != nil {
			return 0, fmt.Errorf("%s is %s, not an integer", k, raw)
		}
		return n, nil
	}
	var nullableStr = func(k string) (string, bool, error) {
		raw, ok := im[k]
		if !ok {
			return "", false, fmt.Errorf("field %s missing", k)
		}
		if string(raw) == "null" {
			return "", true, nil
		}
		s, err := str(k, true)
		return s, false, err
	}
	if _, err := str("path", false); err != nil {
		return err
	}
	if _, err := integer("mtime"); err != nil {
		return err
	}
	if n, err := integer("size"); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("size is 0")
	}
	if v, null, err := nullableStr("volume_id"); err != nil {
		return err
	} else if !null && v == "" {
		return fmt.Errorf("volume_id is empty (null is allowed)")
	}
	typ, err := str("type", true)
	if err != nil {
		return err
	}
	if _, ok := imageTypeFormats[typ]; !ok {
		return fmt.Errorf("type %q is not a productmd image type", typ)
	}
	format, err := str("format", true)
	if err != nil {
		return err
	}
	if !imageFormats[format] {
		return fmt.Errorf("format %q is not a productmd image format", format)
	}
	if _, err := str("arch", false); err != nil {
		return err
	}
	for _, k := range []string{"disc_number", "disc_count"} {
		if _, err := integer(k); err != nil {
			return err
		}
	}
	var sums map[string]string
	if raw, ok := im["checksums"]; !ok {
		return fmt.Errorf("field checksums missing")
	} else if json.Unmarshal(raw, &sums) != nil {
		return fmt.Errorf("checksums is %s, not an object of strings", raw)
	} else if len(sums) == 0 {
		return fmt.Errorf("checksums is empty (media_checksums must name at least one type)")
	}
	if md5, null, err := nullableStr("implant_md5"); err != nil {
		return err
	} else if !null && !implantMD5RE.MatchString(md5) {
		return fmt.Errorf("implant_md5 %q is not 32 lowercase hex digits", md5)
	}
	var b bool
	if raw, ok := im["bootable"]; !ok {
		return fmt.Errorf("field bootable missing")
	} else if json.Unmarshal(raw, &b) != nil {
		return fmt.Errorf("bootable is %s, not a boolean", raw)
	}
	if _, err := str("subvariant", true); err != nil {
		return err
	}
	unified := false
	if raw, ok := im["unified"]; ok && json.Unmarshal(raw, &unified) != nil {
		return fmt.Errorf("unified is %s, not a boolean", raw)
	}
	var av []string
	if raw, ok := im["additional_variants"]; ok && json.Unmarshal(raw, &av) != nil {
		return fmt.Errorf("additional_variants is %s, not a list of strings", raw)
	}
	if len(av) > 0 && !unified {
		return fmt.Errorf("additional_variants without unified: only unified images can contain multiple variants")
	}
	return nil
}

// identity is productmd's identify_image: the attributes that must not be
// shared by two images with different checksums.
func identity(im map[string]json.RawMessage) string {
	var parts []string
	for _, k := range []string{"subvariant", "type", "format", "arch", "disc_number"} {
		parts = append(parts, string(im[k]))
	}
	var unified bool
	json.Unmarshal(im["unified"], &unified)
	var av []string
	json.Unmarshal(im["additional_variants"], &av)
	return fmt.Sprintf("%s %v %q", strings.Join(parts, " "), unified, av)
}

func checksumKey(im map[string]json.RawMessage) string {
	var sums map[string]string
	json.Unmarshal(im["checksums"], &sums)
	ks := make([]string, 0, len(sums))
	for k, v := range sums {
		ks = append(ks, k+"="+v)
	}
	sort.Strings(ks)
	return strings.Join(ks, ",")
}
