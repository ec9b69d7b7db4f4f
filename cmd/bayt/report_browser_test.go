package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestReportInABrowser reports as residents do, in headless Chromium:
// with JavaScript, in French on a desktop, a district picked from the
// list, the point tapped on the map and a photo from the phone; without
// JavaScript, in Arabic on a phone, the point typed. Each ends on the done
// page with the tracking token, the address the browser shows never
// carries it, and a reload of the done page shows it no more. axe-core
// checks the form and the done page in both languages.
func TestReportInABrowser(t *testing.T) {
	t.Parallel()
	browser, axe := startBrowser(t)
	tiles, _ := tileServer(t)
	ts := startServerWith(t, func(c *config) { c.TileURL = tiles + "/{z}/{x}/{y}.png" })
	shots := tempShots(t, "bayt-report-")
	picture := filepath.Join(t.TempDir(), "pothole.png")
	if err := os.WriteFile(picture, demoPicture("roads", 42), 0o600); err != nil {
		t.Fatal(err)
	}

	// fill types the report's texts and picks its category and district.
	fill := func(title, description string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.SendKeys(chromedp.CSS("#f-title"), title),
			chromedp.SendKeys(chromedp.CSS("#f-description"), description),
			chromedp.SetValue(chromedp.CSS("#f-category"), "roads"),
			chromedp.SetValue(chromedp.CSS("#f-district"), "bab_souika"),
		)
	}
	// done reads the done page: its address, the token, and the case.
	done := func(t *testing.T, tab context.Context) (string, string, string) {
		t.Helper()
		step(t, tab, "wait for the done page", chromedp.WaitVisible(chromedp.CSS("[data-tracking-token]")))
		got := inTab(t, tab, "read the done page", chromedp.Evaluate[[]string](`[location.href,
			document.querySelector("[data-tracking-token]").textContent.trim(),
			document.querySelector("[data-case-id]").getAttribute("data-case-id"),
			String(performance.getEntriesByType("navigation")[0].type)]`))
		if !strings.HasPrefix(got[0], ts.url+"/report/done") || strings.Contains(got[0], got[1]) || got[1] == "" {
			t.Fatalf("done page at %q with token %q: want /report/done, the token on the page and not in the address", got[0], got[1])
		}
		return got[0], got[1], got[2]
	}
	// reload reloads the done page: the token is gone.
	reload := func(t *testing.T, tab context.Context, token string) {
		t.Helper()
		step(t, tab, "reload the done page", chromedp.Steps(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("main"))))
		if body := inTab(t, tab, "read the page", chromedp.Evaluate[string](`document.body.innerText`)); strings.Contains(body, token) {
			t.Fatal("a reload of the done page shows the token again")
		}
	}

	t.Run("WithJavaScript", func(t *testing.T) {
		tab := newTab(t, browser)
		step(t, tab, "open the form", chromedp.Steps(
			desktop.emulate(),
			chromedp.Navigate(ts.url+"/report?lang=fr"),
			chromedp.WaitVisible(chromedp.CSS(`#map-picker .leaflet-tile-loaded`)),
		))
		checkAccessibility(t, tab, axe)
		step(t, tab, "fill the form", chromedp.Steps(
			fill("Nid-de-poule devant l'école", "Deux scooters sont tombés cette semaine."),
			chromedp.ScrollIntoView(chromedp.CSS("#map-picker")),
			chromedp.Click(chromedp.CSS("#map-picker")),
			chromedp.Poll[chromedp.Void](`document.getElementById("f-lat").value !== ""`, chromedp.WithPollingTimeout(browserWait)),
			chromedp.SetUploadFiles(chromedp.CSS(`#f-photo`), []string{picture}),
		))
		screenshot(t, tab, filepath.Join(shots, "report-fr-filled.png"))
		step(t, tab, "send it", chromedp.Click(chromedp.CSS(`form button[type="submit"]`)))
		_, token, id := done(t, tab)
		checkAccessibility(t, tab, axe)
		screenshot(t, tab, filepath.Join(shots, "done-fr.png"))
		c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
		loc, _ := c["location"].(map[string]any)
		if c["district"] != "bab_souika" || c["language"] != "fr" || loc == nil || len(photosOf(t, c)) != 1 {
			t.Fatalf("the case reported = %v; want Bab Souika by its code, in French, located, with one photo", c)
		}
		reload(t, tab, token)
	})

	t.Run("WithoutJavaScript", func(t *testing.T) {
		tab := newTab(t, browser)
		scripts := func(off bool) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
				_, err := cdp.Call(ctx, tgt, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
				return err
			})
		}
		// axe-core needs scripts: they are turned on for it alone, once
		// the page has loaded without them.
		axeNoJS := func(t *testing.T) {
			t.Helper()
			step(t, tab, "let axe-core run", scripts(false))
			checkAccessibility(t, tab, axe)
			step(t, tab, "turn JavaScript off again", scripts(true))
		}
		step(t, tab, "turn JavaScript off", chromedp.Steps(
			phone.emulate(),
			scripts(true),
			chromedp.Navigate(ts.url+"/report"),
			chromedp.WaitVisible(chromedp.CSS("#f-title")),
		))
		if on := inTab(t, tab, "look for the map", chromedp.Evaluate[bool](`!!document.querySelector("#map-picker .leaflet-container, .leaflet-container")`)); on {
			t.Fatal("the map ran with JavaScript off")
		}
		axeNoJS(t)
		step(t, tab, "fill the form", chromedp.Steps(
			fill("حفرة عميقة أمام المدرسة", "سقط فيها درّاجان هذا الأسبوع."),
			chromedp.SendKeys(chromedp.CSS("#f-lat"), "36.8065"),
			chromedp.SendKeys(chromedp.CSS("#f-lon"), "10.1815"),
		))
		screenshot(t, tab, filepath.Join(shots, "report-ar-nojs.png"))
		step(t, tab, "send it", chromedp.Submit(chromedp.CSS("#f-title")))
		_, token, id := done(t, tab)
		axeNoJS(t)
		screenshot(t, tab, filepath.Join(shots, "done-ar.png"))
		c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
		if loc, _ := c["location"].(map[string]any); c["district"] != "bab_souika" || c["language"] != "ar" || loc["lat"] != 36.8065 {
			t.Fatalf("the case reported = %v; want Bab Souika by its code, in Arabic, at the point typed", c)
		}
		reload(t, tab, token)
	})
}
