// Command rpm-ostree is a fake of rpm-ostree for pungo's tests (Debian has
// no rpm-ostree). "compose tree" checks every option pungo passes, that the
// repository is an ostree repo, that the treefile has a ref and that each
// repo it names is defined in a .repo file beside it whose baseurl exists;
// then it makes a real commit with Debian's ostree (orphan, as rpm-ostree
// does with --write-commitid-to), writes the commit ID and touches the
// stamp — or, when the inputs did not change and --force-nocache is not
// given, makes no commit like rpm-ostree. "compose image" writes an OCI
// archive (tar with oci-layout and index.json). Calls are appended to
// $FAKE_RPM_OSTREE_LOG.
package main

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "fake rpm-ostree: "+format+"\n", a...)
	os.Exit(2)
}

func main() {
	args := os.Args[1:]
	if log := os.Getenv("FAKE_RPM_OSTREE_LOG"); log != "" {
		if f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			fmt.Fprintln(f, strings.Join(args, " "))
			f.Close()
		}
	}
	if len(args) < 2 || args[0] != "compose" {
		die("want 'compose tree' or 'compose image', got %v", args)
	}
	switch args[1] {
	case "tree":
		tree(args[2:])
	case "image":
		image(args[2:])
	default:
		die("unknown compose command %s", args[1])
	}
}

type treefile struct {
	ref      string
	repos    []string
	packages []string
	dir      string
}

var yamlRef = regexp.MustCompile(`(?m)^ref:\s*(.+?)\s*$`)

func readTreefile(p string) treefile {
	raw, err := os.ReadFile(p)
	if err != nil {
		die("treefile: %v", err)
	}
	t := treefile{dir: filepath.Dir(p)}
	if !strings.HasPrefix(strings.TrimSpace(string(raw)), "{") {
		if m := yamlRef.FindSubmatch(raw); m != nil {
			t.ref = strings.Trim(string(m[1]), `"'`)
		}
		return t
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		die("treefile %s: %v", p, err)
	}
	if inc, ok := doc["include"].(string); ok {
		t = readTreefile(filepath.Join(filepath.Dir(p), inc))
		t.dir = filepath.Dir(p)
	}
	if r, ok := doc["ref"].(string); ok {
		t.ref = r
	}
	if rs, ok := doc["repos"].([]any); ok {
		for _, r := range rs {
			t.repos = append(t.repos, fmt.Sprint(r))
		}
	}
	if ps, ok := doc["packages"].([]any); ok {
		for _, x := range ps {
			t.packages = append(t.packages, fmt.Sprint(x))
		}
	}
	return t
}

// checkRepos makes sure every repo named by the treefile is defined in a
// .repo file beside it, with a reachable baseurl.
func checkRepos(t treefile) string {
	files, _ := filepath.Glob(filepath.Join(t.dir, "*.repo"))
	defined := map[string]string{}
	var all strings.Builder
	for _, f := range files {
		b, _ := os.ReadFile(f)
		all.Write(b)
		cur := ""
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
				cur = line[1 : len(line)-1]
				defined[cur] = ""
			}
			if v, ok := strings.CutPrefix(line, "baseurl="); ok && cur != "" {
				defined[cur] = v
			}
		}
	}
	for _, r := range t.repos {
		url, ok := defined[r]
		if !ok {
			die("repo %s named in the treefile is not defined in any .repo file", r)
		}
		url = strings.ReplaceAll(url, "$basearch", "x86_64")
		path := strings.TrimPrefix(url, "file://")
		if strings.HasPrefix(path, "/") {
			if _, err := os.Stat(path); err != nil {
				die("repo %s: baseurl %s does not exist", r, url)
			}
		}
	}
	return all.String()
}

func tree(args []string) {
	var repo, commitFile, stamp, version, tf string
	var unified, force bool
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--repo="):
			repo = strings.TrimPrefix(a, "--repo=")
		case strings.HasPrefix(a, "--write-commitid-to="):
			commitFile = strings.TrimPrefix(a, "--write-commitid-to=")
		case strings.HasPrefix(a, "--touch-if-changed="):
			stamp = strings.TrimPrefix(a, "--touch-if-changed=")
		case strings.HasPrefix(a, "--add-metadata-string="):
			kv := strings.TrimPrefix(a, "--add-metadata-string=")
			v, ok := strings.CutPrefix(kv, "version=")
			if !ok || v == "" {
				die("unexpected metadata %s", kv)
			}
			version = v
		case a == "--unified-core":
			unified = true
		case a == "--force-nocache":
			force = true
		case strings.HasPrefix(a, "-"):
			die("unknown option %s", a)
		default:
			if tf != "" {
				die("two treefiles: %s and %s", tf, a)
			}
			tf = a
		}
	}
	if repo == "" || commitFile == "" || stamp == "" || tf == "" {
		die("missing --repo, --write-commitid-to, --touch-if-changed or treefile")
	}
	if _, err := os.Stat(filepath.Join(repo, "config")); err != nil {
		die("%s is not an ostree repository", repo)
	}
	t := readTreefile(tf)
	if t.ref == "" {
		die("treefile %s has no ref", tf)
	}
	repoDefs := checkRepos(t)
	input := fmt.Sprintf("%x", sha256.Sum256([]byte(fmt.Sprint(t.ref, t.repos, t.packages, repoDefs, version, unified))))
	state := filepath.Join(repo, "fake-rpm-ostree-input-"+strings.ReplaceAll(t.ref, "/", "_"))
	if old, err := os.ReadFile(state); err == nil && string(old) == input && !force {
		fmt.Println("No apparent changes since previous commit; use --force-nocache to override")
		return
	}
	content, err := os.MkdirTemp("", "fake-rpm-ostree-")
	if err != nil {
		die("%v", err)
	}
	defer os.RemoveAll(content)
	os.MkdirAll(filepath.Join(content, "usr", "share", "fake"), 0o755)
	os.WriteFile(filepath.Join(content, "usr", "share", "fake", "packages"), []byte(strings.Join(t.packages, "\n")+"\n"+input+"\n"), 0o644)
	cargs := []string{"commit", "--repo=" + repo, "--orphan", "--tree=dir=" + content, "-s", "fake rpm-ostree commit of " + t.ref}
	if version != "" {
		cargs = append(cargs, "--add-metadata-string=version="+version)
	}
	if force {
		// A forced commit is new even within the same second.
		cargs = append(cargs, fmt.Sprintf("--add-metadata-string=fake.nonce=%d", time.Now().UnixNano()))
	}
	out, err := exec.Command("ostree", cargs...).Output()
	if err != nil {
		die("ostree commit: %v", err)
	}
	commit := strings.TrimSpace(string(out))
	if err := os.WriteFile(commitFile, []byte(commit), 0o644); err != nil {
		die("%v", err)
	}
	if err := os.WriteFile(stamp, nil, 0o644); err != nil {
		die("%v", err)
	}
	os.WriteFile(state, []byte(input), 0o644)
	fmt.Printf("Wrote commit: %s\n", commit)
}

func image(args []string) {
	var stamp string
	var pos []string
	initialize := false
	for _, a := range args {
		switch {
		case a == "--initialize":
			initialize = true
		case strings.HasPrefix(a, "--touch-if-changed="):
			stamp = strings.TrimPrefix(a, "--touch-if-changed=")
		case strings.HasPrefix(a, "-"):
			die("unknown option %s", a)
		default:
			pos = append(pos, a)
		}
	}
	if !initialize || stamp == "" || len(pos) != 2 {
		die("want --initialize --touch-if-changed=STAMP TREEFILE OUTPUT, got %v", args)
	}
	t := readTreefile(pos[0])
	checkRepos(t)
	if !strings.HasSuffix(pos[1], ".ociarchive") {
		die("output %s is not an .ociarchive", pos[1])
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(data))})
		tw.Write(data)
	}
	add("oci-layout", []byte(`{"imageLayoutVersion":"1.0.0"}`))
	add("index.json", []byte(`{"schemaVersion":2,"manifests":[]}`))
	add("blobs/sha256/placeholder", bytes.Repeat([]byte{0}, 4096))
	tw.Close()
	if err := os.WriteFile(pos[1], buf.Bytes(), 0o644); err != nil {
		die("%v", err)
	}
	os.WriteFile(stamp, nil, 0o644)
}
