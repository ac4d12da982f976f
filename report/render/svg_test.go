package render

import (
	"bytes"
	"encoding/xml"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestSVG(t *testing.T) {
	const label = `<script>alert("x")</script> & more`
	dot := strings.Replace(smallDOT, `b [label="beta"]`, `b [label="<script>alert(\"x\")</script> & more"]`, 1)
	svg := renderSVG(t, dot)
	if bytes.Contains(svg, []byte("<script")) {
		t.Errorf("SVG holds a raw <script")
	}
	dec := xml.NewDecoder(bytes.NewReader(svg))
	dec.Strict = true
	dec.Entity = xml.HTMLEntity
	var nodes, texts []string
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			inText = tok.Name.Local == "text"
			if tok.Name.Local != "g" {
				continue
			}
			for _, a := range tok.Attr {
				if a.Name.Local == "id" && strings.HasPrefix(a.Value, "node") {
					nodes = append(nodes, a.Value)
				}
			}
		case xml.CharData:
			if inText {
				texts = append(texts, string(tok))
			}
		case xml.EndElement:
			inText = false
		}
	}
	if len(nodes) != 5 {
		t.Errorf("%d node groups, want 5: %v", len(nodes), nodes)
	}
	if !slices.Contains(texts, label) {
		t.Errorf("label %q not among the texts %q", label, texts)
	}
}
