package createrepo

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"github.com/mattn/go-sqlite3"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/rpmfile"
)

// dbVersion is the database_version createrepo_c (and yum) use.
const dbVersion = 10

// The schema is createrepo_c's, statement for statement, so that tools
// reading the databases (yum, dnf's older paths, ad-hoc sqlite queries)
// see exactly the tables, columns, triggers and indexes they expect.
var (
	dbInfoSchema = "CREATE TABLE db_info (dbversion INTEGER, checksum TEXT)"

	depTables = []string{"requires", "provides", "conflicts", "obsoletes", "suggests", "enhances", "recommends", "supplements"}

	primarySchema = func() []string {
		s := []string{
			"CREATE TABLE packages (  pkgKey INTEGER PRIMARY KEY,  pkgId TEXT,  name TEXT,  arch TEXT,  version TEXT,  epoch TEXT,  release TEXT,  summary TEXT,  description TEXT,  url TEXT,  time_file INTEGER,  time_build INTEGER,  rpm_license TEXT,  rpm_vendor TEXT,  rpm_group TEXT,  rpm_buildhost TEXT,  rpm_sourcerpm TEXT,  rpm_header_start INTEGER,  rpm_header_end INTEGER,  rpm_packager TEXT,  size_package INTEGER,  size_installed INTEGER,  size_archive INTEGER,  location_href TEXT,  location_base TEXT,  checksum_type TEXT)",
			"CREATE TABLE files (  name TEXT,  type TEXT,  pkgKey INTEGER)",
		}
		for _, t := range depTables {
			pre := ""
			if t == "requires" {
				pre = ", pre BOOLEAN DEFAULT FALSE"
			}
			s = append(s, fmt.Sprintf("CREATE TABLE %s (  name TEXT,  flags TEXT,  epoch TEXT,  version TEXT,  release TEXT,  pkgKey INTEGER %s)", t, pre))
		}
		var trig strings.Builder
		trig.WriteString("CREATE TRIGGER removals AFTER DELETE ON packages  BEGIN    DELETE FROM files WHERE pkgKey = old.pkgKey;")
		for _, t := range depTables {
			fmt.Fprintf(&trig, "    DELETE FROM %s WHERE pkgKey = old.pkgKey;", t)
		}
		trig.WriteString("  END;")
		return append(s, trig.String())
	}()
	primaryIndexes = func() []string {
		s := []string{
			"CREATE INDEX IF NOT EXISTS packagename ON packages (name)",
			"CREATE INDEX IF NOT EXISTS packageId ON packages (pkgId)",
			"CREATE INDEX IF NOT EXISTS filenames ON files (name)",
			"CREATE INDEX IF NOT EXISTS pkgfiles ON files (pkgKey)",
		}
		for i, t := range depTables {
			s = append(s, fmt.Sprintf("CREATE INDEX IF NOT EXISTS pkg%s on %s (pkgKey)", t, t))
			if i < 2 {
				s = append(s, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %sname ON %s (name)", t, t))
			}
		}
		return s
	}()
	filelistsSchema = []string{
		"CREATE TABLE packages (  pkgKey INTEGER PRIMARY KEY,  pkgId TEXT)",
		"CREATE TABLE filelist (  pkgKey INTEGER,  dirname TEXT,  filenames TEXT,  filetypes TEXT)",
		"CREATE TRIGGER remove_filelist AFTER DELETE ON packages  BEGIN    DELETE FROM filelist WHERE pkgKey = old.pkgKey;  END;",
	}
	filelistsIndexes = []string{
		"CREATE INDEX IF NOT EXISTS keyfile ON filelist (pkgKey)",
		"CREATE INDEX IF NOT EXISTS pkgId ON packages (pkgId)",
		"CREATE INDEX IF NOT EXISTS dirnames ON filelist (dirname)",
	}
	otherSchema = []string{
		"CREATE TABLE packages (  pkgKey INTEGER PRIMARY KEY,  pkgId TEXT)",
		"CREATE TABLE changelog (  pkgKey INTEGER,  author TEXT,  date INTEGER,  changelog TEXT)",
		"CREATE TRIGGER remove_changelogs AFTER DELETE ON packages  BEGIN    DELETE FROM changelog WHERE pkgKey = old.pkgKey;  END;",
	}
	otherIndexes = []string{
		"CREATE INDEX IF NOT EXISTS keychange ON changelog (pkgKey)",
		"CREATE INDEX IF NOT EXISTS pkgId ON packages (pkgId)",
	}
)

// dbKind selects one of the three databases.
type dbKind int

const (
	dbPrimary dbKind = iota
	dbFilelists
	dbOther
)

// dbWriter fills one database inside a single transaction. It talks to
// the go-sqlite3 driver directly: database/sql's per-call locking,
// argument conversion and result wrapping cost about as much as sqlite's
// own work for the small rows of rpm metadata.
type dbWriter struct {
	kind dbKind
	path string
	conn driver.Conn
	exec driver.ExecerContext
	// The prepared inserts: packages, then the dependency tables in
	// depTables order, then files, filelist or changelog.
	pkgs  *stmt
	deps  [8]*stmt
	files *stmt
	key   int64
}

// stmt is a prepared insert with its reused argument list.
type stmt struct {
	s    driver.Stmt
	x    driver.StmtExecContext
	args []driver.NamedValue
}

func (st *stmt) exec(vals ...driver.Value) error {
	for i, v := range vals {
		st.args[i].Value = v
	}
	_, err := st.x.ExecContext(context.Background(), st.args)
	return err
}

func openDB(path string, kind dbKind) (w *dbWriter, err error) {
	dc, err := (&sqlite3.SQLiteDriver{}).Open(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// go-sqlite3's connections and statements implement the context
	// variants; the interfaces (not its types) keep this package building
	// without cgo, where the driver is a stub that fails to open.
	w = &dbWriter{kind: kind, path: path, conn: dc, exec: dc.(driver.ExecerContext)}
	defer func() {
		if err != nil {
			dc.Close() // not w.conn: the return has set w to nil
			err = fmt.Errorf("%s: %w", path, err)
		}
	}()
	// A half-written database is never used (the run fails and the
	// directory is removed), so neither a journal nor syncs buy anything.
	// secure_delete zeroes the space a page split frees, as Debian's and
	// Fedora's sqlite (built with SQLITE_SECURE_DELETE, which createrepo_c
	// uses) do: stale row bytes left there cost bzip2 4% more work on the
	// tiny corpus's primary.sqlite and made the file differ from
	// createrepo_c's in 30,000 bytes (now 64, the header's counters).
	for _, p := range []string{"PRAGMA synchronous = OFF", "PRAGMA journal_mode = OFF", "PRAGMA temp_store = MEMORY", "PRAGMA secure_delete = ON"} {
		if err := w.run(p); err != nil {
			return nil, err
		}
	}
	schema := append([]string{dbInfoSchema}, map[dbKind][]string{dbPrimary: primarySchema, dbFilelists: filelistsSchema, dbOther: otherSchema}[kind]...)
	for _, q := range schema {
		if err := w.run(q); err != nil {
			return nil, err
		}
	}
	if err := w.run("BEGIN"); err != nil {
		return nil, err
	}
	prep := func(q string, n int) *stmt {
		if err != nil {
			return nil
		}
		var ds driver.Stmt
		if ds, err = w.conn.Prepare(q); err != nil {
			return nil
		}
		st := &stmt{s: ds, x: ds.(driver.StmtExecContext), args: make([]driver.NamedValue, n)}
		for i := range st.args {
			st.args[i].Ordinal = i + 1
		}
		return st
	}
	switch kind {
	case dbPrimary:
		w.pkgs = prep("INSERT INTO packages (  pkgId, name, arch, version, epoch, release, summary, description,  url, time_file, time_build, rpm_license, rpm_vendor, rpm_group,  rpm_buildhost, rpm_sourcerpm, rpm_header_start, rpm_header_end,  rpm_packager, size_package, size_installed, size_archive,  location_href, location_base, checksum_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,  ?, ?, ?, ?, ?, ?, ?)", 25)
		for i, t := range depTables {
			if t == "requires" {
				w.deps[i] = prep("INSERT INTO requires (name, flags, epoch, version, release, pkgKey, pre) VALUES (?, ?, ?, ?, ?, ?, ?)", 7)
			} else {
				w.deps[i] = prep(fmt.Sprintf("INSERT INTO %s (name, flags, epoch, version, release, pkgKey) VALUES (?, ?, ?, ?, ?, ?)", t), 6)
			}
		}
		w.files = prep("INSERT INTO files (name, type, pkgKey) VALUES (?, ?, ?)", 3)
	case dbFilelists:
		w.pkgs = prep("INSERT INTO packages (pkgId) VALUES (?)", 1)
		w.files = prep("INSERT INTO filelist (pkgKey, dirname, filenames, filetypes)  VALUES (?, ?, ?, ?)", 4)
	case dbOther:
		w.pkgs = prep("INSERT INTO packages (pkgId) VALUES (?)", 1)
		w.files = prep("INSERT INTO changelog (pkgKey, author, date, changelog)  VALUES (?, ?, ?, ?)", 4)
	}
	if err != nil {
		w.closeStmts()
		return nil, err
	}
	return w, nil
}

// run executes one statement without arguments.
func (w *dbWriter) run(q string) error {
	_, err := w.exec.ExecContext(context.Background(), q, nil)
	return err
}

func (w *dbWriter) closeStmts() {
	for _, st := range append([]*stmt{w.pkgs, w.files}, w.deps[:]...) {
		if st != nil {
			st.s.Close()
		}
	}
}

// null maps "" to SQL NULL, as createrepo_c stores an empty URL, packager
// and location base. The other strings are stored as they are: rpm always
// writes their tags, and the package model cannot tell an absent tag
// from an empty one.
func null(s string) driver.Value {
	if s == "" {
		return nil
	}
	return clean(s)
}

func (w *dbWriter) add(p *repomd.Package) error {
	w.key++
	var err error
	switch w.kind {
	case dbPrimary:
		err = w.addPrimary(p)
	case dbFilelists:
		err = w.addFilelists(p)
	case dbOther:
		err = w.addOther(p)
	}
	if err != nil {
		return fmt.Errorf("%s: %s: %w", w.path, p.Location, err)
	}
	return nil
}

func (w *dbWriter) addPrimary(p *repomd.Package) error {
	err := w.pkgs.exec(p.Checksum.Value, p.Name, p.Arch, p.Version, p.Epoch, p.Release,
		clean(p.Summary), clean(p.Description), null(p.URL), p.TimeFile, p.TimeBuild,
		clean(p.License), clean(p.Vendor), clean(p.Group), clean(p.BuildHost), clean(p.SourceRPM),
		p.HeaderStart, p.HeaderEnd, null(p.Packager), p.SizePackage, p.SizeInstalled, p.SizeArchive,
		p.Location, null(p.LocationBase), p.Checksum.Type)
	if err != nil {
		return err
	}
	lists := [...]repomd.DepList{p.Requires, p.Provides, p.Conflicts, p.Obsoletes, p.Suggests, p.Enhances, p.Recommends, p.Supplements}
	for i, st := range w.deps {
		for _, d := range lists[i].All() {
			var flags driver.Value
			if d.Flags != repomd.DepAny {
				flags = d.Flags.XMLName()
			}
			if i == 0 { // requires
				pre := "FALSE"
				if d.Pre {
					pre = "TRUE"
				}
				err = st.exec(clean(d.Name), flags, null(d.Epoch), null(d.Version), null(d.Release), w.key, pre)
			} else {
				err = st.exec(clean(d.Name), flags, null(d.Epoch), null(d.Version), null(d.Release), w.key)
			}
			if err != nil {
				return err
			}
		}
	}
	for _, f := range p.Files {
		if !rpmfile.IsPrimaryFile(f.Path) {
			continue
		}
		if err := w.files.exec(clean(f.Path), fileTypeName(f.Type), w.key); err != nil {
			return err
		}
	}
	return nil
}

func fileTypeName(t repomd.FileType) string {
	switch t {
	case repomd.FileDir:
		return "dir"
	case repomd.FileGhost:
		return "ghost"
	}
	return "file"
}

func (w *dbWriter) addFilelists(p *repomd.Package) error {
	if err := w.pkgs.exec(p.Checksum.Value); err != nil {
		return err
	}
	// One row per directory, in the order directories first appear; the
	// base names are joined with '/', the types spelled f, d or g.
	type enc struct{ names, types []byte }
	var order []string
	dirs := map[string]*enc{}
	for _, f := range p.Files {
		i := strings.LastIndexByte(f.Path, '/')
		dir, name := f.Path[:i+1], f.Path[i+1:]
		e := dirs[dir]
		if e == nil {
			e = &enc{}
			dirs[dir] = e
			order = append(order, dir)
		}
		if len(e.names) > 0 {
			e.names = append(e.names, '/')
		}
		if name == "" {
			e.names = append(e.names, '/')
		} else {
			e.names = append(e.names, name...)
		}
		e.types = append(e.types, "fdg"[f.Type])
	}
	for _, dir := range order {
		e := dirs[dir]
		d := dir
		for len(d) > 1 && d[len(d)-1] == '/' {
			d = d[:len(d)-1]
		}
		if d == "" {
			d = "."
		}
		if err := w.files.exec(w.key, clean(d), clean(string(e.names)), string(e.types)); err != nil {
			return err
		}
	}
	return nil
}

func (w *dbWriter) addOther(p *repomd.Package) error {
	if err := w.pkgs.exec(p.Checksum.Value); err != nil {
		return err
	}
	for _, c := range p.Changelogs {
		if err := w.files.exec(w.key, clean(c.Author), c.Date, clean(c.Text)); err != nil {
			return err
		}
	}
	return nil
}

// finish records the checksum of the matching XML file in db_info, builds
// the indexes and closes the database.
func (w *dbWriter) finish(xmlChecksum string) error {
	err := func() error {
		info, err := w.conn.Prepare("INSERT INTO db_info (dbversion, checksum) VALUES (?, ?)")
		if err != nil {
			return err
		}
		_, err = info.(driver.StmtExecContext).ExecContext(context.Background(), []driver.NamedValue{{Ordinal: 1, Value: int64(dbVersion)}, {Ordinal: 2, Value: xmlChecksum}})
		info.Close()
		if err != nil {
			return err
		}
		w.closeStmts()
		if err := w.run("COMMIT"); err != nil {
			return err
		}
		idx := map[dbKind][]string{dbPrimary: primaryIndexes, dbFilelists: filelistsIndexes, dbOther: otherIndexes}[w.kind]
		for _, q := range idx {
			if err := w.run(q); err != nil {
				return err
			}
		}
		return w.conn.Close()
	}()
	if err != nil {
		w.conn.Close()
		return fmt.Errorf("%s: %w", w.path, err)
	}
	return nil
}

func (w *dbWriter) abort() {
	w.closeStmts()
	w.conn.Close()
}
