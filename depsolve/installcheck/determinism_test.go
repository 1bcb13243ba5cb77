package installcheck

import (
	"math/rand"
	"reflect"
	"testing"

	"github.com/pungo/pungo/repomd"
)

// TestDeterministic checks that a check gives the same answer and the same
// problem text on every run, and the same verdict whatever the order of the
// available packages.
func TestDeterministic(t *testing.T) {
	r := rand.New(rand.NewSource(11))
	pkgs := synthRepo(r, 1500)
	jobs := syntheticJobs(r, pkgs, 12)
	for i, job := range jobs {
		first, err := Check(job, pkgs, "x86_64")
		if err != nil {
			t.Fatal(err)
		}
		again, _ := Check(job, pkgs, "x86_64")
		if !reflect.DeepEqual(first, again) {
			t.Errorf("job %d: two runs differ:\n%q\n%q", i, first.Problems, again.Problems)
		}
		shuffled := append([]*repomd.Package(nil), pkgs...)
		r.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		other, _ := Check(job, shuffled, "x86_64")
		if other.Installable != first.Installable || len(other.Problems) != len(first.Problems) {
			t.Errorf("job %d: reordered packages give %v/%d problems, original %v/%d", i,
				other.Installable, len(other.Problems), first.Installable, len(first.Problems))
		}
	}
}
