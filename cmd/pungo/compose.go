package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"os/user"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/config"
	"github.com/pungo/pungo/phases/cts"
	"github.com/pungo/pungo/phases/initphase"
	"github.com/pungo/pungo/phases/pipeline"
	"github.com/pungo/pungo/phases/report"
)

func init() {
	register(&command{name: "compose", summary: "run a Pungi compose (pungi-koji compatible)", run: runCompose})
}

func runCompose(args []string) int {
	batchGC()
	fs := flag.NewFlagSet("compose", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: pungo compose --config FILE (--target-dir DIR | --compose-dir DIR) [options]\n\n"+
			"Runs a compose as pungi-koji does: init, pkgset, gather, createrepo, extra files,\n"+
			"metadata, images and tests, with Pungi's options and directory layout.\n"+
			"Phases: %s.\n\n", strings.Join(config.PhaseNames, ", "))
		fs.PrintDefaults()
	}
	var (
		targetDir, composeDir, label, cfgPath, kojiEvent, respinOf string
		noLabel, supported, noLatest, printDir, quiet, showVersion bool
		latestComponents                                           int
		skip, just, old, scripts, latestStatus, parents            stringList
		composeType                                                string
	)
	fs.StringVar(&targetDir, "target-dir", "", "a compose is created under this directory")
	fs.StringVar(&composeDir, "compose-dir", "", "compose directory to generate the compose in (reused if it exists)")
	fs.StringVar(&label, "label", "", "compose label (e.g. Snapshot-1.0); required for production composes")
	fs.BoolVar(&noLabel, "no-label", false, "make a production compose without label")
	fs.BoolVar(&supported, "supported", false, "set supported flag on media (automatic for RC-x.y labels)")
	fs.Var(&old, "old-composes", "directory with old composes to reuse results from (repeatable)")
	fs.StringVar(&cfgPath, "config", "", "config file (required)")
	fs.Var(&skip, "skip-phase", "skip a compose phase (repeatable)")
	fs.Var(&just, "just-phase", "run only the given phase (repeatable)")
	for _, t := range []string{"nightly", "test", "ci", "production", "development"} {
		fs.BoolFunc(t, "make a "+t+" compose", func(string) error { composeType = t; return nil })
	}
	fs.StringVar(&kojiEvent, "koji-event", "", "koji event for the package set: an event ID or a compose to take the event from")
	fs.BoolVar(&showVersion, "version", false, "print the version and exit")
	fs.Var(&scripts, "notification-script", "program sent progress notification messages (repeatable)")
	fs.BoolVar(&noLatest, "no-latest-link", false, "do not create the latest-… symlink")
	fs.Var(&latestStatus, "latest-link-status", "create the latest link only for this compose status (repeatable)")
	fs.IntVar(&latestComponents, "latest-link-components", -1, "number of version components in the latest link name")
	fs.Var(&parents, "parent-compose-id", "compose IDs marked as parents of this compose (repeatable)")
	fs.StringVar(&respinOf, "respin-of", "", "compose ID this compose respins")
	fs.BoolVar(&printDir, "print-output-dir", false, "print the compose directory")
	fs.BoolVar(&quiet, "quiet", false, "do not print the log on the terminal")
	var cacheDir string
	fs.StringVar(&cacheDir, "cachedir", "", "keep binary images of the loaded repository metadata in `DIR` (default: work/global/pungi-cache of the compose); a repository whose repomd.xml is unchanged loads from them")
	if err := parseFlags(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if showVersion {
		fmt.Println("pungo", version)
		return 0
	}
	if fs.NArg() > 0 {
		return fail("compose", fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	notifier := compose.NewNotifier(scripts)
	abort := func(msg string, extra map[string]any) int {
		fields := map[string]any{"workdir": targetDir, "command": os.Args, "target_dir": targetDir, "config": cfgPath, "detail": msg}
		for k, v := range extra {
			fields[k] = v
		}
		notifier.Send("fail-to-start", fields)
		return fail("compose", errors.New(msg))
	}
	if cfgPath == "" {
		return abort("--config is required", nil)
	}
	switch {
	case targetDir != "" && composeDir != "":
		return abort("--target-dir and --compose-dir are mutually exclusive", nil)
	case targetDir == "" && composeDir == "":
		return abort("one of --target-dir or --compose-dir is required", nil)
	case targetDir != "":
		targetDir, _ = filepath.Abs(targetDir)
		if st, err := os.Stat(targetDir); err != nil || !st.IsDir() {
			return abort("The target directory does not exist or is not a directory: "+targetDir, nil)
		}
	default:
		composeDir, _ = filepath.Abs(composeDir)
		if st, err := os.Stat(composeDir); err == nil && !st.IsDir() {
			return abort("The compose directory is not a directory: "+composeDir, nil)
		}
	}
	if label != "" && noLabel {
		return abort("--label and --no-label are mutually exclusive", nil)
	}
	if err := compose.VerifyLabel(label); err != nil {
		return abort(err.Error(), nil)
	}
	cfgPath, _ = filepath.Abs(cfgPath)
	loaded, err := config.Load(cfgPath, nil)
	if err != nil {
		return abort(err.Error(), nil)
	}
	conf := loaded.WithDefaults()
	errs, warns := config.Validate(conf)
	if !quiet {
		for _, w := range warns {
			fmt.Fprintln(os.Stderr, "WARNING:", w.String())
		}
	}
	if len(errs) > 0 {
		var lines []string
		for _, e := range errs {
			fmt.Fprintln(os.Stderr, e.String())
			lines = append(lines, e.String())
		}
		return abort("Config validation failed", map[string]any{"errors": lines})
	}
	if composeType == "" {
		composeType, _ = compose.StringOpt(conf, "compose_type")
		if composeType == "" {
			composeType = "production"
		}
	}
	if composeType == "production" && label == "" && !noLabel {
		return abort("must specify label for a production compose", nil)
	}
	if _, ok := conf.Get("pkgset_koji_scratch_tasks"); ok && composeType != "test" {
		return abort(`pkgset_koji_scratch_tasks can be used only for "test" compose type`, nil)
	}
	allSkip := append(append([]string{}, skip...), compose.StringsOpt(conf, "skip_phases")...)
	if !quiet && (slices.Contains(allSkip, "productimg") || slices.Contains(just, "productimg")) {
		fmt.Fprintln(os.Stderr, "WARNING: productimg phase has been removed, please remove it from --skip-phase or --just-phase option")
	}
	if err := compose.CheckSkipPhases(allSkip, just); err != nil {
		return abort(err.Error(), nil)
	}
	event, err := parseKojiEvent(kojiEvent)
	if err != nil {
		return abort(err.Error(), nil)
	}
	opts := compose.Options{Type: composeType, Label: label, Supported: supported, SkipPhases: skip,
		JustPhases: just, OldComposes: old, KojiEvent: event, ConfigPath: cfgPath}
	dir := composeDir
	ctsClient, err := cts.FromConfig(conf)
	if err != nil {
		return abort(err.Error(), nil)
	}
	if targetDir != "" {
		if ctsClient != nil {
			// The compose ID and respin come from CTS (Pungi's
			// get_compose_dir with cts_url).
			dir, _, err = ctsClient.CreateDir(context.Background(), targetDir, conf, opts, parents, respinOf)
		} else {
			dir, _, err = compose.CreateDir(targetDir, conf, opts)
		}
		if err != nil {
			return abort(err.Error(), nil)
		}
	} else if _, err := os.Stat(filepath.Join(dir, "work", "global", "composeinfo-base.json")); err != nil {
		ci, err := compose.NewInfo(conf, composeType, "", 0, label)
		if err != nil {
			return abort(err.Error(), nil)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return abort(err.Error(), nil)
		}
		if err := compose.WriteInfo(dir, ci); err != nil {
			return abort(err.Error(), nil)
		}
	}
	if printDir {
		fmt.Printf("Compose dir: %s\n", dir)
	}
	var console io.Writer
	var progress *compose.Progress
	if !quiet {
		console = os.Stderr
		progress = compose.NewProgress(os.Stderr, isTerminal(os.Stderr))
		defer progress.Close()
	}
	c, err := compose.New(conf, dir, opts, console, progress, notifier)
	if err != nil {
		return fail("compose", err)
	}
	defer c.Log.Close()
	if err := registerWithCTS(c, ctsClient, targetDir != "", parents, respinOf); err != nil {
		c.Log.Errorf("%v", err)
		return fail("compose", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	var caught os.Signal
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			caught = s
			c.Log.Errorf("Compose run failed: signal %s; stopping the running phases", s)
			cancel()
			select {
			case <-sigs:
				// A second signal: do not wait for the phases any more.
				c.Terminate("signal " + s.String())
				os.Exit(1)
			case <-done:
			}
		case <-done:
		}
	}()
	var timings []compose.PhaseTime
	runErr := func() (err error) {
		defer c.RecoverPanic("compose", &err) // DOOMED below, trace in logs/global
		timings, err = runComposePhases(c.WithRepoCache(ctx, cacheDir), c, conf, cfgPath, loaded)
		return err
	}()
	close(done)
	if caught != nil {
		c.Terminate("signal " + caught.String())
		writeComposeReport(c, timings)
		return 1
	}
	if runErr != nil {
		c.Log.Errorf("Compose run failed: %v", runErr)
		c.Log.Criticalf("Compose failed: %s", c.Topdir)
		c.WriteStatus(compose.StatusDoomed)
		writeComposeReport(c, timings)
		progress.Close()
		fmt.Fprintf(os.Stderr, "pungo compose: %s\n", printable(runErr.Error()))
		return 2
	}
	writeComposeReport(c, timings)
	if !noLatest {
		makeLatestLink(c, latestStatus, latestComponents)
	}
	c.Log.Infof("Compose finished: %s", c.Topdir)
	return 0
}

// registerWithCTS logs the compose's CTS registration and records its URL
// (translate_paths applied to the compose directory) when that differs
// from the directory, as Pungi's update_compose_url.
func registerWithCTS(c *compose.Compose, client *cts.Client, registered bool, parents []string, respinOf string) error {
	if client == nil {
		if len(parents) > 0 || respinOf != "" {
			c.Log.Infof("Parent composes: %s; respin of: %s (recorded only: cts_url is not set)", strings.Join(parents, " "), respinOf)
		}
		return nil
	}
	if !registered {
		// --compose-dir: the compose was made (and registered, if at all)
		// before this run.
		return nil
	}
	c.Log.Infof("Compose %s registered with CTS %s (parents: %s; respin of: %s)", c.Info.Compose.ID, client.URL, strings.Join(parents, " "), respinOf)
	if u := compose.TranslatePath(c.Conf, c.Topdir); u != c.Topdir {
		if err := client.SetURL(context.Background(), c.Info.Compose.ID, u); err != nil {
			return fmt.Errorf("CTS: recording the compose URL %s: %w", u, err)
		}
	}
	return nil
}

// writeComposeReport writes logs/global/compose-report.html; a report that
// cannot be written is logged, it does not fail the compose.
func writeComposeReport(c *compose.Compose, timings []compose.PhaseTime) {
	if path, err := report.WriteComposeReport(c, timings); err != nil {
		c.Log.Warningf("cannot write the compose report: %v", err)
	} else {
		c.Log.Infof("Compose report: %s", path)
	}
}

// runComposePhases is pungi-koji's run_compose up to the FINISHED status.
// It returns the phase timings of the run, also when it fails.
func runComposePhases(ctx context.Context, c *compose.Compose, conf *config.Config, cfgPath string, raw *config.Config) ([]compose.PhaseTime, error) {
	if err := c.WriteStatus(compose.StatusStarted); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	c.Log.Infof("Host: %s", host)
	c.Log.Infof("pungo version: %s", version)
	if u, err := user.Current(); err == nil {
		c.Log.Infof("User name: %s", u.Username)
	}
	wd, _ := os.Getwd()
	c.Log.Infof("Working directory: %s", wd)
	c.Log.Infof("Command line: %s", strings.Join(os.Args, " "))
	c.Log.Infof("Compose top directory: %s", c.Topdir)
	if err := initphase.ReadVariants(ctx, c); err != nil {
		return nil, err
	}
	copyDir := filepath.Join(c.Paths.Log.Topdir(""), "config-copy")
	if err := os.MkdirAll(copyDir, 0o755); err != nil {
		return nil, err
	}
	for _, f := range raw.Files {
		if data, err := os.ReadFile(f); err == nil {
			os.WriteFile(filepath.Join(copyDir, filepath.Base(f)), data, 0o644)
		}
	}
	if err := c.DumpConfig(conf.Merged()); err != nil {
		c.Log.Warningf("cannot dump the config: %v", err)
	}
	r := compose.NewRunner(c, pipeline.New())
	if err := r.Validate(); err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			c.Log.Errorf("%s", l)
		}
		return nil, fmt.Errorf("Configuration is not valid: %v", err)
	}
	err := r.Run(ctx)
	timings := r.Timings()
	var times []string
	for _, t := range timings {
		times = append(times, fmt.Sprintf("%s=%.3fs/cpu%.3fs", t.Name, t.Duration.Seconds(), t.CPU.Seconds()))
	}
	c.Log.Infof("Phase times: %s", strings.Join(times, " "))
	if err != nil {
		return timings, err
	}
	return timings, c.WriteStatus(compose.StatusFinished)
}

// makeLatestLink creates latest-<short>-<version> beside the compose when
// its status is one of statuses (any when none given).
func makeLatestLink(c *compose.Compose, statuses []string, components int) {
	st := c.Status()
	if len(statuses) > 0 {
		ok := false
		for _, s := range statuses {
			ok = ok || strings.EqualFold(s, st)
		}
		if !ok {
			c.Log.Warningf("Compose status (%s) doesn't match with specified latest-link-status (%v), not create latest link.", st, statuses)
			return
		}
	}
	link := filepath.Join(filepath.Dir(c.Topdir), compose.LatestLinkName(c.Info, components))
	tmp := link + ".tmp-" + strconv.Itoa(os.Getpid())
	if err := os.Symlink(filepath.Base(c.Topdir), tmp); err != nil {
		c.Log.Errorf("Couldn't create latest symlink: %v", err)
		return
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		c.Log.Errorf("Couldn't create latest symlink: %v", err)
	}
}

// parseKojiEvent takes an event ID or a compose directory whose
// work/global/koji-event file holds one (Pungi's parse_koji_event).
func parseKojiEvent(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	data, err := os.ReadFile(filepath.Join(s, "work", "global", "koji-event"))
	if err != nil {
		return 0, fmt.Errorf("--koji-event %s: neither an event ID nor a compose with work/global/koji-event", s)
	}
	var ev struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(data, &ev); err != nil || ev.ID == 0 {
		return 0, fmt.Errorf("--koji-event %s: cannot read the event from work/global/koji-event", s)
	}
	return ev.ID, nil
}

// isTerminal reports whether f is a character device (a terminal).
// batchGC trades memory for CPU: a compose holds its package sets for the
// whole run, so the default GOGC=100 collects the same live heap over and
// over. GOGC=400 cut the benchmark compose's gather CPU by about 17% for
// 20% more peak RSS (bench/compose.sh). An explicit GOGC wins.
func batchGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb"
}
