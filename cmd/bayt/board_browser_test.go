package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestEmptyBoardInABrowser opens the board of a new deployment, with no
// case at all, and watches the first case reported arrive as a complete
// card (number, status label, category, district by its name, day, the
// title marked with its language) in place of the "no case yet" note,
// without a reload: every deployment's first view. Then the same on a
// full board, with the district typed as residents spell it.
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

	id, _ := ts.report(map[string]any{"title": "Nid-de-poule rue de Rome", "category": "roads", "district": "Lafayette", "language": "fr"})["id"].(string)
	liveCard(t, tab, id, "1", "Nid-de-poule rue de Rome", "fr", "Lafayette")
	if !inTab(t, tab, "check the empty note", chromedp.Evaluate[bool](`document.querySelector("[data-live-empty]").hidden`)) {
		t.Error("the \"no case yet\" note is still shown beside the first case")
	}

	// A full board: more cases than it lists, then one more while it is
	// open, its district typed in Arabic without its article.
	for i := range 22 {
		ts.report(map[string]any{"title": fmt.Sprintf("Lampadaire éteint n°%d", i+1), "category": "lighting", "district": "Medina"})
	}
	ts.settle()
	step(t, tab, "open the full board", chromedp.Steps(
		chromedp.Navigate(ts.url+"/?lang=fr"),
		chromedp.WaitVisible(chromedp.CSS("[data-live-list] li:nth-child(20)")),
	))
	inTab(t, tab, "mark the page", chromedp.Evaluate[bool](`window.baytNotReloaded = true`))
	full, _ := ts.report(map[string]any{"title": "تسرب مياه أمام الجامع", "category": "roads", "district": "منزه", "language": "ar"})["id"].(string)
	liveCard(t, tab, full, "24", "تسرب مياه أمام الجامع", "ar", "El Menzah")
	if n := inTab(t, tab, "count the cards", chromedp.Evaluate[int](`document.querySelectorAll("[data-live-list] > li").length`)); n != 21 {
		t.Errorf("the full board lists %d cards, want the 20 it had and the new one", n)
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

// liveCard waits for the card of case id to arrive on the open board and
// checks it is the server's card: its number, the status label in its
// badge, the category and district by name, the day, the title with its
// language, and the board's total.
func liveCard(t *testing.T, tab context.Context, id, total, title, lang, district string) {
	t.Helper()
	card := fmt.Sprintf(`[data-live-list] [data-case-id=%q]`, id)
	step(t, tab, "wait for the case "+id, chromedp.WaitVisible(chromedp.CSS(card)))
	got := inTab(t, tab, "read the card", chromedp.Evaluate[[]string](fmt.Sprintf(`(function (c) {
		var badge = c.querySelector(".badge"), num = c.querySelector(".case-number"), a = c.querySelector(".case-title");
		return [String(window.baytNotReloaded === true), badge.className, badge.textContent.trim(),
			c.querySelector(".meta-category").textContent, c.querySelector(".meta-district").textContent,
			a.textContent, a.getAttribute("lang") || "", a.getAttribute("dir") || "",
			num ? num.textContent : "", c.querySelector("time").getAttribute("datetime") || "", c.querySelector("time").textContent,
			document.querySelector('[data-count="total"]').textContent.trim()];
	})(document.querySelector(%q))`, card)))
	want := []string{"true", "badge status-reported", "Signalé", "Chaussées et trottoirs", district, title, lang, "auto"}
	for i, w := range want {
		if i >= len(got) || got[i] != w {
			t.Errorf("card field %d = %q, want %q (all: %q)", i, got[min(i, len(got)-1)], w, got)
		}
	}
	if len(got) != 12 {
		t.Fatalf("card = %q", got)
	}
	if !regexp.MustCompile(`^20[0-9]{2}-[0-9]{4}$`).MatchString(got[8]) {
		t.Errorf("card number %q, want the case's short number", got[8])
	}
	if got[9] == "" || got[10] == "" || got[11] != total {
		t.Errorf("card time %q / %q, total %q: want the report's day and a total of %s", got[9], got[10], got[11], total)
	}
}
