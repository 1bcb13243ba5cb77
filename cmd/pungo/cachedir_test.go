package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"

	"github.com/pungo/pungo/repomd/repocache"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// TestCacheDir: depsolve, repoquery, repoclosure and gather --config with
// --cachedir print exactly what they print without it, cold and warm; the
// warm run of a repository whose XML records are gone (only repomd.xml is
// left) works from the images alone, and a corrupt image is reported,
// ignored and rewritten.
func TestCacheDir(t *testing.T) {
	demo := filepath.Join(toolcheck.ProjectRoot(), "testdata", "demo")
	repo := filepath.Join(t.TempDir(), "rpms")
	if err := os.CopyFS(repo, os.DirFS(filepath.Join(demo, "rpms"))); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		run     func([]string) int
		args    []string
		records []string // images the command must leave
		dropXML bool     // run warm with only repomd.xml left
	}{
		{"depsolve", runDepsolve, []string{"--repo", repo, "--fulltree", "demo-httpd", "demo-db-server"}, []string{"primary"}, true},
		{"repoquery", runRepoquery, []string{"--repo", repo, "--whatprovides", "/usr/bin/*", "--queryformat", "%{name} %{sourcerpm}"}, []string{"primary", "filelists"}, true},
		{"repoclosure", runRepoclosure, []string{"--repo", repo}, []string{"primary"}, true},
		{"gather", runGather, []string{"--config", filepath.Join(demo, "demo.conf")}, []string{"primary"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cache := t.TempDir()
			wantCode, want, _ := runCLI(t, tc.run, tc.args...)
			withCache := append([]string{"--cachedir", cache}, tc.args...)
			for _, run := range []string{"cold", "warm"} {
				code, out, errOut := runCLI(t, tc.run, withCache...)
				if code != wantCode || out != want || errOut != "" && code == 0 {
					t.Fatalf("%s run: exit %d, stdout\n%s\nstderr %s\nwant exit %d, stdout\n%s", run, code, out, errOut, wantCode, want)
				}
			}
			for _, rec := range tc.records {
				if m, _ := filepath.Glob(filepath.Join(cache, "*."+rec+".pungocache")); len(m) == 0 {
					t.Errorf("no %s image in %s", rec, cache)
				}
			}
			if !tc.dropXML {
				return
			}
			bare := filepath.Join(t.TempDir(), "rpms")
			os.MkdirAll(filepath.Join(bare, "repodata"), 0o755)
			b, _ := os.ReadFile(filepath.Join(repo, "repodata", "repomd.xml"))
			os.WriteFile(filepath.Join(bare, "repodata", "repomd.xml"), b, 0o644)
			for _, rec := range tc.records {
				img, err := os.ReadFile(repocache.New(cache).File(repo, rec))
				if err != nil {
					t.Fatal(err)
				}
				os.WriteFile(repocache.New(cache).File(bare, rec), img, 0o644)
			}
			args := withCache[:0:0]
			for _, a := range withCache {
				args = append(args, strings.ReplaceAll(a, repo, bare))
			}
			if code, out, errOut := runCLI(t, tc.run, args...); code != wantCode || out != strings.ReplaceAll(want, repo, bare) {
				t.Fatalf("run from images alone: exit %d, stdout\n%s\nstderr %s", code, out, errOut)
			}
			// A corrupt image: reported, not trusted (the XML is gone, so
			// the command fails naming the missing file), and
			// rewritten by the next run that can parse.
			primary := repocache.New(cache).File(bare, "primary")
			img, _ := os.ReadFile(primary)
			img[len(img)/2] ^= 1
			os.WriteFile(primary, img, 0o644)
			code, _, errOut := runCLI(t, tc.run, args...)
			if code != 2 || !strings.Contains(errOut, "checksum mismatch") || !strings.Contains(errOut, "primary.xml") {
				t.Errorf("corrupt image: exit %d, stderr %s; want a warning and the missing primary.xml named", code, errOut)
			}
		})
	}
}

// TestComposeCacheDir: a compose keeps images of its input repositories
// in work/global/pungi-cache by default (none of the repositories it
// writes and checks itself); with --cachedir in a shared directory, a
// second compose loads from the first one's images (they are not
// rewritten).
func TestComposeCacheDir(t *testing.T) {
	conf := demoConfig(t, "", nil)
	target, shared := t.TempDir(), t.TempDir()
	if code, out := runPungo(t, t.TempDir(), "--config", conf, "--target-dir", target, "--quiet"); code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	images, _ := filepath.Glob(filepath.Join(onlyCompose(t, target), "work", "global", "pungi-cache", "*"))
	var names []string
	for _, m := range images {
		names = append(names, filepath.Base(m))
	}
	sort.Strings(names)
	// rpms, modular/rpms (pkgset_repos) and lookaside (the Workstation
	// lookaside of gather and repoclosure).
	if len(names) != 3 || !strings.HasPrefix(names[0], "lookaside-") || !strings.HasPrefix(names[1], "rpms-") || !strings.HasPrefix(names[2], "rpms-") {
		t.Errorf("work/global/pungi-cache holds %v, want the primary images of lookaside, rpms and modular/rpms", names)
	}
	inodes := map[string]uint64{}
	for run := range 2 {
		if code, out := runPungo(t, t.TempDir(), "--config", conf, "--target-dir", t.TempDir(), "--quiet", "--just-phase", "pkgset", "--cachedir", shared); code != 0 {
			t.Fatalf("compose exited %d:\n%s", code, out)
		}
		m, _ := filepath.Glob(filepath.Join(shared, "*.primary.pungocache"))
		if len(m) != 2 {
			t.Fatalf("--cachedir holds %v, want two primary images", m)
		}
		for _, f := range m {
			st, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			ino := st.Sys().(*syscall.Stat_t).Ino
			if run == 1 && inodes[f] != ino {
				t.Errorf("%s was rewritten by the second compose", f)
			}
			inodes[f] = ino
		}
	}
}
