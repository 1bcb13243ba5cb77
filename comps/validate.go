package comps

import (
	"fmt"
	"strings"
)

// Validate checks c as a whole. Errors: duplicate ids, a category or
// environment grouplist naming a group nobody defines, an unknown packagereq type, a
// conditional requirement without requires, package names with surrounding
// whitespace (Pungi's validate_comps refuses them). Warnings: what Parse
// tolerated, a packagereq without a type, requires on a non-conditional
// requirement, a package listed twice in a group, a langpack listed twice.
func (c *Comps) Validate() (errs, warns []Diagnostic) {
	add := func(list *[]Diagnostic, line int, format string, args ...any) {
		*list = append(*list, Diagnostic{File: c.File, Line: line, Msg: fmt.Sprintf(format, args...)})
	}
	for _, w := range c.Warnings {
		if strings.Contains(w.Msg, "leading or trailing whitespace") {
			errs = append(errs, w)
		} else {
			warns = append(warns, w)
		}
	}
	// definedAgain reports a second definition of the kind's id as an
	// error; first maps each id to the line of its first definition.
	definedAgain := func(first map[string]int, kind, id string, line int) bool {
		if at, dup := first[id]; dup {
			add(&errs, line, "%s %s defined again (first at line %d)", kind, id, at)
			return true
		}
		first[id] = line
		return false
	}
	groups := map[string]int{}
	for _, g := range c.Groups {
		if definedAgain(groups, "group", g.ID, g.Line) {
			continue
		}
		seen := map[string]bool{}
		for _, p := range g.Packages {
			switch p.Type {
			case TypeMandatory, TypeDefault, TypeOptional:
				if p.Requires != "" {
					add(&warns, p.Line, "group %s: package %s has requires=%q but is not conditional", g.ID, p.Name, p.Requires)
				}
			case TypeConditional:
				if p.Requires == "" {
					add(&errs, p.Line, "group %s: conditional package %s has no requires attribute", g.ID, p.Name)
				}
			case "":
				add(&warns, p.Line, "group %s: package %s has no type (taken as mandatory)", g.ID, p.Name)
			default:
				add(&errs, p.Line, "group %s: package %s has unknown type %q (want mandatory, default, optional or conditional)", g.ID, p.Name, p.Type)
			}
			key := p.Name + "\x00" + p.Arch + "\x00" + p.Variant
			if seen[key] {
				add(&warns, p.Line, "group %s lists package %s twice", g.ID, p.Name)
			}
			seen[key] = true
		}
	}
	undefined := func(kind, id string, refs []GroupRef) {
		for _, r := range refs {
			if _, ok := groups[r.Name]; !ok {
				add(&errs, r.Line, "%s %s names group %s, which no group defines", kind, id, r.Name)
			}
		}
	}
	cats := map[string]int{}
	for _, cat := range c.Categories {
		definedAgain(cats, "category", cat.ID, cat.Line)
		undefined("category", cat.ID, cat.Groups)
	}
	envs := map[string]int{}
	for _, e := range c.Environments {
		definedAgain(envs, "environment", e.ID, e.Line)
		undefined("environment", e.ID, e.Groups)
		// Optional groups often live in another variant's repository
		// (BaseOS environments offer AppStream groups): only a warning.
		for _, r := range e.Options {
			if _, ok := groups[r.Name]; !ok {
				add(&warns, r.Line, "environment %s offers group %s, which no group of this file defines", e.ID, r.Name)
			}
		}
	}
	lps := map[string]int{}
	for _, lp := range c.Langpacks {
		if first, dup := lps[lp.Name]; dup {
			add(&warns, lp.Line, "langpack %s listed again (first at line %d); the last one wins", lp.Name, first)
		}
		lps[lp.Name] = lp.Line
	}
	return errs, warns
}
