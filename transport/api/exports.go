package api

import (
	"errors"
	"net/http"
	"time"

	"github.com/citizenhouse/bayt/projections/caselist"
	"github.com/citizenhouse/bayt/transport/export"
)

// The open-data exports stream what anyone may read of every case, page by
// page of the case list (see package export): whatever the number of
// cases, an export holds one page in memory, and no read of the database
// waits on a slow client.

// exportWriteWindow is how long the client may take over each page
// written; every page moves the write deadline on by it, so that a long
// export to a reader that keeps up is never cut.
const exportWriteWindow = 60 * time.Second

func (s *Server) exportRoutes() {
	s.mux.HandleFunc("GET /api/v1/exports/cases.geojson", func(w http.ResponseWriter, r *http.Request) {
		s.export(w, r, export.GeoJSON)
	})
	s.mux.HandleFunc("GET /api/v1/exports/cases.csv", func(w http.ResponseWriter, r *http.Request) {
		s.export(w, r, export.CSV)
	})
}

// export answers GET /api/v1/exports/cases.csv and cases.geojson: the
// cases the public may see (the located ones for GeoJSON), newest first,
// filtered as GET /api/v1/cases filters (status, district, category,
// department, q), at most limit of them when limit is given. A fault
// before the first page answers a problem; one after it has begun ends
// the body without its end, so no client takes a cut export for a whole
// one.
func (s *Server) export(w http.ResponseWriter, r *http.Request, format export.Format) {
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
		Department: q.Get("department"), Q: q.Get("q"), Now: s.now(),
	}
	rc := http.NewResponseController(w)
	src := export.Source{Cases: s.cfg.CaseList, Categories: s.cfg.Directory}
	began := func() {
		w.Header().Set("Content-Type", format.ContentType())
		w.Header().Set("Cache-Control", "no-cache")
		if format == export.CSV {
			w.Header().Set("Content-Disposition", `attachment; filename="cases.csv"`)
		}
	}
	written, err := src.Export(r.Context(), format, f, limit, w, began, func(int) {
		// A writer that cannot take deadlines (a recorder in tests)
		// keeps none.
		_ = rc.SetWriteDeadline(time.Now().Add(exportWriteWindow))
	})
	switch {
	case err == nil:
	case errors.Is(err, export.ErrCut):
		if r.Context().Err() == nil {
			s.log.ErrorContext(r.Context(), "export cut short", "err", err, "written", written)
		}
	default:
		s.writeProblem(w, r, err)
	}
}
