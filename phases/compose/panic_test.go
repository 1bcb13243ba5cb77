package compose

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
)

// panicPhase panics in its own goroutine or in one of its tasks.
type panicPhase struct {
	name   string
	inTask bool
}

func (p *panicPhase) Name() string       { return p.name }
func (p *panicPhase) Skip(*Compose) bool { return false }
func (p *panicPhase) Run(ctx context.Context, c *Compose) error {
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
		inTask bool
		where  string
	}{
		{false, "internal error in gather phase: runtime error: index out of range"},
		{true, "internal error in gather: Server.x86_64: boom in a task"},
	} {
		c := newTestCompose(t, baseConf())
		phases := map[string]Phase{"init": &fakePhase{name: "init"}, "pkgset": &fakePhase{name: "pkgset"},
			"gather": &panicPhase{name: "gather", inTask: tt.inTask}, "createrepo": &fakePhase{name: "createrepo"}}
		err := NewRunner(c, phases).Run(context.Background())
		var pe *PanicError
		if err == nil || !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.where) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("err = %v, want one line containing %q", err, tt.where)
		}
		tb, rerr := os.ReadFile(c.Paths.Log.LogFile("", "traceback"))
		if rerr != nil || pe.Traceback == "" || !strings.Contains(string(tb), "goroutine") || !strings.Contains(string(tb), "panic_test.go") {
			t.Errorf("traceback log %q: %v\n%s", pe.Traceback, rerr, tb)
		}
		if phases["createrepo"].(*fakePhase).ran {
			t.Error("createrepo ran after gather panicked")
		}
	}
}
