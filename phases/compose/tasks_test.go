package compose

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

// TaskRunner needs no compose: tasks run, a failure cancels what has not
// started, and a panic becomes the error its Recover makes.
func TestTaskRunner(t *testing.T) {
	recoverTo := func(where string, errp *error) {
		if v := recover(); v != nil {
			*errp = fmt.Errorf("panic in %s: %v", where, v)
		}
	}
	var ran atomic.Int32
	ok := Task{"ok", func(context.Context) error { ran.Add(1); return nil }}
	tests := []struct {
		name    string
		tasks   []Task
		workers int
		want    string // error, "" for none
		ran     int32
	}{
		{"all run", []Task{ok, ok, ok}, 0, "", 3},
		{"failure named", []Task{{"bad", func(context.Context) error { return errors.New("broken") }}}, 1, "bad: broken", 0},
		{"failure stops the queue", []Task{{"bad", func(context.Context) error { return errors.New("broken") }}, ok, ok}, 1, "bad: broken", 0},
		{"panic caught", []Task{{"Server.x86_64", func(context.Context) error { panic("boom") }}}, 2, "Server.x86_64: panic in gather: Server.x86_64: boom", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ran.Store(0)
			err := TaskRunner{Recover: recoverTo}.Run(context.Background(), "gather", tt.tasks, tt.workers)
			if got := fmt.Sprint(err); tt.want == "" && err != nil || tt.want != "" && got != tt.want {
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if n := ran.Load(); n != tt.ran {
				t.Errorf("%d tasks ran, want %d", n, tt.ran)
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (TaskRunner{}).Run(ctx, "gather", []Task{ok}, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled from outside: %v", err)
	}
}
