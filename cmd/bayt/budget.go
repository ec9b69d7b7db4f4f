package main

import (
	"context"
	"net/http"
	"strings"
	"time"
)

// requestBudget bounds how long a request may wait for the database,
// taking a pool connection included: pgxpool waits for a free connection
// as long as the request's context lets it, so without a deadline a
// database that stops answering would hold every request (and its client)
// until the client gives up. Past the budget the request answers 503.
const requestBudget = 15 * time.Second

// withBudget gives every request but the live feed's and the exports' a
// deadline of requestBudget. The live feed's context is the WebSocket's
// lifetime; its reads of the read model are bounded by the hub. An export
// streams every case and may outlast one budget: each of its reads is
// bounded instead (transport/api).
func withBudget(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/live" || strings.HasPrefix(r.URL.Path, "/api/v1/exports/") {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestBudget)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
