package depsolve

import (
	"reflect"
	"testing"

	"github.com/pungo/pungo/comps"
)

func TestExpandGroupsAndLangpacks(t *testing.T) {
	parse := func(s string) *comps.Comps {
		c, err := comps.ParseBytes([]byte(`<?xml version="1.0"?><comps>`+s+`</comps>`), "t.xml")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := parse(`<group><id>core</id><name>Core</name><packagelist>
	  <packagereq type="mandatory">bash</packagereq>
	  <packagereq type="optional">zsh</packagereq>
	  <packagereq type="conditional" requires="gnome-shell">gnome-langpack</packagereq>
	</packagelist></group>
	<langpacks><match name="firefox" install="firefox-langpack-%s"/><match name="gimp" install="gimp-help-%s"/></langpacks>`)
	b := parse(`<group><id>core</id><name>Core</name><packagelist>
	  <packagereq type="default">bash</packagereq>
	  <packagereq type="default">acl</packagereq>
	  <packagereq type="conditional" requires="gnome-shell">gnome-langpack</packagereq>
	</packagelist></group>
	<group><id>extra</id><name>Extra</name><packagelist><packagereq>vim</packagereq></packagelist></group>
	<langpacks><match name="firefox" install="firefox-langpack-%s"/><match name="gimp" install="gimp-data-%s"/></langpacks>`)

	got := ExpandGroups([]*comps.Comps{a, b}, []string{"extra", "nosuch", "core"})
	want := GroupInputs{
		Packages:    []string{"vim", "bash", "zsh", "acl"},
		Conditional: []Conditional{{Name: "gnome-shell", Install: "gnome-langpack"}},
		Missing:     []string{"nosuch"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ExpandGroups = %+v, want %+v", got, want)
	}
	// Both documents' distinct entries count, a repeated pair once (the
	// gather phase's rule, which `pungo depsolve` follows too).
	lp := CompsLangpacks([]*comps.Comps{a, b})
	wantLP := []Langpack{{"firefox", "firefox-langpack-%s"}, {"gimp", "gimp-help-%s"}, {"gimp", "gimp-data-%s"}}
	if !reflect.DeepEqual(lp, wantLP) {
		t.Errorf("CompsLangpacks = %+v, want %+v", lp, wantLP)
	}
}
