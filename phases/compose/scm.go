package compose

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/repomd/fetch"
)

// SCM is Pungi's scm_dict: where a file or directory comes from. A plain
// string in the config means {"scm": "file", "file": path}.
type SCM struct {
	Kind   string // file, git, rpm
	Repo   string // git URL, or rpm file(s) for kind rpm
	Branch string
	File   string // a file (or glob for rpm) inside the source
	Dir    string // a directory inside the source (instead of File)
	Target string // where inside the destination (extra_files)
	// CredentialHelper is options.credential_helper: git runs with it
	// as credential.helper (and credential.useHttpPath), as Pungi's.
	CredentialHelper string
}

// ParseSCM reads a scm_dict (or a plain path) from a config value.
func ParseSCM(v any) (SCM, error) {
	switch t := v.(type) {
	case string:
		return SCM{Kind: "file", File: t}, nil
	case map[string]any:
		s := SCM{Kind: "file"}
		str := func(k string) string { x, _ := t[k].(string); return x }
		if k := str("scm"); k != "" {
			s.Kind = k
		}
		s.Repo, s.Branch, s.File, s.Dir, s.Target = str("repo"), str("branch"), str("file"), str("dir"), str("target")
		if o, ok := t["options"].(map[string]any); ok {
			s.CredentialHelper, _ = o["credential_helper"].(string)
		}
		if s.File == "" && s.Dir == "" {
			return s, fmt.Errorf("scm_dict %v names neither file nor dir", t)
		}
		switch s.Kind {
		case "file", "git", "rpm":
		default:
			return s, fmt.Errorf("scm_dict: unsupported scm %q (file, git, rpm)", s.Kind)
		}
		return s, nil
	}
	return SCM{}, fmt.Errorf("scm_dict: want a path or a dict, got %T", v)
}

// Fetch puts the SCM's file (or directory content) into destDir and
// returns the paths written, relative to destDir. file paths are relative
// to the config directory; git sources are cloned into a temporary
// directory of the compose; rpm sources are unpacked with rpm2cpio.
func (c *Compose) Fetch(ctx context.Context, s SCM, destDir string) ([]string, error) {
	if err := os.MkdirAll(destDir, 0o755); err != nil {
		return nil, err
	}
	root := ConfigDir(c.ConfigPath)
	switch s.Kind {
	case "git":
		tmp, err := c.Paths.Work.MkdirTemp("", nil, "scm-git-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		var args []string
		if s.CredentialHelper != "" {
			args = append(args, "-c", "credential.useHttpPath=true", "-c", "credential.helper="+s.CredentialHelper)
		}
		args = append(args, "clone", "--quiet", "--depth", "1")
		if s.Branch != "" {
			args = append(args, "--branch", s.Branch)
		}
		args = append(args, s.Repo, tmp)
		cmd := GitCommand(ctx, args...)
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git clone %s: %v: %s", s.Repo, err, strings.TrimSpace(string(out)))
		}
		root = tmp
	case "rpm":
		tmp, err := c.Paths.Work.MkdirTemp("", nil, "scm-rpm-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		rpmPath := ResolvePath(c.ConfigPath, s.Repo)
		cmd := exec.CommandContext(ctx, "sh", "-c", `rpm2cpio "$1" | cpio -id --quiet`, "sh", rpmPath)
		cmd.Dir = tmp
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("unpacking %s: %v: %s", rpmPath, err, strings.TrimSpace(string(out)))
		}
		root = tmp
	}
	var written []string
	if s.Kind == "file" && s.File != "" {
		// A plain path naming a directory (e.g. product_id = "certs/")
		// means the directory's content.
		p := s.File
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			s.Dir, s.File = s.File, ""
		}
	}
	if s.File != "" {
		src := s.File
		if !filepath.IsAbs(src) || s.Kind != "file" {
			src = filepath.Join(root, strings.TrimPrefix(s.File, "/"))
		}
		matches, _ := filepath.Glob(src)
		if len(matches) == 0 {
			return nil, fmt.Errorf("%s: no such file (scm %s)", src, s.Kind)
		}
		for _, m := range matches {
			name := filepath.Base(m)
			if err := copyFile(m, filepath.Join(destDir, name)); err != nil {
				return nil, err
			}
			written = append(written, name)
		}
		return written, nil
	}
	src := s.Dir
	if !filepath.IsAbs(src) || s.Kind != "file" {
		src = filepath.Join(root, strings.TrimPrefix(s.Dir, "/"))
	}
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() {
			if info.Name() == ".git" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(destDir, rel), 0o755)
		}
		written = append(written, rel)
		return copyFile(p, filepath.Join(destDir, rel))
	})
	return written, err
}

// copyFile copies src to dst (temp then rename, src's permissions).
func copyFile(src, dst string) error { return atomicfile.Copy(src, dst, 0) }

// GitCommand is git with the arguments, made to end: its environment
// has the download client's low-speed limit (git and its curl have none,
// so a server that accepts and never answers, stalls or trickles would
// hold the compose forever; dnf's minrate and timeout, 1000 B/s over
// 30 s, as repositories and Koji downloads get, unless the environment
// sets GIT_HTTP_LOW_SPEED_*). It runs in its own process group, and
// cancelling ctx kills the group: killing git alone leaves
// git-remote-http holding the output pipe, and Wait would block until
// that child gave up by itself.
func GitCommand(ctx context.Context, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = os.Environ()
	if os.Getenv("GIT_HTTP_LOW_SPEED_LIMIT") == "" && os.Getenv("GIT_HTTP_LOW_SPEED_TIME") == "" {
		o := fetch.Default().Options()
		cmd.Env = append(cmd.Env, fmt.Sprintf("GIT_HTTP_LOW_SPEED_LIMIT=%d", o.LowSpeedLimit),
			fmt.Sprintf("GIT_HTTP_LOW_SPEED_TIME=%d", max(1, int(o.LowSpeedTime/time.Second))))
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	return cmd
}
