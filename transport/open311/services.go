package open311

import (
	"encoding/xml"
	"net/http"
	"strings"

	"github.com/citizenhouse/bayt/domain/directory"
)

// discoveryDoc is the service discovery document.
type discoveryDoc struct {
	XMLName   xml.Name   `json:"-" xml:"discovery"`
	Changeset string     `json:"changeset" xml:"changeset"`
	Contact   string     `json:"contact" xml:"contact"`
	KeyHelp   string     `json:"key_service" xml:"key_service"`
	Endpoints []endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

type endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

// changeset dates this endpoint's interface, which discovery reports: it
// changes when what Bayt answers here does.
const changeset = "2026-12-04T00:00:00Z"

func (s *Server) writeDiscovery(w http.ResponseWriter, r *http.Request, f format) {
	key := "No key is needed to post a request."
	if len(s.cfg.Keys) > 0 {
		key = "Ask the Citizen's House for an api_key to post requests; reading needs none."
	}
	write(w, f, http.StatusOK, "", discoveryDoc{
		Changeset: changeset,
		Contact:   "The Citizen's House, at its desk or on its report form: " + baseURL(r) + "/",
		KeyHelp:   key,
		Endpoints: []endpoint{{
			Specification: "http://wiki.open311.org/GeoReport_v2",
			URL:           baseURL(r) + "/open311/v2",
			Changeset:     changeset,
			Type:          "production",
			Formats:       []string{"text/xml", "application/json"},
		}},
	})
}

// service is one service type: a category of the directory.
type service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	Code        string   `json:"service_code" xml:"service_code"`
	Name        string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

func newService(c directory.Category, dep directory.Department, lang string) service {
	return service{
		Code: c.Code, Name: c.Name.In(lang),
		Description: texts(lang).serviceDescription(dep.Name.In(lang), c.SLADays),
		// Every service has the district attribute: a case belongs to
		// a district, which Open311 has no field for.
		Metadata: true,
		// Bayt records a case as it answers: the request's id comes back
		// at once.
		Type: "realtime",
		// The spec's keywords are one comma-separated string.
		Keywords: strings.Join(uniq(c.Code, c.Name.AR, c.Name.FR, c.Name.EN), ", "),
		Group:    string(c.Theme),
	}
}

func uniq(words ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" && !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

func (s *Server) services(w http.ResponseWriter, r *http.Request, f format) {
	lang := language(r)
	cats := s.cfg.Directory.Categories()
	out := make([]service, 0, len(cats))
	for _, c := range cats {
		dep, _ := s.cfg.Directory.Department(c.Department)
		out = append(out, newService(c, dep, lang))
	}
	write(w, f, http.StatusOK, "services", out)
}

// districtAttribute is the code of the attribute every service has: the
// district the request is in.
const districtAttribute = "district"

// definition is a service definition: its attributes.
type definition struct {
	XMLName    xml.Name    `json:"-" xml:"service_definition"`
	Code       string      `json:"service_code" xml:"service_code"`
	Attributes []attribute `json:"attributes" xml:"attributes>attribute"`
}

type attribute struct {
	Variable            bool    `json:"variable" xml:"variable"`
	Code                string  `json:"code" xml:"code"`
	Datatype            string  `json:"datatype" xml:"datatype"`
	Required            bool    `json:"required" xml:"required"`
	DatatypeDescription string  `json:"datatype_description" xml:"datatype_description"`
	Order               int     `json:"order" xml:"order"`
	Description         string  `json:"description" xml:"description"`
	Values              []value `json:"values" xml:"values>value"`
}

type value struct {
	Key  string `json:"key" xml:"key"`
	Name string `json:"name" xml:"name"`
}

func (s *Server) serviceDefinition(w http.ResponseWriter, r *http.Request) {
	code, f, ok := s.resource(w, r)
	if !ok {
		return
	}
	if _, ok := s.cfg.Directory.Category(code); !ok {
		s.writeErrors(w, r, f, notFound("no such service_code"))
		return
	}
	lang := language(r)
	t := texts(lang)
	attr := attribute{
		// Not required: the specification's own fields must be enough
		// to report, and a district named in address_string is found.
		Variable: true, Code: districtAttribute, Datatype: "singlevaluelist", Required: false,
		DatatypeDescription: t.districtHelp, Order: 1, Description: t.districtQuestion,
	}
	for _, d := range s.cfg.Directory.Districts() {
		attr.Values = append(attr.Values, value{Key: d.Code, Name: d.Name.In(lang)})
	}
	write(w, f, http.StatusOK, "", definition{Code: code, Attributes: []attribute{attr}})
}
