package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// mailpit is a mailpit server (github.com/axllent/mailpit) the test runs
// from the binary BAYT_TEST_MAILPIT names: a real mail server, which reads
// what Bayt sends as any mail client would. Its packages cannot be run
// in-process (the SMTP server is internal to its module), and building it
// takes minutes, so the suite uses its own small server unless asked.
type mailpit struct {
	t         *testing.T
	smtpAddr  string
	httpAddr  string
	apiClient *http.Client
}

func startMailpit(t *testing.T, bin string) *mailpit {
	t.Helper()
	m := &mailpit{t: t, smtpAddr: freeAddr(t), httpAddr: freeAddr(t), apiClient: &http.Client{Timeout: 10 * time.Second}}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "--smtp", m.smtpAddr, "--listen", m.httpAddr, "--disable-version-check")
	out, err := cmd.StderrPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	cmd.Stdout = cmd.Stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start mailpit: %v", err)
	}
	// Mailpit says when it listens: its SMTP server starts before its
	// HTTP server says where it is reachable.
	ready := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "[http] accessible via") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
		_ = cmd.Wait()
		m.apiClient.CloseIdleConnections()
	})
	if !<-ready {
		t.Fatal("mailpit stopped before it listened")
	}
	return m
}

func (m *mailpit) url() string {
	return "smtp://" + m.smtpAddr + "?from=bayt@example.org&tls=none"
}

func (m *mailpit) get(path string, v any) {
	m.t.Helper()
	req, err := http.NewRequestWithContext(m.t.Context(), "GET", "http://"+m.httpAddr+path, nil)
	if err != nil {
		m.t.Fatal(err)
	}
	resp, err := m.apiClient.Do(req)
	if err != nil {
		m.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.t.Fatalf("mailpit %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		m.t.Fatalf("mailpit %s: %v", path, err)
	}
}

func (m *mailpit) to(address string) []receivedMail {
	m.t.Helper()
	var list struct {
		Messages []struct {
			ID      string
			Created time.Time
			To      []struct{ Address string }
		}
	}
	m.get("/api/v1/messages?limit=1000", &list)
	// Newest first in mailpit's list; the tests read them in order sent.
	slices.Reverse(list.Messages)
	var out []receivedMail
	for _, l := range list.Messages {
		if len(l.To) != 1 || l.To[0].Address != address {
			continue
		}
		var msg struct{ Subject, Text string }
		m.get("/api/v1/message/"+l.ID, &msg)
		var headers map[string][]string
		m.get("/api/v1/message/"+l.ID+"/headers", &headers)
		unsub := ""
		if h := headers["List-Unsubscribe"]; len(h) > 0 {
			unsub = h[0]
		}
		out = append(out, receivedMail{To: address, Subject: msg.Subject, Text: strings.ReplaceAll(msg.Text, "\r\n", "\n"), ListUnsubscribe: unsub})
	}
	return out
}
