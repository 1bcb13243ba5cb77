package compose

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/pungo/pungo/phases/config"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func baseConf() map[string]any {
	return map[string]any{"release_name": "Demo", "release_short": "DEMO", "release_version": "1.0"}
}

func TestComposeID(t *testing.T) {
	layered := baseConf()
	layered["base_product_name"] = "Base"
	layered["base_product_short"] = "BASE"
	layered["base_product_version"] = "9"
	updates := baseConf()
	updates["release_type"] = "Updates"
	layeredEUS := map[string]any{}
	for k, v := range layered {
		layeredEUS[k] = v
	}
	layeredEUS["base_product_type"] = "eus"
	cases := []struct {
		conf   map[string]any
		typ    string
		respin int
		want   string
	}{
		{baseConf(), "production", 0, "DEMO-1.0-20240102.0"},
		{baseConf(), "nightly", 3, "DEMO-1.0-20240102.n.3"},
		{baseConf(), "test", 0, "DEMO-1.0-20240102.t.0"},
		{baseConf(), "ci", 1, "DEMO-1.0-20240102.ci.1"},
		{baseConf(), "development", 0, "DEMO-1.0-20240102.d.0"},
		{updates, "production", 0, "DEMO-1.0-updates-20240102.0"},
		{layered, "nightly", 0, "DEMO-1.0-BASE-9-20240102.n.0"},
		{layeredEUS, "production", 2, "DEMO-1.0-BASE-9-eus-20240102.2"},
	}
	for _, tc := range cases {
		ci, err := NewInfo(config.NewWithDefaults(tc.conf), tc.typ, "20240102", tc.respin, "")
		if err != nil {
			t.Fatal(err)
		}
		if ci.Compose.ID != tc.want {
			t.Errorf("%s/%d: got %s want %s", tc.typ, tc.respin, ci.Compose.ID, tc.want)
		}
	}
	if _, err := NewInfo(config.NewWithDefaults(baseConf()), "weekly", "20240102", 0, ""); err == nil {
		t.Error("unknown compose type accepted")
	}
	bad := baseConf()
	bad["release_type"] = "bogus"
	if _, err := NewInfo(config.NewWithDefaults(bad), "production", "20240102", 0, ""); err == nil {
		t.Error("unknown release type accepted")
	}
}

func TestVerifyLabel(t *testing.T) {
	for _, l := range []string{"", "RC-1.0", "Beta-1.2", "Alpha-0.1", "Update-2.10", "SecurityFix-1.0", "Snapshot-1.0"} {
		if err := VerifyLabel(l); err != nil {
			t.Errorf("%q rejected: %v", l, err)
		}
	}
	for _, l := range []string{"RC-1", "rc-1.0", "Foo-1.0", "RC-1.0.1", "Beta1.0", "RC-a.b"} {
		if err := VerifyLabel(l); err == nil {
			t.Errorf("%q accepted", l)
		}
	}
	if got := LabelMajorVersion("Beta-1.2"); got != "Beta-1" {
		t.Errorf("LabelMajorVersion = %s", got)
	}
}

func TestLatestLinkName(t *testing.T) {
	ci, _ := NewInfo(config.NewWithDefaults(map[string]any{"release_name": "X", "release_short": "X", "release_version": "8.4.1"}), "production", "20240102", 0, "")
	for _, tc := range []struct {
		n    int
		want string
	}{{-1, "latest-X-8.4"}, {0, "latest-X"}, {1, "latest-X-8"}, {5, "latest-X-8.4.1"}, {-5, "latest-X-8"}} {
		if got := LatestLinkName(ci, tc.n); got != tc.want {
			t.Errorf("components %d: %s want %s", tc.n, got, tc.want)
		}
	}
}

func TestCreateDirRespins(t *testing.T) {
	target := t.TempDir()
	d1, ci1, err := CreateDir(target, config.NewWithDefaults(baseConf()), Options{Type: "nightly", Date: "20240102"})
	if err != nil {
		t.Fatal(err)
	}
	d2, ci2, err := CreateDir(target, config.NewWithDefaults(baseConf()), Options{Type: "nightly", Date: "20240102"})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(d1) != "DEMO-1.0-20240102.n.0" || filepath.Base(d2) != "DEMO-1.0-20240102.n.1" || ci2.Compose.Respin != 1 || ci1.Compose.Respin != 0 {
		t.Fatalf("got %s %s", d1, d2)
	}
	id, _ := os.ReadFile(filepath.Join(d2, "COMPOSE_ID"))
	if string(id) != "DEMO-1.0-20240102.n.1" {
		t.Errorf("COMPOSE_ID = %q", id)
	}
	var doc map[string]any
	raw, _ := os.ReadFile(filepath.Join(d2, "work/global/composeinfo-base.json"))
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	h := doc["header"].(map[string]any)
	if h["type"] != "productmd.composeinfo" || h["version"] != "1.2" {
		t.Errorf("header %v", h)
	}
	c := doc["payload"].(map[string]any)["compose"].(map[string]any)
	if c["id"] != "DEMO-1.0-20240102.n.1" || c["respin"].(float64) != 1 || c["type"] != "nightly" || c["date"] != "20240102" {
		t.Errorf("compose %v", c)
	}
	if _, has := c["label"]; has {
		t.Error("label written for an unlabelled compose")
	}
}

func newTestCompose(t *testing.T, conf map[string]any) *Compose {
	t.Helper()
	dir, _, err := CreateDir(t.TempDir(), config.NewWithDefaults(conf), Options{Type: "test", Date: "20240102"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(config.NewWithDefaults(conf), dir, Options{}, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Log.Close() })
	server := &Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
	opt := &Variant{UID: "Server-optional", ID: "optional", Type: "optional", Arches: []string{"x86_64"}, Parent: server}
	ha := &Variant{UID: "Server-HA", ID: "HA", Type: "addon", Arches: []string{"x86_64"}, Parent: server}
	server.Variants = []*Variant{opt, ha}
	c.Variants = []*Variant{server}
	return c
}

func TestPaths(t *testing.T) {
	c := newTestCompose(t, baseConf())
	server, opt, ha := c.Variant("Server"), c.Variant("Server-optional"), c.Variant("Server-HA")
	rel := func(p string) string { r, _ := filepath.Rel(c.Topdir, p); return r }
	cases := []struct{ got, want string }{
		{rel(c.Paths.Compose.OSTree("x86_64", server)), "compose/Server/x86_64/os"},
		{rel(c.Paths.Compose.OSTree("src", server)), "compose/Server/source/tree"},
		{rel(c.Paths.Compose.Packages("x86_64", server)), "compose/Server/x86_64/os/Packages"},
		{rel(c.Paths.Compose.Packages("src", server)), "compose/Server/source/tree/Packages"},
		{rel(c.Paths.Compose.Packages("x86_64", ha)), "compose/Server/x86_64/os/addons/HA"},
		{rel(c.Paths.Compose.Repository("x86_64", ha)), "compose/Server/x86_64/os/addons/HA"},
		{rel(c.Paths.Compose.Repository("x86_64", opt)), "compose/Server-optional/x86_64/os"},
		{rel(c.Paths.Compose.DebugPackages("x86_64", server)), "compose/Server/x86_64/debug/tree/Packages"},
		{rel(c.Paths.Compose.DebugRepository("x86_64", ha)), "compose/Server/x86_64/debug/tree/addons/HA"},
		{rel(c.Paths.Compose.ISODir("x86_64", server, false)), "compose/Server/x86_64/iso"},
		{c.Paths.Compose.ISODir("x86_64", opt, false), ""},
		{c.Paths.Compose.ISODir("x86_64", ha, true), ""},
		{rel(c.Paths.Compose.ImageDir("x86_64", server)), "compose/Server/x86_64/images"},
		{rel(c.Paths.Compose.Metadata("rpms.json")), "compose/metadata/rpms.json"},
		{rel(c.Paths.Work.Comps("x86_64", server)), "work/x86_64/comps/comps-Server.x86_64.xml"},
		{rel(c.Paths.Work.Comps("", nil)), "work/global/comps/comps-global.xml"},
		{rel(c.Paths.Work.PackageList("x86_64", server, "rpm")), "work/x86_64/package_list/Server.x86_64.rpm.conf"},
		{rel(c.Paths.Work.TmpDir("x86_64", server)), "work/x86_64/tmp-Server"},
		{rel(c.Paths.Log.LogFile("", "pungi.log")), "logs/global/pungi.global.log"},
		{rel(c.Paths.Log.LogFile("x86_64", "buildinstall-Server")), "logs/x86_64/buildinstall-Server.x86_64.log"},
	}
	for i, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("%d: got %q want %q", i, tc.got, tc.want)
		}
	}
	if got := c.GetVariants([]string{"addon"}, ""); len(got) != 1 || got[0] != ha {
		t.Errorf("GetVariants(addon) = %v", got)
	}
}

func TestCheckSkipPhases(t *testing.T) {
	cases := []struct {
		skip, just []string
		ok         bool
	}{
		{nil, nil, true},
		{[]string{"buildinstall"}, nil, true},
		{[]string{"pkgset"}, nil, false},
		{[]string{"pkgset", "gather"}, nil, false},
		{[]string{"pkgset", "gather", "createrepo"}, nil, true},
		{[]string{"gather"}, nil, false},
		{[]string{"bogus"}, nil, false},
		// Pungi's just-phase rule: gather cannot run without pkgset.
		{nil, []string{"gather"}, false},
		{nil, []string{"pkgset", "gather"}, true},
		{nil, []string{"createrepo"}, false},
		{[]string{"productimg"}, nil, true},
		// Every phase Pungi knows is accepted, implemented or not.
		{[]string{"weaver", "imagebuilder", "live_images"}, []string{"weaver"}, true},
	}
	for _, tc := range cases {
		if err := CheckSkipPhases(tc.skip, tc.just); (err == nil) != tc.ok {
			t.Errorf("skip %v just %v: err %v", tc.skip, tc.just, err)
		}
	}
}

func TestStatusAndDeliverables(t *testing.T) {
	conf := baseConf()
	conf["failable_deliverables"] = []any{[]any{"^Server$", map[string]any{"*": []any{"iso"}}}}
	c := newTestCompose(t, conf)
	server := c.Variant("Server")
	if err := c.WriteStatus(StatusStarted); err != nil {
		t.Fatal(err)
	}
	if c.Status() != StatusStarted {
		t.Fatalf("status %q", c.Status())
	}
	if err := c.Failable(server, "x86_64", "iso", "", func() error { return errors.New("boom") }); err != nil {
		t.Fatalf("failable deliverable returned %v", err)
	}
	if err := c.Failable(server, "x86_64", "buildinstall", "", func() error { return errors.New("hard") }); err == nil {
		t.Fatal("required deliverable failure swallowed")
	}
	if err := c.Failable(server, "src", "iso", "", func() error { return errors.New("src") }); err == nil {
		t.Fatal("'*' must not match src")
	}
	c.WriteStatus(StatusFinished)
	if c.Status() != StatusFinishedIncomplete {
		t.Fatalf("status %q, want FINISHED_INCOMPLETE", c.Status())
	}
	var d map[string]map[string][][]any
	raw, err := os.ReadFile(filepath.Join(c.Topdir, "logs/global/deliverables.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	if f := d["failed"]["iso"]; len(f) != 1 || f[0][0] != "Server" || f[0][1] != "x86_64" || f[0][2] != nil {
		t.Errorf("failed = %v", d["failed"])
	}
	if len(d["attempted"]["iso"]) != 2 || len(d["required"]["buildinstall"]) != 1 {
		t.Errorf("deliverables = %s", raw)
	}
	// FINISHED_INCOMPLETE may still change; a FINISHED compose may not.
	c2 := newTestCompose(t, baseConf())
	c2.WriteStatus(StatusFinished)
	if err := c2.WriteStatus(StatusDoomed); err == nil || c2.Status() != StatusFinished {
		t.Errorf("FINISHED compose changed: %v %s", err, c2.Status())
	}
}

type fakePhase struct {
	name    string
	skip    bool
	err     error
	running *atomic.Int32
	peak    *atomic.Int32
	block   bool
	ran     bool
}

func (f *fakePhase) Name() string       { return f.name }
func (f *fakePhase) Skip(*Compose) bool { return f.skip }
func (f *fakePhase) Run(ctx context.Context, c *Compose) error {
	f.ran = true
	if f.running != nil {
		n := f.running.Add(1)
		for {
			p := f.peak.Load()
			if n <= p || f.peak.CompareAndSwap(p, n) {
				break
			}
		}
		defer f.running.Add(-1)
	}
	if f.block {
		<-ctx.Done()
		return ctx.Err()
	}
	return f.err
}

func TestRunnerScheduleSkipAndFailure(t *testing.T) {
	c := newTestCompose(t, baseConf())
	var running, peak atomic.Int32
	bi := &fakePhase{name: "buildinstall", running: &running, peak: &peak, block: true}
	gather := &fakePhase{name: "gather", running: &running, peak: &peak, err: errors.New("no package foo")}
	phases := map[string]Phase{
		"init":         &fakePhase{name: "init"},
		"pkgset":       &fakePhase{name: "pkgset", skip: false},
		"buildinstall": bi,
		"gather":       gather,
		"createrepo":   &fakePhase{name: "createrepo"},
		"test":         &fakePhase{name: "test"},
	}
	c.SkipPhases = []string{"init"} // init never skips
	r := NewRunner(c, phases)
	err := r.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "gather phase: no package foo") {
		t.Fatalf("err = %v", err)
	}
	if !phases["init"].(*fakePhase).ran || phases["createrepo"].(*fakePhase).ran || phases["test"].(*fakePhase).ran {
		t.Error("wrong phases ran")
	}
	if !bi.ran {
		t.Error("buildinstall did not run alongside gather")
	}
	if c.PhaseSkipped("gather") || !c.PhaseSkipped("live_images") {
		t.Error("PhaseSkipped does not know the run's phases")
	}

	c2 := newTestCompose(t, baseConf())
	c2.JustPhases = []string{"gather", "createrepo"}
	ph := map[string]Phase{"init": &fakePhase{name: "init"}, "pkgset": &fakePhase{name: "pkgset"},
		"gather": &fakePhase{name: "gather"}, "createrepo": &fakePhase{name: "createrepo"}, "test": &fakePhase{name: "test"}}
	if err := NewRunner(c2, ph).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]bool{"init": true, "pkgset": false, "gather": true, "createrepo": true, "test": false} {
		if ph[n].(*fakePhase).ran != want {
			t.Errorf("%s ran=%v want %v", n, !want, want)
		}
	}
	log, _ := os.ReadFile(c2.Paths.Log.LogFile("", "pungi"))
	for _, want := range []string{"[SKIP ] ---------- PHASE: PKGSET ----------", "[BEGIN] ---------- PHASE: GATHER ----------", "[DONE ] ---------- PHASE: CREATEREPO ----------"} {
		if !strings.Contains(string(log), want) {
			t.Errorf("log lacks %q", want)
		}
	}
}

func TestRunTasksCancelsOnFailure(t *testing.T) {
	c := newTestCompose(t, baseConf())
	var done atomic.Int32
	var bCancelled atomic.Bool
	bStarted := make(chan struct{})
	tasks := []Task{
		// a fails once b runs, so the two run at the same time on the
		// two workers.
		{"a", func(ctx context.Context) error { <-bStarted; return errors.New("broken") }},
		// b ends only when cancelled (or, when the failure cancels
		// nothing, after 10 s, so the test fails instead of hanging).
		{"b", func(ctx context.Context) error {
			close(bStarted)
			select {
			case <-ctx.Done():
				bCancelled.Store(true)
				return ctx.Err()
			case <-time.After(10 * time.Second):
				return errors.New("not cancelled")
			}
		}},
	}
	for i := 0; i < 10; i++ {
		tasks = append(tasks, Task{"x", func(ctx context.Context) error { done.Add(1); return nil }})
	}
	err := c.RunTasks(context.Background(), "gather", tasks, 2)
	if err == nil || err.Error() != "a: broken" {
		t.Fatalf("err = %v", err)
	}
	// The failure cancels what had not started: by the time either worker
	// is free again ("a" failed, "b" saw the cancellation) the context is
	// done, so none of the ten queued tasks runs.
	if n := done.Load(); n != 0 {
		t.Errorf("%d queued tasks ran after the failure", n)
	}
	if !bCancelled.Load() {
		t.Error("the running task b was not cancelled by a's failure")
	}
}

func TestNotifications(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "messages")
	script := filepath.Join(dir, "notify.sh")
	os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"$1\"; cat; echo; } >> "+out+"\n"), 0o755)
	broken := filepath.Join(dir, "broken.sh")
	os.WriteFile(broken, []byte("#!/bin/sh\nexit 3\n"), 0o755)
	c := newTestCompose(t, baseConf())
	n := NewNotifier([]string{broken, script})
	n.Attach(c)
	c.Notifier = n
	if err := c.WriteStatus(StatusStarted); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(raw), "\n", 2)
	if lines[0] != "status-change" {
		t.Fatalf("message %q", lines[0])
	}
	var f map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &f); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"status": "STARTED", "compose_id": c.ID(), "compose_type": "test", "compose_date": "20240102",
		"compose_respin": 0.0, "compose_label": nil, "release_short": "DEMO", "release_version": "1.0",
		"release_type": "ga", "release_is_layered": false, "compose_path": c.Topdir,
		"location": filepath.Join(c.Topdir, "compose"), "release_name": "Demo"}
	for k, v := range want {
		if f[k] != v {
			t.Errorf("%s = %v want %v", k, f[k], v)
		}
	}
	log, _ := os.ReadFile(c.Paths.Log.LogFile("", "pungi"))
	if !strings.Contains(string(log), "Failed to invoke notification script "+broken) {
		t.Errorf("broken script not warned about:\n%s", log)
	}
}

func TestForVariantArch(t *testing.T) {
	raw := []any{
		[]any{"^Server$", map[string]any{"*": []any{"a"}, "src": "s"}},
		[]any{"^Serv", map[string]any{"x86_64": "b"}},
		[]any{"Client", map[string]any{"*": "c"}},
	}
	if got := AsStrings(ForVariantArchOf(raw, "Server", "x86_64")); strings.Join(got, ",") != "a,b" {
		t.Errorf("x86_64: %v", got)
	}
	if got := AsStrings(ForVariantArchOf(raw, "Server", "src")); strings.Join(got, ",") != "s" {
		t.Errorf("src: %v", got)
	}
	if got := ForVariantArchOf(raw, "Server-optional", "x86_64"); len(got) != 1 {
		t.Errorf("optional: %v", got)
	}
	// Patterns are Python's re.match: look-aheads work (Go's regexp
	// refuses them).
	py := []any{
		[]any{"^(?!Server$)", map[string]any{"*": "not-server"}},
		[]any{"Work(?=station)", map[string]any{"*": "ws"}},
	}
	for _, tc := range []struct{ uid, want string }{
		{"Server", ""}, {"Server-optional", "not-server"}, {"Workstation", "not-server,ws"}, {"Workshop", "not-server"},
	} {
		if got := strings.Join(AsStrings(ForVariantArchOf(py, tc.uid, "x86_64")), ","); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.uid, got, tc.want)
		}
	}
}

type syncBuf struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestProgressDisplay(t *testing.T) {
	var live, plain syncBuf
	p := NewProgress(&live, true)
	l, _ := NewLogger("", &live)
	l.display = p
	p.PhaseStart("gather")
	p.AddTasks("gather", 3)
	p.TaskStart("gather", "Server.x86_64")
	l.Infof("hello")
	p.TaskDone("gather", "Server.x86_64")
	p.Close()
	out := live.String()
	for _, want := range []string{"\r\033[K", "gather 0/3 [Server.x86_64]", "gather 1/3", "[INFO    ] hello\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("live output lacks %q:\n%q", want, out)
		}
	}
	q := NewProgress(&plain, false)
	l2, _ := NewLogger("", &plain)
	q.PhaseStart("gather")
	q.TaskStart("gather", "x")
	l2.Infof("plain")
	q.Close()
	if s := plain.String(); strings.Contains(s, "\r") || !strings.HasSuffix(s, "[INFO    ] plain\n") {
		t.Errorf("plain output %q", s)
	}
}

// The typed records are written exactly as Pungi's deliverables.json:
// [variant, arch, subvariant-or-null] under required/failed/attempted.
func TestDeliverablesJSON(t *testing.T) {
	var d Deliverables
	d.Attempt("image-build", Deliverable{VariantUID: "Server", Arch: "x86_64", Subvariant: "KDE"})
	d.Require("image-build", Deliverable{VariantUID: "Server", Arch: "x86_64", Subvariant: "KDE"})
	d.Fail("iso", Deliverable{Arch: "src"})
	got, err := json.Marshal(d.Document())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"attempted":{"image-build":[["Server","x86_64","KDE"]]},"failed":{"iso":[["","src",null]]},"required":{"image-build":[["Server","x86_64","KDE"]]}}`
	if string(got) != want || d.FailedCount() != 1 {
		t.Errorf("got %s (%d failed)\nwant %s", got, d.FailedCount(), want)
	}
	var empty Deliverables
	if got, _ := json.Marshal(empty.Document()); string(got) != `{"attempted":{},"failed":{},"required":{}}` {
		t.Errorf("empty: %s", got)
	}
}
