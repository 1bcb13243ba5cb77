package images

import "testing"

// Variant patterns in image options are Python regexes matched with
// re.match: anchored at the start only, with Python-only syntax allowed.
func TestMatchUIDPythonSemantics(t *testing.T) {
	tests := []struct {
		pat, uid string
		want     bool
	}{
		{"Server", "Server-optional", true},    // start anchor only
		{"optional", "Server-optional", false}, // not a search
		{"^(?!Everything$)", "Server", true},   // look-ahead (RE2 rejects it)
		{"^(?!Everything$)", "Everything", false},
		{"(Ser)ver-\\1", "Server-Ser", true}, // back-reference
		{"(", "Server", false},               // invalid pattern matches nothing
	}
	for _, tc := range tests {
		if got := matchUID(tc.pat, tc.uid); got != tc.want {
			t.Errorf("matchUID(%q, %q) = %v, want %v", tc.pat, tc.uid, got, tc.want)
		}
	}
}
