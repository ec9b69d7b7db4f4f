package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// gpsMark is text planted in a test photo's GPS data: no served byte may
// carry it.
const gpsMark = "GPS-36.8065N-10.1815E-Bab-Souika"

// testImage is a w×h picture whose colours depend on seed, so that each
// seed is another photo.
func testImage(w, h int, seed byte) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, color.RGBA{uint8(x*4) + seed, uint8(y * 4), seed * 40, 255})
		}
	}
	return img
}

func pngPhoto(t *testing.T, seed byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(48, 36, seed)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// cameraJPEG is a JPEG as a phone writes it: an APP1 EXIF block with a GPS
// position after the SOI marker.
func cameraJPEG(t *testing.T, seed byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(64, 48, seed), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	var tiff bytes.Buffer
	tiff.WriteString("MM")
	for _, v := range []any{uint16(42), uint32(8),
		uint16(1), uint16(0x8825), uint16(4), uint32(1), uint32(26), uint32(0), // IFD0: the GPS IFD at 26
		uint16(1), uint16(2), uint16(2), uint32(len(gpsMark) + 1), uint32(44), uint32(0), // GPS IFD: the text at 44
	} {
		_ = binary.Write(&tiff, binary.BigEndian, v)
	}
	tiff.WriteString(gpsMark + "\x00")
	seg := append([]byte("Exif\x00\x00"), tiff.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(out[4:], uint16(len(seg)+2))
	out = append(out, seg...)
	return append(out, buf.Bytes()[2:]...)
}

func gifPhoto(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Black}), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartForm encodes fields and, when file is not nil, one file in the
// field "photo".
func multipartForm(t *testing.T, fields url.Values, files ...[]byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, f := range files {
		fw, err := mw.CreateFormFile("photo", "IMG_000"+string(rune('1'+i))+".jpg")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

// upload posts a photo to a case as who, with the tracking token when
// given.
func (ts *testServer) upload(caseID, who, token string, file []byte, headers ...string) response {
	ts.t.Helper()
	fields := url.Values{}
	if token != "" {
		fields.Set("tracking_token", token)
	}
	body, ct := multipartForm(ts.t, fields, file)
	return ts.do("POST", "/api/v1/cases/"+caseID+"/photos", who, body, append([]string{"Content-Type", ct}, headers...)...)
}

func photosOf(t *testing.T, c map[string]any) []map[string]any {
	t.Helper()
	list, ok := c["photos"].([]any)
	if !ok {
		t.Fatalf("case has no photos list: %v", c)
	}
	var out []map[string]any
	for _, p := range list {
		out = append(out, p.(map[string]any))
	}
	return out
}

// TestPhotos follows photos through the API and the pages: who may add
// one, what is refused, that the served bytes carry no EXIF block, and
// that a photo moderation hides leaves every public surface while staff
// still see it.
func TestPhotos(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	reported := ts.report(nil)
	id, token := reported["id"].(string), reported["tracking_token"].(string)

	// The reporter, with the tracking token, within the hour.
	camera := cameraJPEG(t, 1)
	if !bytes.Contains(camera, []byte("Exif")) || !bytes.Contains(camera, []byte(gpsMark)) {
		t.Fatal("the test photo carries no EXIF GPS block")
	}
	r := ts.upload(id, "", token, camera)
	if r.status != http.StatusCreated {
		t.Fatalf("reporter's upload: %d %s", r.status, r.body)
	}
	added := r.json(t)
	mine, _ := added["photo_id"].(string)
	if len(mine) != 64 || added["url"] != "/photos/"+mine+".jpg" || added["thumb_url"] != "/photos/"+mine+"/thumb.jpg" ||
		r.header.Get("Location") != added["url"] || added["id"] != id {
		t.Fatalf("upload answer = %v (Location %q)", added, r.header.Get("Location"))
	}

	// What is served: a new JPEG, without the EXIF block or the position,
	// named by its own hash, cached for good but not by shared caches.
	full := ts.do("GET", added["url"].(string), "", nil)
	sum := sha256.Sum256(full.body)
	if full.status != http.StatusOK || full.header.Get("Content-Type") != "image/jpeg" || hex.EncodeToString(sum[:]) != mine ||
		!strings.Contains(full.header.Get("Cache-Control"), "immutable") || !strings.Contains(full.header.Get("Cache-Control"), "private") {
		t.Fatalf("GET photo: %d %v", full.status, full.header)
	}
	for name, b := range map[string][]byte{"full": full.body, "thumb": ts.do("GET", added["thumb_url"].(string), "", nil).body} {
		if _, err := jpeg.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("the served %s is not a JPEG: %v", name, err)
		}
		if bytes.Contains(b, []byte("Exif")) || bytes.Contains(b, []byte(gpsMark)) || bytes.Contains(b, []byte{0xFF, 0xE1}) {
			t.Fatalf("the served %s keeps the EXIF block", name)
		}
	}

	// Refused: a stranger, a wrong token, an officer; a GIF, a text file
	// and an empty form; a file over 10 MB; a JSON body.
	before := ts.head()
	expectProblem(t, ts.upload(id, "", "", pngPhoto(t, 2)), http.StatusForbidden, "forbidden")
	expectProblem(t, ts.upload(id, "", "not-the-token", pngPhoto(t, 2)), http.StatusForbidden, "forbidden")
	expectProblem(t, ts.upload(id, "officer", "", pngPhoto(t, 2)), http.StatusForbidden, "forbidden")
	expectProblem(t, ts.upload(id, "advocate", "", gifPhoto(t)), http.StatusUnprocessableEntity, "invalid_input")
	expectProblem(t, ts.upload(id, "advocate", "", []byte("#!/bin/sh\necho not a photo\n")), http.StatusUnprocessableEntity, "invalid_input")
	expectProblem(t, ts.upload(id, "advocate", "", nil), http.StatusUnprocessableEntity, "invalid_input")
	big := append(pngPhoto(t, 3), make([]byte, 10<<20)...)
	expectProblem(t, ts.upload(id, "advocate", "", big), http.StatusRequestEntityTooLarge, "payload_too_large")
	expectProblem(t, ts.do("POST", "/api/v1/cases/"+id+"/photos", "advocate", map[string]any{"photo": "x"}), http.StatusBadRequest, "invalid_input")
	unknownCase := "case-01JNQ40000000000000000000A"
	expectProblem(t, ts.upload(unknownCase, "advocate", "", pngPhoto(t, 2)), http.StatusNotFound, "not_found")
	// Another site's page cannot post one with a visitor's browser.
	expectProblem(t, ts.upload(id, "", token, pngPhoto(t, 2), "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"),
		http.StatusForbidden, "forbidden")
	if ts.head() != before {
		t.Fatal("a refused upload appended events")
	}

	// An advocate adds one; the same file again, under the same
	// Idempotency-Key, is the first answer; without it, nothing new.
	staffPhoto := pngPhoto(t, 4)
	first := ts.upload(id, "advocate", "", staffPhoto, "Idempotency-Key", "photo-1")
	if first.status != http.StatusCreated {
		t.Fatalf("advocate's upload: %d %s", first.status, first.body)
	}
	theirs := first.json(t)["photo_id"].(string)
	if again := ts.upload(id, "advocate", "", staffPhoto, "Idempotency-Key", "photo-1"); again.status != http.StatusCreated ||
		again.header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(again.body, first.body) {
		t.Fatalf("replayed upload: %d %s", again.status, again.body)
	}
	head := ts.head()
	if again := ts.upload(id, "admin", "", staffPhoto); again.status != http.StatusCreated || again.json(t)["photo_id"] != theirs || ts.head() != head {
		t.Fatalf("the same photo again: %d %s, head %d -> %d", again.status, again.body, head, ts.head())
	}

	// The reporter's own limit: three photos, then no more.
	for seed := byte(5); seed < 7; seed++ {
		if r := ts.upload(id, "", token, pngPhoto(t, seed)); r.status != http.StatusCreated {
			t.Fatalf("reporter's photo %d: %d %s", seed, r.status, r.body)
		}
	}
	expectProblem(t, ts.upload(id, "", token, pngPhoto(t, 7)), http.StatusUnprocessableEntity, "invalid_input")

	c := ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)
	photos := photosOf(t, c)
	if len(photos) != 4 || photos[0]["id"] != mine || photos[1]["id"] != theirs || photos[0]["width"] != float64(64) ||
		photos[0]["height"] != float64(48) || photos[0]["url"] != "/photos/"+mine+".jpg" || photos[0]["thumb_url"] != "/photos/"+mine+"/thumb.jpg" {
		t.Fatalf("public photos = %v", photos)
	}
	expectPage(t, ts.page("GET", "/cases/"+id+"?lang=en", nil), http.StatusOK, []string{
		`href="/photos/` + mine + `.jpg"`, `src="/photos/` + mine + `/thumb.jpg"`, `alt="Photo 1 of the case"`, "Photo added"})

	// An advocate hides the reporter's first photo.
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/photos/"+mine+"/moderate", "advocate",
		map[string]any{"hidden": true, "reason": "A child's face can be recognised"})
	expectProblem(t, ts.do("POST", "/api/v1/cases/"+id+"/photos/"+mine+"/moderate", "", map[string]any{"hidden": false, "reason": "x"}),
		http.StatusForbidden, "forbidden")
	expectProblem(t, ts.do("POST", "/api/v1/cases/"+id+"/photos/"+mine+"/moderate", "advocate", map[string]any{"reason": "x"}),
		http.StatusUnprocessableEntity, "invalid_input")

	// Gone for the public: the case, its history, its page and the
	// photo's addresses; the list once it caught up.
	for _, who := range []string{"", "officer"} {
		for _, p := range photosOf(t, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, who, nil)) {
			if p["id"] == mine {
				t.Fatalf("%q still sees the hidden photo: %v", who, p)
			}
		}
	}
	for _, path := range []string{"/api/v1/cases/" + id + "/history", "/cases/" + id + "?lang=en"} {
		if b := ts.do("GET", path, "", nil).body; strings.Contains(string(b), mine) || !strings.Contains(string(b), theirs) {
			t.Fatalf("GET %s: the hidden photo is there, or the shown one is not", path)
		}
	}
	for _, path := range []string{"/photos/" + mine + ".jpg", "/photos/" + mine + "/thumb.jpg"} {
		if r := ts.do("GET", path, "", nil); r.status != http.StatusNotFound || bytes.Equal(r.body, full.body) {
			t.Fatalf("GET %s after hiding: %d, want 404", path, r.status)
		}
	}
	if r := ts.do("GET", "/photos/"+theirs+".jpg", "", nil); r.status != http.StatusOK {
		t.Fatalf("the photo still shown: %d", r.status)
	}
	ts.expectRead("the list to drop the hidden photo", func() bool {
		b := string(ts.do("GET", "/api/v1/cases", "", nil).body)
		return strings.Contains(b, theirs) && !strings.Contains(b, mine)
	})

	// Staff still see it, marked, in the API and the workbench, which
	// serves it behind the session.
	var hidden map[string]any
	for _, p := range photosOf(t, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "advocate", nil)) {
		if p["id"] == mine {
			hidden = p
		}
	}
	if hidden == nil || hidden["hidden"] != true {
		t.Fatalf("advocate's view of the hidden photo = %v", hidden)
	}
	cc := newConsoleClient(ts)
	cc.signIn("advocate")
	wb := cc.get("/console/cases/" + id + "?lang=en")
	if wb.status != http.StatusOK || !strings.Contains(wb.body, `data-photo-hidden="`+mine+`"`) ||
		!strings.Contains(wb.body, `src="/console/photos/`+mine+`/thumb.jpg"`) {
		t.Fatalf("workbench: %d, want the hidden photo marked:\n%s", wb.status, abridgedPage(wb.body))
	}
	if p := cc.get("/console/photos/" + mine + ".jpg"); p.status != http.StatusOK || p.body != string(full.body) {
		t.Fatalf("the console's hidden photo: %d", p.status)
	}
	if r := ts.do("GET", "/console/photos/"+mine+".jpg", "", nil); bytes.Equal(r.body, full.body) {
		t.Fatal("the console's photo address serves without a session")
	}
}

// postMultipart submits a form with a file as a browser on the same site
// does, with the CSRF value of the last page read.
func (c *consoleClient) postMultipart(path string, form url.Values, files ...[]byte) page {
	c.t.Helper()
	if !form.Has("csrf_token") {
		form.Set("csrf_token", c.csrf)
	}
	body, ct := multipartForm(c.t, form, files...)
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodPost, c.ts.url+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Origin", c.ts.url)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.send(req)
}

// photoFormVersion is the version the workbench's form of action carries.
func photoFormVersion(t *testing.T, body, action string) string {
	t.Helper()
	i := strings.Index(body, `data-action="`+action+`"`)
	if i < 0 {
		t.Fatalf("the workbench has no %s form:\n%s", action, abridgedPage(body))
	}
	m := formVersion.FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("the %s form carries no version", action)
	}
	return m[1]
}

// TestConsolePhotos adds a photo from the workbench and hides it, as an
// advocate without JavaScript does, and checks the refusals.
func TestConsolePhotos(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	id := ts.report(nil)["id"].(string)
	cc := newConsoleClient(ts)
	cc.signIn("advocate")
	wb := cc.get("/console/cases/" + id + "?lang=en")
	if wb.status != http.StatusOK || !strings.Contains(wb.body, `enctype="multipart/form-data"`) {
		t.Fatalf("workbench: %d, want the photo form:\n%s", wb.status, abridgedPage(wb.body))
	}
	version := photoFormVersion(t, wb.body, "photo")

	// A file that is no photo: the workbench again, 422, nothing added.
	before := ts.head()
	bad := cc.postMultipart("/console/cases/"+id+"/photo?lang=en", url.Values{"version": {version}}, gifPhoto(t))
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(bad.body, "data-form-error") || ts.head() != before {
		t.Fatalf("a GIF: %d, want the form again with the reason:\n%s", bad.status, abridgedPage(bad.body))
	}
	// Without the CSRF field: refused.
	if p := cc.postMultipart("/console/cases/"+id+"/photo", url.Values{"version": {version}, "csrf_token": {"forged"}}, pngPhoto(t, 1)); p.status != http.StatusForbidden {
		t.Fatalf("a forged form: %d, want 403", p.status)
	}

	done := cc.postMultipart("/console/cases/"+id+"/photo?lang=en", url.Values{"version": {version}}, pngPhoto(t, 1))
	if done.status != http.StatusSeeOther || !strings.Contains(done.location, "done=photo") {
		t.Fatalf("add a photo: %d to %q:\n%s", done.status, done.location, abridgedPage(done.body))
	}
	photos := photosOf(t, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil))
	if len(photos) != 1 {
		t.Fatalf("photos after the console's upload = %v", photos)
	}
	photoID := photos[0]["id"].(string)

	wb = cc.get("/console/cases/" + id + "?lang=en")
	version = photoFormVersion(t, wb.body, "moderate_photo")
	if !strings.Contains(wb.body, `<option value="`+photoID+`"`) {
		t.Fatalf("no photo to choose in the moderation form:\n%s", abridgedPage(wb.body))
	}
	hide := cc.post("/console/cases/"+id+"/moderate_photo?lang=en", url.Values{"version": {version}, "photo_id": {photoID},
		"hidden": {"false", "true"}, "reason": {"Shows a neighbour's window"}})
	if hide.status != http.StatusSeeOther {
		t.Fatalf("hide the photo: %d:\n%s", hide.status, abridgedPage(hide.body))
	}
	if photos := photosOf(t, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil)); len(photos) != 0 {
		t.Fatalf("public photos after hiding = %v", photos)
	}
	if wb := cc.get("/console/cases/" + id + "?lang=en"); !strings.Contains(wb.body, `data-photo-hidden="`+photoID+`"`) {
		t.Fatalf("the workbench does not mark the hidden photo:\n%s", abridgedPage(wb.body))
	}

	// An officer sees no form to add a photo, and a post anyway is refused.
	oc := newConsoleClient(ts)
	oc.signIn("officer")
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/triage", "advocate", map[string]any{"priority": "normal"})
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/forward", "advocate", map[string]any{"department": "roads_works"})
	owb := oc.get("/console/cases/" + id + "?lang=en")
	if owb.status != http.StatusOK || strings.Contains(owb.body, `data-action="photo"`) || strings.Contains(owb.body, photoID) {
		t.Fatalf("officer's workbench: %d, want no photo form and no hidden photo", owb.status)
	}
	v := photoFormVersion(t, owb.body, "comment")
	if p := oc.postMultipart("/console/cases/"+id+"/photo?lang=en", url.Values{"version": {v}}, pngPhoto(t, 2)); p.status != http.StatusForbidden {
		t.Fatalf("officer's upload: %d, want 403", p.status)
	}
}

// TestReportFormWithPhotos sends the report form with photos as a
// browser without JavaScript does: a multipart post. The photos reach the
// case page; a file that is no photo sends the form back with nothing
// recorded.
func TestReportFormWithPhotos(t *testing.T) {
	t.Parallel()
	ts := startServer(t)
	requirePages(t, ts)
	form := expectPage(t, ts.page("GET", "/report?lang=en", nil), http.StatusOK, []string{
		`enctype="multipart/form-data"`, `name="photo" type="file"`, `id="f-photo-3"`})
	key := submatch(t, formKeyPattern, form)
	fields := url.Values{"form_key": {key}, "title": {"Broken bench in the park"}, "description": {"The slats are gone."},
		"category": {"roads"}, "district": {"Bab Souika"}}
	post := func(files ...[]byte) response {
		body, ct := multipartForm(t, fields, files...)
		return ts.do("POST", "/report?lang=en", "", body, "Content-Type", ct, "Origin", ts.url)
	}

	before := ts.head()
	expectPage(t, post(cameraJPEG(t, 1), gifPhoto(t)), http.StatusUnprocessableEntity, []string{
		`href="#f-photo"`, "JPEG, PNG or WebP", `value="Broken bench in the park"`})
	if ts.head() != before {
		t.Fatal("a form with a wrong file recorded something")
	}

	postOK := func(files ...[]byte) response {
		body, ct := multipartForm(t, fields, files...)
		return ts.postReport("/report?lang=en", bytes.NewReader(body), ct, "Origin", ts.url)
	}
	done := postOK(cameraJPEG(t, 1), pngPhoto(t, 2))
	body := expectPage(t, done, http.StatusOK, []string{"your case is recorded", `data-photos-added="2"`})
	id := submatch(t, caseIDPattern, body)
	page := expectPage(t, ts.page("GET", "/cases/"+id+"?lang=en", nil), http.StatusOK, []string{`alt="Photo 2 of the case"`, "data-photos"})
	thumb := regexp.MustCompile(`src="(/photos/[0-9a-f]{64}/thumb\.jpg)"`).FindStringSubmatch(page)
	if thumb == nil {
		t.Fatalf("no thumbnail on the case page:\n%s", abridgedPage(page))
	}
	if r := ts.do("GET", thumb[1], "", nil); r.status != http.StatusOK || bytes.Contains(r.body, []byte(gpsMark)) {
		t.Fatalf("GET %s: %d", thumb[1], r.status)
	}
	photos := photosOf(t, ts.must(http.StatusOK, "GET", "/api/v1/cases/"+id, "", nil))
	if len(photos) != 2 {
		t.Fatalf("photos = %v", photos)
	}
	// The history says who added them: the reporter.
	if h := string(ts.do("GET", "/api/v1/cases/"+id+"/history", "", nil).body); strings.Count(h, `"PhotoAdded"`) != 2 || !strings.Contains(h, `"by_reporter":true`) {
		t.Fatalf("history = %s", h)
	}
	// The form still works without photos, as a multipart post.
	fields.Set("form_key", submatch(t, formKeyPattern, string(ts.page("GET", "/report", nil).body)))
	fields.Set("title", "Another bench")
	expectPage(t, postOK(), http.StatusOK, []string{"your case is recorded"}, "data-photos-added")
}

// TestPhotosLimitAndMemory uploads on the in-memory store, under the
// anonymous write limit that the uploads share with every other write.
func TestPhotosLimitAndMemory(t *testing.T) {
	t.Parallel()
	ts := startMemoryServerWith(t, func(c *config) { c.PublicWriteLimit = 2 })
	reported := ts.report(nil) // the first write
	id, token := reported["id"].(string), reported["tracking_token"].(string)
	r := ts.upload(id, "", token, pngPhoto(t, 1)) // the second
	if r.status != http.StatusCreated {
		t.Fatalf("upload on the memory store: %d %s", r.status, r.body)
	}
	if got := ts.do("GET", r.json(t)["url"].(string), "", nil); got.status != http.StatusOK || got.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("GET photo: %d", got.status)
	}
	expectProblem(t, ts.upload(id, "", token, pngPhoto(t, 2)), http.StatusTooManyRequests, "rate_limited")
}

// TestPhotosInABrowser opens the pages photos appear on in Chromium, at a
// phone's width and a desktop's, in Arabic and French: the report form with
// its file fields, a case page with its gallery, and the workbench with a
// hidden photo marked. axe-core must find no serious or critical
// violation, and every thumbnail must load.
func TestPhotosInABrowser(t *testing.T) {
	t.Parallel()
	browser, axe := startBrowser(t)
	shots, err := os.MkdirTemp("", "bayt-photos-")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", shots)

	ts := startServer(t)
	reported := ts.report(nil)
	id, token := reported["id"].(string), reported["tracking_token"].(string)
	var ids []string
	for _, f := range [][]byte{cameraJPEG(t, 1), pngPhoto(t, 2)} {
		r := ts.upload(id, "", token, f)
		if r.status != http.StatusCreated {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		ids = append(ids, r.json(t)["photo_id"].(string))
	}
	ts.must(http.StatusOK, "POST", "/api/v1/cases/"+id+"/photos/"+ids[1]+"/moderate", "advocate",
		map[string]any{"hidden": true, "reason": "A face"})

	// The workbench needs a session: sign in once in the browser, whose
	// tabs share its cookies.
	signIn := newTab(t, browser)
	step(t, signIn, "sign in", chromedp.Steps(
		chromedp.Navigate(ts.url+"/console"),
		chromedp.SendKeys(`input[name="token"]`, ts.tokens["advocate"]),
		chromedp.Submit(`input[name="token"]`),
		chromedp.WaitVisible(chromedp.CSS("main")),
	))

	for _, vp := range []struct {
		name          string
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{"phone", 390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait}},
		{"desktop", 1280, 900, nil},
	} {
		for _, pg := range []struct{ name, path, waitFor string }{
			{"report-ar", "/report", `input[type="file"]`},
			{"case-fr", "/cases/" + id + "?lang=fr", "[data-photos] img"},
			{"case-ar", "/cases/" + id, "[data-photos] img"},
			{"workbench-ar", "/console/cases/" + id, "[data-photo-hidden]"},
		} {
			t.Run(vp.name+"/"+pg.name, func(t *testing.T) {
				tab := newTab(t, browser)
				step(t, tab, "open "+pg.path, chromedp.Steps(
					chromedp.EmulateViewport(vp.width, vp.height, vp.opts...),
					chromedp.Navigate(ts.url+pg.path),
					chromedp.WaitVisible(chromedp.CSS(pg.waitFor)),
					chromedp.Poll[chromedp.Void](`[...document.images].every(i => i.complete)`, chromedp.WithPollingTimeout(browserWait)),
					chromedp.ScrollIntoView(pg.waitFor),
				))
				broken := inTab(t, tab, "read the images", chromedp.Evaluate[[]string](
					`[...document.querySelectorAll("[data-photos] img")].filter(i => i.naturalWidth === 0).map(i => i.src)`))
				if len(broken) > 0 {
					t.Errorf("images that did not load: %v", broken)
				}
				screenshot(t, tab, filepath.Join(shots, vp.name+"-"+pg.name+".png"))
				checkAccessibility(t, tab, axe)
			})
		}
	}
}
