package modulemd

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// ListEntry is one module stream as `dnf module list` shows it: the
// latest version of a name:stream, its contexts, whether it is the
// module's default stream, and its profiles (the default ones marked).
type ListEntry struct {
	Name            string   `json:"name"`
	Stream          string   `json:"stream"`
	Version         uint64   `json:"version"`
	Contexts        []string `json:"contexts"`
	Arch            string   `json:"arch"`
	Default         bool     `json:"default"`
	Profiles        []string `json:"profiles"`
	DefaultProfiles []string `json:"default_profiles"`
	Summary         string   `json:"summary"`
}

// List returns the index's streams as dnf module list does: one entry per
// name:stream (the newest version, all of its contexts), sorted by name
// and stream.
func (x *Index) List() []ListEntry {
	streams := slices.Clone(x.Streams)
	SortStreams(streams) // newest version first within a name:stream
	var out []ListEntry
	byNS := map[string]int{}
	for _, s := range streams {
		if i, ok := byNS[s.NS()]; ok {
			e := &out[i]
			if s.Version == e.Version && !slices.Contains(e.Contexts, s.Context) {
				e.Contexts = append(e.Contexts, s.Context)
			}
			continue
		}
		e := ListEntry{Name: s.Name, Stream: s.Stream, Version: s.Version, Contexts: []string{s.Context},
			Arch: s.Arch, Profiles: s.ProfileNames(), Summary: s.Summary, DefaultProfiles: []string{}}
		if d := x.Defaults[s.Name]; d != nil {
			e.Default = d.DefaultStream() == s.Stream
			if p, ok := d.Profiles[s.Stream]; ok {
				e.DefaultProfiles = slices.Sorted(slices.Values(p))
			}
		}
		byNS[s.NS()] = len(out)
		out = append(out, e)
	}
	return out
}

// WriteList prints entries as dnf module list's table under a heading
// (the repository name): Name, Stream ("[d]" for the default),
// Profiles ("[d]" for default profiles), Summary, then dnf's hint line.
func WriteList(w io.Writer, heading string, entries []ListEntry) error {
	fmt.Fprintln(w, heading)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "Name\tStream\tProfiles\tSummary")
	for _, e := range entries {
		stream := e.Stream
		if e.Default {
			stream += " [d]"
		}
		var profs []string
		for _, p := range e.Profiles {
			if slices.Contains(e.DefaultProfiles, p) {
				p += " [d]"
			}
			profs = append(profs, p)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Name, stream, strings.Join(profs, ", "), e.Summary)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, "\nHint: [d]efault, [e]nabled, [x]disabled, [i]nstalled")
	return err
}
