package createrepo

import (
	"bytes"
	"io"
	"math/rand"
	"os/exec"
	"testing"

	"github.com/dsnet/compress/bzip2"
)

func TestBz2WriterRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	random := make([]byte, 300000)
	rng.Read(random)
	runs := bytes.Repeat([]byte("aaaab"), 100000)
	fours := bytes.Repeat([]byte("aaaabbbb"), bz2Chunk/4) // the worst case for bzip2's first RLE, two chunks
	cases := map[string][]byte{
		"empty":      nil,
		"small":      []byte("hello, bzip2\n"),
		"one chunk":  bytes.Repeat([]byte("x"), bz2Chunk),
		"random":     random,
		"four-runs":  runs,
		"only fours": fours,
		"text+zeros": append(bytes.Repeat([]byte("primary.sqlite page\n"), 20000), make([]byte, 500000)...),
	}
	defer func() { bz2Encode = bz2Stream }()
	for backend, encode := range map[string]func([]byte) ([]byte, error){"default": bz2Stream, "dsnet": dsnetStream} {
		bz2Encode = encode
		for name, data := range cases {
			name = backend + "/" + name
			var out bytes.Buffer
			z := newBz2Writer(&out)
			// Odd write sizes cross chunk boundaries.
			for b := data; len(b) > 0; {
				n := min(len(b), 7777)
				if _, err := z.Write(b[:n]); err != nil {
					t.Fatal(err)
				}
				b = b[n:]
			}
			if err := z.Close(); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r, err := bzip2.NewReader(bytes.NewReader(out.Bytes()), nil)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, data) {
				t.Errorf("%s: dsnet reads back %d bytes (err %v), want %d", name, len(got), err, len(data))
			}
			if path, err := exec.LookPath("bzip2"); err == nil {
				// The reference decoder checks the block and stream CRCs.
				cmd := exec.Command(path, "-dc")
				cmd.Stdin = bytes.NewReader(out.Bytes())
				got, err := cmd.Output()
				if err != nil || !bytes.Equal(got, data) {
					t.Errorf("%s: bzip2 -dc: %v, %d bytes", name, err, len(got))
				}
			}
		}
	}
}

// TestLibbz2Loads guards the fast path: where the bzip2 tool is installed,
// its shared library is too, and a cgo build must find it.
func TestLibbz2Loads(t *testing.T) {
	if _, err := exec.LookPath("bzip2"); err != nil {
		t.Skip("no bzip2 here")
	}
	if cgoEnabled && !libbz2() {
		t.Fatal("libbz2 did not load: sqlite databases are compressed with the slower dsnet encoder")
	}
}
