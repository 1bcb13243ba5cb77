package runroot

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/pungo/pungo/phases/compose"
)

// PluginArg is one argument of a Koji plugin task (pungi-buildinstall,
// pungi-ostree). Order matters: the command line lists them as Pungi's
// argument dict iterates. Value is a bool, an integer, a string or a
// []string; false, zero, "" and empty lists are left out, as Pungi's
// "if v:" does.
type PluginArg struct {
	Key   string
	Value any
}

// PluginArgList turns plugin arguments into the command line words of
// Pungi's get_pungi_buildinstall_cmd / get_pungi_ostree_cmd: a true bool is
// its bare key, an integer key=N, a string key=value, a list one key=item
// per item.
func PluginArgList(args []PluginArg) []string {
	var out []string
	for _, a := range args {
		switch v := a.Value.(type) {
		case bool:
			if v {
				out = append(out, a.Key)
			}
		case int:
			if v != 0 {
				out = append(out, a.Key+"="+strconv.Itoa(v))
			}
		case int64:
			if v != 0 {
				out = append(out, a.Key+"="+strconv.FormatInt(v, 10))
			}
		case float64:
			if v != 0 {
				out = append(out, a.Key+"="+strconv.FormatInt(int64(v), 10))
			}
		case string:
			if v != "" {
				out = append(out, a.Key+"="+v)
			}
		case []string:
			for _, s := range v {
				out = append(out, a.Key+"="+s)
			}
		case nil:
		default:
			out = append(out, a.Key+"="+fmt.Sprint(v))
		}
	}
	return out
}

// PluginRequest is one Koji plugin task.
type PluginRequest struct {
	Task     string // "pungi-buildinstall" or "pungi-ostree"
	Arch     string
	Args     []PluginArg
	Packages []string
	Mounts   []string
	// ChownUID passes --chown-uid=<this user> (pungi-buildinstall with a
	// shared mount, so the results come back owned by the compose's user).
	ChownUID bool
	LogFile  string
}

// PluginCmd is the koji command line (after --profile) of a plugin task,
// option for option as Pungi's KojiWrapper writes it: --nowait --task-id,
// the channel, weight, packages, mounts (and --chown-uid), then tag, base
// arch and the key=value arguments.
func (r *Runner) PluginCmd(req PluginRequest) ([]string, error) {
	c := r.C
	tag, _ := compose.StringOpt(c.Conf, "runroot_tag")
	if tag == "" {
		return nil, fmt.Errorf("koji %s for phase %s needs runroot_tag", req.Task, r.Phase)
	}
	args := []string{req.Task, "--nowait", "--task-id"}
	if ch, _ := compose.StringOpt(c.Conf, "runroot_channel"); ch != "" {
		args = append(args, "--channel-override="+ch)
	}
	if w := phaseWeight(c, r.Phase); int(w) != 0 {
		args = append(args, fmt.Sprintf("--weight=%d", int(w)))
	}
	for _, p := range req.Packages {
		args = append(args, "--package="+p)
	}
	for _, m := range req.Mounts {
		args = append(args, "--mount="+m)
	}
	if req.ChownUID {
		args = append(args, fmt.Sprintf("--chown-uid=%d", os.Getuid()))
	}
	args = append(args, tag, BaseArch(req.Arch))
	return append(args, PluginArgList(req.Args)...), nil
}

func phaseWeight(c *compose.Compose, phase string) float64 {
	w, ok := c.Conf.Get("runroot_weights")
	if !ok {
		return 0
	}
	m, _ := w.(map[string]any)
	switch x := m[phase].(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	case int:
		return float64(x)
	}
	return 0
}

// RunPlugin submits a Koji plugin task through Koji's command line client
// (Pungi's run_pungi_buildinstall / run_pungi_ostree): the client prints
// the task ID and returns (--nowait), the task is recorded under
// logs/global/koji-tasks/ and then watched until it ends. A task that
// fails is an error naming the task, its failure and the log file.
func (r *Runner) RunPlugin(ctx context.Context, req PluginRequest) (Result, error) {
	c := r.C
	args, err := r.PluginCmd(req)
	if err != nil {
		return Result{}, err
	}
	logFile := req.LogFile
	if logFile == "" {
		logFile = filepath.Join(c.Topdir, "logs", req.Arch, req.Task+"-"+r.Phase+".log")
	}
	label := "Pungi-buildinstall"
	if req.Task == "pungi-ostree" {
		label = "Pungi-ostree"
	}
	id, out, failed, err := KojiCLI(ctx, c, logFile, args...)
	res := Result{Method: "koji", TaskID: id, Output: out}
	if err != nil {
		return res, fmt.Errorf("koji %s for phase %s: %w", req.Task, r.Phase, err)
	}
	if failed == "" {
		kc, err := Client(ctx, c)
		if err != nil {
			return res, fmt.Errorf("koji %s for phase %s: watching task %d: %w", req.Task, r.Phase, id, err)
		}
		if _, werr := kc.WatchTask(ctx, id, r.Poll); werr != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			failed = werr.Error()
		}
		appendLog(logFile, fmt.Sprintf("task %d: %s\n", id, orClosed(failed)))
	}
	if failed != "" {
		return res, fmt.Errorf("%s task failed: %d (%s). See %s for more details.", label, id, failed, logFile)
	}
	return res, nil
}

func orClosed(failed string) string {
	if failed == "" {
		return "closed"
	}
	return "failed: " + failed
}

func appendLog(path, s string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	f.WriteString(s)
}
