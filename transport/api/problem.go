package api

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// problem is an RFC 9457 problem document with Bayt's stable code.
type problem struct {
	Type           string `json:"type"`
	Title          string `json:"title"`
	Status         int    `json:"status"`
	Detail         string `json:"detail,omitempty"`
	Code           string `json:"code"`
	Field          string `json:"field,omitempty"`
	CurrentVersion *int64 `json:"current_version,omitempty"`
	CurrentStatus  string `json:"current_status,omitempty"`
}

// Error codes of the API contract.
const (
	codeInvalidInput      = "invalid_input"
	codeUnauthenticated   = "unauthenticated"
	codeForbidden         = "forbidden"
	codeNotFound          = "not_found"
	codeVersionConflict   = "version_conflict"
	codeInvalidTransition = "invalid_transition"
	codePayloadTooLarge   = "payload_too_large"
	codeRateLimited       = "rate_limited"
	codeInternal          = "internal"
	codeMethodNotAllowed  = "method_not_allowed"
	codeUnsupportedMedia  = "unsupported_media_type"
	codeUnavailable       = "unavailable"
)

var titles = map[string]string{
	codeInvalidInput:      "Invalid input",
	codeUnauthenticated:   "Authentication required",
	codeForbidden:         "Forbidden",
	codeNotFound:          "Not found",
	codeVersionConflict:   "Version conflict",
	codeInvalidTransition: "Not allowed in the current status",
	codePayloadTooLarge:   "Payload too large",
	codeRateLimited:       "Too many requests",
	codeInternal:          "Internal error",
	codeMethodNotAllowed:  "Method not allowed",
	codeUnsupportedMedia:  "Unsupported media type",
	codeUnavailable:       "Service unavailable",
}

func newProblem(status int, code, detail string) *problem {
	return &problem{Type: "https://bayt.example/problems/" + code, Title: titles[code], Status: status, Detail: detail, Code: code}
}

// problemFor maps an error to its problem document. Its status comes from
// transport.HTTPStatus, the one table; the body says more where the
// error carries more.
func problemFor(err error) *problem {
	var (
		mal *malformedError
		inv *domain.InvalidError
		tr  *domain.TransitionError
		vc  *domain.VersionConflictError
		tl  *tooLargeError
	)
	switch {
	case errors.As(err, &tl):
		return newProblem(http.StatusRequestEntityTooLarge, codePayloadTooLarge, err.Error())
	case errors.As(err, &mal):
		// Not the JSON the endpoint takes, as opposed to JSON that breaks a
		// rule: 400, not the table's 422.
		p := newProblem(http.StatusBadRequest, codeInvalidInput, mal.Error())
		p.Field = mal.Field
		return p
	}
	status := transport.HTTPStatus(err)
	switch {
	case errors.As(err, &inv):
		p := newProblem(status, codeInvalidInput, err.Error())
		p.Field = inv.Field
		return p
	case errors.As(err, &tr):
		p := newProblem(status, codeInvalidTransition, err.Error())
		p.CurrentStatus = tr.Status
		return p
	case errors.As(err, &vc):
		p := newProblem(status, codeVersionConflict, "the resource changed since you read it; read it again")
		v := vc.Actual
		p.CurrentVersion = &v
		return p
	}
	switch status {
	case http.StatusNotFound:
		return newProblem(status, codeNotFound, "no such resource")
	case http.StatusForbidden:
		return newProblem(status, codeForbidden, err.Error())
	case http.StatusUnauthorized:
		return newProblem(status, codeUnauthenticated, "a valid bearer token is required")
	case http.StatusServiceUnavailable:
		return newProblem(status, codeUnavailable, "the service is briefly unavailable; try again in a few seconds")
	default:
		return newProblem(http.StatusInternalServerError, codeInternal, "internal error")
	}
}

// writeProblem answers with err as problem+json. Internal errors are logged
// here, once, with the request's correlation id.
func (s *Server) writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	p := problemFor(err)
	if p.Status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", transport.RetryAfter)
	}
	if p.Status >= http.StatusInternalServerError {
		s.log.ErrorContext(r.Context(), "request failed", "err", err, "path", r.URL.Path,
			"correlation_id", domain.MetadataFrom(r.Context()).CorrelationID)
	}
	writeProblemDoc(w, p)
}

func writeProblemDoc(w http.ResponseWriter, p *problem) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
