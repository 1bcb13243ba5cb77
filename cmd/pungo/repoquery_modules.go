package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/pungo/pungo/repomd"
	"github.com/pungo/pungo/repomd/modulemd"
)

// repoqueryModules is repoquery --modules: the module streams of each
// repository, as `dnf module list` prints them (or as JSON).
func repoqueryModules(w io.Writer, repos []string, asJSON bool) error {
	type repoModules struct {
		Repo    string               `json:"repo"`
		Modules []modulemd.ListEntry `json:"modules"`
	}
	var all []repoModules
	for _, loc := range repos {
		r, err := repomd.OpenMeta(loc)
		if err != nil {
			return err
		}
		entries := []modulemd.ListEntry{}
		x, err := modulemd.ReadRepo(r)
		if err != nil {
			return err
		}
		if x != nil {
			entries = x.List()
		}
		all = append(all, repoModules{loc, entries})
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(all)
	}
	for i, rm := range all {
		if len(rm.Modules) == 0 {
			continue
		}
		if i > 0 {
			fmt.Fprintln(w)
		}
		if err := modulemd.WriteList(w, rm.Repo, rm.Modules); err != nil {
			return err
		}
	}
	return nil
}
