// Package installcheck answers whether a set of packages can be installed
// together on an empty system, choosing any further packages it needs from
// the available ones, and explains the problems as libsolv does
// ("package A requires B, but none of the providers can be installed").
//
// The question is encoded in CNF (package sat holds our CDCL solver) with
// the rules libsolv creates for install jobs under dnf's pool settings
// (DISTTYPE_RPM, implicit obsoletes using arch colors):
//
//   - every requirement, pre/post ones included and weak ones ignored, needs
//     one installed provider; provides are matched with rpm's range
//     semantics (repomd.RangesOverlap), path requirements also by packaged
//     files, rich dependencies by their boolean meaning as libsolv
//     normalizes it ("A unless B" is A and not B);
//   - a conflict excludes every other package that provides it (files
//     included); a package never conflicts with itself alone. A rich
//     conflict fires when any term of its disjunctive normal form holds,
//     the package itself counted as installed;
//   - an obsolete excludes the packages whose name and version it matches
//     (names, not provides, as rpm), also for multiversion packages;
//   - two builds of one name exclude each other when their arches share a
//     color (noarch goes with all, 64-bit and 32-bit arches apart), so
//     glibc.x86_64 and glibc.i686 can coexist but not two glibc.x86_64;
//     providers of a multiversion (installonly) capability are exempt:
//     Check uses dnf's default installonlypkgs, CheckWith any list;
//   - libsolv's inferior-arch policy: among the builds of a name reached
//     from the jobs, those of a worse arch class than the best one may only
//     be installed beside their same-version best-arch (or noarch) build,
//     unless a job asks for such an inferior build itself;
//   - packages of arches the target cannot run provide nothing; asking to
//     install one is a problem. Source packages are ignored.
//
// Only the packages reachable from the jobs are encoded: any solution can
// leave the others out, so the answer is that of the whole set.
//
// On failure each problem comes from a minimal unsatisfiable core: one
// solve with a selector literal per rule and the install jobs as
// assumptions yields a core, deletion on a small solver holding only the
// core's rules makes it minimal, and every rule of it becomes a sentence.
package installcheck
