package web

import (
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/citizenhouse/bayt/transport"
)

// A form whose answer holds a secret shown once (a tracking token, a
// staff token) answers 303 See Other like every other form, so that a
// reload never posts it again; the secret cannot travel in the URL the
// browser is sent to, where history, logs and Referer would keep it. It
// goes in a one-shot cookie instead: HttpOnly, so no script reads it;
// SameSite=Strict, so no other site's request carries it; its Path the
// done page alone; for a few minutes. The done page reads it and clears it
// in the same answer, so a reload, the back button or anyone later at the
// device finds the secret gone.

// oneShotAge is how long a one-shot cookie lives if its done page is never
// reached: enough for a slow phone to follow a redirect.
const oneShotAge = 5 * 60

// setOneShot stores v, as JSON, in the cookie name for the page at path.
func setOneShot(w http.ResponseWriter, r *http.Request, name, path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: base64.RawURLEncoding.EncodeToString(b), Path: path, MaxAge: oneShotAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: transport.Secure(r),
	})
	return nil
}

// takeOneShot reads the cookie name into v and clears it. It reports
// false when there is none, or none this server could have set.
func takeOneShot(w http.ResponseWriter, r *http.Request, name, path string, v any) bool {
	c, err := r.Cookie(name)
	if err != nil {
		return false
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: transport.Secure(r)})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	return err == nil && json.Unmarshal(b, v) == nil
}
