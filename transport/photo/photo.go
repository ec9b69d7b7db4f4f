// Package photo turns an uploaded picture into the photos Bayt publishes:
// what the JSON API and the pages share about photos, as package transport
// holds what they share about requests.
//
// An upload is trusted with nothing. Its type is sniffed from its bytes
// (JPEG, PNG or WebP; the name and the declared type are ignored), its
// dimensions are read from its header before any pixel is decoded (a small
// file that claims a huge image is refused without allocating it), and
// decoding runs a few at a time, since a large photo costs a hundred
// megabytes while it is decoded. The image is then redrawn, the EXIF
// orientation applied, on a white background (a transparent PNG would
// otherwise turn black), scaled down to at most LongSide pixels, with a
// ThumbSide thumbnail, and both are encoded anew as JPEG. Re-encoding is
// what removes the metadata: nothing of the file but its pixels reaches
// the new one, so no EXIF block, GPS position, camera serial number or
// embedded preview survives. The photo's id is the SHA-256 of the new
// full-size file, so one picture uploaded twice is one photo.
package photo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"

	"github.com/citizenhouse/bayt/domain"
	"golang.org/x/image/draw"
	"golang.org/x/image/webp"
)

// Limits and sizes of a photo.
const (
	// MaxBytes bounds an uploaded file: 10 MB, a phone's full-resolution
	// photo.
	MaxBytes = 10 << 20
	// MaxPixels bounds the image a file may claim to hold: about a
	// 48-megapixel phone sensor's image less a margin; decoding one takes
	// up to four bytes a pixel.
	MaxPixels = 40_000_000
	// LongSide is the longest side of a published photo, in pixels: a
	// full-width picture on any screen, and a few hundred kilobytes.
	LongSide = 1600
	// ThumbSide is the longest side of a thumbnail.
	ThumbSide = 320
	// Quality is the JPEG quality of both.
	Quality = 82
	// ContentType is the type of every file Bayt serves for a photo.
	ContentType = "image/jpeg"
)

// ErrTooLarge reports a file, or an upload, over the limits: the surfaces
// answer 413.
var ErrTooLarge = errors.New("photo larger than 10 MB")

// Image is a photo as Bayt publishes it.
type Image struct {
	// ID is the hex SHA-256 of Full.
	ID string
	// Full and Thumb are JPEG files holding pixels only.
	Full, Thumb   []byte
	Width, Height int // of Full
}

// Processor re-encodes uploads. It is safe for concurrent use and lets a
// bounded number of them decode at once.
type Processor struct {
	slots chan struct{}
}

// New returns a Processor that decodes at most concurrent images at a
// time (at least one).
func New(concurrent int) *Processor {
	return &Processor{slots: make(chan struct{}, max(1, concurrent))}
}

// unsupported is the answer to anything but the three formats.
func unsupported() error {
	return domain.Invalid("photo", "must be a JPEG, PNG or WebP image")
}

// format is one image format Bayt takes.
type format struct {
	decodeConfig func(io.Reader) (image.Config, error)
	decode       func(io.Reader) (image.Image, error)
	exif         bool // whether to read an EXIF orientation
}

// formatOf returns the format of a file whose first bytes
// http.DetectContentType sniffs as contentType, and false for one Bayt
// does not take.
func formatOf(contentType string) (format, bool) {
	switch contentType {
	case "image/jpeg":
		return format{jpeg.DecodeConfig, jpeg.Decode, true}, true
	case "image/png":
		return format{png.DecodeConfig, png.Decode, false}, true
	case "image/webp":
		return format{webp.DecodeConfig, webp.Decode, false}, true
	}
	return format{}, false
}

// Check refuses, from its header alone and without decoding it, what
// Process would refuse of data: see Process. A file it passes may still
// turn out damaged once decoded.
func Check(data []byte) error {
	_, err := check(data)
	return err
}

func check(data []byte) (format, error) {
	if len(data) > MaxBytes {
		return format{}, ErrTooLarge
	}
	f, ok := formatOf(http.DetectContentType(data))
	if !ok {
		return format{}, unsupported()
	}
	cfg, err := f.decodeConfig(bytes.NewReader(data))
	if err != nil {
		return format{}, domain.Invalid("photo", "the image cannot be read")
	}
	if cfg.Width < 1 || cfg.Height < 1 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return format{}, domain.Invalid("photo", fmt.Sprintf("the image must be at most %d megapixels", MaxPixels/1_000_000))
	}
	return f, nil
}

// Process re-encodes data, an uploaded file, as a photo. It refuses a
// file over MaxBytes with ErrTooLarge, and with an invalid-input error
// (field "photo") a file that is not a JPEG, PNG or WebP image, is
// damaged, or holds more than MaxPixels pixels. It waits for a free slot
// until ctx ends.
func (p *Processor) Process(ctx context.Context, data []byte) (*Image, error) {
	f, err := check(data)
	if err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-p.slots }()
	src, err := f.decode(bytes.NewReader(data))
	if err != nil {
		return nil, domain.Invalid("photo", "the image cannot be read")
	}
	orientation := 1
	if f.exif {
		orientation = exifOrientation(data)
	}
	full := orient(scale(src, LongSide), orientation)
	thumb := scale(full, ThumbSide)
	out := &Image{Width: full.Bounds().Dx(), Height: full.Bounds().Dy()}
	if out.Full, err = encode(full); err != nil {
		return nil, err
	}
	if out.Thumb, err = encode(thumb); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out.Full)
	out.ID = hex.EncodeToString(sum[:])
	return out, nil
}

// scale draws src on white, scaled down so that its longest side is at
// most side pixels (never up), into a new image. A large reduction first
// halves the image's size with a cheap filter until it is within twice the
// target, then filters the rest finely: the fine filter's cost grows with
// the source's size, and a 12-megapixel photo took seconds with it alone.
func scale(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	w, h := fit(b.Dx(), b.Dy(), side)
	op := draw.Over
	if o, ok := src.(interface{ Opaque() bool }); ok && o.Opaque() {
		op = draw.Src // nothing to blend: the white beneath never shows
	}
	if long := max(b.Dx(), b.Dy()); long > 2*side {
		mw, mh := fit(b.Dx(), b.Dy(), 2*side)
		mid := image.NewRGBA(image.Rect(0, 0, mw, mh))
		draw.Draw(mid, mid.Bounds(), image.White, image.Point{}, draw.Src)
		draw.ApproxBiLinear.Scale(mid, mid.Bounds(), src, b, op, nil)
		src, b, op = mid, mid.Bounds(), draw.Src
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(dst, dst.Bounds(), image.White, image.Point{}, draw.Src)
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, op)
		return dst
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, op, nil)
	return dst
}

// fit returns w×h scaled down, if need be, so that the longest side is
// side, rounding to the nearest pixel.
func fit(w, h, side int) (int, int) {
	if long := max(w, h); long > side {
		return max(1, (w*side+long/2)/long), max(1, (h*side+long/2)/long)
	}
	return w, h
}

func encode(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: Quality}); err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	return buf.Bytes(), nil
}

// URL is the address the pages serve photo id at, and ThumbURL its
// thumbnail's: the API gives them, the pages serve them.
func URL(id string) string { return "/photos/" + id + ".jpg" }

// ThumbURL is the address of photo id's thumbnail; see URL.
func ThumbURL(id string) string { return "/photos/" + id + "/thumb.jpg" }
