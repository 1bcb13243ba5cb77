package compose

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Level is a log record's severity.
type Level int

const (
	LevelDebug Level = iota
	LevelInfo
	LevelWarning
	LevelError
	LevelCritical
)

func (l Level) String() string {
	switch l {
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO"
	case LevelWarning:
		return "WARNING"
	case LevelError:
		return "ERROR"
	}
	return "CRITICAL"
}

// Logger writes kobo-style lines ("2006-01-02 15:04:05 [INFO    ] msg") to
// logs/global/pungi.global.log and, unless quiet, to the console (through
// the progress display when it is live). It is safe for concurrent use.
type Logger struct {
	mu      sync.Mutex
	file    io.WriteCloser
	console io.Writer
	display *Progress
	minCons Level
}

// NewLogger logs to the file at path (created) and to console (nil: none).
func NewLogger(path string, console io.Writer) (*Logger, error) {
	l := &Logger{console: console, minCons: LevelInfo}
	if path != "" {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		l.file = f
	}
	return l, nil
}

// Close closes the log file.
func (l *Logger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		err := l.file.Close()
		l.file = nil
		return err
	}
	return nil
}

// Log writes one record.
func (l *Logger) Log(level Level, format string, args ...any) {
	if l == nil {
		return
	}
	msg := fmt.Sprintf(format, args...)
	line := fmt.Sprintf("%s [%-8s] %s\n", time.Now().Format("2006-01-02 15:04:05"), level, msg)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.file != nil {
		io.WriteString(l.file, line)
	}
	if l.console != nil && level >= l.minCons {
		if l.display != nil {
			l.display.printAbove(line)
		} else {
			io.WriteString(l.console, line)
		}
	}
}

func (l *Logger) Debugf(format string, args ...any)    { l.Log(LevelDebug, format, args...) }
func (l *Logger) Infof(format string, args ...any)     { l.Log(LevelInfo, format, args...) }
func (l *Logger) Warningf(format string, args ...any)  { l.Log(LevelWarning, format, args...) }
func (l *Logger) Errorf(format string, args ...any)    { l.Log(LevelError, format, args...) }
func (l *Logger) Criticalf(format string, args ...any) { l.Log(LevelCritical, format, args...) }
