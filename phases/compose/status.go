package compose

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pungo/pungo/internal/atomicfile"
)

// Statuses a compose's STATUS file can hold.
const (
	StatusStarted            = "STARTED"
	StatusFinished           = "FINISHED"
	StatusFinishedIncomplete = "FINISHED_INCOMPLETE"
	StatusDoomed             = "DOOMED"
	StatusTerminated         = "TERMINATED"
)

// StatusFile is a compose's STATUS file (<topdir>/STATUS).
type StatusFile struct {
	Path string
}

// NewStatusFile is the STATUS file of the compose in topdir.
func NewStatusFile(topdir string) StatusFile {
	return StatusFile{Path: filepath.Join(topdir, "STATUS")}
}

// Read returns the current status ("" when none was written).
func (f StatusFile) Read() string {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// Write replaces the status (temp file, then rename).
func (f StatusFile) Write(status string) error {
	if err := atomicfile.WriteFile(f.Path, []byte(status+"\n"), 0o644); err != nil {
		// A full disk has no room for the temporary copy (a compose that
		// filled it stayed STARTED). Rewritten in place, as Pungi writes
		// it, the file reuses its own block.
		if os.WriteFile(f.Path, []byte(status+"\n"), 0o644) != nil {
			return err
		}
	}
	return nil
}

// StandardStatus reports whether status is one Pungi writes without a
// warning.
func StandardStatus(status string) bool {
	switch status {
	case StatusStarted, StatusFinished, StatusDoomed, StatusTerminated:
		return true
	}
	return false
}

// NextStatus is Pungi's write_status rule for going from status old to
// status: a FINISHED compose cannot change any more, and FINISHED becomes
// FINISHED_INCOMPLETE when a failable deliverable failed (failed > 0).
// change is false when the status stays as it is.
func NextStatus(old, status string, failed int) (next string, change bool, err error) {
	if status == old {
		return old, false, nil
	}
	if old == StatusFinished {
		return old, false, errors.New("Could not modify a FINISHED compose")
	}
	if status == StatusFinished && failed > 0 {
		status = StatusFinishedIncomplete
	}
	return status, true, nil
}

// Status returns the compose's current STATUS ("" when none was written).
func (c *Compose) Status() string { return c.StatusFile.Read() }

// WriteStatus records a new status as Pungi's write_status (NextStatus):
// logs/global/deliverables.json is rewritten and a status-change
// notification is sent.
func (c *Compose) WriteStatus(status string) error {
	if !StandardStatus(status) {
		c.Log.Warningf("Writing nonstandard compose status: %s", status)
	}
	status, change, err := NextStatus(c.Status(), status, c.deliverables.FailedCount())
	if err != nil {
		msg := fmt.Sprintf("%v: %s", err, c.Topdir)
		c.Log.Errorf("%s", msg)
		return errors.New(msg)
	}
	if !change {
		return nil
	}
	if err := c.logDeliverables(); err != nil {
		c.Log.Warningf("cannot write deliverables.json: %v", err)
	}
	if err := c.StatusFile.Write(status); err != nil {
		return err
	}
	c.Notifier.Send("status-change", map[string]any{"status": status})
	return nil
}
