package photo

import (
	"encoding/binary"
	"image"
)

// exifOrientation returns the orientation (1 to 8) the EXIF block of a
// JPEG file records, and 1 (as stored) when it records none or cannot be
// read. A phone stores a portrait photo as the sensor saw it and writes how
// to turn it here; once re-encoded without the block, the photo must be
// turned for good or it would show on its side.
func exifOrientation(jpg []byte) int {
	if len(jpg) < 4 || jpg[0] != 0xFF || jpg[1] != 0xD8 {
		return 1
	}
	for i := 2; i+4 <= len(jpg); {
		if jpg[i] != 0xFF {
			return 1
		}
		marker := jpg[i+1]
		if marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xFF {
			i++ // markers without a length, and fill bytes
			continue
		}
		if marker == 0xDA || marker == 0xD9 {
			return 1 // the image data starts: no EXIF block before it
		}
		n := int(binary.BigEndian.Uint16(jpg[i+2 : i+4]))
		if n < 2 || i+2+n > len(jpg) {
			return 1
		}
		seg := jpg[i+4 : i+2+n]
		if marker == 0xE1 && len(seg) > 6 && string(seg[:6]) == "Exif\x00\x00" {
			return tiffOrientation(seg[6:])
		}
		i += 2 + n
	}
	return 1
}

// tiffOrientation reads tag 0x0112 of the first IFD of a TIFF structure.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var order binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		order = binary.LittleEndian
	case "MM":
		order = binary.BigEndian
	default:
		return 1
	}
	if order.Uint16(t[2:4]) != 42 {
		return 1
	}
	ifd := int(order.Uint32(t[4:8]))
	if ifd < 8 || ifd+2 > len(t) {
		return 1
	}
	count := int(order.Uint16(t[ifd : ifd+2]))
	for k := range count {
		e := ifd + 2 + 12*k
		if e+12 > len(t) {
			return 1
		}
		// Tag 0x0112, type SHORT, one value: held in the entry itself.
		if order.Uint16(t[e:e+2]) == 0x0112 && order.Uint16(t[e+2:e+4]) == 3 {
			if o := int(order.Uint16(t[e+8 : e+10])); o >= 1 && o <= 8 {
				return o
			}
			return 1
		}
	}
	return 1
}

// orient returns src turned and mirrored as EXIF orientation o says it
// should be shown; src itself for 1 or an unknown value.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w // the orientations that turn a quarter
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-x, y
			case 3: // upside down
				sx, sy = w-1-x, h-1-y
			case 4: // mirrored upside down
				sx, sy = x, h-1-y
			case 5: // mirrored, turned a quarter anticlockwise
				sx, sy = y, x
			case 6: // turned a quarter anticlockwise: show it a quarter clockwise
				sx, sy = y, h-1-x
			case 7: // mirrored, turned a quarter clockwise
				sx, sy = w-1-y, h-1-x
			case 8: // turned a quarter clockwise: show it a quarter anticlockwise
				sx, sy = w-1-y, x
			}
			si, di := src.PixOffset(sx, sy), dst.PixOffset(x, y)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
