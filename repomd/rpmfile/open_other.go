//go:build !unix

package rpmfile

import "os"

func openFile(path string) (*os.File, error) { return os.Open(path) }
