package render

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"hash/adler32"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"sync"
)

// encodePNG writes img, which is opaque, as PNG, losslessly.
//
// A picture with at most 256 colours (line drawings in black on white,
// anti-aliasing included, usually are) is written paletted by image/png,
// which then skips per-row filtering and compresses a byte per pixel.
// Other pictures are written as 8-bit RGB by writeTrueColor: image/png
// took 1.1-1.3 s for a 40-megapixel RGB picture (half of it choosing row
// filters), against about 1 s for laying out the 200-node graph drawn.
func encodePNG(w io.Writer, img *image.RGBA) error {
	if p := palettize(img); p != nil {
		enc := png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode(w, p)
	}
	return writeTrueColor(w, img)
}

// palettize returns img as a paletted image, its colours in the order
// they first appear, or nil if img has more than 256 colours.
func palettize(img *image.RGBA) *image.Paletted {
	b := img.Bounds()
	out := image.NewPaletted(b, nil)
	index := make(map[uint32]uint8, 256)
	var pal color.Palette
	last, li := uint32(1<<31), uint8(0) // an impossible key: no colour seen yet
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := img.Pix[img.PixOffset(b.Min.X, y):img.PixOffset(b.Max.X, y)]
		dst := out.Pix[out.PixOffset(b.Min.X, y):out.PixOffset(b.Max.X, y)]
		for i, j := 0, 0; i+3 < len(row); i, j = i+4, j+1 {
			c := uint32(row[i])<<16 | uint32(row[i+1])<<8 | uint32(row[i+2])
			if c != last {
				k, ok := index[c]
				if !ok {
					if len(pal) == 256 {
						return nil
					}
					k = uint8(len(pal))
					index[c] = k
					pal = append(pal, color.RGBA{row[i], row[i+1], row[i+2], 0xff})
				}
				last, li = c, k
			}
			dst[j] = li
		}
	}
	out.Palette = pal
	return out
}

// writeTrueColor writes img as an 8-bit RGB PNG, its alpha ignored. Rows
// are not filtered (filter type None: on these pictures as small as Sub
// or Up, and free). The rows are cut into bands compressed in parallel,
// each by its own DEFLATE compressor; a band ends with a sync flush
// (byte-aligned, not final) so the bands concatenate into one DEFLATE
// stream, and their Adler-32 checksums combine into the zlib trailer.
func writeTrueColor(w io.Writer, img *image.RGBA) error {
	b := img.Bounds()
	width, height := b.Dx(), b.Dy()
	// The number of bands depends on the picture only, not on the
	// machine, so that a picture is the same bytes everywhere.
	bands := max(1, min(8, height/128))
	type band struct {
		data bytes.Buffer
		sum  uint32 // Adler-32 of the uncompressed bytes
		size int    // number of uncompressed bytes
		err  error
	}
	out := make([]band, bands)
	var wg sync.WaitGroup
	for i := range out {
		y0, y1 := b.Min.Y+height*i/bands, b.Min.Y+height*(i+1)/bands
		wg.Go(func() {
			bd := &out[i]
			zw, err := flate.NewWriter(&bd.data, flate.BestSpeed)
			if err != nil {
				bd.err = err
				return
			}
			h := adler32.New()
			row := make([]byte, 1+3*width) // filter type 0, then R, G, B
			for y := y0; y < y1; y++ {
				src := img.Pix[img.PixOffset(b.Min.X, y):]
				for x, j := 0, 1; x < width; x, j = x+1, j+3 {
					row[j], row[j+1], row[j+2] = src[4*x], src[4*x+1], src[4*x+2]
				}
				h.Write(row)
				if _, err := zw.Write(row); err != nil {
					bd.err = err
					return
				}
				bd.size += len(row)
			}
			if i == bands-1 {
				bd.err = zw.Close()
			} else {
				bd.err = zw.Flush()
			}
			bd.sum = h.Sum32()
		})
	}
	wg.Wait()

	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString("\x89PNG\r\n\x1a\n")
	var hdr [13]byte
	binary.BigEndian.PutUint32(hdr[0:], uint32(width))
	binary.BigEndian.PutUint32(hdr[4:], uint32(height))
	hdr[8], hdr[9] = 8, 2 // 8 bits per sample, RGB; compression, filter and interlace methods 0
	writeChunk(bw, "IHDR", hdr[:])
	idat := &chunkWriter{w: bw}
	idat.Write([]byte{0x78, 0x01}) // zlib header: DEFLATE, 32 KB window, fastest
	sum := uint32(1)               // Adler-32 of nothing
	for i := range out {
		if out[i].err != nil {
			return out[i].err
		}
		idat.Write(out[i].data.Bytes())
		sum = adler32Combine(sum, out[i].sum, out[i].size)
	}
	idat.Write(binary.BigEndian.AppendUint32(nil, sum))
	idat.flush()
	writeChunk(bw, "IEND", nil)
	return bw.Flush()
}

// adler32Combine is the Adler-32 checksum of a followed by b, from the
// checksum of each and the length of b.
func adler32Combine(a, b uint32, lenB int) uint32 {
	const mod = 65521
	a1, a2 := a&0xffff, a>>16
	b1, b2 := b&0xffff, b>>16
	n := uint32(lenB % mod)
	s1 := (a1 + b1 + mod - 1) % mod
	s2 := (a2 + b2 + n*((a1+mod-1)%mod)) % mod
	return s2<<16 | s1
}

// chunkWriter cuts what is written into IDAT chunks of up to 1 MB.
type chunkWriter struct {
	w   *bufio.Writer
	buf []byte
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(len(p), 1<<20-len(c.buf))
		c.buf = append(c.buf, p[:k]...)
		p = p[k:]
		if len(c.buf) == 1<<20 {
			c.flush()
		}
	}
	return n, nil
}

func (c *chunkWriter) flush() {
	if len(c.buf) > 0 {
		writeChunk(c.w, "IDAT", c.buf)
		c.buf = c.buf[:0]
	}
}

// writeChunk writes one PNG chunk: length, type, data, CRC-32 of type and
// data. Errors are kept by the bufio.Writer and reported by its Flush.
func writeChunk(w *bufio.Writer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	w.WriteString(typ)
	w.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}
