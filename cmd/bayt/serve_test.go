package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/citizenhouse/bayt/transport"
)

func TestServeNeedsDatabaseOrMemory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		args []string
		want []string
	}{
		{"ErrNoDatabase", []string{"serve", "-database-url", "", "-addr", "127.0.0.1:0"}, []string{"DATABASE_URL", "--memory"}},
		{"ErrMemoryAndDatabase", []string{"serve", "--memory", "-database-url", "postgres://postgres@127.0.0.1:5432/bayt", "-addr", "127.0.0.1:0"}, []string{"DATABASE_URL", "--memory"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			err := dispatch(context.Background(), tt.args, &stdout, &stderr)
			if exitCode(err) != 2 || err == nil {
				t.Fatalf("bayt %s: err = %v (exit %d), want a refusal (exit 2)", strings.Join(tt.args, " "), err, exitCode(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("refusal %q does not name %s", err, w)
				}
			}
			if strings.Contains(stderr.String(), "msg=serving") {
				t.Errorf("it served anyway: %s", stderr.String())
			}
		})
	}
}

// serveLog is the log of a running bayt serve; it closes listening when
// the server says where it listens.
type serveLog struct {
	mu        sync.Mutex
	buf       bytes.Buffer
	addr      string
	listening chan struct{}
}

var servingAddr = regexp.MustCompile(`msg=serving addr=(\S+)`)

func (l *serveLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if m := servingAddr.FindSubmatch(l.buf.Bytes()); m != nil && l.addr == "" {
		l.addr = string(m[1])
		close(l.listening)
	}
	return len(p), nil
}

func (l *serveLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func TestServeMemory(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	log := &serveLog{listening: make(chan struct{})}
	done := make(chan error, 1)
	// Written before the server says it serves, and never after.
	var stdout bytes.Buffer
	go func() {
		done <- dispatch(ctx, []string{"serve", "--memory", "-database-url", "", "-addr", "127.0.0.1:0"}, &stdout, log)
	}()
	select {
	case <-log.listening:
	case err := <-done:
		cancel()
		t.Fatalf("bayt serve --memory stopped before serving: %v\n%s", err, log)
	}
	// A new deployment prints its way in: the sign-in address and a
	// first admin token, which authenticates.
	first := regexp.MustCompile(`Sign in: +http://(\S+)/console\n +Token: +(bayt_[A-Za-z0-9_-]{43})\n`).FindStringSubmatch(stdout.String())
	if first == nil || first[1] != log.addr {
		cancel()
		t.Fatalf("bayt serve on an empty store printed %q, want the sign-in address and a token", stdout.String())
	}
	inbox, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+log.addr+"/api/v1/boards/inbox?department=roads_works", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	inbox.Header.Set("Authorization", "Bearer "+first[2])
	if resp, err := http.DefaultClient.Do(inbox); err != nil || resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("the first admin token on the inbox board: %v, %v", resp, err)
	} else {
		resp.Body.Close()
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+log.addr+"/readyz", nil)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var rd map[string]any
	err = json.NewDecoder(resp.Body).Decode(&rd)
	resp.Body.Close()
	http.DefaultClient.CloseIdleConnections()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("bayt serve --memory: %v", err)
	}
	if err != nil || resp.StatusCode != http.StatusOK || rd["persistent"] != false || rd["store"] != "memory" || rd["warning"] != transport.EphemeralWarning {
		t.Errorf("/readyz on the in-memory store: %d %v (%v)", resp.StatusCode, rd, err)
	}
	if !strings.Contains(log.String(), "level=WARN msg=\""+transport.EphemeralWarning) {
		t.Errorf("the start does not warn that nothing is kept:\n%s", log)
	}
}

func TestSessionIdleConfig(t *testing.T) {
	for value, ok := range map[string]bool{"": true, "30m": true, "12h": true, "30s": false, "soon": false, "-1h": false} {
		t.Setenv("BAYT_SESSION_IDLE", value)
		cfg := configFromEnv()
		cfg.Memory, cfg.DatabaseURL = true, ""
		if err := cfg.validate(); (err == nil) != ok || (err != nil && !strings.Contains(err.Error(), "BAYT_SESSION_IDLE")) {
			t.Errorf("BAYT_SESSION_IDLE=%q: validate = %v, want ok %v", value, err, ok)
		}
	}
}
