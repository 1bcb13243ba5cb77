package main

import (
	"strings"
	"testing"

	"github.com/pungo/pungo/repomd/toolcheck"
)

// On CentOS Stream 9, pungo depsolve hides nothing by module metadata (as
// pungi-gather, which adds repositories with module_hotfixes), --module
// solves with exactly the named stream, BaseOS's comps is read although
// only its group_gz file is shipped, and repoclosure keeps dnf's
// default-stream view unless --module-hotfixes.
func TestDepsolveModulesRealdata(t *testing.T) {
	base := toolcheck.Shared(t, "realdata/cs9-baseos")
	app := toolcheck.Shared(t, "realdata/cs9-appstream")
	cases := []struct {
		name string
		args []string
		code int
		want string // substring of stdout (or stderr for code 2)
		not  string
	}{
		{"nothing hidden", []string{"--repo", base, "--repo", app, "--exclude-source", "nodejs"}, 0, "nodejs-22.4.1-4.module_el9", ""},
		{"module stream", []string{"--repo", base, "--repo", app, "--exclude-source", "--module", "nodejs:20", "nodejs"}, 0, "nodejs-20.18.1-1.module_el9", "nodejs-22"},
		{"unknown stream", []string{"--repo", base, "--repo", app, "--module", "nodejs:99", "nodejs"}, 2, `module stream "nodejs:99"`, ""},
		{"group_gz only", []string{"--repo", base, "--exclude-source", "--group", "core", "bash"}, 0, "bash-", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, runDepsolve, c.args...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\n%s", code, c.code, errOut)
			}
			if !strings.Contains(out+errOut, c.want) || (c.not != "" && strings.Contains(out, c.not)) {
				t.Errorf("output lacks %q or has %q:\n%.2000s%s", c.want, c.not, out, errOut)
			}
		})
	}
	_, dnfView, _ := runCLI(t, runRepoclosure, "--repo", app, "--lookaside", base, "--json")
	_, all, _ := runCLI(t, runRepoclosure, "--repo", app, "--lookaside", base, "--json", "--module-hotfixes")
	if strings.Count(dnfView, `"nevra"`) >= strings.Count(all, `"nevra"`) || strings.Contains(dnfView, ".module_el9") {
		t.Errorf("repoclosure: dnf view %d entries (modular ones: %v), hotfixes %d", strings.Count(dnfView, `"nevra"`),
			strings.Contains(dnfView, ".module_el9"), strings.Count(all, `"nevra"`))
	}
}
