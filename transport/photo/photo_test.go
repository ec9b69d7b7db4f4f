package photo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/citizenhouse/bayt/domain"
)

// gpsMark is text planted in a test file's GPS data: it must not survive.
const gpsMark = "GPS-36.8065N-10.1815E"

// picture returns a w×h image whose top-left quarter is red and the rest
// blue, so that how it was turned can be read off the result.
func picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{0, 0, 255, 255}
			if x < w/2 && y < h/2 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func jpegOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(tb testing.TB, img image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// withExif returns jpg with an APP1 EXIF block after its SOI marker, as a
// camera writes it: an orientation, and a GPS IFD holding gpsMark.
func withExif(jpg []byte, order binary.ByteOrder, orientation uint16) []byte {
	var t bytes.Buffer
	if order == binary.LittleEndian {
		t.WriteString("II")
	} else {
		t.WriteString("MM")
	}
	w := func(v any) { _ = binary.Write(&t, order, v) }
	w(uint16(42))
	w(uint32(8)) // IFD0 right after the header
	// IFD0: orientation and the GPS IFD's offset.
	w(uint16(2))
	w(uint16(0x0112))
	w(uint16(3))
	w(uint32(1))
	w(orientation)
	w(uint16(0))
	gpsIFD := uint32(8 + 2 + 2*12 + 4)
	w(uint16(0x8825))
	w(uint16(4))
	w(uint32(1))
	w(gpsIFD)
	w(uint32(0)) // no next IFD
	// The GPS IFD: one ASCII entry pointing at the mark.
	w(uint16(1))
	w(uint16(0x0002))
	w(uint16(2))
	w(uint32(len(gpsMark) + 1))
	w(gpsIFD + 2 + 12 + 4)
	w(uint32(0))
	t.WriteString(gpsMark + "\x00")

	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(out, app1...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// webp1x1 is a lossy 1×1 WebP file.
const webp1x1 = "UklGRiIAAABXRUJQVlA4IBYAAAAwAQCdASoBAAEADsD+JaQAA3AAAAAA"

func process(t *testing.T, data []byte) (*Image, error) {
	t.Helper()
	return New(2).Process(context.Background(), data)
}

func decoded(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the result is not a JPEG: %v", err)
	}
	return img
}

// reddish reports whether c is mostly red.
func reddish(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return r > 0xb000 && g < 0x5000 && b < 0x5000
}

func TestProcess(t *testing.T) {
	t.Parallel()

	t.Run("OKJPEGLosesItsEXIFAndGPS", func(t *testing.T) {
		t.Parallel()
		in := withExif(jpegOf(t, picture(64, 48)), binary.BigEndian, 1)
		if !bytes.Contains(in, []byte("Exif")) || !bytes.Contains(in, []byte(gpsMark)) {
			t.Fatal("the test file has no EXIF block with GPS data")
		}
		img, err := process(t, in)
		if err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string][]byte{"full": img.Full, "thumb": img.Thumb} {
			if bytes.Contains(out, []byte("Exif")) || bytes.Contains(out, []byte(gpsMark)) || bytes.Contains(out, []byte{0xFF, 0xE1}) {
				t.Errorf("%s keeps an APP1 or EXIF block", name)
			}
		}
		sum := sha256.Sum256(img.Full)
		if img.ID != hex.EncodeToString(sum[:]) || img.Width != 64 || img.Height != 48 {
			t.Errorf("image = %s %dx%d, want the full file's hash and its size", img.ID, img.Width, img.Height)
		}
		if b := decoded(t, img.Full).Bounds(); b.Dx() != 64 || b.Dy() != 48 {
			t.Errorf("full is %v, want a small image kept at its size", b)
		}
		again, err := process(t, in)
		if err != nil || again.ID != img.ID {
			t.Errorf("the same file gave %v, %v; want the same photo", again, err)
		}
	})

	t.Run("OKEXIFOrientationApplied", func(t *testing.T) {
		t.Parallel()
		for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			// Orientation 6: the camera was turned a quarter; shown, the
			// picture turns a quarter clockwise, and the red top-left
			// corner goes to the top right.
			img, err := process(t, withExif(jpegOf(t, picture(80, 40)), order, 6))
			if err != nil {
				t.Fatal(err)
			}
			full := decoded(t, img.Full)
			if b := full.Bounds(); b.Dx() != 40 || b.Dy() != 80 || img.Width != 40 || img.Height != 80 {
				t.Fatalf("%v: full is %v, want 40x80", order, b)
			}
			if !reddish(full.At(30, 10)) || reddish(full.At(10, 10)) || reddish(full.At(30, 70)) {
				t.Errorf("%v: the red corner is not at the top right", order)
			}
		}
	})

	t.Run("OKLargePNGScaledWithThumbnail", func(t *testing.T) {
		t.Parallel()
		// Wide and short: scaled like a large photo, at a fraction of the
		// work under the race detector.
		img, err := process(t, pngOf(t, picture(1700, 200)))
		if err != nil {
			t.Fatal(err)
		}
		if b := decoded(t, img.Full).Bounds(); b.Dx() != LongSide || b.Dy() != 188 || img.Width != LongSide || img.Height != 188 {
			t.Errorf("full is %v (%dx%d), want %dx188", b, img.Width, img.Height, LongSide)
		}
		thumb := decoded(t, img.Thumb)
		if b := thumb.Bounds(); b.Dx() != ThumbSide || b.Dy() != 38 {
			t.Errorf("thumb is %v, want %dx38", b, ThumbSide)
		}
		if !reddish(thumb.At(40, 8)) || reddish(thumb.At(280, 30)) {
			t.Error("the thumbnail does not show the picture")
		}
	})

	t.Run("OKTransparentPNGOnWhite", func(t *testing.T) {
		t.Parallel()
		img, err := process(t, pngOf(t, image.NewNRGBA(image.Rect(0, 0, 16, 16))))
		if err != nil {
			t.Fatal(err)
		}
		if r, g, b, _ := decoded(t, img.Full).At(8, 8).RGBA(); r < 0xf000 || g < 0xf000 || b < 0xf000 {
			t.Errorf("a transparent pixel became %x %x %x, want white", r, g, b)
		}
	})

	t.Run("OKWebP", func(t *testing.T) {
		t.Parallel()
		data, err := base64.StdEncoding.DecodeString(webp1x1)
		if err != nil {
			t.Fatal(err)
		}
		img, err := process(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if img.Width != 1 || img.Height != 1 || decoded(t, img.Thumb).Bounds().Dx() != 1 {
			t.Errorf("image = %dx%d, want 1x1", img.Width, img.Height)
		}
	})

	t.Run("ErrGIF", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := gif.Encode(&buf, image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.Black}), nil); err != nil {
			t.Fatal(err)
		}
		if _, err := process(t, buf.Bytes()); !isInvalidPhoto(err) {
			t.Errorf("GIF: %v, want invalid input", err)
		}
	})

	t.Run("ErrNotAnImage", func(t *testing.T) {
		t.Parallel()
		for _, data := range [][]byte{[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), []byte("%PDF-1.7"), {}} {
			if _, err := process(t, data); !isInvalidPhoto(err) {
				t.Errorf("%q: %v, want invalid input", data, err)
			}
		}
	})

	t.Run("ErrDamagedJPEG", func(t *testing.T) {
		t.Parallel()
		jpg := jpegOf(t, picture(64, 64))
		if _, err := process(t, jpg[:len(jpg)/3]); !isInvalidPhoto(err) {
			t.Errorf("truncated JPEG: %v, want invalid input", err)
		}
	})

	t.Run("ErrTooLarge", func(t *testing.T) {
		t.Parallel()
		data := append(jpegOf(t, picture(8, 8)), make([]byte, MaxBytes)...)
		if _, err := process(t, data); !errors.Is(err, ErrTooLarge) {
			t.Errorf("%d bytes: %v, want ErrTooLarge", len(data), err)
		}
	})

	// A small file may claim a huge image. It is refused on its header
	// alone: the processor here has no free slot and its context is
	// over, so a file that went on to be decoded would fail otherwise.
	t.Run("ErrHugeDimensionsRefusedBeforeDecoding", func(t *testing.T) {
		t.Parallel()
		busy := New(1)
		busy.slots <- struct{}{}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		for name, data := range map[string][]byte{
			"PNG":  pngHeader(100_000, 100_000),
			"JPEG": jpegHeader(65_000, 65_000),
		} {
			if len(data) > 1024 {
				t.Fatalf("%s: the test file is %d bytes, want a small one", name, len(data))
			}
			if _, err := busy.Process(ctx, data); !isInvalidPhoto(err) {
				t.Errorf("%s claiming a huge image: %v, want invalid input", name, err)
			}
		}
		if _, err := busy.Process(ctx, pngOf(t, picture(4, 4))); !errors.Is(err, context.Canceled) {
			t.Errorf("a small PNG: %v, want it to wait for a slot", err)
		}
	})
}

func isInvalidPhoto(err error) bool {
	var inv *domain.InvalidError
	return errors.As(err, &inv) && inv.Field == "photo"
}

// pngHeader is the signature and IHDR chunk of a w×h PNG, and nothing more.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits, RGBA
	_ = binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// jpegHeader is a baseline JPEG's SOI and SOF0 segment for a w×h image.
func jpegHeader(w, h uint16) []byte {
	sof := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, 0, 0, 0, 0, 3,
		1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	binary.BigEndian.PutUint16(sof[7:], h)
	binary.BigEndian.PutUint16(sof[9:], w)
	return sof
}

func TestExifOrientation(t *testing.T) {
	t.Parallel()
	jpg := jpegOf(t, picture(8, 8))
	for _, tc := range []struct {
		name string
		data []byte
		want int
	}{
		{"NoEXIF", jpg, 1},
		{"LittleEndian8", withExif(jpg, binary.LittleEndian, 8), 8},
		{"BigEndian3", withExif(jpg, binary.BigEndian, 3), 3},
		{"OutOfRange", withExif(jpg, binary.BigEndian, 9), 1},
		{"Truncated", withExif(jpg, binary.BigEndian, 6)[:30], 1},
		{"NotAJPEG", []byte("hello"), 1},
	} {
		if got := exifOrientation(tc.data); got != tc.want {
			t.Errorf("%s: orientation %d, want %d", tc.name, got, tc.want)
		}
	}
}

// multipartBody builds a multipart body: fields, then one file part per
// file, all posted as Field.
func multipartBody(tb testing.TB, fields map[string]string, files ...[]byte) (*bytes.Buffer, string) {
	tb.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			tb.Fatal(err)
		}
	}
	for i, f := range files {
		fw, err := mw.CreateFormFile(Field, "photo"+string(rune('a'+i))+".jpg")
		if err != nil {
			tb.Fatal(err)
		}
		if _, err := fw.Write(f); err != nil {
			tb.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		tb.Fatal(err)
	}
	return &buf, mw.FormDataContentType()
}

func TestReadUpload(t *testing.T) {
	t.Parallel()
	read := func(body *bytes.Buffer, contentType string, maxPhotos int) (*Upload, error) {
		r := httptest.NewRequestWithContext(t.Context(), http.MethodPost, "/report", body)
		r.Header.Set("Content-Type", contentType)
		return ReadUpload(httptest.NewRecorder(), r, maxPhotos)
	}

	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		body, ct := multipartBody(t, map[string]string{"title": "حفرة", "tracking_token": "tok"}, []byte("one"), nil, []byte("two"))
		up, err := read(body, ct, 3)
		if err != nil {
			t.Fatal(err)
		}
		if up.Values.Get("title") != "حفرة" || up.Values.Get("tracking_token") != "tok" || len(up.Photos) != 2 ||
			string(up.Photos[0]) != "one" || string(up.Photos[1]) != "two" {
			t.Errorf("upload = %v, %q; want the fields and the two files, the empty one left out", up.Values, up.Photos)
		}
	})

	t.Run("ErrTooManyPhotos", func(t *testing.T) {
		t.Parallel()
		body, ct := multipartBody(t, nil, []byte("1"), []byte("2"))
		if _, err := read(body, ct, 1); !isInvalidPhoto(err) {
			t.Errorf("two photos where one is taken: %v, want invalid input", err)
		}
	})

	t.Run("ErrFileTooLarge", func(t *testing.T) {
		t.Parallel()
		body, ct := multipartBody(t, nil, make([]byte, MaxBytes+1))
		if _, err := read(body, ct, 1); !errors.Is(err, ErrTooLarge) {
			t.Errorf("a file of %d bytes: %v, want ErrTooLarge", MaxBytes+1, err)
		}
	})

	t.Run("ErrNotMultipart", func(t *testing.T) {
		t.Parallel()
		if _, err := read(bytes.NewBufferString(`{"photo":"x"}`), "application/json", 1); !errors.Is(err, ErrNotMultipart) {
			t.Errorf("JSON: %v, want ErrNotMultipart", err)
		}
	})

	t.Run("ErrMalformed", func(t *testing.T) {
		t.Parallel()
		body, ct := multipartBody(t, map[string]string{"a": "b"})
		cut := bytes.NewBuffer(body.Bytes()[:body.Len()-12]) // no closing boundary
		var mal *MalformedError
		if _, err := read(cut, ct, 1); !errors.As(err, &mal) {
			t.Errorf("a cut body: %v, want MalformedError", err)
		}
	})
}
