package createiso

// Reading back what a finished ISO holds (implanted MD5, volume ID) and
// checksumming its files.

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pungo/pungo/internal/checksum"
)

// ImplantedMD5 is the MD5 implantisomd5 stored in the ISO
// (checkisomd5 --md5sumonly).
func ImplantedMD5(iso string) (string, error) {
	out, err := exec.Command("checkisomd5", "--md5sumonly", iso).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("checkisomd5 --md5sumonly %s: %v", iso, err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == iso {
			if s := strings.TrimSpace(v); len(s) == 32 {
				return s, nil
			}
		}
	}
	return "", fmt.Errorf("checkisomd5 printed no MD5 for %s", iso)
}

// ReadVolumeID reads the volume identifier from the ISO's primary volume
// descriptor.
func ReadVolumeID(iso string) (string, error) {
	f, err := os.Open(iso)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf := make([]byte, 72)
	if _, err := f.ReadAt(buf, 0x8000); err != nil {
		return "", err
	}
	if string(buf[1:6]) != "CD001" {
		return "", fmt.Errorf("%s has no ISO 9660 primary volume descriptor", iso)
	}
	return strings.TrimRight(string(buf[40:72]), " \x00"), nil
}

// fileChecksum is the hex digest of path with algorithm alg.
func fileChecksum(path, alg string) (string, error) {
	sums, err := checksum.File(context.Background(), path, []string{alg})
	if err != nil {
		return "", err
	}
	return sums[alg], nil
}
