package zck

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// readHeader has zck_read_header verify the whole file (-f: header, data
// and chunk checksums) and returns its header fields, the dictionary
// chunk's uncompressed size and the data chunks' uncompressed sizes.
func readHeader(t *testing.T, path string) (header map[string]string, dict int, sizes []int) {
	t.Helper()
	out, err := exec.Command("zck_read_header", "-f", "-c", path).CombinedOutput()
	if err != nil {
		t.Fatalf("zck_read_header -f -c %s: %v\n%s", path, err, out)
	}
	header = map[string]string{}
	row := regexp.MustCompile(`^\s+(\d+)\s+([0-9a-f]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([+-])$`)
	for _, line := range strings.Split(string(out), "\n") {
		if m := row.FindStringSubmatch(line); m != nil {
			if m[6] != "+" {
				t.Errorf("%s: chunk %s fails verification", path, m[1])
			}
			n, _ := strconv.Atoi(m[5])
			if m[1] == "0" {
				dict = n
				continue
			}
			sizes = append(sizes, n)
		} else if k, v, ok := strings.Cut(line, ": "); ok {
			header[k] = v
		}
	}
	return header, dict, sizes
}

func unzck(t *testing.T, path string) []byte {
	t.Helper()
	out, err := exec.Command("unzck", "-c", path).Output()
	if err != nil {
		t.Fatalf("unzck %s: %v", path, err)
	}
	return out
}

func TestWriterAgainstZchunkTools(t *testing.T) {
	toolcheck.Need(t, "unzck", "zck_read_header", "zck", "zck_gen_zdict")
	dir := t.TempDir()
	// A dictionary as Fedora makes them: zck_gen_zdict over a chunked
	// sample file.
	var sample bytes.Buffer
	for i := 0; i < 400; i++ {
		fmt.Fprintf(&sample, "<package type=\"rpm\"><name>pkg%d</name><arch>x86_64</arch><version epoch=\"0\" ver=\"1.%d\" rel=\"1\"/></package>\n", i, i%7)
	}
	samplePath := filepath.Join(dir, "sample.xml")
	os.WriteFile(samplePath, sample.Bytes(), 0o644)
	if out, err := exec.Command("zck", "-m", "-s", "<package", "-o", samplePath+".zck", samplePath).CombinedOutput(); err != nil {
		t.Fatalf("zck: %v\n%s", err, out)
	}
	os.Mkdir(filepath.Join(dir, "chunks"), 0o755)
	gen := exec.Command("zck_gen_zdict", "-d", filepath.Join(dir, "chunks"), samplePath+".zck")
	gen.Dir = dir
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("zck_gen_zdict: %v\n%s", err, out)
	}
	trained, err := os.ReadFile(filepath.Join(dir, "sample.xml.zdict"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := func(i int) string {
		return fmt.Sprintf("<package type=\"rpm\"><name>pkg%d</name><arch>noarch</arch><version epoch=\"0\" ver=\"2.%d\" rel=\"3\"/></package>\n", i, i)
	}
	tests := []struct {
		name   string
		dict   []byte
		max    int
		chunks []string // each ended with EndChunk
		want   []int    // uncompressed chunk sizes
		spool  bool
	}{
		{name: "empty file"},
		{name: "one chunk", chunks: []string{chunk(1)}, want: []int{len(chunk(1))}},
		{name: "many chunks, an empty one skipped", chunks: []string{"<head>\n", chunk(1), "", chunk(2) + chunk(3), "</tail>\n"},
			want: []int{7, len(chunk(1)), len(chunk(2) + chunk(3)), 8}},
		{name: "cut at the maximum", max: 50, chunks: []string{strings.Repeat("x", 120)}, want: []int{50, 50, 20}},
		{name: "trained dictionary", dict: trained, chunks: []string{chunk(1), chunk(2), chunk(3)},
			want: []int{len(chunk(1)), len(chunk(2)), len(chunk(3))}, spool: true},
		{name: "raw dictionary", dict: []byte(strings.Repeat(chunk(9), 20)), chunks: []string{chunk(4), chunk(5)},
			want: []int{len(chunk(4)), len(chunk(5))}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("%d.zck", i))
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			opts := Options{Dict: tt.dict, MaxChunk: tt.max}
			if tt.spool {
				if opts.Spool, err = os.CreateTemp(dir, "spool"); err != nil {
					t.Fatal(err)
				}
				defer opts.Spool.Close()
			}
			w, err := NewWriter(f, opts)
			if err != nil {
				t.Fatal(err)
			}
			var plain []byte
			for _, c := range tt.chunks {
				w.WriteString(c)
				plain = append(plain, c...)
				if err := w.EndChunk(); err != nil {
					t.Fatal(err)
				}
			}
			hdr, err := w.Close()
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			header, dict, sizes := readHeader(t, path)
			if fmt.Sprint(sizes) != fmt.Sprint(tt.want) {
				t.Errorf("chunk sizes %v, want %v", sizes, tt.want)
			}
			if dict != len(tt.dict) {
				t.Errorf("dictionary chunk of %d bytes, want %d", dict, len(tt.dict))
			}
			if header["Header checksum"] != hex.EncodeToString(hdr.Checksum[:]) || header["Header size"] != strconv.FormatInt(hdr.Size, 10) {
				t.Errorf("header %v, Close said %d %x", header, hdr.Size, hdr.Checksum)
			}
			if hdr.Chunks != len(tt.want)+1 {
				t.Errorf("Close counted %d chunks, want %d", hdr.Chunks, len(tt.want)+1)
			}
			if got := unzck(t, path); !bytes.Equal(got, plain) {
				t.Errorf("unzck gives %q, want %q", got, plain)
			}
			data, _ := os.ReadFile(path)
			if got, err := Decode(data); err != nil || !bytes.Equal(got, plain) {
				t.Errorf("Decode: %q, %v; want %q", got, err, plain)
			}
			// libzck's own writer, with the same dictionary, is read back too.
			os.WriteFile(path+".plain", plain, 0o644)
			args := []string{"-m", "-o", path + ".libzck"}
			if tt.dict != nil {
				os.WriteFile(path+".dict", tt.dict, 0o644)
				args = append(args, "-D", path+".dict")
			}
			if out, err := exec.Command("zck", append(args, path+".plain")...).CombinedOutput(); err != nil {
				t.Fatalf("zck: %v\n%s", err, out)
			}
			data, _ = os.ReadFile(path + ".libzck")
			if got, err := Decode(data); err != nil || !bytes.Equal(got, plain) {
				t.Errorf("Decode of libzck's file: %q, %v; want %q", got, err, plain)
			}
			data[len(data)-1] ^= 1
			if _, err := Decode(data); len(plain) > 0 && err == nil {
				t.Error("Decode of a damaged file: no error")
			}
		})
	}
}

func TestCompressedIntegers(t *testing.T) {
	for _, tt := range []struct {
		v    uint64
		want string
	}{{0, "80"}, {1, "81"}, {127, "ff"}, {128, "0081"}, {195, "4381"}, {16384, "000081"}} {
		if got := hex.EncodeToString(appendCI(nil, tt.v)); got != tt.want {
			t.Errorf("%d: %s, want %s", tt.v, got, tt.want)
		}
	}
}
