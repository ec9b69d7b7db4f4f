package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
)

func TestEraseMemberAndSigner(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	url := eventstoretest.URLFor(t, ts.schema)
	org := ts.must(http.StatusCreated, "POST", "/api/v1/organisations", "advocate", map[string]any{"name": "جمعية الحي", "kind": "association"})["id"].(string)
	member := ts.must(http.StatusOK, "POST", "/api/v1/organisations/"+org+"/members", "advocate", map[string]any{"name": "Hela Mansour", "email": "hela@example.tn"})["member_id"].(string)
	camp := ts.must(http.StatusCreated, "POST", "/api/v1/campaigns", "advocate", map[string]any{
		"title": "Lights", "demand": "Light the park", "theme": "community", "target_department": "public_lighting", "lead_organisation": org})["id"].(string)
	ts.must(http.StatusOK, "POST", "/api/v1/campaigns/"+camp+"/signatures", "", map[string]any{"name": "Amel Gharbi"})

	out, err := run(t, "person", "erase", "-database-url", url, "-member", org+"/"+member)
	if err != nil || !strings.Contains(out, "erased subj-") {
		t.Fatalf("erase member: %q, %v", out, err)
	}
	view := mustJSON(t, ts.must(http.StatusOK, "GET", "/api/v1/organisations/"+org, "advocate", nil))
	if strings.Contains(view, "hela@example.tn") || !strings.Contains(view, `"erased":true`) {
		t.Fatalf("the erased member still shows: %s", view)
	}

	// The signer is found again by campaign and name, spelled loosely.
	out, err = run(t, "person", "erase", "-database-url", url, "-signature", camp, "-name", "  amel   GHARBI ", "-master-key-file", ts.keyFile)
	if err != nil || !strings.Contains(out, "erased subj-") {
		t.Fatalf("erase signer: %q, %v", out, err)
	}
	if _, err := run(t, "person", "erase", "-database-url", url, "-signature", camp, "-name", "Nobody", "-master-key-file", ts.keyFile); err == nil {
		t.Fatal("erasing an unknown signer succeeded")
	}
	if _, err := run(t, "person", "erase", "-database-url", url, "-signature", camp); exitCode(err) != 2 {
		t.Fatalf("--signature without --name: %v, want a usage error", err)
	}
	if out, err := run(t, "audit", "verify", "-database-url", url); err != nil || !strings.HasPrefix(out, "ok:") {
		t.Fatalf("verify after erasure: %q, %v", out, err)
	}
}
