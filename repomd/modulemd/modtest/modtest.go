// Package modtest writes small modular repositories for tests: rpm-md
// metadata (primary.xml.gz and repomd.xml, no package files) for
// packages given as "NEVRA" plus "R:dep"/"P:dep" strings, and a
// modules.yaml added as the modules record. dnf and pungo read them alike,
// so tests can hold pungo's module views against dnf's.
package modtest

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
)

// Package is one package: NEVRA ("name-[epoch:]version-release.arch") and
// dependencies as "R:name [op evr]" (requires) or "P:..." (provides).
type Package struct {
	NEVRA string
	Deps  []string
}

var flagNames = map[repomd.DepFlag]string{repomd.DepEQ: "EQ", repomd.DepLT: "LT", repomd.DepLE: "LE", repomd.DepGT: "GT", repomd.DepGE: "GE"}

func entry(b *strings.Builder, d repomd.Dep) {
	fmt.Fprintf(b, `<rpm:entry name="%s"`, html.EscapeString(d.Name))
	if d.Flags != repomd.DepAny {
		e := d.Epoch
		if e == "" {
			e = "0"
		}
		fmt.Fprintf(b, ` flags="%s" epoch="%s" ver="%s"`, flagNames[d.Flags], e, html.EscapeString(d.Version))
		if d.Release != "" {
			fmt.Fprintf(b, ` rel="%s"`, html.EscapeString(d.Release))
		}
	}
	b.WriteString("/>")
}

// WriteRepo writes the repository into dir (created) and, when
// modulesYAML is not empty, adds it as the modules record. It returns dir.
func WriteRepo(t testing.TB, dir string, pkgs []Package, modulesYAML string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"%d\">\n", len(pkgs))
	for _, p := range pkgs {
		n, err := repomd.ParseNEVRA(p.NEVRA)
		if err != nil {
			t.Fatal(err)
		}
		epoch := n.Epoch
		if epoch == "" {
			epoch = "0"
		}
		sum := sha256.Sum256([]byte(p.NEVRA))
		file := fmt.Sprintf("%s-%s-%s.%s.rpm", n.Name, n.Version, n.Release, n.Arch)
		fmt.Fprintf(&b, `<package type="rpm"><name>%s</name><arch>%s</arch><version epoch="%s" ver="%s" rel="%s"/>`,
			n.Name, n.Arch, epoch, n.Version, n.Release)
		fmt.Fprintf(&b, `<checksum type="sha256" pkgid="YES">%s</checksum><summary>%s</summary><description>%s</description><packager/><url/>`,
			hex.EncodeToString(sum[:]), n.Name, n.Name)
		fmt.Fprintf(&b, `<time file="1" build="1"/><size package="1" installed="1" archive="1"/><location href="%s"/><format>`, file)
		b.WriteString(`<rpm:license>MIT</rpm:license><rpm:vendor/><rpm:group>Test</rpm:group><rpm:buildhost>test</rpm:buildhost>`)
		if n.Arch != "src" {
			fmt.Fprintf(&b, `<rpm:sourcerpm>%s-%s-%s.src.rpm</rpm:sourcerpm>`, n.Name, n.Version, n.Release)
		} else {
			b.WriteString(`<rpm:sourcerpm/>`)
		}
		b.WriteString(`<rpm:header-range start="0" end="1"/>`)
		var prov, req strings.Builder
		entry(&prov, repomd.Dep{Name: n.Name, Flags: repomd.DepEQ, EVR: repomd.EVR{Epoch: epoch, Version: n.Version, Release: n.Release}})
		for _, d := range p.Deps {
			kind, val, _ := strings.Cut(d, ":")
			dep, err := repomd.ParseDep(val)
			if err != nil {
				t.Fatal(err)
			}
			switch kind {
			case "P":
				entry(&prov, dep)
			case "R":
				entry(&req, dep)
			default:
				t.Fatalf("modtest: bad dependency %q", d)
			}
		}
		fmt.Fprintf(&b, "<rpm:provides>%s</rpm:provides>", prov.String())
		if req.Len() > 0 {
			fmt.Fprintf(&b, "<rpm:requires>%s</rpm:requires>", req.String())
		}
		b.WriteString("</format></package>\n")
	}
	b.WriteString("</metadata>\n")
	rd := filepath.Join(dir, "repodata")
	if err := os.MkdirAll(rd, 0o755); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(b.String()))
	zw.Close()
	if err := os.WriteFile(filepath.Join(rd, "primary.xml.gz"), gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	hexSum := func(data []byte) string { s := sha256.Sum256(data); return hex.EncodeToString(s[:]) }
	repomdXML := fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1</revision>
  <data type="primary">
    <checksum type="sha256">%s</checksum>
    <open-checksum type="sha256">%s</open-checksum>
    <location href="repodata/primary.xml.gz"/>
    <timestamp>1</timestamp>
    <size>%d</size>
    <open-size>%d</open-size>
  </data>
</repomd>
`, hexSum(gz.Bytes()), hexSum([]byte(b.String())), gz.Len(), b.Len())
	if err := os.WriteFile(filepath.Join(rd, "repomd.xml"), []byte(repomdXML), 0o644); err != nil {
		t.Fatal(err)
	}
	if modulesYAML != "" {
		f := filepath.Join(t.TempDir(), "modules.yaml")
		if err := os.WriteFile(f, []byte(modulesYAML), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := createrepo.AddMetadata(f, rd, createrepo.ModifyOptions{MDType: "modules", Compress: true, CompressType: "gz"}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// NodejsYAML is module nodejs with streams 18 (the default) and 20, both
// needing platform:el9.
const NodejsYAML = `---
document: modulemd
version: 2
data:
  name: nodejs
  stream: "18"
  version: 1
  context: x
  arch: x86_64
  summary: s
  description: d
  license: {module: [MIT]}
  dependencies:
  - requires: {platform: [el9]}
  artifacts:
    rpms: [nodejs-1:18.1-1.module_x.x86_64]
...
---
document: modulemd
version: 2
data:
  name: nodejs
  stream: "20"
  version: 2
  context: y
  arch: x86_64
  summary: s
  description: d
  license: {module: [MIT]}
  dependencies:
  - requires: {platform: [el9]}
  artifacts:
    rpms: [nodejs-1:20.1-1.module_y.x86_64, npm-1:9-1.module_y.x86_64]
...
---
document: modulemd-defaults
version: 1
data:
  module: nodejs
  stream: "18"
  profiles: {"18": [common]}
...
`

// NodejsPackages go with NodejsYAML: what each app needs is provided by the default stream,
// by the other stream only, or by a bare package the default stream
// shadows; the default stream's nodejs itself has a broken requirement.
var NodejsPackages = []Package{
	{NEVRA: "nodejs-1:18.1-1.module_x.x86_64", Deps: []string{"R:libuv >= 2"}},
	{NEVRA: "nodejs-1:20.1-1.module_y.x86_64"},
	{NEVRA: "npm-1:9-1.module_y.x86_64", Deps: []string{"R:nodejs >= 1:20"}},
	{NEVRA: "nodejs-16-1.el9.x86_64"},
	{NEVRA: "npm-8-1.el9.x86_64", Deps: []string{"R:nodejs"}},
	{NEVRA: "app18-1-1.x86_64", Deps: []string{"R:nodejs >= 1:18"}},
	{NEVRA: "app20-1-1.x86_64", Deps: []string{"R:nodejs >= 1:20"}},
	{NEVRA: "appnpm9-1-1.x86_64", Deps: []string{"R:npm >= 9"}},
	{NEVRA: "app16-1-1.x86_64", Deps: []string{"R:nodejs < 1:17"}},
}
