package transport_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestSurfacesAreSiblings fails when a surface under transport imports
// another: what they share belongs in package transport or the domain.
// A shared package under transport that is no surface may be imported by
// the surfaces, and imports no surface: photo reads and re-encodes uploads,
// export writes the open data's public rows, atom writes feeds, and webhook
// holds the partners' hooks the API registers and delivers what they follow.
func TestSurfacesAreSiblings(t *testing.T) {
	t.Parallel()
	const module = "github.com/citizenhouse/bayt/transport/"
	shared := map[string]bool{"photo": true, "export": true, "atom": true, "webhook": true}
	dirs, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	surfaces := 0
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(d.Name(), "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		if !shared[d.Name()] {
			surfaces++
		}
		for _, f := range files {
			parsed, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range parsed.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				if other, ok := strings.CutPrefix(path, module); ok && other != d.Name() && !shared[other] {
					t.Errorf("%s imports transport/%s", f, other)
				}
			}
		}
	}
	if surfaces < 3 {
		t.Fatalf("found %d surfaces under transport: is the test run from its package?", surfaces)
	}
}
