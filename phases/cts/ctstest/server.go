// Package ctstest is a Compose Tracking Service for tests: an httptest
// server with the REST calls pungo makes (POST api/1/composes/, PATCH
// api/1/composes/ID set_url) and an OIDC token endpoint (client
// credentials grant). It assigns respins as CTS does — one more than the
// composes of the same release, date and type so far — checks every
// request's authentication, and records every call for assertions.
package ctstest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// Server is the test CTS.
type Server struct {
	*httptest.Server

	// ClientID and ClientSecret are the OIDC credentials the token
	// endpoint accepts; Token is the access token it hands out.
	ClientID, ClientSecret, Token string
	// NegotiateToken, when set, is accepted in "Authorization: Negotiate".
	NegotiateToken string
	// Anonymous lets requests without authentication through.
	Anonymous bool

	mu       sync.Mutex
	calls    []Call
	composes map[string]*Compose
	order    []string
}

// Call is one recorded request.
type Call struct {
	Method, Path, Auth string
	Body               map[string]any // JSON body, or the form for the token endpoint
	Status             int
}

// Compose is one registered compose.
type Compose struct {
	ID       string
	Respin   int
	Info     map[string]any // the composeinfo sent, with CTS's ID and respin
	Parents  []string
	RespinOf string
	URL      string
}

// New starts a CTS. It is closed when the test ends.
func New(t testing.TB) *Server {
	s := &Server{ClientID: "pungo", ClientSecret: "s3cret", Token: "cts-token-1", composes: map[string]*Compose{}}
	s.Server = httptest.NewServer(s)
	t.Cleanup(s.Close)
	return s
}

// TokenURL is the OIDC token endpoint.
func (s *Server) TokenURL() string { return s.URL + "/oidc/token" }

// Calls returns the recorded requests.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Compose returns a registered compose (nil when unknown).
func (s *Server) Compose(id string) *Compose {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.composes[id]
}

var composePath = regexp.MustCompile(`^/api/1/composes/([^/]+)/?$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	call := Call{Method: r.Method, Path: r.URL.Path, Auth: r.Header.Get("Authorization")}
	status, answer := s.handle(r, &call)
	call.Status = status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(answer)
}

func fail(status int, format string, a ...any) (int, any) {
	return status, map[string]any{"status": status, "error": http.StatusText(status), "message": fmt.Sprintf(format, a...)}
}

func (s *Server) handle(r *http.Request, call *Call) (int, any) {
	if r.URL.Path == "/oidc/token" {
		if r.Method != http.MethodPost || r.ParseForm() != nil {
			return fail(http.StatusBadRequest, "token endpoint takes a form POST")
		}
		call.Body = map[string]any{}
		for k := range r.PostForm {
			call.Body[k] = r.PostForm.Get(k)
		}
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != s.ClientID || r.PostForm.Get("client_secret") != s.ClientSecret {
			return http.StatusUnauthorized, map[string]any{"error": "invalid_client"}
		}
		return http.StatusOK, map[string]any{"access_token": s.Token, "token_type": "Bearer", "expires_in": 300}
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return fail(http.StatusBadRequest, "Content-Type %q is not application/json", ct)
	}
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &call.Body); err != nil {
		return fail(http.StatusBadRequest, "body is not a JSON object: %v", err)
	}
	switch auth := call.Auth; {
	case s.Token != "" && auth == "Bearer "+s.Token:
	case s.NegotiateToken != "" && auth == "Negotiate "+s.NegotiateToken:
	case s.Anonymous && auth == "":
	default:
		return fail(http.StatusUnauthorized, "authentication required")
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/1/composes/":
		return s.create(call.Body)
	case r.Method == http.MethodPatch && composePath.MatchString(r.URL.Path):
		id := composePath.FindStringSubmatch(r.URL.Path)[1]
		return s.patch(id, call.Body)
	}
	return fail(http.StatusNotFound, "no such endpoint %s %s", r.Method, r.URL.Path)
}

// create registers a compose. The respin is the number of composes with
// the same ID prefix (release, date, type) registered before.
func (s *Server) create(body map[string]any) (int, any) {
	ci, _ := body["compose_info"].(map[string]any)
	payload, _ := ci["payload"].(map[string]any)
	comp, _ := payload["compose"].(map[string]any)
	header, _ := ci["header"].(map[string]any)
	id, _ := comp["id"].(string)
	if header["type"] != "productmd.composeinfo" || id == "" {
		return fail(http.StatusBadRequest, "compose_info is not a productmd composeinfo with a compose id")
	}
	var parents []string
	if list, ok := body["parent_compose_ids"].([]any); ok {
		for _, p := range list {
			ps, _ := p.(string)
			parents = append(parents, ps)
		}
	} else if body["parent_compose_ids"] != nil {
		return fail(http.StatusBadRequest, "parent_compose_ids must be a list or null")
	}
	respinOf, _ := body["respin_of"].(string)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range parents {
		if s.composes[p] == nil {
			return fail(http.StatusBadRequest, "Parent compose %s does not exist", p)
		}
	}
	if respinOf != "" && s.composes[respinOf] == nil {
		return fail(http.StatusBadRequest, "Compose %s to respin does not exist", respinOf)
	}
	prefix := id[:strings.LastIndex(id, ".")+1]
	respin := 0
	for _, other := range s.order {
		if strings.HasPrefix(other, prefix) {
			respin++
		}
	}
	newID := fmt.Sprintf("%s%d", prefix, respin)
	comp["id"], comp["respin"] = newID, respin
	s.composes[newID] = &Compose{ID: newID, Respin: respin, Info: ci, Parents: parents, RespinOf: respinOf}
	s.order = append(s.order, newID)
	return http.StatusOK, ci
}

func (s *Server) patch(id string, body map[string]any) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.composes[id]
	if c == nil {
		return fail(http.StatusNotFound, "No such compose: %s", id)
	}
	if body["action"] != "set_url" {
		return fail(http.StatusBadRequest, "unknown action %v", body["action"])
	}
	u, _ := body["compose_url"].(string)
	if u == "" {
		return fail(http.StatusBadRequest, "compose_url is required")
	}
	c.URL = u
	return http.StatusOK, c.Info
}
