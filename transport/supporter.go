package transport

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// SupporterCookie is the cookie that tells one browser's supports apart.
const SupporterCookie = "bayt_supporter"

// supporterCookieAge is how long a browser keeps its supporter id: the
// longest browsers allow.
const supporterCookieAge = 400 * 24 * 60 * 60

// SupporterID returns the opaque id r's browser keeps in its supporter
// cookie. A request without one (or with text the server never gives) gets
// a new random id, set on w for the browser to keep: HttpOnly, since no
// script needs it, and SameSite=Strict, since only this site's own pages
// support. The id is random and tied to nothing; the log keeps only keyed
// hashes of it, one per case, which tell nobody which cases one browser
// supported.
func SupporterID(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(SupporterCookie); err == nil && validSupporterID(c.Value) {
		return c.Value
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	id := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{
		Name: SupporterCookie, Value: id, Path: "/", MaxAge: supporterCookieAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: Secure(r),
	})
	return id
}

func validSupporterID(s string) bool {
	if len(s) != 32 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

type secureKey struct{}

// Secure reports whether the client reached us over HTTPS, directly or
// through a trusted proxy that says so, as Middleware saw it.
func Secure(r *http.Request) bool {
	secure, _ := r.Context().Value(secureKey{}).(bool)
	return secure || r.TLS != nil
}

func withSecure(ctx context.Context, secure bool) context.Context {
	if !secure {
		return ctx
	}
	return context.WithValue(ctx, secureKey{}, true)
}
