package compose

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// OldComposeDirs lists the composes found in the --old-composes
// directories that can be reused: same release (short, version and the
// layered base product), STATUS FINISHED or FINISHED_INCOMPLETE, newest
// first (by name, which orders date and respin), the current compose
// excluded. Pungi looks for them the same way (find_old_compose).
func OldComposeDirs(c *Compose) []string {
	prefix := c.Info.Release.Short + "-" + c.Info.Release.Version
	var out []string
	for _, dir := range c.OldComposes {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			if !e.IsDir() || !strings.HasPrefix(e.Name(), prefix+"-") || strings.HasPrefix(e.Name(), "latest-") {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if abs, _ := filepath.Abs(p); abs == c.Topdir {
				continue
			}
			st, err := os.ReadFile(filepath.Join(p, "STATUS"))
			s := strings.TrimSpace(string(st))
			if err != nil || (s != StatusFinished && s != StatusFinishedIncomplete) {
				continue
			}
			out = append(out, p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return filepath.Base(out[i]) > filepath.Base(out[j]) })
	return out
}
