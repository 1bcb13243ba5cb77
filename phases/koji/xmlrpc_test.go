package koji

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestCallRoundTrip(t *testing.T) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	cases := []struct {
		name string
		args []any
		want []any
		xml  string // must appear in the encoded request
	}{
		{"nil", []any{nil}, []any{nil}, "<nil/>"},
		{"int32 stays int", []any{int64(2147483647)}, []any{int64(2147483647)}, "<int>2147483647</int>"},
		{"large int is i8", []any{int64(1) << 40}, []any{int64(1) << 40}, "<i8>1099511627776</i8>"},
		{"negative i8", []any{int64(-1) << 35}, []any{int64(-1) << 35}, "<i8>-34359738368</i8>"},
		{"escaped string", []any{"a<b&c>"}, []any{"a<b&c>"}, "a&lt;b&amp;c&gt;"},
		{"bool", []any{true, false}, []any{true, false}, "<boolean>1</boolean>"},
		{"double", []any{1.5}, []any{1.5}, "<double>1.5</double>"},
		{"time", []any{when}, []any{when}, "20240506T07:08:09"},
		{"base64", []any{[]byte("hi\x00")}, []any{[]byte("hi\x00")}, "<base64>aGkA</base64>"},
		{"nested", []any{[]string{"x86_64", "noarch"}, map[string]int{"a": 1}},
			[]any{[]any{"x86_64", "noarch"}, map[string]any{"a": int64(1)}}, "<name>a</name>"},
		{"kwargs fold into __starstar", []any{"f40", KW{"event": int64(5), "inherit": true}},
			[]any{"f40", map[string]any{"event": int64(5), "inherit": true, "__starstar": true}}, "<name>__starstar</name>"},
		{"empty kwargs vanish", []any{"f40", KW{}}, []any{"f40"}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, err := EncodeCall("m", c.args)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(body, []byte(c.xml)) {
				t.Errorf("request lacks %q:\n%s", c.xml, body)
			}
			method, params, err := DecodeCall(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if method != "m" || !reflect.DeepEqual(params, c.want) {
				t.Errorf("decoded %s %#v, want %#v", method, params, c.want)
			}
		})
	}
}

func TestKWMustBeLast(t *testing.T) {
	if _, err := EncodeCall("m", []any{KW{"a": 1}, "x"}); err == nil || !strings.Contains(err.Error(), "must come last") {
		t.Fatalf("want error about KW position, got %v", err)
	}
}

func TestSplitKW(t *testing.T) {
	args, kw := SplitKW([]any{"a", map[string]any{"__starstar": true, "x": int64(1)}})
	if !reflect.DeepEqual(args, []any{"a"}) || !reflect.DeepEqual(kw, map[string]any{"x": int64(1)}) {
		t.Fatalf("got %v %v", args, kw)
	}
	// A plain struct argument is positional.
	args, kw = SplitKW([]any{map[string]any{"x": int64(1)}})
	if len(args) != 1 || len(kw) != 0 {
		t.Fatalf("plain struct taken as kwargs: %v %v", args, kw)
	}
}

// Responses as Python's xmlrpc.client writes them (untyped strings, i4,
// ex:nil from other servers) must decode.
func TestDecodePythonResponses(t *testing.T) {
	cases := []struct {
		name, body string
		want       any
	}{
		{"untyped string", `<methodResponse><params><param><value>plain</value></param></params></methodResponse>`, "plain"},
		{"i4", `<?xml version='1.0'?><methodResponse><params><param><value><i4>-3</i4></value></param></params></methodResponse>`, int64(-3)},
		{"ex:nil", `<methodResponse xmlns:ex="http://ws.apache.org/xmlrpc/namespaces/extensions"><params><param><value><ex:nil/></value></param></params></methodResponse>`, nil},
		{"struct with i8 and nil", `<methodResponse><params><param><value><struct>
<member><name>id</name><value><i8>5000000000</i8></value></member>
<member><name>epoch</name><value><nil/></value></member>
</struct></value></param></params></methodResponse>`, map[string]any{"id": int64(5000000000), "epoch": nil}},
		{"empty array", `<methodResponse><params><param><value><array><data/></array></value></param></params></methodResponse>`, []any{}},
		{"entities and char refs", `<methodResponse><params><param><value><string>a&lt;b&amp;&#233;&#x41;</string></value></param></params></methodResponse>`, "a<b&éA"},
		{"CDATA and comment", `<?xml version="1.0"?><!-- hub --><methodResponse><params><param><value><string>x<![CDATA[<raw>]]>y</string></value></param></params></methodResponse>`, "x<raw>y"},
		{"untyped with blanks", `<methodResponse><params><param><value>  two words </value></param></params></methodResponse>`, "  two words "},
		{"empty struct and values", `<methodResponse><params><param><value><array><data><value><struct/></value><value/><value></value></data></array></value></param></params></methodResponse>`,
			[]any{map[string]any{}, "", ""}},
	}
	for _, c := range cases {
		got, err := DecodeResponse(strings.NewReader(c.body))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %#v, want %#v", c.name, got, c.want)
		}
	}
}

func TestDecodeFault(t *testing.T) {
	body := EncodeFault(&Fault{Code: 1002, Message: "bad login"})
	_, err := DecodeResponse(bytes.NewReader(body))
	f, ok := err.(*Fault)
	if !ok || f.Code != AuthError || f.Name() != "AuthError" || !IsFault(err, AuthError) {
		t.Fatalf("got %#v", err)
	}
	if !strings.Contains(err.Error(), "koji AuthError (fault 1002): bad login") {
		t.Errorf("message %q", err)
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, body := range []string{
		`<methodResponse><params><param><value><int>x</int></value></param></params></methodResponse>`,
		`<methodResponse><params><param><value><blob/></value></param></params></methodResponse>`,
		`<html>oops</html>`,
		`<methodResponse><params><param><value><string>cut`,
		`<methodResponse><params><param><value><string>&bogus;</string></value></param></params></methodResponse>`,
		`<methodResponse><params><param><value><struct><member><value><int>1</int></value></member></struct></value></param></params></methodResponse>`,
	} {
		if _, err := DecodeResponse(strings.NewReader(body)); err == nil {
			t.Errorf("no error for %s", body)
		}
	}
}

func TestDecodeInto(t *testing.T) {
	v := map[string]any{"build_id": int64(3), "epoch": nil, "nvr": "a-1-1", "state": int64(1),
		"extra": map[string]any{"k": "v"}, "task_id": "5000000000"}
	var b Build
	if err := Decode(v, &b); err != nil {
		t.Fatal(err)
	}
	if b.ID != 3 || b.Epoch != nil || b.NVR != "a-1-1" || b.State != BuildComplete || b.Extra["k"] != "v" || *b.TaskID != 5000000000 {
		t.Fatalf("%+v", b)
	}
	if err := Decode(map[string]any{"build_id": "x"}, &b); err == nil {
		t.Fatal("no error for a non-integer build_id")
	}
}

// FuzzDecodeResponse: arbitrary bytes never panic, and what the encoder
// writes decodes to the same value.
func FuzzDecodeResponse(f *testing.F) {
	f.Add(`<methodResponse><params><param><value><i8>5</i8></value></param></params></methodResponse>`, "s", int64(3))
	f.Add(`<methodResponse><fault><value><struct></struct></value></fault></methodResponse>`, "<&>", int64(1)<<40)
	f.Fuzz(func(t *testing.T, doc, str string, n int64) {
		DecodeResponse(strings.NewReader(doc))
		if !utf8.ValidString(str) || strings.ContainsAny(str, "\r\x00") || strings.ContainsFunc(str, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
			return
		}
		v := []any{str, n, map[string]any{"k": str, "n": nil}, true}
		body, err := EncodeResponse(v)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeResponse(bytes.NewReader(body))
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Fatalf("round trip of %#v: %#v %v", v, got, err)
		}
	})
}
