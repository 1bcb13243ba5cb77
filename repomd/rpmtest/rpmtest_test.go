package rpmtest

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestCorpusContents checks that the corpus holds every kind of package the
// repository tests rely on, as rpm itself reports them.
func TestCorpusContents(t *testing.T) {
	dir := Corpus(t)
	want := []string{
		"alpha-1.0-1.noarch.rpm", "alpha-2.0-1.noarch.rpm", "alpha-1.0-1.src.rpm",
		"libfoo-1.2.3-4.x86_64.rpm", "libfoo-devel-1.2.3-4.x86_64.rpm", "libfoo-debuginfo-1.2.3-4.x86_64.rpm",
		"libfoo-1.2.3-4.src.rpm", "multi-0.9-1.x86_64.rpm", "multi-0.9-1.i686.rpm",
	}
	got := map[string]bool{}
	for _, f := range Files(t, dir) {
		got[filepath.Base(f)] = true
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("corpus lacks %s (has %v)", w, got)
		}
	}
	rpmq := func(file, qf string) string {
		out, err := exec.Command("rpm", "-qp", "--qf", qf, filepath.Join(dir, file)).Output()
		if err != nil {
			t.Fatalf("rpm -qp %s: %v", file, err)
		}
		return string(out)
	}
	if got := rpmq("libfoo-1.2.3-4.x86_64.rpm", "[%{PROVIDES}\n]"); !strings.Contains(got, "libfoo.so.1()(64bit)") {
		t.Errorf("libfoo provides no soname: %q", got)
	}
	if got := rpmq("libfoo-debuginfo-1.2.3-4.x86_64.rpm", "[%{FILENAMES}\n]"); !strings.Contains(got, ".debug") {
		t.Errorf("libfoo-debuginfo has no .debug file: %q", got)
	}
	if got := rpmq("alpha-1.0-1.noarch.rpm", "%{EPOCH}"); got != "2" {
		t.Errorf("alpha epoch = %q, want 2", got)
	}
}

func TestExternal(t *testing.T) {
	dir := External(t)
	files := Files(t, dir)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	joined := strings.Join(names, " ")
	for _, want := range []string{"xzdio", "zstdio", "bzdio", "gzdio"} {
		if !strings.Contains(joined, want) {
			t.Errorf("go-rpmutils testdata lacks a %s payload RPM: %v", want, names)
		}
	}
}
