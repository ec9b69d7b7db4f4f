package main

import (
	"context"
	"net/http"
	"time"
)

// requestBudget bounds how long a request may wait for the database,
// taking a pool connection included: pgxpool waits for a free connection
// as long as the request's context lets it, so without a deadline a
// database that stops answering would hold every request (and its client)
// until the client gives up. Past the budget the request answers 503.
const requestBudget = 15 * time.Second

// withBudget gives every request but the live feed's a deadline of
// requestBudget. The live feed's context is the WebSocket's lifetime; its
// reads of the read model are bounded by the hub.
func withBudget(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v1/live" {
			h.ServeHTTP(w, r)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), requestBudget)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
