package main

import (
	"context"
	"net/http"
	"testing"
)

// TestRefusedCommandsLeaveNothingInTheVault sends personal data with
// commands that are refused, and counts the vault's rows: a refused
// command must not keep anyone's details.
func TestRefusedCommandsLeaveNothingInTheVault(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	rows := func() int {
		t.Helper()
		var n int
		if err := ts.pool.QueryRow(context.Background(),
			"SELECT (SELECT count(*) FROM vault_keys) + (SELECT count(*) FROM vault_data) + (SELECT count(*) FROM vault_erasures)").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	reporter := map[string]any{"name": "Amal Ben Salah", "phone": "+216 20 111 222", "email": "amal@example.org"}
	body := map[string]any{"title": "حفرة", "description": "Deep pothole", "category": "roads", "district": "Medina", "reporter": reporter}

	expectProblem(t, ts.do("POST", "/api/v1/cases", "", body, "If-Match", `"1"`), http.StatusConflict, "version_conflict")
	bad := map[string]any{"title": "", "description": "x", "category": "roads", "district": "Medina", "reporter": reporter}
	expectProblem(t, ts.do("POST", "/api/v1/cases", "", bad), http.StatusUnprocessableEntity, "invalid_input")

	org := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "جمعية الحي", "kind": "association"})
	member := map[string]any{"name": "Amal Ben Salah", "phone": "+216 20 111 222", "role": "president"}
	expectProblem(t, ts.do("POST", "/api/v1/organisations/"+org["id"].(string)+"/members", "officer", member), http.StatusForbidden, "forbidden")
	expectProblem(t, ts.do("POST", "/api/v1/organisations/"+org["id"].(string)+"/members", "advocate", member, "If-Match", `"7"`),
		http.StatusConflict, "version_conflict")
	if n := rows(); n != 0 {
		t.Fatalf("refused commands left %d vault rows", n)
	}

	// The same commands, accepted, do store: the count above could not
	// stay at zero by accident.
	ts.must(http.StatusCreated, "POST", "/api/v1/cases", "", body)
	ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+org["id"].(string)+"/members", "advocate", member)
	if n := rows(); n != 4 {
		t.Fatalf("two accepted commands left %d vault rows, want a key and data each", n)
	}
}
