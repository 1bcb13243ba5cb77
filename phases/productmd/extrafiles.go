package productmd

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"
)

// ExtraFile is one entry of extra_files.json. The fields are in
// alphabetical order because productmd dumps with sorted keys.
type ExtraFile struct {
	Checksums map[string]string `json:"checksums"`
	File      string            `json:"file"`
	Size      int64             `json:"size"`
}

// ExtraFiles is metadata/extra_files.json: variant → arch → files, paths
// relative to compose/.
type ExtraFiles struct {
	Compose ComposeSection
	mu      sync.Mutex
	files   map[string]map[string][]ExtraFile
}

// Add records a file with productmd's checks.
func (x *ExtraFiles) Add(variant, arch, file string, size int64, checksums map[string]string) error {
	if variant == "" {
		return fmt.Errorf("extra_files: non-empty variant is expected")
	}
	if file == "" || strings.HasPrefix(file, "/") {
		return fmt.Errorf("extra_files: relative path expected: %q", file)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.files == nil {
		x.files = map[string]map[string][]ExtraFile{}
	}
	if x.files[variant] == nil {
		x.files[variant] = map[string][]ExtraFile{}
	}
	x.files[variant][arch] = append(x.files[variant][arch], ExtraFile{File: file, Size: size, Checksums: checksums})
	return nil
}

// MarshalJSON renders the productmd document.
func (x *ExtraFiles) MarshalJSON() ([]byte, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	files := x.files
	if files == nil {
		files = map[string]map[string][]ExtraFile{}
	}
	c := x.Compose
	c.Label = ""
	return json.Marshal(map[string]any{
		"header":  Header{Type: "productmd.extra_files", Version: FormatVersion},
		"payload": map[string]any{"compose": c.toJSON(), "extra_files": files},
	})
}

// ForTree renders the extra_files.json kept inside a tree: header version
// 1.0 and the tree's files with basepath stripped, as productmd's
// dump_for_tree.
func (x *ExtraFiles) ForTree(variant, arch, basepath string) ([]byte, error) {
	x.mu.Lock()
	var data []map[string]any
	for _, f := range x.files[variant][arch] {
		rel := strings.TrimPrefix(path.Clean(f.File), strings.TrimSuffix(basepath, "/")+"/")
		data = append(data, map[string]any{"file": rel, "size": f.Size, "checksums": f.Checksums})
	}
	x.mu.Unlock()
	if data == nil {
		data = []map[string]any{}
	}
	return MarshalIndent(map[string]any{"header": map[string]string{"version": "1.0"}, "data": data})
}
