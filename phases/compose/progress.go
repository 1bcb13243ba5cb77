package compose

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"
)

// Progress is the live display of a running compose on a terminal: a
// status line under the log with the running phases, their task counts and
// the variant.arch tasks in flight. Without a terminal it stays silent and
// the log lines say everything.
type Progress struct {
	mu     sync.Mutex
	out    io.Writer
	live   bool
	start  time.Time
	phases map[string]*phaseProgress
	order  []string
	shown  bool
	stop   chan struct{}
}

type phaseProgress struct {
	total, done int
	running     map[string]bool
}

// NewProgress returns a display writing to out; live says whether out is a
// terminal that can redraw a line.
func NewProgress(out io.Writer, live bool) *Progress {
	p := &Progress{out: out, live: live, start: time.Now(), phases: map[string]*phaseProgress{}}
	if live {
		p.stop = make(chan struct{})
		go p.tick(p.stop)
	}
	return p
}

func (p *Progress) tick(stop <-chan struct{}) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			p.mu.Lock()
			p.redraw()
			p.mu.Unlock()
		}
	}
}

// Close clears the status line and stops redrawing.
func (p *Progress) Close() {
	if p == nil || !p.live {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		close(p.stop)
		p.stop = nil
	}
	p.clear()
}

// PhaseStart adds a phase to the display.
func (p *Progress) PhaseStart(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.phases[name]; !ok {
		p.order = append(p.order, name)
	}
	p.phases[name] = &phaseProgress{running: map[string]bool{}}
	p.redraw()
}

// PhaseStop removes a phase from the display.
func (p *Progress) PhaseStop(name string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.phases, name)
	for i, n := range p.order {
		if n == name {
			p.order = append(p.order[:i], p.order[i+1:]...)
			break
		}
	}
	p.redraw()
}

// AddTasks announces n more tasks of a phase.
func (p *Progress) AddTasks(phase string, n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ph := p.phases[phase]; ph != nil {
		ph.total += n
	}
	p.redraw()
}

// TaskStart marks a task (e.g. "Server.x86_64") of a phase as running.
func (p *Progress) TaskStart(phase, task string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ph := p.phases[phase]; ph != nil {
		ph.running[task] = true
	}
	p.redraw()
}

// TaskDone marks a task finished.
func (p *Progress) TaskDone(phase, task string) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ph := p.phases[phase]; ph != nil {
		delete(ph.running, task)
		ph.done++
	}
	p.redraw()
}

// printAbove writes a log line above the status line.
func (p *Progress) printAbove(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	io.WriteString(p.out, line)
	p.redraw()
}

func (p *Progress) clear() {
	if p.live && p.shown {
		io.WriteString(p.out, "\r\033[K")
		p.shown = false
	}
}

func (p *Progress) redraw() {
	if !p.live || p.stop == nil {
		return
	}
	if len(p.order) == 0 {
		p.clear()
		return
	}
	var parts []string
	for _, name := range p.order {
		ph := p.phases[name]
		s := name
		if ph.total > 0 {
			s += fmt.Sprintf(" %d/%d", ph.done, ph.total)
		}
		if len(ph.running) > 0 {
			tasks := slices.Sorted(maps.Keys(ph.running))
			if len(tasks) > 3 {
				tasks = append(tasks[:3], "…")
			}
			s += " [" + strings.Join(tasks, " ") + "]"
		}
		parts = append(parts, s)
	}
	line := fmt.Sprintf("%s  %s", time.Since(p.start).Truncate(time.Second), strings.Join(parts, " | "))
	if len(line) > 150 {
		line = line[:150]
	}
	io.WriteString(p.out, "\r\033[K"+line)
	p.shown = true
}
