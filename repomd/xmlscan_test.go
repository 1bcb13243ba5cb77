package repomd

import (
	"testing"
	"unicode/utf8"
)

// badCharSlow is badChar byte by byte, as the XML 1.0 Char production
// reads: the reference for the word-at-a-time fast path.
func badCharSlow(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && size <= 1, r == 0xFFFE, r == 0xFFFF:
			return i
		case r < 0x20 && r != '\n' && r != '\t' && r != '\r':
			return i
		}
		i += size
	}
	return -1
}

// TestBadCharEveryOffset puts each kind of forbidden byte (and allowed
// control and multi-byte characters) at every offset of a line of
// printable text, so each position within an eight-byte word is covered.
func TestBadCharEveryOffset(t *testing.T) {
	line := []byte(`<rpm:entry name="libc.so.6(GLIBC_2.34)(64bit)" flags="GE"/>`)
	for _, ins := range []string{"\x00", "\x01", "\x1f", "\x7f", "\n", "\t", "\r", "é", "\xff", "\xc3", "\xef\xbf\xbe", "\xef\xbf\xbf", "\xed\xa0\x80", "☺"} {
		for at := 0; at <= len(line); at++ {
			b := append(append(append([]byte(nil), line[:at]...), ins...), line[at:]...)
			if got, want := badChar(b), badCharSlow(b); got != want {
				t.Errorf("%q at %d: badChar = %d, want %d", ins, at, got, want)
			}
		}
	}
}
