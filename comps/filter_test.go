package comps

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/internal/glob"
)

// base is a comps document exercising every filter rule.
const base = `<comps>
  <group>
    <id>core</id>
    <name>Core</name>
    <name xml:lang="de">Kern</name>
    <packagelist>
      <packagereq type="mandatory">bash</packagereq>
      <packagereq type="mandatory" arch="x86_64,aarch64">grub2</packagereq>
      <packagereq type="mandatory" arch="ppc64le s390x">powerpc-utils</packagereq>
      <packagereq type="default" variant="Server">srv</packagereq>
      <packagereq type="default" variant="Server,Workstation" arch="x86_64">both</packagereq>
    </packagelist>
  </group>
  <group arch="s390x">
    <id>s390</id>
    <packagelist><packagereq type="mandatory">s390utils</packagereq></packagelist>
  </group>
  <group variant="Workstation">
    <id>ws</id>
    <packagelist><packagereq type="mandatory">gnome</packagereq></packagelist>
  </group>
  <group>
    <id>onlyppc</id>
    <packagelist><packagereq type="mandatory" arch="ppc64le">ppc-thing</packagereq></packagelist>
  </group>
  <group>
    <id>conflicts-server</id>
    <packagelist/>
  </group>
  <category>
    <id>cat</id>
    <name>Cat</name>
    <name xml:lang="de">Katze</name>
    <grouplist>
      <groupid>core</groupid>
      <groupid>s390</groupid>
      <groupid>ghost</groupid>
    </grouplist>
  </category>
  <category>
    <id>ppc-cat</id>
    <grouplist><groupid>onlyppc</groupid></grouplist>
  </category>
  <environment>
    <id>env</id>
    <grouplist>
      <groupid>core</groupid>
      <groupid>parent-group</groupid>
      <groupid>phantom</groupid>
    </grouplist>
    <optionlist><groupid>nowhere</groupid></optionlist>
  </environment>
  <environment arch="aarch64">
    <id>arm-env</id>
    <grouplist><groupid>core</groupid></grouplist>
  </environment>
  <environment variant="Workstation">
    <id>ws-env</id>
    <grouplist><groupid>ws</groupid></grouplist>
  </environment>
  <environment>
    <id>ppc-env</id>
    <grouplist><groupid>onlyppc</groupid></grouplist>
  </environment>
  <langpacks><match name="a" install="a-%s"/></langpacks>
</comps>`

// summary renders the parts of a document the filter rules touch.
func summary(c *Comps) string {
	var b strings.Builder
	for _, g := range c.Groups {
		fmt.Fprintf(&b, "group %s", g.ID)
		if g.Arch != "" || g.Variant != "" {
			fmt.Fprintf(&b, "[arch=%s variant=%s]", g.Arch, g.Variant)
		}
		b.WriteString(":")
		for _, p := range g.Packages {
			fmt.Fprintf(&b, " %s", p.Name)
			if p.Arch != "" || p.Variant != "" {
				fmt.Fprintf(&b, "[arch=%s variant=%s]", p.Arch, p.Variant)
			}
		}
		if len(g.NameByLang) > 0 {
			fmt.Fprintf(&b, " (%d translations)", len(g.NameByLang))
		}
		b.WriteString("\n")
	}
	for _, cat := range c.Categories {
		fmt.Fprintf(&b, "category %s: %s\n", cat.ID, refNames(cat.Groups))
	}
	for _, e := range c.Environments {
		fmt.Fprintf(&b, "environment %s: %s | %s\n", e.ID, refNames(e.Groups), refNames(e.Options))
	}
	for _, lp := range c.Langpacks {
		fmt.Fprintf(&b, "langpack %s\n", lp.Name)
	}
	return b.String()
}

func refNames(refs []GroupRef) string {
	var n []string
	for _, r := range refs {
		n = append(n, r.Name)
	}
	return strings.Join(n, " ")
}

func mustParse(t *testing.T, doc string) *Comps {
	t.Helper()
	c, err := ParseBytes([]byte(doc), "in.xml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		opts  FilterOptions
		want  string
		diags []string
	}{
		{
			name: "x86_64 with cleanup",
			opts: FilterOptions{Arch: "x86_64"},
			want: `group core: bash grub2 srv[arch= variant=Server] both[arch= variant=Server,Workstation] (1 translations)
group ws[arch= variant=Workstation]: gnome
category cat: core
environment env: core | nowhere
environment ws-env: ws | 
langpack a
`,
			diags: []string{
				"in.xml:37: category cat names group ghost, which no group defines; removed",
				"in.xml:48: environment env names group parent-group, which no group defines; removed",
				"in.xml:49: environment env names group phantom, which no group defines; removed",
			},
		},
		{
			name: "space separated arches, ppc64le",
			opts: FilterOptions{Arch: "ppc64le"},
			want: `group core: bash powerpc-utils srv[arch= variant=Server] (1 translations)
group ws[arch= variant=Workstation]: gnome
group onlyppc: ppc-thing
category cat: core
category ppc-cat: onlyppc
environment env: core | nowhere
environment ws-env: ws | 
environment ppc-env: onlyppc | 
langpack a
`,
			diags: []string{
				"in.xml:37: category cat names group ghost, which no group defines; removed",
				"in.xml:48: environment env names group parent-group, which no group defines; removed",
				"in.xml:49: environment env names group phantom, which no group defines; removed",
			},
		},
		{
			name: "group and environment arch attributes",
			opts: FilterOptions{Arch: "s390x", NoCleanup: true},
			want: `group core: bash powerpc-utils srv[arch= variant=Server] (1 translations)
group s390: s390utils
group ws[arch= variant=Workstation]: gnome
group onlyppc:
group conflicts-server:
category cat: core s390 ghost
category ppc-cat: onlyppc
environment env: core parent-group phantom | nowhere
environment ws-env: ws | 
environment ppc-env: onlyppc | 
langpack a
`,
		},
		{
			name: "arch-only flags drop elements without the attribute",
			opts: FilterOptions{Arch: "aarch64", ArchOnlyPackages: true, ArchOnlyGroups: true, ArchOnlyEnvironments: true, NoCleanup: true},
			want: `category cat: core s390 ghost
category ppc-cat: onlyppc
environment arm-env: core | 
langpack a
`,
		},
		{
			name: "arch-only packages keeps groups, cleanup empties them",
			opts: FilterOptions{Arch: "aarch64", ArchOnlyPackages: true, KeepEmptyGroups: []string{"conflicts-*"}, LookasideGroups: []string{"ghost"}},
			want: `group core: grub2 (1 translations)
group conflicts-server:
category cat: core
environment env: core | nowhere
environment arm-env: core | 
langpack a
`,
			diags: []string{
				"in.xml:37: category cat names group ghost, which no group defines; removed",
				"in.xml:48: environment env names group parent-group, which no group defines; removed",
				"in.xml:49: environment env names group phantom, which no group defines; removed",
			},
		},
		{
			name: "variant filter",
			opts: FilterOptions{Arch: "x86_64", Variant: "Server", KeepEmptyGroups: []string{"conflicts-server"}},
			want: `group core: bash grub2 srv both (1 translations)
group conflicts-server:
category cat: core
environment env: core | nowhere
langpack a
`,
			diags: []string{
				"in.xml:37: category cat names group ghost, which no group defines; removed",
				"in.xml:48: environment env names group parent-group, which no group defines; removed",
				"in.xml:49: environment env names group phantom, which no group defines; removed",
			},
		},
		{
			name: "variant filter with arch-only drops unmarked elements too (Pungi quirk)",
			opts: FilterOptions{Arch: "x86_64", Variant: "Workstation", ArchOnlyPackages: true, NoCleanup: true},
			want: `group core: both (1 translations)
group ws:
group onlyppc:
group conflicts-server:
category cat: core s390 ghost
category ppc-cat: onlyppc
environment env: core parent-group phantom | nowhere
environment ws-env: ws | 
environment ppc-env: onlyppc | 
langpack a
`,
		},
		{
			name: "lookaside groups count in environments only",
			opts: FilterOptions{Arch: "x86_64", LookasideGroups: []string{"parent-group", "ghost"}},
			want: `group core: bash grub2 srv[arch= variant=Server] both[arch= variant=Server,Workstation] (1 translations)
group ws[arch= variant=Workstation]: gnome
category cat: core
environment env: core parent-group | nowhere
environment ws-env: ws | 
langpack a
`,
			diags: []string{
				"in.xml:37: category cat names group ghost, which no group defines; removed",
				"in.xml:49: environment env names group phantom, which no group defines; removed",
			},
		},
		{
			name: "remove options",
			opts: FilterOptions{Arch: "x86_64", RemoveCategories: true, RemoveLangpacks: true, RemoveTranslations: true, RemoveEnvironments: true, NoCleanup: true},
			want: `group core: bash grub2 srv[arch= variant=Server] both[arch= variant=Server,Workstation]
group ws[arch= variant=Workstation]: gnome
group onlyppc:
group conflicts-server:
`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustParse(t, base)
			diags := c.Filter(tc.opts)
			if got := summary(c); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			var ds []string
			for _, d := range diags {
				ds = append(ds, d.String())
			}
			if !reflect.DeepEqual(ds, tc.diags) {
				t.Errorf("diagnostics\n got %q\nwant %q", ds, tc.diags)
			}
			roundTrip(t, c)
		})
	}
}

func TestCategoryEmptiedByArchFilterIsRemoved(t *testing.T) {
	c := mustParse(t, base)
	c.Filter(FilterOptions{Arch: "x86_64"})
	if c.Category("ppc-cat") != nil {
		t.Fatal("ppc-cat kept although its only group was filtered out")
	}
	if c.Environment("ppc-env") != nil {
		t.Fatal("ppc-env kept although its only group was filtered out")
	}
}

func boolp(b bool) *bool { return &b }

func TestFilterForVariant(t *testing.T) {
	const doc = `<comps>
  <group><id>core</id><default>false</default><uservisible>true</uservisible>
    <packagelist><packagereq type="optional">zsh</packagereq><packagereq type="mandatory">bash</packagereq>
    <packagereq type="conditional" requires="x">x-extra</packagereq><packagereq type="default">acl</packagereq><packagereq>aaa-untyped</packagereq></packagelist></group>
  <group><id>server-product</id><packagelist><packagereq type="mandatory">srv</packagereq></packagelist></group>
  <group><id>server-web</id><packagelist><packagereq type="mandatory">httpd</packagereq></packagelist></group>
  <group><id>desktop</id><packagelist><packagereq type="mandatory">gnome</packagereq></packagelist></group>
  <group><id>conflicts-server</id></group>
  <group><id>conflicts-workstation</id></group>
  <group><id>conflicts</id></group>
  <category><id>c2</id><grouplist><groupid>desktop</groupid><groupid>server-web</groupid><groupid>core</groupid></grouplist></category>
  <category><id>c1</id><grouplist><groupid>desktop</groupid></grouplist></category>
  <environment><id>z-server</id><display_order>3</display_order><grouplist><groupid>server-web</groupid><groupid>core</groupid><groupid>base-from-parent</groupid></grouplist></environment>
  <environment><id>a-desktop</id><display_order>1</display_order><grouplist><groupid>desktop</groupid></grouplist></environment>
  <langpacks><match name="z" install="z-%s"/><match name="a" install="a-%s"/></langpacks>
</comps>`
	for _, tc := range []struct {
		name      string
		f         VariantFilter
		want      string
		unmatched []string
		envs      []EnvironmentInfo
	}{
		{
			name: "listed groups with glob and overrides",
			f: VariantFilter{Arch: "x86_64", VariantUID: "Server", VariantType: "variant", FilterEnvironments: true,
				Groups: []VariantGroup{
					{Name: "core", Default: boolp(true), UserVisible: boolp(false)},
					{Name: "server-*", Glob: true},
					{Name: "core"}, // later entries never override an earlier match
					{Name: "missing"},
					{Name: "nomatch-*", Glob: true},
				},
				Environments:    []VariantEnvironment{{Name: "z-server", DisplayOrder: intp(10)}, {Name: "gone"}},
				LookasideGroups: []string{"base-from-parent"},
			},
			want: `group core: default=true uservisible=false aaa-untyped/mandatory bash/mandatory acl/default zsh/optional x-extra/conditional
group server-product: default=false uservisible=true srv/mandatory
group server-web: default=false uservisible=true httpd/mandatory
category c2: core server-web
environment z-server (order 10): base-from-parent core server-web
langpacks: a z
`,
			unmatched: []string{"missing", "nomatch-*"},
			envs:      []EnvironmentInfo{{Name: "z-server", DisplayOrder: intp(10), Groups: []string{"server-web", "core", "base-from-parent"}}},
		},
		{
			name: "base variant without groups keeps everything",
			f:    VariantFilter{Arch: "x86_64", VariantUID: "Everything", VariantType: "variant", FilterEnvironments: true},
			want: `group conflicts: default=false uservisible=true
group core: default=false uservisible=true aaa-untyped/mandatory bash/mandatory acl/default zsh/optional x-extra/conditional
group desktop: default=false uservisible=true gnome/mandatory
group server-product: default=false uservisible=true srv/mandatory
group server-web: default=false uservisible=true httpd/mandatory
category c2: core desktop server-web
category c1: desktop
environment a-desktop (order 1): desktop
environment z-server (order 3): core server-web
langpacks: a z
`,
		},
		{
			// Environments stay (nothing listed, so nothing filtered) and
			// keep naming groups this comps lacks, as in Pungi.
			name: "addon without groups gets none",
			f:    VariantFilter{Arch: "x86_64", VariantUID: "Server-HA", VariantType: "addon", FilterEnvironments: true},
			want: `environment a-desktop (order 1): desktop
environment z-server (order 3): core server-web
langpacks: a z
`,
		},
		{
			name: "modular variant without groups gets none but environments stay",
			f:    VariantFilter{Arch: "x86_64", VariantUID: "Workstation", VariantType: "variant", Modular: true, FilterEnvironments: true},
			want: `environment a-desktop (order 1): desktop
environment z-server (order 3): core server-web
langpacks: a z
`,
		},
		{
			name: "comps_filter_environments off keeps all environments",
			f: VariantFilter{Arch: "x86_64", VariantUID: "Workstation", VariantType: "variant",
				Groups: []VariantGroup{{Name: "desktop"}}, Environments: []VariantEnvironment{{Name: "a-desktop"}}},
			want: `group desktop: default=false uservisible=true gnome/mandatory
category c2: desktop
category c1: desktop
environment a-desktop (order 1): desktop
environment z-server (order 3): core server-web
langpacks: a z
`,
		},
		{
			name: "environment display order comes from comps when the variant has none",
			f: VariantFilter{Arch: "x86_64", VariantUID: "Workstation", VariantType: "variant", FilterEnvironments: true,
				Groups: []VariantGroup{{Name: "desktop"}}, Environments: []VariantEnvironment{{Name: "a-desktop"}}},
			want: `group desktop: default=false uservisible=true gnome/mandatory
category c2: desktop
category c1: desktop
environment a-desktop (order 1): desktop
langpacks: a z
`,
			envs: []EnvironmentInfo{{Name: "a-desktop", DisplayOrder: intp(1), Groups: []string{"desktop"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			global := mustParse(t, doc)
			before := string(global.Bytes())
			c, res := FilterForVariant(global, tc.f)
			if string(global.Bytes()) != before {
				t.Fatal("FilterForVariant modified its input")
			}
			if got := variantSummary(c); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if !reflect.DeepEqual(res.UnmatchedGroups, tc.unmatched) {
				t.Errorf("unmatched %q, want %q", res.UnmatchedGroups, tc.unmatched)
			}
			if !reflect.DeepEqual(res.Environments, tc.envs) {
				t.Errorf("environments %+v, want %+v", res.Environments, tc.envs)
			}
			roundTrip(t, c)
		})
	}
}

func variantSummary(c *Comps) string {
	var b strings.Builder
	for _, g := range c.Groups {
		fmt.Fprintf(&b, "group %s: default=%v uservisible=%v", g.ID, g.Default, g.UserVisible)
		for _, p := range g.Packages {
			fmt.Fprintf(&b, " %s/%s", p.Name, p.Type)
		}
		b.WriteString("\n")
	}
	for _, cat := range c.Categories {
		fmt.Fprintf(&b, "category %s: %s\n", cat.ID, refNames(cat.Groups))
	}
	for _, e := range c.Environments {
		fmt.Fprintf(&b, "environment %s (order %d): %s\n", e.ID, *e.DisplayOrder, refNames(e.Groups))
	}
	var lps []string
	for _, lp := range c.Langpacks {
		lps = append(lps, lp.Name)
	}
	fmt.Fprintf(&b, "langpacks: %s\n", strings.Join(lps, " "))
	return b.String()
}

func TestUnmatchedMessages(t *testing.T) {
	r := &VariantResult{UnmatchedGroups: []string{"x"}}
	got := r.UnmatchedMessages("Server", "x86_64")
	want := []string{"Variant Server.x86_64 requires comps group x which does not match anything in input comps file"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q", got)
	}
}

func TestFnmatch(t *testing.T) {
	for _, tc := range []struct {
		name, pat string
		want      bool
	}{
		{"server-web", "server-*", true},
		{"server", "server-*", false},
		{"a/b", "a*", true},
		{"core", "c?re", true},
		{"core", "c[aeiou]re", true},
		{"core", "c[!o]re", false},
		{"cxre", "c[!o]re", true},
		{"c[re", "c[re", true},
		{"a.b", "a.b", true},
		{"axb", "a.b", false},
		{"x]", "[]]*", false},
		{"]x", "[]]*", true},
		{"a-b", "a[a-c-]b", true},
		{"Core", "core", false},
		{"a^", "a[^]", true},
		{"", "*", true},
	} {
		if got := glob.Python(tc.pat, tc.name); got != tc.want {
			t.Errorf("glob.Python(%q, %q) = %v, want %v", tc.pat, tc.name, got, tc.want)
		}
	}
}

func TestValidate(t *testing.T) {
	doc := `<comps>
<group><id>a</id><packagelist>
<packagereq type="mandatory">x</packagereq>
<packagereq type="mandatory">x</packagereq>
<packagereq>notype</packagereq>
<packagereq type="weird">w</packagereq>
<packagereq type="conditional">c</packagereq>
<packagereq type="default" requires="y">d</packagereq>
<packagereq type="mandatory">sp </packagereq>
</packagelist></group>
<group><id>a</id></group>
<category><id>cat</id><grouplist><groupid>a</groupid>
<groupid>nobody</groupid></grouplist></category>
<environment><id>e</id><grouplist><groupid>a</groupid></grouplist>
<optionlist><groupid>ghost</groupid></optionlist></environment>
<langpacks><match name="l" install="l-%s"/>
<match name="l" install="l2-%s"/></langpacks>
</comps>`
	c := mustParse(t, doc)
	errs, warns := c.Validate()
	render := func(ds []Diagnostic) []string {
		var out []string
		for _, d := range ds {
			out = append(out, d.String())
		}
		sort.Strings(out)
		return out
	}
	wantErrs := []string{
		`in.xml:11: group a defined again (first at line 2)`,
		`in.xml:13: category cat names group nobody, which no group defines`,
		`in.xml:6: group a: package w has unknown type "weird" (want mandatory, default, optional or conditional)`,
		`in.xml:7: group a: conditional package c has no requires attribute`,
		`in.xml:9: package name "sp" in group a has leading or trailing whitespace`,
	}
	wantWarns := []string{
		`in.xml:15: environment e offers group ghost, which no group of this file defines`,
		`in.xml:17: langpack l listed again (first at line 16); the last one wins`,
		`in.xml:4: group a lists package x twice`,
		`in.xml:5: group a: package notype has no type (taken as mandatory)`,
		`in.xml:8: group a: package d has requires="y" but is not conditional`,
	}
	if got := render(errs); !reflect.DeepEqual(got, wantErrs) {
		t.Errorf("errors\n got %q\nwant %q", got, wantErrs)
	}
	if got := render(warns); !reflect.DeepEqual(got, wantWarns) {
		t.Errorf("warnings\n got %q\nwant %q", got, wantWarns)
	}
}

func TestRealCompsFilterPerArch(t *testing.T) {
	for _, repo := range []string{"cs9-baseos", "cs9-appstream"} {
		c := realComps(t, repo)
		for _, arch := range []string{"x86_64", "aarch64"} {
			f := c.Clone()
			f.Filter(FilterOptions{Arch: arch})
			errs, _ := f.Validate()
			if len(errs) != 0 {
				t.Errorf("%s %s: filtered comps invalid: %v", repo, arch, errs)
			}
			if len(f.Groups) == 0 {
				t.Errorf("%s %s: no groups left", repo, arch)
			}
			roundTrip(t, f)
		}
	}
}

func TestNormalize(t *testing.T) {
	c := mustParse(t, `<comps>
<group><id>b</id><name>B</name><name xml:lang="fr">Bf</name><name xml:lang="de">Bd</name>
<packagelist><packagereq type="optional">z</packagereq><packagereq type="weird">w</packagereq><packagereq type="mandatory">y</packagereq><packagereq>x</packagereq></packagelist></group>
<group><id>a</id><packagelist><packagereq type="mandatory">a</packagereq></packagelist></group>
<category><id>c</id><description></description><description xml:lang="de">D</description><grouplist><groupid>b</groupid><groupid>a</groupid><groupid>b</groupid><groupid>gone</groupid></grouplist></category>
<category><id>empty</id><grouplist><groupid>gone</groupid></grouplist></category>
<environment><id>z</id><description>kept</description><grouplist><groupid>b</groupid><groupid>elsewhere</groupid></grouplist><optionlist><groupid>b</groupid><groupid>a</groupid></optionlist></environment>
<environment><id>y</id><optionlist><groupid>a</groupid></optionlist></environment>
<langpacks><match name="m" install="m1-%s"/><match name="a" install="a-%s"/><match name="m" install="m2-%s"/></langpacks>
</comps>`)
	c.Normalize()
	got := string(c.Bytes())
	for _, want := range []string{
		"<group>\n    <id>a</id>\n    <name/>\n    <description/>",
		`<name xml:lang="de">Bd</name>
    <name xml:lang="fr">Bf</name>`,
		`<packagereq type="mandatory">x</packagereq>
      <packagereq type="mandatory">y</packagereq>
      <packagereq type="optional">z</packagereq>
      <packagereq type="weird">w</packagereq>`,
		`<category>
    <id>c</id>
    <name/>
    <grouplist>
      <groupid>a</groupid>
      <groupid>b</groupid>
    </grouplist>`,
		`<environment>
    <id>z</id>
    <name/>
    <description>kept</description>
    <grouplist>
      <groupid>b</groupid>
      <groupid>elsewhere</groupid>
    </grouplist>
    <optionlist>
      <groupid>a</groupid>
      <groupid>b</groupid>
    </optionlist>`,
		`<match name="a" install="a-%s"/>
    <match name="m" install="m2-%s"/>
  </langpacks>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("normalized output lacks\n%s\n--- output:\n%s", want, got)
		}
	}
	for _, absent := range []string{"<id>empty</id>", "<id>y</id>", `xml:lang="de">D<`} {
		if strings.Contains(got, absent) {
			t.Errorf("normalized output still has %s", absent)
		}
	}
}

// The init phase filters one global comps for many variant.arch pairs at
// once; under -race this shows FilterForVariant only reads its input.
func TestFilterForVariantConcurrent(t *testing.T) {
	global := mustParse(t, base)
	want := string(global.Bytes())
	done := make(chan string)
	for _, arch := range []string{"x86_64", "aarch64", "ppc64le", "s390x"} {
		go func() {
			c, _ := FilterForVariant(global, VariantFilter{Arch: arch, VariantUID: "Server", VariantType: "variant",
				Groups: []VariantGroup{{Name: "c*", Glob: true}}, FilterEnvironments: true})
			done <- string(c.Bytes())
		}()
	}
	for range 4 {
		<-done
	}
	if string(global.Bytes()) != want {
		t.Fatal("global comps changed")
	}
}

func TestBlankFilterAttributes(t *testing.T) {
	c := mustParse(t, `<comps>
<group><id>g</id><packagelist><packagereq type="mandatory" arch="">blank-arch</packagereq>
<packagereq type="mandatory" variant="">blank-variant</packagereq><packagereq type="mandatory">plain</packagereq></packagelist></group>
<group arch=""><id>blank-group</id><packagelist><packagereq type="mandatory">x</packagereq></packagelist></group>
</comps>`)
	roundTrip(t, c)
	if !strings.Contains(string(c.Bytes()), `<packagereq type="mandatory" variant="">blank-variant</packagereq>`) {
		t.Fatalf("blank variant attribute not written back:\n%s", c.Bytes())
	}
	noVariant := c.Clone()
	noVariant.Filter(FilterOptions{Arch: "x86_64", NoCleanup: true})
	if got := summary(noVariant); got != "group g: blank-variant plain\n" {
		t.Errorf("arch filter: %q", got)
	}
	c.Filter(FilterOptions{Arch: "x86_64", Variant: "Server", NoCleanup: true})
	if got := summary(c); got != "group g: plain\n" {
		t.Errorf("arch+variant filter: %q", got)
	}
}

// TestFilterUnfilteredAttributes: comps_filter keeps attributes it does not
// filter (a category's arch is neither applied nor removed), filters the
// arch-marked <groupid>s of environments in its cleanup (keeping the
// attribute on those that stay), and the variant comps, written as
// libcomps models them, carry neither.
func TestFilterUnfilteredAttributes(t *testing.T) {
	const doc = `<comps>
  <group><id>core</id><packagelist><packagereq type="mandatory">bash</packagereq></packagelist></group>
  <group><id>std</id><packagelist><packagereq type="mandatory">vim</packagereq></packagelist></group>
  <category arch="s390x" x-note="kept"><id>cat</id><grouplist><groupid arch="s390x">core</groupid></grouplist></category>
  <environment><id>env</id>
    <grouplist><groupid>core</groupid><groupid arch="x86_64">std</groupid></grouplist>
    <optionlist><groupid arch="s390x, ppc64le">std</groupid></optionlist>
  </environment>
</comps>`
	for _, tc := range []struct {
		name    string
		run     func(c *Comps) *Comps
		want    []string
		notWant []string
	}{
		{"x86_64", func(c *Comps) *Comps { c.Filter(FilterOptions{Arch: "x86_64"}); return c },
			[]string{`<category arch="s390x" x-note="kept">`, `<groupid arch="s390x">core</groupid>`, `<groupid arch="x86_64">std</groupid>`, "<optionlist/>"},
			[]string{"<optionlist>"}},
		{"s390x", func(c *Comps) *Comps { c.Filter(FilterOptions{Arch: "s390x"}); return c },
			[]string{`<category arch="s390x" x-note="kept">`, `<groupid arch="s390x, ppc64le">std</groupid>`},
			[]string{`<groupid arch="x86_64">`}},
		{"no cleanup leaves group references alone", func(c *Comps) *Comps { c.Filter(FilterOptions{Arch: "s390x", NoCleanup: true}); return c },
			[]string{`<groupid arch="x86_64">std</groupid>`, `<groupid arch="s390x, ppc64le">std</groupid>`}, nil},
		{"variant comps", func(c *Comps) *Comps {
			v, _ := FilterForVariant(c, VariantFilter{Arch: "x86_64", VariantUID: "Server", VariantType: "variant"})
			return v
		}, []string{"<category>", "<groupid>std</groupid>"}, []string{"arch=", "x-note", "<optionlist"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := string(tc.run(mustParse(t, doc)).Bytes())
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %s in\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out, w) {
					t.Errorf("unexpected %s in\n%s", w, out)
				}
			}
		})
	}
}
