package createrepo

import (
	"context"
	"fmt"
	"github.com/pungo/pungo/phases/config"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/compose"
	"github.com/pungo/pungo/phases/productmd"
	"github.com/pungo/pungo/repomd/createrepo/createrepotest"
	"github.com/pungo/pungo/repomd/rpmtest"
	"github.com/pungo/pungo/repomd/toolcheck"
)

// pungiCreaterepoCmd is the command line Pungi 4.3's create_variant_repo
// gives createrepo_c through CreaterepoWrapper.get_createrepo_cmd
// (pungi/wrappers/createrepo.py, pungi/phases/createrepo.py), written out
// here from those two files independently of the phase's own builder,
// with the output directory moved aside so both repositories can be
// compared. update_md_path is left out: the test has no package set
// repository (Pungi drops it too when making deltas), and pungo reuses
// only an old compose's metadata.
func pungiCreaterepoCmd(repoDir, outDir, pkglist, groupfile string, database bool, checksum string, deltas bool, oldDirs []string, workers int, useXZ bool, extra []string) []string {
	cmd := []string{"createrepo_c", repoDir, "--outputdir=" + outDir, "--pkglist=" + pkglist}
	if groupfile != "" {
		cmd = append(cmd, "--groupfile="+groupfile)
	}
	cmd = append(cmd, "--update", "--skip-stat") // update=True, skip_stat=True; pretty dropped for createrepo_c
	if database {
		cmd = append(cmd, "--database")
	} else {
		cmd = append(cmd, "--no-database")
	}
	if checksum != "" {
		cmd = append(cmd, "--checksum="+checksum)
	}
	cmd = append(cmd, "--unique-md-filenames")
	if deltas {
		cmd = append(cmd, "--deltas")
	}
	for _, d := range oldDirs {
		cmd = append(cmd, "--oldpackagedirs="+d)
	}
	if workers > 0 {
		cmd = append(cmd, fmt.Sprintf("--workers=%d", workers))
	}
	if useXZ {
		cmd = append(cmd, "--xz")
	}
	return append(cmd, extra...)
}

// TestComposeReposMatchPungiCommandLine runs the createrepo phase for
// combinations of createrepo_checksum, createrepo_database,
// createrepo_use_xz, createrepo_deltas, createrepo_extra_args (Fedora's
// --zck with dictionaries, Rocky's --distro/--revision) and product_id,
// then runs createrepo_c (and modifyrepo_c for the product certificate)
// with the command lines Pungi builds for the same variant repositories,
// and compares every repository record by record: types, compression,
// uncompressed content (changelogs included), database rows, zchunk
// chunks and headers, tags.
func TestComposeReposMatchPungiCommandLine(t *testing.T) {
	toolcheck.Need(t, "createrepo_c", "modifyrepo_c", "unzck", "zck_read_header", "zck_gen_zdict")
	corpus := rpmtest.Corpus(t)
	dicts := createrepotest.Dicts(t, corpus)
	comps, err := os.ReadFile(filepath.Join(toolcheck.ProjectRoot(), "testdata", "createrepo", "comps.xml"))
	if err != nil {
		t.Fatal(err)
	}
	certs := t.TempDir()
	os.WriteFile(filepath.Join(certs, "Server-x86_64-1.pem"), []byte("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"), 0o644)
	tests := []struct {
		name  string
		conf  map[string]any
		delta bool // needs makedeltarpm and an old compose
	}{
		{name: "defaults", conf: map[string]any{}},
		{name: "sha512 database xz", conf: map[string]any{"createrepo_checksum": "sha512", "createrepo_database": true, "createrepo_use_xz": true}},
		{name: "Fedora zck", conf: map[string]any{"createrepo_use_xz": true,
			"createrepo_extra_args": []any{"--zck", "--zck-dict-dir=" + dicts}}},
		{name: "Rocky tags, sha1, product_id", conf: map[string]any{"createrepo_checksum": "sha1", "product_id": certs,
			"createrepo_extra_args": []any{"--distro=cpe:/o:rocky:rocky:8,Rocky Linux 8", "--revision=8.7"}}},
		{name: "zck without dictionaries, database, changelog limit", conf: map[string]any{"createrepo_database": true,
			"createrepo_extra_args": []any{"--zck", "--changelog-limit", "2"}}},
		{name: "deltas with zck", conf: map[string]any{"createrepo_deltas": true, "createrepo_extra_args": []any{"--zck"}}, delta: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.delta {
				toolcheck.Need(t, "makedeltarpm")
			}
			conf := map[string]any{"release_name": "D", "release_short": "D", "release_version": "1", "comps_file": "comps.xml"}
			for k, v := range tt.conf {
				conf[k] = v
			}
			parent := t.TempDir()
			server := &compose.Variant{UID: "Server", ID: "Server", Name: "Server", Type: "variant", Arches: []string{"x86_64"}}
			var opts compose.Options
			var oldPackages string
			if tt.delta {
				oldDir, _, err := compose.CreateDir(parent, config.NewWithDefaults(conf), compose.Options{Type: "test", Date: "20240101"})
				if err != nil {
					t.Fatal(err)
				}
				oldPackages = filepath.Join(oldDir, "compose", "Server", "x86_64", "os", "Packages")
				os.MkdirAll(oldPackages, 0o755)
				os.Symlink(filepath.Join(corpus, "alpha-1.0-1.noarch.rpm"), filepath.Join(oldPackages, "alpha-1.0-1.noarch.rpm"))
				os.WriteFile(filepath.Join(oldDir, "STATUS"), []byte("FINISHED\n"), 0o644)
				opts.OldComposes = []string{parent}
			}
			dir, _, err := compose.CreateDir(parent, config.NewWithDefaults(conf), compose.Options{Type: "test", Date: "20240102"})
			if err != nil {
				t.Fatal(err)
			}
			c, err := compose.New(config.NewWithDefaults(conf), dir, opts, nil, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Log.Close()
			c.Variants = []*compose.Variant{server}
			os.MkdirAll(filepath.Dir(c.Paths.Work.Comps("x86_64", server)), 0o755)
			os.WriteFile(c.Paths.Work.Comps("x86_64", server), comps, 0o644)
			rpms := &productmd.Rpms{Compose: c.Info.Compose}
			put := func(file, nevra, cat, src string) {
				arch := "x86_64"
				if cat == "source" {
					arch = "src"
				}
				d, rel := c.Paths.Compose.Packages(arch, server), c.Paths.Compose.RelPackages(arch, server)
				if cat == "debug" {
					d, rel = c.Paths.Compose.DebugPackages(arch, server), c.Paths.Compose.RelDebugPackages(arch, server)
				}
				os.MkdirAll(d, 0o755)
				if err := os.Link(filepath.Join(corpus, file), filepath.Join(d, file)); err != nil {
					t.Fatal(err)
				}
				if err := rpms.Add(server.UID, "x86_64", nevra, rel+"/"+file, "", cat, src); err != nil {
					t.Fatal(err)
				}
			}
			put("alpha-2.0-1.noarch.rpm", "alpha-2:2.0-1.noarch", "binary", "alpha-2:2.0-1.src")
			put("libfoo-1.2.3-4.x86_64.rpm", "libfoo-0:1.2.3-4.x86_64", "binary", "libfoo-0:1.2.3-4.src")
			put("libfoo-devel-1.2.3-4.x86_64.rpm", "libfoo-devel-0:1.2.3-4.x86_64", "binary", "libfoo-0:1.2.3-4.src")
			put("multi-0.9-1.x86_64.rpm", "multi-0:0.9-1.x86_64", "binary", "multi-0:0.9-1.src")
			put("libfoo-debuginfo-1.2.3-4.x86_64.rpm", "libfoo-debuginfo-0:1.2.3-4.x86_64", "debug", "libfoo-0:1.2.3-4.src")
			put("alpha-1.0-1.src.rpm", "alpha-2:1.0-1.src", "source", "")
			put("libfoo-1.2.3-4.src.rpm", "libfoo-0:1.2.3-4.src", "source", "")
			if err := productmd.WriteJSON(c.Paths.Compose.Metadata("rpms.json"), rpms); err != nil {
				t.Fatal(err)
			}
			if err := compose.ValidateConfig(c, &Phase{}); err != nil {
				t.Fatal(err)
			}
			if err := (&Phase{}).Run(context.Background(), c); err != nil {
				t.Fatal(err)
			}

			checksum, _ := compose.StringOpt(c.Conf, "createrepo_checksum")
			extra := extraArgs(c)
			for _, r := range []struct {
				typ, listArch, dir string
			}{
				{"rpm", "x86_64", c.Paths.Compose.Repository("x86_64", server)},
				{"debug", "x86_64", c.Paths.Compose.DebugRepository("x86_64", server)},
				{"srpm", "src", c.Paths.Compose.Repository("src", server)},
			} {
				t.Run(r.typ, func(t *testing.T) {
					out := t.TempDir()
					group := ""
					if r.typ == "rpm" {
						group = c.Paths.Work.Comps("x86_64", server)
					}
					deltas := tt.delta && r.typ == "rpm"
					var oldDirs []string
					if deltas {
						oldDirs = []string{oldPackages}
					}
					list := c.Paths.Work.RepoPackageList(r.listArch, server, map[string]string{"rpm": "rpm", "debug": "debuginfo", "srpm": "srpm"}[r.typ])
					cmd := pungiCreaterepoCmd(r.dir, out, list, group, yumDatabase(c), checksum, deltas, oldDirs, 3,
						c.Conf.Bool("createrepo_use_xz"), extra)
					if b, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
						t.Fatalf("%s: %v\n%s", strings.Join(cmd, " "), err, b)
					}
					if _, ok := c.Conf.Get("product_id"); ok && r.typ == "rpm" {
						// Pungi: modifyrepo_c CERT REPODATA --compress --compress-type=gz.
						mcmd := []string{c.Paths.Work.ProductID("x86_64", server), filepath.Join(out, "repodata"), "--compress", "--compress-type=gz"}
						if b, err := exec.Command("modifyrepo_c", mcmd...).CombinedOutput(); err != nil {
							t.Fatalf("modifyrepo_c %v: %v\n%s", mcmd, err, b)
						}
						if _, err := os.Stat(filepath.Join(r.dir, "repodata", "productid")); err != nil {
							t.Errorf("repodata/productid (Pungi's copy of the certificate): %v", err)
						}
					}
					// A delta RPM's size and checksum depend on the tool
					// that compressed it (createrepo_c's drpm library,
					// pungo's makedeltarpm); everything else must match.
					createrepotest.Compare(t, out, r.dir, createrepotest.MaskContent("prestodelta", `<size>\d+</size>|<checksum type="[^"]+">[0-9a-f]+</checksum>`))
				})
			}
		})
	}
}
