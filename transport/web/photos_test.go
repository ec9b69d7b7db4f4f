package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/transport/photo"
)

// fakePhotos holds photos by id, each with its files and cases.
type fakePhotos map[string]struct {
	full, thumb string
	cases       []string
}

func (f fakePhotos) Put(context.Context, string, string, string, []byte, []byte, int, int) error {
	return nil
}

func (f fakePhotos) Get(_ context.Context, id string, thumb bool) ([]byte, string, []string, error) {
	p, ok := f[id]
	if !ok {
		return nil, "", nil, domain.NotFound(id)
	}
	if thumb {
		return []byte(p.thumb), photo.ContentType, p.cases, nil
	}
	return []byte(p.full), photo.ContentType, p.cases, nil
}

// fakeCases loads cases from a map.
type fakeCases map[string]*casefile.Case

func (f fakeCases) Load(_ context.Context, id string) (*casefile.Case, int64, error) {
	c, ok := f[id]
	if !ok {
		return nil, 0, domain.NotFound(id)
	}
	return c, c.Version, nil
}

func (f fakeCases) History(context.Context, string) (domain.History, error) {
	return domain.History{}, domain.ErrNotFound
}

func photoID(b byte) string { return strings.Repeat(string("0123456789abcdef"[b%16]), 64) }

// TestPublicPhoto serves photos as their cases decide: a shown photo of a
// public case, with long private caching; nothing of a photo moderation
// hid, of a hidden case's or of one no case recorded.
func TestPublicPhoto(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	shown, hiddenPhoto, ofHiddenCase, unrecorded, sharedHidden := photoID(1), photoID(2), photoID(3), photoID(4), photoID(5)
	open := &casefile.Case{ID: "case-a", Version: 4, Photos: []casefile.Photo{
		{ID: shown, Width: 10, Height: 10, AddedAt: at}, {ID: hiddenPhoto, Hidden: true, AddedAt: at},
	}}
	closed := &casefile.Case{ID: "case-b", Version: 3, Moderation: &casefile.Moderation{Hidden: true},
		Photos: []casefile.Photo{{ID: ofHiddenCase}, {ID: sharedHidden}}}
	s := newTestPages(t, false)
	s.cfg.Cases = fakeCases{"case-a": open, "case-b": closed,
		"case-c": {ID: "case-c", Version: 2, Photos: []casefile.Photo{{ID: sharedHidden}}}}
	s.cfg.Photos = fakePhotos{
		shown:        {"FULL", "THUMB", []string{"case-a"}},
		hiddenPhoto:  {"F2", "T2", []string{"case-a"}},
		ofHiddenCase: {"F3", "T3", []string{"case-b"}},
		unrecorded:   {"F4", "T4", []string{"case-z"}},
		// In a hidden case first, then shown in a public one.
		sharedHidden: {"F5", "T5", []string{"case-b", "case-c"}},
	}
	s.cfg.PhotoProcessor = photo.New(1)
	s.mux = http.NewServeMux()
	s.routes()
	s.routed = s.mux
	get := func(path string, headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, path, nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		return rec
	}

	full := get("/photos/" + shown + ".jpg")
	if full.Code != http.StatusOK || full.Body.String() != "FULL" || full.Header().Get("Content-Type") != "image/jpeg" ||
		full.Header().Get("Cache-Control") != publicPhotoCache || full.Header().Get("ETag") != `"`+shown+`"` {
		t.Fatalf("shown photo: %d %q %v", full.Code, full.Body, full.Header())
	}
	if thumb := get("/photos/" + shown + "/thumb.jpg"); thumb.Code != http.StatusOK || thumb.Body.String() != "THUMB" {
		t.Fatalf("thumbnail: %d %q", thumb.Code, thumb.Body)
	}
	if again := get("/photos/"+shown+".jpg", "If-None-Match", `"`+shown+`"`); again.Code != http.StatusNotModified {
		t.Fatalf("conditional request: %d, want 304", again.Code)
	}
	if shared := get("/photos/" + sharedHidden + ".jpg"); shared.Code != http.StatusOK || shared.Body.String() != "F5" {
		t.Fatalf("a photo a public case shows: %d, want 200 whatever another case does", shared.Code)
	}
	for name, path := range map[string]string{
		"HiddenPhoto":        "/photos/" + hiddenPhoto + ".jpg",
		"HiddenPhotosThumb":  "/photos/" + hiddenPhoto + "/thumb.jpg",
		"PhotoOfHiddenCase":  "/photos/" + ofHiddenCase + ".jpg",
		"NoCaseRecordedIt":   "/photos/" + unrecorded + ".jpg",
		"Unknown":            "/photos/" + photoID(9) + ".jpg",
		"NotAnID":            "/photos/" + shown[:63] + ".jpg",
		"OtherExtension":     "/photos/" + shown + ".png",
		"UnknownThumbnail":   "/photos/" + photoID(9) + "/thumb.jpg",
		"ThumbnailNotAnID":   "/photos/nope/thumb.jpg",
		"HiddenPhotoWithTag": "/photos/" + hiddenPhoto + ".jpg?v=1",
	} {
		if rec := get(path); rec.Code != http.StatusNotFound || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %q, want the site's 404", name, rec.Code, rec.Body)
		}
	}
}

// TestPhotoPagesRender renders the pages photos appear on, in every
// language.
func TestPhotoPagesRender(t *testing.T) {
	t.Parallel()
	s := newTestPages(t, false)
	now := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	item := caseItem{ID: "case-01J00000000000000000000000", Title: "t", Status: "reported", StatusName: "Reported", Reported: newStamp(now)}
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x?lang=en", nil)
	en := s.data(r, "")
	c := &casefile.Case{Photos: []casefile.Photo{{ID: photoID(1), Width: 1600, Height: 1200}, {ID: photoID(2), Width: 900, Height: 1600, Hidden: true}}}
	public, staff := en.gallery(c, "/photos/"), en.gallery(c, "/console/photos/")
	if g := public[1]; g.Href != "/photos/"+photoID(2)+".jpg" || g.Thumb != "/photos/"+photoID(2)+"/thumb.jpg" ||
		g.Width != 180 || g.Height != 320 || g.Alt != "Photo 2 of the case" {
		t.Fatalf("gallery = %+v", g)
	}
	if g := staff[0]; g.Href != "/console/photos/"+photoID(1)+".jpg" || g.Thumb != "/console/photos/"+photoID(1)+"/thumb.jpg" {
		t.Fatalf("staff gallery = %+v", g)
	}
	for _, tc := range []struct {
		page string
		body any
		want []string
	}{
		{"case", caseBody{caseItem: item, Photos: public[:1]}, []string{
			`<a href="/photos/` + photoID(1) + `.jpg"><img src="/photos/` + photoID(1) + `/thumb.jpg"`, `width="320" height="240"`, "data-photos"}},
		{"report", reportBody{Action: "/report", Key: "k", Photos: en.photoFields("wrong file"),
			Errors: []fieldError{{Name: "photo", Label: "Photo 1", Message: "wrong file"}}}, []string{
			`enctype="multipart/form-data"`, `id="f-photo" name="photo" type="file" accept="image/jpeg,image/png,image/webp"`,
			`id="f-photo-3"`, `aria-invalid="true"`, `href="#f-photo"`}},
		{"reported", reportedBody{ID: item.ID, Token: "tok", Photos: 2, PhotosFailed: 1}, []string{`data-photos-added="2"`, `data-photos-failed="1"`}},
		{"console-case", workbenchBody{caseItem: item, Photos: staff, Forms: []actionForm{{
			Name: "photo", Title: "Add", Action: "/console/cases/x/photo", Submit: "Add", Version: 3, Multipart: true,
			Fields: []formField{{Name: "photo", ID: "f-photo-photo", Label: "Photo", Kind: "file", Required: true}},
		}}}, []string{`data-photo-hidden="` + photoID(2) + `"`, `enctype="multipart/form-data"`, `type="file"`, `name="csrf_token" value="tok"`}},
	} {
		t.Run(tc.page, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{langAR, langFR, langEN} {
				r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/x?lang="+lang, nil)
				d := s.data(r, "")
				if strings.HasPrefix(tc.page, "console") {
					d.Staff = &staffNav{Name: "Amal", Role: "advocate", CSRF: "tok", Advocate: true}
				}
				d.Title, d.Body = "T", tc.body
				w := httptest.NewRecorder()
				s.render(w, r, http.StatusOK, tc.page, d)
				if w.Code != http.StatusOK {
					t.Fatalf("%s: status %d: %s", lang, w.Code, w.Body)
				}
				for _, want := range tc.want {
					if !strings.Contains(w.Body.String(), want) {
						t.Errorf("%s: page lacks %q", lang, want)
					}
				}
			}
		})
	}
}
