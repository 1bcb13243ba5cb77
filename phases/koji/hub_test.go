package koji_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/koji/kojitest"
)

var (
	topOnce sync.Once
	topDir  string
)

// sharedPackages builds the test packages once per test binary.
func sharedPackages(t *testing.T) string {
	topOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kojitest-top-")
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []kojitest.RPMSpec{
			{Name: "bash", Version: "5.1", Release: "1", Arches: []string{"x86_64"}, SigKeys: []string{"ABCD1234"}},
			{Name: "bash", Version: "5.2", Release: "1", Arches: []string{"x86_64"}, SigKeys: []string{"ABCD1234", "FFFF0000"}},
			{Name: "tzdata", Version: "2024a", Release: "1", Epoch: "1", Arches: []string{"noarch"}},
			{Name: "glibc", Version: "2.38", Release: "3", Arches: []string{"x86_64", "i686"}, SigKeys: []string{"FFFF0000"}, NoUnsigned: true},
		} {
			kojitest.MakeBuild(t, dir, s)
		}
		topDir = dir
	})
	if topDir == "" {
		t.Skip("packages could not be built")
	}
	return topDir
}

func TestMain(m *testing.M) {
	code := m.Run()
	if topDir != "" {
		os.RemoveAll(topDir)
	}
	os.Exit(code)
}

// newHub: tags base ← f40 (f40 inherits base), bash-5.1 in base, then
// bash-5.2 in f40, tzdata in base, glibc in f40.
func newHub(t *testing.T) (*kojitest.Hub, map[string]int64) {
	h := kojitest.New(t, sharedPackages(t))
	if err := h.ScanPackages(); err != nil {
		t.Fatal(err)
	}
	ev := map[string]int64{}
	h.AddTag("base", "x86_64")
	h.AddTag("f40", "x86_64", "i686")
	h.AddInheritance("f40", "base", kojitest.Inherit{Priority: 10})
	ev["bash51"] = h.TagBuild("base", "bash-5.1-1")
	ev["tzdata"] = h.TagBuild("base", "tzdata-2024a-1")
	ev["glibc"] = h.TagBuild("f40", "glibc-2.38-3")
	ev["bash52"] = h.TagBuild("f40", "bash-5.2-1")
	return h, ev
}

func client(t *testing.T, url string, opts ...koji.Option) *koji.Client {
	c, err := koji.New(url, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nvrs(bs []koji.Build) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.NVR)
	}
	sort.Strings(out)
	return out
}

func TestPackageSetCalls(t *testing.T) {
	h, ev := newHub(t)
	c := client(t, h.URL())
	ctx := context.Background()

	tag, err := c.GetTag(ctx, "f40", nil)
	if err != nil || tag.Name != "f40" || tag.Arches != "x86_64 i686" {
		t.Fatalf("getTag: %+v %v", tag, err)
	}
	if _, err := c.GetTag(ctx, "nope", nil); !koji.IsFault(err, koji.GenericError) {
		t.Fatalf("missing tag: want GenericError fault, got %v", err)
	}
	inh, err := c.GetFullInheritance(ctx, "f40", nil)
	if err != nil || len(inh) != 1 || inh[0].Name != "base" || inh[0].Priority != 10 || inh[0].CurrDepth != 1 {
		t.Fatalf("getFullInheritance: %+v %v", inh, err)
	}

	cases := []struct {
		name string
		opts koji.ListTaggedOpts
		want []string
	}{
		{"own builds only", koji.ListTaggedOpts{}, []string{"bash-5.2-1", "glibc-2.38-3"}},
		{"inherit hides parent's bash", koji.ListTaggedOpts{Inherit: true, Latest: true}, []string{"bash-5.2-1", "glibc-2.38-3", "tzdata-2024a-1"}},
		{"event before bash-5.2 was tagged", koji.ListTaggedOpts{Inherit: true, Latest: true, Event: ptr(ev["glibc"])}, []string{"bash-5.1-1", "glibc-2.38-3", "tzdata-2024a-1"}},
		{"event before anything in f40", koji.ListTaggedOpts{Event: ptr(ev["tzdata"])}, nil},
		{"package filter", koji.ListTaggedOpts{Inherit: true, Package: "tzdata"}, []string{"tzdata-2024a-1"}},
		{"inherit without latest lists every build", koji.ListTaggedOpts{Inherit: true}, []string{"bash-5.1-1", "bash-5.2-1", "glibc-2.38-3", "tzdata-2024a-1"}},
	}
	for _, tc := range cases {
		got, err := c.ListTagged(ctx, "f40", tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if g := nvrs(got); !reflect.DeepEqual(g, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, g, tc.want)
		}
	}

	rpms, builds, err := c.ListTaggedRPMs(ctx, "f40", koji.ListTaggedOpts{Inherit: true, Latest: true, Arches: []string{"x86_64", "noarch"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range rpms {
		names = append(names, r.Name+"."+r.Arch)
	}
	sort.Strings(names)
	if want := []string{"bash.x86_64", "glibc.x86_64", "tzdata.noarch"}; !reflect.DeepEqual(names, want) || len(builds) != 3 {
		t.Errorf("listTaggedRPMS: %v (%d builds), want %v", names, len(builds), want)
	}
	withSigs, _, err := c.ListTaggedRPMs(ctx, "f40", koji.ListTaggedOpts{Package: "bash", Arches: []string{"x86_64"}, RPMSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	var sigs []string
	for _, r := range withSigs {
		sigs = append(sigs, r.Sigkey)
	}
	if want := []string{"", "abcd1234", "ffff0000"}; !reflect.DeepEqual(sigs, want) {
		t.Errorf("sigkeys %v, want %v", sigs, want)
	}

	b, err := c.GetBuild(ctx, "tzdata-2024a-1")
	if err != nil || b == nil || b.Epoch == nil || *b.Epoch != 1 || b.State != koji.BuildComplete {
		t.Fatalf("getBuild: %+v %v", b, err)
	}
	if none, err := c.GetBuild(ctx, "nope-1-1"); none != nil || err != nil {
		t.Fatalf("missing build: %+v %v", none, err)
	}
	br, err := c.ListRPMs(ctx, b.ID, nil)
	if err != nil || len(br) != 2 { // noarch + src
		t.Fatalf("listRPMs: %+v %v", br, err)
	}
	last, err := c.GetLastEvent(ctx)
	if err != nil || last.ID != h.LastEvent() || last.TS <= 0 {
		t.Fatalf("getLastEvent %+v %v", last, err)
	}
	e, err := c.GetEvent(ctx, ev["glibc"])
	if err != nil || e.ID != ev["glibc"] {
		t.Fatalf("getEvent %+v %v", e, err)
	}
	if _, err := c.GetEvent(ctx, 999999); err == nil {
		t.Fatal("unknown event accepted")
	}
}

func ptr(v int64) *int64 { return &v }

func TestMultiCall(t *testing.T) {
	h, _ := newHub(t)
	c := client(t, h.URL())
	ctx := context.Background()
	m := c.Multi()
	m.Add("getTag", "f40")
	m.Add("getTag", "nope", koji.KW{"strict": true})
	m.Add("getBuild", "bash-5.2-1")
	m.Add("getLastEvent")
	res, err := m.Do(ctx, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 {
		t.Fatalf("%d results", len(res))
	}
	if tag, _ := res[0].Value.(map[string]any); tag["name"] != "f40" {
		t.Errorf("result 0: %#v", res[0])
	}
	if !koji.IsFault(res[1].Err, koji.GenericError) {
		t.Errorf("result 1 should be a fault: %#v", res[1])
	}
	if b, _ := res[2].Value.(map[string]any); b["nvr"] != "bash-5.2-1" {
		t.Errorf("result 2: %#v", res[2])
	}
	if mc := h.CallsTo("multiCall"); len(mc) != 1 {
		t.Errorf("one multiCall request expected, got %d", len(mc))
	}

	// Batches: 3 calls in batches of 2 are two requests.
	m = c.Multi()
	for i := 0; i < 3; i++ {
		m.Add("getAPIVersion")
	}
	if res, err := m.Do(ctx, 2, true); err != nil || len(res) != 3 || res[2].Value != int64(1) {
		t.Fatalf("batched: %v %v", res, err)
	}
	if mc := h.CallsTo("multiCall"); len(mc) != 3 {
		t.Errorf("want 3 multiCall requests in total, got %d", len(mc))
	}
	// strict returns the first fault.
	m = c.Multi()
	m.Add("getAPIVersion")
	m.Add("noSuchMethod")
	if _, err := m.Do(ctx, 0, true); !koji.IsFault(err, koji.GenericError) || !strings.Contains(err.Error(), "Invalid method: noSuchMethod") {
		t.Fatalf("strict: %v", err)
	}
}

func TestPasswordLoginAndCallnum(t *testing.T) {
	h, _ := newHub(t)
	h.Users["alice"] = "secret"
	c := client(t, h.URL())
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "wrong"); !koji.IsFault(err, koji.AuthError) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := c.StartTask(ctx, "runroot", "f40-build", "x86_64", "true"); !koji.IsFault(err, koji.ActionNotAllowed) {
		t.Fatalf("anonymous runroot: %v", err)
	}
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		v, err := c.Call(ctx, "getLoggedInUser")
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		if u := v.(map[string]any); u["name"] != "alice" {
			t.Fatalf("user %v", u)
		}
	}
	if err := c.Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.LoggedIn(); ok {
		t.Fatal("still logged in")
	}
}

func TestSSLLogin(t *testing.T) {
	h := kojitest.NewTLS(t, t.TempDir(), "compose-bot")
	c := client(t, h.URL(), koji.WithClientCert(h.ClientCertFile, ""), koji.WithServerCA(h.CAFile))
	ctx := context.Background()
	if err := c.SSLLogin(ctx, ""); err != nil {
		t.Fatal(err)
	}
	v, err := c.Call(ctx, "getLoggedInUser")
	if err != nil {
		t.Fatal(err)
	}
	if u := v.(map[string]any); u["name"] != "compose-bot" || u["authtype"] != int64(2) { // koji.AUTHTYPES['SSL']
		t.Fatalf("user %v", u)
	}
	if calls := h.CallsTo("sslLogin"); len(calls) != 1 {
		t.Fatalf("sslLogin calls: %v", calls)
	}
	// Without a certificate the hub refuses.
	anon := client(t, h.URL(), koji.WithServerCA(h.CAFile))
	if err := anon.SSLLogin(ctx, ""); err == nil {
		t.Fatal("sslLogin without certificate succeeded")
	}
}

// tokenNegotiator stands in for a Kerberos library: it sends a fixed
// Negotiate token, as curl --negotiate would after gss_init_sec_context.
type tokenNegotiator struct {
	token string
	seen  []string
}

func (n *tokenNegotiator) PostNegotiate(ctx context.Context, endpoint string, body []byte, opts koji.GSSAPIOptions, caFile string) ([]byte, error) {
	n.seen = append(n.seen, endpoint)
	pem, _ := os.ReadFile(caFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	req.Header.Set("Authorization", "Negotiate "+n.token)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func TestGSSAPILogin(t *testing.T) {
	h := kojitest.NewTLS(t, t.TempDir(), "unused")
	h.NegotiateToken, h.NegotiateUser = "YIIGSSAPI", "releng@EXAMPLE.COM"
	ctx := context.Background()
	neg := &tokenNegotiator{token: "YIIGSSAPI"}
	// Given as http://, the login must go to https://…/ssllogin.
	plain := strings.Replace(h.URL(), "https://", "http://", 1)
	c := client(t, plain, koji.WithServerCA(h.CAFile), koji.WithNegotiator(neg))
	if err := c.GSSAPILogin(ctx, koji.GSSAPIOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := h.URL() + "/ssllogin"; len(neg.seen) != 1 || neg.seen[0] != want {
		t.Fatalf("negotiated with %v, want %s", neg.seen, want)
	}
	if c.HubURL() != h.URL() {
		t.Fatalf("hub URL not forced to https: %s", c.HubURL())
	}
	v, err := c.Call(ctx, "getLoggedInUser")
	if err != nil || v.(map[string]any)["name"] != "releng@EXAMPLE.COM" {
		t.Fatalf("user %v %v", v, err)
	}
	bad := client(t, plain, koji.WithServerCA(h.CAFile), koji.WithNegotiator(&tokenNegotiator{token: "wrong"}))
	if err := bad.GSSAPILogin(ctx, koji.GSSAPIOptions{}); err == nil || !strings.Contains(err.Error(), "unable to obtain a session") {
		t.Fatalf("bad token: %v", err)
	}
}

func TestTasks(t *testing.T) {
	h, _ := newHub(t)
	h.Users["bot"] = "pw"
	h.Tasks = func(method string, args []any, kw map[string]any) kojitest.Outcome {
		cmd, _ := args[2].(string)
		switch cmd {
		case "fail":
			return kojitest.Outcome{Fail: "Command exited with status 1"}
		case "hang":
			return kojitest.Outcome{Hang: true}
		}
		return kojitest.Outcome{Polls: 2, Result: "ok", Files: map[string][]byte{"runroot.log": []byte("done\n")}}
	}
	c := client(t, h.URL())
	ctx := context.Background()
	if err := c.Login(ctx, "bot", "pw"); err != nil {
		t.Fatal(err)
	}
	id, err := c.StartTask(ctx, "runroot", "f40-build", "x86_64", "ok", koji.KW{"channel": "compose", "packages": []string{"lorax"}, "new_chroot": true})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.WatchTask(ctx, id, time.Millisecond)
	if err != nil || res != "ok" {
		t.Fatalf("watch: %v %v", res, err)
	}
	if files, err := c.ListTaskOutput(ctx, id); err != nil || !reflect.DeepEqual(files, []string{"runroot.log"}) {
		t.Fatalf("output %v %v", files, err)
	}
	_, kw := h.TaskArgs(id)
	if kw["channel"] != "compose" || kw["new_chroot"] != true {
		t.Errorf("task kwargs %v", kw)
	}

	id, _ = c.StartTask(ctx, "runroot", "f40-build", "x86_64", "fail")
	_, err = c.WatchTask(ctx, id, time.Millisecond)
	var te *koji.TaskError
	if !errors.As(err, &te) || te.State != koji.TaskFailed || !strings.Contains(err.Error(), "Command exited with status 1") {
		t.Fatalf("failing task: %v", err)
	}

	id, _ = c.StartTask(ctx, "runroot", "f40-build", "x86_64", "hang")
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	_, err = c.WatchTask(cctx, id, 5*time.Millisecond)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("hung task: %v", err)
	}
	if st := h.TaskState(id); st != koji.TaskCanceled {
		t.Fatalf("hung task state %s, want CANCELED", koji.TaskStateName(st))
	}
}

// flaky answers 503 to the first n requests, then forwards to the hub.
type flaky struct {
	n   int
	hub http.Handler
	mu  sync.Mutex
}

func (f *flaky) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		http.Error(w, "proxy error", http.StatusServiceUnavailable)
		return
	}
	f.hub.ServeHTTP(w, r)
}

func TestRetries(t *testing.T) {
	h := kojitest.New(t, t.TempDir())
	h.Users["u"] = "p"
	fl := &flaky{hub: h}
	srv := httptest.NewServer(fl)
	defer srv.Close()
	url := srv.URL + "/kojihub"
	ctx := context.Background()

	fl.n = 1
	anon := client(t, url, koji.WithRetries(3, time.Millisecond, false))
	if _, err := anon.Call(ctx, "getAPIVersion"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("anonymous call retried without anon_retry: %v", err)
	}
	fl.n = 2
	if v, err := client(t, url, koji.WithRetries(3, time.Millisecond, true)).Call(ctx, "getAPIVersion"); err != nil || v != int64(1) {
		t.Fatalf("anon retry: %v %v", v, err)
	}
	c := client(t, url, koji.WithRetries(3, time.Millisecond, false))
	if err := c.Login(ctx, "u", "p"); err != nil {
		t.Fatal(err)
	}
	fl.n = 3
	if v, err := c.Call(ctx, "getLoggedInUser"); err != nil || v.(map[string]any)["name"] != "u" {
		t.Fatalf("logged-in retry: %v %v", v, err)
	}
	fl.n = 10
	if _, err := c.Call(ctx, "getLoggedInUser"); err == nil {
		t.Fatal("gave up too late or never")
	}
}

// Module builds as MBS imports them: listTagged type=module lists only
// them (with typeinfo and completion time), their module archives lie
// under files/module/ and are listed by listArchives, and search finds
// builds by an NVR glob.
func TestHubModuleBuilds(t *testing.T) {
	top := t.TempDir()
	hub := kojitest.New(t, top)
	hub.AddTag("f40-modular")
	hub.AddTag("module-nodejs-20-1-abc")
	nvr, err := hub.AddModuleBuild(kojitest.ModuleBuild{Name: "nodejs", Stream: "20-x", Version: 1, Context: "abc",
		ContentTag: "module-nodejs-20-1-abc", Archives: map[string]string{"modulemd.txt": "a", "modulemd.x86_64.txt": "b"}})
	if err != nil || nvr != "nodejs-20_x-1.abc" {
		t.Fatalf("AddModuleBuild: %q %v", nvr, err)
	}
	if _, err := hub.NewImageBuild(kojitest.ImageBuild{Name: "img", Version: "1", Release: "1"}); err != nil {
		t.Fatal(err)
	}
	hub.TagBuild("f40-modular", nvr)
	hub.TagBuild("f40-modular", "img-1-1")
	c, err := koji.New(hub.URL())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	all, err := c.ListTagged(ctx, "f40-modular", koji.ListTaggedOpts{})
	if err != nil || len(all) != 2 {
		t.Fatalf("listTagged: %d builds, %v", len(all), err)
	}
	mods, err := c.ListTagged(ctx, "f40-modular", koji.ListTaggedOpts{Type: "module"})
	if err != nil || len(mods) != 1 || mods[0].NVR != nvr || mods[0].Release != "1.abc" || mods[0].TagName != "f40-modular" {
		t.Fatalf("listTagged type=module: %+v %v", mods, err)
	}
	b, err := c.GetBuild(ctx, nvr)
	if err != nil || b == nil || b.CompletionTS == 0 {
		t.Fatalf("getBuild: %+v %v", b, err)
	}
	info, _ := b.Extra["typeinfo"].(map[string]any)["module"].(map[string]any)
	if info["content_koji_tag"] != "module-nodejs-20-1-abc" || info["stream"] != "20-x" || info["version"] != "1" {
		t.Errorf("typeinfo: %v", info)
	}
	arch, err := c.ListArchives(ctx, b.ID, "module")
	if err != nil || len(arch) != 2 || arch[0].Filename != "modulemd.txt" || arch[1].Filename != "modulemd.x86_64.txt" {
		t.Fatalf("listArchives: %+v %v", arch, err)
	}
	if data, err := os.ReadFile(top + "/packages/nodejs/20_x/1.abc/files/module/modulemd.x86_64.txt"); err != nil || string(data) != "b" {
		t.Errorf("archive file: %q %v", data, err)
	}
	for terms, want := range map[string]string{"nodejs-20_x-*": nvr, "nodejs-*": nvr, "img-1-1": "img-1-1", "perl-*": ""} {
		got, err := c.SearchBuilds(ctx, terms, "glob")
		if err != nil || want == "" && len(got) != 0 || want != "" && (len(got) != 1 || got[0].Name != want) {
			t.Errorf("search %q: %+v %v", terms, got, err)
		}
	}
}
