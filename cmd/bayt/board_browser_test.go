package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestEmptyBoardInABrowser opens the board of a new deployment, with no
// case at all, and watches the first case reported arrive as a complete
// card (status label, category, district, day) in place of the "no case
// yet" note, without a reload: every deployment's first view.
func TestEmptyBoardInABrowser(t *testing.T) {
	t.Parallel()
	browser, _ := startBrowser(t)
	ts := startServer(t)
	tab := newTab(t, browser)
	step(t, tab, "open the empty board", chromedp.Steps(
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait),
		chromedp.Navigate(ts.url+"/?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS("[data-live-empty]")),
	))
	inTab(t, tab, "mark the page", chromedp.Evaluate[bool](`window.baytNotReloaded = true`))

	id, _ := ts.report(map[string]any{"title": "Nid-de-poule rue de Rome", "category": "roads", "district": "Lafayette"})["id"].(string)
	card := fmt.Sprintf(`[data-live-list] [data-case-id=%q]`, id)
	step(t, tab, "wait for the first case", chromedp.Steps(
		chromedp.WaitVisible(chromedp.CSS(card)),
		chromedp.WaitNotVisible(chromedp.CSS("[data-live-empty]")),
	))
	got := inTab(t, tab, "read the card", chromedp.Evaluate[[]string](fmt.Sprintf(`(function (c) {
		var badge = c.querySelector(".badge");
		return [String(window.baytNotReloaded === true), badge.className, badge.textContent.trim(),
			c.querySelector(".meta-category").textContent, c.querySelector(".meta-district").textContent,
			c.querySelector("time").getAttribute("datetime"), c.querySelector("time").textContent,
			document.querySelector('[data-count="total"]').textContent.trim()];
	})(document.querySelector(%q))`, card)))
	want := []string{"true", "badge status-reported", "Signalé", "Chaussées et trottoirs", "Lafayette"}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("card field %d = %q, want %q (all: %q)", i, got[min(i, len(got)-1)], w, got)
		}
	}
	if len(got) == 8 && (got[5] == "" || got[6] == "" || got[7] != "1") {
		t.Errorf("card time %q / %q, total %q: want the report's day and a total of 1", got[5], got[6], got[7])
	}

	// With a department answering, every one of its figures is on the
	// screen of a phone in Arabic: none cut off, none off to a side.
	ts.must(200, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "high"})
	ts.must(200, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works"})
	ts.settle()
	step(t, tab, "open the board in Arabic", chromedp.Steps(
		chromedp.Navigate(ts.url+"/?lang=ar"),
		chromedp.WaitVisible(chromedp.CSS("table.departments tbody tr")),
		chromedp.ScrollIntoView(chromedp.CSS("table.departments")),
	))
	cells := inTab(t, tab, "measure the figures", chromedp.Evaluate[[]string](`Array.prototype.map.call(
		document.querySelectorAll("table.departments tbody td, table.departments tbody th"), function (c) {
			var r = c.getBoundingClientRect();
			var inside = r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth + 0.5;
			return (inside ? "ok " : "cut ") + (c.getAttribute("data-label") || "name") + ": " + c.textContent.trim();
		})`))
	if len(cells) != 6 {
		t.Fatalf("the department row has %d cells, want 6: %q", len(cells), cells)
	}
	for _, c := range cells {
		if c[:3] != "ok " {
			t.Errorf("on a 390-px Arabic board, %s", c)
		}
	}
	shots, err := os.MkdirTemp("", "bayt-board-")
	if err != nil {
		t.Fatal(err)
	}
	screenshot(t, tab, filepath.Join(shots, "board-departments-phone-ar.png"))
}
