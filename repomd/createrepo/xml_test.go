package createrepo

import (
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"café", "café"},                   // valid UTF-8 stays
		{"caf\xe9", "café"},                // Latin-1 é
		{"a\x01b\x85c\xffd", "abc\u00ffd"}, // control and C1 dropped, ÿ kept
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
	} {
		if got := clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestEscaping(t *testing.T) {
	p := &repomd.Package{Name: "n", Arch: "noarch", EVR: repomd.EVR{Epoch: "0", Version: "1", Release: "1"},
		Summary: "a < b & \"c\"", Changelogs: []repomd.Changelog{{Author: "x <y@z>\t\"q\"", Date: 1, Text: "line\r\nnext"}}}
	prim := string(appendPrimary(nil, p))
	if !strings.Contains(prim, "<summary>a &lt; b &amp; \"c\"</summary>") {
		t.Errorf("summary escaping:\n%s", prim)
	}
	other := string(appendOther(nil, p))
	if !strings.Contains(other, `author="x &lt;y@z&gt;&#9;&quot;q&quot;"`) || !strings.Contains(other, ">line&#13;\nnext</changelog>") {
		t.Errorf("changelog escaping:\n%s", other)
	}
	p.Description = "bell\x07"
	if err := controlChars(p); err == nil {
		t.Error("control character accepted")
	}
}
