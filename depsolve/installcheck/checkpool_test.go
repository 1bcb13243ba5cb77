package installcheck

import (
	"reflect"
	"testing"

	"github.com/pungo/pungo/depsolve"
	"github.com/pungo/pungo/repomd"
)

// TestCheckPoolMatchesCheck checks every scenario again inside a larger
// depsolve pool, as `pungo depsolve --check-install` does: the candidates
// sit in reverse order behind a repository of decoys that provide every
// capability the scenarios ask for. Only candidates may provide, so the
// answers must be those of Check over the candidates alone.
func TestCheckPoolMatchesCheck(t *testing.T) {
	for _, sc := range scenarios {
		pkgs, install, arch := sc.build(t)
		var decoys []spec
		for _, s := range sc.pkgs {
			decoys = append(decoys, spec{nevra: "decoy-" + s.nevra, provides: append(append([]string{}, s.requires...), s.provides...)})
		}
		var decoyPkgs []*repomd.Package
		for i, s := range decoys {
			decoyPkgs = append(decoyPkgs, mkpkg(t, 1000+i, s))
		}
		reversed := make([]*repomd.Package, len(pkgs))
		for i, p := range pkgs {
			reversed[len(pkgs)-1-i] = p
		}
		dp, err := depsolve.NewPool([]*depsolve.Repo{{ID: "decoys", Packages: decoyPkgs}, {ID: "candidates", Packages: reversed}})
		if err != nil {
			t.Fatal(err)
		}
		idOf := map[*repomd.Package]depsolve.PkgID{}
		for id := depsolve.PkgID(0); int(id) < dp.Len(); id++ {
			idOf[dp.Pkg(id)] = id
		}
		var avail, inst []depsolve.PkgID
		for _, p := range pkgs {
			avail = append(avail, idOf[p])
		}
		for _, p := range install {
			inst = append(inst, idOf[p])
		}
		opts := Options{}
		if sc.multi {
			opts.Multiversion = DefaultMultiversion
		}
		got, err := CheckPool(dp, inst, avail, arch, opts)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		want, err := sc.check(pkgs, install, arch)
		if err != nil {
			t.Fatalf("%s: %v", sc.name, err)
		}
		if got.Installable != want.Installable || !reflect.DeepEqual(got.Problems, want.Problems) || !reflect.DeepEqual(got.Solution, want.Solution) {
			t.Errorf("%s: CheckPool installable=%v problems=%q solution=%d packages; Check installable=%v problems=%q solution=%d packages",
				sc.name, got.Installable, got.Problems, len(got.Solution), want.Installable, want.Problems, len(want.Solution))
		}
	}
}
