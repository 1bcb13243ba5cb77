package guard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestRecover(t *testing.T) {
	for _, tc := range []struct {
		name    string
		f       func() error
		wantErr string
		panics  bool
	}{
		{"no error", func() error { return nil }, "", false},
		{"error", func() error { return errors.New("bad") }, "bad", false},
		{"panic", func() error { panic("boom") }, "internal error: boom", true},
		{"index", func() error { var s []int; _ = s[3]; return nil }, "internal error: runtime error: index out of range [3] with length 0", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan error, 1)
			Go(tc.f, func(err error) { got <- err })
			err := <-got
			if cerr := Call(tc.f); fmt.Sprint(cerr) != fmt.Sprint(err) {
				t.Errorf("Call: %v, Go: %v", cerr, err)
			}
			if (err == nil) != (tc.wantErr == "") || (err != nil && err.Error() != tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			// Wrapped as a worker would, the panic is still found.
			var pe *PanicError
			if ok := errors.As(fmt.Errorf("x.rpm: %w", err), &pe); ok != tc.panics {
				t.Fatalf("errors.As = %v", ok)
			}
			if tc.panics && !strings.Contains(string(pe.Stack), "guard_test.go") {
				t.Errorf("stack does not show where it panicked:\n%s", pe.Stack)
			}
		})
	}
}
