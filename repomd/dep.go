package repomd

import (
	"fmt"
	"strings"
)

// This file holds dependency entries: their text form, parsing, and rpm's
// range intersection (rpmdsCompare / rpmverOverlap).

// String returns the flag as rpm prints it ("", "=", "<", "<=", ">", ">=").
func (f DepFlag) String() string {
	switch f {
	case DepEQ:
		return "="
	case DepLT:
		return "<"
	case DepLE:
		return "<="
	case DepGT:
		return ">"
	case DepGE:
		return ">="
	}
	return ""
}

// XMLName returns the flag as rpm-md writes it in flags="…" ("EQ", "LT", …),
// "" for DepAny.
func (f DepFlag) XMLName() string {
	switch f {
	case DepEQ:
		return "EQ"
	case DepLT:
		return "LT"
	case DepLE:
		return "LE"
	case DepGT:
		return "GT"
	case DepGE:
		return "GE"
	}
	return ""
}

// ParseDepFlag reads an operator in either rpm's ("<=") or rpm-md's ("LE")
// spelling.
func ParseDepFlag(s string) (DepFlag, bool) {
	switch s {
	case "":
		return DepAny, true
	case "=", "==", "EQ":
		return DepEQ, true
	case "<", "LT":
		return DepLT, true
	case "<=", "=<", "LE":
		return DepLE, true
	case ">", "GT":
		return DepGT, true
	case ">=", "=>", "GE":
		return DepGE, true
	}
	return DepAny, false
}

// sense bits in rpm's RPMSENSE_LESS/GREATER/EQUAL meaning.
const (
	senseLess    = 1
	senseGreater = 2
	senseEqual   = 4
)

func (f DepFlag) sense() int {
	switch f {
	case DepEQ:
		return senseEqual
	case DepLT:
		return senseLess
	case DepLE:
		return senseLess | senseEqual
	case DepGT:
		return senseGreater
	case DepGE:
		return senseGreater | senseEqual
	}
	return 0
}

// String renders the entry as rpm does: "name", or "name OP evr" with the
// epoch shown only when it is set and not "0".
func (d Dep) String() string {
	if d.Flags == DepAny {
		return d.Name
	}
	return d.Name + " " + d.Flags.String() + " " + d.EVR.String()
}

// IsRich reports whether the entry is a rich (boolean) dependency.
func (d Dep) IsRich() bool { return len(d.Name) > 0 && d.Name[0] == '(' }

// ParseDep reads "name", "name OP [E:]V[-R]" as rpm prints dependencies, or
// a rich dependency "( … )", which is kept whole in Name.
func ParseDep(s string) (Dep, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Dep{}, fmt.Errorf("empty dependency")
	}
	if s[0] == '(' {
		if _, err := ParseRich(s); err != nil {
			return Dep{}, err
		}
		return Dep{Name: s}, nil
	}
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		return Dep{Name: f[0]}, nil
	case 3:
		op, ok := ParseDepFlag(f[1])
		if !ok || op == DepAny {
			return Dep{}, fmt.Errorf("dependency %q: unknown operator %q", s, f[1])
		}
		return Dep{Name: f[0], Flags: op, EVR: ParseEVR(f[2])}, nil
	}
	return Dep{}, fmt.Errorf("dependency %q: want \"name\" or \"name OP version\"", s)
}

// RangesOverlap reports whether a provide satisfies a requirement (or, with
// the roles swapped, whether a conflict or obsolete hits a provide), with
// rpm's rpmdsCompare semantics: different names never overlap; an entry
// without a version overlaps everything; a missing epoch is 0 unless the
// other side has a positive one; a missing release on one side matches any
// release when the side without it includes equality.
func RangesOverlap(provide, require Dep) bool {
	if provide.Name != require.Name {
		return false
	}
	return EVROverlap(provide.Flags, provide.EVR, require.Flags, require.EVR)
}

// EVROverlap is RangesOverlap without the name check: does the range
// (f1, v1) intersect the range (f2, v2)?
func EVROverlap(f1 DepFlag, v1 EVR, f2 DepFlag, v2 EVR) bool {
	s1, s2 := f1.sense(), f2.sense()
	if s1 == 0 || s2 == 0 {
		return true
	}
	if (v1.Version == "" && v1.Epoch == "" && v1.Release == "") ||
		(v2.Version == "" && v2.Epoch == "" && v2.Release == "") {
		return true
	}
	sense := 0
	switch {
	case v1.Epoch != "" && v2.Epoch != "":
		sense = compareEpoch(v1.Epoch, v2.Epoch)
	case v1.Epoch != "" && positive(v1.Epoch):
		sense = 1
	case v2.Epoch != "" && positive(v2.Epoch):
		sense = -1
	}
	if sense == 0 {
		sense = Vercmp(v1.Version, v2.Version)
		if sense == 0 {
			if v1.Release != "" && v2.Release != "" {
				sense = Vercmp(v1.Release, v2.Release)
			} else if (v1.Release != "" && s2&senseEqual != 0) ||
				(v2.Release != "" && s1&senseEqual != 0) {
				return true
			}
		}
	}
	switch {
	case sense < 0:
		return s1&senseGreater != 0 || s2&senseLess != 0
	case sense > 0:
		return s1&senseLess != 0 || s2&senseGreater != 0
	}
	return (s1&senseEqual != 0 && s2&senseEqual != 0) ||
		(s1&senseLess != 0 && s2&senseLess != 0) ||
		(s1&senseGreater != 0 && s2&senseGreater != 0)
}

// positive mirrors rpm's atol(epoch) > 0.
func positive(e string) bool {
	for i := 0; i < len(e) && isDigit(e[i]); i++ {
		if e[i] != '0' {
			return true
		}
	}
	return false
}
