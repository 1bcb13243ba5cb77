package compose

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// Notifier runs the --notification-script programs with Pungi's messages:
// the program gets the message name as its only argument and a JSON object
// on standard input. Once a compose is attached, Pungi's compose fields
// (compose_id, location, compose_date, …) are added to every message. A
// script that fails only produces a warning.
type Notifier struct {
	Scripts []string
	mu      sync.Mutex
	compose *Compose
	// Warn receives warnings when no compose (and so no log) is attached.
	Warn func(string)
}

// NewNotifier returns a notifier for the scripts (none: it does nothing).
func NewNotifier(scripts []string) *Notifier { return &Notifier{Scripts: scripts} }

// Attach makes the notifier add c's fields and log through c.
func (n *Notifier) Attach(c *Compose) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.compose = c
	n.mu.Unlock()
}

// notificationFields are the compose fields Pungi adds to every message.
func (c *Compose) notificationFields() map[string]any {
	ci := c.Info
	label := any(nil)
	if ci.Compose.Label != "" {
		label = ci.Compose.Label
	}
	m := map[string]any{
		"compose_id":         ci.Compose.ID,
		"location":           TranslatePath(c.Conf, filepath.Join(c.Topdir, "compose")),
		"compose_date":       ci.Compose.Date,
		"compose_type":       ci.Compose.Type,
		"compose_respin":     ci.Compose.Respin,
		"compose_label":      label,
		"compose_path":       c.Topdir,
		"release_short":      ci.Release.Short,
		"release_name":       ci.Release.Name,
		"release_version":    ci.Release.Version,
		"release_type":       ci.Release.Type,
		"release_is_layered": false,
	}
	if ci.Release.IsLayered && ci.BaseProduct != nil {
		m["release_is_layered"] = true
		m["base_product_name"] = ci.BaseProduct.Name
		m["base_product_version"] = ci.BaseProduct.Version
		m["base_product_short"] = ci.BaseProduct.Short
		m["base_product_type"] = ci.BaseProduct.Type
	}
	return m
}

// Send runs every script with msg and the fields (the compose fields are
// added; fields given here win).
func (n *Notifier) Send(msg string, fields map[string]any) {
	if n == nil || len(n.Scripts) == 0 {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	data := map[string]any{}
	if n.compose != nil {
		for k, v := range n.compose.notificationFields() {
			data[k] = v
		}
	}
	for k, v := range fields {
		data[k] = v
	}
	payload, err := json.Marshal(data)
	if err != nil {
		n.warn(fmt.Sprintf("notification %s: cannot encode fields: %v", msg, err))
		return
	}
	for _, script := range n.Scripts {
		n.run(script, msg, payload)
	}
}

func (n *Notifier) run(script, msg string, payload []byte) {
	cmd := exec.Command(script, msg)
	cmd.Stdin = bytes.NewReader(payload)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if n.compose != nil {
		n.compose.Log.Debugf("Notification: %q %q, %s", script, msg, payload)
	}
	err := cmd.Run()
	if n.compose != nil {
		dir := filepath.Join(n.compose.Paths.Log.Topdir(""), "notifications")
		if os.MkdirAll(dir, 0o755) == nil {
			name := fmt.Sprintf("notification-%s-%s.log", time.Now().UTC().Format("2006-01-02_15-04-05.000000"), msg)
			os.WriteFile(filepath.Join(dir, name), append([]byte(fmt.Sprintf("$ %s %s\n", script, msg)), out.Bytes()...), 0o644)
		}
	}
	if err != nil {
		n.warn(fmt.Sprintf("Failed to invoke notification script %s (%s): %v", script, msg, err))
	}
}

func (n *Notifier) warn(s string) {
	if n.compose != nil {
		n.compose.Log.Warningf("%s", s)
		return
	}
	if n.Warn != nil {
		n.Warn(s)
		return
	}
	fmt.Fprintln(os.Stderr, "WARNING: "+s)
}
