package transport

import (
	"net/http"

	"github.com/citizenhouse/bayt/domain"
	"github.com/gorilla/websocket"
)

// HTTPStatus is the one table from a domain error's kind to the HTTP
// status every surface (the JSON API, the pages, the live feed) answers
// with. Anything unknown is internal, so a forgotten mapping never leaks
// detail.
func HTTPStatus(err error) int {
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		return http.StatusUnprocessableEntity
	case domain.KindNotFound:
		return http.StatusNotFound
	case domain.KindConflict:
		return http.StatusConflict
	case domain.KindForbidden:
		return http.StatusForbidden
	case domain.KindUnauthenticated:
		return http.StatusUnauthorized
	case domain.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// CloseCode is the WebSocket close code for err, from the same kinds: a
// client may reconnect after what is temporary.
func CloseCode(err error) int {
	switch domain.KindOf(err) {
	case domain.KindInvalid:
		return websocket.ClosePolicyViolation
	case domain.KindUnavailable:
		return websocket.CloseTryAgainLater
	default:
		return websocket.CloseInternalServerErr
	}
}

// RetryAfter is the Retry-After, in seconds, sent with 503: about the time
// a pool takes to find the database back.
const RetryAfter = "2"
