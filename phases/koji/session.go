package koji

import "sync"

// Session holds the logged-in client of one compose run, made on first
// use and shared by every phase that talks to Koji. Its zero value holds
// no client yet.
type Session struct {
	mu     sync.Mutex
	client *Client
}

// Client returns the session's client, calling connect the first time (and
// again after a failed attempt, which is not cached).
func (s *Session) Client(connect func() (*Client, error)) (*Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		return s.client, nil
	}
	kc, err := connect()
	if err != nil {
		return nil, err
	}
	s.client = kc
	return kc, nil
}
