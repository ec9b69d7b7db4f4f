package main

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestFindInABrowser opens the pages that find and follow a case in
// Chromium at a 375 px phone's width and a desktop's: the search, a
// campaign with its petition, /track's form and a tracked case reached
// through it. Each must be in its language and direction, fit the phone's
// width and pass axe-core.
func TestFindInABrowser(t *testing.T) {
	t.Parallel()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("the browser test needs Chromium: apt-get install chromium")
	}
	axe, err := os.ReadFile(filepath.Join("..", "..", axeScript))
	if err != nil {
		t.Fatalf("the browser test needs axe-core: make axe (npm install under .cache/npm) (%v)", err)
	}
	shots, err := os.MkdirTemp("", "bayt-find-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	ts := startServer(t)
	r := ts.report(map[string]any{"title": "حفرة عميقة أمام المدرسة الابتدائية في نهج الحرية", "district": "باب سويقة"})
	id, token := r["id"].(string), r["tracking_token"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/resolve", "officer", map[string]any{"note": "أُصلحت الحفرة"})
	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "جمعية الحي", "kind": "association", "themes": []string{"community"}})["id"].(string)
	campaignID := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "طرقات آمنة أمام المدارس", "demand": "إصلاح كل الطرقات أمام المدارس", "theme": "community",
		"target_department": "roads_works", "lead_organisation": lead})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+campaignID+"/cases", "advocate", map[string]any{"case_id": id})
	number := ts.caseNumber(id)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)...)
	defer cancelAlloc()
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}

	viewports := []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"phone", 375, 812, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}},
		{"desktop", 1280, 900, nil},
	}
	pages := []struct {
		name, path, lang, dir string
		// track submits the token's form first.
		track bool
	}{
		{"cases-ar", "/cases?lang=ar&q=" + number, "ar", "rtl", false},
		{"cases-fr", "/cases?lang=fr&status=resolved", "fr", "ltr", false},
		{"campaign-ar", "/campaigns/" + campaignID + "?lang=ar", "ar", "rtl", false},
		{"case-ar", "/cases/" + id + "?lang=ar", "ar", "rtl", false},
		{"track-form-en", "/track?lang=en", "en", "ltr", false},
		{"track-case-ar", "/track?lang=ar", "ar", "rtl", true},
	}
	for _, vp := range viewports {
		for _, pg := range pages {
			t.Run(vp.name+"/"+pg.name, func(t *testing.T) {
				tab := newPrivateTab(t, browser)
				step(t, tab, "open "+pg.path, chromedp.Steps(
					chromedp.EmulateViewport(vp.width, vp.height, vp.opts...),
					chromedp.Navigate(ts.url+pg.path),
					chromedp.WaitVisible(chromedp.CSS("main")),
				))
				if pg.track {
					step(t, tab, "send the token", chromedp.Steps(
						chromedp.SendKeys(chromedp.CSS(`input[name="tracking_token"]`), token),
						chromedp.Submit(chromedp.CSS(`input[name="tracking_token"]`)),
						chromedp.WaitVisible(chromedp.CSS(`[data-form="confirm"]`)),
					))
					if url := inTab(t, tab, "read the address", chromedp.Evaluate[string](`location.href`)); url != ts.url+pg.path {
						t.Errorf("after the token's form the address is %q, want %s%s", url, ts.url, pg.path)
					}
				}
				got := inTab(t, tab, "read the language", chromedp.Evaluate[[]string](
					`[document.documentElement.getAttribute("lang"), document.documentElement.getAttribute("dir")]`))
				if len(got) != 2 || got[0] != pg.lang || got[1] != pg.dir {
					t.Errorf(`<html> has lang, dir = %q, want %q, %q`, got, pg.lang, pg.dir)
				}
				if overflow := inTab(t, tab, "measure the width", chromedp.Evaluate[bool](
					`document.documentElement.scrollWidth > document.documentElement.clientWidth + 1`)); overflow {
					t.Errorf("the page is wider than the %d px viewport", vp.width)
				}
				screenshot(t, tab, filepath.Join(shots, vp.name+"-"+pg.name+".png"))
				checkAccessibility(t, tab, axe)
			})
		}
	}
}

// newPrivateTab opens a tab with cookies of its own, as a window of
// another visitor: the track cookie of one page never opens another's.
func newPrivateTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return tab
}
