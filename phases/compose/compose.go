package compose

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/pungo/pungo/internal/atomicfile"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/imagemanifest"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/productmd"
)

// Compose is one compose run: its configuration, identity, variants,
// directory layout, log, status, notifier and the bookkeeping phases share
// (failable deliverables, Koji tasks, the Koji client, the image manifest).
type Compose struct {
	Conf       *config.Config
	ConfigPath string // the main config file ("" when built in memory)
	Topdir     string // absolute compose directory
	Info       *Info  // identity (composeinfo-base.json)
	Supported  bool
	Paths      *Paths
	StatusFile StatusFile // STATUS
	KojiTasks  KojiTaskRecords
	Log        *Logger
	Notifier   *Notifier
	Progress   *Progress

	// Variants are the top-level variants (children hang below them).
	Variants []*Variant

	SkipPhases  []string // --skip-phase plus config skip_phases
	JustPhases  []string // --just-phase
	OldComposes []string // --old-composes directories
	KojiEvent   int64    // --koji-event (0: none)

	// Images is the run's image manifest (images.json), filled by the
	// image-producing phases through images.Of.
	Images imagemanifest.Manifest

	// Koji is the run's Koji client, logged in on first use
	// (runroot.Client) and shared by the phases that talk to Koji.
	Koji koji.Session

	mu           sync.Mutex
	deliverables Deliverables
	phases       map[string]Phase // the run's phases (NewRunner)
	terminators  []func()
}

// Options are the run parameters of a new compose.
type Options struct {
	Type        string // production (default), nightly, test, ci, development
	Label       string
	Date        string // YYYYMMDD, "" for today
	Respin      int
	Supported   bool
	SkipPhases  []string
	JustPhases  []string
	OldComposes []string
	KojiEvent   int64
	ConfigPath  string
}

// CreateDir makes a new compose directory under targetDir, as Pungi's
// get_compose_dir: the respin grows until the directory name is unused;
// COMPOSE_ID and work/global/composeinfo-base.json are written. It returns
// the directory.
func CreateDir(targetDir string, conf *config.Config, opts Options) (string, *Info, error) {
	typ := opts.Type
	if typ == "" {
		typ = "production"
	}
	for respin := opts.Respin; ; respin++ {
		ci, err := NewInfo(conf, typ, opts.Date, respin, opts.Label)
		if err != nil {
			return "", nil, err
		}
		dir := filepath.Join(targetDir, ci.Compose.ID)
		err = os.Mkdir(dir, 0o755)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return "", nil, err
		}
		if err := WriteInfo(dir, ci); err != nil {
			return "", nil, err
		}
		return dir, ci, nil
	}
}

// WriteInfo writes COMPOSE_ID and work/global/composeinfo-base.json into a
// compose directory (Pungi's write_compose_info).
func WriteInfo(dir string, ci *Info) error {
	if err := os.MkdirAll(filepath.Join(dir, "work", "global"), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, "COMPOSE_ID"), []byte(ci.Compose.ID), 0o644); err != nil {
		return err
	}
	return productmd.WriteJSON(filepath.Join(dir, "work", "global", "composeinfo-base.json"), ci)
}

// New opens the compose in dir, whose composeinfo-base.json must exist
// (CreateDir or WriteInfo made it). The log goes to
// logs/global/pungi.global.log and, when console is not nil, to console
// (through progress when that display is live). notifier may be nil.
func New(conf *config.Config, dir string, opts Options, console io.Writer, progress *Progress, notifier *Notifier) (*Compose, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	paths := NewPaths(abs)
	ci, err := productmd.ReadComposeInfo(paths.Work.ComposeInfoBase())
	if err != nil {
		return nil, fmt.Errorf("not a compose directory: %w", err)
	}
	logger, err := NewLogger(paths.Log.LogFile("", "pungi"), console)
	if err != nil {
		return nil, err
	}
	if progress != nil && progress.live {
		logger.display = progress
	}
	c := &Compose{
		Conf: conf, ConfigPath: opts.ConfigPath, Topdir: abs, Info: ci, Paths: paths, Log: logger,
		StatusFile: NewStatusFile(abs), KojiTasks: KojiTaskRecords{Dir: paths.Log.KojiTasksDir()},
		Notifier: notifier, Progress: progress, Supported: opts.Supported,
		SkipPhases: append(append([]string(nil), opts.SkipPhases...), StringsOpt(conf, "skip_phases")...),
		JustPhases: opts.JustPhases, OldComposes: opts.OldComposes, KojiEvent: opts.KojiEvent,
	}
	if c.KojiEvent == 0 {
		c.KojiEvent = int64(conf.Int("koji_event"))
	}
	if l := ci.Compose.Label; l != "" && slices.Contains(SupportedMilestones, strings.SplitN(l, "-", 2)[0]) {
		c.Log.Infof("Automatically setting 'supported' flag due to label: %s.", l)
		c.Supported = true
	}
	if notifier != nil {
		notifier.Attach(c)
	}
	return c, nil
}

// ID is the compose ID.
func (c *Compose) ID() string { return c.Info.Compose.ID }

func (c *Compose) logDeliverables() error {
	for kind, list := range c.deliverables.Failed() {
		for _, d := range list {
			// Logged as before the record was typed: a missing subvariant
			// reads <nil>.
			var sv any
			if d.Subvariant != "" {
				sv = d.Subvariant
			}
			c.Log.Infof("Failed %s on variant <%v>, arch <%v>, subvariant <%v>.", kind, d.VariantUID, d.Arch, sv)
		}
	}
	return productmd.WriteJSON(filepath.Join(c.Paths.Log.Topdir(""), "deliverables.json"), c.deliverables.Document())
}

func deliverable(v *Variant, arch, subvariant string) Deliverable {
	d := Deliverable{Arch: arch, Subvariant: subvariant}
	if v != nil {
		d.VariantUID = v.UID
	}
	return d
}

// CanFail reports whether a deliverable kind (e.g. "iso", "buildinstall")
// may fail on the variant (nil for none) and arch: failable_deliverables.
func (c *Compose) CanFail(v *Variant, arch, kind string) bool {
	uid := ""
	if v != nil {
		uid = v.UID
	}
	for _, k := range AsStrings(c.Conf.ForVariantArch("failable_deliverables", uid, arch)) {
		if k == kind {
			return true
		}
	}
	return false
}

// AttemptDeliverable records that a deliverable was attempted.
func (c *Compose) AttemptDeliverable(v *Variant, arch, kind, subvariant string) {
	c.deliverables.Attempt(kind, deliverable(v, arch, subvariant))
}

// RequireDeliverable records that a deliverable must not fail.
func (c *Compose) RequireDeliverable(v *Variant, arch, kind, subvariant string) {
	c.deliverables.Require(kind, deliverable(v, arch, subvariant))
}

// FailDeliverable records that a failable deliverable failed.
func (c *Compose) FailDeliverable(v *Variant, arch, kind, subvariant string) {
	c.deliverables.Fail(kind, deliverable(v, arch, subvariant))
}

// FailedDeliverables returns how many failable deliverables failed.
func (c *Compose) FailedDeliverables() int { return c.deliverables.FailedCount() }

// Deliverables returns the compose's deliverable records.
func (c *Compose) Deliverables() *Deliverables { return &c.deliverables }

// Failable runs fn as Pungi's failable() context: the deliverable is
// recorded as attempted (and required when it cannot fail); when fn fails
// and the deliverable is failable the error is logged, recorded, and nil
// returned, so the compose goes on and ends FINISHED_INCOMPLETE.
func (c *Compose) Failable(v *Variant, arch, kind, subvariant string, fn func() error) error {
	canFail := c.CanFail(v, arch, kind)
	c.AttemptDeliverable(v, arch, kind, subvariant)
	if !canFail {
		c.RequireDeliverable(v, arch, kind, subvariant)
		return fn()
	}
	err := fn()
	if err == nil {
		return nil
	}
	uid := ""
	if v != nil {
		uid = v.UID
	}
	c.FailDeliverable(v, arch, kind, subvariant)
	c.Log.Errorf("[FAIL] %s (variant %s, arch %s, subvariant %s) failed, but going on anyway.", kind, uid, arch, subvariant)
	c.Log.Errorf("%v", err)
	return nil
}

// OnTerminate registers fn to run when the compose is terminated by a
// signal (before STATUS becomes TERMINATED), e.g. to cancel Koji tasks.
func (c *Compose) OnTerminate(fn func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.terminators = append(c.terminators, fn)
}

// Terminate runs the OnTerminate hooks and writes STATUS TERMINATED.
func (c *Compose) Terminate(reason string) {
	c.mu.Lock()
	hooks := append([]func(){}, c.terminators...)
	c.mu.Unlock()
	for _, h := range hooks {
		h()
	}
	c.Log.Errorf("Compose run failed: %s", reason)
	c.Log.Criticalf("Compose failed: %s", c.Topdir)
	c.WriteStatus(StatusTerminated)
}

// DumpConfig writes logs/global/config-dump.global.log, the resolved
// configuration as JSON with sorted keys.
func (c *Compose) DumpConfig(raw map[string]any) error {
	data, err := json.MarshalIndent(raw, "", "    ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(c.Paths.Log.LogFile("", "config-dump"), data, 0o644)
}
