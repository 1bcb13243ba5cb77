package imagetasks

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
	"github.com/pungo/pungo/phases/runroot"
)

// KojiCLIBinary is Koji's command line client, run for the tasks Pungi
// starts through it (koji image-build).
var KojiCLIBinary = "koji"

var createdTaskRE = regexp.MustCompile(`Created task: (\d+)`)

// KojiCLI is Pungi's KojiWrapper.run_blocking_cmd: it runs
// "koji --profile=P ARGS…" (output into logFile), takes the task ID from
// the "Created task: N" line — as soon as it is printed, so that the task
// is recorded under logs/global/koji-tasks/ and cancelled if the compose
// is TERMINATED while the client waits — and, when the client lost the
// hub while waiting ("error: failed to connect"), watches the task through
// the API instead of failing. With a keytab in the profile the client gets
// a fresh credentials cache, as in Pungi (parallel Kerberos logins share
// one cache badly). failed is the client's last output line when it did
// not exit 0 ("" on success).
func KojiCLI(ctx context.Context, c *compose.Compose, logFile string, args ...string) (id int64, failed string, err error) {
	name, _ := compose.StringOpt(c.Conf, "koji_profile")
	if name == "" {
		return 0, "", errors.New("koji_profile is not set")
	}
	prof, err := koji.LoadProfile(name)
	if err != nil {
		return 0, "", err
	}
	argv := append([]string{"--profile=" + name}, args...)
	cmd := exec.CommandContext(ctx, KojiCLIBinary, argv...)
	if prof.Keytab != "" {
		cc, err := os.MkdirTemp("", "krb_ccache")
		if err != nil {
			return 0, "", err
		}
		defer os.RemoveAll(cc)
		cmd.Env = append(os.Environ(), "KRB5CCNAME=DIR:"+cc)
	}
	if err := os.MkdirAll(filepath.Dir(logFile), 0o755); err != nil {
		return 0, "", err
	}
	log, err := os.Create(logFile)
	if err != nil {
		return 0, "", err
	}
	defer log.Close()
	fmt.Fprintf(log, "%s %s\n", KojiCLIBinary, runroot.ShellJoin(argv))
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var out strings.Builder
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			out.WriteString(line + "\n")
			if m := createdTaskRE.FindStringSubmatch(line); m != nil && id == 0 {
				id, _ = strconv.ParseInt(m[1], 10, 64)
				if kc, err := runroot.Client(ctx, c); err == nil {
					runroot.TrackTask(c, kc, id)
				} else if err := c.RecordKojiTask(int(id)); err != nil {
					c.Log.Warningf("cannot record koji task %d: %v", id, err)
				}
			}
		}
		io.Copy(io.Discard, pr)
	}()
	if err := cmd.Start(); err != nil {
		pw.Close()
		wg.Wait()
		return 0, "", fmt.Errorf("%s: %w", KojiCLIBinary, err)
	}
	runErr := cmd.Wait()
	pw.Close()
	wg.Wait()
	if ctx.Err() != nil {
		return id, "", ctx.Err()
	}
	if id == 0 {
		return 0, "", fmt.Errorf("Could not find task ID in output. Command '%s %s' returned '%s'.", KojiCLIBinary, strings.Join(argv, " "), strings.TrimSpace(out.String()))
	}
	var exitErr *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exitErr) {
		return id, "", runErr
	}
	if runErr != nil && strings.HasSuffix(out.String(), "error: failed to connect\n") {
		kc, err := runroot.Client(ctx, c)
		if err != nil {
			return id, "", err
		}
		_, werr := kc.WatchTask(ctx, id, runroot.DefaultPoll)
		fmt.Fprintf(log, "watched task %d through the hub API: %v\n", id, werr)
		if werr != nil {
			return id, werr.Error(), nil
		}
		return id, "", nil
	}
	if runErr != nil {
		last := strings.TrimSpace(out.String())
		if i := strings.LastIndexByte(last, '\n'); i >= 0 {
			last = last[i+1:]
		}
		if last == "" {
			last = runErr.Error()
		}
		return id, last, nil
	}
	return id, "", nil
}
