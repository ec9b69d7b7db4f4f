package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport/photo"
)

// PhotoStore keeps the files of photos. Put stores photo id as added to
// case caseID and is idempotent: the id is the full file's hash. Get
// returns the full file or the thumbnail, its content type and the cases
// the photo was added to, and an error of kind not found for a photo it
// does not hold. Both are safe for concurrent use.
type PhotoStore interface {
	Put(ctx context.Context, caseID, id, contentType string, full, thumb []byte, width, height int) error
	Get(ctx context.Context, id string, thumb bool) (data []byte, contentType string, caseIDs []string, err error)
}

// publicPhotoCache lets a browser keep a photo for good (its address names
// its content) but keeps shared caches out: once moderation hides a photo,
// no one who had not seen it gets it from a proxy.
const publicPhotoCache = "private, max-age=31536000, immutable"

// photoRoutes serves the photos (/photos/{id}.jpg and its thumbnail
// /photos/{id}/thumb.jpg) to anyone, as long as a case shows them to the
// public, and every photo to advocates and admins under /console/photos/.
func (s *Server) photoRoutes() {
	if s.cfg.Photos == nil {
		return
	}
	s.mux.HandleFunc("GET /photos/{file}", s.publicPhoto)
	s.mux.HandleFunc("GET /photos/{id}/thumb.jpg", s.publicPhoto)
	if s.cfg.Staff != nil {
		s.mux.HandleFunc("GET /console/photos/{file}", s.staffOnly(advocates, s.staffPhoto))
		s.mux.HandleFunc("GET /console/photos/{id}/thumb.jpg", s.staffOnly(advocates, s.staffPhoto))
	}
}

// photoPath reads which photo, and whether its thumbnail, a photo route's
// path names.
func photoPath(r *http.Request) (id string, thumb, ok bool) {
	if id = r.PathValue("id"); id != "" {
		thumb = true
	} else {
		id, ok = strings.CutSuffix(r.PathValue("file"), ".jpg")
		if !ok {
			return "", false, false
		}
	}
	return id, thumb, casefile.ValidPhotoID(id)
}

// publicPhoto serves a photo that a case shows the public: one of the
// cases it was added to is not hidden, and there the photo is not hidden
// either. Anything else is not found, as if the photo did not exist.
func (s *Server) publicPhoto(w http.ResponseWriter, r *http.Request) {
	id, thumb, ok := photoPath(r)
	if !ok {
		s.renderError(w, r, s.data(r, ""), http.StatusNotFound, "not_found")
		return
	}
	data, contentType, caseIDs, err := s.cfg.Photos.Get(r.Context(), id, thumb)
	if err == nil {
		ok, err = s.photoShown(r.Context(), id, caseIDs)
	}
	if err != nil || !ok {
		if err == nil {
			err = domain.ErrNotFound
		}
		s.fail(w, r, s.data(r, ""), err)
		return
	}
	writePhoto(w, r, id, thumb, contentType, data, publicPhotoCache)
}

// photoShown reports whether one of caseIDs shows photo id to the public.
// The case's events decide, read anew: a moderation counts from the
// moment it is recorded.
func (s *Server) photoShown(ctx context.Context, id string, caseIDs []string) (bool, error) {
	for _, cid := range caseIDs {
		c, _, err := s.cfg.Cases.Load(ctx, cid)
		if errors.Is(err, domain.ErrNotFound) {
			continue // a photo stored for a case that was never recorded
		}
		if err != nil {
			return false, err
		}
		if c.PhotoPublic(id) {
			return true, nil
		}
	}
	return false, nil
}

// staffPhoto serves any photo to advocates and admins, who see the ones
// moderation hid as well.
func (s *Server) staffPhoto(w http.ResponseWriter, r *http.Request, d *pageData, _ staffRequest) {
	id, thumb, ok := photoPath(r)
	if !ok {
		s.renderError(w, r, d, http.StatusNotFound, "not_found")
		return
	}
	data, contentType, _, err := s.cfg.Photos.Get(r.Context(), id, thumb)
	if err != nil {
		s.fail(w, r, d, err)
		return
	}
	// Asked again each time, so a signed-out browser keeps nothing
	// readable; the ETag makes asking cheap.
	writePhoto(w, r, id, thumb, contentType, data, "private, no-cache")
}

func writePhoto(w http.ResponseWriter, r *http.Request, id string, thumb bool, contentType string, data []byte, cache string) {
	h := w.Header()
	tag := `"` + id + `"`
	if thumb {
		tag = `"` + id + `-thumb"`
	}
	h.Set("Content-Type", contentType)
	h.Set("Cache-Control", cache)
	h.Set("ETag", tag)
	h.Set("Content-Security-Policy", "default-src 'none'")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// addPhoto adds a re-encoded upload to case id for actor, the reporter
// when trackingToken is the case's: the surfaces' one way to add a photo,
// as POST /api/v1/cases/{id}/photos does. Who may add one is asked before
// the file is decoded.
func (s *Server) addPhoto(ctx context.Context, id string, actor domain.Actor, trackingToken string, file []byte, opts domain.UpdateOptions) (domain.Outcome, error) {
	if err := s.cfg.CaseService.MayAddPhoto(ctx, id, actor, trackingToken); err != nil {
		return domain.Outcome{}, err
	}
	img, err := s.cfg.PhotoProcessor.Process(ctx, file)
	if err != nil {
		return domain.Outcome{}, err
	}
	save := func(ctx context.Context) error {
		return s.cfg.Photos.Put(ctx, id, img.ID, photo.ContentType, img.Full, img.Thumb, img.Width, img.Height)
	}
	return s.cfg.CaseService.AddPhoto(ctx, id, casefile.AddPhoto{Actor: actor, PhotoID: img.ID, Width: img.Width, Height: img.Height},
		trackingToken, save, opts)
}

// galleryPhoto is one photo as a page shows it: a thumbnail linking to the
// full image.
type galleryPhoto struct {
	ID, Href, Thumb, Alt string
	Width, Height        int // of the thumbnail, so the page does not jump as it loads
	Hidden               bool
}

// gallery returns c's photos for a page. base is where they are served:
// "/photos/" for the public, "/console/photos/" for staff, who see the
// hidden ones too (c is then the case as staff read it).
func (d *pageData) gallery(c *casefile.Case, base string) []galleryPhoto {
	var out []galleryPhoto
	for i, p := range c.Photos {
		w, h := p.Width, p.Height
		if long := max(w, h); long > photo.ThumbSide {
			w, h = max(1, (w*photo.ThumbSide+long/2)/long), max(1, (h*photo.ThumbSide+long/2)/long)
		}
		full, thumb := photo.URL(p.ID), photo.ThumbURL(p.ID)
		if base != "/photos/" {
			full, thumb = base+strings.TrimPrefix(full, "/photos/"), base+strings.TrimPrefix(thumb, "/photos/")
		}
		out = append(out, galleryPhoto{ID: p.ID, Href: full, Thumb: thumb, Alt: d.Tf("photos.alt", i+1),
			Width: w, Height: h, Hidden: p.Hidden})
	}
	return out
}

// readPhotoForm reads a form that carries photos, for the report form and
// the console's: it answers a body over the limits (413) or unreadable
// (400) itself and returns false. The form's fields go to r.PostForm, as
// ParseForm would put them, and r's context is given a budget of its own:
// the request's may have gone on the upload.
func (s *Server) readPhotoForm(w http.ResponseWriter, r *http.Request, d *pageData, maxPhotos int) (*http.Request, [][]byte, context.CancelFunc, bool) {
	up, err := photo.ReadUpload(w, r, maxPhotos)
	if err != nil {
		if errors.Is(err, photo.ErrTooLarge) {
			s.renderError(w, r, d, http.StatusRequestEntityTooLarge, "photo_large")
			return r, nil, nil, false
		}
		s.renderError(w, r, d, http.StatusBadRequest, "bad")
		return r, nil, nil, false
	}
	ctx, cancel := photo.AfterUpload(r.Context())
	r = r.WithContext(ctx)
	r.PostForm, r.Form = up.Values, up.Values
	return r, up.Photos, cancel, true
}

// isMultipart reports whether r posts a multipart form, which only the
// forms with a file field send.
func isMultipart(r *http.Request) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type"))), "multipart/form-data")
}

// photoFields are the report form's file fields, err shown on the first.
func (d *pageData) photoFields(err string) []formField {
	var out []formField
	for i := range casefile.MaxReporterPhotos {
		f := formField{Name: photo.Field, ID: "f-photo", Label: d.Tf("photos.field", i+1), Kind: "file"}
		if i > 0 {
			f.ID = fmt.Sprintf("f-photo-%d", i+1)
		} else {
			f.Error = err
		}
		d.describe(&f, "")
		out = append(out, f)
	}
	return out
}

// reportPhotos adds the report form's photos to the case it has just
// filed, as its reporter, with the tracking token the report gave. A
// photo that fails (a file damaged past its header, a store that does not
// answer) is logged and counted: the report stands, and its page says so.
func (s *Server) reportPhotos(ctx context.Context, res reportAnswer, files [][]byte) (added, failed int) {
	for _, f := range files {
		if _, err := s.addPhoto(ctx, res.ID, domain.Anonymous, res.TrackingToken, f, domain.UpdateOptions{IfMatch: domain.AnyVersion}); err != nil {
			s.log.WarnContext(ctx, "add a photo of the report form", "err", err, "case_id", res.ID,
				"correlation_id", domain.MetadataFrom(ctx).CorrelationID)
			failed++
			continue
		}
		added++
	}
	return added, failed
}
