package createiso

import (
	"fmt"
	"os"
	"strings"

	"github.com/pungo/pungo/repomd/atomicfile"
)

// iniFile is an ordered INI document (.treeinfo), enough to edit a few
// keys and write it back.
type iniFile struct {
	sections []*iniSection
}

type iniSection struct {
	name string
	keys []string
	vals map[string]string
}

func parseINI(path string) (*iniFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := &iniFile{}
	var cur *iniSection
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			cur = f.section(line[1:len(line)-1], true)
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || cur == nil {
			return nil, fmt.Errorf("%s:%d: expected key = value inside a section", path, n+1)
		}
		cur.set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return f, nil
}

func (f *iniFile) section(name string, create bool) *iniSection {
	for _, s := range f.sections {
		if s.name == name {
			return s
		}
	}
	if !create {
		return nil
	}
	s := &iniSection{name: name, vals: map[string]string{}}
	f.sections = append(f.sections, s)
	return s
}

func (s *iniSection) set(k, v string) {
	if _, ok := s.vals[k]; !ok {
		s.keys = append(s.keys, k)
	}
	s.vals[k] = v
}

func (s *iniSection) del(k string) {
	if _, ok := s.vals[k]; !ok {
		return
	}
	delete(s.vals, k)
	for i, x := range s.keys {
		if x == k {
			s.keys = append(s.keys[:i], s.keys[i+1:]...)
			break
		}
	}
}

func (f *iniFile) String() string {
	var b strings.Builder
	for i, s := range f.sections {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "[%s]\n", s.name)
		for _, k := range s.keys {
			fmt.Fprintf(&b, "%s = %s\n", k, s.vals[k])
		}
	}
	return b.String()
}

// TweakTreeinfo writes the media's .treeinfo: the [media] section gets
// the disc number and count, boot.iso disappears from every images
// section and from the checksums, and with a new repomd checksum ("" to
// keep) repodata/repomd.xml is updated (a split disc has its own repodata).
func TweakTreeinfo(src, dst string, discNum, discCount int, repomdChecksum string) error {
	f, err := parseINI(src)
	if err != nil {
		return err
	}
	if discCount == 0 {
		discCount = 1
	}
	media := f.section("media", true)
	media.set("discnum", fmt.Sprint(discNum))
	media.set("totaldiscs", fmt.Sprint(discCount))
	sums := f.section("checksums", false)
	for _, s := range f.sections {
		if !strings.HasPrefix(s.name, "images-") {
			continue
		}
		if p, ok := s.vals["boot.iso"]; ok {
			s.del("boot.iso")
			if sums != nil {
				sums.del(p)
			}
		}
	}
	if repomdChecksum != "" && sums != nil {
		sums.set("repodata/repomd.xml", repomdChecksum)
	}
	return atomicfile.WriteFile(dst, []byte(f.String()), 0o644)
}

// BootISOPath is the tree's boot.iso as .treeinfo lists it for arch ("" when none).
func BootISOPath(treeinfo, arch string) string {
	f, err := parseINI(treeinfo)
	if err != nil {
		return ""
	}
	if s := f.section("images-"+arch, false); s != nil {
		return s.vals["boot.iso"]
	}
	return ""
}

// TweakDiscinfo writes the media's .discinfo with its own disc number.
func TweakDiscinfo(src, dst string, discNum int) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for len(lines) < 4 {
		lines = append(lines, "")
	}
	lines[3] = fmt.Sprint(discNum)
	return atomicfile.WriteFile(dst, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
