package createiso

// Reading back what a finished ISO holds (implanted MD5, volume ID) and
// checksumming its files.

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"io"
	"os"
	"os/exec"
	"strings"
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

func fileChecksum(path, alg string) (string, error) {
	var h hash.Hash
	switch alg {
	case "sha256":
		h = sha256.New()
	case "sha1":
		h = sha1.New()
	case "sha512":
		h = sha512.New()
	case "md5":
		h = md5.New()
	default:
		return "", fmt.Errorf("unsupported checksum %q", alg)
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
