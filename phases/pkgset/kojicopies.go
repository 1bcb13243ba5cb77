package pkgset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// This file finds the file of every rpm the Koji package set picked:
// under Koji's topdir when it is mounted, else (or when koji_cache is
// set, as Pungi does) downloaded from Koji's topurl into koji_cache. Signed
// copies are looked for first, in sigkeys order, and waited for as
// signed_packages_retries / signed_packages_wait say; the unsigned copy is
// taken only when sigkeys allows it (None) and no signed copy appeared.

// copySource is where rpm files come from.
type copySource struct {
	topdir string           // local topdir; "" when downloading
	dl     *koji.Downloader // nil when reading topdir
	// sums are Koji's sha256 checksums per rpm ID and sigkey, to verify
	// downloads and cached files; nil when the hub cannot tell them.
	sums map[int64]map[string]string
}

// newCopySource decides between the mounted topdir and downloads and, for
// downloads, asks Koji for the picked rpms' checksums.
func newCopySource(ctx context.Context, c *compose.Compose, prof *koji.Profile, client *koji.Client, picked []kojiRPM) (*copySource, error) {
	src, err := openCopySource(c, prof)
	if err != nil || src.dl == nil {
		return src, err
	}
	return src, src.loadChecksums(ctx, c, client, picked)
}

// openCopySource decides between the mounted topdir and downloads from
// topurl into koji_cache (without checksums: module archives are read
// through it before the rpms are picked).
func openCopySource(c *compose.Compose, prof *koji.Profile) (*copySource, error) {
	cache, _ := compose.StringOpt(c.Conf, "koji_cache")
	readable := false
	if prof.TopDir != "" {
		_, err := os.ReadDir(prof.TopDir)
		readable = err == nil
	}
	if cache == "" {
		if !readable {
			what := "has no topdir"
			if prof.TopDir != "" {
				what = "topdir " + prof.TopDir + " is not readable"
			}
			return nil, fmt.Errorf("koji profile %q: %s; set koji_cache to download the packages from topurl instead", prof.Name, what)
		}
		return &copySource{topdir: prof.TopDir}, nil
	}
	if prof.TopURL == "" {
		return nil, fmt.Errorf("koji_cache is set but koji profile %q has no topurl to download from", prof.Name)
	}
	if !filepath.IsAbs(cache) {
		return nil, fmt.Errorf("koji_cache %q: an absolute directory is required", cache)
	}
	return &copySource{dl: &koji.Downloader{TopURL: prof.TopURL, CacheDir: cache, Logf: c.Log.Infof}}, nil
}

// loadChecksums asks Koji for the sha256 of every picked rpm's copies, to
// verify downloads.
func (src *copySource) loadChecksums(ctx context.Context, c *compose.Compose, client *koji.Client, picked []kojiRPM) error {
	ids := make([]int64, 0, len(picked))
	for _, p := range picked {
		if p.taskPath == "" {
			ids = append(ids, p.rpm.ID)
		}
	}
	sums, ok, err := client.RPMChecksums(ctx, ids, []string{"sha256"})
	if err != nil {
		return err
	}
	if !ok {
		c.Log.Warningf("Koji hub %s has no getRPMChecksums: downloads into koji_cache are checked as RPM files only", client.HubURL())
		return nil
	}
	src.sums = map[int64]map[string]string{}
	for i, id := range ids {
		src.sums[id] = map[string]string{}
		for key, byType := range sums[i] {
			src.sums[id][strings.ToLower(key)] = byType["sha256"]
		}
	}
	c.Log.Infof("Downloading packages from %s into koji_cache %s", src.dl.TopURL, src.dl.CacheDir)
	return nil
}

// get returns the local path of topdir-relative rel ("" when absent).
func (s *copySource) get(ctx context.Context, rel string, verify func(string) error) (string, error) {
	if s.dl == nil {
		p := filepath.Join(s.topdir, filepath.FromSlash(rel))
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
		return "", nil
	}
	p, found, err := s.dl.Get(ctx, rel, verify)
	if err != nil || !found {
		return "", err
	}
	return p, nil
}

// verifier checks a downloaded or cached copy against Koji's checksum for
// the rpm and sigkey; without one it checks that the file is an rpm.
func (s *copySource) verifier(p kojiRPM, sigkey string) func(string) error {
	want := ""
	if s.sums != nil {
		want = s.sums[p.rpm.ID][sigkey]
	}
	return func(file string) error {
		if want == "" {
			_, err := rpmfile.ReadFile(file, rpmfile.Options{})
			return err
		}
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != want {
			return fmt.Errorf("sha256 %s, Koji has %s", got, want)
		}
		return nil
	}
}

// relPath is the topdir-relative path of an rpm's copy: the signed copy
// packages/N/V/R/data/signed/KEY/ARCH/FILE, the unsigned one
// packages/N/V/R/ARCH/FILE, or a scratch task's work/ path.
func relPath(p kojiRPM, sigkey string) string {
	if p.taskPath != "" {
		return p.taskPath
	}
	base := path.Join("packages", buildName(p.build), p.build.Version, p.build.Release)
	if sigkey == "" {
		return path.Join(base, p.rpm.Arch, rpmFile(p.rpm))
	}
	return path.Join(base, "data", "signed", sigkey, p.rpm.Arch, rpmFile(p.rpm))
}

type located struct {
	kojiRPM
	path, sigkey string
}

// locateCopies finds a file for every picked rpm as Pungi's
// get_package_path does: signed keys in order; if none has a copy, wait
// signed_packages_wait seconds and look again, signed_packages_retries
// times; then the unsigned copy when sigkeys contains None. The rounds
// run over all rpms still missing at once, so waiting costs the same for
// one rpm or thousands. Every rpm still without a copy is named in the
// error.
func locateCopies(ctx context.Context, c *compose.Compose, src *copySource, picked []kojiRPM, sigkeys []string) ([]located, error) {
	retries := int64(c.Conf.Int("signed_packages_retries"))
	wait := 30 * time.Second
	if v, ok := c.Conf.Get("signed_packages_wait"); ok {
		switch x := v.(type) {
		case int64:
			wait = time.Duration(x) * time.Second
		case float64:
			wait = time.Duration(x * float64(time.Second))
		case int:
			wait = time.Duration(x) * time.Second
		}
	}
	var signed []string
	unsigned := false
	for _, k := range sigkeys {
		if k == "" {
			unsigned = true
		} else {
			signed = append(signed, k)
		}
	}
	out := make([]located, len(picked))
	done := make([]bool, len(picked))
	var mu sync.Mutex
	round := func(keys []string, which []int) error {
		tasks := make([]compose.Task, 0, len(which))
		for _, i := range which {
			p := picked[i]
			tasks = append(tasks, compose.Task{Name: rpmFile(p.rpm), Run: func(ctx context.Context) error {
				if p.taskPath != "" {
					// A download is verified before it enters the cache
					// (the error names the URL); a file of Koji's topdir
					// here.
					f, err := src.get(ctx, p.taskPath, p.verifyScratch)
					if err != nil || f == "" {
						return err
					}
					if src.dl == nil {
						if err := p.verifyScratch(f); err != nil {
							return fmt.Errorf("pkgset_koji_scratch_tasks: %s: %v", f, err)
						}
					}
					mu.Lock()
					out[i], done[i] = located{p, f, ""}, true
					mu.Unlock()
					return nil
				}
				for _, k := range keys {
					f, err := src.get(ctx, relPath(p, k), src.verifier(p, k))
					if err != nil {
						return err
					}
					if f != "" {
						mu.Lock()
						out[i], done[i] = located{p, f, k}, true
						mu.Unlock()
						return nil
					}
				}
				return nil
			}})
		}
		workers := 0 // one per CPU for local stats
		if src.dl != nil {
			workers = 8 // downloads wait on the network, not the CPU
		}
		return c.RunTasks(ctx, "pkgset", tasks, workers)
	}
	missing := func() []int {
		var m []int
		for i := range picked {
			if !done[i] {
				m = append(m, i)
			}
		}
		return m
	}
	all := missing()
	if err := round(signed, all); err != nil {
		return nil, err
	}
	for attempt := int64(1); attempt <= retries && len(signed) > 0; attempt++ {
		m := missing()
		if len(m) == 0 {
			break
		}
		c.Log.Infof("Waiting %s for signed copies of %d RPM(s) to appear (retry %d of %d)", wait, len(m), attempt, retries)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
		if err := round(signed, m); err != nil {
			return nil, err
		}
	}
	if m := missing(); len(m) > 0 && unsigned {
		if err := round([]string{""}, m); err != nil {
			return nil, err
		}
	}
	if m := missing(); len(m) > 0 {
		shown := make([]string, len(sigkeys))
		for i, k := range sigkeys {
			if k == "" {
				k = "None"
			}
			shown[i] = k
		}
		names := make([]string, len(m))
		for j, i := range m {
			names[j] = rpmFile(picked[i].rpm)
		}
		sort.Strings(names)
		where := src.topdir
		if src.dl != nil {
			where = src.dl.TopURL
		}
		return nil, fmt.Errorf("RPM(s) not found for sigs: [%s]. No copy signed with these keys exists in %s for %d RPM(s)%s:\n%s",
			strings.Join(shown, ", "), where+"/packages", len(names), waitedFor(retries, wait), strings.Join(names, "\n"))
	}
	if src.dl != nil {
		d, r, f := src.dl.Stats()
		c.Log.Infof("koji_cache: %d RPM(s) downloaded, %d taken from the cache, %d corrupt cached file(s) fetched again", d, r, f)
	}
	return out, nil
}

func waitedFor(retries int64, wait time.Duration) string {
	if retries == 0 {
		return ""
	}
	return fmt.Sprintf(" (after waiting %d times %s)", retries, wait)
}
