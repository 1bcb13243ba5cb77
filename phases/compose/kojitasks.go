package compose

import (
	"os"
	"path/filepath"
	"strconv"
)

// KojiTaskRecords is the directory where a compose notes the Koji tasks
// it started (logs/global/koji-tasks/), one empty file per task ID, so a
// terminated compose, or its operator, can cancel them.
type KojiTaskRecords struct {
	Dir string
}

// Record notes a task.
func (r KojiTaskRecords) Record(id int) error {
	if err := os.MkdirAll(r.Dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.Dir, strconv.Itoa(id)), nil, 0o644)
}

// IDs returns the recorded task IDs.
func (r KojiTaskRecords) IDs() []int {
	ents, _ := os.ReadDir(r.Dir)
	var ids []int
	for _, e := range ents {
		if id, err := strconv.Atoi(e.Name()); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}
