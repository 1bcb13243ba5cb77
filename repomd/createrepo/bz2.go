package createrepo

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/dsnet/compress/bzip2"
	"github.com/pungo/pungo/internal/guard"
)

// bz2Writer compresses one single-stream .bz2 file on all CPUs: the input
// is cut into chunks small enough that the encoder (the system's libbz2,
// else dsnet/compress/bzip2) codes each as exactly one block, the chunks
// are compressed concurrently, and the blocks are spliced bit by bit into
// one stream whose combined CRC is recomputed. The output is an ordinary
// bzip2 stream (as lbzip2 writes), so readers that stop after the first
// stream (libbz2's BZ2_bzRead, as libsolv uses it) see everything.
type bz2Writer struct {
	w       io.Writer
	chunk   []byte
	pending []*bz2Job // in input order
	sem     chan struct{}
	out     bitWriter
	crc     uint32 // combined stream CRC
	err     error
}

// Chunks are coded at block size 5 (createrepo_c's level): a level-5 block
// holds 500,000 bytes after bzip2's first run-length stage (libbz2 cuts it
// at 499,981, dsnet at 500,000), and that stage can grow input by a
// quarter (runs of exactly four bytes); 399,000 input bytes therefore
// always make a single block. On the tiny corpus's three databases level
// 5 in 399,000-byte chunks took 6% fewer instructions than level 1 in
// 79,000-byte chunks and its output was 12% smaller (515 kB, as
// createrepo_c's 511 kB): filelists and other repeat themselves at
// distances a 100 kB block does not see.
const (
	bz2Level = 5
	bz2Chunk = 399000
)

type bz2Job struct {
	done   chan struct{}
	stream []byte
	err    error
}

func newBz2Writer(w io.Writer) *bz2Writer {
	z := &bz2Writer{w: w, sem: make(chan struct{}, runtime.GOMAXPROCS(0))}
	z.out.bytes([]byte{'B', 'Z', 'h', '0' + bz2Level})
	return z
}

var bz2Pool = sync.Pool{New: func() any {
	zw, _ := bzip2.NewWriter(io.Discard, &bzip2.WriterConfig{Level: bz2Level})
	return zw
}}

// bz2Encode is bz2Stream; the tests swap in dsnetStream.
var bz2Encode = bz2Stream

// bz2Stream compresses one chunk as a complete one-block stream: with the
// system's libbz2 when it loads (1.5 times faster than dsnet on sqlite
// pages), else with dsnet.
func bz2Stream(data []byte) ([]byte, error) {
	if s, ok, err := libbz2Chunk(nil, data, bz2Level); ok {
		return s, err
	}
	return dsnetStream(data)
}

func dsnetStream(data []byte) ([]byte, error) {
	zw := bz2Pool.Get().(*bzip2.Writer)
	defer bz2Pool.Put(zw)
	var buf bytes.Buffer
	zw.Reset(&buf)
	if _, err := zw.Write(data); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (z *bz2Writer) Write(b []byte) (int, error) {
	if z.err != nil {
		return 0, z.err
	}
	n := len(b)
	for len(b) > 0 {
		room := bz2Chunk - len(z.chunk)
		if room > len(b) {
			room = len(b)
		}
		z.chunk = append(z.chunk, b[:room]...)
		b = b[room:]
		if len(z.chunk) == bz2Chunk {
			if err := z.dispatch(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

// dispatch starts compressing the current chunk and splices whatever
// finished chunks lead the queue.
func (z *bz2Writer) dispatch() error {
	data := z.chunk
	z.chunk = make([]byte, 0, bz2Chunk)
	j := &bz2Job{done: make(chan struct{})}
	z.pending = append(z.pending, j)
	z.sem <- struct{}{}
	go func() {
		defer func() { <-z.sem; close(j.done) }()
		j.err = guard.Call(func() (err error) {
			j.stream, err = bz2Encode(data)
			return err
		})
	}()
	// Keep at most two chunks per CPU in flight.
	for len(z.pending) > 2*cap(z.sem) {
		if err := z.spliceFirst(); err != nil {
			return err
		}
	}
	return nil
}

func (z *bz2Writer) spliceFirst() error {
	j := z.pending[0]
	z.pending = z.pending[1:]
	<-j.done
	if j.err != nil {
		z.err = j.err
		return j.err
	}
	blockCRC, start, end, err := bz2Block(j.stream)
	if err != nil {
		z.err = err
		return err
	}
	if z.out.buf == nil {
		// One allocation for the block (it is at most the chunk stream's
		// size) rather than append's doublings.
		z.out.buf = make([]byte, 0, len(j.stream))
	}
	z.out.copyBits(j.stream, start, end)
	z.crc = (z.crc<<1 | z.crc>>31) ^ blockCRC
	if _, err := z.w.Write(z.out.take()); err != nil {
		z.err = err
	}
	return z.err
}

func (z *bz2Writer) Close() error {
	if z.err != nil {
		return z.err
	}
	if len(z.chunk) > 0 {
		if err := z.dispatch(); err != nil {
			return err
		}
	}
	for len(z.pending) > 0 {
		if err := z.spliceFirst(); err != nil {
			return err
		}
	}
	z.out.bits(0x177245385090, 48)
	z.out.bits(uint64(z.crc), 32)
	z.out.flush()
	_, err := z.w.Write(z.out.take())
	return err
}

// bz2Block finds the single block of a one-block stream: its CRC and its
// bit range, between the 4-byte stream header and the end-of-stream marker
// (48-bit magic, 32-bit CRC, zero padding to a byte).
func bz2Block(s []byte) (crc uint32, start, end int, err error) {
	if len(s) < 4+10+10 || string(s[:3]) != "BZh" {
		return 0, 0, 0, fmt.Errorf("bzip2: unexpected chunk stream")
	}
	bit := func(i int) uint64 { return uint64(s[i/8]>>(7-i%8)) & 1 }
	read := func(from, n int) uint64 {
		var v uint64
		for i := 0; i < n; i++ {
			v = v<<1 | bit(from+i)
		}
		return v
	}
	if read(32, 48) != 0x314159265359 {
		return 0, 0, 0, fmt.Errorf("bzip2: chunk stream does not start with a block")
	}
	crc = uint32(read(80, 32))
	total := len(s) * 8
	for pad := 0; pad < 8; pad++ {
		eos := total - pad - 80
		if read(eos, 48) == 0x177245385090 && uint32(read(eos+48, 32)) == crc && read(total-pad, pad) == 0 {
			return crc, 32, eos, nil
		}
	}
	return 0, 0, 0, fmt.Errorf("bzip2: chunk stream holds more than one block")
}

// bitWriter packs bits most significant first, as bzip2 does.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint // bits in acc
}

func (w *bitWriter) bits(v uint64, n uint) {
	for n > 0 {
		take := n
		if take > 56-w.nacc {
			take = 56 - w.nacc
		}
		n -= take
		w.acc = w.acc<<take | (v>>n)&(1<<take-1)
		w.nacc += take
		for w.nacc >= 8 {
			w.nacc -= 8
			w.buf = append(w.buf, byte(w.acc>>w.nacc))
		}
	}
}

func (w *bitWriter) bytes(b []byte) {
	for _, c := range b {
		w.bits(uint64(c), 8)
	}
}

// copyBits appends bits [start, end) of src.
func (w *bitWriter) copyBits(src []byte, start, end int) {
	for start < end && start%8 != 0 {
		w.bits(uint64(src[start/8]>>(7-start%8))&1, 1)
		start++
	}
	for start+64 <= end {
		w.bits(binary.BigEndian.Uint64(src[start/8:])>>32, 32)
		w.bits(binary.BigEndian.Uint64(src[start/8:])&0xffffffff, 32)
		start += 64
	}
	for start+8 <= end {
		w.bits(uint64(src[start/8]), 8)
		start += 8
	}
	for start < end {
		w.bits(uint64(src[start/8]>>(7-start%8))&1, 1)
		start++
	}
}

// flush pads the last byte with zero bits.
func (w *bitWriter) flush() {
	if w.nacc > 0 {
		w.bits(0, 8-w.nacc%8)
	}
}

// take returns the completed bytes and forgets them.
func (w *bitWriter) take() []byte {
	b := w.buf
	w.buf = nil
	return b
}
