package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pungo/pungo/phases/buildinstall"
	"github.com/pungo/pungo/phases/koji"
	"github.com/pungo/pungo/phases/ostree"
)

// pluginOpts parses the options every Pungi plugin command takes before
// TAG ARCH; chown says whether --chown-uid is allowed.
func pluginOpts(cmd string, args []string, chown bool) (kw koji.KW, pos []string) {
	kw = koji.KW{}
	nowait, taskID := false, false
	for i, a := range args {
		if !strings.HasPrefix(a, "--") {
			pos = args[i:]
			break
		}
		k, v, hasValue := strings.Cut(a, "=")
		switch {
		case a == "--nowait":
			nowait = true
		case a == "--task-id":
			taskID = true
		case k == "--channel-override" && hasValue && v != "":
			kw["channel"] = v
		case k == "--weight" && hasValue:
			var w int64
			if _, err := fmt.Sscanf(v, "%d", &w); err != nil || fmt.Sprint(w) != v {
				die("%s: --weight=%q is not an integer", cmd, v)
			}
			kw["weight"] = w
		case k == "--package" && hasValue && v != "":
			l, _ := kw["packages"].([]string)
			kw["packages"] = append(l, v)
		case k == "--mount" && hasValue && strings.HasPrefix(v, "/"):
			l, _ := kw["mounts"].([]string)
			kw["mounts"] = append(l, v)
		case chown && k == "--chown-uid" && hasValue && v == fmt.Sprint(os.Getuid()):
			kw["chown_uid"] = int64(os.Getuid())
		default:
			die("%s: unexpected option %q", cmd, a)
		}
	}
	if !nowait || !taskID {
		die("%s: pungo must pass --nowait and --task-id, got %q", cmd, args)
	}
	if len(pos) < 2 || pos[0] == "" || pos[1] == "" {
		die("%s: want TAG ARCH after the options, got %q", cmd, pos)
	}
	if pos[1] != "i386" && strings.HasPrefix(pos[1], "i") && strings.HasSuffix(pos[1], "86") {
		die("%s: arch %s is not a base arch", cmd, pos[1])
	}
	return kw, pos
}

// pluginKeys parses KEY=VALUE and FLAG words against the plugin's keys:
// kinds maps each key to "flag", "one" or "many".
func pluginKeys(cmd string, words []string, kinds map[string]string) map[string][]string {
	got := map[string][]string{}
	for _, w := range words {
		k, v, hasValue := strings.Cut(w, "=")
		switch kind := kinds[k]; {
		case kind == "":
			die("%s: unknown argument %q", cmd, w)
		case kind == "flag" && hasValue, kind != "flag" && (!hasValue || v == ""):
			die("%s: argument %q: %s is a %s", cmd, w, k, map[string]string{"flag": "bare flag", "one": "key=value", "many": "key=value"}[kind])
		case kind == "one" && len(got[k]) > 0:
			die("%s: %s given twice", cmd, k)
		}
		got[k] = append(got[k], v)
	}
	return got
}

var buildinstallKeys = map[string]string{
	"product": "one", "version": "one", "release": "one", "sources": "many", "variant": "one",
	"installpkgs": "many", "isfinal": "flag", "buildarch": "one", "volid": "one", "nomacboot": "flag",
	"bugurl": "one", "add-template": "many", "add-arch-template": "many", "add-template-var": "many",
	"add-arch-template-var": "many", "noupgrade": "flag", "rootfs-size": "one", "dracut-args": "many",
	"skip_branding": "flag", "outputdir": "one", "squashfs_only": "flag", "configuration_file": "one",
}

func pungiBuildinstall(prof *koji.Profile, args []string) {
	const cmd = "pungi-buildinstall"
	kw, pos := pluginOpts(cmd, args, true)
	got := pluginKeys(cmd, pos[2:], buildinstallKeys)
	for _, k := range []string{"product", "version", "sources", "variant", "buildarch", "volid", "outputdir"} {
		if len(got[k]) == 0 {
			die("%s: %s is required", cmd, k)
		}
	}
	out := got["outputdir"][0]
	if !filepath.IsAbs(out) {
		die("%s: outputdir %q is not absolute", cmd, out)
	}
	one := func(k string) string {
		if v := got[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	flag := func(k string) bool { _, ok := got[k]; return ok }
	ok := submitPlugin(prof, cmd, pos, kw)
	logs := filepath.Join(out, "logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		die("%v", err)
	}
	if !ok {
		os.WriteFile(filepath.Join(logs, "lorax.log"), []byte("pungi-buildinstall task failed\n"), 0o644)
		return
	}
	la := buildinstall.LoraxArgs{Product: one("product"), Version: one("version"), Release: one("release"),
		Sources: got["sources"], OutputDir: filepath.Join(out, "results"), Variant: one("variant"), BugURL: one("bugurl"),
		NoMacBoot: flag("nomacboot"), NoUpgrade: flag("noupgrade"), IsFinal: flag("isfinal"), BuildArch: one("buildarch"),
		VolID: one("volid"), InstallPkgs: got["installpkgs"], AddTemplate: got["add-template"],
		AddArchTemplate: got["add-arch-template"], AddTemplateVar: got["add-template-var"],
		AddArchTemplateVar: got["add-arch-template-var"], LogDir: logs, DracutArgs: got["dracut-args"],
		SkipBranding: flag("skip_branding"), SquashfsOnly: flag("squashfs_only"), ConfigurationFile: one("configuration_file")}
	if v := one("rootfs-size"); v != "" {
		la.RootfsSize = v
	}
	lc := buildinstall.LoraxCmd(la)
	run := exec.Command(lc[0], lc[1:]...)
	run.Stdout, run.Stderr = os.Stdout, os.Stdout
	if err := run.Run(); err != nil {
		fmt.Printf("lorax: %v\n", err)
		os.Exit(1)
	}
}

// submitPlugin submits a plugin task, prints its ID (--task-id) and, as
// the builder would before writing outputs, waits for the hub's verdict.
func submitPlugin(prof *koji.Profile, cmd string, pos []string, kw koji.KW) bool {
	ctx := context.Background()
	kc, err := prof.Connect(ctx, true)
	if err != nil {
		die("%v", err)
	}
	id, err := kc.StartTask(ctx, "runroot", pos[0], pos[1], cmd+" "+strings.Join(pos[2:], " "), kw)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(id)
	_, err = kc.WatchTask(ctx, id, 5*time.Millisecond)
	return err == nil
}

var ostreeKeys = map[string]string{
	"repo": "one", "log-dir": "one", "treefile": "one", "version": "one", "extra-config": "one",
	"update-summary": "flag", "ostree-ref": "one", "force-new-commit": "flag", "unified-core": "flag",
	"ociarchive-path": "one", "ociarchive-name": "one",
}

// pungiOstree is Pungi's pungi-ostree plugin command; as the builder it
// does what pungi-make-ostree tree does: tweak the treefile from the extra
// config (repos, keep_original_sources) and ostree-ref, run rpm-ostree
// compose tree (the fake on PATH) with the commit ID written to
// LOG-DIR/commitid.log, and update the summary when asked.
func pungiOstree(prof *koji.Profile, args []string) {
	const cmd = "pungi-ostree"
	kw, pos := pluginOpts(cmd, args, false)
	got := pluginKeys(cmd, pos[2:], ostreeKeys)
	// With ociarchive-path the task plays pungi-make-ostree container
	// (ostree_container_use_koji_plugin) instead of tree.
	_, container := got["ociarchive-path"]
	required := []string{"repo", "log-dir", "treefile"}
	if container {
		required = []string{"log-dir", "treefile", "ociarchive-name"}
	}
	for _, k := range required {
		if len(got[k]) == 0 {
			die("%s: %s is required", cmd, k)
		}
	}
	one := func(k string) string {
		if v := got[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	flag := func(k string) bool { _, ok := got[k]; return ok }
	mounted := []string{one("repo")}
	if container {
		mounted = []string{one("ociarchive-path")}
	}
	for _, m := range mounted {
		found := false
		for _, x := range kw["mounts"].([]string) {
			found = found || x == m || strings.HasPrefix(m, x+"/")
		}
		if !found {
			die("%s: repo %s is not mounted", cmd, m)
		}
	}
	if !submitPlugin(prof, cmd, pos, kw) {
		return
	}
	var repos []map[string]any
	keep := false
	if ec := one("extra-config"); ec != "" {
		b, err := os.ReadFile(ec)
		if err != nil {
			die("%v", err)
		}
		var extra map[string]any
		if err := json.Unmarshal(b, &extra); err != nil {
			die("%s: %v", ec, err)
		}
		rl, _ := extra["repo"].([]any)
		for _, r := range rl {
			m, ok := r.(map[string]any)
			if !ok {
				die("%s: repo entry %v is not a dict", ec, r)
			}
			repos = append(repos, m)
		}
		keep, _ = extra["keep_original_sources"].(bool)
	}
	update := map[string]any{}
	if r := one("ostree-ref"); r != "" {
		update["ref"] = r
	}
	if err := ostree.TweakTreefile(one("treefile"), repos, keep, update); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	if container {
		name := one("ociarchive-name")
		run := exec.Command("rpm-ostree", "compose", "image", "--initialize", "--touch-if-changed="+filepath.Join(one("log-dir"), name+".stamp"),
			one("treefile"), filepath.Join(one("ociarchive-path"), name+".ociarchive"))
		run.Stdout, run.Stderr = os.Stdout, os.Stdout
		if err := run.Run(); err != nil {
			fmt.Printf("rpm-ostree: %v\n", err)
			os.Exit(1)
		}
		return
	}
	commit := filepath.Join(one("log-dir"), "commitid.log")
	rc := []string{"compose", "tree", "--repo=" + one("repo"), "--write-commitid-to=" + commit, "--touch-if-changed=" + commit + ".stamp"}
	if flag("unified-core") {
		rc = append(rc, "--unified-core")
	}
	if v := one("version"); v != "" {
		rc = append(rc, "--add-metadata-string=version="+v)
	}
	if flag("force-new-commit") {
		rc = append(rc, "--force-nocache")
	}
	rc = append(rc, one("treefile"))
	run := exec.Command("rpm-ostree", rc...)
	run.Stdout, run.Stderr = os.Stdout, os.Stdout
	if err := run.Run(); err != nil {
		fmt.Printf("rpm-ostree: %v\n", err)
		os.Exit(1)
	}
	if flag("update-summary") {
		if out, err := exec.Command("ostree", "summary", "-u", "--repo="+one("repo")).CombinedOutput(); err != nil {
			fmt.Printf("ostree summary: %v: %s\n", err, out)
			os.Exit(1)
		}
	}
}
