package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestAPIReferenceInABrowser opens /api/docs in Chromium at a phone's
// width and a desktop's: the vendored viewer renders every operation of
// the OpenAPI document from this server alone, its Content-Security-Policy
// refuses nothing it does, and axe-core finds no serious or critical
// violation.
func TestAPIReferenceInABrowser(t *testing.T) {
	t.Parallel()
	c, err := loadContract()
	if err != nil {
		t.Fatal(err)
	}
	operations := 0
	for _, item := range c.doc.Paths.Map() {
		operations += len(item.Operations())
	}
	browser, axe := startBrowser(t)
	shots := tempShots(t, "bayt-reference-")
	ts := startServer(t)
	for _, vp := range []viewport{phone, desktop} {
		t.Run(vp.name, func(t *testing.T) {
			tab := newTab(t, browser)
			// Noted before the page's own scripts run, so that every
			// refusal of the policy is seen.
			step(t, tab, "watch for refusals of the policy", chromedp.Func(func(ctx context.Context, tgt *chromedp.Target) error {
				_, err := cdp.Call(ctx, tgt, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
					Source: `window.refused = []; document.addEventListener("securitypolicyviolation",
						e => window.refused.push(e.violatedDirective + " " + e.blockedURI));`})
				return err
			}))
			step(t, tab, "open the reference", chromedp.Steps(
				vp.emulate(),
				chromedp.Navigate(ts.url+"/api/docs"),
				chromedp.WaitVisible(chromedp.CSS(`[id="operation/reportCase"]`)),
			))
			shown := inTab(t, tab, "count the operations", chromedp.Evaluate[int](
				`document.querySelectorAll('[id^="operation/"]').length`))
			if shown != operations {
				t.Errorf("the reference shows %d operations, the document has %d", shown, operations)
			}
			arabic := inTab(t, tab, "look for the Arabic examples", chromedp.Evaluate[bool](
				`document.body.textContent.includes("بالعربية")`))
			if !arabic {
				t.Error("the reference shows no Arabic example")
			}
			screenshot(t, tab, filepath.Join(shots, vp.name+"-reference.png"))
			// The viewer's "API docs by Redocly" logo is an image on its
			// vendor's site: the policy keeps readers from reaching it, and
			// the viewer drops the image when it does not load. Anything
			// else refused would be a part of the reference missing.
			refused := inTab(t, tab, "read the policy's refusals", chromedp.Evaluate[[]string](`window.refused`))
			for _, r := range refused {
				if !strings.HasPrefix(r, "img-src https://cdn.redoc.ly/") {
					t.Errorf("the Content-Security-Policy refused %q", r)
				}
			}
			checkReferenceAccessibility(t, tab, axe)
		})
	}
}

// checkReferenceAccessibility is checkAccessibility with the time axe-core
// takes over the reference: every operation, its parameters, schemas and
// examples are on the one page, several thousand elements.
func checkReferenceAccessibility(t *testing.T, tab context.Context, axe []byte) {
	t.Helper()
	step(t, tab, "load axe-core", chromedp.Evaluate[chromedp.Void](string(axe)+"\n;undefined"))
	ctx, cancel := context.WithTimeout(tab, 5*time.Minute)
	defer cancel()
	started := time.Now()
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("run axe-core: %v", err)
	}
	t.Logf("axe-core took %s", time.Since(started).Round(time.Second))
	for _, v := range violations {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 5 {
				where = append(where, fmt.Sprintf("    … and %d more", len(v.Nodes)-i))
				break
			}
			where = append(where, fmt.Sprintf("    %s\n      %s", n.HTML, strings.ReplaceAll(n.Summary, "\n", "\n      ")))
		}
		t.Errorf("axe %s (%s): %s\n%s", v.ID, v.Impact, v.Help, strings.Join(where, "\n"))
	}
}
