// Package depsolve owns package gathering: a libsolv-style pool over
// several rpm-md repositories, Pungi's gather algorithm (Pungi 4.4+
// pungi/gather_dnf.py) run natively on it, and dnf repoclosure's check.
// depsolve/installcheck (a separate package) answers installability.
//
// # Pool
//
// NewPool takes repositories in order; each is main or lookaside
// (Repo.Lookaside). Packages get integer ids (PkgID) in repository order,
// and within a repository in primary.xml order. Names are interned. One
// whatprovides index covers explicit provides plus the "name = EVR" provide
// libsolv gives every binary package; file dependencies are answered from
// the packages' file lists. Only paths that something requires are indexed
// (like libsolv's addfileprovides), and filelists.xml is read (Repo.LoadFiles,
// once for all repositories) only when a required path lies outside what
// primary.xml lists completely (/etc/…, …bin/…, /usr/lib/sendmail). Version
// ranges match with rpm's rules (repomd.EVROverlap); rich dependencies are
// expanded as libsolv answers provider queries for them ("and"/"or": union,
// "if"/"unless": the first argument plus any "else" branch, "with":
// intersection, "without": difference). Source packages provide nothing.
//
// Module filtering (modules.go): a pool shows every package, as Pungi's
// gather does (it adds repositories with module_hotfixes). On request it
// applies the repositories' modules.yaml: dnf's default-stream view
// (HideInactiveModules, for repoclosure) or a chosen set of active streams
// (ApplyModules); GatherHybrid solves as Pungi's hybrid method for enabled
// streams (depsolve --module). Hidden packages are invisible to Gather and
// Repoclosure; HiddenWhy says which stream hid each.
//
// # Gather
//
// Gather(pool, patterns, opts) returns Pungi's result_binary_packages
// (Result.RPM), result_source_packages (SRPM) and result_debug_packages
// (Debuginfo), each package with Pungi's flags (Flags) and the reason it
// was added (Reason: step, pulling package, requirement), plus the
// unresolvable requirements Pungi only warns about (Result.Broken). It does
// what gather_dnf does, in its order:
//
//   - the arch universe of the tree arch (Options.Arch) with its preference
//     order, split into native (with noarch) and multilib arches;
//   - excludes ("-pattern": "name.+" multilib, "name.src" source, debug
//     names, else a name glob) on main repositories only, and the multilib
//     blacklist on all repositories, before anything is chosen;
//   - input patterns: globs, "name.arch" with a known arch, "name.+",
//     debug names, and with greedy all "system-release" as a provide; one
//     best package per matching name;
//   - the best-provider policy: with lookaside repositories first the
//     highest EVR across all candidates (a main copy of a name-EVR also in a
//     lookaside gives way), then the latest of each name.arch; providers
//     already in the result (native, then multilib), else native, else
//     multilib; then arch order, shortest name, name. Greedy all returns
//     every candidate; greedy build, for requirements, every candidate of the
//     chosen kind built from the best one's source;
//   - requirements are requires + pre + post (weak dependencies never),
//     resolved once per requirement string for the whole run (binary, source
//     and debug packages share that memo), never for lookaside packages;
//   - the fixed-point loop, restarting from the first pass whenever one adds
//     something: conditional comps packages, binary dependencies, build
//     dependencies (selfhosting), source packages (by sourcerpm, preferring
//     the binary's repository; nosrc included), debuginfo and debugsource
//     packages (same source and arch), their dependencies among debug
//     packages, fulltree (with fulltree excludes), langpacks, multilib (via
//     multilib.Checker);
//   - the lookaside flag (not shipped) on every binary, debuginfo and
//     debugsource package added whose exact NEVRA a lookaside repository
//     holds, whichever repository the copy came from (current Pungi's
//     is_from_lookaside); on a source package when it or its binary comes
//     from a lookaside repository;
//   - NoDeps, ExcludeSource and ExcludeDebug switch off what they name.
//
// Determinism: Pungi walks some sets in Python's hash order, so a few of
// its answers (which provider wins when another one is already in the
// result, which package carries a flag) depend on package ids. Gather walks
// every set in repository order instead (ascending PkgID: repositories in
// the order given, packages in primary.xml order), and where Pungi sorts
// packages (fulltree, langpacks, multilib) it sorts as hawkey does, by name,
// EVR and arch. The output is the same for every run and GOMAXPROCS. Pungi
// loads lookaside repositories before main ones; callers that want its
// answers pass them first (pungo depsolve does).
//
// Reasons: every added package records its step — input, prepopulate,
// binary-dep, source-dep, debug-dep, cond-dep, fulltree, langpack,
// multilib:METHOD, srpm (the source of a binary) or debuginfo (the debug
// package of a binary) — and Result.Why follows them back to an input.
//
// A caller such as the compose's gather phase does:
//
//	repo, err := repomd.Open(dir)
//	pool, err := depsolve.NewPool([]*depsolve.Repo{depsolve.RepoFrom("lookaside", la, true), depsolve.RepoFrom("Server", repo, false)})
//	res, err := depsolve.Gather(pool, []string{"bash", "-foo-docs"}, depsolve.Options{
//		Arch: "x86_64", Greedy: depsolve.GreedyNone, MultilibMethods: []string{"devel", "runtime"},
//		Conditional: conds, Langpacks: langs})
//	for _, it := range res.RPM { … it.Pkg, it.Repo.ID, it.Flags.Names() … }
//
// A Pool is not safe for concurrent use: it loads filelists lazily.
// Gather does not modify the pool's packages (beyond completing file lists),
// so one pool serves several Gather calls (per variant or arch) in turn.
//
// # Repoclosure
//
// Repoclosure reports what dnf repoclosure reports: for every checked
// package (ClosureOptions.Check repositories, Arches), the requirements
// other than rpmlib() and solvable: ones that no binary package of an arch
// compatible with the pool arch provides; every version counts, or only the
// latest of each name.arch with Best.
package depsolve
