package export

import (
	"context"
	"errors"
	"io"

	"github.com/citizenhouse/bayt/projections/caselist"
)

// ErrCut marks an export that failed after its first bytes were written:
// the file is left without its end.
var ErrCut = errors.New("export cut short")

// Export writes the public cases f selects to w in format, at most limit
// of them when limit is positive, and returns how many rows it wrote.
// began, when set, is called once before the first byte, after the first
// page was read: an error before it leaves w untouched, so an HTTP
// handler may still answer a problem; one after it wraps ErrCut. progress,
// when set, is called after each page with the rows written so far.
func (s Source) Export(ctx context.Context, format Format, f caselist.Filter, limit int, w io.Writer, began func(), progress func(rows int)) (int, error) {
	if format.LocatedOnly() {
		f.Located = true
	}
	var out Writer
	written := 0
	err := s.Each(ctx, f, limit, func(rows []Row) error {
		if out == nil {
			if began != nil {
				began()
			}
			out = NewWriter(format, w)
			if err := out.Begin(); err != nil {
				return err
			}
		}
		if err := out.Write(rows); err != nil {
			return err
		}
		written += len(rows)
		if progress != nil {
			progress(written)
		}
		return nil
	})
	if err == nil {
		err = out.End()
	}
	if err != nil && out != nil {
		return written, errors.Join(ErrCut, err)
	}
	return written, err
}
