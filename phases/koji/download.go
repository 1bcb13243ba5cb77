package koji

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
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
	// HTTP is the client used for downloads (nil: one with connect and
	// response-header timeouts, no overall limit: RPMs can be large).
	HTTP *http.Client
	// Retries is how many times a failed transfer is retried (resuming
	// from what arrived), RetryWait the first pause, doubled each time.
	Retries   int
	RetryWait time.Duration
	// Logf, when set, is told about every transfer and every cached file
	// found corrupt.
	Logf func(format string, a ...any)

	downloaded, reused, refetched atomic.Int64
}

// DefaultHTTPClient is the download client when Downloader.HTTP is nil.
var DefaultHTTPClient = &http.Client{Transport: &http.Transport{
	Proxy:                 http.ProxyFromEnvironment,
	DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
	TLSHandshakeTimeout:   30 * time.Second,
	ResponseHeaderTimeout: 60 * time.Second,
	IdleConnTimeout:       90 * time.Second,
	MaxIdleConnsPerHost:   16,
}}

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

// fetch downloads url into tmp, retrying transient failures and resuming
// from the bytes already received when the server honours Range.
func (d *Downloader) fetch(ctx context.Context, url, tmp string) (bool, error) {
	client := d.HTTP
	if client == nil {
		client = DefaultHTTPClient
	}
	wait := d.RetryWait
	if wait <= 0 {
		wait = time.Second
	}
	var last error
	for attempt := 0; attempt <= d.Retries; attempt++ {
		if attempt > 0 {
			d.logf("GET %s failed (%v); retry %d of %d in %s", url, last, attempt, d.Retries, wait)
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		found, retry, err := d.fetchOnce(ctx, client, url, tmp)
		if err == nil || !retry {
			return found, err
		}
		last = err
	}
	return false, fmt.Errorf("GET %s: %v (after %d retries)", url, last, d.Retries)
}

// fetchOnce is one request; retry tells whether the failure is transient.
func (d *Downloader) fetchOnce(ctx context.Context, client *http.Client, url, tmp string) (found, retry bool, err error) {
	var have int64
	if st, err := os.Stat(tmp); err == nil {
		have = st.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, false, err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return false, false, ctx.Err()
		}
		return false, true, unwrapURLError(err)
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return false, false, nil
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		flags = os.O_WRONLY | os.O_APPEND
	case resp.StatusCode == http.StatusOK:
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
		return false, true, fmt.Errorf("HTTP %s", resp.Status)
	default:
		return false, false, fmt.Errorf("GET %s: HTTP %s", url, resp.Status)
	}
	f, err := os.OpenFile(tmp, flags, 0o644)
	if err != nil {
		return false, false, err
	}
	n, cerr := io.Copy(f, resp.Body)
	if err := f.Close(); cerr == nil {
		cerr = err
	}
	if cerr != nil {
		if ctx.Err() != nil {
			return false, false, ctx.Err()
		}
		return false, true, fmt.Errorf("transfer broke after %d bytes: %v", have+n, cerr)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return false, true, fmt.Errorf("short transfer: %d of %d bytes", n, resp.ContentLength)
	}
	d.logf("GET %s OK %d bytes", url, have+n)
	return true, false, nil
}

func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
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
