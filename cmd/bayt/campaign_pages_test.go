package main

import (
	"net/http"
	"strings"
	"testing"
)

// TestCampaignPages launches a campaign over the API and reads its public
// pages: the list in Arabic by default and in French on request, the
// campaign's page in English with its tracker and timeline, and the 404
// page for an unknown campaign. Signers are never named.
func TestCampaignPages(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)

	lead := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{
		"name": "Association des quartiers", "kind": "association", "themes": []string{"community"}})["id"].(string)
	const title = "Safe roads in front of schools"
	id := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": title, "demand": "Repair every road in front of a school before the school year",
		"theme": "community", "target_department": "roads_works", "lead_organisation": lead})["id"].(string)
	path := "/api/v1/campaigns/" + id
	caseID := ts.report(nil)["id"].(string)
	ts.must(http.StatusOK, "POST", path+"/cases", "advocate", map[string]any{"case_id": caseID})
	signers := []string{"Amel Gharbi", "Sami Ben Ali"}
	for _, name := range signers {
		ts.must(http.StatusOK, "POST", path+"/signatures", "", map[string]any{"name": name, "district": "Medina"})
	}
	secrets := []string{"Amel", "Gharbi", "Sami", "Ben Ali", "signer_key", "signer_subject"}

	// The list follows the network read model, which catches up shortly.
	ts.expectRead("the campaign list to show the campaign", func() bool {
		r := ts.page("GET", "/campaigns", nil)
		return r.status == http.StatusOK && strings.Contains(string(r.body), title)
	})
	expectPage(t, ts.page("GET", "/campaigns", nil), http.StatusOK, []string{
		`<html lang="ar" dir="rtl">`, title, `href="/campaigns/` + id + `"`, "حملات المناصرة",
		`href="/campaigns?status=active"`, `href="/campaigns?status=closed"`,
	}, secrets...)
	expectPage(t, ts.page("GET", "/campaigns?lang=fr", nil), http.StatusOK, []string{
		`<html lang="fr" dir="ltr">`, title, `href="/campaigns/` + id + `?lang=fr"`, "Campagnes de plaidoyer",
		`href="/campaigns?status=closed&amp;lang=fr"`,
	}, secrets...)
	expectPage(t, ts.page("GET", "/campaigns?status=closed&lang=en", nil), http.StatusOK, []string{"No campaign yet."}, title)

	body := expectPage(t, ts.page("GET", "/campaigns/"+id+"?lang=en", nil), http.StatusOK, []string{
		`<html lang="en" dir="ltr">`, title, "Repair every road in front of a school", "Community", "Active",
		`data-count="signatures">2<`, `data-count="cases">1<`, "The campaign&#39;s public timeline", `data-verified="true"`,
		"Campaign launched", "Case linked", "2 petition signatures", `href="/cases/` + caseID + `?lang=en"`,
	}, append(secrets, "not verified")...)
	if !strings.Contains(body, "Roads") {
		t.Errorf("the target department is not named in English")
	}

	expectPage(t, ts.page("GET", "/campaigns/campaign-unknown", nil), http.StatusNotFound, []string{`<html lang="ar" dir="rtl">`})
	expectPage(t, ts.page("GET", "/campaigns/campaign-01J00000000000000000000000?lang=en", nil), http.StatusNotFound, []string{"Page not found"})
}
