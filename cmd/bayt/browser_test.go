package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeScript is where make test and .ci/run install axe-core, from the
// repository's root.
const axeScript = ".cache/npm/node_modules/axe-core/axe.min.js"

// browserWait bounds each step in the browser: generous, for a loaded
// two-core machine.
const browserWait = 30 * time.Second

// axeViolation is what axe-core reports of one rule a page breaks.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		HTML    string `json:"html"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

// TestPagesInABrowser opens the public pages in headless Chromium at a
// phone's width and a desktop's, checks their language and direction,
// runs axe-core on each, and watches the board take a new case from the
// live feed without a reload.
func TestPagesInABrowser(t *testing.T) {
	t.Parallel()
	browser, axe := startBrowser(t)
	shots := tempShots(t, "bayt-browser-")

	ts := startServer(t)
	caseID, _ := ts.report(nil)["id"].(string)
	if caseID == "" {
		t.Fatal("the report answer has no id")
	}
	ts.settle()

	type page struct {
		name, path, lang, dir string
	}
	pages := []page{
		{"home-ar", "/", "ar", "rtl"},
		{"home-fr", "/?lang=fr", "fr", "ltr"},
		{"case", "/cases/" + caseID, "ar", "rtl"},
		{"stats-ar", "/stats", "ar", "rtl"},
		{"stats-fr", "/stats?lang=fr", "fr", "ltr"},
	}
	open := func(t *testing.T, vp viewport, pg page) {
		tab := newTab(t, browser)
		step(t, tab, "open "+pg.path, chromedp.Steps(
			vp.emulate(),
			chromedp.Navigate(ts.url+pg.path),
			chromedp.WaitVisible(chromedp.CSS("main")),
		))
		got := inTab(t, tab, "read the language", chromedp.Evaluate[[]string](
			`[document.documentElement.getAttribute("lang"), document.documentElement.getAttribute("dir")]`))
		if len(got) != 2 || got[0] != pg.lang || got[1] != pg.dir {
			t.Errorf(`<html> has lang, dir = %q, want %q, %q`, got, pg.lang, pg.dir)
		}
		screenshot(t, tab, filepath.Join(shots, vp.name+"-"+pg.name+".png"))
		checkAccessibility(t, tab, axe)
	}
	for _, vp := range []viewport{phone, desktop} {
		for _, pg := range pages {
			t.Run(vp.name+"/"+pg.name, func(t *testing.T) { open(t, vp, pg) })
		}
	}

	t.Run("LiveBoard", func(t *testing.T) {
		tab := newTab(t, browser)
		step(t, tab, "open the board", chromedp.Steps(
			phone.emulate(),
			chromedp.Navigate(ts.url+"/"),
			chromedp.WaitVisible(chromedp.CSS(`[data-live-list] [data-case-id="`+caseID+`"]`)),
		))
		// A mark on the window: a reload would lose it.
		before := inTab(t, tab, "read the total", chromedp.Evaluate[string](
			`window.baytNotReloaded = true; document.querySelector('[data-count="total"]').textContent.trim()`))
		if before != "1" {
			t.Fatalf("the board's total is %q before the second report, want 1", before)
		}

		title := "Éclairage en panne rue de Marseille"
		second, _ := ts.report(map[string]any{"title": title})["id"].(string)
		card := `[data-live-list] [data-case-id="` + second + `"]`
		step(t, tab, "wait for the new case on the board", chromedp.Steps(
			chromedp.WaitVisible(chromedp.CSS(card)),
			chromedp.Poll[chromedp.Void](`document.querySelector('[data-count="total"]').textContent.trim() === "2"`,
				chromedp.WithPollingTimeout(browserWait)),
		))
		shown := inTab(t, tab, "read the new card", chromedp.Evaluate[[]string](fmt.Sprintf(
			`[String(window.baytNotReloaded === true), document.querySelector(%q).textContent,
			  document.querySelector('[data-live-list] li').getAttribute("data-case-id"),
			  (document.querySelector(%q) || {}).textContent, document.querySelector(%q).textContent]`,
			card+" .case-title", card+" .badge", `[data-case-id="`+caseID+`"] .badge`)))
		if len(shown) != 5 || shown[0] != "true" || shown[1] != title || shown[2] != second {
			t.Errorf("after the second report: not reloaded, title, first card = %q, want true, %q, %q", shown[:min(3, len(shown))], title, second)
		} else if shown[3] != shown[4] {
			t.Errorf("the new card's status reads %q, the first card's %q", shown[3], shown[4])
		}
		screenshot(t, tab, filepath.Join(shots, "phone-live.png"))
	})

	// Once a case is forwarded, the figures page draws the departments'
	// chart and tables too (the live board above counts on two cases
	// reported, neither forwarded).
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+caseID+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+caseID+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.settle()
	for _, vp := range []viewport{phone, desktop} {
		for _, pg := range []page{{"stats-departments-ar", "/stats", "ar", "rtl"}, {"stats-departments-fr", "/stats?lang=fr", "fr", "ltr"}} {
			t.Run(vp.name+"/"+pg.name, func(t *testing.T) { open(t, vp, pg) })
		}
	}
}

// startBrowser starts headless Chromium for the test, stopped when it
// ends, and reads axe-core. The browser asks for Italian, which Bayt does
// not speak, so a page without ?lang= is in its default language, Arabic.
func startBrowser(t *testing.T) (browser context.Context, axe []byte) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatal("the browser test needs Chromium: apt-get install chromium")
	}
	axe, err = os.ReadFile(filepath.Join("..", "..", axeScript))
	if err != nil {
		t.Fatalf("the browser test needs axe-core: make axe (npm install under .cache/npm) (%v)", err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
			chromedp.Flag("accept-lang", "it-IT,it"))...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	// The first run starts the browser; no timeout on it, since its
	// context's end would stop the browser.
	if err := chromedp.Do(browser); err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	return browser, axe
}

// newPerson opens a browser context of its own, with its own cookies, as
// a second person at another computer would have; it returns its first
// tab, and the tabs opened from it share its cookies.
func newPerson(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	person, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(person); err != nil {
		t.Fatalf("open a browser context: %v", err)
	}
	askForItalian(t, person)
	return person
}

// askForItalian makes the tab ask for Italian only. The browser's flag
// does that for its first browser context, but a browser context opened
// later adds English to it, which Bayt speaks: its pages would then
// answer in English where a visitor who asks for no language Bayt speaks
// gets Arabic.
func askForItalian(t *testing.T, tab context.Context) {
	t.Helper()
	ua := inTab(t, tab, "read the user agent", chromedp.Evaluate[string](`navigator.userAgent`))
	step(t, tab, "ask for Italian", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
		_, err := cdp.Call(ctx, tgt, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: "it-IT,it"})
		return err
	}))
}

// tempShots makes a directory for the test's screenshots.
func tempShots(t *testing.T, prefix string) string {
	t.Helper()
	shots, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)
	return shots
}

// The sizes pages are checked at: a phone held upright, and a desktop.
var (
	phone   = viewport{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}}
	desktop = viewport{"desktop", 1280, 900, nil}
)

type viewport struct {
	name          string
	width, height int64
	opts          []chromedp.EmulateViewportOption
}

func (vp viewport) emulate() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(vp.width, vp.height, vp.opts...)
}

// newTab opens a tab of the browser, closed when the test ends.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	askForItalian(t, tab)
	return tab
}

// inTab runs one action in the tab, failing the test with what it was
// doing when the action fails or takes longer than browserWait.
func inTab[T any](t *testing.T, tab context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, browserWait)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

func step(t *testing.T, tab context.Context, what string, a chromedp.Action[chromedp.Void]) {
	t.Helper()
	inTab(t, tab, what, a)
}

func screenshot(t *testing.T, tab context.Context, path string) {
	t.Helper()
	// The viewport, as the visitor sees it: Chromium's full-page capture
	// shifts right-to-left pages sideways, which would hide a real fault.
	png := inTab(t, tab, "screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot %s", path)
}

// checkAccessibility runs axe-core on the page in the tab and fails the
// test on every serious or critical violation, printing each.
func checkAccessibility(t *testing.T, tab context.Context, axe []byte) {
	t.Helper()
	step(t, tab, "load axe-core", chromedp.Evaluate[chromedp.Void](string(axe)+"\n;undefined"))
	violations := inTab(t, tab, "run axe-core", chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprintf("    %s\n      %s", n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		t.Errorf("axe %s (%s): %s\n%s", v.ID, v.Impact, v.Help, strings.Join(where, "\n"))
	}
}
