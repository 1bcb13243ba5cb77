package repomd

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/pungo/pungo/internal/xmlent"
)

// This file is the XML tokenizer behind every rpm-md reader. rpm-md files
// are large, flat and regular, so instead of encoding/xml a byte scanner
// walks a buffer and hands out tokens whose slices alias it; nothing is
// allocated per token. It understands what rpm-md producers emit and what
// XML allows them to: namespace prefixes (dropped: elements are matched by
// local name), both quote styles, the five predefined entities and
// character references, CDATA sections, comments, processing instructions
// and declarations (skipped), CR/LF normalisation. Malformed markup (end
// tags that do not match, unterminated constructs, unknown entities) is an
// error naming the file and line; FuzzXMLScanner holds it to encoding/xml's
// tokens on every document encoding/xml accepts.
//
// Why hand-written: on CentOS Stream 9 AppStream's primary (49 MB) on
// this project's 2-core machine (quiet moment), encoding/xml's RawToken
// alone reads 60 MB/s and this scanner 740 MB/s (BenchmarkTokens*, same
// run); a full primary parse into Packages runs at 410 MB/s on one core
// and is spread over the cores by chunk.go. orisano/gosax was not tried:
// it is also a callback tokenizer over a buffer, so at best it would match
// this scanner while adding a dependency, and rpm-md needs none of its
// generality.

// Limits of the scanner. rpm-md is at most five elements deep and its
// largest tokens are descriptions and changelogs of a few megabytes;
// beyond these a file is hostile or broken, and reading on would only
// exhaust memory.
var (
	MaxXMLDepth = 256       // open elements
	MaxXMLToken = 256 << 20 // bytes of one tag or text run
)

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokStart
	tokEnd
	tokText
)

type xmlAttr struct {
	name, value []byte
}

type xmlScanner struct {
	src  io.Reader
	file string // for error messages

	buf      []byte
	pos, end int
	eof      bool
	lineBase int // newlines in the bytes already dropped from buf

	// The current token; slices are valid until the next call to next.
	name       []byte
	attrs      []xmlAttr
	text       []byte
	pendingEnd bool // the last start tag was <x/>: report its end next
	// dropSpace skips white-space-only text between tags; element text
	// is read whole by elementText regardless.
	dropSpace bool
	// allowOpenEOF lets the input end with the root element still open:
	// the scanner then reads one chunk of a larger document.
	allowOpenEOF bool

	scratch  []byte // decoded text
	attrData []byte // decoded attribute values
	acc      []byte // text of an element made of several segments
	err      error
	checked  int // buf[:checked] has passed badChar
	depth    int
	open     []byte // names of the open elements, back to back
	openEnds []int  // end offset of each name in open
}

func (s *xmlScanner) pushName(n []byte) {
	s.open = append(s.open, n...)
	s.openEnds = append(s.openEnds, len(s.open))
}

func (s *xmlScanner) popName() []byte {
	k := len(s.openEnds) - 1
	start := 0
	if k > 0 {
		start = s.openEnds[k-1]
	}
	n := s.open[start:s.openEnds[k]]
	s.open = s.open[:start]
	s.openEnds = s.openEnds[:k]
	return n
}

func newXMLScanner(r io.Reader, file string) *xmlScanner {
	return &xmlScanner{src: r, file: file, buf: make([]byte, 1<<20)}
}

func (s *xmlScanner) line() int {
	return s.lineBase + bytes.Count(s.buf[:s.pos], []byte{'\n'}) + 1
}

func (s *xmlScanner) fail(format string, a ...any) tokKind {
	if s.err == nil {
		s.err = fmt.Errorf("%s:%d: invalid XML: %s", s.file, s.line(), fmt.Sprintf(format, a...))
	}
	return tokEOF
}

// reject fails the scan with an error that is about the content, not the
// XML syntax.
func (s *xmlScanner) reject(format string, a ...any) tokKind {
	if s.err == nil {
		s.err = fmt.Errorf("%s:%d: %s", s.file, s.line(), fmt.Sprintf(format, a...))
	}
	return tokEOF
}

// fill moves the unread bytes to the front of buf and reads more. It
// reports false when no more bytes can come.
func (s *xmlScanner) fill() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		s.lineBase += bytes.Count(s.buf[:s.pos], []byte{'\n'})
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.checked = max(s.checked-s.pos, 0)
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= MaxXMLToken {
			s.err = fmt.Errorf("%s:%d: an XML token (tag or text) larger than the limit of %d MiB", s.file, s.line(), MaxXMLToken>>20)
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for {
		n, err := s.src.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.err = err
				return false
			}
			// Report progress even when nothing came: the caller retries
			// its scan now that it knows the input has ended.
			return s.checkNew()
		}
		if n > 0 {
			return s.checkNew()
		}
	}
}

// checkNew runs badChar over the bytes fill read, leaving a rune cut at
// the end of the buffer for the next fill.
func (s *xmlScanner) checkNew() bool {
	stop := s.end
	if !s.eof {
		for i := max(s.checked, s.end-utf8.UTFMax+1); i < s.end; i++ {
			if s.buf[i] >= 0xC0 && !utf8.FullRune(s.buf[i:s.end]) {
				stop = i
				break
			}
		}
	}
	if i := badChar(s.buf[s.checked:stop]); i >= 0 {
		s.badCharAt(s.checked + i)
		return false
	}
	s.checked = stop
	return true
}

// badCharAt fails the scan for the bad character at buf[i].
func (s *xmlScanner) badCharAt(i int) {
	s.pos = i
	c := s.buf[i]
	switch {
	case c == 0:
		s.reject("invalid XML: NUL byte (dnf refuses the repository)")
	case c < 0x20:
		s.reject("invalid XML: control character 0x%02x (dnf refuses the repository)", c)
	default:
		s.reject("invalid XML: invalid UTF-8 or a non-XML character at byte 0x%02x (dnf refuses the repository)", c)
	}
}

// badChar returns the offset of the first byte in b that is not part of
// a character XML 1.0 allows (NUL and other control characters but tab,
// LF and CR; invalid UTF-8; U+FFFE, U+FFFF, surrogates), or -1. libsolv's
// XML parser (expat or libxml2) rejects such a file, so dnf does.
func badChar(b []byte) int {
	for i := 0; i < len(b); {
		// Eight printable ASCII bytes at a time: no high bit set and,
		// without one, no byte below 0x20 (subtracting 0x20 from each
		// byte borrows into its high bit only from such a byte).
		if i+8 <= len(b) {
			w := binary.LittleEndian.Uint64(b[i:])
			if w&0x8080808080808080 == 0 && (w-0x2020202020202020)&0x8080808080808080 == 0 {
				i += 8
				continue
			}
		}
		c := b[i]
		if c >= 0x20 && c < 0x80 || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		if c < 0x80 {
			return i
		}
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 || r == 0xFFFE || r == 0xFFFF {
			return i
		}
		i += size
	}
	return -1
}

// next advances to the next start tag, end tag or text run.
func (s *xmlScanner) next() tokKind {
	if s.err != nil {
		return tokEOF
	}
	if s.pendingEnd {
		s.pendingEnd = false
		s.depth--
		return tokEnd
	}
	for {
		if s.pos >= s.end {
			if s.fill() {
				continue
			}
			if s.err != nil {
				return tokEOF
			}
			if s.depth > 0 && !(s.allowOpenEOF && s.depth == 1) {
				return s.fail("unexpected end of file inside an element")
			}
			return tokEOF
		}
		if s.buf[s.pos] != '<' {
			k, ok := s.scanText()
			if ok {
				if k == tokNone {
					continue // indentation the reader does not want
				}
				return k
			}
		} else {
			k, ok := s.scanMarkup()
			if ok {
				if k == tokNone {
					continue // comment, PI or DOCTYPE
				}
				return k
			}
		}
		if s.err != nil {
			return tokEOF
		}
		if !s.fill() {
			if s.err != nil {
				return tokEOF
			}
			return s.fail("unexpected end of file")
		}
	}
}

const tokNone tokKind = 255

// scanText reads character data up to the next '<'. ok is false when more
// input is needed to see where it ends.
func (s *xmlScanner) scanText() (tokKind, bool) {
	rest := s.buf[s.pos:s.end]
	// Most text between tags is indentation: no entities, no CR.
	w := 0
	for w < len(rest) && (rest[w] == ' ' || rest[w] == '\n' || rest[w] == '\t') {
		w++
	}
	if w < len(rest) && rest[w] == '<' {
		s.text = rest[:w]
		s.pos += w
		if s.dropSpace {
			return tokNone, true
		}
		return tokText, true
	}
	i := bytes.IndexByte(rest, '<')
	if i < 0 {
		if !s.eof {
			return 0, false
		}
		i = len(rest)
	}
	raw := rest[:i]
	if needsDecoding(raw) {
		var err error
		s.scratch, err = xmlent.Decode(s.scratch[:0], normalizeNewlines(raw))
		if err != nil {
			s.fail("%v", err)
			return tokEOF, true
		}
		s.text = s.scratch
	} else {
		s.text = raw
	}
	s.pos += i
	return tokText, true
}

// scanMarkup reads one construct starting with '<'.
func (s *xmlScanner) scanMarkup() (tokKind, bool) {
	b := s.buf[s.pos:s.end]
	if len(b) < 2 {
		return 0, false
	}
	switch b[1] {
	case '/':
		gt := bytes.IndexByte(b, '>')
		if gt < 0 {
			return 0, false
		}
		full := b[2:gt]
		for len(full) > 0 && spaceTab[full[len(full)-1]] {
			full = full[:len(full)-1]
		}
		if s.depth == 0 {
			s.fail("unexpected end tag %q", full)
			return tokEOF, true
		}
		if open := s.popName(); !bytes.Equal(open, full) {
			s.fail("end tag %q does not match start tag %q", full, open)
			return tokEOF, true
		}
		s.name = localName(full)
		s.pos += gt + 1
		s.depth--
		return tokEnd, true
	case '?':
		e := bytes.Index(b, []byte("?>"))
		if e < 0 {
			return 0, false
		}
		s.pos += e + 2
		return tokNone, true
	case '!':
		switch {
		case bytes.HasPrefix(b, []byte("<!--")):
			e := bytes.Index(b[4:], []byte("-->"))
			if e < 0 {
				return 0, false
			}
			s.pos += 4 + e + 3
			return tokNone, true
		case bytes.HasPrefix(b, []byte("<![CDATA[")):
			e := bytes.Index(b[9:], []byte("]]>"))
			if e < 0 {
				return 0, false
			}
			s.text = b[9 : 9+e]
			s.pos += 9 + e + 3
			return tokText, true
		case len(b) < 9 && (bytes.HasPrefix([]byte("<![CDATA["), b) || bytes.HasPrefix([]byte("<!--"), b)):
			return 0, false
		}
		// A DOCTYPE or other declaration: skipped, internal subset included.
		end := bytes.IndexByte(b, '>')
		if lb := bytes.IndexByte(b, '['); lb >= 0 && (end < 0 || lb < end) {
			e := bytes.Index(b, []byte("]>"))
			if e < 0 {
				return 0, false
			}
			end = e + 1
		}
		if end < 0 {
			return 0, false
		}
		s.pos += end + 1
		return tokNone, true
	}
	return s.scanStartTag(b)
}

// Byte classes for the hot loops.
var (
	nameEndTab [256]bool // ends an element or attribute name
	spaceTab   [256]bool // XML white space
	valueTab   [256]bool // needs attention inside an attribute value
)

func init() {
	for _, c := range []byte(" \t\r\n/>=") {
		nameEndTab[c] = true
	}
	for _, c := range []byte(" \t\r\n") {
		spaceTab[c] = true
	}
	for _, c := range []byte("\"'&<\r") {
		valueTab[c] = true
	}
}

func (s *xmlScanner) scanStartTag(b []byte) (tokKind, bool) {
	i := 1
	colon := -1
	for i < len(b) && !nameEndTab[b[i]] {
		if b[i] == ':' {
			colon = i
		}
		i++
	}
	if i >= len(b) {
		return 0, false
	}
	if i == 1 {
		s.fail("element without a name")
		return tokEOF, true
	}
	name := b[1:i]
	local := name
	if colon > 1 && colon < i-1 { // as localName: "a:" and ":a" have no prefix
		local = b[colon+1 : i]
	}
	s.attrs = s.attrs[:0]
	s.attrData = s.attrData[:0]
	for {
		for i < len(b) && spaceTab[b[i]] {
			i++
		}
		if i >= len(b) {
			return 0, false
		}
		switch b[i] {
		case '>', '/':
			if s.depth >= MaxXMLDepth {
				s.fail("elements nested deeper than the limit of %d", MaxXMLDepth)
				return tokEOF, true
			}
		}
		switch b[i] {
		case '>':
			s.name = local
			s.pos += i + 1
			s.depth++
			s.pushName(name)
			return tokStart, true
		case '/':
			if i+1 >= len(b) {
				return 0, false
			}
			if b[i+1] != '>' {
				s.fail("'/' not followed by '>' in element %q", name)
				return tokEOF, true
			}
			s.name = local
			s.pos += i + 2
			s.depth++
			s.pendingEnd = true
			return tokStart, true
		}
		ns := i
		acolon := -1
		for i < len(b) && !nameEndTab[b[i]] {
			if b[i] == ':' {
				acolon = i
			}
			i++
		}
		an := b[ns:i]
		if acolon > ns && acolon < i-1 {
			an = b[acolon+1 : i]
		}
		for i < len(b) && spaceTab[b[i]] {
			i++
		}
		if i >= len(b) {
			return 0, false
		}
		if b[i] != '=' || len(an) == 0 {
			s.fail("malformed attribute in element %q", name)
			return tokEOF, true
		}
		i++
		for i < len(b) && spaceTab[b[i]] {
			i++
		}
		if i >= len(b) {
			return 0, false
		}
		q := b[i]
		if q != '"' && q != '\'' {
			s.fail("unquoted attribute value in element %q", name)
			return tokEOF, true
		}
		j := i + 1
		special := false
		for j < len(b) {
			c := b[j]
			if valueTab[c] {
				if c == q {
					break
				}
				if c == '<' {
					s.fail("'<' in attribute value of element %q", name)
					return tokEOF, true
				}
				if c == '&' || c == '\r' {
					special = true
				}
			}
			j++
		}
		if j >= len(b) {
			return 0, false
		}
		val := b[i+1 : j]
		if special {
			start := len(s.attrData)
			var err error
			s.attrData, err = xmlent.Decode(s.attrData, normalizeNewlines(val))
			if err != nil {
				s.fail("%v", err)
				return tokEOF, true
			}
			val = s.attrData[start:len(s.attrData):len(s.attrData)]
		}
		s.attrs = append(s.attrs, xmlAttr{an, val})
		i = j + 1
	}
}

func localName(b []byte) []byte {
	// A name with nothing before or after its colon has no prefix (":",
	// "a:", ":a" are local names whole), as encoding/xml reads them.
	if i := bytes.IndexByte(b, ':'); i > 0 && i < len(b)-1 {
		return b[i+1:]
	}
	return b
}

// attr returns the value of the named attribute of the current start tag.
func (s *xmlScanner) attr(name string) []byte {
	for i := range s.attrs {
		if string(s.attrs[i].name) == name {
			return s.attrs[i].value
		}
	}
	return nil
}

// elementText reads the character data of the element whose start tag was
// just returned, through its end tag. Nested elements are an error.
func (s *xmlScanner) elementText() []byte {
	if s.pendingEnd {
		s.next()
		return nil
	}
	var first []byte
	segments := 0
	if s.dropSpace {
		s.dropSpace = false
		defer func() { s.dropSpace = true }()
	}
	for {
		// The text token aliases buf; keep it safe from the refill that
		// reading the end tag may need.
		if segments == 1 && !s.endTagBuffered() {
			s.acc = append(s.acc[:0], first...)
			first = s.acc
			segments = 2
		}
		switch s.next() {
		case tokText:
			if segments == 0 {
				first = s.text
				segments = 1
			} else {
				if segments == 1 {
					s.acc = append(s.acc[:0], first...)
				}
				s.acc = append(s.acc, s.text...)
				first = s.acc
				segments = 2
			}
		case tokEnd:
			return first
		case tokStart:
			s.fail("unexpected element %q inside text", s.name)
			return nil
		default:
			return nil
		}
	}
}

// endTagBuffered reports whether the next token is an end tag that is
// wholly in buf, so reading it cannot move the buffer.
func (s *xmlScanner) endTagBuffered() bool {
	b := s.buf[s.pos:s.end]
	if len(b) > 512 {
		b = b[:512] // end tags are short
	}
	return len(b) > 2 && b[0] == '<' && b[1] == '/' && bytes.IndexByte(b, '>') > 0
}

// needsDecoding reports whether text holds an entity reference or a CR.
func needsDecoding(raw []byte) bool {
	if len(raw) > 64 {
		return bytes.IndexByte(raw, '&') >= 0 || bytes.IndexByte(raw, '\r') >= 0
	}
	for _, c := range raw {
		if c == '&' || c == '\r' {
			return true
		}
	}
	return false
}

// normalizeNewlines turns "\r\n" and lone "\r" into "\n", as XML requires
// of a parser; escaped carriage returns (&#13;) survive.
func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '\r' {
			out = append(out, '\n')
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, b[i])
	}
	return out
}

// parseInt reads a decimal attribute; empty is 0.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, true
	}
	neg := false
	if b[0] == '-' {
		neg = true
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}
