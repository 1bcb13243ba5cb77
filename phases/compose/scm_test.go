package compose

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/repomd/fetch"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// A git scm_dict's options.credential_helper reaches git as Pungi passes
// it: -c credential.useHttpPath=true -c credential.helper=HELPER.
func TestSCMGitCredentialHelper(t *testing.T) {
	for _, tc := range []struct {
		scm  map[string]any
		want string
	}{
		{map[string]any{"scm": "git", "repo": "https://git.example.com/comps.git", "file": "comps.xml",
			"options": map[string]any{"credential_helper": "!/usr/libexec/get-token"}},
			"-c credential.useHttpPath=true -c credential.helper=!/usr/libexec/get-token clone --quiet --depth 1 https://git.example.com/comps.git "},
		{map[string]any{"scm": "git", "repo": "https://git.example.com/comps.git", "file": "comps.xml"},
			"clone --quiet --depth 1 https://git.example.com/comps.git "},
	} {
		bin := t.TempDir()
		log := filepath.Join(t.TempDir(), "args")
		// The fake git records its arguments and "clones" comps.xml.
		os.WriteFile(filepath.Join(bin, "git"), []byte("#!/bin/sh\necho \"$@\" > "+log+"\nfor last; do :; done\nmkdir -p \"$last\" && echo '<comps/>' > \"$last/comps.xml\"\n"), 0o755)
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		c := newTestCompose(t, baseConf())
		s, err := ParseSCM(tc.scm)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Fetch(context.Background(), s, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(log)
		if !strings.HasPrefix(string(got), tc.want) {
			t.Errorf("git %s, want %s…", got, tc.want)
		}
	}
}

// TestSCMGitHangingServer: git clone from a server that accepts and never
// answers ends with an error naming the repository, either after the
// download client's low-speed time (1 s here, dnf's 30 s by default; git
// alone would wait forever) or, when the environment sets a longer limit,
// soon after the compose is cancelled (killing git alone would leave
// git-remote-http holding the pipe, and the clone would wait for it).
func TestSCMGitHangingServer(t *testing.T) {
	toolcheck.Need(t, "git")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	old := fetch.SetDefault(fetch.New(fetch.Options{LowSpeedTime: time.Second}))
	defer fetch.SetDefault(old)
	repo := "http://" + l.Addr().String() + "/comps.git"
	for _, tc := range []struct {
		name          string
		lowSpeedTime  string // GIT_HTTP_LOW_SPEED_TIME from the environment
		ctxTimeout    time.Duration
		wantCancelled bool
	}{
		{"low-speed limit", "", 30 * time.Second, false},
		{"cancelled", "600", 2 * time.Second, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GIT_HTTP_LOW_SPEED_LIMIT", "")
			t.Setenv("GIT_HTTP_LOW_SPEED_TIME", tc.lowSpeedTime)
			c := newTestCompose(t, baseConf())
			s, err := ParseSCM(map[string]any{"scm": "git", "repo": repo, "file": "comps.xml"})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), tc.ctxTimeout)
			defer cancel()
			start := time.Now()
			_, err = c.Fetch(ctx, s, t.TempDir())
			if err == nil || !strings.HasPrefix(err.Error(), "git clone "+repo+": ") || (ctx.Err() != nil) != tc.wantCancelled {
				t.Errorf("err = %v, ctx.Err() = %v", err, ctx.Err())
			}
			if took := time.Since(start); took > tc.ctxTimeout/2+8*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}
