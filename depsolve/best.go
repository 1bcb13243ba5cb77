package depsolve

import (
	"strconv"

	"github.com/pungo/pungo/depsolve/internal/idset"
	"github.com/pungo/pungo/repomd"
)

// best is Pungi's _get_best_package. cands must be in ascending ids (the
// order dnf queries return). withReq says the candidates answer a
// requirement (greedy build applies only then); debug picks among debug
// packages instead of binary ones.
func (g *gatherer) best(cands []PkgID, withReq, debug bool) []PkgID {
	if len(cands) == 0 {
		return nil
	}
	pk := g.pool.pkgs
	list := cands
	var fromLookaside map[string]bool
	if g.lookasideAny {
		// Highest EVR across names first, then a main-repo package whose
		// name-EVR is also in a lookaside gives way to the lookaside copy.
		list = highestEVR(pk, cands)
		for _, i := range list {
			if g.lookaside(i) {
				if fromLookaside == nil {
					fromLookaside = map[string]bool{}
				}
				fromLookaside[pk[i].Name+"-"+pk[i].EVR.String()] = true
			}
		}
	}
	var native, multi []PkgID
	for _, i := range list {
		if fromLookaside != nil && !g.lookaside(i) && fromLookaside[pk[i].Name+"-"+pk[i].EVR.String()] {
			continue
		}
		if debug {
			if g.qNativeDebug(i) {
				native = append(native, i)
			}
			if g.qMultiDebug(i) {
				multi = append(multi, i)
			}
		} else {
			if g.qNativeBin(i) {
				native = append(native, i)
			}
			if g.qMultiBin(i) {
				multi = append(multi, i)
			}
		}
	}
	native = latest(g.pool, native)
	multi = latest(g.pool, multi)
	if g.opts.Greedy == GreedyAll {
		return idset.Union(native, multi)
	}

	var result []PkgID
	for _, set := range [][]PkgID{native, multi} {
		for _, i := range set {
			if g.in[destBinary][i] {
				result = append(result, i)
			}
		}
		if len(result) > 0 {
			break
		}
	}
	if len(result) == 0 {
		result = native
	}
	if len(result) == 0 {
		result = multi
	}
	if len(result) == 0 {
		return nil
	}
	// Best arch, then shortest name, then name; ids break remaining ties.
	match := result[0]
	for _, i := range result[1:] {
		if g.better(i, match) {
			match = i
		}
	}
	if g.opts.Greedy == GreedyBuild && withReq {
		from := multi
		if g.isNative(match) {
			from = native
		}
		var out []PkgID
		for _, i := range from {
			if pk[i].SourceRPM == pk[match].SourceRPM {
				out = append(out, i)
			}
		}
		return out
	}
	return []PkgID{match}
}

// better orders best-package candidates: arch rank, name length, name, id.
func (g *gatherer) better(a, b PkgID) bool {
	x, y := g.pool.pkgs[a], g.pool.pkgs[b]
	if ra, rb := g.arch.rank[x.Arch], g.arch.rank[y.Arch]; ra != rb {
		return ra < rb
	}
	if len(x.Name) != len(y.Name) {
		return len(x.Name) < len(y.Name)
	}
	if x.Name != y.Name {
		return x.Name < y.Name
	}
	return a < b
}

// evrTuple is Pungi's (str(epoch), version, release) with hawkey's integer
// epoch, so "" and "0" are the same.
type evrTuple struct{ e, v, r string }

func tupleOf(p *repomd.Package) evrTuple {
	e := p.Epoch
	if n, err := strconv.ParseUint(e, 10, 64); err == nil {
		e = strconv.FormatUint(n, 10)
	} else if e == "" {
		e = "0"
	}
	return evrTuple{e, p.Version, p.Release}
}

// highestEVR keeps the candidates with the highest EVR whatever their
// name, as Pungi's sort + groupby does: stable order, and only the leading
// run whose EVR strings equal the first one's.
func highestEVR(pk []*repomd.Package, cands []PkgID) []PkgID {
	max := cands[0]
	for _, i := range cands[1:] {
		if repomd.CompareEVR(pk[i].EVR, pk[max].EVR) > 0 {
			max = i
		}
	}
	var out []PkgID
	var first evrTuple
	for _, i := range cands {
		if repomd.CompareEVR(pk[i].EVR, pk[max].EVR) != 0 {
			continue
		}
		t := tupleOf(pk[i])
		if len(out) == 0 {
			first = t
		} else if t != first {
			break
		}
		out = append(out, i)
	}
	return out
}

// latest is hawkey's latest(): per name and arch, the packages with the
// highest EVR (the leading run with identical EVR among equals), ascending
// ids.
func latest(pool *Pool, ids []PkgID) []PkgID {
	if len(ids) < 2 {
		return ids
	}
	type na struct {
		name NameID
		arch string
	}
	pk := pool.pkgs
	top := map[na]PkgID{}
	for _, i := range ids {
		k := na{pool.pkgName[i], pk[i].Arch}
		if j, ok := top[k]; !ok || repomd.CompareEVR(pk[i].EVR, pk[j].EVR) > 0 {
			top[k] = i
		}
	}
	out := make([]PkgID, 0, len(top))
	lead := map[na]evrTuple{}
	stopped := map[na]bool{}
	for _, i := range ids {
		k := na{pool.pkgName[i], pk[i].Arch}
		if stopped[k] || repomd.CompareEVR(pk[i].EVR, pk[top[k]].EVR) != 0 {
			continue
		}
		t := tupleOf(pk[i])
		if l, ok := lead[k]; !ok {
			lead[k] = t
		} else if l != t {
			stopped[k] = true
			continue
		}
		out = append(out, i)
	}
	return out
}
