package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// geoCollection is the GeoJSON export as a client reads it.
type geoCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		Geometry struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties map[string]any `json:"properties"`
	} `json:"features"`
}

// geoExport reads GET /api/v1/exports/cases.geojson with query and
// checks that it is a GeoJSON FeatureCollection of points.
func (ts *testServer) geoExport(query string) (geoCollection, string) {
	ts.t.Helper()
	r := ts.do("GET", "/api/v1/exports/cases.geojson"+query, "", nil)
	if r.status != http.StatusOK {
		ts.t.Fatalf("export%s: %d: %s", query, r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/geo+json" {
		ts.t.Fatalf("export content type %q, want application/geo+json", ct)
	}
	var fc geoCollection
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fc); err != nil || dec.More() {
		ts.t.Fatalf("the export is not one GeoJSON document (%v): %s", err, r.body)
	}
	if fc.Type != "FeatureCollection" || fc.Features == nil {
		ts.t.Fatalf("export type %q with features %v, want a FeatureCollection", fc.Type, fc.Features)
	}
	for _, f := range fc.Features {
		if f.Type != "Feature" || f.Geometry.Type != "Point" || len(f.Geometry.Coordinates) != 2 || f.ID != f.Properties["id"] {
			ts.t.Fatalf("feature %+v is not a point feature named by its case", f)
		}
	}
	return fc, string(r.body)
}

func featureIDs(fc geoCollection) []string {
	ids := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		ids[i] = f.ID
	}
	return ids
}

// TestExportGeoJSON exports the located public cases: the ones without a
// place are left out, and so is the one moderation hides; a replaced title
// shows as the public reads it; coordinates keep three decimals; the
// properties are the public columns and nothing the reporter gave besides.
func TestExportGeoJSON(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const (
		name, phone, email = "Samira Zarrouk", "+216 22 987 654", "samira@example.tn"
		original           = "Zarrouk the grocer cheats"
		publicTitle        = "Scales at a grocer"
	)
	reporter := map[string]any{"name": name, "phone": phone, "email": email}
	located := ts.report(map[string]any{"title": "حفرة أمام المدرسة", "district": "Medina", "reporter": reporter,
		"location": map[string]any{"lat": 36.80654321, "lon": 10.18159}})["id"].(string)
	south := ts.report(map[string]any{"title": original, "category": "markets_prices", "district": "Lafayette",
		"location": map[string]any{"lat": -33.86882, "lon": -0.00049}})["id"].(string)
	nowhere := ts.report(map[string]any{"title": "Pas de lieu", "reporter": reporter})["id"].(string)
	hidden := ts.report(map[string]any{"title": "Quarrel between neighbours", "reporter": reporter,
		"location": map[string]any{"lat": 36.81, "lon": 10.17}})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+located+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+located+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+south+"/moderate", "advocate", map[string]any{
		"public_title": publicTitle, "reason": "names a person"})
	ts.settle()

	fc, body := ts.geoExport("")
	if got, want := featureIDs(fc), []string{hidden, south, located}; !slices.Equal(got, want) {
		t.Fatalf("before the moderation, features %v, want the located cases newest first %v (not %s)", got, want, nowhere)
	}
	byID := map[string]int{}
	for i, f := range fc.Features {
		byID[f.ID] = i
	}
	f := fc.Features[byID[located]]
	if c := f.Geometry.Coordinates; c[0] != 10.182 || c[1] != 36.807 || f.Properties["lat"] != 36.807 || f.Properties["lon"] != 10.182 {
		t.Errorf("located case at %v (lat %v, lon %v), want [10.182 36.807]", c, f.Properties["lat"], f.Properties["lon"])
	}
	var keys []string
	for k := range f.Properties {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"category", "created_at", "department", "district", "due_at", "id", "lat", "lon", "number", "overdue", "status", "theme", "title", "updated_at"}
	if !slices.Equal(keys, want) {
		t.Errorf("properties %v, want %v", keys, want)
	}
	p := f.Properties
	if p["status"] != "forwarded" || p["category"] != "roads" || p["theme"] != "community" || p["district"] != "medina" ||
		p["department"] != "roads_works" || p["due_at"] == nil || p["overdue"] != false || p["title"] != "حفرة أمام المدرسة" {
		t.Errorf("located case's properties = %v", p)
	}
	s := fc.Features[byID[south]]
	if c := s.Geometry.Coordinates; c[0] != 0 || c[1] != -33.869 || s.Properties["title"] != publicTitle ||
		s.Properties["department"] != nil || s.Properties["theme"] != "economic" {
		t.Errorf("moderated southern case = %v at %v, want the public title at [0 -33.869], no department, the economic theme",
			s.Properties, c)
	}
	for _, secret := range []string{name, phone, email, "Samira", original, "reporter", "36.80654", "10.18159"} {
		if strings.Contains(body, secret) {
			t.Errorf("the export holds %q", secret)
		}
	}

	// Hidden: gone from the export, as from every public surface.
	hide := true
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+hidden+"/moderate", "advocate", map[string]any{"hidden": hide, "reason": "a private dispute"})
	ts.settle()
	if fc, body := ts.geoExport(""); !slices.Equal(featureIDs(fc), []string{south, located}) || strings.Contains(body, "Quarrel") {
		t.Fatalf("after hiding %s, features %v", hidden, featureIDs(fc))
	}

	// The filters of GET /api/v1/cases, and a bound.
	for query, want := range map[string][]string{
		"?district=Medina":              {located},
		"?status=forwarded":             {located},
		"?department=roads_works":       {located},
		"?category=markets_prices":      {south},
		"?q=" + url.QueryEscape("حفرة"): {located},
		"?q=grocer":                     {south},
		"?q=cheats":                     {}, // the withdrawn title is not searched
		"?limit=1":                      {south},
		"?district=Nowhere":             {},
	} {
		if fc, _ := ts.geoExport(query); !slices.Equal(featureIDs(fc), want) {
			t.Errorf("export%s: features %v, want %v", query, featureIDs(fc), want)
		}
	}
	expectProblem(t, ts.do("GET", "/api/v1/exports/cases.geojson?status=lost", "", nil), http.StatusUnprocessableEntity, "invalid_input")
	expectProblem(t, ts.do("GET", "/api/v1/exports/cases.geojson?limit=0", "", nil), http.StatusBadRequest, "invalid_input")
}

// TestExportGeoJSONPages exports more located cases than one read of the
// case list holds: every case once, newest first, and a bound that ends
// inside the second read.
func TestExportGeoJSONPages(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	const n = 230
	var ids []string
	for i := range n {
		id := ts.report(map[string]any{"title": fmt.Sprintf("Case %d", i),
			"location": map[string]any{"lat": 36.7 + float64(i)/1000, "lon": 10.1}})["id"].(string)
		ids = append(ids, id)
	}
	slices.Reverse(ids)
	ts.settle()
	fc, _ := ts.geoExport("")
	if got := featureIDs(fc); !slices.Equal(got, ids) {
		t.Fatalf("export of %d cases: %d features, want every case once, newest first", n, len(got))
	}
	if fc, _ := ts.geoExport("?limit=210"); !slices.Equal(featureIDs(fc), ids[:210]) {
		t.Fatalf("export of at most 210: %d features, want the 210 newest", len(fc.Features))
	}
}

// TestReportFormLocation posts the report form as a browser without
// JavaScript does, with the latitude and longitude typed in: the case
// keeps the point; half a point or a number off the globe is refused
// next to its field, in the page's language, and records nothing.
func TestReportFormLocation(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	form := expectPage(t, ts.page("GET", "/report?lang=fr", nil), http.StatusOK, []string{
		`name="lat"`, `name="lon"`, `for="f-lat"`, `for="f-lon"`, `id="f-lat-hint"`, "Latitude", "Longitude", `inputmode="decimal"`,
	})
	key := submatch(t, formKeyPattern, form)
	fill := func(point url.Values) url.Values {
		f := url.Values{"form_key": {key}, "title": {"Trottoir effondré"}, "description": {"Devant la poste"},
			"category": {"roads"}, "district": {"Lafayette"}}
		for k, v := range point {
			f[k] = v
		}
		return f
	}
	report := func(lang string, point url.Values) response {
		t.Helper()
		return ts.page("POST", "/report?lang="+lang, fill(point), "Origin", ts.url)
	}
	reported := func(lang string, point url.Values) response {
		t.Helper()
		return ts.postReportForm("/report?lang="+lang, fill(point), "Origin", ts.url)
	}

	before := ts.head()
	for _, tc := range []struct {
		lang, lat, lon, field, message string
	}{
		{"fr", "36.8", "", "lon", "Indiquez la latitude et la longitude ensemble, ou laissez les deux vides."},
		{"en", "", "10.18", "lat", "Give both the latitude and the longitude, or leave both empty."},
		{"fr", "nord", "10.18", "lat", "La latitude est un nombre entre -90 et 90, par exemple 36.8065."},
		{"ar", "36.8", "190", "lon", "خط الطول رقم بين \u2066-180\u2069 و180، مثلًا 10.1815."},
	} {
		body := expectPage(t, report(tc.lang, url.Values{"lat": {tc.lat}, "lon": {tc.lon}}), http.StatusUnprocessableEntity, []string{
			`id="f-` + tc.field + `-error">` + tc.message, `href="#f-` + tc.field + `"`, `value="` + tc.lat + `"`,
		})
		other := map[string]string{"lat": "lon", "lon": "lat"}[tc.field]
		if strings.Contains(body, `id="f-`+other+`-error"`) {
			t.Errorf("lat %q, lon %q: the %s field is marked in error too", tc.lat, tc.lon, other)
		}
	}
	if ts.head() != before {
		t.Fatal("a refused point recorded events")
	}

	// A decimal comma and Arabic-Indic digits read as the numbers they
	// are.
	done := reported("ar", url.Values{"lat": {"٣٦٫٨٠٦٥٤"}, "lon": {" 10,18159 "}})
	id := submatch(t, caseIDPattern, expectPage(t, done, http.StatusOK, nil))
	loc, _ := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["location"].(map[string]any)
	if loc["lat"] != 36.80654 || loc["lon"] != 10.18159 {
		t.Fatalf("the case's location is %v, want lat 36.80654, lon 10.18159", loc)
	}
	// Neither is no location.
	key = submatch(t, formKeyPattern, expectPage(t, ts.page("GET", "/report", nil), http.StatusOK, nil))
	id = submatch(t, caseIDPattern, expectPage(t, reported("en", url.Values{"lat": {" "}, "lon": {""}}), http.StatusOK, nil))
	if loc := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)["location"]; loc != nil {
		t.Fatalf("a case reported without a point has location %v", loc)
	}
}

// TestMapConfiguration checks BAYT_TILE_URL, BAYT_TILE_ATTRIBUTION and
// BAYT_MAP_CENTER: the pages' CSP allows images from the tiles' origin
// and nothing else new; a template Bayt cannot turn into a CSP source is
// refused at start, as is a centre off the globe; without tiles
// (BAYT_TILE_URL=none) the pages have no map and still every field.
func TestMapConfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tiles, center, problem string
	}{
		{"https://{s}.tile.example.org/{z}/{x}/{y}.png", "", ""},
		{"/tiles/{z}/{x}/{y}.png", "-33.87,151.21", ""},
		{"https://tile.example.org/{z}/{x}.png", "", "BAYT_TILE_URL"},
		{"https://tile.example.org; script-src *;/{z}/{x}/{y}.png", "", "BAYT_TILE_URL"},
		{"ftp://tile.example.org/{z}/{x}/{y}.png", "", "BAYT_TILE_URL"},
		{"https://tiles.{s}.example.org/{z}/{x}/{y}.png", "", "BAYT_TILE_URL"},
		{"", "36.8", "BAYT_MAP_CENTER"},
		{"", "91,10", "BAYT_MAP_CENTER"},
	} {
		cfg := configFromEnv()
		cfg.Memory, cfg.DatabaseURL = true, ""
		cfg.TileURL, cfg.MapCenter = tc.tiles, tc.center
		err := cfg.validate()
		if (err == nil) != (tc.problem == "") || (err != nil && !strings.Contains(err.Error(), tc.problem)) {
			t.Errorf("tiles %q, centre %q: validate = %v, want a problem with %q", tc.tiles, tc.center, err, tc.problem)
		}
	}

	ts := startMemoryServerWith(t, func(c *config) {
		c.TileURL, c.TileAttribution = "https://{s}.tiles.example.net:8443/v1/{z}/{x}/{y}.png", `&copy; <a href="https://example.net">Example</a>`
		c.MapCenter = "35.8256, 10.6084"
	})
	home := ts.page("GET", "/?lang=en", nil)
	body := expectPage(t, home, http.StatusOK, []string{
		`data-tiles="https://{s}.tiles.example.net:8443/v1/{z}/{x}/{y}.png"`, `data-center="35.825600,10.608400"`,
		`data-attribution="&amp;copy; &lt;a href=&#34;https://example.net&#34;&gt;Example&lt;/a&gt;"`,
		`data-geojson="/api/v1/exports/cases.geojson?limit=1000"`, `/static/map.js?v=`, `/static/leaflet/leaflet.js?v=`,
	})
	if csp := home.header.Get("Content-Security-Policy"); csp != "default-src 'self'; img-src 'self' data: https://*.tiles.example.net:8443; "+
		"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'" {
		t.Errorf("CSP = %q", csp)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " style=") {
		t.Error("the board has an inline script or style")
	}
	// A page without a map loads none of it.
	expectPage(t, ts.page("GET", "/campaigns?lang=en", nil), http.StatusOK, nil, "leaflet", "map.js")

	off := startMemoryServerWith(t, func(c *config) { c.TileURL = "" })
	home = off.page("GET", "/", nil)
	expectPage(t, home, http.StatusOK, nil, "leaflet", "data-map")
	expectPage(t, off.page("GET", "/report", nil), http.StatusOK, []string{`name="lat"`, `name="lon"`}, "data-map")
	if csp := home.header.Get("Content-Security-Policy"); !strings.HasPrefix(csp, "default-src 'self'; img-src 'self' data:; connect-src 'self';") {
		t.Errorf("CSP without tiles = %q", csp)
	}
}
