package transport

import (
	"net/http"
	"net/url"
)

// CrossSite recognises unsafe requests a browser sends from another site.
// Reports, supports and signatures are anonymous, so such a request would
// borrow the visitor's address (and its write limit); requests from
// programs, which send no Origin and no Sec-Fetch-Site, pass. Each surface
// refuses in its own format (a problem document, a page), which is why
// this is not part of Middleware.
type CrossSite struct {
	origin *http.CrossOriginProtection
}

// NewCrossSite returns a CrossSite that trusts no other origin.
func NewCrossSite() *CrossSite {
	return &CrossSite{origin: http.NewCrossOriginProtection()}
}

// Refuse serves next, except an unsafe cross-site request, which refuse
// answers. It judges by Origin and Sec-Fetch-Site only, which is what
// every browser that can post JSON sends.
func (c *CrossSite) Refuse(next, refuse http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c.origin.Check(r) != nil {
			refuse.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// FormAllowed reports whether a form post comes from this site. Beyond
// Origin and Sec-Fetch-Site it reads the Referer, which older browsers
// send alone with a plain HTML form. A form is anonymous and sets no
// cookie, so a forged post carries no one's authority: refusing posts
// from elsewhere is enough, and needs no token.
func (c *CrossSite) FormAllowed(r *http.Request) bool {
	if c.origin.Check(r) != nil {
		return false
	}
	if r.Header.Get("Origin") != "" || r.Header.Get("Sec-Fetch-Site") != "" {
		return true // Check has judged it
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		u, err := url.Parse(ref)
		return err == nil && u.Host == r.Host
	}
	return true // not a browser's post, or one that says nothing: as for the API
}
