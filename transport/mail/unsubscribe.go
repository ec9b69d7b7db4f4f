package mail

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
)

// UnsubscribePath is where unsubscribe links lead.
const UnsubscribePath = "/mail/unsubscribe"

// tokenPurpose keys the unsubscribe tokens' signatures apart from every
// other keyed hash of the server.
const tokenPurpose = "mail.unsubscribe"

// An opt-out target is what one unsubscribe stops: the mail of one case's
// reporter, or a department's.
func caseTarget(id string) string         { return "case:" + id }
func departmentTarget(code string) string { return "department:" + code }

// validTarget reports whether target names a case or a department, so
// that a signed token could never record anything else.
func validTarget(target string) bool {
	if id, ok := strings.CutPrefix(target, "case:"); ok {
		return casefile.ValidID(id)
	}
	if code, ok := strings.CutPrefix(target, "department:"); ok {
		return directory.ValidCode(code)
	}
	return false
}

// signToken returns target and its signature, base64url-encoded: opaque
// in a link, and impossible to make for another target without the key.
func signToken(keyedHash func(purpose, text string) string, target string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(target)) + "." + keyedHash(tokenPurpose, target)
}

// openToken returns the target a token names, and false for anything the
// server did not sign.
func openToken(keyedHash func(purpose, text string) string, token string) (string, bool) {
	enc, sig, ok := strings.Cut(token, ".")
	if !ok || len(token) > 512 {
		return "", false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(enc)
	if err != nil {
		return "", false
	}
	target := string(raw)
	if !validTarget(target) || !hmac.Equal([]byte(sig), []byte(keyedHash(tokenPurpose, target))) {
		return "", false
	}
	return target, true
}

// OptOuts records unsubscriptions. OptOut records that target wants no
// more mail; recording it twice records it once. It is safe for
// concurrent use.
type OptOuts interface {
	OptOut(ctx context.Context, target string) error
}

// Unsubscribe serves UnsubscribePath. GET shows a button and changes
// nothing, since mail scanners and link previews follow links; POST
// records the opt-out, from that button or from a mail client's one-click
// unsubscribe (RFC 8058), which posts to the link itself. A token the
// server did not sign is answered 400 with a problem document, and
// records nothing.
type Unsubscribe struct {
	optOuts   OptOuts
	keyedHash func(purpose, text string) string
	texts     *texts
	logger    *slog.Logger
}

// NewUnsubscribe returns the unsubscribe page over optOuts, checking
// tokens with keyedHash.
func NewUnsubscribe(optOuts OptOuts, keyedHash func(purpose, text string) string, logger *slog.Logger) (*Unsubscribe, error) {
	if optOuts == nil || keyedHash == nil {
		panic("mail: nil dependency")
	}
	t, err := loadTexts()
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Unsubscribe{optOuts: optOuts, keyedHash: keyedHash, texts: t, logger: logger}, nil
}

var unsubscribePage = template.Must(template.New("unsubscribe").Parse(`<!doctype html>
<html lang="{{.Lang}}" dir="{{.Dir}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>{{.Title}}</title></head>
<body><main><h1>{{.Title}}</h1>
{{if .Done}}<p role="status">{{.Done}}</p>{{else}}<p>{{.Ask}}</p>
<form method="post" action="{{.Action}}"><input type="hidden" name="t" value="{{.Token}}"><input type="hidden" name="lang" value="{{.Lang}}">
<button type="submit">{{.Button}}</button></form>{{end}}
</main></body></html>
`))

func (u *Unsubscribe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		problem(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	// A one-click POST carries the token in the link's query, a form's in
	// its body: FormValue reads both.
	r.Body = http.MaxBytesReader(w, r.Body, 4096)
	token := r.FormValue("t")
	lang := language(r.FormValue("lang"))
	target, ok := openToken(u.keyedHash, token)
	if !ok {
		problem(w, http.StatusBadRequest, "this unsubscribe link is not valid")
		return
	}
	done := ""
	if r.Method == http.MethodPost {
		if err := u.optOuts.OptOut(r.Context(), target); err != nil {
			u.logger.Error("record opt-out", "err", err)
			problem(w, http.StatusInternalServerError, "internal error")
			return
		}
		done = u.texts.plain[lang+":unsubscribe.done"]
	}
	dir := "ltr"
	if lang == "ar" {
		dir = "rtl"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := unsubscribePage.Execute(w, map[string]string{
		"Lang": lang, "Dir": dir, "Title": u.texts.plain[lang+":unsubscribe.title"], "Ask": u.texts.plain[lang+":unsubscribe.ask"],
		"Button": u.texts.plain[lang+":unsubscribe.button"], "Done": done, "Action": UnsubscribePath, "Token": token,
	}); err != nil {
		u.logger.Warn("render unsubscribe page", "err", err)
	}
}

// problem answers with an RFC 9457 problem document.
func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}
