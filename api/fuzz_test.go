package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/profilegraph/profilegraph/graph"
)

// fuzzDepthLimit is the server's default depth limit (DepthLimit in package main).
const fuzzDepthLimit = 12

// naiveSize expands set without memoization, stopping once budget is spent: the
// reference the memoized measure of checkDocument must agree with.
func naiveSize(doc *ast.QueryDocument, set ast.SelectionSet, budget *int, depth int, deepest *int, visiting map[string]bool) {
	for _, sel := range set {
		if *budget < 0 {
			return
		}
		switch sel := sel.(type) {
		case *ast.Field:
			*budget--
			d := depth
			if sel.Name != "__schema" && sel.Name != "__type" {
				d++
				*deepest = max(*deepest, d)
			}
			naiveSize(doc, sel.SelectionSet, budget, d, deepest, visiting)
		case *ast.InlineFragment:
			naiveSize(doc, sel.SelectionSet, budget, depth, deepest, visiting)
		case *ast.FragmentSpread:
			if def := doc.Fragments.ForName(sel.Name); def != nil && !visiting[sel.Name] {
				visiting[sel.Name] = true
				naiveSize(doc, def.SelectionSet, budget, depth, deepest, visiting)
				delete(visiting, sel.Name)
			}
		}
	}
}

// FuzzCheckDocument checks the pre-validation bounds on arbitrary documents: a document
// they accept really expands to at most maxExpandedFields fields and 12 levels, as a
// naive walk counts them.
func FuzzCheckDocument(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, parserTokenLimit)
		if err != nil {
			return
		}
		if gqlErr := checkDocument(doc, fuzzDepthLimit); gqlErr != nil {
			if gqlErr.Extensions["code"] == nil {
				t.Fatalf("a refusal without a code: %v", gqlErr)
			}
			return
		}
		total := maxExpandedFields
		for _, op := range doc.Operations {
			budget, deepest := maxExpandedFields, 0
			naiveSize(doc, op.SelectionSet, &budget, 0, &deepest, map[string]bool{})
			if budget < 0 || deepest > fuzzDepthLimit {
				t.Fatalf("accepted an operation of more than %d fields or %d levels (%d)", maxExpandedFields, fuzzDepthLimit, deepest)
			}
			total -= maxExpandedFields - budget
		}
		if total < 0 {
			t.Fatalf("accepted a document of more than %d fields", maxExpandedFields)
		}
	})
}

// FuzzDecodeBody checks the POST body decoder: any body is parameters with a query (or
// a persisted-query extension) or a 400 refusal, never a panic.
func FuzzDecodeBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		p, refusal := decodeBody(body)
		if refusal != nil {
			if refusal.status != http.StatusBadRequest || refusal.message == "" {
				t.Fatalf("refusal %+v", refusal)
			}
			return
		}
		if p.Query == "" && p.Extensions["persistedQuery"] == nil {
			t.Fatalf("accepted %q without a query", body)
		}
	})
}

// FuzzComplexity runs the list-counting complexity on documents that pass the bounds
// and validation, with arbitrary `first:` and representation counts: it never panics
// and never goes negative or wraps around.
func FuzzComplexity(f *testing.F) {
	es := graph.NewExecutableSchema(graph.Config{})
	cost := listCost{es}
	f.Fuzz(func(t *testing.T, query string, first int64, reps uint16) {
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: query}, parserTokenLimit)
		if err != nil || checkDocument(doc, fuzzDepthLimit) != nil {
			return
		}
		if errs := validator.ValidateWithRules(es.Schema(), doc, rules.NewDefaultRules()); len(errs) > 0 {
			return
		}
		vars := map[string]any{"first": json.Number(strconv.FormatInt(first, 10)), "r": make([]any, reps)}
		for _, op := range doc.Operations {
			if n := complexity.Calculate(context.Background(), cost, op, vars); n < 0 {
				t.Fatalf("complexity %d < 0", n)
			}
		}
	})
}
