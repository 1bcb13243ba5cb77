// Package checksum owns hashing files by checksum name, as Pungi's
// image checksums, .treeinfo checksums and extra files name the
// algorithms (hashlib's names: md5, sha1, sha224, sha256, sha384,
// sha512). repomd.NewHash is the rpm-md side (createrepo_c's names, "sha"
// included).
package checksum

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
)

// New returns a new hash for a checksum name as hashlib and kobo name
// them: md5, sha1, sha224, sha256, sha384, sha512 (lower case, nothing
// else); nil for any other name.
func New(name string) hash.Hash {
	switch name {
	case "md5":
		return md5.New()
	case "sha1":
		return sha1.New()
	case "sha224":
		return sha256.New224()
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// File reads path once, feeding every algorithm named in types (New's
// names), and returns name → hex digest. Each algorithm hashes a chunk in
// its own goroutine, so a read costs the slowest algorithm, not the sum;
// ctx stops a long read between chunks.
func File(ctx context.Context, path string, types []string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	hs := make([]hash.Hash, len(types))
	for i, t := range types {
		hs[i] = New(t)
		if hs[i] == nil {
			return nil, fmt.Errorf("unsupported checksum type %q", t)
		}
	}
	// Each algorithm hashes the chunk in its own goroutine: a read costs
	// the slowest algorithm, not the sum of all.
	bufs := [2][]byte{make([]byte, 4<<20), make([]byte, 4<<20)}
	var wg sync.WaitGroup
	for turn := 0; ; turn ^= 1 {
		if err := ctx.Err(); err != nil {
			wg.Wait()
			return nil, err
		}
		n, rerr := io.ReadFull(f, bufs[turn])
		wg.Wait()
		if n > 0 {
			chunk := bufs[turn][:n]
			for _, h := range hs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					h.Write(chunk)
				}()
			}
		}
		if rerr == io.EOF || rerr == io.ErrUnexpectedEOF {
			break
		}
		if rerr != nil {
			wg.Wait()
			return nil, fmt.Errorf("%s: %w", path, rerr)
		}
	}
	wg.Wait()
	out := make(map[string]string, len(types))
	for i, t := range types {
		out[t] = fmt.Sprintf("%x", hs[i].Sum(nil))
	}
	return out, nil
}
