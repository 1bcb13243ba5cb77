package repomd

import (
	"fmt"
	"strings"
)

// This file holds the package naming helpers: NEVRA and NVR strings, the
// source package name, and parsing of NEVRA and rpm file names.

// NEVRA returns "name-[epoch:]version-release.arch", leaving the epoch out
// when it is empty or "0", as dnf prints packages.
func (p *Package) NEVRA() string {
	return p.Name + "-" + p.EVR.String() + "." + p.Arch
}

// NVR returns "name-version-release".
func (p *Package) NVR() string { return p.Name + "-" + p.Version + "-" + p.Release }

// FileName is the base name of the package's location.
func (p *Package) FileName() string {
	if i := strings.LastIndexByte(p.Location, '/'); i >= 0 {
		return p.Location[i+1:]
	}
	return p.Location
}

// SourceName is the name of the source package this binary was built from,
// parsed from SourceRPM ("glibc-2.34-1.el9.src.rpm" → "glibc"); "" for a
// source package or when SourceRPM is missing.
func (p *Package) SourceName() string {
	if p.IsSource() || p.SourceRPM == "" {
		return ""
	}
	n, err := ParseFileName(p.SourceRPM)
	if err != nil {
		return ""
	}
	return n.Name
}

// NEVRA is a parsed package identifier.
type NEVRA struct {
	Name string
	EVR
	Arch string
}

// String formats like Package.NEVRA.
func (n NEVRA) String() string { return n.Name + "-" + n.EVR.String() + "." + n.Arch }

// ParseNEVRA splits "name-[epoch:]version-release.arch".
func ParseNEVRA(s string) (NEVRA, error) {
	dot := strings.LastIndexByte(s, '.')
	if dot <= 0 {
		return NEVRA{}, fmt.Errorf("%q is not name-version-release.arch", s)
	}
	n, err := parseNEVR(s[:dot])
	if err != nil {
		return NEVRA{}, fmt.Errorf("%q is not name-version-release.arch", s)
	}
	n.Arch = s[dot+1:]
	return n, nil
}

// ParseFileName splits an rpm file name "name-version-release.arch.rpm"
// (a directory part is ignored); an epoch never appears in file names.
func ParseFileName(file string) (NEVRA, error) {
	if i := strings.LastIndexByte(file, '/'); i >= 0 {
		file = file[i+1:]
	}
	base, ok := strings.CutSuffix(file, ".rpm")
	if !ok {
		return NEVRA{}, fmt.Errorf("%q is not an rpm file name", file)
	}
	return ParseNEVRA(base)
}

func parseNEVR(s string) (NEVRA, error) {
	r := strings.LastIndexByte(s, '-')
	if r <= 0 {
		return NEVRA{}, fmt.Errorf("no release")
	}
	v := strings.LastIndexByte(s[:r], '-')
	if v <= 0 {
		return NEVRA{}, fmt.Errorf("no version")
	}
	n := NEVRA{Name: s[:v], EVR: EVR{Version: s[v+1 : r], Release: s[r+1:]}}
	if c := strings.IndexByte(n.Version, ':'); c >= 0 {
		n.Epoch, n.Version = n.Version[:c], n.Version[c+1:]
	}
	return n, nil
}
