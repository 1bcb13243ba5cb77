package main

import (
	"io"
	"os"
	"testing"
)

// runCLI runs a subcommand in-process and returns its exit code, stdout
// and stderr. Both pipes are drained concurrently so a chatty command
// cannot block on a full pipe.
func runCLI(t *testing.T, run func([]string) int, args ...string) (int, string, string) {
	t.Helper()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	outC, errC := make(chan string), make(chan string)
	go func() { b, _ := io.ReadAll(outR); outC <- string(b) }()
	go func() { b, _ := io.ReadAll(errR); errC <- string(b) }()
	code := run(args)
	outW.Close()
	errW.Close()
	os.Stdout, os.Stderr = oldOut, oldErr
	return code, <-outC, <-errC
}
