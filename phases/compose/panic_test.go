package compose

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pungo/pungo/internal/guard"
)

// panicPhase panics in its own goroutine, in one of its tasks or in a
// worker goroutine guarded by internal/guard.
type panicPhase struct {
	name   string
	inTask bool
	worker bool
}

func (p *panicPhase) Name() string       { return p.name }
func (p *panicPhase) Skip(*Compose) bool { return false }
func (p *panicPhase) Run(ctx context.Context, c *Compose) error {
	if p.worker {
		done := make(chan error)
		guard.Go(func() error { panic("boom in a worker") }, func(err error) { done <- err })
		return fmt.Errorf("Server.x86_64: %w", <-done)
	}
	if !p.inTask {
		var s []string
		_ = s[3] // index out of range, as packagePath's file[:1] was
	}
	return c.RunTasks(ctx, p.name, []Task{{Name: "Server.x86_64", Run: func(context.Context) error {
		panic("boom in a task")
	}}}, 2)
}

// TestPhasePanicIsAnError: a panicking phase or task fails the run with a
// one-line error naming where, and the trace lands in
// logs/global/traceback.global.log (as pungi-koji's traceback log).
func TestPhasePanicIsAnError(t *testing.T) {
	for _, tt := range []struct {
		inTask, worker bool
		where          string
	}{
		{false, false, "internal error in gather phase: runtime error: index out of range"},
		{true, false, "internal error in gather: Server.x86_64: boom in a task"},
		{false, true, "gather phase: Server.x86_64: internal error: boom in a worker (traceback in "},
	} {
		c := newTestCompose(t, baseConf())
		phases := map[string]Phase{"init": &fakePhase{name: "init"}, "pkgset": &fakePhase{name: "pkgset"},
			"gather": &panicPhase{name: "gather", inTask: tt.inTask, worker: tt.worker}, "createrepo": &fakePhase{name: "createrepo"}}
		err := NewRunner(c, phases).Run(context.Background())
		var pe *PanicError
		var gp *guard.PanicError
		if err == nil || !(errors.As(err, &pe) || tt.worker && errors.As(err, &gp)) || !strings.Contains(err.Error(), tt.where) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("err = %v, want one line containing %q", err, tt.where)
		}
		tb, rerr := os.ReadFile(c.Paths.Log.LogFile("", "traceback"))
		if rerr != nil || (pe == nil || pe.Traceback == "") && !tt.worker || !strings.Contains(string(tb), "goroutine") || !strings.Contains(string(tb), "panic_test.go") {
			t.Errorf("traceback log %q: %v\n%s", pe.Traceback, rerr, tb)
		}
		if phases["createrepo"].(*fakePhase).ran {
			t.Error("createrepo ran after gather panicked")
		}
	}
}
