package compose

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// Task is one unit of work of a phase, e.g. one variant.arch.
type Task struct {
	Name string // shown in the progress display, e.g. "Server.x86_64"
	Run  func(ctx context.Context) error
}

// TaskRunner runs the tasks of a phase. It needs no compose: Progress
// (nil: none) shows the tasks, and Recover, deferred in each task's
// goroutine, turns a panic into an error (nil: a panic is not caught).
type TaskRunner struct {
	Progress *Progress
	Recover  func(where string, errp *error)
}

// Run runs the tasks on up to workers goroutines (0: one per CPU). The
// first failure cancels the tasks not yet finished and is returned with
// the task's name.
func (r TaskRunner) Run(ctx context.Context, phase string, tasks []Task, workers int) error {
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	r.Progress.AddTasks(phase, len(tasks))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
		next  = make(chan Task)
	)
	for range min(workers, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range next {
				if ctx.Err() != nil {
					continue
				}
				r.Progress.TaskStart(phase, t.Name)
				err := r.runOne(ctx, phase, t)
				r.Progress.TaskDone(phase, t.Name)
				if err != nil {
					mu.Lock()
					if first == nil || errors.Is(first, context.Canceled) {
						first = fmt.Errorf("%s: %w", t.Name, err)
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	for _, t := range tasks {
		next <- t
	}
	close(next)
	wg.Wait()
	if first == nil {
		first = ctx.Err()
		if first != nil && errors.Is(first, context.Canceled) {
			// cancelled from outside
			return first
		}
	}
	return first
}

// runOne runs a task, its panic turned into an error by Recover.
func (r TaskRunner) runOne(ctx context.Context, phase string, t Task) (err error) {
	if r.Recover != nil {
		defer r.Recover(phase+": "+t.Name, &err)
	}
	return t.Run(ctx)
}

// RunTasks runs a phase's tasks as TaskRunner.Run does, shown in the
// compose's progress display, a panic in a task failing it with its
// trace in the compose's traceback log (RecoverPanic).
func (c *Compose) RunTasks(ctx context.Context, phase string, tasks []Task, workers int) error {
	return TaskRunner{Progress: c.Progress, Recover: c.RecoverPanic}.Run(ctx, phase, tasks, workers)
}
