package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// fill writes a file into dir until the file system is full.
func fill(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return
		}
	}
}

// TestDiskFull runs pungo createrepo and pungo compose on small tmpfs
// file systems (in a mount namespace of their own) that fill up:
// createrepo fails with one line and leaves the old repodata complete and
// readable by dnf; a compose ends DOOMED with one line wherever the disk
// fills.
func TestDiskFull(t *testing.T) {
	if !toolcheck.MountNamespace(t) {
		return
	}
	dnf := toolcheck.Need(t, "dnf")[0]
	top := t.TempDir()

	t.Run("createrepo", func(t *testing.T) {
		repo := filepath.Join(top, "repo")
		toolcheck.MountTmpfs(t, repo, 2<<20)
		copyDemoRPMs(t, repo)
		run := func(rev string) (int, string) {
			cmd := exec.Command(os.Args[0], "-q", "--revision", rev, repo)
			cmd.Env = append(os.Environ(), "PUNGO_CREATEREPO_TEST_EXEC=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return ee.ExitCode(), stderr.String()
			}
			if err != nil {
				t.Fatal(err)
			}
			return 0, stderr.String()
		}
		check := func(rev string) {
			t.Helper()
			checkRepodata(t, dnf, repo, rev)
		}
		if code, stderr := run("1"); code != 0 {
			t.Fatalf("first run: %d %s", code, stderr)
		}
		check("1")
		fill(t, repo)
		code, stderr := run("2")
		// ENOSPC, or SQLite's SQLITE_FULL when the database hits it first.
		if code != 2 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "pungo createrepo: ") ||
			!strings.Contains(stderr, "no space left on device") && !strings.Contains(stderr, "database or disk is full") {
			t.Errorf("on a full disk: code %d, stderr %q", code, stderr)
		}
		check("1")
		if l := listDir(repo); strings.Contains(l, ".repodata") {
			t.Errorf("leftovers of the failed run: %s", l)
		}
		os.Remove(filepath.Join(repo, "filler"))
		if code, stderr := run("3"); code != 0 {
			t.Fatalf("with room again: %d %s", code, stderr)
		}
		check("3")
	})

	// The demo compose takes about 1.3 MB: these sizes run out in the
	// init, gather and createrepo phases. Where gather filled the disk to
	// the last block, STATUS used to stay STARTED: no room for the new
	// STATUS's temporary file (which sizes did that varied with the order
	// of gather's parallel links).
	cfg := demoConfig(t, "", nil)
	for _, size := range []int64{64 << 10, 128 << 10, 256 << 10, 384 << 10, 512 << 10, 640 << 10, 800 << 10} {
		t.Run(fmt.Sprintf("compose on %d KiB", size>>10), func(t *testing.T) {
			target := filepath.Join(top, fmt.Sprintf("compose-%d", size))
			toolcheck.MountTmpfs(t, target, size)
			code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link")
			st, _ := os.ReadFile(filepath.Join(onlyCompose(t, target), "STATUS"))
			if code != 2 || strings.TrimSpace(string(st)) != "DOOMED" || strings.Count(out, "\n") != 1 ||
				!strings.HasPrefix(out, "pungo compose: ") || !strings.Contains(out, "no space left on device") {
				t.Errorf("code %d, STATUS %q, output %q", code, st, out)
			}
			t.Logf("%s", out)
		})
	}
}
