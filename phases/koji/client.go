// Package koji speaks Koji's hub protocol: XML-RPC with Koji's extensions
// (keyword arguments folded into a "__starstar" struct, <nil/>, <i8>),
// multicall, faults mapped to Koji's exception names, and session login by
// password, SSL client certificate (sslLogin over /ssllogin) or Kerberos
// (sslLogin with HTTP Negotiate). Typed helpers cover what pungo's package
// set, runroot and image phases call. The test hub lives in kojitest.
package koji

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client is a session with one Koji hub. It is safe for concurrent use;
// logged-in calls are serialized because Koji numbers them (callnum) and
// rejects out-of-order ones.
type Client struct {
	hubURL string
	http   *http.Client
	cert   *tls.Certificate
	caPool *x509.CertPool
	caFile string
	gss    Negotiator

	// Retries of a call that failed before the hub answered (connection
	// reset, timeout, 5xx) or that the hub refused with ServerOffline.
	maxRetries    int
	retryInterval time.Duration
	anonRetry     bool

	mu         sync.Mutex
	sessionID  int64
	sessionKey string
	callnum    int64
	loggedIn   bool
	authType   string
}

// Option configures a Client.
type Option func(*Client) error

// WithHTTPClient uses hc for every request (its transport's TLS settings
// are replaced when WithClientCert or WithServerCA is also given).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error { c.http = hc; return nil }
}

// WithClientCert loads the PEM client certificate used by SSLLogin. keyFile
// may be empty when certFile holds the key too (Koji's usual ~/.koji/client.crt).
func WithClientCert(certFile, keyFile string) Option {
	return func(c *Client) error {
		if keyFile == "" {
			keyFile = certFile
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return fmt.Errorf("koji client certificate %s: %w", certFile, err)
		}
		c.cert = &cert
		return nil
	}
}

// WithServerCA trusts the PEM CA bundle in file for the hub's certificate.
func WithServerCA(file string) Option {
	return func(c *Client) error {
		pem, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("koji server CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("koji server CA %s: no PEM certificates found", file)
		}
		c.caPool = pool
		c.caFile = file
		return nil
	}
}

// WithRetries retries a failed call up to n times, interval apart (the
// first retry is immediate), as Koji's max_retries/retry_interval; anon
// also retries calls made without a session (Koji's anon_retry).
func WithRetries(n int, interval time.Duration, anon bool) Option {
	return func(c *Client) error {
		c.maxRetries, c.retryInterval, c.anonRetry = n, interval, anon
		return nil
	}
}

// WithNegotiator sets how GSSAPILogin performs the Kerberos exchange.
func WithNegotiator(n Negotiator) Option {
	return func(c *Client) error { c.gss = n; return nil }
}

// New returns a client for the hub at hubURL (e.g. https://koji.example.com/kojihub).
func New(hubURL string, opts ...Option) (*Client, error) {
	u, err := url.Parse(hubURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("koji hub URL %q: want http(s)://host/path", hubURL)
	}
	c := &Client{hubURL: strings.TrimRight(hubURL, "/"), gss: CurlNegotiator{}, maxRetries: 30, retryInterval: 20 * time.Second}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 12 * time.Hour}
	}
	if c.cert != nil || c.caPool != nil {
		tr, _ := c.http.Transport.(*http.Transport)
		if tr == nil {
			tr = http.DefaultTransport.(*http.Transport)
		}
		tr = tr.Clone()
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if tr.TLSClientConfig != nil {
			cfg = tr.TLSClientConfig.Clone()
		}
		if c.cert != nil {
			cfg.Certificates = []tls.Certificate{*c.cert}
		}
		if c.caPool != nil {
			cfg.RootCAs = c.caPool
		}
		tr.TLSClientConfig = cfg
		hc := *c.http
		hc.Transport = tr
		c.http = &hc
	}
	return c, nil
}

// HubURL is the hub's XML-RPC endpoint.
func (c *Client) HubURL() string { return c.hubURL }

// LoggedIn reports whether the client holds a session, and how it got it
// ("password", "ssl", "gssapi").
func (c *Client) LoggedIn() (bool, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loggedIn, c.authType
}

// Call invokes method with args; a trailing KW becomes keyword arguments.
// A hub fault comes back as *Fault.
func (c *Client) Call(ctx context.Context, method string, args ...any) (any, error) {
	body, err := EncodeCall(method, args)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	endpoint := c.hubURL
	var hdr http.Header
	if c.loggedIn {
		// Koji ≥1.34 reads the session from headers, older hubs from the
		// query; sending both works with either.
		q := url.Values{}
		q.Set("session-id", strconv.FormatInt(c.sessionID, 10))
		q.Set("session-key", c.sessionKey)
		q.Set("callnum", strconv.FormatInt(c.callnum, 10))
		endpoint += "?" + q.Encode()
		hdr = http.Header{}
		hdr.Set("Koji-Session-Id", strconv.FormatInt(c.sessionID, 10))
		hdr.Set("Koji-Session-Key", c.sessionKey)
		hdr.Set("Koji-Session-Callnum", strconv.FormatInt(c.callnum, 10))
		c.callnum++
		defer c.mu.Unlock()
	} else {
		c.mu.Unlock()
	}
	retry := hdr != nil || c.anonRetry
	for try := 0; ; try++ {
		v, err := c.post(ctx, method, endpoint, hdr, body)
		if err == nil || !retry || try >= c.maxRetries || ctx.Err() != nil || !retryable(err) {
			return v, err
		}
		// A logged-in call is retried with the same callnum: the hub
		// answers RetryError if it already ran it and cannot run it again.
		if try > 0 {
			select {
			case <-ctx.Done():
				return nil, err
			case <-time.After(c.retryInterval):
			}
		}
	}
}

// transientError is a failure before the hub answered the call.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var t *transientError
	return errors.As(err, &t) || IsFault(err, ServerOffline)
}

func (c *Client) post(ctx context.Context, method, endpoint string, hdr http.Header, body []byte) (any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("koji %s: %w", method, err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", "koji/1 (pungo)")
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("koji %s: %w", method, err)
		}
		return nil, &transientError{fmt.Errorf("koji %s: %w", method, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		err := fmt.Errorf("koji %s: hub %s answered %s: %s", method, c.hubURL, resp.Status, strings.TrimSpace(string(msg)))
		if resp.StatusCode >= 500 {
			return nil, &transientError{err}
		}
		return nil, err
	}
	return decodeBody(method, resp.Body)
}

func decodeBody(method string, r io.Reader) (any, error) {
	v, err := DecodeResponse(r)
	if err != nil {
		if f, ok := err.(*Fault); ok {
			return nil, f
		}
		return nil, fmt.Errorf("koji %s: %w", method, err)
	}
	return v, nil
}

// MultiCall collects calls to send as one multiCall request; the hub runs
// them in one transaction and answers each with a result or a fault.
type MultiCall struct {
	c     *Client
	calls []any
	err   error
}

// MultiResult is one call's outcome in a multicall.
type MultiResult struct {
	Value any
	Err   error // *Fault when the hub failed this call
}

// Multi starts a multicall.
func (c *Client) Multi() *MultiCall { return &MultiCall{c: c} }

// Add queues a call; a trailing KW becomes keyword arguments.
func (m *MultiCall) Add(method string, args ...any) {
	params, err := foldKW(args)
	if err != nil && m.err == nil {
		m.err = fmt.Errorf("koji multicall %s: %w", method, err)
	}
	if params == nil {
		params = []any{}
	}
	m.calls = append(m.calls, map[string]any{"methodName": method, "params": params})
}

// Len is the number of queued calls.
func (m *MultiCall) Len() int { return len(m.calls) }

// Do sends the queued calls in batches of at most batch (all at once when
// batch ≤ 0) and returns one result per call, in order. With strict, the
// first fault is returned as the error, as Koji's multiCall(strict=True).
func (m *MultiCall) Do(ctx context.Context, batch int, strict bool) ([]MultiResult, error) {
	if m.err != nil {
		return nil, m.err
	}
	calls := m.calls
	m.calls = nil
	if batch <= 0 {
		batch = len(calls)
	}
	out := make([]MultiResult, 0, len(calls))
	for start := 0; start < len(calls); start += batch {
		end := min(start+batch, len(calls))
		v, err := m.c.Call(ctx, "multiCall", calls[start:end])
		if err != nil {
			return nil, err
		}
		list, ok := v.([]any)
		if !ok || len(list) != end-start {
			return nil, fmt.Errorf("koji multiCall: expected %d results, hub answered %T", end-start, v)
		}
		for _, e := range list {
			switch x := e.(type) {
			case []any:
				if len(x) != 1 {
					return nil, fmt.Errorf("koji multiCall: result list of length %d", len(x))
				}
				out = append(out, MultiResult{Value: x[0]})
			case map[string]any:
				code, _ := x["faultCode"].(int64)
				msg, _ := x["faultString"].(string)
				f := &Fault{Code: int(code), Message: msg}
				if strict {
					return nil, f
				}
				out = append(out, MultiResult{Err: f})
			default:
				return nil, fmt.Errorf("koji multiCall: unexpected entry %T", e)
			}
		}
	}
	return out, nil
}
