package koji

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pungo/pungo/internal/ini"
)

// Profile is a Koji client profile (koji_profile in a Pungi config): a
// section of /etc/koji.conf, /etc/koji.conf.d/*.conf, ~/.koji/config or
// ~/.koji/config.d/*.conf, later files overriding earlier ones.
type Profile struct {
	Name      string
	Server    string // hub XML-RPC URL
	WebURL    string
	TopURL    string
	TopDir    string // local path of Koji's topdir (packages/, work/)
	AuthType  string // noauth, ssl, kerberos (gssapi), password
	Cert      string
	ServerCA  string
	Principal string
	Keytab    string
	User      string
	Password  string
}

// ProfileFiles lists the configuration files read by LoadProfile. The
// PUNGO_KOJI_CONFIG environment variable (a colon-separated list of files
// or directories of *.conf) replaces the defaults.
func ProfileFiles() []string {
	var entries []string
	if env := os.Getenv("PUNGO_KOJI_CONFIG"); env != "" {
		entries = strings.Split(env, ":")
	} else {
		home, _ := os.UserHomeDir()
		entries = []string{"/etc/koji.conf", "/etc/koji.conf.d", filepath.Join(home, ".koji", "config"), filepath.Join(home, ".koji", "config.d")}
	}
	var out []string
	for _, e := range entries {
		st, err := os.Stat(e)
		if err != nil {
			continue
		}
		if st.IsDir() {
			m, _ := filepath.Glob(filepath.Join(e, "*.conf"))
			sort.Strings(m)
			out = append(out, m...)
			continue
		}
		out = append(out, e)
	}
	return out
}

// LoadProfile reads the named profile from ProfileFiles.
func LoadProfile(name string) (*Profile, error) {
	files := ProfileFiles()
	vals := map[string]string{}
	found := false
	for _, f := range files {
		sec, err := readINISection(f, name)
		if err != nil {
			return nil, err
		}
		if sec != nil {
			found = true
			for k, v := range sec {
				vals[k] = v
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("koji profile %q not found in %s", name, strings.Join(files, ", "))
	}
	home, _ := os.UserHomeDir()
	expand := func(s string) string {
		if strings.HasPrefix(s, "~/") {
			return filepath.Join(home, s[2:])
		}
		return s
	}
	p := &Profile{
		Name: name, Server: vals["server"], WebURL: vals["weburl"], TopURL: vals["topurl"], TopDir: expand(vals["topdir"]),
		AuthType: vals["authtype"], Cert: expand(vals["cert"]), ServerCA: expand(vals["serverca"]),
		Principal: vals["principal"], Keytab: expand(vals["keytab"]), User: vals["user"], Password: vals["password"],
	}
	if p.Server == "" {
		return nil, fmt.Errorf("koji profile %q has no server", name)
	}
	return p, nil
}

// readINISection returns the key/values of [section] in an INI file, nil
// when the file lacks it. Keys are lower case, as koji's configparser
// makes them.
func readINISection(path, section string) (map[string]string, error) {
	doc, err := ini.ParseFile(path)
	if err != nil {
		return nil, err
	}
	s := doc.Section(section, false)
	if s == nil {
		return nil, nil
	}
	out := make(map[string]string, len(s.Keys))
	for _, k := range s.Keys {
		out[strings.ToLower(k)] = s.Values[k]
	}
	return out, nil
}

// Connect returns a client for the profile's hub, logged in according to
// its authtype when login is true (anonymous otherwise).
func (p *Profile) Connect(ctx context.Context, login bool, opts ...Option) (*Client, error) {
	if p.ServerCA != "" {
		opts = append(opts, WithServerCA(p.ServerCA))
	}
	if login && p.AuthType == "ssl" {
		opts = append(opts, WithClientCert(p.Cert, ""))
	}
	c, err := New(p.Server, opts...)
	if err != nil {
		return nil, fmt.Errorf("koji profile %s: %w", p.Name, err)
	}
	if !login {
		return c, nil
	}
	switch p.AuthType {
	case "", "noauth":
		return c, nil
	case "ssl":
		err = c.SSLLogin(ctx, "")
	case "kerberos", "gssapi":
		err = c.GSSAPILogin(ctx, GSSAPIOptions{Principal: p.Principal, Keytab: p.Keytab})
	case "password":
		err = c.Login(ctx, p.User, p.Password)
	default:
		return nil, fmt.Errorf("koji profile %s: unknown authtype %q", p.Name, p.AuthType)
	}
	if err != nil {
		return nil, fmt.Errorf("koji profile %s: %w", p.Name, err)
	}
	return c, nil
}
