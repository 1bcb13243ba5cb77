package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/gather"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd"
)

// TestPrintDiff compares a planned result with an old rpms.json: added,
// removed, upgraded and downgraded by name.arch, lookaside packages left
// out, "no changes" for an identical tree, exit answer true only on change.
func TestPrintDiff(t *testing.T) {
	pkg := func(name, epoch, version, release, arch string) *gather.Entry {
		return &gather.Entry{Pkg: &repomd.Package{Name: name, Arch: arch, EVR: repomd.EVR{Epoch: epoch, Version: version, Release: release}}}
	}
	old := &productmd.Rpms{}
	add := func(uid, nevra, srpm, cat string) {
		if err := old.Add(uid, "x86_64", nevra, "p/"+nevra+".rpm", "", cat, srpm); err != nil {
			t.Fatal(err)
		}
	}
	add("Server", "bash-0:5.1-1.x86_64", "bash-0:5.1-1.src", "binary")
	add("Server", "bash-0:5.1-1.src", "", "source")
	add("Server", "zlib-0:1.3-1.x86_64", "zlib-0:1.3-1.src", "binary")
	add("Server", "gone-0:1-1.noarch", "gone-0:1-1.src", "binary")
	add("Client", "tool-0:1-1.x86_64", "tool-0:1-1.src", "binary")
	look := pkg("fonts", "", "1", "1", "noarch")
	look.Flags = []string{"lookaside"}
	res := &gather.Result{ByArch: map[string]map[string]gather.PkgMap{"x86_64": {
		"Server": {
			gather.TypeRPM:  {pkg("bash", "", "5.2", "1", "x86_64"), pkg("zlib", "", "1.2", "9", "x86_64"), pkg("new", "", "1", "1", "noarch"), look},
			gather.TypeSRPM: {pkg("bash", "", "5.2", "1", "src")},
		},
		"Client": {gather.TypeRPM: {pkg("tool", "0", "1", "1", "x86_64")}},
	}}}
	var out bytes.Buffer
	changed := printDiff(&out, res, old, []variantArch{{"Server", "x86_64"}, {"Client", "x86_64"}}, false)
	want := `Server.x86_64:
  + new-1-1.noarch
  - gone-1-1.noarch
  ^ bash-5.1-1.src -> bash-5.2-1.src
  ^ bash-5.1-1.x86_64 -> bash-5.2-1.x86_64
  v zlib-1.3-1.x86_64 -> zlib-1.2-9.x86_64
Client.x86_64:
  no changes
`
	if !changed || out.String() != want {
		t.Errorf("changed %v, output:\n%s\nwant:\n%s", changed, out.String(), want)
	}
	out.Reset()
	if printDiff(&out, res, old, []variantArch{{"Client", "x86_64"}}, true) || !strings.Contains(out.String(), `"added": []`) {
		t.Errorf("JSON for an unchanged tree:\n%s", out.String())
	}
}
