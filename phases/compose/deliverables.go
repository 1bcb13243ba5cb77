package compose

import (
	"encoding/json"
	"sync"
)

// Deliverable is one variant.arch (and subvariant) a phase made or tried
// to make, as Pungi's logs/global/deliverables.json lists it.
type Deliverable struct {
	VariantUID string // "" for a compose-wide deliverable
	Arch       string
	Subvariant string // "" for none
}

// MarshalJSON writes the deliverable as Pungi does: [variant, arch,
// subvariant], the subvariant null when there is none.
func (d Deliverable) MarshalJSON() ([]byte, error) {
	var sv any
	if d.Subvariant != "" {
		sv = d.Subvariant
	}
	return json.Marshal([]any{d.VariantUID, d.Arch, sv})
}

// Deliverables are the attempted, required and failed deliverables of a
// compose by kind ("iso", "buildinstall", …). It is safe for concurrent
// use; the zero value is empty and ready.
type Deliverables struct {
	mu                          sync.Mutex
	attempted, required, failed map[string][]Deliverable
}

func (d *Deliverables) add(m *map[string][]Deliverable, kind string, x Deliverable) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if *m == nil {
		*m = map[string][]Deliverable{}
	}
	(*m)[kind] = append((*m)[kind], x)
}

// Attempt records that a deliverable was attempted.
func (d *Deliverables) Attempt(kind string, x Deliverable) { d.add(&d.attempted, kind, x) }

// Require records that a deliverable must not fail.
func (d *Deliverables) Require(kind string, x Deliverable) { d.add(&d.required, kind, x) }

// Fail records that a failable deliverable failed.
func (d *Deliverables) Fail(kind string, x Deliverable) { d.add(&d.failed, kind, x) }

// FailedCount is how many failable deliverables failed.
func (d *Deliverables) FailedCount() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, l := range d.failed {
		n += len(l)
	}
	return n
}

// Failed returns a copy of the failed deliverables by kind.
func (d *Deliverables) Failed() map[string][]Deliverable {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make(map[string][]Deliverable, len(d.failed))
	for k, l := range d.failed {
		out[k] = append([]Deliverable(nil), l...)
	}
	return out
}

// Document is deliverables.json's content: required, failed and attempted
// deliverables by kind (empty objects when there are none).
func (d *Deliverables) Document() map[string]map[string][]Deliverable {
	d.mu.Lock()
	defer d.mu.Unlock()
	cp := func(m map[string][]Deliverable) map[string][]Deliverable {
		out := make(map[string][]Deliverable, len(m))
		for k, l := range m {
			out[k] = append([]Deliverable(nil), l...)
		}
		return out
	}
	return map[string]map[string][]Deliverable{"required": cp(d.required), "failed": cp(d.failed), "attempted": cp(d.attempted)}
}
