package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/eventstore/eventstoretest"
	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/jackc/pgx/v5/pgxpool"
)

// smallPool keeps a command's pool small: many tests run at once against
// one PostgreSQL, which accepts 100 connections.
const smallPool = "&pool_max_conns=4"

// demoCase is a case as the public list shows it.
type demoCase struct {
	ID            string    `json:"id"`
	Title         string    `json:"title"`
	Status        string    `json:"status"`
	Overdue       bool      `json:"overdue"`
	Supporters    int       `json:"supporters"`
	ReopenedCount int       `json:"reopened_count"`
	CampaignIDs   []string  `json:"campaign_ids"`
	CreatedAt     time.Time `json:"created_at"`
	Photos        []struct {
		ID  string `json:"id"`
		URL string `json:"url"`
	} `json:"photos"`
}

// demoLoadInto loads the demo city of seed 7 ending at now into the
// database at url, with --if-empty, and returns what it said on stdout and
// on stderr.
func demoLoadInto(t *testing.T, url, keyFile string, now time.Time) (stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	err := dispatch(context.Background(), []string{"demo", "load", "--cases", "200", "--seed", "7", "--if-empty",
		"--now", now.Format(time.RFC3339), "-database-url", url + smallPool, "-master-key-file", keyFile}, &out, &errs)
	if err != nil {
		t.Fatalf("demo load: %v\n%s", err, errs.String())
	}
	return out.String(), errs.String()
}

// TestDemoCity loads a year of a Citizen's House into a running server's
// database through the domain services, and reads it back as residents,
// staff and an auditor would.
func TestDemoCity(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	// A fixed end of the year makes the same city in every run, down to
	// the weekdays its office hours fall on: what is checked below never
	// depends on the day the test runs.
	now := time.Date(2026, time.March, 2, 10, 0, 0, 0, time.UTC)
	out, said := demoLoadInto(t, eventstoretest.URLFor(t, ts.schema), ts.keyFile, now)
	if !strings.Contains(said, "the log is empty: loading a demo city of 200 cases") {
		t.Fatalf("demo load on an empty log said %q", said)
	}
	if !strings.Contains(out, "loaded 200 cases, 3 campaigns, 6 organisations: ") || !strings.Contains(out, "events/s") {
		t.Fatalf("demo load summed up %q", out)
	}
	ts.settle()

	// Every case, as the public lists them.
	var cases []demoCase
	var publicBodies []string
	for cursor := ""; ; {
		r := ts.do("GET", "/api/v1/cases?limit=100&cursor="+url.QueryEscape(cursor), "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("list cases: %d %s", r.status, r.body)
		}
		publicBodies = append(publicBodies, string(r.body))
		var page struct {
			Items      []demoCase `json:"items"`
			NextCursor string     `json:"next_cursor"`
		}
		if err := json.Unmarshal(r.body, &page); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(cases) != 200 {
		t.Fatalf("the public list has %d cases, want 200", len(cases))
	}

	t.Run("EveryStatus", func(t *testing.T) {
		seen := map[string]int{}
		for _, c := range cases {
			seen[c.Status]++
		}
		for _, s := range []string{"reported", "triaged", "forwarded", "acknowledged", "in_progress", "resolved", "closed", "rejected", "duplicate"} {
			if seen[s] == 0 {
				t.Errorf("no case is %s: %v", s, seen)
			}
		}
		if seen["closed"] < seen["reported"] || seen["closed"] < seen["rejected"] {
			t.Errorf("a year of work should close more cases than it leaves unread or turns down: %v", seen)
		}
	})

	t.Run("Photos", func(t *testing.T) {
		var with, photos int
		var first demoCase
		for _, c := range cases {
			if len(c.Photos) > 0 {
				if with == 0 {
					first = c
				}
				with++
				photos += len(c.Photos)
			}
		}
		// About one web report in eight comes with photos.
		if with < 5 || with > 60 || photos > 3*with {
			t.Fatalf("%d of 200 cases have %d photos, want a few cases with one to three each", with, photos)
		}
		url := first.Photos[0].URL
		r := ts.do("GET", url, "", nil)
		if r.status != http.StatusOK || r.header.Get("Content-Type") != "image/jpeg" || len(r.body) < 1000 {
			t.Fatalf("GET %s: %d %s, %d bytes", url, r.status, r.header.Get("Content-Type"), len(r.body))
		}
		if page := ts.page("GET", "/cases/"+first.ID, nil); !strings.Contains(string(page.body), "/thumb.jpg") {
			t.Errorf("the page of case %s shows no photo", first.ID)
		}
	})

	t.Run("TwelveMonths", func(t *testing.T) {
		months := map[int]bool{}
		for _, c := range cases {
			if c.CreatedAt.After(now) || c.CreatedAt.Before(now.AddDate(-1, 0, 0)) {
				t.Fatalf("case %s was reported on %s, outside the year ending %s", c.ID, c.CreatedAt, now)
			}
			if back := (now.Year()-c.CreatedAt.Year())*12 + int(now.Month()-c.CreatedAt.Month()); back < 12 {
				months[back] = true
			}
		}
		if len(months) < 11 {
			t.Fatalf("reports in %d of the last 12 months, want at least 11", len(months))
		}
	})

	t.Run("ResidentsAndTime", func(t *testing.T) {
		var popular, reopened, overdue, linked int
		for _, c := range cases {
			if c.Supporters >= 5 {
				popular++
			}
			if c.ReopenedCount > 0 {
				reopened++
			}
			if c.Overdue {
				overdue++
			}
			if len(c.CampaignIDs) > 0 {
				linked++
			}
		}
		if popular == 0 || reopened == 0 || overdue == 0 || linked == 0 {
			t.Fatalf("cases with five supporters or more %d, reopened %d, overdue %d, in a campaign %d: want some of each",
				popular, reopened, overdue, linked)
		}
	})

	t.Run("Campaigns", func(t *testing.T) {
		r := ts.do("GET", "/api/v1/campaigns", "", nil)
		if r.status != http.StatusOK {
			t.Fatalf("list campaigns: %d %s", r.status, r.body)
		}
		var list struct {
			Items []struct {
				Title          string `json:"title"`
				Status         string `json:"status"`
				Outcome        string `json:"outcome"`
				CasesTotal     int    `json:"cases_total"`
				ActivitiesHeld int    `json:"activities_held"`
				Attendance     struct {
					Women, Men, Youth, Total int
				} `json:"attendance"`
				Signatures      int `json:"signatures"`
				PaperSignatures int `json:"paper_signatures"`
				Partners        []string
				Commitments     struct {
					Made, Fulfilled, Broken int
				} `json:"commitments"`
				Updates int `json:"updates"`
			} `json:"items"`
		}
		if err := json.Unmarshal(r.body, &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Items) != 3 {
			t.Fatalf("%d campaigns, want 3: %s", len(list.Items), r.body)
		}
		var active, partlyWon, fulfilled, broken int
		for _, c := range list.Items {
			if c.ActivitiesHeld == 0 || c.Attendance.Total == 0 || c.Attendance.Women == 0 || c.Attendance.Youth == 0 ||
				c.Signatures <= c.PaperSignatures || c.PaperSignatures == 0 || c.CasesTotal == 0 || len(c.Partners) < 2 || c.Updates == 0 {
				t.Errorf("campaign %q: %+v", c.Title, c)
			}
			switch {
			case c.Status == "active":
				active++
			case c.Status == "closed" && c.Outcome == "partly_won":
				partlyWon++
			}
			fulfilled += c.Commitments.Fulfilled
			broken += c.Commitments.Broken
		}
		if active != 2 || partlyWon != 1 {
			t.Errorf("%d active and %d closed partly won, want 2 and 1", active, partlyWon)
		}
		if fulfilled == 0 || broken == 0 {
			t.Errorf("commitments fulfilled %d, broken %d: want both", fulfilled, broken)
		}
		if leak := personalData(r.body); leak != "" {
			t.Errorf("the campaign list shows %q", leak)
		}
	})

	t.Run("NoPersonalDataInPublic", func(t *testing.T) {
		for _, body := range publicBodies {
			if leak := personalData([]byte(body)); leak != "" {
				t.Fatalf("the public case list shows %q", leak)
			}
		}
		// The names and phones are real data of the demo: kept in the
		// vault, never in the log.
		var sealed, inLog int
		q := "SELECT (SELECT count(*) FROM vault_data), (SELECT count(*) FROM events WHERE payload::text LIKE '%+216 00%' OR payload::text LIKE '%@example.org%')"
		if err := ts.pool.QueryRow(context.Background(), q).Scan(&sealed, &inLog); err != nil {
			t.Fatal(err)
		}
		if sealed == 0 || inLog != 0 {
			t.Fatalf("%d people in the vault, %d events with a phone or an email: want some and none", sealed, inLog)
		}
		// An advocate reads a reporter's name through the vault.
		for _, c := range cases {
			if m := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+c.ID, "advocate", nil); m["reporter"] != nil {
				if personalData(mustJSONBytes(t, m["reporter"])) == "" {
					t.Fatalf("reporter of %s is not one of the demo's people: %v", c.ID, m["reporter"])
				}
				return
			}
		}
		t.Fatal("no reporter left a name")
	})

	t.Run("StaffByName", func(t *testing.T) {
		i := slices.IndexFunc(cases, func(c demoCase) bool { return c.Status == "closed" })
		if i < 0 {
			t.Fatal("no closed case")
		}
		var h struct {
			Verified bool `json:"verified"`
			Events   []struct {
				Actor struct{ Role, Name string } `json:"actor"`
			} `json:"events"`
		}
		if err := json.Unmarshal(ts.do("GET", "/api/v1/cases/"+cases[i].ID+"/history", "advocate", nil).body, &h); err != nil {
			t.Fatal(err)
		}
		named := map[string]string{}
		for _, e := range h.Events {
			named[e.Actor.Role] = e.Actor.Name
		}
		if !h.Verified || named["advocate"] == "" || named["officer"] == "" {
			t.Fatalf("the history of a closed case (verified %v) names advocate %q and officer %q", h.Verified, named["advocate"], named["officer"])
		}
	})

	t.Run("AuditVerify", func(t *testing.T) {
		out, err := run(t, "audit", "verify", "-database-url", eventstoretest.URLFor(t, ts.schema)+smallPool)
		if err != nil || !strings.HasPrefix(out, "ok: ") {
			t.Fatalf("verify after demo load: %q, %v", out, err)
		}
	})

	t.Run("OnlyIntoAnEmptyLog", func(t *testing.T) {
		head := ts.head()
		out, said := demoLoadInto(t, eventstoretest.URLFor(t, ts.schema), ts.keyFile, now)
		if out != "" || !strings.Contains(said, "no demo city loaded") || ts.head() != head {
			t.Fatalf("a second load said %q, %q and moved the head from %d to %d", out, said, head, ts.head())
		}
	})

	t.Run("Deterministic", func(t *testing.T) {
		pool, schema := eventstoretest.Schema(t, nil)
		keyFile, _ := eventstoretest.MasterKeyFile(t)
		demoLoadInto(t, eventstoretest.URLFor(t, schema), keyFile, now)
		if out, err := run(t, "projections", "rebuild", "-database-url", eventstoretest.URLFor(t, schema)+smallPool, caselist.Name); err != nil {
			t.Fatalf("rebuild: %v\n%s", err, out)
		}
		again, first := caseRows(t, pool), caseRows(t, ts.pool)
		if len(first) != 200 || !slices.Equal(again, first) {
			t.Fatalf("the same seed made another city:\n%s\n---\n%s", strings.Join(first[:min(5, len(first))], "\n"), strings.Join(again[:min(5, len(again))], "\n"))
		}
	})
}

// caseRows lists the read model's cases, newest first, as id, title and
// status.
func caseRows(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(), "SELECT id, state->>'title', status FROM case_list ORDER BY created_at DESC, id DESC")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id, title, status string
		if err := rows.Scan(&id, &title, &status); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s", id, status, title))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// personalData returns the first name, phone or email of the demo's
// made-up people that body holds, or "".
func personalData(body []byte) string {
	s := string(body)
	for _, marker := range []string{"+216 00", "@example.org"} {
		if strings.Contains(s, marker) {
			return marker
		}
	}
	for _, families := range demoFamilies {
		for _, f := range families {
			if strings.Contains(s, f) {
				return f
			}
		}
	}
	return ""
}

func mustJSONBytes(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDemoDistrictsInDirectory keeps the demo city's districts those of
// the default directory, so that no weight or place is silently unused.
func TestDemoDistrictsInDirectory(t *testing.T) {
	t.Parallel()
	for code := range demoDistricts {
		if _, ok := directory.Default().District(code); !ok {
			t.Errorf("demo district %q is not a district of the default directory", code)
		}
	}
	for code := range demoCategories {
		if _, ok := directory.Default().Category(code); !ok {
			t.Errorf("demo category %q is not a category of the default directory", code)
		}
	}
}
