package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
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
		l["number"] == "" || l["number"] != number || l["district"] != "medina" {
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

// TestExportCommand writes the open data with bayt export: the same rows
// as the API's download, in both formats, a progress bar on stderr, and
// a usage error for a format it does not know, which writes no file.
func TestExportCommand(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const arabic = "انقطاع الماء في الحي"
	located := ts.report(map[string]any{"title": arabic, "reporter": map[string]any{"name": "Samira Zarrouk"},
		"location": map[string]any{"lat": 36.8001234, "lon": 10.1809876}})["id"].(string)
	unlocated := ts.report(map[string]any{"title": "Pas de lieu"})["id"].(string)
	hidden := ts.report(map[string]any{"title": "Quarrel between neighbours"})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+hidden+"/moderate", "advocate", map[string]any{"hidden": true, "reason": "a private dispute"})
	ts.settle()
	url := eventstoretest.URLFor(t, ts.schema) + smallPool
	dir := t.TempDir()

	exportTo := func(format, file string) (string, error) {
		var out, errs bytes.Buffer
		err := dispatch(t.Context(), []string{"export", "--format", format, "--out", file, "-database-url", url}, &out, &errs)
		return errs.String(), err
	}
	csvFile := filepath.Join(dir, "cases.csv")
	said, err := exportTo("csv", csvFile)
	if err != nil {
		t.Fatalf("export csv: %v\n%s", err, said)
	}
	if !strings.Contains(said, "export [") || !strings.Contains(said, "2/2 100%") || !strings.Contains(said, "exported 2 cases to "+csvFile) {
		t.Errorf("export csv said %q, want a progress bar ending at 2/2 and a summary", said)
	}
	body, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	_, rows, order, text := parseCSVExport(t, body)
	_, apiRows, apiOrder, _ := ts.csvExport("")
	if !slices.Equal(order, []string{unlocated, located}) || !slices.Equal(order, apiOrder) {
		t.Fatalf("bayt export wrote %v, the API %v, want [%s %s]", order, apiOrder, unlocated, located)
	}
	for _, id := range order {
		if !maps.Equal(rows[id], apiRows[id]) {
			t.Errorf("case %s: bayt export wrote %v, the API %v", id, rows[id], apiRows[id])
		}
	}
	if rows[located]["title"] != arabic || rows[located]["lat"] != "36.8" || rows[located]["lon"] != "10.181" {
		t.Errorf("located row %v", rows[located])
	}
	if strings.Contains(text, "Samira") || strings.Contains(text, "Quarrel") {
		t.Errorf("the exported file holds personal data or a hidden case: %s", text)
	}

	geoFile := filepath.Join(dir, "cases.geojson")
	if said, err := exportTo("geojson", geoFile); err != nil {
		t.Fatalf("export geojson: %v\n%s", err, said)
	}
	b, err := os.ReadFile(geoFile)
	if err != nil {
		t.Fatal(err)
	}
	var fc geoCollection
	if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
		t.Fatalf("the GeoJSON file does not parse (%v): %s", err, b)
	}
	if apiFC, _ := ts.geoExport(""); !slices.Equal(featureIDs(fc), []string{located}) || !slices.Equal(featureIDs(fc), featureIDs(apiFC)) {
		t.Fatalf("GeoJSON file features %v, want the located case alone, as the API", featureIDs(fc))
	}

	bad := filepath.Join(dir, "cases.xlsx")
	if _, err := exportTo("xlsx", bad); !errors.Is(err, errUsage) {
		t.Fatalf("export --format xlsx: %v, want a usage error", err)
	}
	if _, err := os.Stat(bad); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a refused export left %s (%v)", bad, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Fatalf("the export folder holds %d files, want the two exports and no leftover", len(entries))
	}
}
