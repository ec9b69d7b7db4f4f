package main

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// csvExport reads GET /api/v1/exports/cases.csv with query as a
// spreadsheet program would: the BOM first, then records, and returns
// the header and the rows by case id.
func (ts *testServer) csvExport(query string) ([]string, map[string]map[string]string, []string, string) {
	ts.t.Helper()
	r := ts.do("GET", "/api/v1/exports/cases.csv"+query, "", nil)
	if r.status != http.StatusOK {
		ts.t.Fatalf("export%s: %d: %s", query, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		ts.t.Fatalf("export content type %q", ct)
	}
	return parseCSVExport(ts.t, r.body)
}

func parseCSVExport(t *testing.T, body []byte) ([]string, map[string]map[string]string, []string, string) {
	t.Helper()
	rest, ok := bytes.CutPrefix(body, []byte("\xEF\xBB\xBF"))
	if !ok {
		t.Fatalf("the CSV does not open with the UTF-8 BOM: % x", body[:min(len(body), 8)])
	}
	cr := csv.NewReader(bytes.NewReader(rest))
	records, err := cr.ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("the CSV does not parse (%v): %s", err, body)
	}
	header := records[0]
	rows := map[string]map[string]string{}
	var order []string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, col := range header {
			row[col] = rec[i]
		}
		if _, dup := rows[row["id"]]; dup {
			t.Fatalf("case %s twice in the export", row["id"])
		}
		rows[row["id"]] = row
		order = append(order, row["id"])
	}
	return header, rows, order, string(body)
}

// TestExportCSV exports the public cases as CSV: a BOM and a header, one
// row per public case with or without a place, Arabic as typed, the
// public title of a moderated case, coordinates to three decimals, the
// hidden case absent, and nothing the reporter gave besides.
func TestExportCSV(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const (
		name, phone, email = "Samira Zarrouk", "+216 22 987 654", "samira@example.tn"
		original           = "Zarrouk the grocer cheats"
		publicTitle        = "Scales at a grocer, \"quoted\", with a comma"
		arabic             = "حفرة أمام المدرسة"
	)
	reporter := map[string]any{"name": name, "phone": phone, "email": email}
	located := ts.report(map[string]any{"title": arabic, "district": "Medina", "reporter": reporter,
		"location": map[string]any{"lat": 36.80654321, "lon": 10.18159}})["id"].(string)
	moderated := ts.report(map[string]any{"title": original, "category": "markets_prices", "district": "Lafayette", "reporter": reporter})["id"].(string)
	hidden := ts.report(map[string]any{"title": "Quarrel between neighbours", "reporter": reporter,
		"location": map[string]any{"lat": 36.81, "lon": 10.17}})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+located+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+located+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+moderated+"/moderate", "advocate", map[string]any{
		"public_title": publicTitle, "reason": "names a person"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+hidden+"/moderate", "advocate", map[string]any{"hidden": true, "reason": "a private dispute"})
	ts.settle()

	header, rows, order, body := ts.csvExport("")
	want := []string{"id", "number", "status", "category", "theme", "district", "department",
		"created_at", "updated_at", "due_at", "overdue", "lat", "lon", "title"}
	if !slices.Equal(header, want) {
		t.Fatalf("header %v, want %v", header, want)
	}
	if !slices.Equal(order, []string{moderated, located}) {
		t.Fatalf("rows %v, want the public cases newest first [%s %s], not the hidden %s", order, moderated, located, hidden)
	}
	number, _ := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+located, "", nil)["number"].(string)
	l := rows[located]
	if l["title"] != arabic || l["lat"] != "36.807" || l["lon"] != "10.182" || l["status"] != "forwarded" ||
		l["department"] != "roads_works" || l["theme"] != "community" || l["due_at"] == "" || l["overdue"] != "false" ||
		l["number"] == "" || l["number"] != number || l["district"] != "Medina" {
		t.Errorf("located case's row = %v (number %q)", l, number)
	}
	m := rows[moderated]
	if m["title"] != publicTitle || m["lat"] != "" || m["lon"] != "" || m["department"] != "" || m["theme"] != "economic" || m["due_at"] != "" {
		t.Errorf("moderated case's row = %v, want the public title, no place, no department", m)
	}
	for _, secret := range []string{name, phone, email, "Samira", original, "Quarrel", "36.80654", "10.18159", "reporter"} {
		if strings.Contains(body, secret) {
			t.Errorf("the export holds %q", secret)
		}
	}

	if _, rows, _, _ := ts.csvExport("?district=Medina"); len(rows) != 1 || rows[located] == nil {
		t.Errorf("export?district=Medina: %v, want the located case alone", rows)
	}
	expectProblem(t, ts.do("GET", "/api/v1/exports/cases.csv?status=lost", "", nil), http.StatusUnprocessableEntity, "invalid_input")
	expectProblem(t, ts.do("GET", "/api/v1/exports/cases.csv?limit=0", "", nil), http.StatusBadRequest, "invalid_input")
}
