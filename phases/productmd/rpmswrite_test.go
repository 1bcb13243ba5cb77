package productmd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestRpmsStreamedEqualsMarshalIndent checks that the streamed rpms.json is
// byte for byte what the generic map-based rendering gives, for empty
// documents, nested levels, null and set sigkeys and strings needing escapes.
func TestRpmsStreamedEqualsMarshalIndent(t *testing.T) {
	type add struct{ variant, arch, nevra, path, sigkey, category, srpm string }
	tests := []struct {
		name string
		adds []add
	}{
		{name: "empty"},
		{name: "one source", adds: []add{{"Server", "x86_64", "a-0:1-1.src", "Server/source/tree/Packages/a-1-1.src.rpm", "", "source", ""}}},
		{name: "several levels", adds: []add{
			{"Server", "x86_64", "a-0:1-1.x86_64", "Server/x86_64/os/Packages/a-1-1.x86_64.rpm", "abcd1234", "binary", "a-0:1-1.src"},
			{"Server", "x86_64", "a-debuginfo-0:1-1.x86_64", "Server/x86_64/debug/tree/Packages/a-debuginfo-1-1.x86_64.rpm", "", "debug", "a-0:1-1.src"},
			{"Server", "x86_64", "a-0:1-1.src", "Server/source/tree/Packages/a-1-1.src.rpm", "abcd1234", "source", ""},
			{"Server", "aarch64", "b-2:3-4.aarch64", "Server/aarch64/os/Packages/b-3-4.aarch64.rpm", "", "binary", "b-2:3-4.src"},
			{"Client", "x86_64", "c<&>\"q\"-0:1-1.x86_64", "Client/x86_64/os/Packages/é\\x.rpm", "k\u2028", "binary", "c-0:1-1.src"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Rpms{Compose: ComposeSection{ID: "D-1-20240101.t.0", Type: "test", Date: "20240101", Respin: 0, Label: "X-1.0"}}
			for _, a := range tt.adds {
				if err := r.Add(a.variant, a.arch, a.nevra, a.path, a.sigkey, a.category, a.srpm); err != nil {
					t.Fatal(err)
				}
			}
			want, err := MarshalIndent(r)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			if err := r.writeIndented(&got); err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("streamed:\n%s\nwant:\n%s", got.String(), want)
			}
			path := filepath.Join(t.TempDir(), "rpms.json")
			if err := WriteJSON(path, r); err != nil {
				t.Fatal(err)
			}
			if data, _ := os.ReadFile(path); string(data) != string(want) {
				t.Errorf("WriteJSON did not write the streamed document")
			}
		})
	}
}
