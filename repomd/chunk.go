package repomd

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// This file parses the big metadata files on several cores. The
// decompressed stream is cut into chunks of whole <package> elements (a cut
// goes right after a "</package>" that is not inside a comment or CDATA
// section); each chunk is scanned in place by one of a few workers, and the
// results are put back in file order. The first chunk carries the XML
// declaration and the opening root tag, the last one the closing root tag;
// the scanner is told that the root is already open (or may stay open) at
// a chunk's edges, so every other well-formedness check still holds.

// chunkSize is a variable so tests can force many small chunks.
var chunkSize = 512 << 10

type chunk struct {
	index     int
	data      []byte
	startLine int    // line number of data[0]
	first     bool   // holds the document start
	last      bool   // holds the document end
	root      []byte // name of the root element, open at the chunk's start unless first
}

// chunkWorkers is how many chunks are parsed at once.
func chunkWorkers() int {
	n := runtime.GOMAXPROCS(0)
	if n > 4 {
		n = 4
	}
	return n
}

// scanner returns a scanner over the chunk's bytes.
func (c *chunk) scanner(name string) *xmlScanner {
	s := &xmlScanner{file: name, buf: c.data, end: len(c.data), eof: true, lineBase: c.startLine - 1}
	if !c.first && len(c.root) > 0 {
		s.pushName(c.root)
		s.depth = 1
	}
	s.allowOpenEOF = !c.last
	// Chunks end after "</package>", never inside a character.
	if i := badChar(c.data); i >= 0 {
		s.badCharAt(i)
	}
	return s
}

// parseChunks cuts rd into chunks and calls parse(worker, chunk) for each,
// on up to chunkWorkers goroutines; worker numbers a goroutine so parse
// can keep per-goroutine state. It returns rd's read error if any, else
// the first parse error in file order.
func parseChunks(rd io.Reader, name string, workers int, parse func(worker int, c *chunk) error) error {
	if workers < 1 {
		workers = 1
	}
	// One chunk waits while the workers parse theirs and the reader fills
	// the next: every buffer in flight is memory the load holds at its
	// peak, and a longer queue gains nothing once the workers are busy.
	work := make(chan *chunk, 1)
	free := make(chan []byte, workers+2) // parsed chunks' buffers, for reuse
	var (
		mu   sync.Mutex
		errs = map[int]error{}
		wg   sync.WaitGroup
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if err := parseRecovered(parse, w, c, name); err != nil {
					mu.Lock()
					errs[c.index] = err
					mu.Unlock()
				}
				// parse copies what it keeps: the buffer can be reused.
				select {
				case free <- c.data[:0]:
				default:
				}
			}
		}()
	}
	readErr := splitChunks(rd, name, free, workers+2, func(c *chunk) { work <- c })
	close(work)
	wg.Wait()
	// A read error (truncated file, checksum mismatch) explains the parse
	// errors that follow from it: report it first.
	if readErr != nil {
		return readErr
	}
	first := -1
	for i := range errs {
		if first < 0 || i < first {
			first = i
		}
	}
	if first >= 0 {
		return errs[first]
	}
	return nil
}

// splitChunks reads rd and hands out chunks that end after a </package>.
// At most maxOut emitted buffers are out (parsing or queued) at a time:
// with that many out, it waits for one to come back on free rather than
// allocate another, so a reader faster than the parsers does not fill
// memory with chunks.
func splitChunks(rd io.Reader, name string, free chan []byte, maxOut int, emit func(*chunk)) error {
	var (
		pending []byte // bytes not yet emitted
		root    []byte
		index   int
		line    = 1
		readErr error
		out     int // emitted buffers not yet taken back from free
	)
	for readErr == nil {
		var buf []byte
		if out >= maxOut {
			buf = <-free
			out--
		} else {
			select {
			case buf = <-free:
				out--
			default:
			}
		}
		if len(pending) > MaxXMLToken {
			return fmt.Errorf("%s:%d: no </package> within the limit of %d MiB (one package that large, or not rpm-md)", name, line, MaxXMLToken>>20)
		}
		if cap(buf) < len(pending)+chunkSize/2 {
			// A reused buffer is good while it has room for half a
			// chunk after the pending bytes; new ones get an eighth
			// more than a chunk, so the next pending tail (usually part
			// of one package) fits and buffers are reused rather than
			// allocated per chunk. Grow geometrically: a chunk that
			// holds one huge package (a description of 100 MB) must
			// not be copied once per chunkSize it spans.
			buf = make([]byte, 0, max(len(pending)+chunkSize+chunkSize/8, 2*cap(pending)))
		}
		buf = append(buf[:0], pending...)
		n, err := readFull(rd, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err != nil {
			readErr = err
		}
		cut := len(buf)
		if readErr == nil {
			cut = safeCut(buf)
			if cut < 0 {
				pending = buf // no safe cut yet: grow the chunk
				continue
			}
		}
		c := &chunk{index: index, data: buf[:cut], startLine: line, first: index == 0, last: readErr != nil}
		if index == 0 {
			root = append([]byte(nil), rootName(c.data)...)
		}
		c.root = root
		line += bytes.Count(c.data, []byte{'\n'})
		pending = buf[cut:]
		emit(c)
		out++
		index++
	}
	if readErr == io.EOF {
		return nil
	}
	return readErr
}

var endPackage = []byte("</package>")

// safeCut returns the offset just after the last "</package>" in b that is
// not inside a comment or CDATA section, or -1.
func safeCut(b []byte) int {
	end := bytes.LastIndex(b, endPackage)
	if end < 0 {
		return -1
	}
	cut := end + len(endPackage)
	// A "<!" before the cut must be closed before it. rpm-md rarely has
	// any; '!' is rare in XML while '<' is everywhere, so look for it.
	if !hasDeclaration(b[:cut]) {
		return cut
	}
	if bang := bytes.LastIndex(b[:cut], []byte("<!")); bang >= 0 {
		rest := b[bang:cut]
		var term []byte
		switch {
		case bytes.HasPrefix(rest, []byte("<!--")):
			term = []byte("-->")
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			term = []byte("]]>")
		default:
			term = []byte(">")
		}
		if !bytes.Contains(rest[2:], term) {
			return -1
		}
	}
	return cut
}

// hasDeclaration reports whether b contains "<!".
func hasDeclaration(b []byte) bool {
	for i := 1; i < len(b); {
		k := bytes.IndexByte(b[i:], '!')
		if k < 0 {
			return false
		}
		if b[i+k-1] == '<' {
			return true
		}
		i += k + 1
	}
	return false
}

// rootName finds the name of the document's root element in the first
// chunk, for the scanners of the following chunks.
func rootName(b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '<')
		if i < 0 || i+1 >= len(b) {
			return nil
		}
		b = b[i:]
		switch b[1] {
		case '?':
			e := bytes.Index(b, []byte("?>"))
			if e < 0 {
				return nil
			}
			b = b[e+2:]
			continue
		case '!':
			var term []byte
			if bytes.HasPrefix(b, []byte("<!--")) {
				term = []byte("-->")
			} else {
				term = []byte(">")
			}
			e := bytes.Index(b[2:], term)
			if e < 0 {
				return nil
			}
			b = b[2+e+len(term):]
			continue
		}
		j := 1
		for j < len(b) && !nameEndTab[b[j]] {
			j++
		}
		return b[1:j]
	}
}

// parseRecovered runs parse, turning a panic into an error naming the
// file: a worker goroutine's panic could not be caught anywhere else and
// would end the process with a Go trace.
func parseRecovered(parse func(int, *chunk) error, w int, c *chunk, name string) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%s:%d: internal error while parsing: %v", name, c.startLine, v)
		}
	}()
	return parse(w, c)
}
