package domaintest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/citizenhouse/bayt/domain"
)

// RedactFunc turns an event into its public form and says whether the
// public may see it; it is an aggregate's Redact.
type RedactFunc func(e domain.Event) (domain.Event, bool)

// Fields classifies the text fields of one event type by their Go path
// ("Title", "Location.Label"): Public ones appear on public surfaces as
// they are, Personal ones never leave the server. Text fields are strings,
// byte slices and slices of strings, of any named type, at any depth.
type Fields struct {
	Public   []string
	Personal []string
}

// Redaction asserts that redact clears every personal field of every event
// type in registry (an aggregate's Events()), leaves it out of the JSON,
// and keeps every public field as it was, without changing the event it is
// given. It builds one event of each type with a marker of its own in every
// text field, so a text field that fields does not classify fails here, and
// so does an event type it does not list: a new field or event cannot reach
// a public surface before someone decides whether it is personal.
func Redaction(tb testing.TB, registry map[string]func() domain.Event, redact RedactFunc, fields map[string]Fields) {
	tb.Helper()
	for name := range fields {
		if _, ok := registry[name]; !ok {
			tb.Errorf("fields classifies %s, which is not in the registry", name)
		}
	}
	for name, newEvent := range registry {
		class, ok := fields[name]
		if !ok {
			tb.Errorf("%s: its fields are classified neither public nor personal", name)
			continue
		}
		e := newEvent()
		marks := map[string]string{}
		jsonNames := map[string]string{}
		walkText(reflect.ValueOf(e).Elem(), "", true, func(path, jsonName string, v reflect.Value) {
			marks[path] = "MARK-" + name + "-" + path
			jsonNames[path] = jsonName
			setText(v, marks[path])
		})
		for path := range marks {
			if !slices.Contains(class.Public, path) && !slices.Contains(class.Personal, path) {
				tb.Errorf("%s: field %s is classified neither public nor personal", name, path)
			}
		}
		for _, path := range append(slices.Clone(class.Public), class.Personal...) {
			if _, ok := marks[path]; !ok {
				tb.Errorf("%s: classified field %s is not a text field of the event", name, path)
			}
		}
		before, err := json.Marshal(e)
		if err != nil {
			tb.Fatal(err)
		}

		got, _ := redact(e)
		if got == nil || reflect.TypeOf(got) != reflect.TypeOf(e) {
			tb.Errorf("Redact(%s) = %T, want a %T", name, got, e)
			continue
		}
		if got == e {
			tb.Errorf("Redact(%s) returns the event it was given, want a copy", name)
		}
		if after, err := json.Marshal(e); err != nil || !bytes.Equal(before, after) {
			tb.Errorf("Redact(%s) changed the event it was given: %s, was %s", name, after, before)
		}
		texts := map[string]string{}
		walkText(reflect.ValueOf(got).Elem(), "", false, func(path, _ string, v reflect.Value) {
			texts[path] = text(v)
		})
		data, err := json.Marshal(got)
		if err != nil {
			tb.Fatal(err)
		}
		for _, path := range class.Personal {
			if texts[path] != "" {
				tb.Errorf("Redact(%s) keeps personal field %s = %q", name, path, texts[path])
			}
			if strings.Contains(string(data), marks[path]) || strings.Contains(string(data), `"`+jsonNames[path]+`":`) {
				tb.Errorf("the JSON of Redact(%s) names personal field %s: %s", name, path, data)
			}
		}
		for _, path := range class.Public {
			if texts[path] != marks[path] {
				tb.Errorf("Redact(%s) changed public field %s to %q", name, path, texts[path])
			}
		}
	}
}

// walkText calls visit with every text field under v, which must be
// addressable. With alloc it allocates nil pointers to structs on the way,
// so that the fields behind them are reached too.
func walkText(v reflect.Value, path string, alloc bool, visit func(path, jsonName string, v reflect.Value)) {
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		p := f.Name
		if path != "" {
			p = path + "." + f.Name
		}
		jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if jsonName == "" {
			jsonName = f.Name
		}
		fv := v.Field(i)
		switch {
		case isText(f.Type):
			visit(p, jsonName, fv)
		case f.Type.Kind() == reflect.Struct:
			walkText(fv, p, alloc, visit)
		case f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct:
			if fv.IsNil() {
				if !alloc {
					continue
				}
				fv.Set(reflect.New(f.Type.Elem()))
			}
			walkText(fv.Elem(), p, alloc, visit)
		}
	}
}

func isText(t reflect.Type) bool {
	return t.Kind() == reflect.String ||
		t.Kind() == reflect.Slice && (t.Elem().Kind() == reflect.Uint8 || t.Elem().Kind() == reflect.String)
}

func setText(v reflect.Value, s string) {
	switch {
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Type().Elem().Kind() == reflect.Uint8:
		v.SetBytes([]byte(s))
	default:
		one := reflect.MakeSlice(v.Type(), 1, 1)
		one.Index(0).SetString(s)
		v.Set(one)
	}
}

func text(v reflect.Value) string {
	switch {
	case v.Kind() == reflect.String:
		return v.String()
	case v.Type().Elem().Kind() == reflect.Uint8:
		return string(v.Bytes())
	}
	parts := make([]string, v.Len())
	for i := range parts {
		parts[i] = v.Index(i).String()
	}
	return strings.Join(parts, ",")
}
