package repomd

import "testing"

func TestPackageNames(t *testing.T) {
	p := &Package{Name: "glibc", Arch: "x86_64", EVR: EVR{"0", "2.34", "100.el9"},
		Location: "Packages/g/glibc-2.34-100.el9.x86_64.rpm", SourceRPM: "glibc-2.34-100.el9.src.rpm"}
	if got := p.NEVRA(); got != "glibc-2.34-100.el9.x86_64" {
		t.Errorf("NEVRA = %q", got)
	}
	p.Epoch = "2"
	if got := p.NEVRA(); got != "glibc-2:2.34-100.el9.x86_64" {
		t.Errorf("NEVRA with epoch = %q", got)
	}
	if p.NVR() != "glibc-2.34-100.el9" || p.FileName() != "glibc-2.34-100.el9.x86_64.rpm" || p.SourceName() != "glibc" {
		t.Errorf("NVR %q FileName %q SourceName %q", p.NVR(), p.FileName(), p.SourceName())
	}
	src := &Package{Name: "glibc", Arch: "src", EVR: EVR{"", "2.34", "1"}}
	if src.SourceName() != "" {
		t.Errorf("source package SourceName = %q", src.SourceName())
	}
	n, err := ParseNEVRA("python3-foo-bar-1:1.2-3.fc40.noarch")
	if err != nil || n.Name != "python3-foo-bar" || n.EVR != (EVR{"1", "1.2", "3.fc40"}) || n.Arch != "noarch" {
		t.Errorf("ParseNEVRA = %#v, %v", n, err)
	}
	if _, err := ParseNEVRA("foo.x86_64"); err == nil {
		t.Error("ParseNEVRA(foo.x86_64) succeeded")
	}
	if _, err := ParseFileName("foo-1-1.x86_64.deb"); err == nil {
		t.Error("ParseFileName(.deb) succeeded")
	}
}
