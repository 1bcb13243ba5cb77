package runroot

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
)

// KojiCLIBinary is Koji's command line client, run for the tasks Pungi
// starts through it (runroot, image-build, spin-livemedia).
var KojiCLIBinary = "koji"

var (
	createdTaskRE = regexp.MustCompile(`Created task: (\d+)`)
	taskIDLineRE  = regexp.MustCompile(`^\d+$`)
)

// KojiCLI is Pungi's KojiWrapper.run_blocking_cmd (and run_runroot_cmd):
// it runs "koji --profile=P ARGS…" (output into logFile), takes the task
// ID from the "Created task: N" line (or, with runroot's --task-id, from
// the first line) — as soon as it is printed, so that the task
// is recorded under logs/global/koji-tasks/ and cancelled if the compose
// is TERMINATED while the client waits — and, when the client lost the
// hub while waiting ("error: failed to connect"), watches the task through
// the API instead of failing. With a keytab in the profile the client gets
// a fresh credentials cache, as in Pungi (parallel Kerberos logins share
// one cache badly). failed is the client's last output line when it did
// not exit 0 ("" on success); output is what it printed (without
// runroot's task ID line).
func KojiCLI(ctx context.Context, c *compose.Compose, logFile string, args ...string) (id int64, output, failed string, err error) {
	name, _ := compose.StringOpt(c.Conf, "koji_profile")
	if name == "" {
		return 0, "", "", errors.New("koji_profile is not set")
	}
	prof, err := koji.LoadProfile(name)
	if err != nil {
		return 0, "", "", err
	}
	argv := append([]string{"--profile=" + name}, args...)
	taskIDFirst := false
	for _, a := range args {
		taskIDFirst = taskIDFirst || a == "--task-id"
	}
	cmd := exec.CommandContext(ctx, KojiCLIBinary, argv...)
	if prof.Keytab != "" {
		cc, err := os.MkdirTemp("", "krb_ccache")
		if err != nil {
			return 0, "", "", err
		}
		defer os.RemoveAll(cc)
		cmd.Env = append(os.Environ(), "KRB5CCNAME=DIR:"+cc)
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return 0, "", "", err
	}
	log, err := os.Create(logFile)
	if err != nil {
		return 0, "", "", err
	}
	defer log.Close()
	fmt.Fprintf(log, "%s %s\n", KojiCLIBinary, ShellJoin(argv))
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var out strings.Builder
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		first := true
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			var found string
			if first && taskIDFirst && taskIDLineRE.MatchString(line) {
				found = line
			} else {
				out.WriteString(line + "\n")
				if m := createdTaskRE.FindStringSubmatch(line); m != nil {
					found = m[1]
				}
			}
			first = false
			if found != "" && id == 0 {
				id, _ = strconv.ParseInt(found, 10, 64)
				if kc, err := Client(ctx, c); err == nil {
					TrackTask(c, kc, id)
				} else if err := c.KojiTasks.Record(int(id)); err != nil {
					c.Log.Warningf("cannot record koji task %d: %v", id, err)
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	if err := cmd.Start(); err != nil {
		pw.Close()
		wg.Wait()
		return 0, "", "", fmt.Errorf("%s: %w", KojiCLIBinary, err)
	}
	runErr := cmd.Wait()
	pw.Close()
	wg.Wait()
	if ctx.Err() != nil {
		return id, "", "", ctx.Err()
	}
	if id == 0 {
		return 0, "", "", fmt.Errorf("Could not find task ID in output. Command '%s %s' returned '%s'.", KojiCLIBinary, strings.Join(argv, " "), strings.TrimSpace(out.String()))
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return id, "", "", runErr
	}
	if runErr != nil && strings.HasSuffix(out.String(), "error: failed to connect\n") {
		kc, err := Client(ctx, c)
		if err != nil {
			return id, "", "", err
		}
		_, werr := kc.WatchTask(ctx, id, DefaultPoll)
		fmt.Fprintf(log, "watched task %d through the hub API: %v\n", id, werr)
		if werr != nil {
			return id, out.String(), werr.Error(), nil
		}
		return id, out.String(), "", nil
	}
	if runErr != nil {
		last := strings.TrimSpace(out.String())
		if i := strings.LastIndexByte(last, '\n'); i >= 0 {
			last = last[i+1:]
		}
		if last == "" {
			last = runErr.Error()
		}
		return id, out.String(), last, nil
	}
	return id, out.String(), "", nil
}
