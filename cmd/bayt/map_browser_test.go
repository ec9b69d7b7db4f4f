package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"
)

// boardBudget is the most the public board may weigh in transfer, map
// included: a phone on a slow connection still opens it.
const boardBudget = 150 << 10

// tileServer serves one plain tile for every path, as a tile provider on
// another origin would, and counts the tiles asked for.
func tileServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for x := range 256 {
		for y := range 256 {
			img.Set(x, y, color.RGBA{R: 0xe8, G: 0xe6, B: 0xdf, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		served.Add(1)
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(buf.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &served
}

// TestMapInABrowser opens the maps in headless Chromium, with tiles from
// another origin: the board's pins, their popups linking to the cases with
// the status in the page's language, the zoom buttons on a right-to-left
// page, a keyboard that leaves the map, a case's pin, the report form's
// point set by a tap, by Enter and by the device's position (refused,
// then given); axe-core on each page in Arabic and French; and the
// board's weight in transfer, map included.
func TestMapInABrowser(t *testing.T) {
	t.Parallel()
	tiles, served := tileServer(t)
	ts := startServerWith(t, func(c *config) { c.TileURL = tiles + "/{z}/{x}/{y}.png" })
	shots, err := os.MkdirTemp("", "bayt-map-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	// Three cities far apart, so that each case is a pin of its own, and
	// a case without a place.
	places := []struct {
		title    string
		lat, lon float64
	}{
		{"حفرة عميقة أمام المدرسة", 36.8065, 10.1815},
		{"Lampadaire en panne", 34.7406, 10.7603},
		{"Overflowing bins", 37.2744, 9.8739},
	}
	var located []string
	for _, p := range places {
		located = append(located, ts.report(map[string]any{"title": p.title,
			"location": map[string]any{"lat": p.lat, "lon": p.lon}})["id"].(string))
	}
	ts.report(map[string]any{"title": "Sans lieu"})
	ts.settle()
	browser, axe := startBrowser(t)

	open := func(t *testing.T, path string, phone bool) context.Context {
		t.Helper()
		tab := newTab(t, browser)
		vp := chromedp.EmulateViewport(1280, 900)
		if phone {
			vp = chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
		}
		step(t, tab, "open "+path, chromedp.Steps(vp, chromedp.Navigate(ts.url+path), chromedp.WaitVisible(chromedp.CSS("main"))))
		return tab
	}

	// The board's weight first, while the browser's cache is empty.
	t.Run("Weight", func(t *testing.T) {
		tab := open(t, "/", true)
		step(t, tab, "wait for the pins", chromedp.WaitVisible(chromedp.CSS(`#map-board[data-pins="3"] .leaflet-marker-icon`)))
		type entry struct {
			Name     string  `json:"name"`
			Transfer float64 `json:"transfer"`
			Body     float64 `json:"body"`
		}
		entries := inTab(t, tab, "read the transfers", chromedp.Evaluate[[]entry](
			`performance.getEntriesByType("navigation").concat(performance.getEntriesByType("resource"))
			  .filter(function (e) { return new URL(e.name).origin === location.origin; })
			  .map(function (e) { return {name: e.name.replace(location.origin, ""), transfer: e.transferSize, body: e.decodedBodySize}; })`))
		var total, raw float64
		seen := map[string]bool{}
		for _, e := range entries {
			total += e.Transfer
			raw += e.Body
			t.Logf("board transfer: %6.0f B (%6.0f B unpacked) %s", e.Transfer, e.Body, e.Name)
			// The favicon is asked for twice, the second time from the
			// page's own memory.
			if e.Transfer == 0 && !seen[e.Name] {
				t.Errorf("%s came from the cache: the measure is not of a first visit", e.Name)
			}
			seen[e.Name] = true
		}
		t.Logf("board transfer: %.1f KB from Bayt (%.1f KB unpacked) in %d requests, map included; %d tiles from the tile server",
			total/1024, raw/1024, len(entries), served.Load())
		if total == 0 || total > boardBudget {
			t.Errorf("the board weighs %.1f KB in transfer, want at most %d KB", total/1024, boardBudget>>10)
		}
	})

	for _, tc := range []struct {
		lang, query, status string
		phone               bool
	}{
		{"ar", "", "مُبلَّغ عنها", true},
		{"fr", "?lang=fr", "Signalé", false},
	} {
		t.Run("Board/"+tc.lang, func(t *testing.T) {
			tab := open(t, "/"+tc.query, tc.phone)
			step(t, tab, "wait for the pins", chromedp.Steps(
				chromedp.WaitVisible(chromedp.CSS(`#map-board[data-pins="3"] .leaflet-marker-icon`)),
				chromedp.WaitVisible(chromedp.CSS(`#map-board .leaflet-tile-loaded`)),
			))
			n := inTab(t, tab, "count the pins", chromedp.Evaluate[int](`document.querySelectorAll("#map-board .leaflet-marker-icon").length`))
			if n != 3 {
				t.Errorf("%d pins on the board, want 3 (one per located case)", n)
			}
			// A pin opens its case: the title links to its page, the
			// status is named in the page's language.
			step(t, tab, "open a pin", chromedp.Steps(
				chromedp.Click(chromedp.CSS(`#map-board .leaflet-marker-icon[alt="`+places[0].title+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`.leaflet-popup-content a`)),
				// Faded in: what axe-core and the screenshot see is the
				// popup as a visitor reads it.
				chromedp.Poll[chromedp.Void](`getComputedStyle(document.querySelector(".leaflet-popup")).opacity === "1"`,
					chromedp.WithPollingTimeout(browserWait)),
			))
			popup := inTab(t, tab, "read the popup", chromedp.Evaluate[[]string](
				`[document.querySelector(".leaflet-popup-content a").getAttribute("href"),
				  document.querySelector(".leaflet-popup-content a").textContent,
				  document.querySelector(".leaflet-popup-content .badge").textContent]`))
			if want := []string{"/cases/" + located[0] + tc.query, places[0].title, tc.status}; strings.Join(popup, "|") != strings.Join(want, "|") {
				t.Errorf("popup = %q, want %q", popup, want)
			}
			screenshot(t, tab, filepath.Join(shots, "board-"+tc.lang+".png"))
			checkAccessibility(t, tab, axe)

			// The zoom buttons: on the reading side's end, and working.
			side := inTab(t, tab, "read the zoom buttons' side", chromedp.Evaluate[string](
				`(function () { var m = document.getElementById("map-board").getBoundingClientRect();
				  var z = document.querySelector("#map-board .leaflet-control-zoom").getBoundingClientRect();
				  return z.left > m.left + m.width / 2 ? "right" : "left"; })()`))
			if want := map[string]string{"ar": "right", "fr": "left"}[tc.lang]; side != want {
				t.Errorf("the zoom buttons are on the %s, want the %s", side, want)
			}
			before := inTab(t, tab, "read the zoom", chromedp.Evaluate[string](`document.getElementById("map-board").dataset.zoom`))
			step(t, tab, "zoom in", chromedp.Steps(
				chromedp.Click(chromedp.CSS(`#map-board .leaflet-control-zoom-in`)),
				chromedp.Poll[chromedp.Void](fmt.Sprintf(`document.getElementById("map-board").dataset.zoom === "%d"`, atoi(t, before)+1),
					chromedp.WithPollingTimeout(browserWait)),
			))
		})
	}

	t.Run("Keyboard", func(t *testing.T) {
		tab := open(t, "/?lang=en", false)
		step(t, tab, "wait for the pins", chromedp.WaitVisible(chromedp.CSS(`#map-board[data-pins="3"]`)))
		// From the skip link, Enter moves past the map; from the map, Tab
		// goes on through its controls and pins and out of it.
		step(t, tab, "skip the map", chromedp.Steps(
			chromedp.Focus(chromedp.CSS(".map-skip")),
			chromedp.KeyEvent("\r"),
			chromedp.Poll[chromedp.Void](`location.hash === "#latest-title"`, chromedp.WithPollingTimeout(browserWait)),
		))
		step(t, tab, "focus the map", chromedp.Focus(chromedp.CSS("#map-board")))
		left := false
		for range 12 {
			step(t, tab, "press Tab", chromedp.KeyEvent("\t"))
			if inTab(t, tab, "where is the focus", chromedp.Evaluate[bool](`!document.getElementById("map-board").contains(document.activeElement)`)) {
				left = true
				break
			}
		}
		if !left {
			t.Error("twelve Tabs from the map did not leave it")
		}
	})

	t.Run("Case", func(t *testing.T) {
		tab := open(t, "/cases/"+located[1], true)
		step(t, tab, "wait for the pin", chromedp.WaitVisible(chromedp.CSS(`#map-case[data-pins="1"] .leaflet-marker-icon`)))
		screenshot(t, tab, filepath.Join(shots, "case-ar.png"))
		checkAccessibility(t, tab, axe)
	})

	for _, tc := range []struct {
		lang, query string
		phone       bool
	}{{"ar", "", true}, {"fr", "?lang=fr", false}} {
		t.Run("Report/"+tc.lang, func(t *testing.T) {
			tab := open(t, "/report"+tc.query, tc.phone)
			step(t, tab, "wait for the map", chromedp.WaitVisible(chromedp.CSS(`#map-picker .leaflet-tile-loaded`)))
			// A tap sets the point: the fields hold it.
			step(t, tab, "tap the map", chromedp.Steps(
				chromedp.ScrollIntoView(chromedp.CSS("#map-picker")),
				chromedp.Click(chromedp.CSS("#map-picker")),
				chromedp.Poll[chromedp.Void](`document.getElementById("f-lat").value !== ""`, chromedp.WithPollingTimeout(browserWait)),
			))
			point := inTab(t, tab, "read the fields", chromedp.Evaluate[[]string](
				`[document.getElementById("f-lat").value, document.getElementById("f-lon").value,
				  document.querySelector(".location-picker [data-map-status]").textContent]`))
			lat, lon := atof(t, point[0]), atof(t, point[1])
			if math.Abs(lat-36.8065) > 0.05 || math.Abs(lon-10.1815) > 0.05 || point[2] == "" {
				t.Errorf("after a tap near the map's centre the fields say %q, want a point near 36.8065, 10.1815 and a message", point)
			}
			checkAccessibility(t, tab, axe)

			// Enter on the focused map sets its centre, where it opened
			// (a tap does not move it), and does not send the form.
			step(t, tab, "press Enter on the map", chromedp.Steps(
				chromedp.Evaluate[chromedp.Void](`document.getElementById("f-lat").value = document.getElementById("f-lon").value = ""`),
				chromedp.Focus(chromedp.CSS("#map-picker")),
				chromedp.KeyEvent("\r"),
				chromedp.Poll[chromedp.Void](`document.getElementById("f-lat").value !== ""`, chromedp.WithPollingTimeout(browserWait)),
			))
			centre := inTab(t, tab, "read the fields", chromedp.Evaluate[[]string](
				`[document.getElementById("f-lat").value, document.getElementById("f-lon").value, location.pathname]`))
			if want := []string{"36.80650", "10.18150", "/report"}; strings.Join(centre, " ") != strings.Join(want, " ") {
				t.Errorf("after Enter on the map: fields and page %q, want %q", centre, want)
			}

			// The device's position: refused, then given.
			step(t, tab, "refuse the position", chromedp.Steps(
				chromedp.Evaluate[chromedp.Void](`navigator.geolocation.getCurrentPosition = function (ok, fail) { fail({code: 1}); }`),
				chromedp.Click(chromedp.CSS("[data-locate]")),
			))
			said := inTab(t, tab, "read the message", chromedp.Evaluate[[]string](
				`[document.querySelector(".location-picker [data-map-status]").textContent, document.querySelector("[data-locate]").dataset.denied]`))
			if said[0] == "" || said[0] != said[1] {
				t.Errorf("refused position: the page says %q, want %q", said[0], said[1])
			}
			step(t, tab, "give the position", chromedp.Steps(
				chromedp.Evaluate[chromedp.Void](`navigator.geolocation.getCurrentPosition = function (ok) {
				  ok({coords: {latitude: 35.8256, longitude: 10.6084, accuracy: 10}}); }`),
				chromedp.Click(chromedp.CSS("[data-locate]")),
				chromedp.Poll[chromedp.Void](`document.getElementById("f-lat").value === "35.82560" && document.getElementById("f-lon").value === "10.60840"`,
					chromedp.WithPollingTimeout(browserWait)),
			))
			screenshot(t, tab, filepath.Join(shots, "report-"+tc.lang+".png"))
		})
	}

}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return n
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q is not a number", s)
	}
	return f
}
