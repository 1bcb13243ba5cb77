package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/cts/ctstest"
)

// TestComposeCTS composes the demo twice with a CTS configured (OIDC
// client credentials): the compose IDs and respins come from CTS, the
// second compose registers the first as its parent and as the compose it
// respins, and each compose's URL (translate_paths of its directory) is
// recorded. Every call the test CTS saw is checked.
func TestComposeCTS(t *testing.T) {
	s := ctstest.New(t)
	target := t.TempDir()
	t.Setenv("CTS_OIDC_CLIENT_SECRET", s.ClientSecret)
	cfg := demoConfig(t, fmt.Sprintf(`cts_url = %q
cts_oidc_token_url = %q
cts_oidc_client_id = %q
translate_paths = [(%q, "https://composes.example.com/demo")]
`, s.URL, s.TokenURL(), s.ClientID, target), nil)

	run := func(extra ...string) string {
		before, _ := os.ReadDir(target)
		code, out := runPungo(t, t.TempDir(), append([]string{"--config", cfg, "--target-dir", target, "--quiet", "--no-latest-link"}, extra...)...)
		if code != 0 {
			t.Fatalf("compose %v: exit %d\n%s", extra, code, out)
		}
		after, _ := os.ReadDir(target)
		if len(after) != len(before)+1 {
			t.Fatalf("compose %v made %d directories", extra, len(after)-len(before))
		}
		for _, e := range after {
			if s.Compose(e.Name()) != nil && !strings.Contains(fmt.Sprint(before), e.Name()) {
				return e.Name()
			}
		}
		t.Fatalf("compose %v: no directory named by a CTS compose ID in %s", extra, target)
		return ""
	}
	first := run()
	second := run("--parent-compose-id", first, "--respin-of", first)

	if !strings.HasSuffix(first, ".n.0") || strings.TrimSuffix(first, ".0")+".1" != second {
		t.Errorf("CTS respins: %s then %s", first, second)
	}
	for _, id := range []string{first, second} {
		dir := filepath.Join(target, id)
		if got, _ := os.ReadFile(filepath.Join(dir, "COMPOSE_ID")); string(got) != id {
			t.Errorf("%s: COMPOSE_ID %q", id, got)
		}
		ci := readJSON(t, filepath.Join(dir, "compose/metadata/composeinfo.json"))
		if got := ci["payload"].(map[string]any)["compose"].(map[string]any)["id"]; got != id {
			t.Errorf("%s: composeinfo.json id %v", id, got)
		}
		if u := s.Compose(id).URL; u != "https://composes.example.com/demo/"+id {
			t.Errorf("%s: CTS URL %q", id, u)
		}
	}
	c2 := s.Compose(second)
	if len(c2.Parents) != 1 || c2.Parents[0] != first || c2.RespinOf != first {
		t.Errorf("second compose: parents %v respin of %q", c2.Parents, c2.RespinOf)
	}
	var calls []string
	for _, c := range s.Calls() {
		line := fmt.Sprintf("%s %s %d", c.Method, c.Path, c.Status)
		if c.Path != "/oidc/token" {
			if c.Auth != "Bearer "+s.Token {
				t.Errorf("%s without the bearer token: %q", line, c.Auth)
			}
		} else if c.Body["client_id"] != s.ClientID || c.Body["grant_type"] != "client_credentials" {
			t.Errorf("token request %v", c.Body)
		}
		calls = append(calls, line)
	}
	// One token per compose run, reused for its calls.
	want := []string{
		"POST /oidc/token 200", "POST /api/1/composes/ 200", "PATCH /api/1/composes/" + first + " 200",
		"POST /oidc/token 200", "POST /api/1/composes/ 200", "PATCH /api/1/composes/" + second + " 200",
	}
	if strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Errorf("CTS calls:\n%s\nwant:\n%s", strings.Join(calls, "\n"), strings.Join(want, "\n"))
	}

	// A CTS that refuses stops the compose before any directory is made.
	t.Setenv("CTS_OIDC_CLIENT_SECRET", "wrong")
	before, _ := os.ReadDir(target)
	code, out := runPungo(t, t.TempDir(), "--config", cfg, "--target-dir", target, "--quiet")
	after, _ := os.ReadDir(target)
	if code != 2 || !strings.Contains(out, "invalid_client") || len(after) != len(before) {
		t.Errorf("refused by CTS: exit %d, %d new dirs\n%s", code, len(after)-len(before), out)
	}
}
