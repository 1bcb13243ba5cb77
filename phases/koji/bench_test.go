package koji

import (
	"bytes"
	"fmt"
	"testing"
)

// taggedRPMsResponse is a listTaggedRPMS answer the size of Fedora's
// package set (70 000 rpms, 25 000 builds).
func taggedRPMsResponse(b testing.TB, nRPMs, nBuilds int) []byte {
	rpms := make([]any, nRPMs)
	for i := range rpms {
		rpms[i] = map[string]any{"id": int64(i + 1), "build_id": int64(i%nBuilds + 1), "name": fmt.Sprintf("pkg%d", i),
			"version": "1.2.3", "release": "4.fc40", "epoch": nil, "arch": "x86_64", "size": int64(123456),
			"payloadhash": "0123456789abcdef0123456789abcdef", "buildroot_id": int64(5000000000 + i), "external_repo_id": int64(0),
			"external_repo_name": "INTERNAL", "metadata_only": false, "extra": nil}
	}
	builds := make([]any, nBuilds)
	for i := range builds {
		builds[i] = map[string]any{"build_id": int64(i + 1), "name": fmt.Sprintf("src%d", i), "version": "1.2.3", "release": "4.fc40",
			"epoch": nil, "nvr": fmt.Sprintf("src%d-1.2.3-4.fc40", i), "state": int64(1), "tag_name": "f40", "owner_name": "releng"}
	}
	out, err := EncodeResponse([]any{rpms, builds})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkDecodeTaggedRPMs(b *testing.B) {
	data := taggedRPMsResponse(b, 70000, 25000)
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeResponse(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}
