package compose

import (
	"context"
	"errors"
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Phase is one step of a compose. Skip reports phase-specific reasons to
// skip (nothing configured for it, …); the --skip-phase, --just-phase and
// skip_phases rules are applied by the runner before Skip is asked. Run
// does the work; it must return promptly once ctx is cancelled and must
// leave no half-written output (write to temporary paths and rename).
type Phase interface {
	Name() string
	Skip(c *Compose) bool
	Run(ctx context.Context, c *Compose) error
}

// Internal steps run between phases; they cannot be skipped and send no
// phase notifications. A package registers their implementation like a
// phase.
const (
	// StepTreeMetadata writes .treeinfo, .discinfo and media.repo of every
	// tree, after the package trees are done and before ISOs are made.
	StepTreeMetadata = "write_tree_metadata"
	// StepComposeMetadata writes metadata/composeinfo.json (and the image
	// manifest) before the test phase.
	StepComposeMetadata = "write_compose_metadata"
)

// Step is a node of the run schedule: a phase name, or a sequence or
// parallel group of steps.
type Step interface{ isStep() }

// PhaseStep names a registered phase (or internal step).
type PhaseStep string

// Seq runs its steps one after the other.
type Seq []Step

// Par runs its steps at the same time; the first failure cancels the
// others.
type Par []Step

func (PhaseStep) isStep() {}
func (Seq) isStep()       {}
func (Par) isStep()       {}

// Schedule is Pungi's phase order: init, pkgset, then the "essentials"
// in parallel (buildinstall ‖ gather→createrepo ‖ extra_files ‖
// ostree→ostree_installer ‖ ostree_container), the tree metadata, then
// images (createiso ‖ extra_isos ‖ live_images ‖ image_build ‖ live_media ‖
// osbuild ‖ kiwibuild ‖ imagebuilder, followed by image_checksum ‖ image_container) in
// parallel with osbs and repoclosure, the compose metadata, and test.
var Schedule = Seq{
	PhaseStep("init"),
	PhaseStep("pkgset"),
	Par{
		PhaseStep("buildinstall"),
		Seq{PhaseStep("gather"), PhaseStep("createrepo")},
		PhaseStep("extra_files"),
		Seq{PhaseStep("ostree"), PhaseStep("ostree_installer")},
		PhaseStep("ostree_container"),
	},
	PhaseStep(StepTreeMetadata),
	Par{
		Seq{
			Par{PhaseStep("createiso"), PhaseStep("extra_isos"), PhaseStep("live_images"),
				PhaseStep("image_build"), PhaseStep("live_media"), PhaseStep("osbuild"), PhaseStep("kiwibuild"),
				PhaseStep("imagebuilder")},
			Par{PhaseStep("image_checksum"), PhaseStep("image_container")},
		},
		PhaseStep("osbs"),
		PhaseStep("repoclosure"),
	},
	PhaseStep(StepComposeMetadata),
	PhaseStep("test"),
}

// CheckSkipPhases applies the phase rules of pungi-koji to --skip-phase
// (plus skip_phases) and --just-phase: every name is a phase Pungi knows,
// and config.CheckSkipPhases' needed-by rule holds.
func CheckSkipPhases(skip, just []string) error {
	errs := config.CheckPhaseNames(append(slices.Clone(skip), just...))
	errs = append(errs, config.CheckSkipPhases(skip, just)...)
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}

// SkippedByOptions reports whether the --skip-phase/--just-phase/
// skip_phases rules skip a phase. init is never skipped.
func (c *Compose) SkippedByOptions(name string) bool {
	if name == "init" || name == StepTreeMetadata || name == StepComposeMetadata {
		return false
	}
	if slices.Contains(c.SkipPhases, name) {
		return true
	}
	return len(c.JustPhases) > 0 && !slices.Contains(c.JustPhases, name)
}

// Runner executes the schedule over a set of phase instances.
type Runner struct {
	C        *Compose
	Phases   map[string]Phase
	Schedule Step

	mu      sync.Mutex
	skipped map[string]bool
	timing  []PhaseTime
}

// PhaseTime is how long a phase ran: wall time, and the CPU time the
// whole process spent meanwhile (phases running in parallel share it).
type PhaseTime struct {
	Name     string
	Start    time.Time // wall clock, for the compose report's timeline
	Duration time.Duration
	CPU      time.Duration
}

// cpuTime is the user+system time the process has used so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// NewRunner prepares a run of phases (phases/pipeline builds them) over c
// with Pungi's schedule, and tells c which phases the run has
// (c.PhaseSkipped).
func NewRunner(c *Compose, phases map[string]Phase) *Runner {
	c.mu.Lock()
	c.phases = phases
	c.mu.Unlock()
	return &Runner{C: c, Phases: phases, Schedule: Schedule, skipped: map[string]bool{}}
}

// PhaseSkipped reports whether a phase does not run in this compose
// (not in the run, skipped by options, or by its own Skip).
func (c *Compose) PhaseSkipped(name string) bool {
	c.mu.Lock()
	p := c.phases[name]
	c.mu.Unlock()
	return p == nil || c.SkippedByOptions(name) || p.Skip(c)
}

// Run executes the schedule. It returns the first failure (with the
// phase's name); parallel siblings of a failed phase are cancelled.
func (r *Runner) Run(ctx context.Context) error {
	return r.step(ctx, r.Schedule)
}

// Timings returns the duration of every phase that ran, in start order.
func (r *Runner) Timings() []PhaseTime {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]PhaseTime(nil), r.timing...)
}

func (r *Runner) step(ctx context.Context, s Step) error {
	switch s := s.(type) {
	case PhaseStep:
		return r.runPhase(ctx, string(s))
	case Seq:
		for _, sub := range s {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := r.step(ctx, sub); err != nil {
				return err
			}
		}
		return nil
	case Par:
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		errs := make([]error, len(s))
		var wg sync.WaitGroup
		for i, sub := range s {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.step(ctx, sub); err != nil {
					errs[i] = err
					cancel()
				}
			}()
		}
		wg.Wait()
		// Report the real failure, not the cancellations it caused.
		var first error
		for _, err := range errs {
			if err != nil && !errors.Is(err, context.Canceled) {
				return err
			}
			if first == nil {
				first = err
			}
		}
		return first
	}
	return fmt.Errorf("compose: unknown schedule step %T", s)
}

func (r *Runner) runPhase(ctx context.Context, name string) error {
	c := r.C
	p := r.Phases[name]
	if p == nil {
		return nil
	}
	internal := name == StepTreeMetadata || name == StepComposeMetadata
	msg := "---------- PHASE: " + strings.ToUpper(name) + " ----------"
	if !internal && (c.SkippedByOptions(name) || p.Skip(c)) {
		r.mu.Lock()
		r.skipped[name] = true
		r.mu.Unlock()
		c.Log.Warningf("[SKIP ] %s", msg)
		return nil
	}
	start, cpu0 := time.Now(), cpuTime()
	if !internal {
		c.Log.Infof("[BEGIN] %s", msg)
		c.Notifier.Send("phase-start", map[string]any{"phase_name": name})
		c.Progress.PhaseStart(name)
	}
	err := runRecovered(ctx, c, p, name)
	if err == nil {
		err = ctx.Err()
	}
	d := time.Since(start)
	r.mu.Lock()
	r.timing = append(r.timing, PhaseTime{Name: name, Start: start, Duration: d, CPU: cpuTime() - cpu0})
	r.mu.Unlock()
	if internal {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		return nil
	}
	c.Progress.PhaseStop(name)
	if err != nil {
		c.Log.Errorf("[FAIL ] %s %v", msg, err)
		return fmt.Errorf("%s phase: %w", name, err)
	}
	c.Log.Infof("[DONE ] %s", msg)
	c.Log.Infof("PHASE %s took %d seconds", strings.ToUpper(name), int(d.Seconds()))
	c.Notifier.Send("phase-stop", map[string]any{"phase_name": name})
	return nil
}

// runRecovered runs a phase, turning its panic into an error.
func runRecovered(ctx context.Context, c *Compose, p Phase, name string) (err error) {
	defer c.RecoverPanic(name+" phase", &err)
	return c.traceWorkerPanic(name+" phase", p.Run(ctx, c))
}
