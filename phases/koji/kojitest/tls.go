package kojitest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// NewTLS starts an https hub with its own CA. sslLogin accepts client
// certificates signed by that CA; the CA (CAFile) and a client certificate
// with key for user (ClientCertFile, PEM with both) are written into a
// temporary directory.
func NewTLS(t testing.TB, topdir, user string) *Hub {
	t.Helper()
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kojitest CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(cn string, serial int64, usage x509.ExtKeyUsage, ip bool) ([]byte, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
		}
		if ip {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
			tmpl.DNSNames = []string{"localhost"}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, key
	}
	pemOf := func(der []byte, key *ecdsa.PrivateKey) []byte {
		out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		if key != nil {
			kb, _ := x509.MarshalECPrivateKey(key)
			out = append(out, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb})...)
		}
		return out
	}
	srvDER, srvKey := issue("localhost", 2, x509.ExtKeyUsageServerAuth, true)
	cliDER, cliKey := issue(user, 3, x509.ExtKeyUsageClientAuth, false)
	srvPEM := pemOf(srvDER, srvKey)
	srvCert, err := tls.X509KeyPair(srvPEM, srvPEM)
	if err != nil {
		t.Fatal(err)
	}
	h := newHub(topdir)
	h.CAFile = filepath.Join(dir, "ca.pem")
	h.ClientCertFile = filepath.Join(dir, "client.pem")
	if err := os.WriteFile(h.CAFile, pemOf(caDER, nil), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.ClientCertFile, pemOf(cliDER, cliKey), 0o600); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	h.Server = httptest.NewUnstartedServer(h)
	h.Server.TLS = &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientCAs: pool, ClientAuth: tls.VerifyClientCertIfGiven}
	h.Server.StartTLS()
	t.Cleanup(h.Server.Close)
	return h
}
