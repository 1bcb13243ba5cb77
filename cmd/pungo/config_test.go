package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runConfigCaptured runs "pungo config ARGS" and returns its exit code,
// standard output and standard error.
func runConfigCaptured(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLI(t, runConfig, args...)
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const cliMinimal = `release_name = "Test"
release_short = "test"
release_version = "1"
variants_file = "variants.xml"
pkgset_source = "koji"
gather_method = "deps"
pkgset_koji_tag = "f40"
`

const cliVariants = `<?xml version="1.0"?>
<variants>
  <variant id="Server" name="Server" type="variant">
    <arches><arch>x86_64</arch></arches>
  </variant>
</variants>
`

func TestConfigCommand(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"ok.conf":      cliMinimal,
		"tuple.conf":   cliMinimal + "sigkeys = (\"ABC\", None)\n",
		"variants.xml": cliVariants,
		"syntax.conf":  "a = [1,\n",
		"warn.conf":    cliMinimal + "gather_methd = 1\n",
		"bad.conf":     cliMinimal + "check_deps = \"yes\"\nvariant_as_lookaside = [(\"Server\", \"Client\")]\n",
		"lookaside.conf": cliMinimal +
			"variant_as_lookaside = [(\"Server\", \"Client\")]\n",
		"badvariants.conf": strings.Replace(cliMinimal, "variants.xml", "broken.xml", 1),
		"broken.xml":       "<variants>\n  <variant id=\"X\" name=\"X\">\n  </variant>\n</variants>\n",
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	rel := func(s string) string { return strings.ReplaceAll(s, dir+string(filepath.Separator), "") }

	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string // exact, after removing the temp dir
	}{
		{"clean", []string{"validate", p("ok.conf")}, 0, "", ""},
		{"offline accepted", []string{"validate", "--offline", p("ok.conf")}, 0, "", ""},
		{"warning only", []string{"validate", p("warn.conf")}, 0,
			"warn.conf:8:1: warning: Unrecognized config option: gather_methd. Did you mean gather_method?\n", ""},
		{"schema error", []string{"validate", p("bad.conf")}, 1,
			"bad.conf:8:1: error: Failed validation in check_deps: 'yes' is not of type 'boolean'\n", ""},
		{"phase check with variants", []string{"validate", p("lookaside.conf")}, 1,
			"lookaside.conf:8:1: error: GATHER: variant_as_lookaside: variant 'Client' doesn't exist but is required by 'Server'\n", ""},
		{"phase check without variants", []string{"validate", "--no-variants", p("lookaside.conf")}, 0, "", ""},
		{"define does not override the file", []string{"validate", "-e", "check_deps=True", p("bad.conf")}, 1,
			"bad.conf:8:1: error: Failed validation in check_deps: 'yes' is not of type 'boolean'\n", ""},
		{"define is a string", []string{"validate", p("ok.conf"), "-e", "check_deps=True"}, 1,
			"-e check_deps=True: error: Failed validation in check_deps: 'True' is not of type 'boolean'\n", ""},
		{"define fills a string option", []string{"validate", "-e", "release_type=updates", p("ok.conf")}, 0, "", ""},
		{"define with a bad name", []string{"validate", "-e", "1x=2", p("ok.conf")}, 2, "",
			"pungo config validate: -e: definition should be in var=value format: '1x=2'\n"},
		{"syntax error", []string{"validate", p("syntax.conf")}, 2, "",
			"pungo config validate: syntax.conf:1:5: '[' was never closed\n"},
		{"broken variants file", []string{"validate", p("badvariants.conf")}, 1, "", ""},
		{"dump raw keeps tuples as arrays", []string{"dump", "--raw", p("tuple.conf")}, 0, `{
    "gather_method": "deps",
    "pkgset_koji_tag": "f40",
    "pkgset_source": "koji",
    "release_name": "Test",
    "release_short": "test",
    "release_version": "1",
    "sigkeys": [
        "ABC",
        null
    ],
    "variants_file": "variants.xml"
}
`, ""},
		{"dump with validation error", []string{"dump", p("bad.conf")}, 1, "",
			"bad.conf:8:1: error: Failed validation in check_deps: 'yes' is not of type 'boolean'\n"},
		{"dump syntax error", []string{"dump", "--raw", p("syntax.conf")}, 2, "",
			"pungo config dump: syntax.conf:1:5: '[' was never closed\n"},
		{"no file", []string{"validate"}, 2, "", "pungo config validate: want exactly one config file, got 0 arguments (see pungo config -h)\n"},
		{"multi takes one file", []string{"dump", "--multi", p("out"), p("ok.conf"), p("ok.conf")}, 2, "", "pungo config dump: --multi takes exactly one multi-config, got 2\n"},
		{"freeze-event neither ID nor compose", []string{"dump", "--freeze-event", p("ok.conf"), p("ok.conf")}, 2, "",
			"pungo config dump: --freeze-event ok.conf: neither an event ID nor a compose with a readable work/global/koji-event\n"},
		{"unknown subcommand", []string{"frob"}, 2, "", "pungo config: unknown subcommand \"frob\" (want validate or dump)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runConfigCaptured(t, tt.args...)
			out, errOut = rel(out), rel(errOut)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stdout %q, stderr %q)", code, tt.code, out, errOut)
			}
			if tt.name == "broken variants file" {
				if !strings.HasPrefix(out, "broken.xml:2: error: ") {
					t.Errorf("stdout %q: want a broken.xml:2 error", out)
				}
				return
			}
			if out != tt.out {
				t.Errorf("stdout\n got: %q\nwant: %q", out, tt.out)
			}
			if errOut != tt.err {
				t.Errorf("stderr\n got: %q\nwant: %q", errOut, tt.err)
			}
		})
	}

	// A .pungi-config-validate.json next to the config gives template
	// variables their values, as pungi-config-validate does; they are
	// dropped after reading since they are not Pungi options.
	tdir := writeFiles(t, map[string]string{
		"tmpl.conf":                   strings.Replace(cliMinimal, `release_version = "1"`, `release_version = version_from_template`, 1),
		"variants.xml":                cliVariants,
		".pungi-config-validate.json": `{"version_from_template": "42"}`,
	})
	if code, out, errOut := runConfigCaptured(t, "validate", filepath.Join(tdir, "tmpl.conf")); code != 0 {
		t.Errorf("template with defaults file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if code, _, errOut := runConfigCaptured(t, "dump", "--raw", filepath.Join(tdir, "tmpl.conf")); code != 2 ||
		!strings.Contains(errOut, `undefined variable "version_from_template"`) {
		t.Errorf("dump without defaults file: exit %d, stderr %q", code, errOut)
	}
	if code, out, _ := runConfigCaptured(t, "dump", "--raw", "-e", `version_from_template=7`, filepath.Join(tdir, "tmpl.conf")); code != 0 ||
		!strings.Contains(out, `"release_version": "7"`) || strings.Contains(out, "version_from_template") {
		t.Errorf("dump with -e template value: exit %d, stdout %q", code, out)
	}

	// dump fills defaults, nested ones too.
	code, out, _ := runConfigCaptured(t, "dump", p("ok.conf"))
	if code != 0 {
		t.Fatalf("dump: exit %d", code)
	}
	for _, want := range []string{`"createrepo_num_workers": 3,`, `"release_type": "ga",`, `"sigkeys": [
        null
    ],`, `"gather_method": "deps",`} {
		if !strings.Contains(out, want) {
			t.Errorf("dump output lacks %s", want)
		}
	}
}
