// Command compose benchmarks a compose-sized pungo compose: a synthetic
// Fedora-sized package set (bench/synth) for two tree arches (x86_64 and
// an aarch64 copy derived from it), three variants with comps groups of a
// few thousand packages, gather with deps and multilib. The .rpm files are
// placeholders with empty headers (minimalRPM), so createrepo and repoclosure (which read package
// headers) and the image phases are skipped; init, pkgset, gather (linking
// included), extra files and the metadata run. It
// prints each phase's time and the time of the pungo gather preview.
//
// Usage: go run ./bench/compose [-out DIR] [-binary N] [-source N] [-pungo BIN] [-preview=false] [-runs N] [-phase NAME]
//
// -phase gather -runs 5 prints only the gather phase's wall, CPU and peak
// RSS of five composes, one line each with the load average, for
// comparing builds on a busy machine.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/pungo/pungo/bench/synth"
	"github.com/pungo/pungo/repomd"
)

func main() {
	out := flag.String("out", "bench/out/compose", "work directory (reused between runs)")
	binary := flag.Int("binary", 70000, "binary packages of the synthetic set")
	source := flag.Int("source", 30000, "source packages")
	flag.StringVar(&prebuilt, "pungo", "", "use this pungo binary instead of building one (bench/run.sh times the compose alone)")
	flag.BoolVar(&preview, "preview", true, "also time `pungo gather` after the compose")
	flag.IntVar(&runs, "runs", 1, "compose this many times")
	flag.StringVar(&onlyPhase, "phase", "", "print only this phase's row of each run (e.g. gather)")
	flag.Parse()
	if err := run(*out, *binary, *source); err != nil {
		fmt.Fprintln(os.Stderr, "bench/compose:", err)
		os.Exit(1)
	}
}

var (
	prebuilt  string
	preview   bool
	runs      int
	onlyPhase string
)

// samplePhaseRSS follows a running compose until done is closed and
// returns each phase's peak resident set in kB. The phases share one
// process, so a phase's peak is the largest RSS seen while it ran, as
// told by the [BEGIN]/[DONE ] lines of the compose log (read as they
// are written): every 2 ms it reads /proc/PID/status, and VmHWM, the
// kernel's own high-water mark, catches a peak that fell between two
// samples (it is given to the phases running in that interval).
// Phases that overlap each get the peak of the time they share. Steps
// that log no [BEGIN] (the tree and compose metadata) get none.
func samplePhaseRSS(pid int, target string, done <-chan struct{}) map[string]int64 {
	peaks := map[string]int64{}
	active := map[string]bool{}
	var logf *os.File
	var pending []byte
	var lastHWM int64
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-done:
			if logf != nil {
				logf.Close()
			}
			return peaks
		case <-tick.C:
		}
		if logf == nil {
			if logs, _ := filepath.Glob(filepath.Join(target, "*", "logs", "global", "pungi.global.log")); len(logs) == 1 {
				logf, _ = os.Open(logs[0])
			}
		}
		// Phases running at any moment of this interval: those active
		// before it and those that began or ended in it.
		seen := map[string]bool{}
		for p := range active {
			seen[p] = true
		}
		if logf != nil {
			buf := make([]byte, 64<<10)
			for {
				n, _ := logf.Read(buf)
				if n == 0 {
					break
				}
				pending = append(pending, buf[:n]...)
			}
			for {
				i := bytes.IndexByte(pending, '\n')
				if i < 0 {
					break
				}
				line := string(pending[:i])
				pending = pending[i+1:]
				if m := phaseLine.FindStringSubmatch(line); m != nil {
					name := strings.ToLower(m[2])
					seen[name] = true
					if m[1] == "BEGIN" {
						active[name] = true
					} else {
						delete(active, name)
					}
				}
			}
		}
		rss, hwm := procStatus(pid)
		peak := rss
		if hwm > lastHWM {
			peak, lastHWM = hwm, hwm
		}
		for p := range seen {
			if peak > peaks[p] {
				peaks[p] = peak
			}
		}
	}
}

var phaseLine = regexp.MustCompile(`\[(BEGIN|DONE |FAIL )\] -+ PHASE: (\S+) -+`)

// procStatus returns VmRSS and VmHWM of a process in kB (0 once it is
// gone).
func procStatus(pid int) (rss, hwm int64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		switch k {
		case "VmRSS":
			rss = n
		case "VmHWM":
			hwm = n
		}
	}
	return rss, hwm
}

func step(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	fmt.Fprintf(os.Stderr, "%-28s %7.2fs\n", name, time.Since(start).Seconds())
	return err
}

func run(out string, binary, source int) error {
	out, _ = filepath.Abs(out)
	tag := fmt.Sprintf("b%d-s%d-v2", binary, source) // v2: placeholders with rpm headers
	data := filepath.Join(out, "data-"+tag)
	x86, arm, src := filepath.Join(data, "repo-x86_64"), filepath.Join(data, "repo-aarch64"), filepath.Join(data, "repo-src")
	if _, err := os.Stat(filepath.Join(data, ".complete")); err != nil {
		os.RemoveAll(data)
		if err := step("generate synthetic repos", func() error {
			return synth.Generate(x86, synth.Options{Binary: binary, Source: source, SourceDir: src})
		}); err != nil {
			return err
		}
		if err := step("derive aarch64 repo", func() error { return deriveArch(x86, arm) }); err != nil {
			return err
		}
		if err := step("placeholder rpm files", func() error {
			for _, d := range []string{x86, arm, src} {
				if err := placeholders(d); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		if err := writeInputs(data, x86, arm, src); err != nil {
			return err
		}
		os.WriteFile(filepath.Join(data, ".complete"), nil, 0o644)
	}
	bin := filepath.Join(out, "pungo")
	if prebuilt != "" {
		bin = prebuilt
	} else if err := step("go build pungo", func() error {
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/pungo")
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}); err != nil {
		return err
	}
	target := filepath.Join(out, "composes")
	cfg := filepath.Join(data, "bench.conf")
	for i := range max(runs, 1) {
		if err := composeOnce(bin, cfg, target, binary, source, i+1); err != nil {
			return err
		}
	}
	if !preview || onlyPhase != "" {
		return nil
	}
	start := time.Now()
	cmd := exec.Command(bin, "gather", "--config", cfg)
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return err
	}
	lines := strings.Count(buf.String(), "\n")
	fmt.Printf("pungo gather preview: %.2fs (%d output lines)\n", time.Since(start).Seconds(), lines)
	return nil
}

// composeOnce runs the compose into target and prints its phase table
// (or, with -phase, that phase's row).
func composeOnce(bin, cfg, target string, binary, source, run int) error {
	os.RemoveAll(target)
	os.MkdirAll(target, 0o755)
	var wall time.Duration
	var phaseRSS map[string]int64 // peak RSS in kB per phase, from samplePhaseRSS
	if err := step("pungo compose", func() error {
		start := time.Now()
		args := []string{"compose", "--config", cfg, "--target-dir", target, "--nightly", "--quiet", "--no-latest-link"}
		// No headers to index, no images: the compose proper.
		for _, p := range []string{"createrepo", "repoclosure", "buildinstall", "createiso", "extra_isos", "image_checksum", "test",
			"ostree", "ostree_installer", "ostree_container", "image_build", "live_media", "osbuild", "kiwibuild", "osbs", "image_container"} {
			args = append(args, "--skip-phase", p)
		}
		cmd := exec.Command(bin, args...)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			return err
		}
		done := make(chan struct{})
		sampled := make(chan map[string]int64, 1)
		go func() { sampled <- samplePhaseRSS(cmd.Process.Pid, target, done) }()
		err := cmd.Wait()
		wall = time.Since(start)
		close(done)
		phaseRSS = <-sampled
		return err
	}); err != nil {
		return err
	}
	logs, _ := filepath.Glob(filepath.Join(target, "*", "logs", "global", "pungi.global.log"))
	if len(logs) != 1 {
		return fmt.Errorf("no compose log in %s", target)
	}
	logData, _ := os.ReadFile(logs[0])
	m := regexp.MustCompile(`Phase times: (.*)`).FindSubmatch(logData)
	if m == nil {
		return fmt.Errorf("no phase times in %s", logs[0])
	}
	load := "?"
	if l, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = strings.Join(strings.Fields(string(l))[:3], " ")
	}
	if onlyPhase == "" {
		fmt.Printf("compose of %d binary + %d source packages, 3 variants x 2 arches (wall %.2fs):\n", binary, source, wall.Seconds())
		fmt.Printf("  %-24s %10s %10s %12s\n", "phase", "wall", "cpu", "peak RSS MB")
	}
	for _, f := range strings.Fields(string(m[1])) {
		k, v, _ := strings.Cut(f, "=")
		wallS, cpuS, _ := strings.Cut(v, "/cpu")
		peak := "-"
		if kb := phaseRSS[k]; kb > 0 {
			peak = strconv.FormatInt(kb/1024, 10)
		}
		switch onlyPhase {
		case "":
			fmt.Printf("  %-24s %10s %10s %12s\n", k, wallS, cpuS, peak)
		case k:
			fmt.Printf("run %d: %s wall %s cpu %s peak RSS %s MB (load average %s)\n", run, k, wallS, cpuS, peak, load)
		}
	}
	if onlyPhase != "" {
		return nil
	}
	counts := regexp.MustCompile(`Package set for (\S+): (\d+) packages`).FindAllSubmatch(logData, -1)
	for _, c := range counts {
		fmt.Printf("  package set %-12s %s packages\n", c[1], c[2])
	}
	fmt.Printf("  (load average during the run: %s)\n", load)
	return nil
}

// deriveArch copies the x86_64 repository as an aarch64 one: arches,
// (x86-64) provides and file names rewritten, repomd.xml checksums
// recomputed.
func deriveArch(from, to string) error {
	repo, err := repomd.OpenMeta(from)
	if err != nil {
		return err
	}
	repl := strings.NewReplacer("<arch>x86_64</arch>", "<arch>aarch64</arch>", "(x86-64)", "(aarch-64)",
		".x86_64.rpm\"", ".aarch64.rpm\"", "arch=\"x86_64\"", "arch=\"aarch64\"")
	if err := os.MkdirAll(filepath.Join(to, "repodata"), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\">\n  <revision>1</revision>\n")
	for _, rec := range repo.Records {
		rc, err := repo.OpenRecord(rec.Type)
		if err != nil {
			return err
		}
		plain, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return err
		}
		plain = []byte(repl.Replace(string(plain)))
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(plain)
		zw.Close()
		name := "repodata/" + rec.Type + ".xml.gz"
		if err := os.WriteFile(filepath.Join(to, name), gz.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(&b, "  <data type=\"%s\">\n    <checksum type=\"sha256\">%s</checksum>\n    <open-checksum type=\"sha256\">%s</open-checksum>\n    <location href=\"%s\"/>\n    <timestamp>%d</timestamp>\n    <size>%d</size>\n    <open-size>%d</open-size>\n  </data>\n",
			rec.Type, sum(gz.Bytes()), sum(plain), name, rec.Timestamp, gz.Len(), len(plain))
	}
	b.WriteString("</repomd>\n")
	return os.WriteFile(filepath.Join(to, "repodata", "repomd.xml"), []byte(b.String()), 0o644)
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// placeholders links a minimal RPM file to every package path of the
// repository.
func placeholders(dir string) error {
	repo, err := repomd.Open(dir)
	if err != nil {
		return err
	}
	// ext4 allows 65,000 links to one inode, and the compose links each
	// package again into each variant: a new stub every 8,000 packages.
	var stub string
	made := map[string]bool{}
	for i, p := range repo.Packages {
		if i%8000 == 0 {
			stub = filepath.Join(dir, fmt.Sprintf("placeholder-%d.rpm", i/8000))
			if err := os.WriteFile(stub, minimalRPM(), 0o644); err != nil {
				return err
			}
		}
		path := repo.PackagePath(p)
		d := filepath.Dir(path)
		if !made[d] {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			made[d] = true
		}
		if err := os.Link(stub, path); err != nil {
			return err
		}
	}
	return nil
}

// minimalRPM is about the smallest file rpm header readers accept: a lead
// and two header structures of one tag each (signature and main header). The pkgset
// phase reads the ExclusiveArch/ExcludeArch tags of noarch packages from
// the headers, so an empty file no longer does; every placeholder is a
// hard link to one such file, so they take no space.
func minimalRPM() []byte {
	b := make([]byte, 96)                      // the lead
	copy(b, []byte{0xed, 0xab, 0xee, 0xdb, 3}) // magic, format 3.0, binary
	copy(b[10:], "placeholder")
	b[77] = 1 // os: Linux
	b[79] = 5 // signature type: a header structure
	// Each header structure holds one tag, as rpm's reader (and pungo's)
	// wants at least one: the signature a 32-bit SIZE (8 bytes with the
	// padding to 8), the main header a NAME.
	sig := []byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 4,
		0, 0, 0x03, 0xe8, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, // tag 1000, INT32, offset 0, count 1
		0, 0, 0, 0, 0, 0, 0, 0} // the value, then padding to 8
	hdr := []byte{0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 12,
		0, 0, 0x03, 0xe8, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1} // tag 1000 (NAME), STRING, offset 0, count 1
	hdr = append(hdr, "placeholder\x00"...)
	return append(append(b, sig...), hdr...)
}

// writeInputs writes comps.xml (groups drawn from the package names),
// variants.xml (Server, Workstation, Cloud on both arches) and bench.conf.
func writeInputs(data, x86, arm, src string) error {
	repo, err := repomd.Open(x86)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	var names []string
	for _, p := range repo.Packages {
		if p.Arch == "i686" || seen[p.Name] || strings.HasSuffix(p.Name, "-debuginfo") {
			continue
		}
		seen[p.Name] = true
		names = append(names, p.Name)
	}
	sort.Strings(names)
	groups := []struct {
		id       string
		mod, rem int
	}{{"core", 500, 1}, {"server", 40, 0}, {"desktop", 40, 13}, {"cloud", 97, 5}}
	var c strings.Builder
	c.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE comps PUBLIC \"-//Red Hat, Inc.//DTD Comps info//EN\" \"comps.dtd\">\n<comps>\n")
	for _, g := range groups {
		fmt.Fprintf(&c, "  <group>\n    <id>%s</id>\n    <name>%s</name>\n    <description/>\n    <default>true</default>\n    <uservisible>true</uservisible>\n    <packagelist>\n", g.id, g.id)
		for i, n := range names {
			if i%g.mod == g.rem {
				fmt.Fprintf(&c, "      <packagereq type=\"mandatory\">%s</packagereq>\n", n)
			}
		}
		c.WriteString("    </packagelist>\n  </group>\n")
	}
	c.WriteString("</comps>\n")
	if err := os.WriteFile(filepath.Join(data, "comps.xml"), []byte(c.String()), 0o644); err != nil {
		return err
	}
	var v strings.Builder
	v.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE variants PUBLIC \"-//Red Hat, Inc.//DTD Variants info//EN\" \"variants2012.dtd\">\n<variants>\n")
	for _, x := range []struct{ id, group string }{{"Server", "server"}, {"Workstation", "desktop"}, {"Cloud", "cloud"}} {
		fmt.Fprintf(&v, "  <variant id=\"%s\" name=\"%s\" type=\"variant\">\n    <arches>\n      <arch>x86_64</arch>\n      <arch>aarch64</arch>\n    </arches>\n    <groups>\n      <group>core</group>\n      <group>%s</group>\n    </groups>\n  </variant>\n", x.id, x.id, x.group)
	}
	v.WriteString("</variants>\n")
	if err := os.WriteFile(filepath.Join(data, "variants.xml"), []byte(v.String()), 0o644); err != nil {
		return err
	}
	conf := fmt.Sprintf(`release_name = "Bench"
release_short = "Bench"
release_version = "1"
variants_file = "variants.xml"
comps_file = "comps.xml"
sigkeys = [None]
pkgset_source = "repos"
pkgset_repos = {
    "x86_64": [%q, %q],
    "aarch64": [%q, %q],
}
gather_method = "deps"
check_deps = False
greedy_method = "none"
multilib = [("^Server$", {"x86_64": ["devel", "runtime"]})]
link_type = "hardlink"
hashed_directories = True
createrepo_checksum = "sha256"
`, x86, src, arm, src)
	return os.WriteFile(filepath.Join(data, "bench.conf"), []byte(conf), 0o644)
}
