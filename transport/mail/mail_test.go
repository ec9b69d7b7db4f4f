package mail

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func testHash(purpose, text string) string {
	m := hmac.New(sha256.New, []byte("test key"))
	m.Write([]byte(purpose + "\x00" + text))
	return hex.EncodeToString(m.Sum(nil))
}

// TestEveryMailRendersInEveryLanguage renders each mail in each language
// with the data the mailer gives: a key missing in one language, or a
// template naming a field that does not exist, fails here and not at a
// resident's expense.
func TestEveryMailRendersInEveryLanguage(t *testing.T) {
	t.Parallel()
	tx, err := loadTexts()
	if err != nil {
		t.Fatal(err)
	}
	data := mailData{Title: "Nid-de-poule\nrue X", Department: "Voirie", CaseURL: "https://bayt.example/cases/case-1?lang=fr", UnsubscribeURL: "https://bayt.example/mail/unsubscribe?t=x"}
	for _, lang := range Languages {
		for _, kind := range kinds {
			subject, body, err := tx.render(lang, kind, data)
			if err != nil {
				t.Fatalf("%s %s: %v", lang, kind, err)
			}
			if strings.Contains(subject, "\n") || !strings.Contains(subject, "Nid-de-poule rue X") {
				t.Errorf("%s %s: subject %q is not one line with the title", lang, kind, subject)
			}
			if !strings.Contains(body, data.CaseURL) || !strings.Contains(body, data.UnsubscribeURL) {
				t.Errorf("%s %s: body lacks the case or unsubscribe link:\n%s", lang, kind, body)
			}
		}
	}
}

func TestUnsubscribeToken(t *testing.T) {
	t.Parallel()
	const id = "case-01JABCDEFGHJKMNPQRSTVWXYZ0"
	tok := signToken(testHash, caseTarget(id))
	if target, ok := openToken(testHash, tok); !ok || target != caseTarget(id) {
		t.Fatalf("openToken(signed) = %q, %v", target, ok)
	}
	forged := signToken(func(p, s string) string { return testHash(p, s+"x") }, caseTarget(id))
	for name, bad := range map[string]string{
		"Forged":      forged,
		"Empty":       "",
		"NoSignature": strings.Split(tok, ".")[0],
		"OtherTarget": signToken(testHash, "case:../../x")[:10] + tok[strings.Index(tok, "."):],
		"NotBase64":   "!!!." + strings.Split(tok, ".")[1],
	} {
		if target, ok := openToken(testHash, bad); ok {
			t.Errorf("%s: openToken accepted %q as %q", name, bad, target)
		}
	}
}

type optOutsFunc func(target string)

func (f optOutsFunc) OptOut(_ context.Context, target string) error {
	f(target)
	return nil
}

func TestUnsubscribePage(t *testing.T) {
	t.Parallel()
	var recorded []string
	u, err := NewUnsubscribe(optOutsFunc(func(target string) { recorded = append(recorded, target) }), testHash, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := signToken(testHash, departmentTarget("roads_works"))

	get := httptest.NewRecorder()
	u.ServeHTTP(get, httptest.NewRequestWithContext(t.Context(), "GET", UnsubscribePath+"?t="+url.QueryEscape(tok)+"&lang=fr", nil))
	if get.Code != http.StatusOK || !strings.Contains(get.Body.String(), "Me désabonner") || len(recorded) != 0 {
		t.Fatalf("GET: %d, recorded %v:\n%s", get.Code, recorded, get.Body)
	}

	bad := httptest.NewRecorder()
	u.ServeHTTP(bad, httptest.NewRequestWithContext(t.Context(), "POST", UnsubscribePath+"?t=nonsense", nil))
	if bad.Code != http.StatusBadRequest || bad.Header().Get("Content-Type") != "application/problem+json" || len(recorded) != 0 {
		t.Fatalf("POST with a bad token: %d %s, recorded %v", bad.Code, bad.Header().Get("Content-Type"), recorded)
	}

	// A mail client's one-click unsubscribe posts to the link itself.
	post := httptest.NewRecorder()
	req := httptest.NewRequestWithContext(t.Context(), "POST", UnsubscribePath+"?t="+url.QueryEscape(tok), strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u.ServeHTTP(post, req)
	if post.Code != http.StatusOK || len(recorded) != 1 || recorded[0] != "department:roads_works" {
		t.Fatalf("one-click POST: %d, recorded %v", post.Code, recorded)
	}
}
