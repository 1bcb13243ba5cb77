// Package cts owns pungo's side of the Compose Tracking Service (CTS), as
// Pungi's compose.py speaks it: a new compose is registered (POST
// api/1/composes/ with its composeinfo, parent compose IDs and the compose
// it respins) and takes the compose ID and respin CTS assigns; once the
// compose directory exists its URL is recorded (PATCH
// api/1/composes/ID {"action": "set_url"}). Requests authenticate with
// Kerberos (cts_keytab, through curl --negotiate) or an OIDC client
// credentials token (cts_oidc_token_url, cts_oidc_client_id and the
// CTS_OIDC_CLIENT_SECRET environment variable), or not at all.
package cts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/productmd"
)

// Client talks to one CTS instance.
type Client struct {
	URL string // cts_url
	// Keytab (cts_keytab) selects Kerberos: "$HOSTNAME" in it is replaced
	// by the host name, as Pungi does.
	Keytab string
	// OIDC client credentials (used when Keytab is empty and TokenURL set).
	TokenURL, ClientID, ClientSecret string

	HTTP *http.Client // nil: a client with a 60 s timeout
	// Negotiate sends one request with SPNEGO (nil: curl --negotiate).
	Negotiate func(ctx context.Context, method, url string, body []byte, env []string) (int, []byte, error)
	// Retries and RetryWait govern retries of transient failures
	// (network errors, 5xx and 401, as Pungi's retry_request).
	Retries   int
	RetryWait time.Duration

	token string // OIDC access token, fetched once
}

// FromConfig returns the client the config asks for, nil when cts_url is
// not set. The OIDC token URL and client ID may also come from the
// CTS_OIDC_TOKEN_URL and CTS_OIDC_CLIENT_ID environment variables (which
// win, as in Pungi); the secret only comes from CTS_OIDC_CLIENT_SECRET.
func FromConfig(conf *config.Config) (*Client, error) {
	u, _ := compose.StringOpt(conf, "cts_url")
	if u == "" {
		return nil, nil
	}
	c := &Client{URL: u, Retries: 3, RetryWait: 5 * time.Second}
	c.Keytab, _ = compose.StringOpt(conf, "cts_keytab")
	c.TokenURL = os.Getenv("CTS_OIDC_TOKEN_URL")
	if c.TokenURL == "" {
		c.TokenURL, _ = compose.StringOpt(conf, "cts_oidc_token_url")
	}
	c.ClientID = os.Getenv("CTS_OIDC_CLIENT_ID")
	if c.ClientID == "" {
		c.ClientID, _ = compose.StringOpt(conf, "cts_oidc_client_id")
	}
	c.ClientSecret = os.Getenv("CTS_OIDC_CLIENT_SECRET")
	if c.Keytab == "" && c.TokenURL != "" && (c.ClientID == "" || c.ClientSecret == "") {
		return nil, errors.New("cts_oidc_token_url is set: cts_oidc_client_id (or CTS_OIDC_CLIENT_ID) and the CTS_OIDC_CLIENT_SECRET environment variable are required")
	}
	return c, nil
}

// Registration is what CTS assigned to a new compose.
type Registration struct {
	ID     string
	Respin int
}

// Register creates the compose in CTS from its identity (composeinfo
// without variants) and returns the ID and respin CTS reserved for it.
func (c *Client) Register(ctx context.Context, ci *productmd.ComposeInfo, parents []string, respinOf string) (Registration, error) {
	raw, err := json.Marshal(ci)
	if err != nil {
		return Registration{}, err
	}
	var parentList any // JSON null when none, as Pungi sends None
	if len(parents) > 0 {
		parentList = parents
	}
	var respin any
	if respinOf != "" {
		respin = respinOf
	}
	body, err := json.Marshal(map[string]any{"compose_info": json.RawMessage(raw), "parent_compose_ids": parentList, "respin_of": respin})
	if err != nil {
		return Registration{}, err
	}
	_, out, err := c.do(ctx, http.MethodPost, c.endpoint("api/1/composes/"), body)
	if err != nil {
		return Registration{}, err
	}
	var doc struct {
		Payload struct {
			Compose struct {
				ID     string `json:"id"`
				Respin int    `json:"respin"`
			} `json:"compose"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || doc.Payload.Compose.ID == "" {
		return Registration{}, fmt.Errorf("CTS %s: the answer is not a composeinfo with a compose ID: %.200s", c.URL, out)
	}
	return Registration{ID: doc.Payload.Compose.ID, Respin: doc.Payload.Compose.Respin}, nil
}

// SetURL records where the compose is published. Pungi skips the call when
// translate_paths does not turn the directory into something else.
func (c *Client) SetURL(ctx context.Context, composeID, composeURL string) error {
	body, _ := json.Marshal(map[string]any{"action": "set_url", "compose_url": composeURL})
	_, _, err := c.do(ctx, http.MethodPatch, c.endpoint("api/1/composes/"+url.PathEscape(composeID)), body)
	return err
}

func (c *Client) endpoint(rel string) string { return strings.TrimRight(c.URL, "/") + "/" + rel }

// do sends one JSON request with the configured authentication, retrying
// transient failures. A 4xx answer (but 401) is fatal at once and its
// "message" reported, as Pungi's retry_request does.
func (c *Client) do(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	wait := c.RetryWait
	if wait <= 0 {
		wait = time.Second
	}
	var last error
	for attempt := 0; attempt <= c.Retries; attempt++ {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return 0, nil, ctx.Err()
			case <-time.After(wait):
			}
			wait *= 2
		}
		status, out, err := c.send(ctx, method, u, body)
		var fatal *fatalError
		if errors.As(err, &fatal) {
			return 0, nil, err
		}
		if err != nil {
			last = err
			continue
		}
		if status >= 400 && status < 500 && status != http.StatusUnauthorized {
			var msg struct {
				Message string `json:"message"`
			}
			text := strings.TrimSpace(string(out))
			if json.Unmarshal(out, &msg) == nil && msg.Message != "" {
				text = msg.Message
			}
			return status, out, fmt.Errorf("CTS responded with %d: %s (%s %s)", status, text, method, u)
		}
		if status >= 400 {
			last = fmt.Errorf("CTS responded with %d (%s %s)", status, method, u)
			if status == http.StatusUnauthorized {
				c.token = "" // a token may have expired: fetch a new one
			}
			continue
		}
		return status, out, nil
	}
	return 0, nil, fmt.Errorf("%v (after %d retries)", last, c.Retries)
}

func (c *Client) send(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	if c.Keytab != "" {
		return c.sendKerberos(ctx, method, u, body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.TokenURL != "" {
		if c.token == "" {
			if c.token, err = c.fetchToken(ctx); err != nil {
				return 0, nil, err
			}
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	return resp.StatusCode, out, err
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// fatalError is a failure retrying cannot fix.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// fetchToken gets an access token with the OAuth2 client credentials
// grant from the OIDC token endpoint.
func (c *Client) fetchToken(ctx context.Context) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {c.ClientSecret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("OIDC token %s: %v", c.TokenURL, err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tok)
	if resp.StatusCode != http.StatusOK || tok.AccessToken == "" {
		err := fmt.Errorf("OIDC token %s: HTTP %d %s", c.TokenURL, resp.StatusCode, tok.Error)
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			// Wrong client credentials do not get better by retrying.
			return "", &fatalError{err}
		}
		return "", err
	}
	return tok.AccessToken, nil
}

// sendKerberos authenticates with the keytab through curl --negotiate, in
// a private credential cache that is removed afterwards (Pungi's cts_auth).
func (c *Client) sendKerberos(ctx context.Context, method, u string, body []byte) (int, []byte, error) {
	host, _ := os.Hostname()
	keytab := strings.ReplaceAll(c.Keytab, "$HOSTNAME", host)
	ccache, err := os.MkdirTemp("", "pungo-cts-krb5cc-")
	if err != nil {
		return 0, nil, err
	}
	defer os.RemoveAll(ccache)
	env := append(os.Environ(), "KRB5_CLIENT_KTNAME="+keytab, "KRB5CCNAME=DIR:"+ccache)
	neg := c.Negotiate
	if neg == nil {
		neg = curlNegotiate
	}
	return neg(ctx, method, u, body, env)
}

// curlNegotiate runs one request through curl with SPNEGO; the status code
// comes back on the last line of its output.
func curlNegotiate(ctx context.Context, method, u string, body []byte, env []string) (int, []byte, error) {
	cmd := exec.CommandContext(ctx, "curl", "--silent", "--show-error", "--negotiate", "--user", ":",
		"--request", method, "--header", "Content-Type: application/json", "--data-binary", "@-",
		"--write-out", "\n%{http_code}", u)
	cmd.Env = env
	cmd.Stdin = bytes.NewReader(body)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return 0, nil, fmt.Errorf("curl --negotiate %s: %v: %s", u, err, strings.TrimSpace(errb.String()))
	}
	s := out.Bytes()
	i := bytes.LastIndexByte(s, '\n')
	code, err := strconv.Atoi(string(s[i+1:]))
	if i < 0 || err != nil {
		return 0, nil, fmt.Errorf("curl --negotiate %s: no status code in the output", u)
	}
	return code, s[:i], nil
}

// CreateDir is compose.CreateDir for a compose registered with CTS: the
// ID and respin come from CTS, so the directory must not exist yet (as
// with Pungi, no respin is tried past an existing one).
func (c *Client) CreateDir(ctx context.Context, targetDir string, conf *config.Config, opts compose.Options, parents []string, respinOf string) (string, *compose.Info, error) {
	typ := opts.Type
	if typ == "" {
		typ = "production"
	}
	ci, err := compose.NewInfo(conf, typ, opts.Date, opts.Respin, opts.Label)
	if err != nil {
		return "", nil, err
	}
	reg, err := c.Register(ctx, ci, parents, respinOf)
	if err != nil {
		return "", nil, err
	}
	ci.Compose.ID, ci.Compose.Respin = reg.ID, reg.Respin
	dir := filepath.Join(targetDir, reg.ID)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return "", nil, fmt.Errorf("compose directory for CTS compose %s: %w", reg.ID, err)
	}
	if err := compose.WriteInfo(dir, ci); err != nil {
		return "", nil, err
	}
	return dir, ci, nil
}
