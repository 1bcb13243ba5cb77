package koji

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Task states (koji.TASK_STATES).
const (
	TaskFree     = 0
	TaskOpen     = 1
	TaskClosed   = 2
	TaskCanceled = 3
	TaskAssigned = 4
	TaskFailed   = 5
)

var taskStateNames = []string{"FREE", "OPEN", "CLOSED", "CANCELED", "ASSIGNED", "FAILED"}

// TaskStateName is Koji's name of a task state.
func TaskStateName(s int) string {
	if s >= 0 && s < len(taskStateNames) {
		return taskStateNames[s]
	}
	return fmt.Sprintf("state %d", s)
}

// TaskInfo is getTaskInfo's answer.
type TaskInfo struct {
	ID       int64  `koji:"id"`
	State    int    `koji:"state"`
	Method   string `koji:"method"`
	Arch     string `koji:"arch"`
	Label    string `koji:"label"`
	Parent   *int64 `koji:"parent"`
	Channel  int64  `koji:"channel_id"`
	Owner    int64  `koji:"owner"`
	Priority int    `koji:"priority"`
}

// Done reports whether the task reached a final state.
func (t TaskInfo) Done() bool {
	return t.State == TaskClosed || t.State == TaskCanceled || t.State == TaskFailed
}

// GetTaskInfo returns a task's state.
func (c *Client) GetTaskInfo(ctx context.Context, id int64) (TaskInfo, error) {
	var t TaskInfo
	v, err := c.Call(ctx, "getTaskInfo", id)
	if err != nil {
		return t, fmt.Errorf("koji getTaskInfo %d: %w", id, err)
	}
	if v == nil {
		return t, fmt.Errorf("koji getTaskInfo %d: no such task", id)
	}
	return t, Decode(v, &t)
}

// GetTaskResult returns a finished task's result; a failed task's error
// comes back as the fault the task raised.
func (c *Client) GetTaskResult(ctx context.Context, id int64) (any, error) {
	v, err := c.Call(ctx, "getTaskResult", id)
	if err != nil {
		return nil, fmt.Errorf("koji task %d: %w", id, err)
	}
	return v, nil
}

// GetTaskChildren returns the subtasks of a task.
func (c *Client) GetTaskChildren(ctx context.Context, id int64) ([]TaskInfo, error) {
	v, err := c.Call(ctx, "getTaskChildren", id)
	if err != nil {
		return nil, fmt.Errorf("koji getTaskChildren %d: %w", id, err)
	}
	var out []TaskInfo
	return out, Decode(v, &out)
}

// ListTaskOutput returns the names of the files a task produced.
func (c *Client) ListTaskOutput(ctx context.Context, id int64) ([]string, error) {
	v, err := c.Call(ctx, "listTaskOutput", id)
	if err != nil {
		return nil, fmt.Errorf("koji listTaskOutput %d: %w", id, err)
	}
	var out []string
	return out, Decode(v, &out)
}

// CancelTask cancels a task and its children.
func (c *Client) CancelTask(ctx context.Context, id int64) error {
	if _, err := c.Call(ctx, "cancelTask", id); err != nil {
		return fmt.Errorf("koji cancelTask %d: %w", id, err)
	}
	return nil
}

// StartTask calls a task-creating method (runroot, buildImageOz,
// spinLiveMedia, buildContainer, osbuildImage, kiwiBuild, …) and returns
// the new task's ID.
func (c *Client) StartTask(ctx context.Context, method string, args ...any) (int64, error) {
	v, err := c.Call(ctx, method, args...)
	if err != nil {
		return 0, fmt.Errorf("koji %s: %w", method, err)
	}
	id, ok := v.(int64)
	if !ok {
		return 0, fmt.Errorf("koji %s: expected a task ID, hub sent %T", method, v)
	}
	return id, nil
}

// TaskError is a task that ended FAILED or CANCELED.
type TaskError struct {
	ID     int64
	Method string
	State  int
	Err    error // the task's fault, when the hub gave one
}

func (e *TaskError) Error() string {
	msg := fmt.Sprintf("koji task %d (%s) %s", e.ID, e.Method, TaskStateName(e.State))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *TaskError) Unwrap() error { return e.Err }

// WatchTask polls the task every interval until it is done. A CLOSED task
// returns its result. When ctx ends first the task is cancelled on the hub
// (with a fresh context, as the compose is being TERMINATED) and ctx's error
// returned.
func (c *Client) WatchTask(ctx context.Context, id int64, interval time.Duration) (any, error) {
	if interval <= 0 {
		interval = 20 * time.Second
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		info, err := c.GetTaskInfo(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				return nil, c.cancelAfter(ctx, id)
			}
			return nil, err
		}
		if info.Done() {
			if info.State == TaskClosed {
				return c.GetTaskResult(ctx, id)
			}
			var ferr error
			if _, err := c.Call(ctx, "getTaskResult", id); err != nil {
				ferr = err
			}
			return nil, &TaskError{ID: id, Method: info.Method, State: info.State, Err: ferr}
		}
		select {
		case <-ctx.Done():
			return nil, c.cancelAfter(ctx, id)
		case <-tick.C:
		}
	}
}

func (c *Client) cancelAfter(ctx context.Context, id int64) error {
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := c.CancelTask(cctx, id); err != nil {
		return errors.Join(ctx.Err(), err)
	}
	return fmt.Errorf("koji task %d cancelled: %w", id, ctx.Err())
}
