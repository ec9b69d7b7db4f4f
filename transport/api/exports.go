package api

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// The open-data exports stream what anyone may read of every case, page by
// page of the case list: whatever the number of cases, an export holds one
// page in memory, and no read of the database waits on a slow client.

// exportPage is how many cases an export reads at a time.
const exportPage = caselist.MaxLimit

// exportPageBudget bounds the read of one page. An export as a whole may
// take longer than one request's budget (cmd/bayt leaves exports out of
// it): each page is bounded instead, so a database that stops answering
// still ends the export.
const exportPageBudget = 15 * time.Second

// exportWriteWindow is how long the client may take over each page
// written; every page moves the write deadline on by it, so that a long
// export to a reader that keeps up is never cut.
const exportWriteWindow = 60 * time.Second

// coordinateDigits is the decimals an export keeps of a latitude or a
// longitude: three, about a hundred metres, which places a problem in its
// street without pointing at one door.
const coordinateDigits = 3

func (s *Server) exportRoutes() {
	s.mux.HandleFunc("GET /api/v1/exports/cases.geojson", s.exportGeoJSON)
}

// geoFeature is one located public case as a GeoJSON Feature (RFC 7946).
type geoFeature struct {
	Type       string      `json:"type"`
	ID         string      `json:"id"`
	Geometry   geoPoint    `json:"geometry"`
	Properties geoCaseInfo `json:"properties"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // longitude, latitude
}

// geoCaseInfo is what the export says of a case: its public columns, and
// nothing the vault keeps or moderation withdrew.
type geoCaseInfo struct {
	ID         string          `json:"id"`
	Status     casefile.Status `json:"status"`
	Category   string          `json:"category"`
	Theme      string          `json:"theme"`
	District   string          `json:"district"`
	Department *string         `json:"department"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
	DueAt      *time.Time      `json:"due_at"`
	Overdue    bool            `json:"overdue"`
	Title      string          `json:"title"`
	Lat        float64         `json:"lat"`
	Lon        float64         `json:"lon"`
}

// exportGeoJSON answers GET /api/v1/exports/cases.geojson: a
// FeatureCollection of the located cases the public may see, newest
// first, filtered as GET /api/v1/cases filters (status, district,
// category, department, q), at most limit of them when limit is given.
// A fault before the first page answers a problem; one after it has
// begun ends the body without closing the collection, so no client takes
// a cut export for a whole one.
func (s *Server) exportGeoJSON(w http.ResponseWriter, r *http.Request) {
	q, limit, ok := s.listQuery(w, r)
	if !ok {
		return
	}
	if len(q.Get("q")) > 200 {
		s.writeProblem(w, r, malformed("q", "at most 200 characters"))
		return
	}
	f := caselist.Filter{
		Status: q.Get("status"), District: s.districtCode(q.Get("district")), Category: q.Get("category"),
		Department: q.Get("department"), Q: q.Get("q"), Located: true, Now: s.now(),
	}
	var (
		out     *bufio.Writer
		written int
	)
	rc := http.NewResponseController(w)
	for {
		f.Limit = exportPage
		if limit > 0 {
			f.Limit = min(exportPage, limit-written)
		}
		page, err := s.exportRead(r.Context(), f)
		if err != nil {
			if out == nil {
				s.writeProblem(w, r, err)
				return
			}
			s.log.ErrorContext(r.Context(), "export cut short", "err", err, "written", written)
			_ = out.Flush()
			return
		}
		if out == nil {
			w.Header().Set("Content-Type", "application/geo+json")
			w.Header().Set("Cache-Control", "no-cache")
			out = bufio.NewWriterSize(w, 32<<10)
			_, _ = out.WriteString(`{"type":"FeatureCollection","features":[`)
		}
		for i := range page.Items {
			b, err := json.Marshal(s.geoFeature(&page.Items[i], f.Now))
			if err != nil {
				s.log.ErrorContext(r.Context(), "export cut short", "err", err, "written", written)
				_ = out.Flush()
				return
			}
			if written > 0 {
				_ = out.WriteByte(',')
			}
			_ = out.WriteByte('\n')
			if _, err := out.Write(b); err != nil {
				return // the client is gone
			}
			written++
		}
		if page.NextCursor == "" || (limit > 0 && written >= limit) {
			break
		}
		f.Cursor = page.NextCursor
		// A writer that cannot take deadlines (a recorder in tests) keeps
		// none.
		_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
	}
	_, _ = out.WriteString("\n]}\n")
	_ = out.Flush()
}

// exportRead reads one page of an export within exportPageBudget.
func (s *Server) exportRead(ctx context.Context, f caselist.Filter) (caselist.Page, error) {
	ctx, cancel := context.WithTimeout(ctx, exportPageBudget)
	defer cancel()
	return s.cfg.CaseList.List(ctx, f)
}

// geoFeature is c, a public case with a location, as the export shows it.
func (s *Server) geoFeature(c *casefile.Case, now time.Time) geoFeature {
	lat, lon := rounded(c.Location.Lat), rounded(c.Location.Lon)
	info := geoCaseInfo{
		ID: c.ID, Status: c.Status, Category: c.Category, District: c.District,
		CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(), Overdue: c.Overdue(now), Title: c.Title,
		Lat: lat, Lon: lon,
	}
	if cat, ok := s.cfg.Directory.Category(c.Category); ok {
		info.Theme = string(cat.Theme)
	}
	if c.Department != "" {
		d := c.Department
		info.Department = &d
	}
	if c.DueAt != nil {
		due := c.DueAt.UTC()
		info.DueAt = &due
	}
	return geoFeature{Type: "Feature", ID: c.ID, Geometry: geoPoint{Type: "Point", Coordinates: [2]float64{lon, lat}}, Properties: info}
}

// rounded is a coordinate to coordinateDigits decimals, never -0.
func rounded(v float64) float64 {
	p := math.Pow10(coordinateDigits)
	r := math.Round(v*p) / p
	if r == 0 {
		return 0
	}
	return r
}
