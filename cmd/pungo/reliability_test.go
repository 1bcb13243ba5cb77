package main

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/createrepo"
	"github.com/pungo/pungo/repomd/fetch"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestPanicIsOneLine: a subcommand that panics prints one line naming the
// command and the traceback file, exits 2, and no Go trace reaches the
// terminal.
func TestPanicIsOneLine(t *testing.T) {
	cmd := &command{name: "boom", run: func([]string) int {
		var m map[string]int
		m["x"]++ // assignment to entry in nil map
		return 0
	}}
	code, stdout, stderr := runCLI(t, func(args []string) int { return runCommand(cmd, args) }, "a")
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || strings.Contains(stderr, "goroutine") ||
		!strings.HasPrefix(stderr, "pungo boom: internal error: assignment to entry in nil map (traceback in ") {
		t.Fatalf("code %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	tb := strings.TrimSuffix(strings.TrimSuffix(stderr[strings.Index(stderr, "traceback in ")+len("traceback in "):], "\n"), ")")
	data, err := os.ReadFile(tb)
	os.Remove(tb)
	if err != nil || !strings.Contains(string(data), "goroutine") || !strings.Contains(string(data), "reliability_test.go") {
		t.Errorf("traceback file %s: %v\n%s", tb, err, data)
	}
}

// The child processes of the compose tests take their download timeouts
// from PUNGO_TEST_LOW_SPEED_TIME (set before any init function runs, as
// compose_test.go's init may already run the compose).
var _ = func() int {
	if d, err := time.ParseDuration(os.Getenv("PUNGO_TEST_LOW_SPEED_TIME")); err == nil {
		fetch.SetDefault(fetch.New(fetch.Options{LowSpeedTime: d, ConnectTimeout: d, Backoff: 10 * time.Millisecond}))
	}
	// The test binary as "pungo createrepo" (the chaos test's child) or
	// "pungo repoquery", through runCommand as main runs them.
	for name, run := range map[string]func([]string) int{"createrepo": runCreaterepo, "repoquery": runRepoquery} {
		if os.Getenv("PUNGO_"+strings.ToUpper(name)+"_TEST_EXEC") == "1" {
			os.Exit(runCommand(&command{name: name, run: run}, os.Args[1:]))
		}
	}
	return 0
}()

// badServer is one way a server fails, at one file of a repository: its
// repository URL and the URL of the file that misbehaves.
type badServer struct {
	name, repo, file string
}

// badServers serves the demo lookaside repository from local servers that
// fail in every way issue 10 lists, at repomd.xml or at primary (mid-file:
// after repomd.xml was read): a listener that accepts and never answers,
// a stall and a close half-way through the file, a trickle of 2 bytes/s,
// an endless body, 404 and 500.
func badServers(t *testing.T) []badServer {
	repo := filepath.Join(demoDir, "lookaside")
	prims, _ := filepath.Glob(filepath.Join(repo, "repodata", "*-primary.xml.gz"))
	if len(prims) != 1 {
		t.Fatalf("primary of %s: %q", repo, prims)
	}
	primary := "repodata/" + filepath.Base(prims[0])
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
	go func() { // accepts and never answers
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	modes := map[string]func(w http.ResponseWriter, r *http.Request, data []byte){
		"stall": func(w http.ResponseWriter, r *http.Request, data []byte) {
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data[:len(data)/2])
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		},
		"trickle": func(w http.ResponseWriter, r *http.Request, data []byte) { // 2 bytes/s
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			for i := range data {
				w.Write(data[i : i+1])
				w.(http.Flusher).Flush()
				select {
				case <-time.After(500 * time.Millisecond):
				case <-r.Context().Done():
					return
				}
			}
		},
		"endless": func(w http.ResponseWriter, r *http.Request, data []byte) {
			buf := bytes.Repeat(data, 64<<10/len(data)+1)
			for r.Context().Err() == nil {
				if _, err := w.Write(buf); err != nil {
					return
				}
			}
		},
		"close": func(w http.ResponseWriter, r *http.Request, data []byte) {
			c, _, _ := w.(http.Hijacker).Hijack()
			fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(data))
			c.Write(data[:len(data)/2])
			c.Close()
		},
		"404": func(w http.ResponseWriter, r *http.Request, data []byte) { http.NotFound(w, r) },
		"500": func(w http.ResponseWriter, r *http.Request, data []byte) { http.Error(w, "boom", 500) },
	}
	mux := http.NewServeMux()
	var servers []badServer
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for mode, misbehave := range modes {
		for _, target := range []string{"repodata/repomd.xml", primary} {
			prefix := "/" + mode + "-" + strings.TrimSuffix(filepath.Base(target), ".xml") + "/"
			if target == primary {
				prefix = "/" + mode + "-primary/"
			}
			mux.HandleFunc(prefix, func(w http.ResponseWriter, r *http.Request) {
				rel := strings.TrimPrefix(r.URL.Path, prefix)
				data, err := os.ReadFile(filepath.Join(repo, filepath.FromSlash(rel)))
				switch {
				case err != nil:
					http.NotFound(w, r)
				case rel == target:
					misbehave(w, r, data)
				default:
					w.Write(data)
				}
			})
			servers = append(servers, badServer{strings.Trim(prefix, "/"), srv.URL + prefix, srv.URL + prefix + target})
		}
	}
	hang := "http://" + l.Addr().String() + "/"
	servers = append(servers, badServer{"hang", hang, hang + "repodata/repomd.xml"})
	slices.SortFunc(servers, func(a, b badServer) int { return strings.Compare(a.name, b.name) })
	return servers
}

// shortTimeouts is the child processes' PUNGO_TEST_LOW_SPEED_TIME: the
// tests run against the bad servers with 1 s in place of dnf's 30 s
// (TestDefaultTimeoutsAreDnfs checks that pungo itself keeps dnf's).
const shortTimeouts = "PUNGO_TEST_LOW_SPEED_TIME=1s"

// childPeaks holds, per child startChild started, the peak resident
// memory seen so far (*atomic.Int64, bytes).
var childPeaks sync.Map

// maxRSS is the peak resident memory, in bytes, of an exited child that
// startChild started: the largest VmHWM (/proc/PID/status, the high-water
// mark of the child's own address space since its exec) read while it
// ran. wait4's ru_maxrss cannot tell: Go starts a child sharing the
// parent's memory until the exec, and Linux carries that memory's peak
// into the child's ru_maxrss, so once this test binary has grown past
// the bound (the whole package's tests in one run: 455 MB) every child
// "used" that much.
func maxRSS(cmd *exec.Cmd) int64 {
	if v, ok := childPeaks.Load(cmd); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// watchRSS samples pid's VmHWM into peak every few milliseconds until
// done is closed.
func watchRSS(pid int, peak *atomic.Int64, done <-chan struct{}) {
	status := fmt.Sprintf("/proc/%d/status", pid)
	for {
		if data, err := os.ReadFile(status); err == nil {
			if _, rest, ok := strings.Cut(string(data), "\nVmHWM:"); ok {
				f := strings.Fields(rest)
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil && len(f) > 1 && f[1] == "kB" && kb<<10 > peak.Load() {
					peak.Store(kb << 10)
				}
			}
		}
		select {
		case <-done:
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// TestRepoqueryBadServer: "pungo repoquery --repo URL" (a process of its
// own) against every misbehaving server ends with exit 2 and one line
// naming the URL of the file at fault, in bounded time and memory.
func TestRepoqueryBadServer(t *testing.T) {
	for _, s := range badServers(t) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			cmd, stderr, exited := startChild(t, []string{"PUNGO_REPOQUERY_TEST_EXEC=1", shortTimeouts}, "--repo", s.repo)
			err := waitChild(t, cmd, exited, stderr, 30*time.Second, "")
			ee, _ := err.(*exec.ExitError)
			if ee == nil || ee.ExitCode() != 2 || strings.Count(stderr.String(), "\n") != 1 ||
				!strings.HasPrefix(stderr.String(), "pungo repoquery: "+s.file+": ") {
				t.Errorf("%v, stderr %q; want one line naming %s", err, stderr, s.file)
			}
			// With 1 s timeouts a bad server costs a second or two
			// (three retries of a 500 with 10 ms backoff); the bound
			// leaves room for a loaded machine.
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
			if rss := maxRSS(cmd); rss > 300<<20 {
				t.Errorf("peak RSS %d MB", rss>>20)
			}
		})
	}
}

// TestDefaultTimeoutsAreDnfs: the shortened timeouts above exist only in
// the test binary. pungo's own download client keeps dnf's defaults
// (connect timeout 30 s, minrate 1000 B/s over 30 s), and no pungo source
// outside the tests reads the variable that shortens them.
func TestDefaultTimeoutsAreDnfs(t *testing.T) {
	o := fetch.Default().Options()
	if os.Getenv("PUNGO_TEST_LOW_SPEED_TIME") == "" &&
		(o.ConnectTimeout != 30*time.Second || o.LowSpeedLimit != 1000 || o.LowSpeedTime != 30*time.Second) {
		t.Errorf("default download options %+v, want dnf's 30 s connect timeout and 1000 B/s over 30 s", o)
	}
	n := 0
	filepath.WalkDir(toolcheck.ProjectRoot(), func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			return nil
		}
		n++
		if data, _ := os.ReadFile(f); bytes.Contains(data, []byte("PUNGO_TEST_LOW_SPEED_TIME")) {
			t.Errorf("%s reads PUNGO_TEST_LOW_SPEED_TIME outside the tests", f)
		}
		return nil
	})
	if n < 100 {
		t.Errorf("only %d Go files under %s", n, toolcheck.ProjectRoot())
	}
}

// TestComposeBadRepoServer: a compose whose pkgset_repos server misbehaves
// in any of the ways above ends DOOMED (exit 2) with one line naming the
// URL, in bounded time and memory; on the first SIGTERM while a transfer
// hangs, stalls or trickles it ends TERMINATED at once, without waiting
// for the transfer (whose timeout is an hour there).
func TestComposeBadRepoServer(t *testing.T) {
	status := func(dir string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
		return strings.TrimSpace(string(b))
	}
	demoRPMs := strconv.Quote(filepath.Join(demoDir, "rpms"))
	config := func(t *testing.T, repo string) string {
		return demoConfig(t, "", func(s string) string { return strings.Replace(s, "["+demoRPMs, "["+strconv.Quote(repo), 1) })
	}
	for _, s := range badServers(t) {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			cfg := config(t, s.repo)
			if data, _ := os.ReadFile(cfg); !strings.Contains(string(data), s.repo) {
				t.Fatalf("%s is not in the config", s.repo)
			}
			target := t.TempDir()
			start := time.Now()
			cmd, stderr, exited := startChild(t, []string{"PUNGO_COMPOSE_TEST_EXEC=1", shortTimeouts, "TMPDIR=" + t.TempDir()},
				"--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link")
			err := waitChild(t, cmd, exited, stderr, 60*time.Second, "")
			dir := onlyCompose(t, target)
			ee, _ := err.(*exec.ExitError)
			if ee == nil || ee.ExitCode() != 2 || status(dir) != "DOOMED" || strings.Count(stderr.String(), "\n") != 1 ||
				!strings.HasPrefix(stderr.String(), "pungo compose: pkgset phase: ") || !strings.Contains(stderr.String(), " "+s.file+": ") {
				t.Errorf("%v, status %s, stderr %q; want DOOMED and one line naming %s", err, status(dir), stderr, s.file)
			}
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("took %s", took)
			}
			if rss := maxRSS(cmd); rss > 300<<20 {
				t.Errorf("peak RSS %d MB", rss>>20)
			}
		})
	}
	for _, s := range badServers(t) {
		if s.name != "hang" && s.name != "stall-primary" && s.name != "trickle-repomd" {
			continue
		}
		t.Run("SIGTERM/"+s.name, func(t *testing.T) {
			t.Parallel()
			target := t.TempDir()
			cmd, stderr, exited := startChild(t, []string{"PUNGO_COMPOSE_TEST_EXEC=1", "PUNGO_TEST_LOW_SPEED_TIME=1h", "TMPDIR=" + t.TempDir()},
				"--config", config(t, s.repo), "--target-dir", target, "--quiet", "--no-latest-link")
			// Wait until the compose is in PKGSET (its log says so), then TERM.
			waitForPhase(target, "PKGSET", 30*time.Second)
			time.Sleep(300 * time.Millisecond)
			err := terminate(t, cmd, exited, stderr)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || status(onlyCompose(t, target)) != "TERMINATED" {
				t.Errorf("%v, status %s\n%s", err, status(onlyCompose(t, target)), stderr)
			}
		})
	}
}

// TestRepoqueryDuplicateCount: a package listed twice in primary is one
// line of the listing and counts once, as dnf prints it.
func TestRepoqueryDuplicateCount(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "repodata"), 0o755)
	pkg := func(name string) string {
		return `<package type="rpm"><name>` + name + `</name><arch>noarch</arch><version epoch="0" ver="1" rel="1"/><location href="` + name + `-1-1.noarch.rpm"/></package>`
	}
	os.WriteFile(filepath.Join(dir, "repodata", "primary.xml"), []byte(`<metadata packages="3">`+pkg("a")+pkg("b")+pkg("a")+`</metadata>`), 0o644)
	os.WriteFile(filepath.Join(dir, "repodata", "repomd.xml"), []byte(`<repomd><data type="primary"><location href="repodata/primary.xml"/></data></repomd>`), 0o644)
	_, list, stderr := runCLI(t, runRepoquery, "--repo", dir)
	_, count, _ := runCLI(t, runRepoquery, "--repo", dir, "--count")
	if list != "a-0:1-1.noarch\nb-0:1-1.noarch\n" || count != "2\n" {
		t.Errorf("listing %q, count %q, stderr %q", list, count, stderr)
	}
}

// TestCreaterepoBadRPMs: like createrepo_c, each bad file is reported on
// stderr naming it and why, skipped, and the run exits 0; --strict fails.
func TestCreaterepoBadRPMs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(demoDir, "rpms", "demo-shell-5.2-1.x86_64.rpm")
	data, err := os.ReadFile(src)
	if err != nil {
		t.Skip(err)
	}
	os.WriteFile(filepath.Join(dir, "demo-shell-5.2-1.x86_64.rpm"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "empty.rpm"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "cut.rpm"), data[:len(data)/2], 0o644)
	code, _, stderr := runCLI(t, runCreaterepo, "-q", "--no-database", dir)
	if code != 0 || !strings.Contains(stderr, "pungo createrepo: skipped: "+filepath.Join(dir, "empty.rpm")+": empty file (0 bytes), not an RPM package\n") ||
		!strings.Contains(stderr, "pungo createrepo: skipped: "+filepath.Join(dir, "cut.rpm")+": ") || strings.Count(stderr, "\n") != 2 {
		t.Errorf("code %d, stderr %q", code, stderr)
	}
	code, _, stderr = runCLI(t, runCreaterepo, "-q", "--strict", "--no-database", dir)
	if code != 2 || !strings.Contains(stderr, "cut.rpm: ") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("--strict: code %d, stderr %q", code, stderr)
	}
}

// TestComposeBadRPM: inside a compose a bad RPM is not skipped: a package
// set whose metadata is fine but one of whose files is empty ends the
// compose DOOMED in the createrepo phase, one line naming the file.
func TestComposeBadRPM(t *testing.T) {
	repo := t.TempDir()
	copyDemoRPMs(t, repo)
	if _, err := createrepo.Run(repo, createrepo.Options{}); err != nil {
		t.Fatal(err)
	}
	const bad = "demo-shell-5.2-1.x86_64.rpm"
	if err := os.WriteFile(filepath.Join(repo, bad), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	demoRPMs := strconv.Quote(filepath.Join(demoDir, "rpms"))
	cfg := demoConfig(t, "", func(s string) string { return strings.Replace(s, "["+demoRPMs, "["+strconv.Quote(repo), 1) })
	target := t.TempDir()
	code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link")
	st, _ := os.ReadFile(filepath.Join(onlyCompose(t, target), "STATUS"))
	if code != 2 || strings.TrimSpace(string(st)) != "DOOMED" || strings.Count(out, "\n") != 1 ||
		!strings.HasPrefix(out, "pungo compose: createrepo phase: ") || !strings.Contains(out, "/"+bad+": empty file (0 bytes), not an RPM package") {
		t.Errorf("code %d, status %s\n%s", code, st, out)
	}
}

// TestChaosCreaterepo kills "pungo createrepo" with SIGKILL at random
// moments of real runs, again and again. After every kill repodata/ is
// the previous run's or the killed run's, complete (every record's
// checksum verified) and readable by dnf; the next run cleans up what the
// killed one left.
func TestChaosCreaterepo(t *testing.T) {
	dnf := toolcheck.Need(t, "dnf")[0]
	dir := t.TempDir()
	copyDemoRPMs(t, dir)
	run := func(rev string, killAfter time.Duration) (killed bool) {
		cmd, stderr, exited := startChild(t, []string{"PUNGO_CREATEREPO_TEST_EXEC=1"}, "-q", "--workers", "1", "--revision", rev, dir)
		if killAfter > 0 {
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("run %s: %v\n%s", rev, err, stderr.String())
				}
				return false
			case <-time.After(killAfter):
				cmd.Process.Kill()
				<-exited
				return true
			}
		}
		if err := <-exited; err != nil {
			t.Fatalf("run %s: %v\n%s", rev, err, stderr.String())
		}
		return false
	}
	check := func(want ...string) {
		t.Helper()
		checkRepodata(t, dnf, dir, want...)
	}
	start := time.Now()
	run("0", 0)
	full := time.Since(start)
	check("0")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 10))
	prev, kills := "0", 0
	for i := 1; i <= 6; i++ {
		rev := strconv.Itoa(i)
		if run(rev, time.Duration(rng.Int64N(int64(full)))+time.Millisecond) {
			kills++
			check(prev, rev)
			// Whichever it is now is what the next kill may leave.
			r, _ := repomd.OpenMeta(dir)
			prev = r.Revision
		} else {
			check(rev)
			prev = rev
		}
	}
	run("final", 0)
	check("final")
	if l := listDir(dir); strings.Contains(l, ".repodata") {
		t.Errorf("leftovers after a clean run: %s", l)
	}
	t.Logf("%d of 6 runs killed (a full run takes %s)", kills, full)
}

// copyDemoRPMs copies the demo's rpms into dir (copies, not links: dir
// may be another file system).
func copyDemoRPMs(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(filepath.Join(demoDir, "rpms"))
	for _, e := range ents {
		if strings.HasSuffix(e.Name(), ".rpm") {
			data, err := os.ReadFile(filepath.Join(demoDir, "rpms", e.Name()))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkRepodata fails the test unless dir's repodata is complete (every
// record read to the end, its checksums verified), has one of the
// revisions want, and dnf lists demo-shell from it.
func checkRepodata(t *testing.T, dnf, dir string, want ...string) {
	t.Helper()
	r, err := repomd.Open(dir)
	if err != nil {
		t.Fatalf("repodata: %v", err)
	}
	for _, rec := range r.Records {
		rc, err := r.OpenRecord(rec.Type)
		if err == nil {
			_, err = io.Copy(io.Discard, rc)
			rc.Close()
		}
		if err != nil && !strings.HasSuffix(rec.Type, "_zck") {
			t.Fatalf("record %s: %v", rec.Type, err)
		}
	}
	if !slices.Contains(want, r.Revision) {
		t.Fatalf("revision %q, want one of %q", r.Revision, want)
	}
	out, err := exec.Command(dnf, "-q", "--setopt=reposdir=/dev/null", "--setopt=cachedir="+t.TempDir(), "--releasever", "1",
		"--repofrompath", "check,file://"+dir, "--repo", "check", "repoquery", "--qf", "%{name}", "demo-shell").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "demo-shell") {
		t.Fatalf("dnf cannot read the repodata: %v\n%s", err, out)
	}
}

// startChild starts this test binary as a pungo command (env selects
// which: PUNGO_CREATEREPO_TEST_EXEC=1, PUNGO_COMPOSE_TEST_EXEC=1) and
// returns its stderr and the channel its exit arrives on.
func startChild(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	peak := new(atomic.Int64)
	childPeaks.Store(cmd, peak)
	done, watched := make(chan struct{}), make(chan struct{})
	go func() { watchRSS(cmd.Process.Pid, peak, done); close(watched) }()
	exited := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		close(done)
		<-watched
		exited <- err
	}()
	return cmd, &stderr, exited
}

// waitForPhase polls the compose log under target until it says phase
// began ("PHASE: NAME"), or until timeout passes.
func waitForPhase(target, phase string, timeout time.Duration) {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ents, _ := os.ReadDir(target); len(ents) > 0 {
			log, _ := os.ReadFile(filepath.Join(target, ents[0].Name(), "logs/global/pungi.global.log"))
			if strings.Contains(string(log), "PHASE: "+phase) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitChild waits for a child from startChild and returns how it exited;
// after limit it kills the child and fails the test ("still running
// after 30 s", or with after " after SIGTERM").
func waitChild(t *testing.T, cmd *exec.Cmd, exited <-chan error, stderr *bytes.Buffer, limit time.Duration, after string) error {
	t.Helper()
	select {
	case err := <-exited:
		return err
	case <-time.After(limit):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("still running %s%s (killed)\n%s", limit, after, stderr.String())
		return nil
	}
}

// terminate sends a child from startChild SIGTERM and returns how it
// exited. It fails the test when the child needs more than 3 s to stop,
// and kills it when it is still running after 20 s.
func terminate(t *testing.T, cmd *exec.Cmd, exited <-chan error, stderr *bytes.Buffer) error {
	t.Helper()
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := waitChild(t, cmd, exited, stderr, 20*time.Second, " after SIGTERM")
	if took := time.Since(sent); took > 3*time.Second {
		t.Errorf("SIGTERM took %s to stop the compose", took)
	}
	return err
}

func listDir(dir string) string {
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}

// TestChaosComposeTerm: SIGTERM at a random moment of a compose ends it
// TERMINATED (or it had FINISHED), and a rerun into the same target
// finishes.
func TestChaosComposeTerm(t *testing.T) {
	target := t.TempDir()
	cfg := filepath.Join(demoDir, "demo.conf")
	cmd := exec.Command(os.Args[0], "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link")
	cmd.Env = append(os.Environ(), "PUNGO_COMPOSE_TEST_EXEC=1", "TMPDIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait for a phase after init, then a random moment more.
	waitForPhase(target, "PKGSET", 60*time.Second)
	time.Sleep(time.Duration(rand.Int64N(int64(2 * time.Second))))
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	st, _ := os.ReadFile(filepath.Join(onlyCompose(t, target), "STATUS"))
	status := strings.TrimSpace(string(st))
	ee, _ := err.(*exec.ExitError)
	switch {
	case status == "TERMINATED" && ee != nil && ee.ExitCode() == 1:
	case status == "FINISHED" && err == nil:
		t.Log("the compose finished before the signal")
	default:
		t.Fatalf("status %s, %v\n%s", status, err, stderr.String())
	}
	t.Logf("status after SIGTERM: %s", status)
	if code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link"); code != 0 {
		t.Fatalf("rerun: code %d\n%s", code, out)
	}
}

// TestComposeLookasideTerm: the first SIGTERM stops a compose that is
// fetching a gather_lookaside_repos repository from a server that never
// answers: it ends TERMINATED at once, without waiting for the transfer
// (whose timeout is an hour here).
func TestComposeLookasideTerm(t *testing.T) {
	hit := make(chan string, 16)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case hit <- r.URL.Path:
		default:
		}
		<-r.Context().Done() // stalls until the client gives up
	}))
	// Close (which waits for the handlers) only after the compose is
	// gone; a handler still stalling then means pungo never hung up.
	defer srv.Close()
	url := srv.URL + "/lookaside/"
	cfg := demoConfig(t, "", func(s string) string {
		return strings.ReplaceAll(s, strconv.Quote(filepath.Join(demoDir, "lookaside")), strconv.Quote(url))
	})
	t.Setenv("PUNGO_TEST_LOW_SPEED_TIME", "1h")
	target := t.TempDir()
	cmd, stderr, exited := startChild(t, []string{"PUNGO_COMPOSE_TEST_EXEC=1", "TMPDIR=" + t.TempDir()},
		"--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link")
	select {
	case path := <-hit:
		if path != "/lookaside/repodata/repomd.xml" {
			t.Errorf("first request %s", path)
		}
	case err := <-exited:
		t.Fatalf("the compose ended before fetching the lookaside repository: %v\n%s", err, stderr.String())
	case <-time.After(120 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("no request for the lookaside repository in 120 s\n%s", stderr.String())
	}
	time.Sleep(200 * time.Millisecond)
	err := terminate(t, cmd, exited, stderr)
	dir := onlyCompose(t, target)
	st, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
	log, _ := os.ReadFile(filepath.Join(dir, "logs/global/pungi.global.log"))
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || strings.TrimSpace(string(st)) != "TERMINATED" || !strings.Contains(string(log), "PHASE: GATHER") {
		t.Errorf("%v, status %s\n%s", err, st, stderr.String())
	}
}
