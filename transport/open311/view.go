package open311

import (
	"encoding/xml"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport/photo"
)

// serviceRequest is a request as GET requests answers it: a case as the
// public reads it. status_notes says where the case stands in Bayt's
// detail, then its latest public note. Every field of the specification is present, empty
// when Bayt has nothing for it; ids are strings.
type serviceRequest struct {
	XMLName           xml.Name `json:"-" xml:"request"`
	ID                string   `json:"service_request_id" xml:"service_request_id"`
	Status            string   `json:"status" xml:"status"`
	StatusNotes       string   `json:"status_notes" xml:"status_notes"`
	ServiceName       string   `json:"service_name" xml:"service_name"`
	ServiceCode       string   `json:"service_code" xml:"service_code"`
	Description       string   `json:"description" xml:"description"`
	AgencyResponsible string   `json:"agency_responsible" xml:"agency_responsible"`
	ServiceNotice     string   `json:"service_notice" xml:"service_notice"`
	RequestedDatetime string   `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string   `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string   `json:"expected_datetime" xml:"expected_datetime"`
	Address           string   `json:"address" xml:"address"`
	AddressID         string   `json:"address_id" xml:"address_id"`
	Zipcode           string   `json:"zipcode" xml:"zipcode"`
	Lat               *float64 `json:"lat" xml:"lat,omitempty"`
	Long              *float64 `json:"long" xml:"long,omitempty"`
	MediaURL          string   `json:"media_url" xml:"media_url"`
	// Notes is the extension's timeline. XML has it in a wrapper of its
	// own: an empty parent chain would still write an empty <notes>.
	Notes    []note     `json:"notes,omitempty" xml:"-"`
	NotesXML *notesList `json:"-" xml:"notes"`
}

type notesList struct {
	Notes []note `xml:"note"`
}

// note is one event of a request's public timeline, the extension
// ?extensions=true adds.
type note struct {
	Datetime    string `json:"datetime" xml:"datetime"`
	Description string `json:"description" xml:"description"`
	Type        string `json:"type" xml:"type"`
}

// openOrClosed is the Open311 status of a Bayt status: a resolved case
// stays open until its resolution is confirmed, since the resident may
// still dispute it.
func openOrClosed(s casefile.Status) string {
	switch s {
	case casefile.StatusClosed, casefile.StatusRejected, casefile.StatusDuplicate:
		return "closed"
	}
	return "open"
}

// datetime formats t as the specification's dates: ISO 8601 with its
// offset.
func datetime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// newServiceRequest renders c, which must be the public's copy of a case
// (casefile.Case.Public), in lang for a client that reached base.
func (s *Server) newServiceRequest(c *casefile.Case, lang, base string) serviceRequest {
	t := texts(lang)
	v := serviceRequest{
		ID: c.ID, Status: openOrClosed(c.Status), StatusNotes: t.statusNotes(c),
		ServiceCode: c.Category, Description: c.Description,
		RequestedDatetime: datetime(c.CreatedAt), UpdatedDatetime: datetime(c.UpdatedAt),
		Address: c.Address,
	}
	if cat, ok := s.cfg.Directory.Category(c.Category); ok {
		v.ServiceName = cat.Name.In(lang)
	}
	if dep, ok := s.cfg.Directory.Department(c.Department); ok {
		v.AgencyResponsible = dep.Name.In(lang)
	}
	if c.DueAt != nil {
		v.ExpectedDatetime = datetime(*c.DueAt)
	}
	if c.Location != nil {
		lat, long := c.Location.Lat, c.Location.Lon
		v.Lat, v.Long = &lat, &long
	}
	for _, p := range c.Photos {
		if !p.Hidden {
			v.MediaURL = base + photo.URL(p.ID)
			break
		}
	}
	return v
}

func join(a, b string) string {
	if b == "" {
		return a
	}
	return a + " " + b
}
