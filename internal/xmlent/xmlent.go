// Package xmlent decodes XML 1.0 entity and character references in text
// and attribute values, for pungo's two hand-written XML scanners (the
// streaming rpm-md reader in repomd and the XML-RPC reader in phases/koji):
// the five predefined entities (&lt; &gt; &amp; &quot; &apos;) and decimal
// or hexadecimal ("&#x", and beyond XML "&#X") character references to
// characters XML's Char production allows. Anything else (an unknown
// entity, &#0;, a surrogate, a reference without its ';' within 12 bytes)
// is an error, as expat and libxml2 refuse it; a DTD's own entities are
// not supported (rpm-md and XML-RPC have none).
package xmlent

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// maxRef is the longest reference accepted, '&' to ';' (";" at index 12 at
// the most: "&#x10FFFF;" with leading zeros to spare).
const maxRef = 12

// Decode appends raw to dst with entity and character references
// replaced. On an error dst holds what was decoded before the bad
// reference, which the error quotes.
func Decode(dst, raw []byte) ([]byte, error) {
	for {
		i := bytes.IndexByte(raw, '&')
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		semi := bytes.IndexByte(raw, ';')
		if semi < 0 || semi > maxRef {
			return dst, fmt.Errorf("unterminated entity reference %q", raw[:min(len(raw), maxRef)])
		}
		ent := raw[1:semi]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			if len(ent) < 2 || ent[0] != '#' {
				return dst, fmt.Errorf("unknown entity %q", raw[:semi+1])
			}
			var v uint64
			var err error
			if ent[1] == 'x' || ent[1] == 'X' {
				v, err = strconv.ParseUint(string(ent[2:]), 16, 32)
			} else {
				v, err = strconv.ParseUint(string(ent[1:]), 10, 32)
			}
			if err != nil || v > utf8.MaxRune || !IsChar(rune(v)) {
				return dst, fmt.Errorf("bad character reference %q", raw[:semi+1])
			}
			dst = utf8.AppendRune(dst, rune(v))
		}
		raw = raw[semi+1:]
	}
}

// IsChar reports whether XML 1.0 allows r (its Char production).
func IsChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
