package main

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// dummyProductData lays out Pungi's tests/data for the test product in a
// temporary directory: the config, variants and comps from the shared
// copy (linked, unchanged) beside "repo" and "repo-krb5-lookaside" built
// as the product's build.sh builds them (rpmbuild --nodeps, then
// createrepo with the comps as groupfile). It returns the config path.
func dummyProductData(t *testing.T) string {
	t.Helper()
	shared := toolcheck.Shared(t, rpmtest.DummyProductDir)
	built := rpmtest.DummyProduct(t)
	data := filepath.Join(t.TempDir(), "data")
	for _, f := range []string{"dummy-pungi.conf", "dummy-variants.xml", "dummy-comps.xml"} {
		if err := os.MkdirAll(data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(shared, f), filepath.Join(data, f)); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range []string{"repo", "repo-krb5-lookaside"} {
		if err := rpmtest.LinkTree(filepath.Join(built, r), filepath.Join(data, r)); err != nil {
			t.Fatal(err)
		}
	}
	for _, args := range [][]string{
		{"--update", "--groupfile", filepath.Join(data, "dummy-comps.xml"), "--no-database", "--simple-md-filenames", filepath.Join(data, "repo")},
		{"--update", filepath.Join(data, "repo-krb5-lookaside")},
	} {
		if code, _, stderr := runCLI(t, runCreaterepo, args...); code != 0 {
			t.Fatalf("createrepo %v: exit %d\n%s", args, code, stderr)
		}
	}
	return filepath.Join(data, "dummy-pungi.conf")
}

// TestDummyProductCompose composes Pungi's own test product unchanged, as
// Pungi's tests/test_compose.sh runs pungi-koji, and checks the trees,
// packages, ISOs and metadata Pungi produces for it.
func TestDummyProductCompose(t *testing.T) {
	toolcheck.Need(t, "genisoimage", "implantisomd5")
	conf := dummyProductData(t)
	target, tmp := t.TempDir(), t.TempDir()
	code, out := runPungo(t, tmp, "--target-dir="+target, "--old-composes="+target, "--config="+conf, "--test", "--quiet")
	if code != 0 {
		t.Fatalf("compose exited %d:\n%s", code, out)
	}
	dir := filepath.Join(target, "latest-DP-1")
	if st, _ := os.ReadFile(filepath.Join(dir, "STATUS")); string(st) != "FINISHED\n" {
		t.Fatalf("STATUS %q\n%s", st, out)
	}
	real, _ := filepath.EvalSymlinks(dir)
	id := filepath.Base(real)
	date := strings.Split(strings.TrimPrefix(id, "DP-1.0-"), ".")[0]
	top := filepath.Join(dir, "compose")
	exists := func(rel string) bool { _, err := os.Stat(filepath.Join(top, rel)); return err == nil }
	rpmsIn := func(rel string) []string {
		var names []string
		filepath.WalkDir(filepath.Join(top, rel), func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(p, ".rpm") {
				names = append(names, d.Name())
			}
			return nil
		})
		sort.Strings(names)
		return names
	}

	// Every variant.arch of dummy-variants.xml has its trees (Live is
	// empty; the addon lives in its parent's tree).
	trees := map[string][]string{
		"Client": {"i386", "x86_64"}, "Client-optional": {"i386", "x86_64"}, "Everything": {"i386", "x86_64"},
		"Server": {"s390x", "x86_64"}, "Server-optional": {"s390x", "x86_64"}, "Server-Gluster": {"x86_64"},
		"Foo-Tools": {"x86_64"}, "Bar-Tools": {"x86_64"},
	}
	t.Run("trees", func(t *testing.T) {
		for uid, arches := range trees {
			for _, arch := range arches {
				for _, rel := range []string{"os/.treeinfo", "os/.discinfo", "os/media.repo", "os/repodata/repomd.xml", "os/Packages",
					"debug/tree/repodata/repomd.xml", "debug/tree/Packages"} {
					if !exists(filepath.Join(uid, arch, rel)) {
						t.Errorf("missing %s/%s/%s", uid, arch, rel)
					}
				}
			}
			for _, rel := range []string{"tree/.treeinfo", "tree/repodata/repomd.xml", "tree/Packages"} {
				if !exists(filepath.Join(uid, "source", rel)) {
					t.Errorf("missing %s/source/%s", uid, rel)
				}
			}
		}
		for _, rel := range []string{"Server/x86_64/os/addons/ResilientStorage/repodata/repomd.xml",
			"Server/x86_64/debug/tree/addons/ResilientStorage", "Server/source/tree/addons/ResilientStorage/repodata/repomd.xml"} {
			if !exists(rel) {
				t.Errorf("missing addon tree %s", rel)
			}
		}
		if exists("Live") {
			t.Error("the empty variant Live has a tree")
		}
		// extra_isos of Server.s390x include Client, which has no s390x:
		// Pungi's path lookup leaves an empty Client/s390x/os/Packages/.
		if !exists("Client/s390x/os/Packages") || len(rpmsIn("Client/s390x")) != 0 {
			t.Errorf("Client/s390x/os/Packages/: want an empty directory, have %v (exists %v)", rpmsIn("Client/s390x"), exists("Client/s390x/os/Packages"))
		}
	})

	t.Run("packages", func(t *testing.T) {
		for _, tc := range []struct {
			tree, pkg string // pkg: file name prefix
			want      bool
		}{
			{"", "dummy-pacemaker-", false},                                       // filter_packages ^.*$
			{"Client", "dummy-httpd-", false},                                     // filter_packages ^Client$
			{"Client-optional/x86_64", "dummy-httpd-2.2.21-1.x86_64", true},       // additional_packages
			{"Server-optional/x86_64", "dummy-httpd-2.2.21-1.i686", false},        // filter_packages dummy-httpd.i686
			{"Server/x86_64/os/addons", "dummy-glusterfs-resource-agents", false}, // ^.*-ResilientStorage$
			{"Server-Gluster/x86_64", "dummy-glusterfs-resource-agents-3.9.5-8.x86_64", true},
			{"Server/x86_64/os/Packages", "dummy-glibc-2.14-5.i686", true},         // multilib whitelist
			{"Server/x86_64/os/Packages", "dummy-lvm2-devel-2.02.84-4.i686", true}, // multilib devel
			{"Client/x86_64", "dummy-glibc-2.14-5.i686", true},                     // the whitelist needs no multilib method
			{"", "dummy-release-", false},                                          // no system-release choice, as real Pungi
		} {
			found := slices.ContainsFunc(rpmsIn(tc.tree), func(n string) bool { return strings.HasPrefix(n, tc.pkg) })
			if found != tc.want {
				t.Errorf("%s in %q: got %v, want %v", tc.pkg, tc.tree, found, tc.want)
			}
		}
		// hashed_directories: every package under its lowercased initial.
		filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".rpm") && filepath.Base(filepath.Dir(p)) != strings.ToLower(d.Name()[:1]) {
				t.Errorf("not in a hashed directory: %s", p)
			}
			return nil
		})
		// rpms.json names exactly the files in the trees.
		var rpms struct {
			Payload struct {
				Rpms map[string]map[string]map[string]map[string]struct{ Path string } `json:"rpms"`
			} `json:"payload"`
		}
		readJSONInto(t, filepath.Join(top, "metadata", "rpms.json"), &rpms)
		var listed []string
		for _, arches := range rpms.Payload.Rpms {
			for _, srpms := range arches {
				for _, nevras := range srpms {
					for _, r := range nevras {
						listed = append(listed, r.Path)
					}
				}
			}
		}
		var onDisk []string
		filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".rpm") {
				rel, _ := filepath.Rel(top, p)
				onDisk = append(onDisk, rel)
			}
			return nil
		})
		sort.Strings(listed)
		listed = slices.Compact(listed)
		sort.Strings(onDisk)
		if !slices.Equal(listed, onDisk) {
			t.Errorf("rpms.json lists %d files, the trees hold %d", len(listed), len(onDisk))
		}
	})

	t.Run("isos", func(t *testing.T) {
		var want []string
		for uid, arches := range map[string][]string{"Bar-Tools": {"x86_64"}, "Foo-Tools": {"x86_64"}, "Client": {"i386", "x86_64"},
			"Everything": {"i386", "x86_64"}, "Server": {"s390x", "x86_64"}} {
			for _, arch := range append(arches, "source") {
				want = append(want, uid+"/"+arch+"/iso/"+id+"-"+uid+"-"+arch+"-dvd1.iso")
			}
		}
		for _, arch := range []string{"s390x", "x86_64", "source"} {
			want = append(want, "Server/"+arch+"/iso/extra-"+id+"-Server-"+arch+"-dvd1.iso")
		}
		// The layered product's ISOs carry its own compose ID.
		lp := "Gluster-2.3-DP-1-" + date + ".t.0"
		want = append(want, "Server-Gluster/x86_64/iso/"+lp+"-Server-x86_64-dvd1.iso", "Server-Gluster/source/iso/"+lp+"-Server-source-dvd1.iso")
		var got []string
		filepath.WalkDir(top, func(p string, d os.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".iso") {
				rel, _ := filepath.Rel(top, p)
				got = append(got, rel)
			}
			return nil
		})
		sort.Strings(want)
		sort.Strings(got)
		if !slices.Equal(got, want) {
			t.Errorf("ISOs\n got %q\nwant %q", got, want)
		}
		// The Server DVD holds Server's packages, not the layered
		// product's; the extra ISO adds Client's.
		manifest := func(rel string) string {
			b, err := os.ReadFile(filepath.Join(top, rel+".manifest"))
			if err != nil {
				t.Error(err)
			}
			return string(b)
		}
		server := manifest("Server/x86_64/iso/" + id + "-Server-x86_64-dvd1.iso")
		if strings.Contains(server, "glusterfs") || !strings.Contains(server, "dummy-lvm2-devel-2.02.84-4.i686.rpm") {
			t.Errorf("Server DVD content:\n%s", server)
		}
		if g := manifest("Server-Gluster/x86_64/iso/" + lp + "-Server-x86_64-dvd1.iso"); !strings.Contains(g, "dummy-glusterfs-resource-agents") || strings.Contains(g, "dummy-lvm2") {
			t.Errorf("Gluster DVD content:\n%s", g)
		}
		if x := manifest("Server/x86_64/iso/extra-" + id + "-Server-x86_64-dvd1.iso"); !strings.Contains(x, "/Client/Packages/") || !strings.Contains(x, "/Server/Packages/") {
			t.Errorf("extra ISO content:\n%s", x)
		}
		var images struct {
			Payload struct {
				Images map[string]map[string][]struct {
					Path     string `json:"path"`
					VolumeID string `json:"volume_id"`
				} `json:"images"`
			} `json:"payload"`
		}
		readJSONInto(t, filepath.Join(top, "metadata", "images.json"), &images)
		for _, im := range images.Payload.Images["Server-Gluster"]["x86_64"] {
			if !strings.HasPrefix(filepath.Base(im.Path), lp) || !strings.HasPrefix(im.VolumeID, "Gluster-2.3 DP-1 Server") {
				t.Errorf("Gluster image %s, volume ID %q", im.Path, im.VolumeID)
			}
		}
	})

	t.Run("metadata", func(t *testing.T) {
		var ci struct {
			Payload struct {
				Variants map[string]struct {
					Type    string `json:"type"`
					Release *struct {
						Short, Version string
					} `json:"release"`
				} `json:"variants"`
			} `json:"payload"`
		}
		readJSONInto(t, filepath.Join(top, "metadata", "composeinfo.json"), &ci)
		var uids []string
		for uid := range ci.Payload.Variants {
			uids = append(uids, uid)
		}
		sort.Strings(uids)
		wantUIDs := []string{"Bar-Tools", "Client", "Client-optional", "Everything", "Foo-Tools", "Live", "Server", "Server-Gluster", "Server-ResilientStorage", "Server-optional"}
		if !slices.Equal(uids, wantUIDs) {
			t.Errorf("composeinfo variants %q, want %q", uids, wantUIDs)
		}
		if r := ci.Payload.Variants["Server-Gluster"].Release; r == nil || r.Short != "Gluster" || r.Version != "2.3" {
			t.Errorf("Server-Gluster release %+v", r)
		}
		// modules.json is written in every compose, as Pungi's: here,
		// without modules, its modules are empty.
		var mj struct {
			Header  struct{ Type string } `json:"header"`
			Payload struct {
				Compose struct{ ID string } `json:"compose"`
				Modules map[string]any      `json:"modules"`
			} `json:"payload"`
		}
		readJSONInto(t, filepath.Join(top, "metadata", "modules.json"), &mj)
		if mj.Header.Type != "productmd.modules" || mj.Payload.Compose.ID != id || mj.Payload.Modules == nil || len(mj.Payload.Modules) != 0 {
			t.Errorf("modules.json: %+v, want productmd.modules of %s with no modules", mj, id)
		}
		// .treeinfo: productmd's ids (no dashes) in [general] and
		// [variant-*] id, UIDs in [tree] and section names.
		for _, tc := range []struct {
			tree string
			want []string
		}{
			{"Bar-Tools/x86_64/os", []string{"[general]|variant = BarTools", "[general]|variants = BarTools", "[tree]|variants = Bar-Tools", "[variant-Bar-Tools]|id = BarTools"}},
			{"Server-optional/x86_64/os", []string{"[general]|variant = optional", "[tree]|variants = Server-optional", "[variant-Server-optional]|id = optional"}},
			{"Server/source/tree", []string{"[variant-Server]|addons = Server-ResilientStorage", "[addon-Server-ResilientStorage]|repository = addons/ResilientStorage"}},
			{"Server-Gluster/x86_64/os", []string{"[release]|short = Gluster", "[base_product]|version = 1", "[general]|variant = Server"}},
			{"Server/x86_64/os", []string{"[checksums]|repodata/repomd.xml = sha256:", "[checksums]|addons/ResilientStorage/repodata/repomd.xml = sha256:"}},
		} {
			ini := readINILines(t, filepath.Join(top, tc.tree, ".treeinfo"))
			for _, w := range tc.want {
				if !slices.ContainsFunc(ini, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("%s/.treeinfo lacks %q", tc.tree, w)
				}
			}
		}
		// Comps per arch: the desktop environment's <groupid
		// arch="x86_64">standard</groupid> is kept for x86_64 only,
		// without the attribute.
		for arch, want := range map[string]bool{"x86_64": true, "i386": false} {
			comps := readRepoComps(t, filepath.Join(top, "Client", arch, "os"))
			desktop := comps[strings.Index(comps, "<id>desktop</id>"):]
			desktop = desktop[:strings.Index(desktop, "</environment>")]
			if got := strings.Contains(desktop, "<groupid>standard</groupid>"); got != want || strings.Contains(comps, "arch=") {
				t.Errorf("Client.%s desktop environment:\n%s", arch, desktop)
			}
		}
	})
}

func readJSONInto(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// readINILines returns "[section]|key = value" for every option of an INI
// file.
func readINILines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sec := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(l, "["):
			sec = l
		case l != "":
			out = append(out, sec+"|"+l)
		}
	}
	return out
}

// readRepoComps returns the group file of a repository (plain or gzip).
func readRepoComps(t *testing.T, repo string) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(repo, "repodata", "*comps*.xml*"))
	for _, m := range matches {
		f, err := os.Open(m)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var r io.Reader = f
		if strings.HasSuffix(m, ".gz") {
			if r, err = gzip.NewReader(f); err != nil {
				t.Fatal(err)
			}
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	t.Fatalf("no comps in %s", repo)
	return ""
}
