package comps

import (
	"bytes"
	"compress/gzip"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

func testdata(name string) string {
	return filepath.Join(toolcheck.ProjectRoot(), "testdata", "comps", name)
}

// stripLines zeroes the positions so that documents read from different
// texts compare equal.
func stripLines(c *Comps) *Comps {
	c = c.Clone()
	c.File = ""
	c.Warnings = nil
	for _, g := range c.Groups {
		g.Line = 0
		for i := range g.Packages {
			g.Packages[i].Line = 0
		}
		for i := range g.Other {
			g.Other[i].Line = 0
		}
	}
	for _, x := range c.Categories {
		x.Line = 0
		for i := range x.Groups {
			x.Groups[i].Line = 0
		}
		for i := range x.Other {
			x.Other[i].Line = 0
		}
	}
	for _, e := range c.Environments {
		e.Line = 0
		for i := range e.Groups {
			e.Groups[i].Line = 0
		}
		for i := range e.Options {
			e.Options[i].Line = 0
		}
		for i := range e.Other {
			e.Other[i].Line = 0
		}
	}
	for i := range c.Langpacks {
		c.Langpacks[i].Line = 0
	}
	for i := range c.Blacklist {
		c.Blacklist[i].Line = 0
	}
	for i := range c.Whiteout {
		c.Whiteout[i].Line = 0
	}
	for i := range c.Other {
		c.Other[i].Line = 0
	}
	return c
}

func roundTrip(t *testing.T, c *Comps) {
	t.Helper()
	out := c.Bytes()
	back, err := ParseBytes(out, "rewritten")
	if err != nil {
		t.Fatalf("re-reading written comps: %v\n%s", err, out)
	}
	if !reflect.DeepEqual(stripLines(c), stripLines(back)) {
		t.Fatalf("round trip changed the document:\nbefore %+v\nafter  %+v", stripLines(c), stripLines(back))
	}
	if again := back.Bytes(); !bytes.Equal(out, again) {
		t.Fatalf("writing is not stable:\n%s\n---\n%s", out, again)
	}
}

func TestParseFull(t *testing.T) {
	c, err := ParseFile(testdata("full.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Warnings) != 0 {
		t.Errorf("warnings: %v", c.Warnings)
	}
	core := c.Group("core")
	if core == nil {
		t.Fatal("group core missing")
	}
	want := &Group{
		ID: "core", Name: "Core",
		NameByLang:        []Translation{{"de", "Kern"}, {"fr", "Noyau"}},
		Description:       "Smallest possible installation",
		DescriptionByLang: []Translation{{"de", "Kleinste mögliche Installation & mehr"}},
		HasDescription:    true,
		Default:           true, UserVisible: false,
		DisplayOrder: intp(5),
		Packages: []PackageReq{
			{Name: "bash", Type: "mandatory", Line: 15},
			{Name: "grub2-tools", Type: "mandatory", Arch: "x86_64,aarch64", Line: 16},
			{Name: "s390utils", Type: "mandatory", Arch: "s390x", Line: 17},
			{Name: "server-only", Type: "default", Variant: "Server", Line: 18},
			{Name: "glibc-devel", Type: "optional", BaseArchOnly: true, Line: 19},
			{Name: "gnome-shell-extension", Type: "conditional", Requires: "gnome-shell", Line: 20},
		},
		Line: 4,
	}
	if !reflect.DeepEqual(core, want) {
		t.Errorf("core:\n got %+v\nwant %+v", core, want)
	}
	x86 := c.Group("x86-tools")
	if x86.Arch != "x86_64" || !x86.BiarchOnly || x86.LangOnly != "cs" || !x86.HasDescription || x86.Description != "" || !x86.UserVisible {
		t.Errorf("x86-tools: %+v", x86)
	}
	env := c.Environment("server-environment")
	if env == nil || *env.DisplayOrder != 2 || len(env.Groups) != 1 || len(env.Options) != 2 ||
		!env.Options[0].Default || env.Options[1].Default || env.Options[1].Line != 74 {
		t.Errorf("server-environment: %+v", env)
	}
	if got := c.Environment("arm-environment"); got == nil || got.Arch != "aarch64" || got.HasDescription {
		t.Errorf("arm-environment: %+v", got)
	}
	cat := c.Category("base-system")
	if cat == nil || len(cat.Groups) != 2 || cat.Groups[1].Name != "x86-tools" || cat.Groups[1].Line != 61 || cat.NameByLang[0].Text != "Basissystem" {
		t.Errorf("base-system: %+v", cat)
	}
	wantLP := []Langpack{{"hunspell", "hunspell-%s", 85}, {"libreoffice-core", "libreoffice-langpack-%s", 86}}
	if !reflect.DeepEqual(c.Langpacks, wantLP) {
		t.Errorf("langpacks %+v", c.Langpacks)
	}
	if len(c.Blacklist) != 1 || c.Blacklist[0].Arch != "i686" || len(c.Whiteout) != 1 || c.Whiteout[0].Requires != "b" {
		t.Errorf("blacklist/whiteout %+v %+v", c.Blacklist, c.Whiteout)
	}
	roundTrip(t, c)
}

func intp(n int) *int { return &n }

func TestRoundTripRealComps(t *testing.T) {
	for _, tc := range []struct {
		repo         string
		groups, envs int
	}{
		{"cs9-baseos", 34, 3},
		{"cs9-appstream", 63, 4},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			c := realComps(t, tc.repo)
			if len(c.Groups) != tc.groups || len(c.Environments) != tc.envs {
				t.Fatalf("%d groups, %d environments; want %d, %d", len(c.Groups), len(c.Environments), tc.groups, tc.envs)
			}
			if len(c.Warnings) != 0 {
				t.Errorf("warnings on real comps: %v", c.Warnings)
			}
			roundTrip(t, c)
		})
	}
}

func TestParseCompressed(t *testing.T) {
	plain := []byte(`<comps><group><id>a</id><packagelist><packagereq type="mandatory">x</packagereq></packagelist></group></comps>`)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	c, err := Parse(&gz, "x.xml.gz")
	if err != nil {
		t.Fatal(err)
	}
	if g := c.Group("a"); g == nil || len(g.Packages) != 1 || g.Packages[0].Name != "x" || !g.UserVisible {
		t.Fatalf("gzip comps parsed as %+v", c.Groups)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"malformed", "<comps>\n<group>\n<id>a</id>\n</grup>\n</comps>", "bad.xml:4: malformed XML: element <group> closed by </grup>"},
		{"unclosed", "<comps>\n<group>\n<id>a</id>\n", "bad.xml:4: malformed XML: unexpected EOF: <group> is not closed"},
		{"two roots", "<comps/>\n<comps/>", "bad.xml:2: malformed XML: a second root element <comps>"},
		{"text after root", "<comps/>\nx", "bad.xml:2: malformed XML: text outside the root element"},
		{"stray end", "<comps/>\n</comps>", "bad.xml:2: malformed XML: unexpected end element </comps>"},
		{"bad entity", "<comps>\n<group><id>&nope;</id></group></comps>", "bad.xml:2: malformed XML: invalid character entity &nope;"},
		{"wrong root", "<?xml version='1.0'?>\n<groups/>", "bad.xml:2: root element is <groups>"},
		{"group without id", "<comps>\n  <group>\n    <name>x</name>\n  </group>\n</comps>", "bad.xml:2: <group> without an <id>"},
		{"bad bool", "<comps>\n<group>\n<id>a</id>\n<default>maybe</default>\n</group>\n</comps>", "bad.xml:4: <default> must be true or false"},
		{"bad display_order", "<comps>\n<category><id>c</id>\n<display_order>x1</display_order></category></comps>", "bad.xml:3: <display_order> must be an integer"},
		{"empty packagereq", "<comps><group><id>a</id><packagelist>\n<packagereq type='mandatory'> </packagereq></packagelist></group></comps>", "bad.xml:2: group a: empty <packagereq>"},
		{"empty groupid", "<comps><environment><id>e</id><grouplist>\n\n<groupid/></grouplist></environment></comps>", "bad.xml:3: environment e: empty <groupid>"},
		{"langpack attrs", "<comps><langpacks>\n<match name='x'/></langpacks></comps>", "bad.xml:2: <match> needs both"},
		{"translated id", "<comps><group>\n<id xml:lang='de'>a</id></group></comps>", "bad.xml:2: <id> cannot be translated"},
		{"empty", "", "bad.xml: no root element"},
		{"encoding", "<?xml version='1.0' encoding='latin1'?><comps/>", "unsupported encoding"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBytes([]byte(tc.doc), "bad.xml")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestParseWarnings(t *testing.T) {
	doc := "<comps><group><id>a</id><packagelist>\n<packagereq type='mandatory'> bash</packagereq>\n<pkg/></packagelist></group></comps>"
	c, err := ParseBytes([]byte(doc), "w.xml")
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, w := range c.Warnings {
		msgs = append(msgs, w.String())
	}
	want := []string{
		`w.xml:2: package name "bash" in group a has leading or trailing whitespace`,
		"w.xml:3: group a: unknown element <pkg> in <packagelist> ignored",
	}
	if !reflect.DeepEqual(msgs, want) {
		t.Fatalf("warnings\n got %q\nwant %q", msgs, want)
	}
	if c.Groups[0].Packages[0].Name != "bash" {
		t.Fatalf("name not trimmed: %q", c.Groups[0].Packages[0].Name)
	}
}

func TestUnknownElementsKept(t *testing.T) {
	doc := `<comps><group><id>a</id><extra k="v">t<b/></extra></group><custom>x</custom></comps>`
	c, err := ParseBytes([]byte(doc), "u.xml")
	if err != nil {
		t.Fatal(err)
	}
	out := string(c.Bytes())
	for _, want := range []string{`<extra k="v">t<b/></extra>`, `<custom>x</custom>`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
	roundTrip(t, c)
}

// realComps reads the comps file of a shared real repository.
func realComps(t *testing.T, repo string) *Comps {
	t.Helper()
	dir := toolcheck.Shared(t, "realdata/"+repo+"/repodata")
	files, _ := filepath.Glob(filepath.Join(dir, "*comps*.xml*"))
	if len(files) != 1 {
		t.Fatalf("want one comps file in %s, have %v", dir, files)
	}
	c, err := ParseFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	return c
}
