package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// minimal sets the required options, lines 1-6 of every test config.
const minimal = `release_name = "Test"
release_short = "test"
release_version = "1"
variants_file = "variants.xml"
pkgset_source = "koji"
gather_method = "deps"
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.conf")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func render(ds []Diagnostic, dir string) []string {
	var out []string
	for _, d := range ds {
		out = append(out, strings.ReplaceAll(d.String(), dir+string(filepath.Separator), ""))
	}
	return out
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name      string
		body      string // appended to minimal (so it starts on line 7)
		opts      ValidateOptions
		errs      []string
		warns     []string
		fullConfg bool // body replaces minimal
	}{
		{name: "minimal is clean", body: ""},
		{name: "missing required options", fullConfg: true, body: "release_name = \"x\"\n",
			errs: []string{
				"test.conf: Failed validation in : 'release_short' is a required property",
				"test.conf: Failed validation in : 'release_version' is a required property",
				"test.conf: Failed validation in : 'variants_file' is a required property",
				"test.conf: Failed validation in : 'pkgset_source' is a required property",
				"test.conf: Failed validation in : 'gather_method' is a required property",
			}},
		{name: "wrong type", body: "check_deps = \"yes\"\n",
			errs: []string{"test.conf:7:1: Failed validation in check_deps: 'yes' is not of type 'boolean'"}},
		{name: "wrong type in list", body: "createrepo_extra_args = [\"--zck\", 5]\n",
			errs: []string{"test.conf:7:35: Failed validation in createrepo_extra_args.1: 5 is not of type 'string'"}},
		{name: "number accepts int and float, not bool", body: "createrepo_num_workers = 2.5\nsigned_packages_wait = True\n",
			errs: []string{"test.conf:8:1: Failed validation in signed_packages_wait: True is not of type 'number'"}},
		{name: "empty sigkeys", body: "sigkeys = []\n",
			errs: []string{"test.conf:7:1: Failed validation in sigkeys: [] should be non-empty"}},
		{name: "enum", body: "link_type = \"softlink\"\n",
			errs: []string{"test.conf:7:1: Failed validation in link_type: 'softlink' is not one of ['hardlink', 'copy', 'hardlink-or-copy', 'symlink', 'abspath-symlink']"}},
		{name: "bool is neither number nor enum member", body: "iso_level = True\n",
			errs: []string{"test.conf:7:1: Failed validation in iso_level: True is not valid under any of the given schemas\n" +
				"    Possible reason: True is not of type 'number'\n" +
				"    Possible reason: True is not one of [1, 2, 3, 4]\n" +
				"    Possible reason: True is not of type 'array'"}},
		{name: "url type named in message", body: "global_ksurl = 5\n",
			errs: []string{"test.conf:7:1: Failed validation in global_ksurl: 5 is not of type 'url'"}},
		{name: "None does not conflict", body: "base_product_short = None\n",
			errs: []string{"test.conf:7:1: Failed validation in base_product_short: None is not of type 'string'"}},
		{name: "messages show dicts in file order", body: "runroot_method = {\"zz\": \"koji\", \"buildinstall\": \"koji\"}\n",
			errs: []string{"test.conf:7:1: Failed validation in runroot_method: {'zz': 'koji', 'buildinstall': 'koji'} is not valid under any of the given schemas\n" +
				"    Possible reason: {'zz': 'koji', 'buildinstall': 'koji'} is not of type 'string'\n" +
				"    Possible reason: {'zz': 'koji', 'buildinstall': 'koji'} is not one of ['local', 'koji', 'openssh']\n" +
				"    Possible reason: Additional properties are not allowed ('zz' was unexpected)"}},
		{name: "tuple is an array", body: "tree_arches = (\"x86_64\", \"aarch64\")\n"},
		{name: "variant arch mapping ok", body: "additional_packages = [(\"^Server$\", {\"*\": [\"a\"], \"x86_64\": [\"b\"]})]\n"},
		{name: "variant arch mapping as dict", body: "additional_packages = {\"^Server$\": {\"*\": [\"a\"]}}\n",
			errs: []string{"test.conf:7:1: Failed validation in additional_packages: {'^Server$': {'*': ['a']}} is not of type 'array'"}},
		{name: "variant arch mapping value type", body: "additional_packages = [(\"^Server$\", {\"*\": \"a\"})]\n",
			errs: []string{"test.conf:7:38: Failed validation in additional_packages.0.1.*: 'a' is not of type 'array'"}},
		{name: "variant arch mapping extra item", body: "filter_packages = [(\"^Server$\", {\"*\": []}, \"extra\")]\n",
			errs: []string{"test.conf:7:20: Failed validation in filter_packages.0: Additional items are not allowed ('extra' was unexpected)"}},
		{name: "variant arch mapping too short", body: "filter_packages = [(\"^Server$\",)]\n",
			errs: []string{"test.conf:7:20: Failed validation in filter_packages.0: ('^Server$',) is too short"}},
		{name: "invalid regex in mapping", body: "\nmultilib = [\n    (\"^(Server\", {\"x86_64\": [\"devel\"]}),\n]\n",
			errs: []string{"test.conf:9:6: Failed validation in multilib.0.0: incorrect regular expression: missing ), unterminated subpattern at position 1"}},
		{name: "invalid regex as variant dict key", body: "live_media = {\"*Server\": [{\"name\": \"n\", \"kickstart\": \"k.ks\"}]}\n",
			errs: []string{"test.conf:7:15: Failed validation in live_media.*Server: incorrect regular expression: nothing to repeat at position 0"}},
		{name: "required nested property", body: "live_media = {\"^Workstation$\": [{\"name\": \"n\"}]}\n",
			errs: []string{"test.conf:7:33: Failed validation in live_media.^Workstation$.0: 'kickstart' is a required property"}},
		{name: "additional nested property", body: "runroot_weights = {\"buildinstall\": 2, \"gather\": 1}\n",
			errs: []string{"test.conf:7:1: Failed validation in runroot_weights: Additional properties are not allowed ('gather' was unexpected)"}},
		{name: "pattern object with bad value", body: "pkgset_repos = {\"x86_64\": [1]}\n",
			errs: []string{
				"test.conf:7:17: Failed validation in pkgset_repos.x86_64: [1] is not valid under any of the given schemas\n" +
					"    Possible reason: [1] is not of type 'string'\n" +
					"    Possible reason: 1 is not of type 'string'",
				"test.conf:5:1: Config option pkgset_source=koji conflicts with option pkgset_repos.",
			}},
		{name: "oneOf alternatives", body: "gather_method = 5\n", fullConfg: false,
			errs: []string{
				"test.conf:7:1: Failed validation in gather_method: 5 is not valid under any of the given schemas\n" +
					"    Possible reason: 5 is not of type 'object'\n" +
					"    Possible reason: 5 is not of type 'string'\n" +
					"    Possible reason: 5 is not one of ['deps', 'nodeps', 'hybrid']",
			}},
		{name: "gather_method per variant", body: "gather_method = {\"^.*$\": {\"comps\": \"deps\", \"module\": \"nodeps\"}, \"^Server$\": \"hybrid\"}\n"},
		{name: "skip_phases enum", body: "skip_phases = [\"gather\", \"createrepo\", \"bogus\"]\n",
			errs: []string{"test.conf:7:40: Failed validation in skip_phases.2: 'bogus' is not one of " +
				"['init', 'weaver', 'pkgset', 'gather', 'createrepo', 'buildinstall', 'extra_files', 'createiso', 'extra_isos', 'live_images', 'image_build', 'image_container', 'kiwibuild', 'osbuild', 'repoclosure', 'test', 'image_checksum', 'live_media', 'ostree', 'ostree_installer', 'ostree_container', 'osbs', 'imagebuilder', 'productimg']"}},
		{name: "deprecated option", body: "bootable = True\n",
			warns: []string{"test.conf:7:1: Config option bootable was removed and has no effect; remove it. Setting buildinstall_method option if you want a bootable installer."}},
		{name: "unknown option with suggestion", body: "\ncreaterepo_chekcsum = \"sha256\"\n",
			warns: []string{"test.conf:8:1: Unrecognized config option: createrepo_chekcsum. Did you mean createrepo_checksum?"}},
		{name: "unknown option without suggestion", body: "frobnicate = 1\n",
			warns: []string{"test.conf:7:1: Unrecognized config option: frobnicate."}},
		{name: "base product needs all three", body: "base_product_name = \"Base\"\nbase_product_short = \"b\"\n",
			errs: []string{
				"test.conf:7:1: Config option base_product_name=Base requires base_product_version which is not set.",
				"test.conf:8:1: Config option base_product_short=b requires base_product_version which is not set.",
				"test.conf:7:1: Config option base_product_version=None conflicts with option base_product_name.",
				"test.conf:8:1: Config option base_product_version=None conflicts with option base_product_short.",
			}},
		{name: "base product complete", body: "base_product_name = \"Base\"\nbase_product_short = \"b\"\nbase_product_version = \"1\"\n"},
		{name: "pkgset repos needs pkgset_repos and conflicts with koji", fullConfg: true,
			body: strings.Replace(minimal, `pkgset_source = "koji"`, `pkgset_source = "repos"`, 1) + "pkgset_koji_tag = \"f41\"\npkgset_koji_inherit = True\n",
			errs: []string{
				"test.conf:5:1: Config option pkgset_source=repos conflicts with option pkgset_koji_tag.",
				"test.conf:5:1: Config option pkgset_source=repos requires pkgset_repos which is not set.",
			}},
		{name: "pkgset koji conflicts with pkgset_repos", body: "pkgset_repos = {\"x86_64\": \"/repo\"}\n",
			errs: []string{"test.conf:5:1: Config option pkgset_source=koji conflicts with option pkgset_repos."}},
		{name: "cts_url needs translate_paths", body: "cts_url = \"https://cts.example.com\"\n",
			errs: []string{"test.conf:7:1: Config option cts_url=https://cts.example.com requires translate_paths which is not set."}},
		{name: "lorax_options need buildinstall_method", body: "lorax_options = [(\"^.*$\", {\"*\": {\"noupgrade\": True}})]\n",
			errs: []string{"test.conf:7:1: Config option buildinstall_method=None conflicts with option lorax_options."}},
		{name: "scratch modules need mbs", body: "pkgset_scratch_modules = {\"^Server$\": [\"m:s:1:c\"]}\n",
			errs: []string{"test.conf:7:1: Config option pkgset_scratch_modules={'^Server$': ['m:s:1:c']} requires mbs_api_url which is not set."}},
		{name: "deprecated ostree alias and append", body: "ostree = [(\"^Atomic$\", {\"x86_64\": {\"treefile\": \"t\", \"config_url\": \"u\", \"ostree_repo\": \"r\", \"extra_source_repos\": [\"a\"], \"repo_from\": \"b\"}})]\n",
			warns: []string{
				"test.conf:7:25: Config option 'extra_source_repos' is deprecated and now an alias to 'repo', please use 'repo' instead.",
				"test.conf:7:25: Config option 'repo_from' is deprecated, its value will be appended to option 'repo'.",
				"test.conf:7:25: Value from config option 'repo_from' is now appended to option 'repo'.",
			}},
		{name: "skip pkgset but not gather", body: "skip_phases = [\"pkgset\"]\n",
			errs: []string{"test.conf:7:1: pkgset phase is skipped but it's needed by gather phase"}},
		{name: "skip gather but not createrepo", body: "skip_phases = [\"pkgset\", \"gather\"]\n",
			errs: []string{"test.conf:7:1: gather phase is skipped but it's needed by createrepo phase"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := minimal + tt.body
			if tt.fullConfg {
				body = tt.body
			}
			path := writeConfig(t, body)
			c, err := Load(path, nil)
			if err != nil {
				t.Fatal(err)
			}
			r := Check(c, tt.opts)
			dir := filepath.Dir(path)
			compare(t, "errors", render(r.Errors, dir), tt.errs)
			compare(t, "warnings", render(r.Warnings, dir), tt.warns)
		})
	}
}

func compare(t *testing.T, what string, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s:\n got: %q\nwant: %q", what, got, want)
	}
}

func TestDefaults(t *testing.T) {
	path := writeConfig(t, minimal+`extra_isos = {"^Server$": [{"include_variants": ["Everything"]}]}
createrepo_checksum = "sha512"
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Get("createrepo_num_workers"); ok {
		t.Error("a default is visible before WithDefaults")
	}
	d := c.WithDefaults()
	checks := []struct {
		key  string
		want string
	}{
		{"createrepo_num_workers", "3"},
		{"createrepo_checksum", "'sha512'"},
		{"release_type", "'ga'"},
		{"sigkeys", "[None]"},
		{"media_checksums", "['md5', 'sha1', 'sha256']"},
		{"additional_packages", "[]"},
		{"runroot_weights", "{}"},
		{"iso_size", "4700000000"},
		{"extra_isos", "{'^Server$': [{'include_variants': ['Everything'], 'inherit_extra_files': False, 'skip_src': False}]}"},
	}
	for _, ch := range checks {
		v, ok := d.Get(ch.key)
		if !ok {
			t.Errorf("%s: no value", ch.key)
			continue
		}
		if got := pyRepr(v); got != ch.want {
			t.Errorf("%s = %s, want %s", ch.key, got, ch.want)
		}
	}
	for _, key := range []string{"compose_type", "iso_level", "createrepo_deltas", "buildinstall_method"} {
		if v, ok := d.Get(key); ok {
			t.Errorf("%s has a default %v; Pungi gives it none", key, v)
		}
	}
	if d.Int("createrepo_num_workers") != 3 || d.String("link_type") != "hardlink-or-copy" ||
		!d.Bool("check_deps") || len(d.Strings("media_checksums")) != 3 {
		t.Error("typed getters disagree with the defaults")
	}
}

func TestForVariantArch(t *testing.T) {
	path := writeConfig(t, minimal+`additional_packages = [
    ("^Server$", {"*": ["star"], "x86_64": ["x86"], "src": ["source"]}),
    ("^Ser", {"x86_64": "single"}),
    ("Server$", {"*": ["not-at-start"]}),  # re.match: anchored at the start
]
extra_isos = {"^Server$": [{"include_variants": []}], "^Work": {"include_variants": ["a"]}}
gather_method = {"^Work": "hybrid", "^.*$": "deps", "^Workstation$": "nodeps"}
order = [("^.*$", {"z": ["z"], "*": ["star"], "a": ["a"]})]
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		variant, arch string
		want          string
	}{
		{"Server", "x86_64", "['star', 'x86', 'single', 'not-at-start']"},
		{"Server", "s390x", "['star', 'not-at-start']"},
		// '*' does not match src; src must be named.
		{"Server", "src", "['source']"},
		// regexes match at the start only (re.match), not anywhere.
		{"Server-optional", "x86_64", "['single']"},
		{"MyServer", "x86_64", "[]"},
	}
	for _, tt := range tests {
		got := pyRepr(orEmpty(c.ForVariantArch("additional_packages", tt.variant, tt.arch)))
		if got != tt.want {
			t.Errorf("%s.%s: %s, want %s", tt.variant, tt.arch, got, tt.want)
		}
	}
	if got := pyRepr(orEmpty(c.ForVariant("extra_isos", "Workstation"))); got != "[{'include_variants': ['a']}]" {
		t.Errorf("ForVariant: %s", got)
	}
	// Dict keys keep the file's order: Pungi takes the last matching
	// gather_method, and visits arch keys in order.
	if got := pyRepr(orEmpty(c.ForVariant("gather_method", "Workstation"))); got != "['hybrid', 'deps', 'nodeps']" {
		t.Errorf("ForVariant order: %s", got)
	}
	if got := pyRepr(orEmpty(c.WithDefaults().ForVariantArch("order", "X", "z"))); got != "['z', 'star']" {
		t.Errorf("ForVariantArch order: %s", got)
	}
}

func orEmpty(l []any) []any {
	if l == nil {
		return []any{}
	}
	return l
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name, file, body, want string
	}{
		{"syntax error", "syntax.conf", "a = 1\nb = [1 2\n", "syntax.conf:2:5: '[' was never closed"},
		{"import cycle", "cycle.conf", "from cycle-b import *\n", "cycle-b.conf:1:1: import cycle: cycle.conf -> cycle-b.conf -> cycle.conf"},
		{"missing import", "missing.conf", "x = 1\n\nfrom gone import *\n", "missing.conf:3:1: gone.conf: no such file"},
		{"json syntax", "bad.json", "{\n  \"a\": tru\n}\n", "bad.json:2:11: invalid JSON: invalid character '\\n' in literal true (expecting 'e')"},
	}
	write("cycle-b.conf", "from cycle import *\n")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(tt.file, tt.body)
			_, err := Load(p, nil)
			if err == nil {
				t.Fatal("no error")
			}
			if got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if _, err := Load(filepath.Join(dir, "nonexistent.conf"), nil); err == nil || !strings.Contains(err.Error(), "nonexistent.conf") {
		t.Errorf("missing top file: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	tests := map[string]string{
		"createrepo_chekcsum": "createrepo_checksum",
		"relase_name":         "release_name",
		"gather_mehtod":       "gather_method",
		"xyz":                 "",
		"pkgset_koji_tags":    "pkgset_koji_tag",
	}
	for in, want := range tests {
		if got := suggest(in); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWriteJSON(t *testing.T) {
	var b strings.Builder
	v := map[string]any{
		"b": Tuple{int64(1), 2.0, "é\"\n"},
		"a": map[string]any{},
		"c": []any{},
		"d": nil,
		"e": 1e16,
	}
	if err := WriteJSON(&b, v); err != nil {
		t.Fatal(err)
	}
	want := `{
    "a": {},
    "b": [
        1,
        2.0,
        "\u00e9\"\n"
    ],
    "c": [],
    "d": null,
    "e": 1e+16
}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestJSONConfigPositions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.json")
	body := `{
    "release_name": "Test", "release_short": "test", "release_version": "1",
    "variants_file": "v.xml", "pkgset_source": "koji", "gather_method": "deps",
    "live_media": {
        "^Server$": [
            {"name": "a", "kickstart": "k"},
            {"name": "b"}
        ]
    },
    "check_deps": "no"
}
`
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs, _ := Validate(c)
	compare(t, "errors", render(errs, filepath.Dir(path)), []string{
		"c.json:10:5: Failed validation in check_deps: 'no' is not of type 'boolean'",
		"c.json:7:13: Failed validation in live_media.^Server$.1: 'kickstart' is a required property",
	})
}

// TestRegexErrors: patterns that do not compile are described as Python's
// re module describes them (messages checked against CPython 3.11).
func TestRegexErrors(t *testing.T) {
	tests := map[string]string{
		"^(Server": "missing ), unterminated subpattern at position 1",
		"*Server":  "nothing to repeat at position 0",
		"a)b":      "unbalanced parenthesis at position 1",
		"[abc":     "unterminated character set at position 0",
		"(a(b)":    "missing ), unterminated subpattern at position 0",
		"a|*":      "nothing to repeat at position 2",
		"x**":      "multiple repeat at position 2",
		"^*":       "nothing to repeat at position 1",
		"(?:a":     "missing ), unterminated subpattern at position 0",
		`a\`:       "bad escape (end of pattern) at position 1",
	}
	for pattern, want := range tests {
		got, bad := regexProblem(pattern)
		if !bad || got != want {
			t.Errorf("%q: %q, want %s", pattern, got, want)
		}
	}
	// What RE2 cannot read goes to pyre, which words errors as Python.
	for pattern, want := range map[string]string{
		"(?<=a+)b":   "look-behind requires fixed-width pattern",
		`\2(a)`:      "invalid group reference 2 at position 1",
		"a(?i)b":     "global flags not at the start of the expression at position 1",
		`(?P<1>x)`:   "bad character in group name '1' at position 4",
		"[z-a](?=x)": "bad character range z-a at position 1",
	} {
		if got, bad := regexProblem(pattern); !bad || got != want {
			t.Errorf("%q: %q, want %q", pattern, got, want)
		}
	}
	for _, ok := range []string{"^Server$", "^(Server|Client)-optional$", "a{2}", "x*?", "[)(]", `\(`, "(?i)server", "(?P<v>Server)", "[*+?]x",
		"^(?!Everything$)", "^.*(?<!-optional)$", `^(\w+)-\1$`, "^Serv(?:er)?+$"} {
		if msg, bad := regexProblem(ok); bad {
			t.Errorf("%q rejected: %s", ok, msg)
		}
	}
}

func TestSchemaJSON(t *testing.T) {
	s := SchemaJSON()
	props := s["properties"].(map[string]any)
	if len(props) != len(Options()) || len(props) < 180 {
		t.Fatalf("%d properties for %d options", len(props), len(Options()))
	}
	got := pyRepr(props["failable_deliverables"])
	want := "{'default': [], 'items': {'additionalItems': False, 'items': [{'type': 'regex'}, " +
		"{'additionalProperties': False, 'patternProperties': {'.+': {'items': {'type': 'string'}, 'type': 'array'}}, 'type': 'object'}], " +
		"'minItems': 2, 'type': 'array'}, 'type': 'array'}"
	if got != want {
		t.Errorf("failable_deliverables:\n got %s\nwant %s", got, want)
	}
	if got := pyRepr(props["bootable"]); !strings.Contains(got, "'deprecated'") {
		t.Errorf("bootable: %s", got)
	}
}

// TestDefinesAndDefaults: pungi-config-validate merges the
// .pungi-config-validate.json values into the -e definitions (the file's
// values win), defines both before the config is read, and drops the names
// that are not options afterwards.
func TestDefinesAndDefaults(t *testing.T) {
	path := writeConfig(t, `release_name = "Test"
release_short = "%s-%s" % (short_from_template, tag)
release_version = version
variants_file = "variants.xml"
`)
	c, err := LoadWith(path, LoadOptions{
		Overrides: []string{"short_from_template=cli", "version=41", "tag=from-e"},
		Defaults:  map[string]any{"short_from_template": "json", "release_type": "updates"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"release_name": "Test", "release_short": "json-from-e", "release_version": "41",
		"variants_file": "variants.xml", "release_type": "updates",
	}
	if got := c.Values(); !reflect.DeepEqual(got, want) {
		t.Errorf("values %v, want %v", got, want)
	}
}

// TestVariantRegexesArePython: variant regexes match as Python's re.match
// does, also where Go's regexp would refuse the pattern or read it
// differently, and validate cleanly.
func TestVariantRegexesArePython(t *testing.T) {
	path := writeConfig(t, minimal+`additional_packages = [
    ("^(?!Everything$)", {"*": ["not-everything"]}),
    ("^.*(?<!-optional)$", {"*": ["not-optional"]}),
    ("^(\w+)-\1$", {"*": ["doubled"]}),
    ("^Serv(?:er){,1}$", {"*": ["counted"]}),
]
`)
	c, err := Load(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := Check(c, ValidateOptions{}); len(r.Errors) > 0 {
		t.Fatalf("valid Python regexes reported: %v", render(r.Errors, ""))
	}
	for _, tt := range []struct{ variant, want string }{
		{"Everything", "['not-optional']"},
		{"Server", "['not-everything', 'not-optional', 'counted']"},
		{"Server-optional", "['not-everything']"},
		{"Serv", "['not-everything', 'not-optional', 'counted']"},
		{"Server-Server", "['not-everything', 'not-optional', 'doubled']"},
	} {
		if got := pyRepr(orEmpty(c.ForVariantArch("additional_packages", tt.variant, "x86_64"))); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.variant, got, tt.want)
		}
	}
}
