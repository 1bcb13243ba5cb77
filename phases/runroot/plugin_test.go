package runroot

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/pungo/pungo/phases/images/imgtest"
)

func TestPluginCmd(t *testing.T) {
	cases := []struct {
		conf map[string]any
		req  PluginRequest
		want string
	}{
		// No channel, no weight: neither option; i686 goes as its base arch.
		{map[string]any{"runroot_tag": "f40-build"},
			PluginRequest{Task: "pungi-ostree", Arch: "i686", Args: []PluginArg{{Key: "repo", Value: "/r"}, {Key: "update-summary", Value: false}, {Key: "unified-core", Value: true}}},
			"pungi-ostree --nowait --task-id f40-build i386 repo=/r unified-core"},
		{map[string]any{"runroot_tag": "t", "runroot_channel": "ch", "runroot_weights": map[string]any{"buildinstall": 2.9}},
			PluginRequest{Task: "pungi-buildinstall", Arch: "s390x", Packages: []string{"lorax"}, Mounts: []string{"/c"}, ChownUID: true,
				Args: []PluginArg{{Key: "sources", Value: []string{"/a", "/b"}}, {Key: "rootfs-size", Value: int64(3)}}},
			fmt.Sprintf("pungi-buildinstall --nowait --task-id --channel-override=ch --weight=2 --package=lorax --mount=/c --chown-uid=%d t s390x sources=/a sources=/b rootfs-size=3", os.Getuid())},
	}
	for _, tc := range cases {
		c := imgtest.NewCompose(t, tc.conf, "")
		got, err := New(c, "buildinstall").PluginCmd(tc.req)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("got  %q %v\nwant %q", strings.Join(got, " "), err, tc.want)
		}
	}
	c := imgtest.NewCompose(t, nil, "")
	if _, err := New(c, "ostree").PluginCmd(PluginRequest{Task: "pungi-ostree", Arch: "x86_64"}); err == nil || !strings.Contains(err.Error(), "needs runroot_tag") {
		t.Errorf("no runroot_tag: %v", err)
	}
}
