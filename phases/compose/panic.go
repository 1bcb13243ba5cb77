package compose

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"time"

	"github.com/pungo/pungo/internal/guard"
)

// This file turns a panic inside a compose into a failure: the compose
// ends DOOMED with a one-line error, and the Go trace goes to
// logs/global/traceback.global.log, where pungi-koji writes the Python
// traceback of an exception, instead of onto the user's terminal.

// PanicError is a panic caught in a phase, a task or the compose driver.
type PanicError struct {
	Where     string // "gather phase", "gather: Server.x86_64", …
	Value     any    // what was passed to panic
	Traceback string // the file holding the trace; "" if it could not be written
}

func (e *PanicError) Error() string {
	if e.Traceback == "" {
		return fmt.Sprintf("internal error in %s: %v", e.Where, e.Value)
	}
	return fmt.Sprintf("internal error in %s: %v (traceback in %s)", e.Where, e.Value, e.Traceback)
}

// RecoverPanic, deferred directly, turns a panic of the calling goroutine
// into a *PanicError stored in *errp and appends the trace to the
// compose's traceback log. Goroutines a phase starts itself must defer it
// too: a panic cannot be caught from another goroutine.
func (c *Compose) RecoverPanic(where string, errp *error) {
	v := recover()
	if v == nil {
		return
	}
	pe := &PanicError{Where: where, Value: v, Traceback: c.writeTraceback(where, v, debug.Stack())}
	if c != nil && c.Log != nil {
		c.Log.Errorf("%v", pe)
	}
	*errp = pe
}

// writeTraceback appends a panic's trace to the compose's traceback log
// and returns the log's path, "" when it could not be written.
func (c *Compose) writeTraceback(where string, v any, stack []byte) string {
	if c == nil || c.Paths == nil {
		return ""
	}
	path := c.Paths.Log.LogFile("", "traceback")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return ""
	}
	_, werr := fmt.Fprintf(f, "%s: panic in %s: %v\n%s\n", time.Now().Format("2006-01-02 15:04:05"), where, v, stack)
	if cerr := f.Close(); werr != nil || cerr != nil {
		return ""
	}
	return path
}

// traceWorkerPanic writes the trace of a worker goroutine's panic that
// err carries (a *guard.PanicError, recovered where it happened and
// returned as an error) to the traceback log and names the log in the
// error; other errors are returned as they are.
func (c *Compose) traceWorkerPanic(where string, err error) error {
	var gp *guard.PanicError
	if !errors.As(err, &gp) {
		return err
	}
	if path := c.writeTraceback(where, gp.Value, gp.Stack); path != "" {
		return fmt.Errorf("%w (traceback in %s)", err, path)
	}
	return err
}
