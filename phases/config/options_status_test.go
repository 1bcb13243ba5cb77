package config

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// notReading are files that name options without implementing them: the
// schema and validation here, and lists of option names kept for other
// purposes elsewhere. A name found only in these does not count as read.
var notReading = map[string]bool{
	"phases/config/options.go": true, "phases/config/options_status.go": true,
	"phases/config/validate.go": true, "phases/config/validate_schema.go": true, "phases/config/validate_deps.go": true,
	"phases/config/validate_phases.go": true, "phases/config/schemajson.go": true,
	"phases/config/dump.go": true, "phases/config/doc.go": true,
}

// fallbackCalls are imagetasks' helpers that read <phase>_<key> and
// global_<key> (Pungi's ImageConfigMixin): for each, the index of the
// phase argument and of the key argument, or the fixed key.
var fallbackCalls = map[string]struct {
	phaseArg, keyArg int
	key              string
}{
	"config": {1, 3, ""}, "configStr": {1, 3, ""},
	"Release": {1, -1, "release"}, "Version": {1, -1, "version"}, "KSURL": {2, -1, "ksurl"},
}

// sourceLiterals returns the string literals of the module's non-test Go
// code (outside notReading and testdata) and the options read through
// the phase/global fallback helpers.
func sourceLiterals(t *testing.T) (map[string][]string, map[string]bool) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	lits := map[string][]string{}
	fallback := map[string]bool{}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			// Test helpers (kojitest, imgtest, createrepotest, …) read no
			// compose options.
			if rel != "." && (d.Name() == "testdata" || d.Name() == "bench" || strings.HasSuffix(d.Name(), "test") || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") || notReading[filepath.ToSlash(rel)] {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.BasicLit:
				if x.Kind == token.STRING {
					if s, err := strconv.Unquote(x.Value); err == nil {
						lits[s] = append(lits[s], rel)
					}
				}
			case *ast.CallExpr:
				id, ok := x.Fun.(*ast.Ident)
				if !ok {
					return true
				}
				fc, ok := fallbackCalls[id.Name]
				if !ok || len(x.Args) <= fc.phaseArg || (fc.keyArg >= 0 && len(x.Args) <= fc.keyArg) {
					return true
				}
				lit := func(e ast.Expr) string {
					if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
						s, _ := strconv.Unquote(b.Value)
						return s
					}
					return ""
				}
				phase, key := lit(x.Args[fc.phaseArg]), fc.key
				if fc.keyArg >= 0 {
					key = lit(x.Args[fc.keyArg])
				}
				if phase != "" && key != "" {
					fallback[phase+"_"+key] = true
					fallback["global_"+key] = true
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return lits, fallback
}

// mentionsOnly are code files that name options they do not implement:
// the phases' own lists of options they warn about (kept until their
// owners fold them into Unimplemented) and createiso's reuse check, which
// compares option values between composes.
var mentionsOnly = map[string][]string{
	"phases/createrepo/createrepo.go": {"createrepo_extra_modulemd"},
	"phases/createiso/reuse.go":       nil, // every name
}

// readBeyond says whether name is in some file other than the mentions.
func readBeyond(files []string, name string) bool {
	for _, f := range files {
		names, ok := mentionsOnly[filepath.ToSlash(f)]
		if !ok || (names != nil && !slices.Contains(names, name)) {
			return true
		}
	}
	return false
}

// othersImplementing are the options other developers are implementing
// now. Until their code reads an option, Unimplemented must warn about
// it under their name; then they remove the entry.
var othersImplementing = map[string][]string{
	"modules": {"pkgset_koji_module_tag", "pkgset_koji_inherit_modules", "pkgset_koji_module_builds",
		"pkgset_scratch_modules", "filter_modules", "module_defaults_dir", "module_defaults_override_dir",
		"module_obsoletes_dir", "mbs_api_url", "createrepo_extra_modulemd"},
	"koji": {"koji_cache", "signed_packages_retries", "signed_packages_wait", "pkgset_koji_scratch_tasks",
		"cts_url", "cts_keytab", "cts_oidc_token_url", "cts_oidc_client_id"},
	"zck": {"createrepo_extra_args"},
}

// TestEveryOptionIsReadOrWarned walks the whole schema: every top-level
// option pungo accepts is read by the code that implements it (its name
// in the code, or a <phase>_/global_ fallback the image phases read), or
// removed by Pungi (the schema warns), or listed in Unimplemented, which
// `config validate` reports. Nested keys of the block options (kiwibuild,
// osbuild, …) must appear in the code too.
func TestEveryOptionIsReadOrWarned(t *testing.T) {
	lits, fallback := sourceLiterals(t)
	read := func(name string) bool { return len(lits[name]) > 0 || fallback[name] }
	for _, o := range Options() {
		st, listed := Unimplemented[o.Name]
		switch {
		case o.Deprecated != "":
			if listed {
				t.Errorf("%s: removed by Pungi (the schema warns); drop it from Unimplemented", o.Name)
			}
		case listed:
			if st.Status != Equivalent && readBeyond(lits[o.Name], o.Name) {
				t.Errorf("%s is read by %v but Unimplemented still says it has no effect: remove the entry", o.Name, lits[o.Name])
			}
		case !read(o.Name):
			t.Errorf("option %s: no code reads it and Unimplemented does not list it; implement it or add it there with the reason", o.Name)
		case passedWhole[o.Name] != "":
		default:
			checkNested(t, o.Name, o.Node, lits, map[*Node]bool{})
		}
	}
	for name, st := range Unimplemented {
		o, ok := LookupOption(name)
		switch {
		case !ok:
			t.Errorf("Unimplemented lists %s, which is no option", name)
		case o.Deprecated != "":
			t.Errorf("Unimplemented lists %s, which Pungi removed", name)
		case st.Reason == "":
			t.Errorf("Unimplemented %s has no reason", name)
		case st.Owner != "" && othersImplementing[st.Owner] == nil:
			t.Errorf("Unimplemented %s: unknown owner %q", name, st.Owner)
		}
	}
	for owner, names := range othersImplementing {
		for _, n := range names {
			st, listed := Unimplemented[n]
			if listed && st.Owner != owner {
				t.Errorf("%s is being implemented by %s but Unimplemented names %q", n, owner, st.Owner)
			}
			if !listed && !read(n) {
				t.Errorf("%s (developer %s) was dropped from Unimplemented, but no code reads it", n, owner)
			}
		}
	}
}

// passedWhole are block keys whose value goes to a tool as it is, so
// their own keys need no code.
var passedWhole = map[string]string{
	"image_build.image-build": "every key is written into koji's image-build config file",
	"osbuild.upload_options":  "sent to Koji's osbuildImage as one struct",
	"osbuild.repo":            "a repository dict goes to Koji as a struct, its baseurl resolved",
	"osbs":                    "the keys the phase does not take go to buildContainer's opts, as in Pungi",
	"image_container":         "the keys the phase does not take go to buildContainer's opts, as in Pungi",
}

func keyListed(option, key string) bool {
	for _, k := range UnimplementedKeys {
		if k.Option == option && k.Key == key {
			return true
		}
	}
	return false
}

// checkNested requires the property names of an option's blocks to
// appear in the code.
func checkNested(t *testing.T, path string, n *Node, lits map[string][]string, seen map[*Node]bool) {
	if n == nil || seen[n] {
		return
	}
	seen[n] = true
	option, _, _ := strings.Cut(path, ".")
	for _, p := range n.Props {
		sub := path + "." + p.Name
		if passedWhole[sub] != "" {
			continue
		}
		if p.Node.Deprecated == "" && len(lits[p.Name]) == 0 && !keyListed(option, p.Name) {
			t.Errorf("%s: no code reads it and UnimplementedKeys does not list it", sub)
		}
		checkNested(t, sub, p.Node, lits, seen)
	}
	for _, p := range n.Patterns {
		checkNested(t, path, p.Node, lits, seen)
	}
	checkNested(t, path, n.Items, lits, seen)
	for _, x := range n.TupleItems {
		checkNested(t, path, x, lits, seen)
	}
	for _, x := range append(append([]*Node(nil), n.AnyOf...), n.OneOf...) {
		checkNested(t, path, x, lits, seen)
	}
}

// The warnings and errors `config validate` gives for Unimplemented
// options: only for a set, non-neutral value; Equivalent ones never.
func TestUnimplementedDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		body       string
		errs, warn []string
	}{
		{body: "gather_profiler = False\ncreaterepo_c = True\nimage_build_allow_reuse = False\n"},
		{body: "repoclosure_backend = 'dnf'\ncreaterepo_enable_cache = False\nbuildinstall_use_guestmount = False\n"},
		{body: "gather_profiler = True\n", warn: []string{"gather_profiler has no effect in pungo: pungo has no gather profiler"}},
		{body: "createrepo_c = False\n", errs: []string{"createrepo_c = False is not supported by pungo: pungo writes repositories as createrepo_c does"}},
		{body: "paths_module = 'my.paths'\n", errs: []string{"paths_module = 'my.paths' is not supported by pungo: pungo cannot load a Python module"}},
		{body: "kiwibuild_bundle_format = '%N-%v'\n", warn: []string{"kiwibuild_bundle_format has no effect in pungo: Pungi's kiwibuild phase does not read it"}},
		{body: "imagebuilder = {'^Server$': [{'name': 'I', 'types': ['container'], 'failable': ['*']}]}\n",
			warn: []string{"Key failable in imagebuilder has no effect in pungo: Pungi's imagebuilder phase treats every arch as required"}},
		{body: "live_media = {'^Server$': [{'name': 'L', 'kickstart': 'l.ks', 'ksversion': 'F40', 'repo': [{'baseurl': 'http://x/', 'enabled': '1'}]}]}\n",
			warn: []string{"Key enabled in live_media has no effect in pungo", "Key ksversion in live_media has no effect in pungo: Pungi passes it nowhere"}},
	} {
		c := mustLoad(t, minimalConf+tc.body)
		r := Check(c, ValidateOptions{SchemaOnly: true})
		check := func(what string, got []Diagnostic, want []string) {
			var msgs []string
			for _, d := range got {
				if strings.Contains(d.Msg, "in pungo") || strings.Contains(d.Msg, "by pungo") {
					msgs = append(msgs, d.Msg)
				}
			}
			sort.Strings(msgs)
			if len(msgs) != len(want) {
				t.Errorf("%q: %s %q, want %q", tc.body, what, msgs, want)
				return
			}
			for i := range want {
				if !strings.Contains(msgs[i], want[i]) {
					t.Errorf("%q: %s %q, want %q", tc.body, what, msgs[i], want[i])
				}
			}
		}
		check("errors", r.Errors, tc.errs)
		check("warnings", r.Warnings, tc.warn)
	}
}

// Runroot problems validation names beforehand.
func TestRunrootDiagnostics(t *testing.T) {
	for _, tc := range []struct {
		body string
		want []string
	}{
		{"", nil},
		{"runroot_tag = 'f40-build'\nkoji_profile = 'koji'\n", nil},
		{"runroot_tag = 'f40-build'\n", []string{"runroot in Koji (for buildinstall, createiso, extra_isos, ostree, ostree_installer, ostree_container) needs koji_profile"}},
		{"runroot_method = {'buildinstall': 'koji'}\nkoji_profile = 'koji'\n", []string{"runroot in Koji (for buildinstall) needs runroot_tag"}},
		{"runroot_method = {'createiso': 'local'}\nglobal_runroot_method = 'openssh'\n", []string{"runroot over ssh (for buildinstall, extra_isos, ostree, ostree_installer, ostree_container) needs runroot_ssh_hostnames"}},
	} {
		r := Check(mustLoad(t, minimalConf+tc.body), ValidateOptions{SchemaOnly: true})
		var got []string
		for _, w := range r.Warnings {
			if strings.HasPrefix(w.Msg, "runroot ") {
				got = append(got, w.Msg)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %q, want %q", tc.body, got, tc.want)
			continue
		}
		for i := range got {
			if !strings.Contains(got[i], tc.want[i]) {
				t.Errorf("%q: %q, want %q", tc.body, got[i], tc.want[i])
			}
		}
	}
}

const minimalConf = minimal

func mustLoad(t *testing.T, body string) *Config {
	t.Helper()
	c, err := Load(writeConfig(t, body), nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
