package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// tooLargeError reports a body over the limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string { return fmt.Sprintf("body larger than %d bytes", e.limit) }

// readBody reads the whole body, refusing more than transport.MaxBody bytes and a
// content type other than JSON.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, malformed("", "Content-Type must be application/json")
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, transport.MaxBody))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, &tooLargeError{limit: mbe.Limit}
	}
	if err != nil {
		return nil, malformed("", "unreadable body")
	}
	if !utf8.Valid(body) {
		return nil, malformed("", "the body is not valid UTF-8")
	}
	return body, nil
}

// decodeStrict decodes one JSON object into v, refusing unknown fields,
// trailing data and wrong types, each with the field it concerns.
func decodeStrict(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var (
			syn *json.SyntaxError
			typ *json.UnmarshalTypeError
		)
		switch {
		case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF):
			return malformed("", "malformed JSON")
		case errors.As(err, &typ):
			return malformed(typ.Field, "must be "+jsonKind(typ.Type.Kind().String()))
		case errors.As(err, new(*time.ParseError)):
			return malformed(timeField(body, v), "must be a time in RFC 3339, such as 2026-12-05T09:00:00Z")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return malformed(strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`), "unknown field")
		default:
			return malformed("", "the body must be a JSON object")
		}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return malformed("", "trailing data after the JSON object")
	}
	return nil
}

// malformedError is input that is not the JSON the endpoint takes, as
// opposed to well-formed input that breaks a rule: 400, not 422.
type malformedError struct{ domain.InvalidError }

func (e *malformedError) Unwrap() error { return &e.InvalidError }

func malformed(field, reason string) error {
	return &malformedError{domain.InvalidError{Field: field, Reason: reason}}
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "struct", "map":
		return "an object"
	case "slice", "array":
		return "an array"
	case "bool":
		return "true or false"
	default:
		return "a number"
	}
}

// timeField names the field of v whose value in body is not a time: the
// decoder's error for a bad time does not say which field it was.
func timeField(body []byte, v any) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct {
		return ""
	}
	timeType := reflect.TypeOf(time.Time{})
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft != timeType || fields[name] == nil {
			continue
		}
		var tm time.Time
		if json.Unmarshal(fields[name], &tm) != nil {
			return name
		}
	}
	return ""
}
