package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"
)

// svgText decodes doc as XML and returns its character data, one string
// per text element.
func svgText(t *testing.T, doc []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	var texts []string
	inText := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return texts
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		}
	}
}

func TestSVG(t *testing.T) {
	c := timesChart()
	c.Series[1].Name = hostile
	c.Series[2].Name = "bad\xff\xfeutf8 \uFFFE\u202Eend"
	c.Series = append(c.Series, Series{Name: "main.worker\r\n\t(leaky)", Values: c.Series[0].Values})
	var buf bytes.Buffer
	if err := c.SVG(&buf, 720, 360); err != nil {
		t.Fatal(err)
	}
	doc := buf.Bytes()
	if bytes.Contains(bytes.ToLower(doc), []byte("<script")) {
		t.Fatal("SVG contains a raw <script")
	}
	if !bytes.Contains(doc, []byte("&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt; `|x")) {
		t.Error("hostile name not escaped as expected")
	}
	texts := svgText(t, doc)
	for _, want := range []string{
		"Heap growth by type", "minutes since first snapshot", "0", "100 MiB", "50",
		"[]*github.com/acme/cache.entry",
		"</text><script>alert(1)</script> `|x",
		"bad\uFFFDutf8 \uFFFD end",
		"main.worker (leaky)",
	} {
		if !contains(texts, want) {
			t.Errorf("no text %q in SVG; texts: %q", want, texts)
		}
	}
	if !bytes.Contains(doc, []byte("font-family:'Liberation Sans',Arial")) {
		t.Error("SVG text has no font fallback")
	}
}

// Past MaxSeries, series are left out and counted; names too wide for the
// legend are cut.
func TestSVGManySeries(t *testing.T) {
	var buf bytes.Buffer
	if err := snapsChart().SVG(&buf, 720, 360); err != nil {
		t.Fatal(err)
	}
	texts := svgText(t, buf.Bytes())
	for _, want := range []string{"Goroutines by creation site", "snapshot", "goroutines", "1.5k", "12", "+2 more not shown"} {
		if !contains(texts, want) {
			t.Errorf("no text %q in SVG; texts: %q", want, texts)
		}
	}
	cut := false
	for _, s := range texts {
		if strings.Contains(s, "ninth") || strings.Contains(s, "tenth") {
			t.Errorf("series past %d drawn: %q", MaxSeries, s)
		}
		if strings.HasPrefix(s, "github.com/ac") {
			cut = strings.Contains(s, "…") && strings.HasSuffix(s, "method")
		}
	}
	if !cut {
		t.Errorf("long name not cut in the middle: %q", texts)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestXAxisLabel(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		want string
	}{{50 * time.Minute, "minutes since first snapshot"}, {3 * time.Hour, "minutes since first snapshot"}, {4 * time.Hour, "hours since first snapshot"}} {
		c := &Chart{Times: []time.Time{t0, t0.Add(tc.span)}, Series: []Series{{Values: []float64{1, 2}}}}
		var buf bytes.Buffer
		if err := c.SVG(&buf, 720, 360); err != nil {
			t.Fatal(err)
		}
		if texts := svgText(t, buf.Bytes()); !contains(texts, tc.want) {
			t.Errorf("span %v: no %q in %q", tc.span, tc.want, texts)
		}
	}
}
