package xmlent

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
		lenient       bool // accepted beyond XML: no encoding/xml check
	}{
		{in: "plain", want: "plain"},
		{in: "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos;", want: `a <b> & "c" 'd'`},
		{in: "&#65;&#x42;&#x20AC;&#x1F600;", want: "AB€😀"},
		// An upper-case X is taken too (XML has only "&#x"), as both
		// scanners always did.
		{in: "&#X43;", want: "C", lenient: true},
		{in: "tab&#9;nl&#10;cr&#13;", want: "tab\tnl\ncr\r"},
		{in: "x &nbsp; y", want: "x ", err: `unknown entity "&nbsp;"`},
		{in: "&#0;", err: `bad character reference "&#0;"`},
		{in: "&#xD800;", err: `bad character reference "&#xD800;"`},
		{in: "&#xFFFE;", err: `bad character reference "&#xFFFE;"`},
		{in: "&#x110000;", err: `bad character reference "&#x110000;"`},
		{in: "&#;", err: `unknown entity "&#;"`},
		{in: "&#xZ;", err: `bad character reference "&#xZ;"`},
		{in: "&;", err: `unknown entity "&;"`},
		{in: "a & b", want: "a ", err: `unterminated entity reference "& b"`},
		{in: "&#00000000065;", err: `unterminated entity reference "&#0000000006"`},
	} {
		got, err := Decode([]byte("prefix:"), []byte(tc.in))
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %q", tc.in, err, tc.err)
			}
			if string(got) != "prefix:"+tc.want {
				t.Errorf("%q: decoded before the error %q, want %q", tc.in, got, "prefix:"+tc.want)
			}
			continue
		}
		if err != nil || string(got) != "prefix:"+tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if tc.lenient {
			continue
		}
		// encoding/xml decodes what Decode accepts the same way.
		var v struct {
			Text string `xml:",chardata"`
		}
		if err := xml.Unmarshal([]byte("<a>"+strings.ReplaceAll(tc.in, "\r", "")+"</a>"), &v); err != nil || v.Text != tc.want {
			t.Errorf("%q: encoding/xml reads %q (%v), Decode %q", tc.in, v.Text, err, tc.want)
		}
	}
}

func TestIsChar(t *testing.T) {
	for r, want := range map[rune]bool{0: false, 0x8: false, 0x9: true, 0xA: true, 0xD: true, 0x1F: false, ' ': true,
		0xD7FF: true, 0xD800: false, 0xDFFF: false, 0xE000: true, 0xFFFD: true, 0xFFFE: false, 0x10000: true, 0x10FFFF: true, 0x110000: false} {
		if IsChar(r) != want {
			t.Errorf("IsChar(%#x) = %v", r, !want)
		}
	}
}
