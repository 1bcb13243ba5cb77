"""libsolv side of bench/run.sh (python3-solv, DISTTYPE_RPM).

  solvbench.py load REPODIR...              load the primaries
  solvbench.py load-filelists REPODIR       load primary and filelists
  solvbench.py install NAMESFILE REPODIR... load the primaries, then solve
                                            "install NAME" for every name
  solvbench.py write-solv DIR REPODIR...    load the primaries, write each
                                            repository's .solv file into DIR
  solvbench.py load-solv DIR REPODIR...     load those .solv files (libsolv's
                                            and dnf's cache; pungo --cachedir)

Prints the package count (load) or, for install, "load_wall solve_wall
load_cpu solve_cpu problems packages": loading is reading the primaries and
building the whatprovides index; the stub set-up in between (plain Python,
slow) is in neither figure, only in the whole process's time. Requirements no package provides get one stub provider, because the
benchmark repositories are not closed (the synthetic generator leaves some
pkgconfig() requires open, the two CentOS Stream 9 snapshots differ) and
pungo's gather reports and skips those instead of refusing the job.
"""
import glob
import hashlib
import os
import sys
import time

import solv


def new_pool():
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)  # before setarch
    pool.setarch("x86_64")
    return pool


def add(pool, repodir, filelists=False):
    repo = pool.add_repo(repodir)
    f = solv.xfopen(glob.glob(repodir + "/repodata/*primary.xml*")[0])
    repo.add_rpmmd(f, None, 0)
    f.close()
    if filelists:
        f = solv.xfopen(glob.glob(repodir + "/repodata/*filelists.xml*")[0])
        repo.add_rpmmd(f, None, solv.Repo.REPO_EXTEND_SOLVABLES)
        f.close()
    return repo


def leaf_names(text):
    # names in a rich dependency: words that are neither operators nor
    # versions ("(a >= 1 with a < 2)" -> a)
    out, prev = [], ""
    ops = ("<", "<=", "=", ">=", ">")
    for tok in text.split():
        tok = tok.lstrip("(")
        while tok.count(")") > tok.count("("):
            tok = tok[:-1]
        if tok and tok not in ("and", "or", "if", "else", "unless", "with", "without") \
                and tok not in ops and prev not in ops:
            out.append(tok)
        prev = tok
    return out


def install(names_file, repodirs):
    names = open(names_file).read().split()
    t0, c0 = time.time(), time.process_time()
    pool = new_pool()
    for d in repodirs:
        add(pool, d)
    pool.addfileprovides()
    pool.createwhatprovides()
    t_load, c_load = time.time() - t0, time.process_time() - c0
    missing = set()
    for sv in pool.solvables_iter():
        for dep in sv.lookup_deparray(solv.SOLVABLE_REQUIRES):
            if not pool.whatprovides(dep.id) and not str(dep).startswith("rpmlib("):
                missing.add(dep.id)
    stubs = pool.add_repo("stubs")
    stub = stubs.add_solvable()
    stub.name, stub.evr, stub.arch = "unresolved-stub", "1-1", "noarch"
    for d in missing:
        text = pool.dep2str(d)
        for name in (leaf_names(text) if text.startswith("(") else [text.split(" ")[0]]):
            stub.add_deparray(solv.SOLVABLE_PROVIDES, pool.Dep(name))
    stubs.internalize()
    pool.createwhatprovides()
    t1, c1 = time.time(), time.process_time()
    jobs = [pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_NAME, pool.str2id(n)) for n in names]
    solver = pool.Solver()
    solver.set_flag(solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED, 1)
    problems = solver.solve(jobs)
    t2, c2 = time.time(), time.process_time()
    n = len(solver.transaction().newsolvables())
    print("%.3f %.3f %.3f %.3f %d %d" % (t_load, t2 - t1, c_load, c2 - c1, len(problems), n))


def solv_path(cachedir, repodir):
    return os.path.join(cachedir, hashlib.sha256(os.path.abspath(repodir).encode()).hexdigest()[:16] + ".solv")


def write_solv(cachedir, repodirs):
    os.makedirs(cachedir, exist_ok=True)
    pool = new_pool()
    for d in repodirs:
        repo = add(pool, d)
        f = solv.xfopen(solv_path(cachedir, d), "w")
        repo.write(f)
        f.close()


def load_solv(cachedir, repodirs):
    pool = new_pool()
    n = 0
    for d in repodirs:
        repo = pool.add_repo(d)
        f = solv.xfopen(solv_path(cachedir, d))
        repo.add_solv(f)
        f.close()
        n += repo.nsolvables
    print(n)


def main():
    if sys.argv[1] in ("load", "load-filelists"):
        pool = new_pool()
        n = 0
        for d in sys.argv[2:]:
            n += add(pool, d, sys.argv[1] == "load-filelists").nsolvables
        print(n)
    elif sys.argv[1] == "install":
        install(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "write-solv":
        write_solv(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "load-solv":
        load_solv(sys.argv[2], sys.argv[3:])
    else:
        sys.exit("usage: solvbench.py load|load-filelists REPODIR... | install NAMES REPODIR... | write-solv|load-solv DIR REPODIR...")


main()
