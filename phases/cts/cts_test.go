package cts

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/cts/ctstest"
)

func info(t *testing.T) *compose.Info {
	t.Helper()
	ci, err := compose.NewInfo(config.NewWithDefaults(map[string]any{"release_name": "Demo", "release_short": "Demo", "release_version": "1.0"}), "nightly", "20240101", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	return ci
}

// fakeNegotiate stands in for curl --negotiate: it checks the Kerberos
// environment the client prepared and sends a fixed SPNEGO token.
func fakeNegotiate(t *testing.T, keytab string) func(context.Context, string, string, []byte, []string) (int, []byte, error) {
	return func(ctx context.Context, method, u string, body []byte, env []string) (int, []byte, error) {
		joined := strings.Join(env, "\n")
		if !strings.Contains(joined, "KRB5_CLIENT_KTNAME="+keytab) || !strings.Contains(joined, "KRB5CCNAME=DIR:") {
			t.Errorf("kerberos environment lacks the keytab or a private ccache")
		}
		req, _ := http.NewRequestWithContext(ctx, method, u, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Negotiate YIIGTOKEN")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		return resp.StatusCode, out, err
	}
}

func TestRegisterAuthModes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		setup     func(s *ctstest.Server) *Client
		wantAuth  string
		wantCalls []string // method path
	}{
		{"oidc", func(s *ctstest.Server) *Client {
			return &Client{URL: s.URL, TokenURL: s.TokenURL(), ClientID: "pungo", ClientSecret: "s3cret"}
		}, "Bearer cts-token-1", []string{"POST /oidc/token", "POST /api/1/composes/", "PATCH /api/1/composes/Demo-1.0-20240101.n.0"}},
		{"kerberos", func(s *ctstest.Server) *Client {
			s.NegotiateToken = "YIIGTOKEN"
			return &Client{URL: s.URL + "/", Keytab: "/etc/krb5.keytab", Negotiate: fakeNegotiate(t, "/etc/krb5.keytab")}
		}, "Negotiate YIIGTOKEN", []string{"POST /api/1/composes/", "PATCH /api/1/composes/Demo-1.0-20240101.n.0"}},
		{"anonymous", func(s *ctstest.Server) *Client {
			s.Anonymous = true
			return &Client{URL: s.URL}
		}, "", []string{"POST /api/1/composes/", "PATCH /api/1/composes/Demo-1.0-20240101.n.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := ctstest.New(t)
			c := tc.setup(s)
			reg, err := c.Register(context.Background(), info(t), nil, "")
			if err != nil {
				t.Fatal(err)
			}
			if reg.ID != "Demo-1.0-20240101.n.0" || reg.Respin != 0 {
				t.Errorf("registration %+v", reg)
			}
			if err := c.SetURL(context.Background(), reg.ID, "https://composes.example.com/Demo-1.0-20240101.n.0"); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, call := range s.Calls() {
				got = append(got, call.Method+" "+call.Path)
				if call.Path != "/oidc/token" && call.Auth != tc.wantAuth {
					t.Errorf("%s %s sent Authorization %q, want %q", call.Method, call.Path, call.Auth, tc.wantAuth)
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.wantCalls, "\n") {
				t.Errorf("calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantCalls, "\n"))
			}
			if s.Compose(reg.ID).URL != "https://composes.example.com/Demo-1.0-20240101.n.0" {
				t.Errorf("URL not recorded: %+v", s.Compose(reg.ID))
			}
		})
	}
}

func TestRegisterParentsRespinsAndErrors(t *testing.T) {
	s := ctstest.New(t)
	c := &Client{URL: s.URL, TokenURL: s.TokenURL(), ClientID: "pungo", ClientSecret: "s3cret", RetryWait: time.Millisecond, Retries: 2}
	first, err := c.Register(context.Background(), info(t), nil, "")
	if err != nil {
		t.Fatal(err)
	}
	second, err := c.Register(context.Background(), info(t), []string{first.ID}, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.ID != "Demo-1.0-20240101.n.1" || second.Respin != 1 {
		t.Errorf("second registration %+v", second)
	}
	calls := s.Calls()
	body := calls[len(calls)-1].Body
	if ps, _ := body["parent_compose_ids"].([]any); len(ps) != 1 || ps[0] != first.ID || body["respin_of"] != first.ID {
		t.Errorf("parents/respin_of sent: %v %v", body["parent_compose_ids"], body["respin_of"])
	}
	if calls[1].Body["parent_compose_ids"] != nil || calls[1].Body["respin_of"] != nil {
		t.Errorf("no parents must be null: %v", calls[1].Body)
	}
	if n := len(calls); calls[0].Path != "/oidc/token" || n != 3 {
		t.Errorf("the token is fetched once: %d calls", n)
	}
	// A 4xx answer is fatal at once, its message reported.
	before := len(s.Calls())
	_, err = c.Register(context.Background(), info(t), []string{"Nope-1-20240101.0"}, "")
	if err == nil || !strings.Contains(err.Error(), "CTS responded with 400: Parent compose Nope-1-20240101.0 does not exist") {
		t.Errorf("unknown parent: %v", err)
	}
	if n := len(s.Calls()) - before; n != 1 {
		t.Errorf("a 400 was retried: %d calls", n)
	}
	// Bad credentials: the token endpoint refuses; fatal at once.
	bad := &Client{URL: s.URL, TokenURL: s.TokenURL(), ClientID: "pungo", ClientSecret: "wrong", RetryWait: time.Millisecond, Retries: 1}
	if _, err := bad.Register(context.Background(), info(t), nil, ""); err == nil || !strings.Contains(err.Error(), "HTTP 401 invalid_client") {
		t.Errorf("bad secret: %v", err)
	}
	// Without credentials CTS answers 401, which is retried, then reported.
	anon := &Client{URL: s.URL, RetryWait: time.Millisecond, Retries: 1}
	if _, err := anon.Register(context.Background(), info(t), nil, ""); err == nil || !strings.Contains(err.Error(), "CTS responded with 401") {
		t.Errorf("anonymous: %v", err)
	}
}

func TestFromConfig(t *testing.T) {
	t.Setenv("CTS_OIDC_CLIENT_SECRET", "")
	if c, err := FromConfig(config.NewWithDefaults(map[string]any{})); c != nil || err != nil {
		t.Errorf("no cts_url: %v %v", c, err)
	}
	_, err := FromConfig(config.NewWithDefaults(map[string]any{"cts_url": "https://cts", "cts_oidc_token_url": "https://sso/token", "cts_oidc_client_id": "x"}))
	if err == nil || !strings.Contains(err.Error(), "CTS_OIDC_CLIENT_SECRET") {
		t.Errorf("missing secret: %v", err)
	}
	t.Setenv("CTS_OIDC_CLIENT_SECRET", "s")
	t.Setenv("CTS_OIDC_CLIENT_ID", "from-env")
	c, err := FromConfig(config.NewWithDefaults(map[string]any{"cts_url": "https://cts", "cts_oidc_token_url": "https://sso/token", "cts_oidc_client_id": "x"}))
	if err != nil || c.ClientID != "from-env" || c.ClientSecret != "s" || c.TokenURL != "https://sso/token" {
		t.Errorf("env overrides: %+v %v", c, err)
	}
}
