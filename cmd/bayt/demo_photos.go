package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"time"

	"github.com/citizenhouse/bayt/domain"
	"github.com/citizenhouse/bayt/domain/casefile"
	"github.com/citizenhouse/bayt/eventstore"
	"github.com/citizenhouse/bayt/transport/photo"
)

// demoPhotoShare is the share of residents' web reports that come with
// photos: a phone is at hand, but not everyone takes a picture.
const demoPhotoShare = 0.12

// demoPhotos adds the photos the demo city's residents take, through the
// path an upload takes: the picture is drawn as a PNG, re-encoded by
// photo.Processor, stored by content hash, and added to the case by its
// reporter, with the tracking token, within the hour the domain allows.
type demoPhotos struct {
	store *eventstore.Photos
	proc  *photo.Processor
}

// plan gives a web report of l one to three photos, taken a few minutes
// after it, for some cases. The choice and the pictures come from a
// generator of the case's own, so that they change nothing else of the
// plan.
func (d *demoCity) planPhotos(l *caseLife) {
	r := rand.New(rand.NewPCG(d.seed^0x9407, uint64(l.n)))
	if l.channel != "" || r.Float64() >= demoPhotoShare {
		return
	}
	n := 1 + r.IntN(casefile.MaxReporterPhotos)
	at := l.at
	for i := range n {
		at = at.Add(time.Duration(1+r.IntN(8)) * time.Minute)
		seed := uint64(l.n)<<2 | uint64(i)
		l.steps = append(l.steps, demoStep{at: at, actor: domain.Anonymous, photo: seed + 1})
	}
}

// add records the photo of step s of case l.
func (p *demoPhotos) add(ctx context.Context, svc *casefile.Service, l *caseLife, s demoStep) (domain.Outcome, error) {
	img, err := p.proc.Process(ctx, demoPicture(l.category.Code, s.photo-1))
	if err != nil {
		return domain.Outcome{}, fmt.Errorf("demo photo: %w", err)
	}
	save := func(ctx context.Context) error {
		return p.store.Put(ctx, l.id, img.ID, photo.ContentType, img.Full, img.Thumb, img.Width, img.Height)
	}
	return svc.AddPhoto(ctx, l.id, casefile.AddPhoto{Actor: domain.Anonymous, PhotoID: img.ID, Width: img.Width, Height: img.Height},
		l.token, save, anyVersion)
}

// demoPicture draws a small street scene for a case of category: sky,
// wall and pavement, and the trouble in the middle (a hole, a pile, a
// puddle, a dark lamp), varied by seed, as a PNG.
func demoPicture(category string, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	const w, h = 400, 300
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	jitter := func(c color.RGBA, by int) color.RGBA {
		j := func(v uint8) uint8 { return uint8(min(255, max(0, int(v)+r.IntN(2*by+1)-by))) }
		return color.RGBA{j(c.R), j(c.G), j(c.B), 255}
	}
	sky := jitter(color.RGBA{135, 180, 220, 255}, 20)
	wall := jitter(color.RGBA{225, 215, 195, 255}, 20)
	ground := jitter(color.RGBA{120, 120, 125, 255}, 15)
	horizon, street := h/3+r.IntN(h/10), h/2+r.IntN(h/10)
	set := func(x, y int, c color.RGBA) {
		i := img.PixOffset(x, y)
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = c.R, c.G, c.B, 255
	}
	grain := uint32(seed) | 1
	for y := range h {
		for x := range w {
			var c color.RGBA
			switch {
			case y < horizon:
				c = sky
			case y < street:
				c = wall
				if (x/40+y/20)%7 == 0 { // a window or a door now and then
					c = color.RGBA{90, 110, 130, 255}
				}
			default:
				// Grain, so the picture compresses as a photo would.
				grain ^= grain << 13
				grain ^= grain >> 17
				grain ^= grain << 5
				v := uint8(grain % 12)
				c = color.RGBA{ground.R + v, ground.G + v, ground.B + v, 255}
			}
			set(x, y, c)
		}
	}
	cx, cy := w/3+r.IntN(w/3), street+(h-street)/2
	rx, ry := 50+r.IntN(60), 18+r.IntN(20)
	var trouble color.RGBA
	switch category {
	case "water":
		trouble = color.RGBA{70, 95, 120, 255} // a puddle
	case "waste":
		trouble = color.RGBA{110, 90, 50, 255} // a pile
	case "lighting":
		trouble = color.RGBA{40, 40, 45, 255} // a post, its lamp out
		for y := horizon - 40; y < cy; y++ {
			for x := cx - 4; x < cx+4; x++ {
				set(x, y, trouble)
			}
		}
		ry = 12
	default:
		trouble = color.RGBA{45, 42, 40, 255} // a hole
	}
	for y := cy - ry; y <= cy+ry; y++ {
		for x := cx - rx; x <= cx+rx; x++ {
			dx, dy := float64(x-cx)/float64(rx), float64(y-cy)/float64(ry)
			if d := dx*dx + dy*dy; d <= 1 && x >= 0 && x < w && y >= 0 && y < h {
				shade := uint8(20 * math.Sqrt(d))
				set(x, y, color.RGBA{trouble.R + shade, trouble.G + shade, trouble.B + shade, 255})
			}
		}
	}
	var buf bytes.Buffer
	// The processor re-encodes it anyway: no time spent compressing.
	_ = (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&buf, img) // writing to memory does not fail
	return buf.Bytes()
}
