package images_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/images"
	"github.com/pungo/pungo/phases/images/imgtest"
	"github.com/pungo/pungo/phases/variants"
)

func TestFormat(t *testing.T) {
	s := images.Substs{"release_short": "DEMO", "version": "1.0", "variant": nil, "arch": "x86_64", "disc_num": 1}
	cases := []struct{ f, want, err string }{
		// Expected values come from Python's (f % s).format(**s).
		{"{release_short}-{version} {variant}.{arch}", "DEMO-1.0 None.x86_64", ""},
		{"%(release_short)s-%(arch)s", "DEMO-x86_64", ""},
		{"100%% {arch}", "100% x86_64", ""},
		{"{disc_num:02}", "01", ""},
		{"{{literal}} {arch}", "{literal} x86_64", ""},
		{"{nope}", "", "unknown format element: 'nope'"},
		{"%(nope)s", "", "unknown format element: 'nope'"},
		{"{arch", "", "single '{'"},
	}
	for _, c := range cases {
		got, err := images.Format(c.f, s)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.f, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: got %q (%v), want %q", c.f, got, err, c.want)
		}
	}
}

// The cases follow Pungi's get_volid step by step: formats in order, the
// first result of at most 32 characters wins, substitutions longest
// first, layered formats before plain ones.
func TestVolumeID(t *testing.T) {
	layered := &compose.Variant{UID: "Tools", ID: "Tools", Type: "layered-product", Arches: []string{"x86_64"}}
	cases := []struct {
		name    string
		conf    map[string]any
		variant string // "" → compose-wide; "layered" → the layered product
		arch    string
		formats []string
		want    string
		err     string
	}{
		{name: "first default format", variant: "Server", arch: "x86_64", want: "DEMO-1.0 Server.x86_64"},
		{name: "source arch", variant: "Server", arch: "src", want: "DEMO-1.0 Server.src"},
		{name: "no variant renders None like Python", arch: "x86_64", want: "DEMO-1.0 None.x86_64"},
		{name: "%(variant)s format skipped without variant", arch: "x86_64",
			conf: map[string]any{"image_volid_formats": []any{"%(release_short)s %(variant)s", "{release_short} {arch}"}}, want: "DEMO x86_64"},
		{name: "falls back when too long", variant: "Server", arch: "x86_64",
			conf: map[string]any{"release_short": "LongProductName12345"}, want: "LongProductName12345-1.0 x86_64"},
		{name: "substitutions longest first", variant: "Server", arch: "x86_64",
			conf: map[string]any{"volume_id_substitutions": map[string]any{"Server": "S", "Serv": "X", "1.0": "1"}}, want: "DEMO-1 S.x86_64"},
		{name: "substitution makes it fit", variant: "Server", arch: "x86_64",
			conf: map[string]any{"release_short": "VeryLongProductShortNameXX", "volume_id_substitutions": map[string]any{"VeryLongProductShortNameXX": "VLP"}},
			want: "VLP-1.0 Server.x86_64"},
		{name: "nothing fits", variant: "Server", arch: "x86_64",
			conf: map[string]any{"release_short": "AnExtremelyLongProductShortName"},
			err:  `could not create a volume ID of at most 32 characters; tried ["AnExtremelyLongProductShortName-1.0 x86_64" "AnExtremelyLongProductShortName-1.0 Server.x86_64"]`},
		{name: "restricted", variant: "Server", arch: "x86_64", conf: map[string]any{"restricted_volid": true}, want: "DEMO-1-0-Server-x86_64"},
		{name: "disc type and percent format", variant: "Server", arch: "x86_64",
			conf: map[string]any{"image_volid_formats": []any{"%(release_short)s-%(disc_type)s-%(arch)s"}}, want: "DEMO-dvd-x86_64"},
		{name: "explicit formats override", variant: "Server", arch: "x86_64", formats: []string{"{release_short}-{arch}-extra"}, want: "DEMO-x86_64-extra"},
		{name: "layered product over base", variant: "layered", arch: "x86_64", want: "LP-2 DEMO-1 Server.x86_64"},
		{name: "layered release uses layered formats first", variant: "Server", arch: "x86_64",
			conf: map[string]any{"base_product_name": "Base", "base_product_short": "BASE", "base_product_version": "9"},
			want: "DEMO-1.0 BASE-9 Server.x86_64"},
		{name: "unknown element", variant: "Server", arch: "x86_64", conf: map[string]any{"image_volid_formats": []any{"{bogus}"}},
			err: "Failed to create volume id: unknown format element: 'bogus'"},
		{name: "addon has none", variant: "Server-HA", arch: "x86_64", want: ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := imgtest.NewCompose(t, tc.conf, "")
			var v *compose.Variant
			switch tc.variant {
			case "":
			case "layered":
				v = layered
				v.Parent = c.Variant("Server")
				v.Release = &variants.Release{Name: "Layered", Short: "LP", Version: "2"}
			default:
				v = c.Variant(tc.variant)
			}
			got, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: tc.arch, Variant: v, DiscType: "dvd", Formats: tc.formats})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
			if len(got) > images.MaxVolumeIDLen {
				t.Fatalf("%q is longer than 32", got)
			}
		})
	}
}

func TestImageName(t *testing.T) {
	cases := []struct {
		conf     map[string]any
		label    string
		arch     string
		discType string
		discNum  int
		want     string
	}{
		{nil, "", "x86_64", "dvd", 1, "DEMO-1.0-20240102.t.0-Server-x86_64-dvd1.iso"},
		{nil, "", "src", "dvd", 2, "DEMO-1.0-20240102.t.0-Server-source-dvd2.iso"},
		{nil, "", "x86_64", "netinst", 0, "DEMO-1.0-20240102.t.0-Server-x86_64-netinst.iso"},
		{map[string]any{"image_name_format": "%(release_short)s-%(variant)s-%(version)s-%(arch)s-%(disc_type)s%(disc_num)s%(suffix)s"}, "",
			"x86_64", "dvd", 1, "DEMO-Server-1.0-x86_64-dvd1.iso"},
		{map[string]any{"image_name_format": map[string]any{"^Serv": "{variant}-{label_major_version}{suffix}", "^Other": "x"}}, "Beta-1.2",
			"x86_64", "dvd", 1, "Server-Beta-1.iso"},
	}
	for _, tc := range cases {
		c := imgtest.NewCompose(t, tc.conf, tc.label)
		got, err := images.ImageName(c.Conf, c.Info, tc.arch, c.Variant("Server"), tc.discType, tc.discNum, ".iso")
		if err != nil || got != tc.want {
			t.Errorf("got %q (%v), want %q", got, err, tc.want)
		}
	}
}

func TestManifestJSON(t *testing.T) {
	c := imgtest.NewCompose(t, nil, "")
	m := images.Of(c)
	if images.Of(c) != m {
		t.Fatal("Of returned a second manifest")
	}
	iso := &images.Image{Path: "Server/x86_64/iso/a.iso", Size: 3, MTime: 7, VolumeID: "DEMO-1.0 Server.x86_64", Type: "dvd",
		Format: "iso", Arch: "x86_64", DiscNumber: 1, DiscCount: 1, Bootable: true, Subvariant: "Server",
		Checksums: map[string]string{"sha256": "ab"}, ImplantMD5: "0123"}
	src := &images.Image{Path: "Server/source/iso/s.iso", Type: "dvd", Format: "iso", Arch: "src", DiscNumber: 1, DiscCount: 1, Subvariant: "Server"}
	m.Add("Server", "x86_64", iso)
	m.Add("Server", "x86_64", src)
	m.Add("Server", "x86_64", src) // duplicate ignored
	if err := images.WriteManifest(c); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(c.Topdir, "compose", "metadata", "images.json"))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Header  map[string]string `json:"header"`
		Payload struct {
			Compose map[string]any                         `json:"compose"`
			Images  map[string]map[string][]map[string]any `json:"images"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Header["type"] != "productmd.images" || doc.Header["version"] != "1.2" {
		t.Errorf("header %v", doc.Header)
	}
	if doc.Payload.Compose["id"] != c.ID() || doc.Payload.Compose["respin"] != float64(0) || doc.Payload.Compose["type"] != "test" {
		t.Errorf("compose %v", doc.Payload.Compose)
	}
	list := doc.Payload.Images["Server"]["x86_64"]
	if len(list) != 2 {
		t.Fatalf("%d images", len(list))
	}
	want := []string{"arch", "bootable", "checksums", "disc_count", "disc_number", "format", "implant_md5", "mtime", "path", "size", "subvariant", "type", "volume_id"}
	for _, im := range list {
		if len(im) != len(want) {
			t.Errorf("fields %v, want %v", im, want)
		}
		for _, k := range want {
			if _, ok := im[k]; !ok {
				t.Errorf("field %s missing in %v", k, im)
			}
		}
	}
	// Sorted by path: source first.
	if list[0]["path"] != "Server/source/iso/s.iso" || list[0]["volume_id"] != nil || list[0]["implant_md5"] != nil {
		t.Errorf("source image %v", list[0])
	}
	if list[1]["volume_id"] != "DEMO-1.0 Server.x86_64" || list[1]["bootable"] != true || list[1]["checksums"].(map[string]any)["sha256"] != "ab" {
		t.Errorf("iso image %v", list[1])
	}
}

func TestCheckSanity(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, patch func([]byte)) string {
		b := make([]byte, 0x9000)
		patch(b)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	iso := write("iso", func(b []byte) { copy(b[0x8001:], "CD001") })
	eltorito := write("eltorito", func(b []byte) { copy(b[0x8001:], "CD001"); copy(b[0x8801:], "CD001\x01EL TORITO SPECIFICATION") })
	mbr := write("mbr", func(b []byte) { copy(b[0x8001:], "CD001"); b[0x1FE], b[0x1FF] = 0x55, 0xAA })
	junk := write("junk", func([]byte) {})
	cases := []struct {
		path     string
		bootable bool
		err      string
	}{
		{iso, false, ""},
		{iso, true, "is supposed to be bootable"},
		{eltorito, true, ""},
		{mbr, true, ""},
		{junk, false, "does not look like an ISO file"},
	}
	for _, tc := range cases {
		err := images.CheckSanity(tc.path, &images.Image{Format: "iso", Arch: "x86_64", Bootable: tc.bootable})
		if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s bootable=%v: %v, want %q", filepath.Base(tc.path), tc.bootable, err, tc.err)
		}
	}
}

func TestCheckImagesSizeAndFailable(t *testing.T) {
	c := imgtest.NewCompose(t, map[string]any{
		"createiso_max_size":           []any{[]any{"^Server$", map[string]any{"*": int64(100)}}},
		"createiso_max_size_is_strict": []any{[]any{"^Server$", map[string]any{"*": true}}},
		"failable_deliverables":        []any{[]any{"^Server$", map[string]any{"*": []any{"iso"}}}},
	}, "")
	dir := filepath.Join(c.Topdir, "compose", "Server", "x86_64", "iso")
	os.MkdirAll(dir, 0o755)
	good := make([]byte, 0x9000)
	copy(good[0x8001:], "CD001")
	os.WriteFile(filepath.Join(dir, "big.iso"), good, 0o644)
	os.WriteFile(filepath.Join(dir, "bad.iso"), make([]byte, 10), 0o644)
	m := images.Of(c)
	m.Add("Server", "x86_64", &images.Image{Path: "Server/x86_64/iso/bad.iso", Size: 10, Format: "iso", Arch: "x86_64", Deliverable: "iso", CanFail: true})
	if err := images.CheckImages(c); err != nil {
		t.Fatalf("failable broken ISO stopped the compose: %v", err)
	}
	if c.FailedDeliverables() != 1 {
		t.Fatalf("failed deliverables %d", c.FailedDeliverables())
	}
	m.Add("Server", "x86_64", &images.Image{Path: "Server/x86_64/iso/big.iso", Size: int64(len(good)), Format: "iso", Arch: "x86_64", Deliverable: "iso"})
	if err := images.CheckImages(c); err == nil || !strings.Contains(err.Error(), "is too big. Expected max 100B") {
		t.Fatalf("strict size limit: %v", err)
	}
}

// TestCheckMetadata holds images.json to productmd's validation, field by
// field, as Pungi's test phase does by loading it with productmd.
func TestCheckMetadata(t *testing.T) {
	c := imgtest.NewCompose(t, nil, "")
	m := images.Of(c)
	m.Add("Server", "x86_64", &images.Image{Path: "Server/x86_64/iso/a.iso", Size: 5, MTime: 1, Type: "dvd", Format: "iso", Arch: "x86_64",
		DiscNumber: 1, DiscCount: 1, Subvariant: "Server", Checksums: map[string]string{"sha256": "ab"}, ImplantMD5: "0123456789abcdef0123456789abcdef"})
	m.Add("Server", "x86_64", &images.Image{Path: "Server/x86_64/iso/u.iso", Size: 5, MTime: 1, Type: "dvd", Format: "iso", Arch: "x86_64",
		DiscNumber: 1, DiscCount: 1, Subvariant: "Server", Checksums: map[string]string{"sha256": "cd"}, Unified: true, AdditionalVariants: []string{"Client"}})
	if err := images.WriteManifest(c); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(c.Topdir, "compose", "metadata", "images.json")
	good, _ := os.ReadFile(file)
	if err := images.CheckMetadata(c); err != nil {
		t.Fatalf("valid images.json: %v", err)
	}
	var doc map[string]any
	json.Unmarshal(good, &doc)
	if u := doc["payload"].(map[string]any)["images"].(map[string]any)["Server"].(map[string]any)["x86_64"].([]any)[1].(map[string]any); u["unified"] != true || len(u["additional_variants"].([]any)) != 1 {
		t.Fatalf("unified image %v", u)
	}
	cases := []struct {
		name  string
		patch func(first map[string]any, byArch map[string]any)
		err   string
	}{
		{"size 0", func(im, _ map[string]any) { im["size"] = 0 }, "size is 0"},
		{"float mtime", func(im, _ map[string]any) { im["mtime"] = 1.5 }, "mtime is 1.5, not an integer"},
		{"missing subvariant", func(im, _ map[string]any) { delete(im, "subvariant") }, "field subvariant missing"},
		{"unknown type", func(im, _ map[string]any) { im["type"] = "floppy" }, `type "floppy" is not a productmd image type`},
		{"unknown format", func(im, _ map[string]any) { im["format"] = "img" }, `format "img" is not a productmd image format`},
		{"no checksums", func(im, _ map[string]any) { im["checksums"] = map[string]any{} }, "checksums is empty"},
		{"bad implant", func(im, _ map[string]any) { im["implant_md5"] = "ABC" }, `implant_md5 "ABC" is not 32 lowercase hex digits`},
		{"empty volume id", func(im, _ map[string]any) { im["volume_id"] = "" }, "volume_id is empty"},
		{"string bootable", func(im, _ map[string]any) { im["bootable"] = "yes" }, "bootable is \"yes\", not a boolean"},
		{"variants without unified", func(im, _ map[string]any) { im["additional_variants"] = []any{"Client"} }, "additional_variants without unified"},
		{"source arch key", func(im, byArch map[string]any) { byArch["src"] = []any{im} }, "images listed under Server.src"},
		{"same identity other checksums", func(im, byArch map[string]any) {
			dup := map[string]any{}
			for k, v := range im {
				dup[k] = v
			}
			dup["path"], dup["checksums"] = "Server/x86_64/iso/b.iso", map[string]any{"sha256": "ff"}
			byArch["x86_64"] = append(byArch["x86_64"].([]any), dup)
		}, "shares subvariant, type, format, arch and disc number with Server/x86_64/iso/a.iso"},
		{"duplicate path", func(im, byArch map[string]any) { byArch["x86_64"] = append(byArch["x86_64"].([]any), im) }, "image Server/x86_64/iso/a.iso listed twice for Server.x86_64"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var doc map[string]any
			json.Unmarshal(good, &doc)
			byArch := doc["payload"].(map[string]any)["images"].(map[string]any)["Server"].(map[string]any)
			tc.patch(byArch["x86_64"].([]any)[0].(map[string]any), byArch)
			b, _ := json.Marshal(doc)
			os.WriteFile(file, b, 0o644)
			if err := images.CheckMetadata(c); err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error %v, want %q", err, tc.err)
			}
		})
	}
}

// The cases are Pungi's own tests of get_volid and _apply_substitutions
// (tests/test_util.py), replayed on a test compose: each format element,
// restricted_volid, the error listing every over-long option, and the
// substitution table where one pattern is a substring of another.
func TestVolumeIDPungiCases(t *testing.T) {
	elems := []struct{ keys, want, restricted string }{
		// Pungi's first case also has date; our compose ID is longer than
		// its "compose_id", so date moves to the third case to fit in 32.
		{"arch compose_id disc_type", "x86_64-{id}-", "x86_64-{rid}-"},
		// Pungi's test mocks label_major_version as "1"; productmd derives
		// it from the label ("RC-1.0" → "RC-1"), which is what we compare.
		{"label label_major_version release_short respin", "RC-1.0-RC-1-DEMO-0", "RC-1-0-RC-1-DEMO-0"},
		{"type type_suffix variant version date", "test-.t-Server-1.0-20240102", "test--t-Server-1-0-20240102"},
	}
	for _, e := range elems {
		for _, restricted := range []bool{false, true} {
			var parts []string
			for _, k := range strings.Fields(e.keys) {
				parts = append(parts, "%("+k+")s")
			}
			c := imgtest.NewCompose(t, map[string]any{"image_volid_formats": []any{strings.Join(parts, "-")}, "restricted_volid": restricted}, "RC-1.0")
			want := e.want
			if restricted {
				want = e.restricted
			}
			want = strings.NewReplacer("{id}", c.ID(), "{rid}", strings.NewReplacer(".", "-").Replace(c.ID())).Replace(want)
			if len(want) > images.MaxVolumeIDLen {
				t.Fatalf("case %q does not fit: %q", e.keys, want)
			}
			// disc_type false in Pungi renders "".
			got, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: "x86_64", Variant: c.Variant("Server")})
			if err != nil || got != want {
				t.Errorf("%s restricted=%v: got %q (%v), want %q", e.keys, restricted, got, err, want)
			}
		}
	}

	a34, b33 := strings.Repeat("a", 34), strings.Repeat("b", 33)
	c := imgtest.NewCompose(t, map[string]any{"image_volid_formats": []any{a34, b33}}, "")
	_, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: "x86_64", Variant: c.Variant("Server")})
	if err == nil || !strings.Contains(err.Error(), `["`+b33+`" "`+a34+`"]`) {
		t.Errorf("too long: %v, want both options, shortest first", err)
	}

	subst := map[string]any{"Rawhide": "rawh", "WorkstationOstree": "WS", "Workstation": "WS", "Alpha": "A", "zzzaaaaaazzz": "zzz", "aaaaaa": "aaa"}
	for _, tc := range []struct{ in, want string }{
		{"Fedora-WorkstationOstree-ostree-x86_64-rawhide", "Fedora-WS-ostree-x86_64-rawhide"},
		{"Fedora-WorkstationOstree-ostree-x86_64-Rawhide", "Fedora-WS-ostree-x86_64-rawh"},
		{"x86_64-compose_id-20160107", "x86_64-compose_id-20160107"},
		{"x86_64-compose_id-20160107-Alpha", "x86_64-compose_id-20160107-A"},
		{"Fedora-zzzaaaaaazzz-Rawhide", "Fedora-zzz-rawh"},
		{"Fedora-aaaaaa-Rawhide", "Fedora-aaa-rawh"},
	} {
		c := imgtest.NewCompose(t, map[string]any{"image_volid_formats": []any{tc.in}, "volume_id_substitutions": subst}, "")
		got, err := images.VolumeID(c.Conf, c.Info, images.VolumeIDInput{Arch: "x86_64", Variant: c.Variant("Server")})
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

// images.json is written only when an image phase used the manifest, as
// Pungi writes it only when an image-producing phase ran.
func TestManifestWrittenOnlyWhenUsed(t *testing.T) {
	for _, used := range []bool{false, true} {
		c := imgtest.NewCompose(t, nil, "")
		if used {
			images.Of(c)
		}
		if err := images.WriteManifest(c); err != nil {
			t.Fatal(err)
		}
		_, err := os.Stat(filepath.Join(c.Topdir, "compose", "metadata", "images.json"))
		if written := err == nil; written != used {
			t.Errorf("used %v: images.json written %v (%v)", used, written, err)
		}
	}
}
