package export

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Format is a file format of the open data.
type Format string

// Formats.
const (
	CSV     Format = "csv"
	GeoJSON Format = "geojson"
)

// ParseFormat reads a format's name.
func ParseFormat(s string) (Format, error) {
	switch f := Format(s); f {
	case CSV, GeoJSON:
		return f, nil
	}
	return "", fmt.Errorf("unknown export format %q: csv or geojson", s)
}

// ContentType is the media type of a file in f.
func (f Format) ContentType() string {
	if f == GeoJSON {
		return "application/geo+json"
	}
	return "text/csv; charset=utf-8"
}

// LocatedOnly says f leaves out the cases without a place: a GeoJSON
// feature needs a geometry.
func (f Format) LocatedOnly() bool { return f == GeoJSON }

// Writer writes rows in one format. Begin writes what comes before the
// first row, End what closes the file; a file cut short by an error is
// left without its end, so that no reader takes it for a whole one.
type Writer interface {
	Begin() error
	Write(rows []Row) error
	End() error
}

// NewWriter returns a writer of f on w.
func NewWriter(f Format, w io.Writer) Writer {
	b := bufio.NewWriterSize(w, 32<<10)
	if f == GeoJSON {
		return &geoWriter{out: b}
	}
	return &csvWriter{out: b, csv: csv.NewWriter(b), record: make([]string, len(Columns))}
}

// utf8BOM opens the CSV: spreadsheet programs read a file without it in
// the system's legacy code page, which turns Arabic into noise.
const utf8BOM = "\uFEFF"

type csvWriter struct {
	out    *bufio.Writer
	csv    *csv.Writer
	record []string
}

func (c *csvWriter) Begin() error {
	if _, err := c.out.WriteString(utf8BOM); err != nil {
		return err
	}
	return c.csv.Write(Columns)
}

func (c *csvWriter) Write(rows []Row) error {
	for i := range rows {
		r := &rows[i]
		c.record = append(c.record[:0], r.ID, r.Number, string(r.Status), r.Category, r.Theme, r.District, r.Department,
			stamp(r.CreatedAt), stamp(r.UpdatedAt), "", strconv.FormatBool(r.Overdue), "", "", r.Title)
		if r.DueAt != nil {
			c.record[9] = stamp(*r.DueAt)
		}
		if r.Located {
			c.record[11], c.record[12] = coordinate(r.Lat), coordinate(r.Lon)
		}
		if err := c.csv.Write(c.record); err != nil {
			return err
		}
	}
	// Each page goes out as it is written: the client sees the export
	// move, and the buffer never holds more than a page.
	c.csv.Flush()
	if err := c.csv.Error(); err != nil {
		return err
	}
	return c.out.Flush()
}

func (c *csvWriter) End() error {
	c.csv.Flush()
	if err := c.csv.Error(); err != nil {
		return err
	}
	return c.out.Flush()
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func coordinate(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// geoWriter writes a GeoJSON FeatureCollection (RFC 7946) of the located
// rows; rows without a place are skipped.
type geoWriter struct {
	out     *bufio.Writer
	written int
}

type geoFeature struct {
	Type       string     `json:"type"`
	ID         string     `json:"id"`
	Geometry   geoPoint   `json:"geometry"`
	Properties geoCaseRow `json:"properties"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // longitude, latitude
}

type geoCaseRow struct {
	ID         string     `json:"id"`
	Number     string     `json:"number"`
	Status     string     `json:"status"`
	Category   string     `json:"category"`
	Theme      string     `json:"theme"`
	District   string     `json:"district"`
	Department *string    `json:"department"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	DueAt      *time.Time `json:"due_at"`
	Overdue    bool       `json:"overdue"`
	Lat        float64    `json:"lat"`
	Lon        float64    `json:"lon"`
	Title      string     `json:"title"`
}

func (g *geoWriter) Begin() error {
	_, err := g.out.WriteString(`{"type":"FeatureCollection","features":[`)
	return err
}

func (g *geoWriter) Write(rows []Row) error {
	for i := range rows {
		r := &rows[i]
		if !r.Located {
			continue
		}
		p := geoCaseRow{ID: r.ID, Number: r.Number, Status: string(r.Status), Category: r.Category, Theme: r.Theme,
			District: r.District, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DueAt: r.DueAt, Overdue: r.Overdue,
			Lat: r.Lat, Lon: r.Lon, Title: r.Title}
		if r.Department != "" {
			p.Department = &r.Department
		}
		b, err := json.Marshal(geoFeature{Type: "Feature", ID: r.ID,
			Geometry: geoPoint{Type: "Point", Coordinates: [2]float64{r.Lon, r.Lat}}, Properties: p})
		if err != nil {
			return err
		}
		if g.written > 0 {
			_ = g.out.WriteByte(',')
		}
		_ = g.out.WriteByte('\n')
		if _, err := g.out.Write(b); err != nil {
			return err
		}
		g.written++
	}
	return g.out.Flush()
}

func (g *geoWriter) End() error {
	if _, err := g.out.WriteString("\n]}\n"); err != nil {
		return err
	}
	return g.out.Flush()
}
