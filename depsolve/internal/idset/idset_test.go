package idset

import (
	"slices"
	"testing"
)

func TestOps(t *testing.T) {
	tests := []struct {
		a, b                []int32
		union, inter, minus []int32
	}{
		{nil, nil, nil, nil, nil},
		{[]int32{1, 3}, nil, []int32{1, 3}, nil, []int32{1, 3}},
		{nil, []int32{2}, []int32{2}, nil, nil},
		{[]int32{1, 3, 5}, []int32{2, 3, 6}, []int32{1, 2, 3, 5, 6}, []int32{3}, []int32{1, 5}},
		{[]int32{1, 2}, []int32{1, 2}, []int32{1, 2}, []int32{1, 2}, nil},
		{[]int32{4, 9}, []int32{1, 2, 3}, []int32{1, 2, 3, 4, 9}, nil, []int32{4, 9}},
	}
	for _, tt := range tests {
		if got := Union(tt.a, tt.b); !slices.Equal(got, tt.union) {
			t.Errorf("Union(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.union)
		}
		if got := Intersect(tt.a, tt.b); !slices.Equal(got, tt.inter) {
			t.Errorf("Intersect(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.inter)
		}
		if got := Minus(tt.a, tt.b); !slices.Equal(got, tt.minus) {
			t.Errorf("Minus(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.minus)
		}
	}
}
