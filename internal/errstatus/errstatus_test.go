package errstatus_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"strconv"
	"testing"

	"wugongkai/internal/errstatus"
	"wugongkai/workflow"
)

// Every error code workflow declares has its own status: a new code without one would answer 500.
func TestEveryCodeHasAStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "../../workflow/error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	codes := 0
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, sp := range g.Specs {
			v := sp.(*ast.ValueSpec)
			for i, name := range v.Names {
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok || name.Name[0] != 'E' {
					continue
				}
				code, _ := strconv.Unquote(lit.Value)
				codes++
				st := errstatus.Of(&workflow.Error{Code: code})
				if code != workflow.EInternal && st == http.StatusInternalServerError {
					t.Errorf("code %s (%s) has no status of its own", name.Name, code)
				}
			}
		}
	}
	if codes < 14 {
		t.Fatalf("found %d codes in workflow/error.go; the parse is broken", codes)
	}
	if st := errstatus.Of(errors.New("plain")); st != http.StatusInternalServerError {
		t.Errorf("an error without a code: %d, want 500", st)
	}
	if st := errstatus.Of(&workflow.Error{Code: workflow.EConflict}); st != http.StatusConflict {
		t.Errorf("conflict: %d", st)
	}
}
