package koji

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
)

// Login opens a session with a user name and password (Koji's "login").
func (c *Client) Login(ctx context.Context, user, password string) error {
	v, err := c.Call(ctx, "login", user, password, nil)
	if err != nil {
		return fmt.Errorf("koji login as %s: %w", user, err)
	}
	return c.setSession(v, "password")
}

// sslLoginURL is where Koji clients send sslLogin: the hub URL forced to
// https with "/ssllogin" appended, which hubs protect with client
// certificate or Negotiate authentication.
func (c *Client) sslLoginURL(forceHTTPS bool) string {
	u, _ := url.Parse(c.hubURL)
	if forceHTTPS {
		u.Scheme = "https"
	}
	return strings.TrimRight(u.String(), "/") + "/ssllogin"
}

// SSLLogin opens a session authenticated by the client certificate given
// with WithClientCert. proxyuser may be empty.
func (c *Client) SSLLogin(ctx context.Context, proxyuser string) error {
	if c.cert == nil {
		return errors.New("koji sslLogin: no client certificate (WithClientCert)")
	}
	var pu any
	if proxyuser != "" {
		pu = proxyuser
	}
	body, err := EncodeCall("sslLogin", []any{pu})
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.loggedIn = false
	c.mu.Unlock()
	endpoint := c.sslLoginURL(true)
	v, err := c.post(ctx, "sslLogin", endpoint, nil, body)
	if err != nil {
		return fmt.Errorf("koji ssl login: unable to obtain a session: %w", err)
	}
	if err := c.setSession(v, "ssl"); err != nil {
		return err
	}
	c.forceHTTPS()
	return nil
}

// forceHTTPS switches the hub URL to https as Koji does after an
// authenticated login: the session must not travel in clear text.
func (c *Client) forceHTTPS() {
	u, err := url.Parse(c.hubURL)
	if err == nil && u.Scheme != "https" {
		u.Scheme = "https"
		c.hubURL = u.String()
	}
}

// GSSAPIOptions name the Kerberos credentials for GSSAPILogin; empty fields
// use the environment's defaults (KRB5CCNAME, the default keytab).
type GSSAPIOptions struct {
	Principal string
	Keytab    string
	CCache    string
	ProxyUser string
}

// Negotiator performs one HTTP POST authenticated with SPNEGO (HTTP
// Negotiate) and returns the response body. Go's standard library has no
// GSSAPI, so the default shells out to curl, which links libgssapi_krb5.
type Negotiator interface {
	PostNegotiate(ctx context.Context, endpoint string, body []byte, opts GSSAPIOptions, caFile string) ([]byte, error)
}

// CurlNegotiator runs `curl --negotiate -u :`. Principal selection needs a
// ccache or keytab that holds that principal: curl takes the default
// principal of the credential cache, so Principal with Keytab is realised
// through KRB5_CLIENT_KTNAME (as requests-gssapi does via gssapi's
// acquire) and kinit is not run.
type CurlNegotiator struct {
	Curl   string // path of curl; "curl" from PATH when empty
	CAFile string // extra CA bundle for the hub
}

func (n CurlNegotiator) PostNegotiate(ctx context.Context, endpoint string, body []byte, opts GSSAPIOptions, caFile string) ([]byte, error) {
	curl := n.Curl
	if curl == "" {
		curl = "curl"
	}
	args := []string{"--silent", "--show-error", "--fail", "--negotiate", "--user", ":",
		"--header", "Content-Type: text/xml", "--data-binary", "@-"}
	if ca := firstNonEmpty(caFile, n.CAFile); ca != "" {
		args = append(args, "--cacert", ca)
	}
	args = append(args, endpoint)
	cmd := exec.CommandContext(ctx, curl, args...)
	cmd.Env = os.Environ()
	if opts.CCache != "" {
		cmd.Env = append(cmd.Env, "KRB5CCNAME="+opts.CCache)
	}
	if opts.Keytab != "" {
		cmd.Env = append(cmd.Env, "KRB5_CLIENT_KTNAME="+opts.Keytab)
	}
	cmd.Stdin = bytes.NewReader(body)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("curl --negotiate %s: %v: %s", endpoint, err, strings.TrimSpace(errb.String()))
	}
	return out.Bytes(), nil
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// GSSAPILogin opens a session authenticated by Kerberos: sslLogin sent to
// /ssllogin over https with an HTTP Negotiate exchange, as Koji's
// gssapi_login does.
func (c *Client) GSSAPILogin(ctx context.Context, opts GSSAPIOptions) error {
	var pu any
	if opts.ProxyUser != "" {
		pu = opts.ProxyUser
	}
	body, err := EncodeCall("sslLogin", []any{pu})
	if err != nil {
		return err
	}
	raw, err := c.gss.PostNegotiate(ctx, c.sslLoginURL(true), body, opts, c.caFile)
	if err != nil {
		return fmt.Errorf("koji gssapi login: unable to obtain a session (gssapi auth failed: %w)", err)
	}
	v, err := decodeBody("sslLogin", bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("koji gssapi login: unable to obtain a session: %w", err)
	}
	if err := c.setSession(v, "gssapi"); err != nil {
		return err
	}
	c.forceHTTPS()
	return nil
}

func (c *Client) setSession(v any, how string) error {
	m, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("koji %s login: unable to obtain a session (hub answered %v)", how, v)
	}
	id, okID := m["session-id"].(int64)
	key, okKey := m["session-key"].(string)
	if !okID || !okKey {
		return fmt.Errorf("koji %s login: session info lacks session-id/session-key: %v", how, m)
	}
	c.mu.Lock()
	c.sessionID, c.sessionKey, c.callnum, c.loggedIn, c.authType = id, key, 0, true, how
	c.mu.Unlock()
	return nil
}

// Logout ends the session; it is a no-op when not logged in.
func (c *Client) Logout(ctx context.Context) error {
	if ok, _ := c.LoggedIn(); !ok {
		return nil
	}
	_, err := c.Call(ctx, "logout")
	c.mu.Lock()
	c.loggedIn, c.authType = false, ""
	c.mu.Unlock()
	if err != nil && !IsFault(err, AuthExpired) {
		return fmt.Errorf("koji logout: %w", err)
	}
	return nil
}
