package open311

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"path"
	"strings"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// format is how a client asked to be answered: the path's extension.
type format int

const (
	formatXML format = iota // the specification's required format, and the default
	formatJSON
)

var formats = map[string]format{"xml": formatXML, "json": formatJSON}

// formatOf reads the format off a path that may not be a resource, for an
// error: JSON when it ends in .json, XML otherwise.
func formatOf(p string) format {
	if strings.HasSuffix(path.Base(p), ".json") {
		return formatJSON
	}
	return formatXML
}

// write answers v in f. In XML, root names the root element and v
// encodes as its children, or v is the whole document when root is "";
// in JSON v is encoded alone.
func write(w http.ResponseWriter, f format, status int, root string, v any) {
	if f == formatJSON {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	doc := v
	if root != "" {
		doc = struct {
			XMLName xml.Name
			Items   any
		}{XMLName: xml.Name{Local: root}, Items: v}
	}
	_ = xml.NewEncoder(w).Encode(doc)
	_, _ = w.Write([]byte("\n"))
}

// apiError is one error as the specification shapes it.
type apiError struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

func notFound(description string) apiError {
	return apiError{Code: http.StatusNotFound, Description: description}
}

func badRequest(description string) apiError {
	return apiError{Code: http.StatusBadRequest, Description: description}
}

// writeErrors answers errs in f, under the first one's status.
func (s *Server) writeErrors(w http.ResponseWriter, _ *http.Request, f format, errs ...apiError) {
	write(w, f, errs[0].Code, "errors", errs)
}

// writeError answers err, a domain error, as the specification's errors:
// one for each problem with the input, named by the field the client
// posted.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, f format, err error) {
	var inv []apiError
	collectInvalid(err, &inv)
	if len(inv) > 0 {
		s.writeErrors(w, r, f, inv...)
		return
	}
	status := transport.HTTPStatus(err)
	switch status {
	case http.StatusNotFound:
		s.writeErrors(w, r, f, notFound("no such service request"))
	case http.StatusForbidden:
		s.writeErrors(w, r, f, apiError{Code: status, Description: err.Error()})
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", transport.RetryAfter)
		s.writeErrors(w, r, f, apiError{Code: status, Description: "the service is briefly unavailable; try again in a few seconds"})
	default:
		s.log.ErrorContext(r.Context(), "request failed", "err", err, "path", r.URL.Path,
			"correlation_id", domain.MetadataFrom(r.Context()).CorrelationID)
		s.writeErrors(w, r, f, apiError{Code: http.StatusInternalServerError, Description: "internal error"})
	}
}

// collectInvalid appends to out an error for every invalid input in err,
// looking through joins.
func collectInvalid(err error, out *[]apiError) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			collectInvalid(e, out)
		}
		return
	}
	var inv *domain.InvalidError
	if errors.As(err, &inv) {
		*out = append(*out, badRequest(fieldName(inv.Field)+": "+inv.Reason))
	}
}

// fieldName is the name a client posted for a field of the case service's
// report.
func fieldName(field string) string {
	switch field {
	case "category":
		return "service_code"
	case "location.lat":
		return "lat"
	case "location.lon":
		return "long"
	case "address":
		return "address_string"
	case "district":
		return "attribute[" + districtAttribute + "]"
	case "reporter.email":
		return "email"
	case "reporter.phone":
		return "phone"
	case "reporter.name":
		return "first_name"
	case "language":
		return "locale"
	}
	return field
}
