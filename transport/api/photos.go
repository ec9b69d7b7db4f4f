package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport/photo"
)

// PhotoStore keeps the files of photos. Put stores photo id as added to
// case caseID and is idempotent: the id is the full file's hash. It is
// safe for concurrent use.
type PhotoStore interface {
	Put(ctx context.Context, caseID, id, contentType string, full, thumb []byte, width, height int) error
}

func (s *Server) photoRoutes() {
	if s.cfg.Photos == nil {
		return
	}
	cs := s.cfg.CaseService
	s.mux.HandleFunc("POST /api/v1/cases/{id}/photos", s.addPhoto)
	s.mux.HandleFunc("POST /api/v1/cases/{id}/photos/{photo_id}/moderate", caseCommand(s, func(cx cmdContext, b struct {
		Hidden *bool  `json:"hidden"`
		Reason string `json:"reason"`
	}) (domain.Outcome, error) {
		if b.Hidden == nil {
			return domain.Outcome{}, domain.Invalid("hidden", "required: true hides the photo, false shows it")
		}
		return cs.ModeratePhoto(cx.ctx, cx.id, casefile.ModeratePhoto{Actor: cx.actor, PhotoID: cx.path("photo_id"),
			Hidden: *b.Hidden, Reason: b.Reason}, cx.opts)
	}))
}

// photoResponse answers an upload: the command response of the case, and
// where the photo is served.
type photoResponse struct {
	commandResponse
	PhotoID  string `json:"photo_id"`
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
}

func newPhotoResponse(o domain.Outcome) photoResponse {
	return photoResponse{commandResponse: newCommandResponse(o, createsNothing), PhotoID: o.Created,
		URL: photo.URL(o.Created), ThumbURL: photo.ThumbURL(o.Created)}
}

// addPhoto is POST /api/v1/cases/{id}/photos: a multipart form with the
// file in "photo" and, for the reporter, "tracking_token". Who may add a
// photo is asked of the case before the image is decoded, so a refused
// upload costs no decoding; the photo is stored by the case service once
// the case accepts it, and re-encoded, so nothing but its pixels is kept.
func (s *Server) addPhoto(w http.ResponseWriter, r *http.Request) {
	r, actor, err := s.withActor(r)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	id := r.PathValue("id")
	if !casefile.ValidID(id) {
		s.writeProblem(w, r, domain.ErrNotFound)
		return
	}
	up, err := photo.ReadUpload(w, r, 1)
	if err != nil {
		s.writeProblem(w, r, uploadError(err))
		return
	}
	ctx, cancel := photo.AfterUpload(r.Context())
	defer cancel()
	r = r.WithContext(ctx)
	for name := range up.Values {
		if name != "tracking_token" {
			s.writeProblem(w, r, malformed(name, "unknown field"))
			return
		}
	}
	if len(up.Photos) == 0 {
		s.writeProblem(w, r, domain.Invalid(photo.Field, "required: a JPEG, PNG or WebP file"))
		return
	}
	token, file := up.Values.Get("tracking_token"), up.Photos[0]
	// A repeat is the same token and the same file, however the client
	// framed the multipart body.
	sum := sha256.Sum256(file)
	opts, ok := s.commandOptions(w, r, actor, append([]byte(token+"\x00"), sum[:]...))
	if !ok {
		return
	}
	if opts.Idempotency != nil {
		opts.Idempotency.ResponseFunc = func(o domain.Outcome) (domain.Response, error) {
			return jsonResponse(http.StatusCreated, newPhotoResponse(o))
		}
	}
	if err := s.cfg.CaseService.MayAddPhoto(ctx, id, actor, token); err != nil {
		s.writeProblem(w, r, err)
		return
	}
	img, err := s.cfg.PhotoProcessor.Process(ctx, file)
	if err != nil {
		s.writeProblem(w, r, uploadError(err))
		return
	}
	save := func(ctx context.Context) error {
		return s.cfg.Photos.Put(ctx, id, img.ID, photo.ContentType, img.Full, img.Thumb, img.Width, img.Height)
	}
	out, err := s.cfg.CaseService.AddPhoto(ctx, id, casefile.AddPhoto{Actor: actor, PhotoID: img.ID, Width: img.Width, Height: img.Height},
		token, save, opts)
	if err != nil {
		s.writeProblem(w, r, err)
		return
	}
	if out.Replayed != nil {
		writeStored(w, *out.Replayed)
		return
	}
	w.Header().Set("ETag", etag(out.Version))
	w.Header().Set("Location", photo.URL(img.ID))
	writeJSON(w, http.StatusCreated, newPhotoResponse(out))
}

// uploadError gives the errors of reading and processing an upload their
// problem: 413 for a file over the limit, 400 for a body that is not the
// multipart form the endpoint takes.
func uploadError(err error) error {
	var mal *photo.MalformedError
	switch {
	case errors.Is(err, photo.ErrTooLarge):
		return &tooLargeError{limit: photo.MaxBytes}
	case errors.Is(err, photo.ErrNotMultipart):
		return malformed("", "Content-Type must be multipart/form-data, with the file in the field photo")
	case errors.As(err, &mal):
		return malformed("", "unreadable multipart body")
	}
	return err
}

// photoView is a photo of a case as the API shows it. Hidden is for staff,
// who alone see a photo moderation hid.
type photoView struct {
	ID       string `json:"id"`
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Hidden   bool   `json:"hidden,omitempty"`
}

func newPhotoViews(photos []casefile.Photo) []photoView {
	out := make([]photoView, 0, len(photos))
	for _, p := range photos {
		out = append(out, photoView{ID: p.ID, URL: photo.URL(p.ID), ThumbURL: photo.ThumbURL(p.ID),
			Width: p.Width, Height: p.Height, Hidden: p.Hidden})
	}
	return out
}
