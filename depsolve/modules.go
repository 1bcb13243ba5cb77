package depsolve

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Module filtering: dnf hides modular packages the way a system without
// any module state sees them, and Pungi's gather and dnf repoclosure only
// ever see what dnf shows. HideInactiveModules reproduces that from the
// repositories' modules.yaml: the streams named as defaults
// (modulemd-defaults "stream:") are active; every artifact of another
// stream is hidden, and so is every non-modular package that has the name
// of an active stream's package. dnf additionally requires an active
// stream's module dependencies to resolve (the "platform" pseudo-module
// from the installroot's os-release); pungo assumes they do.

// moduleStream is one modulemd document.
type moduleStream struct {
	name, stream string
	artifacts    []string // "name-epoch:version-release.arch"
	artifactsKey bool     // parser state: inside data.artifacts
}

// modulesDoc is what one modules.yaml holds.
type modulesDoc struct {
	streams  []moduleStream
	defaults map[string]string // module → default stream
}

// parseModulesYAML reads the parts of a modules.yaml stream that module
// filtering needs, line by line: documents are separated by "---" and
// end with "..."; keys sit at fixed indents under "data:".
func parseModulesYAML(r io.Reader, name string) (*modulesDoc, error) {
	doc := &modulesDoc{defaults: map[string]string{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	kind := ""
	var cur *moduleStream
	var defModule, defStream string
	inRPMs, rpmIndent := false, 0
	flush := func() {
		switch kind {
		case "modulemd":
			if cur != nil && cur.name != "" {
				doc.streams = append(doc.streams, *cur)
			}
		case "modulemd-defaults":
			if defModule != "" && defStream != "" {
				doc.defaults[defModule] = defStream
			}
		}
		kind, cur, defModule, defStream, inRPMs = "", nil, "", "", false
	}
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		trimmed := strings.TrimSpace(s)
		if trimmed == "---" || trimmed == "..." {
			flush()
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		indent := len(s) - len(strings.TrimLeft(s, " "))
		if indent == 0 {
			if k, v, ok := strings.Cut(trimmed, ":"); ok && k == "document" {
				flush()
				kind = yamlScalar(v)
				if kind == "modulemd" {
					cur = &moduleStream{}
				}
			}
			continue
		}
		if inRPMs {
			if strings.HasPrefix(trimmed, "- ") && indent >= rpmIndent {
				cur.artifacts = append(cur.artifacts, yamlScalar(trimmed[2:]))
				continue
			}
			if indent <= rpmIndent {
				inRPMs = false
			}
		}
		k, v, ok := strings.Cut(trimmed, ":")
		if !ok {
			continue
		}
		switch {
		case kind == "modulemd" && indent == 2 && k == "name":
			cur.name = yamlScalar(v)
		case kind == "modulemd" && indent == 2 && k == "stream":
			cur.stream = yamlScalar(v)
		case kind == "modulemd" && k == "rpms" && indent == 4 && cur.artifactsKey:
			if v = strings.TrimSpace(v); strings.HasPrefix(v, "[") {
				for _, a := range strings.Split(strings.Trim(v, "[]"), ",") {
					if a = yamlScalar(a); a != "" {
						cur.artifacts = append(cur.artifacts, a)
					}
				}
			} else {
				inRPMs, rpmIndent = true, indent
			}
		case kind == "modulemd-defaults" && indent == 2 && k == "module":
			defModule = yamlScalar(v)
		case kind == "modulemd-defaults" && indent == 2 && k == "stream":
			defStream = yamlScalar(v)
		}
		if kind == "modulemd" && indent == 2 {
			cur.artifactsKey = k == "artifacts"
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: line %d: %v", name, line, err)
	}
	flush()
	return doc, nil
}

// yamlScalar strips spaces and quotes from a plain YAML scalar.
func yamlScalar(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		s = s[1 : len(s)-1]
	}
	return s
}

// nevraKey normalizes "name-[epoch:]version-release.arch" for matching
// module artifacts against packages (epoch 0 and no epoch are the same).
func nevraKey(name, epoch, version, release, arch string) string {
	if n, err := strconv.ParseUint(epoch, 10, 64); err == nil {
		epoch = strconv.FormatUint(n, 10)
	} else if epoch == "" {
		epoch = "0"
	}
	return name + "-" + epoch + ":" + version + "-" + release + "." + arch
}

// artifactKey parses a modulemd artifact "name-epoch:version-release.arch".
func artifactKey(a string) (key, name, arch string, ok bool) {
	dot := strings.LastIndexByte(a, '.')
	if dot < 0 {
		return "", "", "", false
	}
	arch = a[dot+1:]
	rest := a[:dot]
	r := strings.LastIndexByte(rest, '-')
	if r < 0 {
		return "", "", "", false
	}
	release := rest[r+1:]
	rest = rest[:r]
	v := strings.LastIndexByte(rest, '-')
	if v < 0 {
		return "", "", "", false
	}
	name, ev := rest[:v], rest[v+1:]
	epoch, version := "", ev
	if e, after, found := strings.Cut(ev, ":"); found {
		epoch, version = e, after
	}
	return nevraKey(name, epoch, version, release, arch), name, arch, true
}

// HideInactiveModules reads the modules metadata of every repository that
// has some and hides, for Gather and Repoclosure alike, the packages dnf
// hides on a system without module state (see the file comment). It
// returns the number of hidden packages. Repositories without modules
// metadata change nothing; without any, nothing is hidden.
func (p *Pool) HideInactiveModules() (int, error) {
	var docs []*modulesDoc
	for _, r := range p.Repos {
		if r.Source == nil {
			continue
		}
		if _, ok := r.Source.Record("modules"); !ok {
			continue
		}
		rc, err := r.Source.OpenRecord("modules")
		if err != nil {
			return 0, err
		}
		d, err := parseModulesYAML(rc, r.Source.Location+" (modules)")
		rc.Close()
		if err != nil {
			return 0, err
		}
		docs = append(docs, d)
	}
	return p.hideModules(docs), nil
}

// hideModules hides what the parsed modules metadata says dnf hides.
func (p *Pool) hideModules(docs []*modulesDoc) int {
	if len(docs) == 0 {
		return 0
	}
	defaults := map[string]string{}
	for _, d := range docs {
		for m, s := range d.defaults {
			defaults[m] = s
		}
	}
	active := map[string]bool{}
	inactive := map[string]bool{}
	activeNames := map[string]bool{}
	for _, d := range docs {
		for _, ms := range d.streams {
			on := defaults[ms.name] != "" && defaults[ms.name] == ms.stream
			for _, a := range ms.artifacts {
				key, name, arch, ok := artifactKey(a)
				if !ok {
					continue
				}
				if on {
					active[key] = true
					if arch != "src" && arch != "nosrc" {
						activeNames[name] = true
					}
				} else {
					inactive[key] = true
				}
			}
		}
	}
	if p.hidden == nil {
		p.hidden = make([]bool, len(p.pkgs))
	}
	n := 0
	for i, pkg := range p.pkgs {
		key := nevraKey(pkg.Name, pkg.Epoch, pkg.Version, pkg.Release, pkg.Arch)
		hide := false
		switch {
		case active[key]:
		case inactive[key]:
			hide = true
		case activeNames[pkg.Name]:
			hide = true // a non-modular package shadowed by an active stream
		}
		if hide && !p.hidden[i] {
			p.hidden[i] = true
			n++
		}
	}
	return n
}

// Hidden reports whether module filtering hid a package.
func (p *Pool) Hidden(id PkgID) bool { return p.hidden != nil && p.hidden[id] }
