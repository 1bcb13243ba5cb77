// Package fetch is pungo's one HTTP download client: repositories,
// Koji downloads and SCM fetches all go through it. It behaves like
// librepo under dnf: a connect timeout, a low-speed limit (a transfer that
// moves less than LowSpeedLimit bytes a second, averaged over LowSpeedTime,
// is abandoned, so a server that accepts and never answers, stalls or
// trickles is given up on), retries with backoff for transient failures
// (5xx, 408, 429, connection resets, truncated bodies) resuming with a
// Range request where the server allows it, and a hard bound on the bytes
// read: the size the caller knows (repomd.xml's size) or a cap. Every error
// names the URL. A cancelled context stops a transfer at once.
package fetch

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

// Options tune a Client. The zero value of a field means its default.
type Options struct {
	ConnectTimeout time.Duration // TCP connect (and TLS handshake): 30 s, dnf's timeout
	LowSpeedLimit  int64         // bytes per second: 1000, dnf's minrate
	LowSpeedTime   time.Duration // averaged over: 30 s, dnf's timeout
	Retries        int           // extra attempts after a transient failure: 3
	Backoff        time.Duration // wait before the first retry, doubled each time: 1 s
	MaxSize        int64         // bytes read when the caller knows no size: 4 GiB
}

func (o Options) withDefaults() Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.LowSpeedLimit <= 0 {
		o.LowSpeedLimit = 1000
	}
	if o.LowSpeedTime <= 0 {
		o.LowSpeedTime = 30 * time.Second
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 3
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxSize <= 0 {
		o.MaxSize = 4 << 30
	}
	return o
}

// Client downloads over http(s) with the limits of its Options. It is safe
// for concurrent use.
type Client struct {
	opts Options
	hc   *http.Client
}

// New returns a client with the given options (zero fields: defaults).
func New(o Options) *Client {
	o = o.withDefaults()
	d := &net.Dialer{Timeout: o.ConnectTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         d.DialContext,
		TLSHandshakeTimeout: o.ConnectTimeout,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     90 * time.Second,
		// Bodies are bounded by the low-speed watchdog and the size
		// limit; compressed transfer encoding would hide the real size.
		DisableCompression: true,
	}
	return &Client{opts: o, hc: &http.Client{Transport: tr}}
}

var defaultClient atomic.Pointer[Client]

func init() { defaultClient.Store(New(Options{})) }

// Default is the process-wide client (dnf's defaults).
func Default() *Client { return defaultClient.Load() }

// SetDefault replaces the process-wide client and returns the previous
// one; tests use it to shorten the timeouts.
func SetDefault(c *Client) *Client { return defaultClient.Swap(c) }

// Options returns the client's effective options.
func (c *Client) Options() Options { return c.opts }

// Error is a failed download; it names the URL.
type Error struct {
	URL    string
	Status int // HTTP status, 0 when the failure was not an HTTP answer
	Err    error
}

func (e *Error) Error() string { return e.URL + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by errors about a body longer than its bound.
var ErrTooLarge = errors.New("larger than expected")

// Open starts a GET of url and returns its body. size is the exact
// length when known (repomd.xml's size), 0 when not: the body may then
// be at most the client's MaxSize (or limit, when limit > 0). Reading
// past the bound, a short body, a stalled transfer and a cancelled ctx
// are errors naming the URL. Transient failures are retried, resuming
// from the bytes already returned.
func (c *Client) Open(ctx context.Context, url string, size, limit int64) (io.ReadCloser, error) {
	if limit <= 0 {
		limit = c.opts.MaxSize
	}
	if size > 0 {
		limit = size
	}
	b := &body{c: c, ctx: ctx, url: url, size: size, limit: limit}
	if err := b.connect(); err != nil {
		return nil, err
	}
	return b, nil
}

// Get reads the whole body of url into memory (bounded as Open's).
func (c *Client) Get(ctx context.Context, url string, size, limit int64) ([]byte, error) {
	rc, err := c.Open(ctx, url, size, limit)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Download writes url to path through a temporary file renamed into
// place, so path is either absent or complete.
func (c *Client) Download(ctx context.Context, url, path string, size int64) error {
	rc, err := c.Open(ctx, url, size, 0)
	if err != nil {
		return err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".part-*")
	if err != nil {
		return err
	}
	_, err = io.Copy(tmp, rc)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// body is a download in progress: one attempt's response at a time.
type body struct {
	c     *Client
	ctx   context.Context
	url   string
	size  int64 // exact length when > 0
	limit int64 // bound on the bytes returned

	n        int64 // bytes returned to the reader so far
	attempt  int
	resp     *http.Response
	skip     int64 // bytes of a 200 answer to a resumed request to discard
	cancel   context.CancelCauseFunc
	stop     func() // stops the watchdog
	progress atomic.Int64
	inRead   atomic.Bool // waiting for the server, not for our reader
	err      error       // sticky
}

// errStalled is the cause of an attempt the watchdog abandoned.
type stallError struct {
	limit int64
	per   time.Duration
}

func (e *stallError) Error() string {
	return fmt.Sprintf("transfer too slow: less than %d bytes/s over %s (timed out)", e.limit, e.per)
}

// connect makes attempts until one answers with a usable status.
func (b *body) connect() error {
	for {
		err := b.try()
		if err == nil {
			return nil
		}
		if !b.retry(err) {
			b.err = &Error{URL: b.url, Status: statusOf(err), Err: err}
			return b.err
		}
	}
}

// retry reports whether err is transient and attempts remain, and waits
// the backoff (or until ctx ends).
func (b *body) retry(err error) bool {
	if b.ctx.Err() != nil || b.attempt > b.c.opts.Retries || !transient(err) {
		return false
	}
	wait := b.c.opts.Backoff << (b.attempt - 1)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-b.ctx.Done():
		return false
	}
}

type statusError struct {
	code   int
	status string
}

func (e *statusError) Error() string { return "HTTP " + e.status }

func statusOf(err error) int {
	var se *statusError
	if errors.As(err, &se) {
		return se.code
	}
	return 0
}

// transient reports whether a retry may succeed.
func transient(err error) bool {
	var se *statusError
	if errors.As(err, &se) {
		return se.code >= 500 || se.code == http.StatusRequestTimeout || se.code == http.StatusTooManyRequests
	}
	var st *stallError
	if errors.As(err, &st) || errors.Is(err, ErrTooLarge) {
		// The server had its LowSpeedTime; dnf would move to another
		// mirror, and there is none. Too large is not going to change.
		return false
	}
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) || errors.Is(err, errShort)
}

var errShort = errors.New("connection closed before the end of the file")

// try makes one request, resuming after the bytes already returned.
func (b *body) try() error {
	b.closeResp()
	b.attempt++
	ctx, cancel := context.WithCancelCause(b.ctx)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.url, nil)
	if err != nil {
		cancel(nil)
		return err
	}
	req.Header.Set("User-Agent", "pungo")
	if b.n > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(b.n, 10)+"-")
	}
	b.cancel = cancel
	b.stop = b.watch(cancel)
	b.inRead.Store(true)
	resp, err := b.c.hc.Do(req)
	b.inRead.Store(false)
	if err != nil {
		return b.cause(ctx, err)
	}
	b.resp, b.skip = resp, 0
	switch {
	case resp.StatusCode == http.StatusPartialContent && b.n > 0:
		if !strings.HasPrefix(resp.Header.Get("Content-Range"), "bytes "+strconv.FormatInt(b.n, 10)+"-") {
			return &statusError{resp.StatusCode, "206 with an unexpected Content-Range " + strconv.Quote(resp.Header.Get("Content-Range"))}
		}
	case resp.StatusCode == http.StatusOK:
		b.skip = b.n // no range support: read again from the start
	default:
		return &statusError{resp.StatusCode, resp.Status}
	}
	if cl := resp.ContentLength; cl >= 0 && cl+b.n-b.skip > b.limit {
		return fmt.Errorf("%w: the server announces %d bytes, the limit is %d", ErrTooLarge, cl+b.n-b.skip, b.limit)
	}
	return nil
}

// cause turns an aborted attempt's error into its real cause (stall,
// cancellation) when there is one.
func (b *body) cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && ctx.Err() != nil {
		if errors.Is(c, context.Canceled) && b.ctx.Err() != nil {
			return b.ctx.Err()
		}
		return c
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil && strings.HasPrefix(err.Error(), "Get ") {
			return inner
		}
	}
	return err
}

// watch runs the low-speed check of one attempt: when fewer than
// LowSpeedLimit×LowSpeedTime bytes arrived during the last LowSpeedTime,
// the attempt is cancelled with a stallError (curl's
// CURLOPT_LOW_SPEED_LIMIT/TIME, which librepo sets from dnf's minrate and
// timeout).
func (b *body) watch(cancel context.CancelCauseFunc) func() {
	per := b.c.opts.LowSpeedTime
	need := b.c.opts.LowSpeedLimit * int64(per/time.Second)
	if need <= 0 {
		need = b.c.opts.LowSpeedLimit * int64(per) / int64(time.Second)
	}
	tick := per / 10
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		// samples[i] is the progress counter i ticks ago.
		samples := make([]int64, 0, 11)
		samples = append(samples, b.progress.Load())
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			cur := b.progress.Load()
			if !b.inRead.Load() {
				// Our reader is busy elsewhere: the server is not to blame.
				samples = append(samples[:0], cur)
				continue
			}
			samples = append(samples, cur)
			if len(samples) > 11 {
				samples = samples[1:]
			}
			if len(samples) == 11 && cur-samples[0] < need {
				cancel(&stallError{b.c.opts.LowSpeedLimit, per})
				return
			}
		}
	}()
	return func() {
		select {
		case <-done:
		default:
			close(done)
		}
	}
}

func (b *body) closeResp() {
	if b.stop != nil {
		b.stop()
		b.stop = nil
	}
	if b.resp != nil {
		b.resp.Body.Close()
		b.resp = nil
	}
	if b.cancel != nil {
		b.cancel(nil)
		b.cancel = nil
	}
}

func (b *body) Read(p []byte) (int, error) {
	for {
		if b.err != nil {
			return 0, b.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		n, err := b.readAttempt(p)
		if n > 0 || err == nil {
			return n, nil
		}
		if err == io.EOF {
			b.err = io.EOF
			return 0, io.EOF
		}
		// The attempt failed: retry from where the reader is.
		for {
			if !b.retry(err) {
				b.err = &Error{URL: b.url, Status: statusOf(err), Err: err}
				b.closeResp()
				break
			}
			if err = b.try(); err == nil {
				break
			}
		}
	}
}

// readAttempt reads from the current response, applying the bounds.
func (b *body) readAttempt(p []byte) (int, error) {
	ctx := b.resp.Request.Context()
	for b.skip > 0 {
		buf := p
		if int64(len(buf)) > b.skip {
			buf = buf[:b.skip]
		}
		n, err := b.bodyRead(buf)
		b.skip -= int64(n)
		b.progress.Add(int64(n))
		if err != nil {
			if err == io.EOF {
				return 0, fmt.Errorf("%w (%d of %d bytes)", errShort, b.n-b.skip, max(b.size, b.n))
			}
			return 0, b.readErr(ctx, err)
		}
	}
	if b.n >= b.limit {
		// Everything allowed has been read: the body must end here.
		var one [1]byte
		n, err := b.bodyRead(one[:])
		if n > 0 {
			if b.size > 0 {
				return 0, fmt.Errorf("%w: more than the %d bytes repomd.xml announces", ErrTooLarge, b.size)
			}
			return 0, fmt.Errorf("%w: more than the limit of %d bytes", ErrTooLarge, b.limit)
		}
		if err == nil || err == io.EOF {
			return 0, io.EOF
		}
		return 0, b.cause(ctx, err)
	}
	if rest := b.limit - b.n; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.bodyRead(p)
	b.n += int64(n)
	b.progress.Add(int64(n))
	if err == io.EOF {
		if b.size > 0 && b.n < b.size {
			if n > 0 {
				return n, nil // report the short body on the next read
			}
			return 0, fmt.Errorf("%w (%d of %d bytes)", errShort, b.n, b.size)
		}
		if n > 0 {
			return n, nil
		}
		return 0, io.EOF
	}
	if err != nil {
		if n > 0 {
			return n, nil
		}
		return 0, b.readErr(ctx, err)
	}
	return n, nil
}

// readErr is the cause of a failed read of the response.
func (b *body) readErr(ctx context.Context, err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// The server closed the connection short of the Content-Length
		// it announced: say so, not "unexpected EOF".
		if b.size > 0 {
			return fmt.Errorf("%w (%d of %d bytes)", errShort, b.n, b.size)
		}
		return fmt.Errorf("%w (after %d bytes)", errShort, b.n)
	}
	return b.cause(ctx, err)
}

// bodyRead reads the response, marked as waiting for the server.
func (b *body) bodyRead(p []byte) (int, error) {
	b.inRead.Store(true)
	defer b.inRead.Store(false)
	return b.resp.Body.Read(p)
}

func (b *body) Close() error {
	b.closeResp()
	if b.err == nil {
		b.err = errors.New("read after close")
	}
	return nil
}
