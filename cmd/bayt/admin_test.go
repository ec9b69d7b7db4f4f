package main

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/jackc/pgx/v5"
)

func TestTokenCreate(t *testing.T) {
	t.Parallel()
	pool, schema := eventstoretest.Schema(t, nil)
	url := eventstoretest.URLFor(t, schema)

	t.Run("OK", func(t *testing.T) {
		for _, tt := range []struct {
			role, dept string
		}{
			{"admin", ""},
			{"advocate", ""},
			{"officer", "roads_works"},
		} {
			name := "Token test " + tt.role
			args := []string{"token", "create", "-database-url", url, "--role", tt.role, "--name", name}
			if tt.dept != "" {
				args = append(args, "--department", tt.dept)
			}
			out, err := run(t, args...)
			if err != nil {
				t.Fatalf("bayt %s: %v", strings.Join(args, " "), err)
			}
			lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
			secret := lines[len(lines)-1]
			if secret == "" || strings.ContainsAny(secret, " \t") || !strings.HasSuffix(out, secret+"\n") {
				t.Fatalf("the token is not alone on the last line of %q", out)
			}
			tok, err := eventstore.NewTokens(pool).Authenticate(context.Background(), secret)
			if err != nil {
				t.Fatalf("authenticate the printed token %q: %v", secret, err)
			}
			if tok.Role != domain.Role(tt.role) || tok.Department != tt.dept || tok.Name != name {
				t.Fatalf("token = %+v, want role %s department %q name %q", tok, tt.role, tt.dept, name)
			}
		}
	})

	for _, tt := range []struct {
		name string
		args []string
	}{
		{"ErrUnknownRole", []string{"--role", "mayor", "--name", "usage-mayor"}},
		{"ErrNoRole", []string{"--name", "usage-norole"}},
		{"ErrOfficerWithoutDepartment", []string{"--role", "officer", "--name", "usage-officer"}},
		{"ErrUnknownDepartment", []string{"--role", "officer", "--name", "usage-unknown-dept", "--department", "ministry_of_magic"}},
		{"ErrAdvocateWithDepartment", []string{"--role", "advocate", "--name", "usage-advocate-dept", "--department", "roads_works"}},
		{"ErrNoName", []string{"--role", "advocate"}},
		{"ErrUnknownFlag", []string{"--role", "advocate", "--name", "usage-flag", "--colour", "red"}},
		{"ErrExtraArgument", []string{"--role", "advocate", "--name", "usage-extra", "now"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"token", "create", "-database-url", url}, tt.args...)
			out, err := run(t, args...)
			if exitCode(err) != 2 {
				t.Fatalf("bayt %s: err = %v (exit %d), want a usage error (exit 2)", strings.Join(args, " "), err, exitCode(err))
			}
			if strings.Contains(out, "bayt_") {
				t.Fatalf("a refused request printed a token: %q", out)
			}
			var n int
			if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM tokens WHERE name LIKE 'usage-%'").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("%d tokens were stored by refused requests", n)
			}
		})
	}

	t.Run("ErrNoSubcommand", func(t *testing.T) {
		for _, args := range [][]string{{"token"}, {"token", "delete"}} {
			if _, err := run(t, args...); exitCode(err) != 2 {
				t.Errorf("bayt %v: err = %v, want a usage error", args, err)
			}
		}
	})
}

func TestPersonErase(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	url := eventstoretest.URLFor(t, ts.schema)
	ctx := context.Background()
	personal := map[string]any{"name": "Zaynab Qwertyuiop", "email": "zaynab.qwertyuiop@example.tn", "phone": "+216 98 765 432"}
	secrets := []string{"Zaynab", "Qwertyuiop", "qwertyuiop@example.tn", "98 765 432"}

	rep := ts.report(map[string]any{"reporter": personal})
	id, _ := rep["id"].(string)
	path := "/api/v1/cases/" + id
	if r, _ := ts.must(http.StatusOK, "GET", path, "advocate", nil)["reporter"].(map[string]any); r["email"] != personal["email"] {
		t.Fatalf("before erasure the advocate sees reporter %v", r)
	}
	ts.must(http.StatusOK, "POST", path+"/triage", "advocate", map[string]any{"priority": "normal"})

	out, err := run(t, "person", "erase", "--case", id, "-database-url", url)
	if err != nil {
		t.Fatalf("person erase: %q, %v", out, err)
	}

	for _, who := range []string{"advocate", "admin"} {
		c := ts.must(http.StatusOK, "GET", path, who, nil)
		if _, ok := c["reporter"]; ok || c["reporter_erased"] != true {
			t.Fatalf("after erasure %s sees reporter %v, reporter_erased %v", who, c["reporter"], c["reporter_erased"])
		}
	}
	for _, who := range []string{"", "advocate"} {
		for _, p := range []string{path, path + "/history", "/api/v1/cases"} {
			b := string(ts.do("GET", p, who, nil).body)
			for _, s := range secrets {
				if strings.Contains(b, s) {
					t.Fatalf("GET %s as %q still shows %q: %s", p, who, s, b)
				}
			}
		}
	}

	// Nothing the schema keeps holds the plaintext any more.
	rows, err := ts.pool.Query(ctx, "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name", ts.schema)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, table := range tables {
		var dump string
		q := "SELECT COALESCE(string_agg(t::text, ' '), '') FROM " + pgx.Identifier{ts.schema, table}.Sanitize() + " t"
		if err := ts.pool.QueryRow(ctx, q).Scan(&dump); err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		for _, s := range secrets {
			if strings.Contains(dump, s) {
				t.Errorf("table %s still holds %q after erasure", table, s)
			}
		}
		all.WriteString(dump)
	}
	if !strings.Contains(all.String(), id) || !slices.Contains(tables, "events") || !slices.Contains(tables, "vault_data") {
		t.Fatalf("the dump of tables %v does not even show the case %s", tables, id)
	}

	out, err = run(t, "audit", "verify", "-database-url", url)
	if err != nil || !strings.HasPrefix(out, "ok: ") {
		t.Fatalf("audit verify after erasure: %q, %v (exit %d)", out, err, exitCode(err))
	}

	t.Run("AnonymousCase", func(t *testing.T) {
		ts := sharedServer(t, ts)
		anon, _ := ts.report(nil)["id"].(string)
		out, err := run(t, "person", "erase", "--case", anon, "-database-url", url)
		if err != nil || !strings.Contains(out, "nothing to erase") {
			t.Fatalf("erase an anonymous case: %q, %v", out, err)
		}
	})
	t.Run("ErrUnknownCase", func(t *testing.T) {
		_, err := run(t, "person", "erase", "--case", "case-01ARZ3NDEKTSV4RRFFQ69G5FAV", "-database-url", url)
		if err == nil || exitCode(err) != 1 || !errors.Is(err, domain.ErrNotFound) {
			t.Fatalf("erase an unknown case: err = %v (exit %d), want not found, exit 1", err, exitCode(err))
		}
	})
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"ErrNeitherCaseNorSubject", []string{"person", "erase", "-database-url", url}},
		{"ErrBothCaseAndSubject", []string{"person", "erase", "--case", id, "--subject", "subj-x", "-database-url", url}},
		{"ErrNoSubcommand", []string{"person", "forget", "--case", id, "-database-url", url}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := run(t, tt.args...); exitCode(err) != 2 {
				t.Fatalf("bayt %s: err = %v, want a usage error", strings.Join(tt.args, " "), err)
			}
		})
	}
}
