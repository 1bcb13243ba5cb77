// Command pungo is a distribution compose tool: it builds and queries rpm-md
// repositories, gathers package sets with Pungi's semantics and runs
// Pungi-compatible composes. Each subcommand lives in its own file and
// registers itself; the work is done by the packages it calls.
package main

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pungo/pungo/internal/guard"
)

// command is one subcommand. run gets the arguments after the subcommand
// name and returns the process exit code: 0 success, 1 a negative answer
// (differences found, broken dependencies), 2 an error.
type command struct {
	name    string
	summary string
	run     func(args []string) int
}

var commands = map[string]*command{}

func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("pungo: subcommand registered twice: " + c.name)
	}
	commands[c.name] = c
}

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func usage() {
	fmt.Fprintf(os.Stderr, "usage: pungo COMMAND [options] [arguments]\n\ncommands:\n")
	names := slices.Sorted(maps.Keys(commands))
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'pungo COMMAND -h' for a command's options.\n")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	switch os.Args[1] {
	case "-h", "--help", "help":
		usage()
		os.Exit(0)
	case "--version", "version":
		fmt.Println("pungo", version)
		os.Exit(0)
	}
	c, ok := commands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "pungo: unknown command %q\n\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	os.Exit(runCommand(c, os.Args[2:]))
}

// runCommand runs a subcommand; a panic becomes a one-line error, with the
// Go trace written to a file instead of the terminal.
func runCommand(c *command, args []string) (code int) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		msg := fmt.Sprintf("pungo %s: internal error: %v", c.name, v)
		if f, err := os.CreateTemp("", "pungo-traceback-*.log"); err == nil {
			fmt.Fprintf(f, "pungo %s %s\npanic: %v\n%s", c.name, strings.Join(args, " "), v, debug.Stack())
			f.Close()
			msg += " (traceback in " + f.Name() + ")"
		}
		fmt.Fprintln(os.Stderr, msg)
		code = 2
	}()
	if prof := os.Getenv("PUNGO_CPUPROFILE"); prof != "" {
		// For bench/ and go tool pprof; not a user option.
		if f, err := os.Create(prof); err == nil {
			defer f.Close()
			if pprof.StartCPUProfile(f) == nil {
				defer pprof.StopCPUProfile()
			}
		}
	}
	return c.run(args)
}

// fail prints a one-line error for a subcommand and returns exit code 2.
// A worker goroutine's panic that reached here as an error has its trace
// written to a file, as runCommand does for the command's own.
func fail(cmd string, err error) int {
	msg := printable(err.Error())
	var gp *guard.PanicError
	if errors.As(err, &gp) {
		if f, ferr := os.CreateTemp("", "pungo-traceback-*.log"); ferr == nil {
			fmt.Fprintf(f, "pungo %s\npanic: %v\n%s", cmd, gp.Value, gp.Stack)
			f.Close()
			msg += " (traceback in " + f.Name() + ")"
		}
	}
	fmt.Fprintf(os.Stderr, "pungo %s: %s\n", cmd, msg)
	return 2
}

// printable makes a message that may quote input bytes (a parser's
// "invalid character entity &1\xcc", a name with a newline in it) safe
// for a terminal and one line long: invalid UTF-8 and control characters,
// newlines included, become Go escapes (\xcc, \n); everything else,
// non-ASCII text included, is kept.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r) // '\n', '\x00', '\u0085'
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
