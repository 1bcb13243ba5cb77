package config

import "testing"

// BenchmarkFedoraConfig measures reading and validating the Fedora-style
// config (about 310 lines).
func BenchmarkFedoraConfig(b *testing.B) {
	for i := 0; i < b.N; i++ {
		c, err := Load("../../testdata/config/fedora/fedora.conf", nil)
		if err != nil {
			b.Fatal(err)
		}
		if r := Check(c, ValidateOptions{}); len(r.Errors) > 0 {
			b.Fatal(r.Errors)
		}
	}
}
