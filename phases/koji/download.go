package koji

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pungo/pungo/repomd/fetch"
)

// Downloader fetches files of Koji's topdir from its topurl into a local
// cache that several composes may share (Pungi's koji_cache and its
// KojiDownloadProxy). The cache mirrors the topdir layout. Each file is
// fetched under an exclusive lock on FILE.lock, into a temporary file that
// is verified and then renamed into place, so concurrent composes neither
// see a partial file nor fetch the same file twice.
type Downloader struct {
	TopURL   string // e.g. https://kojipkgs.example.com (no trailing slash needed)
	CacheDir string
	// Client is the HTTP client (nil: fetch.Default(), the project's
	// client with dnf's timeouts, retries and Range resume).
	Client *fetch.Client
	// Logf, when set, is told about every transfer and every cached file
	// found corrupt.
	Logf func(format string, a ...any)

	downloaded, reused, refetched atomic.Int64
}

// Stats reports how many files were downloaded, found valid in the cache,
// and found corrupt in the cache and downloaded again.
func (d *Downloader) Stats() (downloaded, reused, refetched int64) {
	return d.downloaded.Load(), d.reused.Load(), d.refetched.Load()
}

// Get makes the topdir-relative file rel ("packages/N/V/R/ARCH/F.rpm")
// present in the cache and returns its local path; found is false when the
// server has no such file (404). verify, when not nil, checks a file: a
// cached file that fails it is fetched again, a fresh download that fails
// it is an error naming the URL.
func (d *Downloader) Get(ctx context.Context, rel string, verify func(path string) error) (path string, found bool, err error) {
	rel = strings.TrimLeft(filepath.ToSlash(rel), "/")
	if rel == "" || strings.Contains("/"+rel+"/", "/../") {
		return "", false, fmt.Errorf("koji download: invalid topdir path %q", rel)
	}
	dest := filepath.Join(d.CacheDir, filepath.FromSlash(rel))
	url := strings.TrimRight(d.TopURL, "/") + "/" + rel
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return "", false, err
	}
	unlock, err := lockFile(ctx, dest+".lock")
	if err != nil {
		return "", false, err
	}
	defer unlock()
	if _, err := os.Stat(dest); err == nil {
		verr := error(nil)
		if verify != nil {
			verr = verify(dest)
		}
		if verr == nil {
			// Keep the file's mtime fresh so cache cleaning spares files
			// composes still use (as Pungi does).
			now := time.Now()
			os.Chtimes(dest, now, now)
			d.reused.Add(1)
			return dest, true, nil
		}
		d.logf("cached %s is corrupt (%v); downloading it again", dest, verr)
		if err := os.Remove(dest); err != nil {
			return "", false, err
		}
		d.refetched.Add(1)
	}
	tmp := fmt.Sprintf("%s.tmp-%d-%d", dest, os.Getpid(), time.Now().UnixNano())
	defer os.Remove(tmp)
	found, err = d.fetch(ctx, url, tmp)
	if err != nil || !found {
		return "", found, err
	}
	if verify != nil {
		if err := verify(tmp); err != nil {
			return "", true, fmt.Errorf("%s: downloaded file failed verification: %v", url, err)
		}
	}
	if err := os.Rename(tmp, dest); err != nil {
		return "", true, err
	}
	d.downloaded.Add(1)
	return dest, true, nil
}

func (d *Downloader) logf(format string, a ...any) {
	if d.Logf != nil {
		d.Logf(format, a...)
	}
}

// fetch downloads url into tmp with the project's HTTP client (timeouts,
// low-speed limit, retries resuming with Range); found is false on 404.
func (d *Downloader) fetch(ctx context.Context, url, tmp string) (bool, error) {
	client := d.Client
	if client == nil {
		client = fetch.Default()
	}
	rc, err := client.Open(ctx, url, 0, 0)
	if err != nil {
		var fe *fetch.Error
		if errors.As(err, &fe) && fe.Status == http.StatusNotFound {
			return false, nil
		}
		return false, err
	}
	defer rc.Close()
	f, err := os.Create(tmp)
	if err != nil {
		return false, err
	}
	n, err := io.Copy(f, rc)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	d.logf("GET %s OK %d bytes", url, n)
	return true, nil
}

// lockFile takes an exclusive flock on path, polling so that ctx can
// cancel the wait. The lock is per open file description, so it excludes
// other goroutines of this process as well as other processes.
func lockFile(ctx context.Context, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
				f.Close()
			}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %v", path, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// RPMChecksums returns Koji's checksums of an rpm's copies (getRPMChecksums,
// Koji ≥ 1.34): sigkey ("" for the unsigned copy) → checksum type → hex.
// supported is false when the hub has no such call.
func (c *Client) RPMChecksums(ctx context.Context, rpmIDs []int64, types []string) (sums []map[string]map[string]string, supported bool, err error) {
	m := c.Multi()
	typeList := make([]any, len(types))
	for i, t := range types {
		typeList[i] = t
	}
	for _, id := range rpmIDs {
		m.Add("getRPMChecksums", id, KW{"checksum_types": typeList})
	}
	res, err := m.Do(ctx, 1000, false)
	if err != nil {
		return nil, false, err
	}
	sums = make([]map[string]map[string]string, len(res))
	for i, r := range res {
		if r.Err != nil {
			var f *Fault
			if errors.As(r.Err, &f) && strings.Contains(f.Message, "Invalid method") {
				return nil, false, nil
			}
			return nil, true, fmt.Errorf("getRPMChecksums(%d): %w", rpmIDs[i], r.Err)
		}
		sums[i] = map[string]map[string]string{}
		byKey, _ := r.Value.(map[string]any)
		for k, v := range byKey {
			inner, _ := v.(map[string]any)
			sums[i][k] = map[string]string{}
			for t, s := range inner {
				if str, ok := s.(string); ok {
					sums[i][k][t] = str
				}
			}
		}
	}
	return sums, true, nil
}
