// Package guard owns the one way pungo's worker goroutines fail on a bug:
// a panic in a goroutine can be recovered only in that goroutine, and an
// unrecovered one ends the process with a Go trace on the user's terminal.
// A worker defers Recover, its panic becomes a *PanicError carrying the
// trace, and the error travels the worker's usual error path; the command
// (cmd/pungo) or the compose (phases/compose) that finally reports it
// prints one line and writes the trace to a file.
package guard

import (
	"fmt"
	"runtime/debug"
)

// PanicError is a panic recovered in a worker goroutine.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the goroutine's trace where it panicked
}

func (e *PanicError) Error() string { return fmt.Sprintf("internal error: %v", e.Value) }

// Recover, deferred directly in a goroutine, stores its panic in *errp as
// a *PanicError; without a panic *errp is left alone.
func Recover(errp *error) {
	if v := recover(); v != nil {
		*errp = &PanicError{Value: v, Stack: debug.Stack()}
	}
}

// Call runs f in the calling goroutine and returns its error, or its
// panic as a *PanicError: a worker that loops over jobs calls each job
// this way and keeps serving the rest, so a producer never waits on a
// worker that died.
func Call(f func() error) (err error) {
	defer Recover(&err)
	return f()
}

// Go runs f in a new goroutine and calls done with f's error or its panic
// as a *PanicError; done runs in that goroutine, so it must be safe to
// call concurrently with the caller.
func Go(f func() error, done func(error)) {
	go func() {
		var err error
		defer func() { done(err) }()
		defer Recover(&err)
		err = f()
	}()
}
