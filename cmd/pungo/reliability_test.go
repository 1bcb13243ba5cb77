package main

import (
	"bytes"
	"fmt"
	"io"
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
	"syscall"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd"
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
	// The chaos test's child: the test binary as "pungo createrepo".
	if os.Getenv("PUNGO_CREATEREPO_TEST_EXEC") == "1" {
		os.Exit(runCreaterepo(os.Args[1:]))
	}
	return 0
}()

// badServers starts local servers that fail in the ways issue 10 lists and
// returns their repository URLs by name.
func badServers(t *testing.T) map[string]string {
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
	mux := http.NewServeMux()
	mux.HandleFunc("/endless/", func(w http.ResponseWriter, r *http.Request) {
		buf := bytes.Repeat([]byte("repomd "), 8192)
		for r.Context().Err() == nil {
			if _, err := w.Write(buf); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/trickle/", func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			w.Write([]byte("<"))
			w.(http.Flusher).Flush()
			time.Sleep(500 * time.Millisecond)
		}
	})
	mux.HandleFunc("/500/", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return map[string]string{
		"hang":    "http://" + l.Addr().String() + "/",
		"endless": srv.URL + "/endless/",
		"trickle": srv.URL + "/trickle/",
		"500":     srv.URL + "/500/",
		"404":     srv.URL + "/404/",
	}
}

// TestRepoqueryBadServer: repoquery against a misbehaving server ends with
// one line naming the URL (timeouts shortened to 1 s here; the real ones
// are dnf's 30 s).
func TestRepoqueryBadServer(t *testing.T) {
	old := fetch.SetDefault(fetch.New(fetch.Options{LowSpeedTime: time.Second, ConnectTimeout: time.Second, Backoff: 10 * time.Millisecond}))
	defer fetch.SetDefault(old)
	for name, url := range badServers(t) {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			code, _, stderr := runCLI(t, runRepoquery, "--repo", url)
			if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, url+"repodata/repomd.xml: ") {
				t.Errorf("code %d, stderr %q", code, stderr)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// TestComposeBadRepoServer: a compose whose pkgset_repos server hangs ends
// DOOMED naming the URL; on SIGTERM it ends TERMINATED at once, without
// waiting for the transfer.
func TestComposeBadRepoServer(t *testing.T) {
	urls := badServers(t)
	status := func(dir string) string {
		b, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
		return strings.TrimSpace(string(b))
	}
	t.Setenv("PUNGO_TEST_LOW_SPEED_TIME", "1s")
	cfg := demoConfig(t, fmt.Sprintf("pkgset_repos = {\"x86_64\": [%q]}", urls["hang"]), nil)
	target := t.TempDir()
	code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
	dir := onlyCompose(t, target)
	if code != 2 || status(dir) != "DOOMED" || !strings.Contains(out, urls["hang"]+"repodata/repomd.xml: transfer too slow") {
		t.Errorf("code %d status %s\n%s", code, status(dir), out)
	}

	t.Setenv("PUNGO_TEST_LOW_SPEED_TIME", "1h")
	target = t.TempDir()
	cmd := exec.Command(os.Args[0], "--config", cfg, "--target-dir", target, "--quiet")
	cmd.Env = append(os.Environ(), "PUNGO_COMPOSE_TEST_EXEC=1", "TMPDIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the compose is in PKGSET (its log says so), then TERM.
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if ents, _ := os.ReadDir(target); len(ents) > 0 {
			log, _ := os.ReadFile(filepath.Join(target, ents[0].Name(), "logs/global/pungi.global.log"))
			if strings.Contains(string(log), "PHASE: PKGSET") {
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond)
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if took := time.Since(sent); took > 3*time.Second {
		t.Errorf("SIGTERM took %s to stop the compose", took)
	}
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || status(onlyCompose(t, target)) != "TERMINATED" {
		t.Errorf("%v, status %s\n%s", err, status(onlyCompose(t, target)), stderr.String())
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
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	return cmd, &stderr, exited
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
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ents, _ := os.ReadDir(target); len(ents) > 0 {
			log, _ := os.ReadFile(filepath.Join(target, ents[0].Name(), "logs/global/pungi.global.log"))
			if strings.Contains(string(log), "PHASE: PKGSET") {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
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
	sent := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-exited:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		<-exited
		t.Fatalf("still running 20 s after SIGTERM (killed)\n%s", stderr.String())
	}
	if took := time.Since(sent); took > 3*time.Second {
		t.Errorf("SIGTERM took %s to stop the compose", took)
	}
	dir := onlyCompose(t, target)
	st, _ := os.ReadFile(filepath.Join(dir, "STATUS"))
	log, _ := os.ReadFile(filepath.Join(dir, "logs/global/pungi.global.log"))
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || strings.TrimSpace(string(st)) != "TERMINATED" || !strings.Contains(string(log), "PHASE: GATHER") {
		t.Errorf("%v, status %s\n%s", err, st, stderr.String())
	}
}
