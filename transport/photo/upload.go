package photo

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/transport"
)

// Field is the name of the file field a photo is posted in, by the API
// and the forms alike.
const Field = "photo"

// UploadTime is how long a request carrying photos may take to arrive: a
// full upload of 10 MB over a slow mobile connection, which the server's
// usual read timeout would cut.
const UploadTime = 3 * time.Minute

// ErrNotMultipart reports a body that is not multipart/form-data.
var ErrNotMultipart = errors.New("the body must be multipart/form-data")

// Upload is a multipart form as read: its text fields, and the files of
// its photo fields, in order.
type Upload struct {
	Values url.Values
	Photos [][]byte
}

// ReadUpload reads r's multipart/form-data body, giving it UploadTime to
// arrive: text fields of transport.MaxBody bytes in all, and at most
// maxPhotos files posted as Field, each of at most MaxBytes. A file field
// left empty is no photo; a file field of another name is ignored. It
// returns ErrTooLarge for a file or a body over the limits, ErrNotMultipart
// for another kind of body, an invalid-input error (field "photo") for
// more photos than maxPhotos, and another error for a body that cannot be
// read. Files are read into memory, never spooled to disk.
func ReadUpload(w http.ResponseWriter, r *http.Request, maxPhotos int) (*Upload, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, ErrNotMultipart
	}
	rc := http.NewResponseController(w)
	// A writer that cannot take deadlines (a recorder in tests) keeps none.
	_ = rc.SetReadDeadline(time.Now().Add(UploadTime))
	_ = rc.SetWriteDeadline(time.Now().Add(UploadTime + time.Minute))
	// Room for the fields, and for each file with its part's headers.
	limit := int64(transport.MaxBody) + int64(maxPhotos)*(MaxBytes+4096)
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, ErrNotMultipart
	}
	up := &Upload{Values: url.Values{}}
	text := int64(0)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return up, nil
		}
		if err != nil {
			return nil, readError(err)
		}
		name := part.FormName()
		if part.FileName() == "" && name != Field {
			b, err := io.ReadAll(io.LimitReader(part, transport.MaxBody-text+1))
			if err != nil {
				return nil, readError(err)
			}
			if text += int64(len(b)); text > transport.MaxBody {
				return nil, ErrTooLarge
			}
			up.Values.Add(name, string(b))
			continue
		}
		if name != Field {
			continue // NextPart skips what is left of it
		}
		b, err := io.ReadAll(io.LimitReader(part, MaxBytes+1))
		switch {
		case err != nil:
			return nil, readError(err)
		case len(b) > MaxBytes:
			return nil, ErrTooLarge
		case len(bytes.TrimSpace(b)) == 0:
			continue // a file input left empty
		case len(up.Photos) == maxPhotos:
			return nil, domain.Invalid(Field, "too many photos")
		}
		up.Photos = append(up.Photos, b)
	}
}

// readError tells a body over the limit from one that is malformed.
func readError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return ErrTooLarge
	}
	return &MalformedError{err: err}
}

// MalformedError reports a multipart body that cannot be read.
type MalformedError struct{ err error }

func (e *MalformedError) Error() string { return "malformed multipart body: " + e.err.Error() }

func (e *MalformedError) Unwrap() error { return e.err }

// WorkTime bounds the work done with an upload once it has arrived:
// decoding, re-encoding and storing a few photos.
const WorkTime = 30 * time.Second

// AfterUpload returns a context for the work done with an upload once it
// has arrived, keeping ctx's values but not its deadline: a request's
// time budget runs from its first byte, and a slow upload may have spent
// it all. The work is bounded by WorkTime instead.
func AfterUpload(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), WorkTime)
}
