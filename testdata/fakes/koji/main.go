// Command koji is a fake of Koji's command line client for pungo's tests
// (Debian has no koji). It knows the subcommand pungo runs, as Pungi does:
//
//	koji --profile=NAME image-build --config=FILE --wait [--scratch]
//
//	koji --profile=NAME runroot [--new-chroot] --use-shell --task-id
//	     --channel-override=CH [--weight=N] [--package=P…] [--mount=DIR…] TAG ARCH COMMAND
//	koji --profile=NAME spin-livemedia NAME VERSION TARGET ARCH[,ARCH…] KICKSTART
//	     --install-tree=URL [--repo=URL…] [--scratch] [--skip-tag] [--ksurl=URL]
//	     [--release=R] [--can-fail=ARCH,…] [--nomacboot] --wait
//	koji --profile=NAME pungi-buildinstall --nowait --task-id [--channel-override=CH]
//	     [--weight=N] [--package=P…] [--mount=DIR…] [--chown-uid=UID] TAG ARCH KEY=VALUE|FLAG…
//
// pungi-buildinstall is Pungi's Koji plugin command: its task runs lorax
// on a builder that shares the compose's file system. The fake checks
// every key against the plugin's (required ones present, flags bare, one
// value per single key), submits the task — as a "runroot" task whose
// command is "pungi-buildinstall KEY=VALUE…", the test hub having no
// plugin methods — prints its ID alone on a line (--task-id) and, playing
// the builder, waits for it: when it closed it runs lorax (the fake on
// PATH) with the command line the plugin builds, into OUTPUTDIR/results
// with logs in OUTPUTDIR/logs; when it failed it leaves only a log saying
// so. Like koji with --nowait it then exits 0; 1 when lorax failed.
//
//	koji --profile=NAME pungi-ostree --nowait --task-id [--channel-override=CH]
//	     [--weight=N] [--package=P…] [--mount=DIR…] TAG ARCH KEY=VALUE|FLAG…
//
// pungi-ostree likewise plays pungi-make-ostree tree (or container, with
// ociarchive-path) on the builder (see pungiOstree) once its task closed.
//
// It checks every argument, reads the profile like pungo (koji.conf files
// or $PUNGO_KOJI_CONFIG), checks the config file as koji's image-build
// does (required keys, known keys only, comma lists) and turns it into the
// runroot, buildImageOz (image-build) or buildImage(…, "livemedia", …)
// (spin-livemedia) call koji makes — the hub is then the test's kojitest hub —
// prints "Created task: N" and waits for the task, exiting 1 when it fails
// like koji. $FAKE_KOJI_FAIL_CONNECT=1 makes it lose the hub after
// creating the task ("error: failed to connect", Pungi's watch-task case).
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pungo/pungo/internal/ini"
	"github.com/pungo/pungo/phases/koji"
)

func die(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "fake koji: "+format+"\n", a...)
	os.Exit(2)
}

// known are the image-build keys koji reads plus those Pungi writes and
// koji ignores (variant, subvariant, and disc_size, Pungi's misspelling
// of disk_size).
var known = map[string]bool{
	"disc_size": true,
	"name":      true, "version": true, "target": true, "install_tree": true, "arches": true, "format": true,
	"kickstart": true, "ksurl": true, "ksversion": true, "distro": true, "release": true, "repo": true,
	"disk_size": true, "can_fail": true, "specfile": true, "skip_tag": true, "variant": true, "subvariant": true,
}

func main() {
	args := os.Args[1:]
	if len(args) < 2 || !strings.HasPrefix(args[0], "--profile=") || args[0] == "--profile=" {
		die("usage: koji --profile=NAME SUBCOMMAND …, got %q", args)
	}
	prof, err := koji.LoadProfile(strings.TrimPrefix(args[0], "--profile="))
	if err != nil {
		die("%v", err)
	}
	switch args[1] {
	case "image-build":
		imageBuild(prof, args[2:])
	case "spin-livemedia":
		spinLiveMedia(prof, args[2:])
	case "runroot":
		runroot(prof, args[2:])
	case "pungi-buildinstall":
		pungiBuildinstall(prof, args[2:])
	case "pungi-ostree":
		pungiOstree(prof, args[2:])
	default:
		die("unknown subcommand %q", args[1])
	}
}

func imageBuild(prof *koji.Profile, args []string) {
	var conf string
	wait, scratch := false, false
	for _, a := range args {
		switch {
		case strings.HasPrefix(a, "--config="):
			conf = strings.TrimPrefix(a, "--config=")
		case a == "--wait":
			wait = true
		case a == "--scratch":
			scratch = true
		default:
			die("image-build: unexpected argument %q", a)
		}
	}
	if conf == "" || !wait {
		die("image-build: pungo must pass --config=FILE and --wait, got %q", args)
	}
	secs, err := readINI(conf)
	if err != nil {
		die("%v", err)
	}
	ib, ok := secs["image-build"]
	if !ok {
		die("%s: no [image-build] section", conf)
	}
	for k := range secs {
		if k != "image-build" && k != "factory-parameters" {
			die("%s: unexpected section [%s]", conf, k)
		}
	}
	for k := range ib {
		if !known[k] {
			die("%s: unknown image-build key %q", conf, k)
		}
	}
	for _, k := range []string{"name", "version", "target", "install_tree", "arches", "format", "kickstart", "distro"} {
		if ib[k] == "" {
			die("%s: image-build needs %s", conf, k)
		}
	}
	if ib["ksurl"] == "" && !scratch {
		fmt.Fprintln(os.Stderr, "GenericError: Non-scratch builds must provide ksurl")
		os.Exit(1)
	}
	list := func(k string) []any {
		var out []any
		for _, x := range strings.Split(ib[k], ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
		return out
	}
	// The hub options koji's _build_image_oz derives from the file.
	// --disk-size defaults to 10 (an integer; from the file it is a string).
	opts := map[string]any{"format": list("format"), "disk_size": int64(10)}
	for _, k := range []string{"ksurl", "ksversion", "kickstart", "release", "distro", "disk_size", "specfile"} {
		if v, ok := ib[k]; ok {
			opts[k] = v
		}
	}
	if _, ok := ib["repo"]; ok {
		opts["repo"] = list("repo")
	}
	if _, ok := ib["can_fail"]; ok {
		opts["optional_arches"] = list("can_fail")
	}
	if scratch {
		opts["scratch"] = true
	}
	if fp, ok := secs["factory-parameters"]; ok {
		keys := slices.Sorted(maps.Keys(fp))
		var pairs []any
		for _, k := range keys {
			pairs = append(pairs, []any{k, fp[k]})
		}
		opts["factory_parameter"] = pairs
	}
	submit(prof, ib["name"], "buildImageOz", ib["name"], ib["version"], list("arches"), ib["target"], ib["install_tree"], opts)
}

func spinLiveMedia(prof *koji.Profile, args []string) {
	var pos []string
	opts := map[string]any{}
	wait := false
	for _, a := range args {
		k, v, hasValue := strings.Cut(a, "=")
		switch {
		case !strings.HasPrefix(a, "--"):
			pos = append(pos, a)
		case k == "--install-tree" && hasValue && v != "":
			opts["install_tree_url"] = v
		case k == "--repo" && hasValue && v != "":
			l, _ := opts["repo"].([]any)
			opts["repo"] = append(l, v)
		case k == "--ksurl" && hasValue && v != "":
			opts["ksurl"] = v
		case k == "--release" && hasValue && v != "":
			opts["release"] = v
		case k == "--can-fail" && hasValue && v != "":
			var l []any
			for _, x := range strings.Split(v, ",") {
				l = append(l, x)
			}
			opts["optional_arches"] = l
		case a == "--scratch":
			opts["scratch"] = true
		case a == "--skip-tag":
			opts["skip_tag"] = true
		case a == "--nomacboot":
			opts["nomacboot"] = true
		case a == "--wait":
			wait = true
		default:
			die("spin-livemedia: unexpected argument %q", a)
		}
	}
	if len(pos) != 5 {
		die("spin-livemedia: want NAME VERSION TARGET ARCH KICKSTART, got %q", pos)
	}
	for i, p := range pos {
		if p == "" {
			die("spin-livemedia: positional argument %d is empty", i+1)
		}
	}
	if opts["install_tree_url"] == nil || !wait {
		die("spin-livemedia: pungo must pass --install-tree and --wait, got %q", args)
	}
	ksfile := pos[4]
	if opts["ksurl"] == nil {
		// koji uploads a local kickstart to the hub's work area.
		if _, err := os.Stat(ksfile); err != nil {
			fmt.Fprintf(os.Stderr, "Error: %v\n", err)
			os.Exit(1)
		}
		ksfile = "cli-livemedia/" + filepath.Base(ksfile)
	}
	var arches []any
	for _, a := range strings.Split(pos[3], ",") {
		arches = append(arches, a)
	}
	submit(prof, pos[0], "buildImage", pos[0], pos[1], arches, pos[2], ksfile, "livemedia", opts)
}

// runroot is koji's runroot plugin command: the task ID on the first line
// (--task-id), then the task's output; exit 1 when the task failed.
func runroot(prof *koji.Profile, args []string) {
	var pos []string
	kw := koji.KW{}
	shell, taskID := false, false
	for i, a := range args {
		if !strings.HasPrefix(a, "--") {
			pos = args[i:]
			break
		}
		k, v, hasValue := strings.Cut(a, "=")
		switch {
		case a == "--new-chroot":
			kw["new_chroot"] = true
		case a == "--use-shell":
			shell = true
		case a == "--task-id":
			taskID = true
		case k == "--channel-override" && hasValue && v != "":
			kw["channel"] = v
		case k == "--weight" && hasValue:
			var w int64
			if _, err := fmt.Sscanf(v, "%d", &w); err != nil || fmt.Sprint(w) != v {
				die("runroot: --weight=%q is not an integer", v)
			}
			kw["weight"] = w
		case k == "--package" && hasValue && v != "":
			l, _ := kw["packages"].([]string)
			kw["packages"] = append(l, v)
		case k == "--mount" && hasValue && strings.HasPrefix(v, "/"):
			l, _ := kw["mounts"].([]string)
			kw["mounts"] = append(l, v)
		default:
			die("runroot: unexpected option %q", a)
		}
	}
	if len(pos) != 3 || pos[0] == "" || pos[1] == "" || pos[2] == "" {
		die("runroot: want TAG ARCH COMMAND after the options, got %q", pos)
	}
	if !shell || !taskID || kw["channel"] == nil {
		die("runroot: pungo must pass --use-shell, --task-id and --channel-override, got %q", args)
	}
	if pos[1] != "i386" && strings.HasPrefix(pos[1], "i") && strings.HasSuffix(pos[1], "86") {
		die("runroot: arch %s is not a base arch", pos[1])
	}
	ctx := context.Background()
	kc, err := prof.Connect(ctx, true)
	if err != nil {
		die("%v", err)
	}
	id, err := kc.StartTask(ctx, "runroot", pos[0], pos[1], pos[2], kw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(id)
	res, err := kc.WatchTask(ctx, id, 5*time.Millisecond)
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if s, ok := res.(string); ok {
		fmt.Print(s)
		if !strings.HasSuffix(s, "\n") {
			fmt.Println()
		}
	}
}

// submit starts the task, prints its ID as koji does and waits for it.
func submit(prof *koji.Profile, name, method string, args ...any) {
	ctx := context.Background()
	kc, err := prof.Connect(ctx, true)
	if err != nil {
		die("%v", err)
	}
	id, err := kc.StartTask(ctx, method, args...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("Created task: %d\nTask info: %s/taskinfo?taskID=%d\n", id, prof.WebURL, id)
	if os.Getenv("FAKE_KOJI_FAIL_CONNECT") == "1" {
		fmt.Println("Watching tasks (this may be safely interrupted)...")
		fmt.Println("error: failed to connect")
		os.Exit(1)
	}
	if _, err := kc.WatchTask(ctx, id, 5*time.Millisecond); err != nil {
		fmt.Printf("%d %s (%s): FAILED: %v\n", id, method, name, err)
		os.Exit(1)
	}
	fmt.Printf("%d %s (%s): closed\n", id, method, name)
}

// readINI reads a config file as Python's ConfigParser (internal/ini).
func readINI(path string) (map[string]map[string]string, error) {
	doc, err := ini.ParseFile(path)
	if err != nil {
		return nil, err
	}
	return doc.Map(), nil
}
