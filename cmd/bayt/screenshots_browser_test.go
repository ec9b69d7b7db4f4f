package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

// TestScreenshots retakes the screenshots the README shows
// (docs/screenshots/{board,case,report}-{ar,fr}.png): the demo city's
// board, one of its cases with a photo and a point, and the report form,
// at a phone's width, in Arabic and in French, each checked by axe-core.
// It loads a demo city, which takes minutes, so it runs only when
// BAYT_SCREENSHOTS names the directory to write them to, as for the
// console's: BAYT_SCREENSHOTS=$PWD/docs/screenshots go test -run TestScreenshots ./cmd/bayt/
func TestScreenshots(t *testing.T) {
	t.Parallel()
	dir := os.Getenv("BAYT_SCREENSHOTS")
	if dir == "" {
		t.Skip("BAYT_SCREENSHOTS names no directory to write the screenshots to")
	}
	browser, axe := startBrowser(t)
	tiles, _ := tileServer(t)
	ts := startServerWith(t, func(c *config) { c.TileURL = tiles + "/{z}/{x}/{y}.png" })
	demoLoadInto(t, eventstoretest.URLFor(t, ts.schema), ts.keyFile, time.Now().UTC())
	ts.settle()

	// The case shown: the newest with a photo and a point that its
	// department has taken up, so that its timeline tells a story.
	var shown string
	for cursor := ""; shown == ""; {
		var page struct {
			Items []struct {
				ID       string         `json:"id"`
				Status   string         `json:"status"`
				Location map[string]any `json:"location"`
				Photos   []any          `json:"photos"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		r := ts.do("GET", "/api/v1/cases?limit=100&cursor="+url.QueryEscape(cursor), "", nil)
		if err := json.Unmarshal(r.body, &page); r.status != http.StatusOK || err != nil {
			t.Fatalf("list cases: %d %v", r.status, err)
		}
		for _, c := range page.Items {
			if len(c.Photos) > 0 && c.Location != nil && (c.Status == "in_progress" || c.Status == "acknowledged" || c.Status == "resolved") {
				shown = c.ID
				break
			}
		}
		if cursor = page.NextCursor; cursor == "" && shown == "" {
			t.Fatal("the demo city has no case with a photo and a point that a department took up")
		}
	}

	// A phone's width, and the height of a few screens, so that one
	// picture shows the page down to its map.
	tall := viewport{"phone-tall", phone.width, 2000, phone.opts}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"ar", "fr"} {
		for _, pg := range []struct{ name, path, ready string }{
			{"board", "/", `#map-board .leaflet-marker-icon, #map-board .marker-cluster`},
			{"case", "/cases/" + shown, `#map-case .leaflet-marker-icon`},
			{"report", "/report", `#map-picker .leaflet-tile-loaded`},
		} {
			t.Run(pg.name+"-"+lang, func(t *testing.T) {
				tab := newTab(t, browser)
				step(t, tab, "open "+pg.path, chromedp.Steps(
					tall.emulate(),
					chromedp.Navigate(ts.url+pg.path+"?lang="+lang),
					chromedp.WaitVisible(chromedp.CSS(pg.ready)),
				))
				checkAccessibility(t, tab, axe)
				path := filepath.Join(dir, pg.name+"-"+lang+".png")
				screenshot(t, tab, path)
				if fi, err := os.Stat(path); err != nil || fi.Size() < 10<<10 {
					t.Fatalf("screenshot %s: %v", path, err)
				}
			})
		}
	}
}
