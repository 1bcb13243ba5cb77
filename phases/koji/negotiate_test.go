package koji

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A fake curl stands in for a Kerberos-enabled curl: it records its
// arguments and environment and answers with a session.
func TestCurlNegotiator(t *testing.T) {
	dir := t.TempDir()
	rec := filepath.Join(dir, "rec")
	body := filepath.Join(dir, "body")
	script := `#!/bin/sh
echo "$@" > ` + rec + `
echo "KRB5CCNAME=$KRB5CCNAME KTNAME=$KRB5_CLIENT_KTNAME" >> ` + rec + `
cat > ` + body + `
printf '<?xml version="1.0"?><methodResponse><params><param><value><struct><member><name>session-id</name><value><int>7</int></value></member><member><name>session-key</name><value><string>k</string></value></member></struct></value></param></params></methodResponse>'
`
	os.WriteFile(filepath.Join(dir, "curl"), []byte(script), 0o755)
	c, err := New("http://hub.example.com/kojihub", WithNegotiator(CurlNegotiator{Curl: filepath.Join(dir, "curl"), CAFile: "/etc/ca.pem"}))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.GSSAPILogin(context.Background(), GSSAPIOptions{CCache: "FILE:/tmp/cc", Keytab: "/etc/k.keytab", ProxyUser: "bob"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(rec)
	want := "--silent --show-error --fail --negotiate --user : --header Content-Type: text/xml --data-binary @- --cacert /etc/ca.pem https://hub.example.com/kojihub/ssllogin\n" +
		"KRB5CCNAME=FILE:/tmp/cc KTNAME=/etc/k.keytab\n"
	if string(got) != want {
		t.Errorf("curl called with\n%s\nwant\n%s", got, want)
	}
	b, _ := os.ReadFile(body)
	if !strings.Contains(string(b), "<methodName>sslLogin</methodName>") || !strings.Contains(string(b), "<string>bob</string>") {
		t.Errorf("request body %s", b)
	}
	if ok, how := c.LoggedIn(); !ok || how != "gssapi" || c.HubURL() != "https://hub.example.com/kojihub" {
		t.Errorf("logged in %v %s %s", ok, how, c.HubURL())
	}
}
