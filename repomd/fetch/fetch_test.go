package fetch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// fast is the client the tests use: dnf's rules with a 1 s window.
func fast() *Client {
	return New(Options{ConnectTimeout: time.Second, LowSpeedLimit: 1000, LowSpeedTime: time.Second, Backoff: 10 * time.Millisecond, MaxSize: 1 << 20})
}

var payload = bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB

// hangServer accepts connections and never answers.
func hangServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return "http://" + l.Addr().String() + "/repodata/repomd.xml"
}

// TestMisbehavingServers: every way a server can fail ends in bounded
// time with an error naming the URL; transient failures are retried and
// resumed.
func TestMisbehavingServers(t *testing.T) {
	var flaky atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.Write(payload)
	})
	mux.HandleFunc("/404", http.NotFound)
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) })
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		w.Write(payload[:1000])
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/trickle", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(payload)))
		for i := range payload {
			if _, err := w.Write(payload[i : i+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(100 * time.Millisecond): // 10 B/s
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			if _, err := w.Write(payload); err != nil {
				return
			}
		}
	})
	hijackClose := func(w http.ResponseWriter, head string, part []byte) {
		c, _, _ := w.(http.Hijacker).Hijack()
		fmt.Fprintf(c, "%s", head)
		c.Write(part)
		c.Close()
	}
	mux.HandleFunc("/cut", func(w http.ResponseWriter, r *http.Request) {
		hijackClose(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(payload)), payload[:len(payload)/2])
	})
	// /cut-once closes mid-file on the first request and serves Range
	// requests properly afterwards: the download resumes.
	mux.HandleFunc("/cut-once", func(w http.ResponseWriter, r *http.Request) {
		if flaky.Add(1) == 1 {
			hijackClose(w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", len(payload)), payload[:len(payload)/3])
			return
		}
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(payload))
	})
	var fiveHundreds atomic.Int32
	mux.HandleFunc("/503-once", func(w http.ResponseWriter, r *http.Request) {
		if fiveHundreds.Add(1) == 1 {
			http.Error(w, "busy", 503)
			return
		}
		w.Write(payload)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	cases := []struct {
		path  string
		url   string // instead of srv.URL+path
		size  int64
		want  string // "" = success with payload
		bound time.Duration
	}{
		{path: "/ok", size: int64(len(payload))},
		{path: "/ok", size: 0},
		{path: "/cut-once", size: int64(len(payload))},
		{path: "/503-once"},
		{path: "/404", want: "HTTP 404 Not Found", bound: time.Second},
		{path: "/500", want: "HTTP 500 Internal Server Error", bound: 2 * time.Second},
		{path: "/stall", want: "transfer too slow: less than 1000 bytes/s over 1s", bound: 3 * time.Second},
		{path: "/trickle", want: "transfer too slow", bound: 3 * time.Second},
		{path: "/endless", want: "larger than expected: more than the limit of 1048576 bytes", bound: 3 * time.Second},
		{path: "/endless", size: 5000, want: "larger than expected: more than the 5000 bytes repomd.xml announces", bound: 3 * time.Second},
		{path: "/ok", size: 5000, want: "larger than expected: the server announces 65536 bytes, the limit is 5000", bound: time.Second},
		{path: "/ok", size: 100000, want: "connection closed before the end of the file (65536 of 100000 bytes)", bound: 2 * time.Second},
		{path: "/cut", want: "connection closed before the end of the file (after 32768 bytes)", bound: 2 * time.Second},
		{path: "/cut", size: int64(len(payload)), want: "connection closed before the end of the file (32768 of 65536 bytes)", bound: 2 * time.Second},
		{url: hangServer(t), want: "transfer too slow", bound: 3 * time.Second},
	}
	for _, c := range cases {
		url := c.url
		if url == "" {
			url = srv.URL + c.path
		}
		t.Run(strings.TrimPrefix(c.path, "/"), func(t *testing.T) {
			start := time.Now()
			got, err := fast().Get(context.Background(), url, c.size, 0)
			took := time.Since(start)
			if c.want == "" {
				if err != nil || !bytes.Equal(got, payload) {
					t.Fatalf("got %d bytes, %v", len(got), err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), url+": ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q naming %s", err, c.want, url)
			}
			if took > c.bound {
				t.Errorf("took %s, more than %s", took, c.bound)
			}
			var fe *Error
			if !errors.As(err, &fe) || fe.URL != url {
				t.Errorf("not a *fetch.Error: %#v", err)
			}
		})
	}
}

// TestCancel: cancelling the context stops a stalled transfer at once.
func TestCancel(t *testing.T) {
	slow := New(Options{LowSpeedTime: time.Hour})
	url := hangServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := slow.Get(ctx, url, 0, 0)
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), url) {
		t.Errorf("err = %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("cancel took %s", took)
	}
}

// TestSlowReaderIsNotAStall: a consumer that pauses longer than the
// low-speed window does not make the server look slow.
func TestSlowReaderIsNotAStall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(payload) }))
	defer srv.Close()
	rc, err := fast().Open(context.Background(), srv.URL, int64(len(payload)), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 100)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	rest, err := io.ReadAll(rc)
	if err != nil || len(rest) != len(payload)-100 {
		t.Errorf("%d bytes, %v", len(rest), err)
	}
}
