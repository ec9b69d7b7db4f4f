package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// createToken runs bayt token create and returns the token's id and secret.
func createToken(t *testing.T, url string, extra ...string) (id, secret string) {
	t.Helper()
	args := append([]string{"token", "create", "-database-url", url}, extra...)
	out, err := run(t, args...)
	if err != nil {
		t.Fatalf("bayt %s: %v", strings.Join(args, " "), err)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for _, f := range strings.Fields(lines[0]) {
		if strings.HasPrefix(f, "tok-") {
			id = f
		}
	}
	if id == "" || len(lines) != 2 {
		t.Fatalf("token create printed %q, want the token's id on the first line and its secret on the second", out)
	}
	return id, lines[1]
}

// listRow returns the row of bayt token list about id, split in columns.
func listRow(t *testing.T, out, id string) []string {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[0] == id {
			return f
		}
	}
	t.Fatalf("token list does not show %s:\n%s", id, out)
	return nil
}

func TestTokenRevokeAndExpiry(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	url := eventstoretest.URLFor(t, ts.schema)
	ctx := context.Background()
	rep := ts.report(map[string]any{"reporter": map[string]any{"name": "Hedi Trabelsi"}})
	path := "/api/v1/cases/" + rep["id"].(string)
	// The reporter is shown to staff only: seeing it proves the request
	// acted as the token's advocate, not as the anonymous public.
	actsAsStaff := func(who string) {
		t.Helper()
		if r, _ := ts.must(http.StatusOK, "GET", path, who, nil)["reporter"].(map[string]any); r["name"] != "Hedi Trabelsi" {
			t.Fatalf("as %s the case shows reporter %v, want staff's view", who, r)
		}
	}

	revokedID, secret := createToken(t, url, "--role", "advocate", "--name", "Salma Revoked")
	ts.tokens["revoked"] = secret
	actsAsStaff("revoked")
	out, err := run(t, "token", "revoke", revokedID, "-database-url", url)
	if err != nil || !strings.Contains(out, "revoked token "+revokedID) {
		t.Fatalf("token revoke: %q, %v", out, err)
	}
	expectProblem(t, ts.do("GET", path, "revoked", nil), http.StatusUnauthorized, "unauthenticated")
	expectProblem(t, ts.do("GET", "/api/v1/cases", "revoked", nil), http.StatusUnauthorized, "unauthenticated")
	actsAsStaff("advocate")

	expiredID, secret := createToken(t, url, "--role", "advocate", "--name", "Omar Expired", "--expires", "1h")
	ts.tokens["expired"] = secret
	actsAsStaff("expired")
	// The clock passing the expiry, without waiting for it.
	if _, err := ts.pool.Exec(ctx, "UPDATE tokens SET expires_at = now() - interval '1 second' WHERE id = $1", expiredID); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, ts.do("GET", path, "expired", nil), http.StatusUnauthorized, "unauthenticated")

	at := time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second)
	laterID, _ := createToken(t, url, "--role", "officer", "--name", "Karim", "--department", "roads_works", "--expires", at.Format(time.RFC3339))

	out, err = run(t, "token", "list", "-database-url", url)
	if err != nil {
		t.Fatalf("token list: %v", err)
	}
	var revokedAt time.Time
	if err := ts.pool.QueryRow(ctx, "SELECT revoked_at FROM tokens WHERE id = $1", revokedID).Scan(&revokedAt); err != nil {
		t.Fatal(err)
	}
	if f := listRow(t, out, revokedID); len(f) != 9 || f[1] != "advocate" || f[4] != "-" || f[6] != "never" ||
		f[7] != revokedAt.UTC().Format(time.RFC3339) || f[8] != "revoked" {
		t.Errorf("revoked token listed as %q, revoked at %v", f, revokedAt)
	}
	if f := listRow(t, out, expiredID); len(f) != 9 || f[7] != "-" || f[8] != "expired" {
		t.Errorf("expired token listed as %q", f)
	}
	if f := listRow(t, out, laterID); len(f) != 8 || f[1] != "officer" || f[3] != "roads_works" || f[5] != at.Format(time.RFC3339) || f[6] != "-" || f[7] != "active" {
		t.Errorf("token expiring later listed as %q", f)
	}
	// Neither any secret nor any stored hash is ever printed.
	rows, err := ts.pool.Query(ctx, "SELECT hash FROM tokens")
	if err != nil {
		t.Fatal(err)
	}
	var hashes [][]byte
	for rows.Next() {
		var h []byte
		if err := rows.Scan(&h); err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if rows.Err() != nil {
		t.Fatal(rows.Err())
	}
	if len(hashes) < 8 {
		t.Fatalf("%d hashes read, want every token's", len(hashes))
	}
	for who, secret := range ts.tokens {
		sum := sha256.Sum256([]byte(secret))
		if strings.Contains(out, secret) || strings.Contains(out, strings.TrimPrefix(secret, "bayt_")) || strings.Contains(out, hex.EncodeToString(sum[:])) {
			t.Errorf("token list shows %s's secret or its hash", who)
		}
	}
	for _, h := range hashes {
		if strings.Contains(strings.ToLower(out), hex.EncodeToString(h)) {
			t.Errorf("token list shows a stored hash")
		}
	}
	if strings.Contains(out, "bayt_") {
		t.Errorf("token list shows something shaped like a secret:\n%s", out)
	}

	for _, tt := range []struct {
		name string
		args []string
		exit int
	}{
		{"ErrRevokeUnknown", []string{"token", "revoke", "tok-01J00000000000000000000000", "-database-url", url}, 1},
		{"ErrRevokeNoID", []string{"token", "revoke", "-database-url", url}, 2},
		{"ErrRevokeTwoIDs", []string{"token", "revoke", "-database-url", url, revokedID, expiredID}, 2},
		{"ErrExpiresInThePast", []string{"token", "create", "-database-url", url, "--role", "advocate", "--name", "usage-past", "--expires", "2001-01-01T00:00:00Z"}, 2},
		{"ErrExpiresNotATime", []string{"token", "create", "-database-url", url, "--role", "advocate", "--name", "usage-soon", "--expires", "soon"}, 2},
		{"ErrExpiresNegative", []string{"token", "create", "-database-url", url, "--role", "advocate", "--name", "usage-negative", "--expires", "-1h"}, 2},
		{"ErrListArgument", []string{"token", "list", "-database-url", url, "all"}, 2},
	} {
		out, err := run(t, tt.args...)
		if exitCode(err) != tt.exit || err == nil {
			t.Errorf("%s: bayt %s: %q, err = %v (exit %d), want exit %d", tt.name, strings.Join(tt.args, " "), out, err, exitCode(err), tt.exit)
		}
		if tt.name == "ErrRevokeUnknown" && domain.KindOf(err) != domain.KindNotFound {
			t.Errorf("revoking an unknown token: %v, want not found", err)
		}
	}
	var n int
	if err := ts.pool.QueryRow(ctx, "SELECT count(*) FROM tokens WHERE name LIKE 'usage-%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("refused requests stored %d tokens (%v)", n, err)
	}
	var expiredRevokedAt *time.Time
	if err := ts.pool.QueryRow(ctx, "SELECT revoked_at FROM tokens WHERE id = $1", expiredID).Scan(&expiredRevokedAt); err != nil || expiredRevokedAt != nil {
		t.Errorf("a refused revoke of two ids revoked one: %v, %v", expiredRevokedAt, err)
	}
}

func TestParseExpires(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Time
	}{
		{"", time.Time{}},
		{"90d", time.Date(2026, 5, 30, 12, 0, 0, 0, time.UTC)},
		{"12h", now.Add(12 * time.Hour)},
		{"1h30m", now.Add(90 * time.Minute)},
		{"2026-12-31T23:00:00+01:00", time.Date(2026, 12, 31, 22, 0, 0, 0, time.UTC)},
	} {
		if got, err := parseExpires(tt.in, now); err != nil || !got.Equal(tt.want) {
			t.Errorf("parseExpires(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"soon", "0d", "-3d", "0", "-1h", "2026-12-31", "d", "1.5d"} {
		if _, err := parseExpires(in, now); exitCode(err) != 2 {
			t.Errorf("parseExpires(%q) error = %v, want a usage error", in, err)
		}
	}
}
