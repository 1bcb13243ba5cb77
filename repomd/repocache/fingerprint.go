package repocache

import (
	"hash/fnv"
	"reflect"
	"strings"
	"sync"

	"github.com/pungo/pungo/repomd"
)

// modelFingerprint is a hash of the Go types an image decodes into
// (repomd.Package and everything it holds, and repomd.Dep: field names,
// types, order).
// It is written into every image, so a pungo whose package model differs
// never reads another's images, even if formatVersion was not bumped.
var modelFingerprint = sync.OnceValue(func() uint64 {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	describeType(&b, reflect.TypeFor[repomd.Package](), seen)
	// Dependency lists are compact (repomd.DepList); their entries
	// decode through repomd.Dep values.
	describeType(&b, reflect.TypeFor[repomd.Dep](), seen)
	h := fnv.New64a()
	h.Write([]byte(b.String()))
	return h.Sum64()
})

func describeType(b *strings.Builder, t reflect.Type, seen map[reflect.Type]bool) {
	b.WriteString(t.String())
	b.WriteByte('/')
	b.WriteString(t.Kind().String())
	switch t.Kind() {
	case reflect.Struct:
		if seen[t] {
			return
		}
		seen[t] = true
		b.WriteByte('{')
		for f := range t.Fields() {
			b.WriteString(f.Name)
			b.WriteByte(' ')
			describeType(b, f.Type, seen)
			b.WriteByte(';')
		}
		b.WriteByte('}')
	case reflect.Slice, reflect.Array, reflect.Pointer:
		b.WriteByte('[')
		describeType(b, t.Elem(), seen)
		b.WriteByte(']')
	case reflect.Map:
		describeType(b, t.Key(), seen)
		describeType(b, t.Elem(), seen)
	}
}
