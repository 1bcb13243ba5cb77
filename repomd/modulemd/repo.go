package modulemd

import "github.com/pungo/pungo/repomd"

// ReadRepo reads a repository's modules record: nil, and no error, when
// its repomd.xml lists none. An error names the record's file.
func ReadRepo(r *repomd.Repo) (*Index, error) {
	rec, ok := r.Record("modules")
	if !ok {
		return nil, nil
	}
	rc, err := r.OpenRecord("modules")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return Read(rc, r.RecordPath(rec))
}
