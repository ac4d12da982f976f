package report_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/leakscan/leakscan/analyze"
	"github.com/leakscan/leakscan/analyze/series"
	"github.com/leakscan/leakscan/report"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

const schemaPath = "schema/diff.schema.json"

// compileSchema compiles the published schema; closed, every object that
// names its properties refuses others, so that a field the writer adds
// without documenting it in the schema fails the test (the published
// schema stays open: fields may be added within a version).
func compileSchema(t *testing.T, closed bool) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	if closed {
		close(doc)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(schemaPath, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(schemaPath)
	if err != nil {
		t.Fatalf("%s: %v", schemaPath, err)
	}
	return sch
}

// close sets additionalProperties false on every schema with properties.
func close(v any) {
	switch v := v.(type) {
	case map[string]any:
		if _, ok := v["properties"]; ok {
			if _, set := v["additionalProperties"]; !set {
				v["additionalProperties"] = false
			}
		}
		for _, x := range v {
			close(x)
		}
	case []any:
		for _, x := range v {
			close(x)
		}
	}
}

func validate(t *testing.T, sch *jsonschema.Schema, name string, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return sch.Validate(inst)
}

// TestGoldensValidate: every leakscan/diff JSON document committed in the
// repository validates against the schema, closed.
func TestGoldensValidate(t *testing.T) {
	sch := compileSchema(t, true)
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var head struct{ Schema string }
		if json.Unmarshal(data, &head) != nil || head.Schema != "leakscan/diff" {
			return nil
		}
		n++
		if err := validate(t, sch, path, data); err != nil {
			t.Errorf("%s does not validate:\n%v", path, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 4 {
		t.Errorf("found %d leakscan/diff goldens, want the 4 of cmd/leakscan/testdata at least", n)
	}
}

// TestWrittenDocumentsValidate: the documents JSON writes for every kind
// of bundled series — profiles by site and by stack, goroutine series
// and single dumps, Python series with their cycles, tasks and
// resources, tracemalloc's allocation sites, one dump's biggest
// retainers — validate against the schema, closed.
func TestWrittenDocumentsValidate(t *testing.T) {
	sch := compileSchema(t, true)
	var all bytes.Buffer
	for _, c := range []struct {
		glob string
		opt  analyze.Options
	}{
		{"heap/leaky/*.pb.gz", analyze.Options{By: series.BySite}},
		{"heap/leaky/*.pb.gz", analyze.Options{By: series.ByStack, Focus: regexp.MustCompile("main"), Ignore: regexp.MustCompile("churn")}},
		{"goroutine/leaky/goroutine-?.debug2.txt", analyze.Options{LongWait: 10}},
		{"goroutine/leakprofile/goroutineleak-?.pb.gz", analyze.Options{LongWait: 10}},
		{"goroutine/leakprofile/goroutineleak-6.debug2.txt", analyze.Options{LongWait: 10}},
		{"pydump/traceback_cycle/*", analyze.Options{}},
		{"pydump/tasks/*", analyze.Options{}},
		{"pydump/event_loops/*", analyze.Options{}},
		{"pydump/tracemalloc/*", analyze.Options{Sample: "retained"}},
		{"pydump/leaky/heap-6.pydump.gz", analyze.Options{}},
	} {
		files, _ := filepath.Glob(filepath.Join("../testdata", c.glob))
		srcs, err := analyze.ReadSources(files, nil)
		if err != nil {
			t.Fatal(err)
		}
		s, err := analyze.Load(srcs)
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.Analyze(c.opt, true)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := report.JSON(&buf, res, report.Options{}); err != nil {
			t.Fatal(err)
		}
		if err := validate(t, sch, c.glob, buf.Bytes()); err != nil {
			t.Errorf("%s: the JSON written does not validate:\n%v", c.glob, err)
		}
		all.Write(buf.Bytes())
	}
	// The documents reach the optional parts of the schema.
	for _, field := range []string{"biggest_retainers", "hidden_profiler", "focus", "ignore", "collector", "related", "goroutines",
		"confirmed_leaked\": true", "retainer", "held_by", "alloc_site", "sizes", "cycle", "break", "task", "resource", "loops", "extra_path", "churn\": true", "repeat"} {
		if !strings.Contains(all.String(), `"`+field) {
			t.Errorf("no document written has %q: the schema's part for it is not tested", field)
		}
	}
}

// TestSchemaRefuses: the schema is not a formality — a wrong class, a
// version 2, a missing field, a string for a number and an undocumented
// field each fail.
func TestSchemaRefuses(t *testing.T) {
	golden, err := os.ReadFile("../cmd/leakscan/testdata/leaky.diff.json")
	if err != nil {
		t.Fatal(err)
	}
	open, closed := compileSchema(t, false), compileSchema(t, true)
	if err := validate(t, open, "golden", golden); err != nil {
		t.Fatalf("the golden does not validate: %v", err)
	}
	for _, c := range []struct {
		name, old, new string
		openToo        bool
	}{
		{"class", `"class": "growing"`, `"class": "leaking"`, true},
		{"version", `"version": 1`, `"version": 2`, true},
		{"missing rows_total", `"rows_total": 7,`, ``, true},
		{"string delta", `"delta": 0,`, `"delta": "0",`, true},
		{"by", `"by": "site"`, `"by": "address"`, true},
		{"undocumented field", `"rows_total": 7,`, `"rows_total": 7, "secret": 1,`, false},
	} {
		if !bytes.Contains(golden, []byte(c.old)) {
			t.Fatalf("%s: the golden has no %s", c.name, c.old)
		}
		bad := bytes.Replace(golden, []byte(c.old), []byte(c.new), 1)
		if err := validate(t, closed, c.name, bad); err == nil {
			t.Errorf("%s: the closed schema accepts it", c.name)
		}
		if err := validate(t, open, c.name, bad); (err != nil) != c.openToo {
			t.Errorf("%s: the published schema says %v", c.name, err)
		}
	}
}
