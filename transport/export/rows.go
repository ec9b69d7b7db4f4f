package export

import (
	"context"
	"math"
	"time"

	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/domain/directory"
	"github.com/citizenhouse/bayt/projections/caselist"
)

// Row is one public case as the open data shows it.
type Row struct {
	ID         string
	Number     string
	Status     casefile.Status
	Category   string
	Theme      string
	District   string
	Department string // "" until the case is forwarded
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DueAt      *time.Time
	Overdue    bool
	Title      string
	// Located says Lat and Lon hold the rounded place of the case.
	Located  bool
	Lat, Lon float64
}

// Columns are the CSV header and the GeoJSON properties, in order.
var Columns = []string{"id", "number", "status", "category", "theme", "district", "department",
	"created_at", "updated_at", "due_at", "overdue", "lat", "lon", "title"}

// PageSize is how many cases an export reads at a time.
const PageSize = caselist.MaxLimit

// pageBudget bounds the read of one page. An export as a whole may take
// longer than any request's budget: each page is bounded instead, so a
// database that stops answering still ends the export.
const pageBudget = 15 * time.Second

// coordinateDigits is the decimals kept of a latitude or a longitude.
const coordinateDigits = 3

// Lister reads pages of the case list.
type Lister interface {
	List(ctx context.Context, f caselist.Filter) (caselist.Page, error)
}

// Categories looks a category up in the directory in force, for its theme.
type Categories interface {
	Category(code string) (directory.Category, bool)
}

// Source reads the rows of an export.
type Source struct {
	Cases      Lister
	Categories Categories
}

// Each reads the public cases f selects, newest first, at most limit of
// them when limit is positive, and calls page with each page's rows. An
// error reading the first page is returned before page is ever called, so
// that a caller may still answer it as a whole; f.Staff is ignored.
//
// f.Located is applied here, not by the case list: the database walks
// its newest-first index for every case at the same cost, where a filter
// on the place makes it sort every located case for each page.
func (s Source) Each(ctx context.Context, f caselist.Filter, limit int, page func([]Row) error) error {
	located := f.Located
	f.Staff, f.Located, f.Cursor = false, false, ""
	if f.Now.IsZero() {
		f.Now = time.Now()
	}
	written := 0
	rows := make([]Row, 0, PageSize)
	for {
		f.Limit = PageSize
		if limit > 0 && !located {
			f.Limit = min(PageSize, limit-written)
		}
		p, err := s.read(ctx, f)
		if err != nil {
			return err
		}
		rows = rows[:0]
		for i := range p.Items {
			if located && p.Items[i].Location == nil {
				continue
			}
			if limit > 0 && written+len(rows) >= limit {
				break
			}
			rows = append(rows, s.row(&p.Items[i], f.Now))
		}
		if err := page(rows); err != nil {
			return err
		}
		written += len(rows)
		if p.NextCursor == "" || (limit > 0 && written >= limit) {
			return nil
		}
		f.Cursor = p.NextCursor
	}
}

func (s Source) read(ctx context.Context, f caselist.Filter) (caselist.Page, error) {
	ctx, cancel := context.WithTimeout(ctx, pageBudget)
	defer cancel()
	return s.Cases.List(ctx, f)
}

// row is c as the open data shows it. c comes from the public list, yet
// its public texts are asked for again: a row must never carry what
// moderation withdrew, whatever list it was read from.
func (s Source) row(c *casefile.Case, now time.Time) Row {
	r := Row{
		ID: c.ID, Number: c.Number, Status: c.Status, Category: c.Category, District: c.District,
		Department: c.Department, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
		Overdue: c.Overdue(now), Title: c.PublicTitle(),
	}
	if cat, ok := s.Categories.Category(c.Category); ok {
		r.Theme = string(cat.Theme)
	}
	if c.DueAt != nil {
		due := c.DueAt.UTC()
		r.DueAt = &due
	}
	if c.Location != nil {
		r.Located, r.Lat, r.Lon = true, Round(c.Location.Lat), Round(c.Location.Lon)
	}
	return r
}

// Round is a coordinate to three decimals, never -0.
func Round(v float64) float64 {
	p := math.Pow10(coordinateDigits)
	r := math.Round(v*p) / p
	if r == 0 {
		return 0
	}
	return r
}
