package repomd

import (
	"fmt"
	"io"
)

// groupTypes are the comps record types in dnf's order of preference:
// librepo downloads group_gz when repomd.xml lists it, plain group
// otherwise.
var groupTypes = []string{"group_gz", "group", "group_xz", "group_zck"}

// OpenGroup opens the repository's comps (group metadata) as dnf picks it:
// group_gz first, then whichever other listed comps record has its file
// (real repositories list both group and group_gz and sometimes ship only
// one). It returns the record type used; ok is false when repomd.xml lists
// no comps at all. When every listed file fails to open, the error of the
// preferred one is returned.
func (r *Repo) OpenGroup() (rc io.ReadCloser, typ string, ok bool, err error) {
	var first error
	for _, t := range groupTypes {
		if _, listed := r.Record(t); !listed {
			continue
		}
		ok = true
		rc, err := r.OpenRecord(t)
		if err == nil {
			return rc, t, true, nil
		}
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return nil, "", true, fmt.Errorf("no listed comps file can be read: %w", first)
	}
	return nil, "", ok, nil
}
