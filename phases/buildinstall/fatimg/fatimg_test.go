package fatimg

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() *FS {
	big := bytes.Repeat([]byte("0123456789abcdef"), 5000) // several clusters
	return &FS{Label: "ANACONDA", Files: map[string][]byte{
		"EFI/BOOT/grub.cfg":          []byte("search --no-floppy --set=root -l 'DEMO-1.0 Server.x86_64'\n"),
		"EFI/BOOT/BOOTX64.EFI":       big,
		"EFI/BOOT/fonts/unicode.pf2": []byte("font"),
		"a-very-long-file-name.conf": []byte("x"),
		"README":                     {},
	}, Dirs: map[string]bool{"EFI": true, "EFI/BOOT": true, "EFI/BOOT/fonts": true, "empty": true}}
}

func TestRoundTrip(t *testing.T) {
	for _, size := range []int64{1440 * 1024, 12 << 20} { // FAT12 and FAT16
		img, err := Build(sample(), size)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(img)) != size {
			t.Fatalf("size %d", len(img))
		}
		wantType := "FAT12   "
		if size > 4<<20 {
			wantType = "FAT16   "
		}
		if string(img[54:62]) != wantType || img[510] != 0x55 {
			t.Fatalf("boot sector type %q", img[54:62])
		}
		got, err := Read(img)
		if err != nil {
			t.Fatal(err)
		}
		want := sample()
		if got.Label != want.Label || !reflect.DeepEqual(got.Dirs, want.Dirs) {
			t.Errorf("label %q dirs %v", got.Label, got.Dirs)
		}
		for name, data := range want.Files {
			if !bytes.Equal(got.Files[name], data) {
				t.Errorf("%d: %s differs (%d bytes, want %d)", size, name, len(got.Files[name]), len(data))
			}
		}
		if len(got.Files) != len(want.Files) {
			t.Errorf("files %d, want %d", len(got.Files), len(want.Files))
		}
	}
}

func TestReplaceFiles(t *testing.T) {
	p := filepath.Join(t.TempDir(), "efiboot.img")
	if err := WriteFile(p, sample(), 2<<20); err != nil {
		t.Fatal(err)
	}
	newCfg := []byte(strings.Repeat("menuentry 'Install' { linux /images/pxeboot/vmlinuz inst.stage2=hd:LABEL=X inst.ks=hd:LABEL=X:/ks.cfg }\n", 40))
	done, err := ReplaceFiles(p, map[string][]byte{"EFI/BOOT/grub.cfg": newCfg, "EFI/BOOT/missing.cfg": []byte("no")})
	if err != nil || !reflect.DeepEqual(done, []string{"EFI/BOOT/grub.cfg"}) {
		t.Fatalf("replace: %v %v", done, err)
	}
	fs, err := ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(fs.Files["EFI/BOOT/grub.cfg"], newCfg) || len(fs.Files["EFI/BOOT/BOOTX64.EFI"]) != 80000 {
		t.Fatal("content not replaced or other files lost")
	}
	if _, ok := fs.Files["EFI/BOOT/missing.cfg"]; ok {
		t.Fatal("a file the image did not have was added")
	}
	if st, _ := os.Stat(p); st.Size() != 2<<20 {
		t.Fatalf("size changed to %d", st.Size())
	}
	if _, err := Read(make([]byte, 4096)); err == nil {
		t.Fatal("garbage accepted")
	}
}
