package multilib

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pungo/pungo/internal/glob"
	"github.com/pungo/pungo/repomd"
)

// Decision is the answer for one package: whether it is multilib, the method
// that selected it ("" for the blacklist, the whitelist or no match) and the
// rule that decided.
type Decision struct {
	Multilib bool
	Method   string
	Rule     string
}

// String renders the decision the way IsMultilib reports it:
// "blacklist", "whitelist", or "METHOD: rule".
func (d Decision) String() string {
	if d.Method == "" {
		return d.Rule
	}
	return d.Method + ": " + d.Rule
}

// Checker applies a configured set of methods with a blacklist and
// whitelist, in Pungi's order: blacklist, whitelist, then the methods in the
// order given, the first one that selects the package winning.
type Checker struct {
	names     []string
	methods   []method
	blacklist []string
	whitelist []string
}

// New builds a Checker. Methods are python-multilib method names (see
// Methods); blacklist and whitelist are name globs (fnmatch). An unknown
// method is an error.
func New(methods, blacklist, whitelist []string) (*Checker, error) {
	c := &Checker{
		blacklist: append([]string(nil), blacklist...),
		whitelist: append([]string(nil), whitelist...),
	}
	seen := map[string]bool{}
	for _, m := range methods {
		fn, ok := methodsByName[m]
		if !ok {
			return nil, fmt.Errorf("unknown multilib method %q (known: %s)", m, strings.Join(Methods(), ", "))
		}
		if seen[m] {
			continue // Pungi keys its methods by name: a repeat adds nothing
		}
		seen[m] = true
		c.names = append(c.names, m)
		c.methods = append(c.methods, fn)
	}
	return c, nil
}

// Methods returns the configured method names in the order they are tried.
func (c *Checker) Methods() []string { return append([]string(nil), c.names...) }

// Blacklisted reports whether p's name matches a blacklist glob: such a
// package is never added as multilib (gather removes it from every repo).
func (c *Checker) Blacklisted(p *repomd.Package) bool { return matchAny(c.blacklist, p.Name) }

// Whitelisted reports whether p's name matches a whitelist glob: such a
// package is multilib whatever the methods say.
func (c *Checker) Whitelisted(p *repomd.Package) bool { return matchAny(c.whitelist, p.Name) }

// matchAny reports whether name matches one of the globs (Python's
// fnmatch, as python-multilib matches them).
func matchAny(globs []string, name string) bool {
	return slices.ContainsFunc(globs, func(g string) bool { return glob.Python(g, name) })
}

// Decide classifies p, which is the compat-arch candidate (e.g. the i686
// build next to an x86_64 one), as Pungi's Multilib.is_multilib does.
func (c *Checker) Decide(p *repomd.Package) Decision {
	if c.Blacklisted(p) {
		return Decision{Rule: "blacklist"}
	}
	if c.Whitelisted(p) {
		return Decision{Multilib: true, Rule: "whitelist"}
	}
	if len(c.methods) == 0 {
		return Decision{Rule: "no multilib method configured"}
	}
	var why []string
	for i, m := range c.methods {
		ok, rule := m(p)
		if ok {
			return Decision{Multilib: true, Method: c.names[i], Rule: rule}
		}
		why = append(why, c.names[i]+": "+rule)
	}
	return Decision{Rule: strings.Join(why, "; ")}
}

// IsMultilib reports whether p is to be shipped as multilib and names the
// rule that decided, e.g. "devel: name ends in -devel", "whitelist".
func (c *Checker) IsMultilib(p *repomd.Package) (bool, string) {
	d := c.Decide(p)
	return d.Multilib, d.String()
}
