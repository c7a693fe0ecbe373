package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/profilegraph/profilegraph/profile"
)

// Bounds on a document, checked before gqlparser's validation (SPEC §7: refusing costs
// bounded work too). Validation and gqlgen's complexity walk expand fragments, and
// gqlparser's OverlappingFieldsCanBeMerged compares every pair of fields that merge at
// one response path, so a 1 KB document whose fragments spread the next one twice, or
// a few thousand copies of one field, would cost them exponential or quadratic time.
const (
	// parserTokenLimit bounds the parse (1000 aliased root fields are about 6000 tokens).
	parserTokenLimit = 15000
	// maxExpandedFields is the most fields an operation or fragment may have once its
	// fragments are expanded. The gateway's entity fetches have about ten, GraphiQL's
	// introspection query a few hundred.
	maxExpandedFields = 2500
	// maxWalkedFields bounds the whole pre-check walk: every operation and fragment of
	// the document, expanded.
	maxWalkedFields = 4 * maxExpandedFields
	// maxMergedFields is the most fields that may merge at one response path (the same
	// field selected through several fragments): validation compares them pairwise.
	maxMergedFields = 16
)

// Costs of the complexity count (SPEC §7: list sizes count). A field costs 1 plus
// its children; a list multiplies its children by its bound; a root field that loads
// data costs rootFieldCost, so that 1000 aliased copies of one are refused.
const rootFieldCost = 10

// Codes of the refusals.
const (
	codeComplexity = "COMPLEXITY_LIMIT_EXCEEDED"
	codeTooDeep    = "QUERY_TOO_DEEP"
)

// documentBounds refuses, before validation, a document that is too long to parse
// (parserTokenLimit), has a fragment cycle, nests deeper than maxDepth levels, expands
// to too many fields or merges too many at one path. It measures each fragment once, so
// its own work is linear in the document. Documents already in the query cache passed
// it before and are not measured again.
type documentBounds struct {
	maxDepth int
	passed   graphql.Cache[*ast.QueryDocument]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentBounds{}

func (documentBounds) ExtensionName() string                   { return "DocumentBounds" }
func (documentBounds) Validate(graphql.ExecutableSchema) error { return nil }

func (b documentBounds) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	if err := ctx.Err(); err != nil {
		return canceledError()
	}
	if params.Query == "" {
		return nil // gqlgen reports the missing query (or APQ its unknown hash)
	}
	if b.passed != nil {
		if _, ok := b.passed.Get(ctx, params.Query); ok {
			return nil
		}
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: params.Query}, parserTokenLimit)
	if err != nil {
		if gqlErr, ok := err.(*gqlerror.Error); ok {
			errcode.Set(gqlErr, errcode.ParseFailed)
			return gqlErr
		}
		return &gqlerror.Error{Message: "the document could not be parsed", Extensions: map[string]any{"code": errcode.ParseFailed}}
	}
	return checkDocument(doc, b.maxDepth)
}

// checkDocument applies the bounds of documentBounds to a parsed document.
func checkDocument(doc *ast.QueryDocument, maxDepth int) *gqlerror.Error {
	m := newDocMeasure(doc)
	for _, f := range doc.Fragments {
		if _, err := m.fragment(f.Name); err != nil {
			return err
		}
	}
	total := 0
	for _, op := range doc.Operations {
		s, err := m.set(op.SelectionSet)
		if err != nil {
			return err
		}
		if s.depth > maxDepth {
			return tooDeep(s.depth, maxDepth)
		}
		if s.fields > maxExpandedFields {
			return tooManyFields()
		}
		total += s.fields
	}
	if total > maxExpandedFields {
		return tooManyFields()
	}
	for _, f := range doc.Fragments {
		if s := m.frags[f.Name]; s.fields > maxExpandedFields {
			return tooManyFields()
		}
	}
	// Every definition is bounded now, so walking each one expanded is bounded too.
	budget := maxWalkedFields
	for _, op := range doc.Operations {
		if err := m.merged(op.SelectionSet, "", map[string]int{}, &budget); err != nil {
			return err
		}
	}
	for _, f := range doc.Fragments {
		if err := m.merged(f.SelectionSet, "", map[string]int{}, &budget); err != nil {
			return err
		}
	}
	return nil
}

// size is what a selection set expands to: its fields (saturating above
// maxExpandedFields) and its depth in field levels (introspection not counted).
type size struct{ fields, depth int }

type docMeasure struct {
	doc      *ast.QueryDocument
	frags    map[string]size
	visiting map[string]bool
}

func newDocMeasure(doc *ast.QueryDocument) *docMeasure {
	return &docMeasure{doc: doc, frags: map[string]size{}, visiting: map[string]bool{}}
}

// fragment measures the named fragment once; an unknown one is empty (validation
// reports it), one that spreads itself is refused.
func (m *docMeasure) fragment(name string) (size, *gqlerror.Error) {
	if s, ok := m.frags[name]; ok {
		return s, nil
	}
	if m.visiting[name] {
		err := gqlerror.Errorf("Cannot spread fragment %q within itself.", name)
		errcode.Set(err, errcode.ValidationFailed)
		return size{}, err
	}
	def := m.doc.Fragments.ForName(name)
	if def == nil {
		return size{}, nil
	}
	m.visiting[name] = true
	s, err := m.set(def.SelectionSet)
	delete(m.visiting, name)
	if err != nil {
		return size{}, err
	}
	m.frags[name] = s
	return s, nil
}

func (m *docMeasure) set(set ast.SelectionSet) (size, *gqlerror.Error) {
	var out size
	for _, sel := range set {
		var s size
		switch sel := sel.(type) {
		case *ast.Field:
			sub, err := m.set(sel.SelectionSet)
			if err != nil {
				return size{}, err
			}
			s.fields = 1 + sub.fields
			if sel.Name != "__schema" && sel.Name != "__type" {
				s.depth = 1 + sub.depth
			}
		case *ast.InlineFragment:
			sub, err := m.set(sel.SelectionSet)
			if err != nil {
				return size{}, err
			}
			s = sub
		case *ast.FragmentSpread:
			sub, err := m.fragment(sel.Name)
			if err != nil {
				return size{}, err
			}
			s = sub
		}
		out.fields = min(out.fields+s.fields, maxExpandedFields+1)
		out.depth = max(out.depth, s.depth)
	}
	return out, nil
}

// merged counts, along the expanded tree of set, how many fields land on each response
// path, and refuses a path with more than maxMergedFields.
func (m *docMeasure) merged(set ast.SelectionSet, path string, counts map[string]int, budget *int) *gqlerror.Error {
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			*budget--
			if *budget < 0 {
				return tooManyFields()
			}
			key := sel.Alias
			if key == "" {
				key = sel.Name
			}
			p := path + "." + key
			counts[p]++
			if counts[p] > maxMergedFields {
				return &gqlerror.Error{
					Message:    fmt.Sprintf("the field %q is selected more than %d times at one place", key, maxMergedFields),
					Extensions: map[string]any{"code": codeComplexity},
				}
			}
			if err := m.merged(sel.SelectionSet, p, counts, budget); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := m.merged(sel.SelectionSet, path, counts, budget); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if def := m.doc.Fragments.ForName(sel.Name); def != nil {
				if err := m.merged(def.SelectionSet, path, counts, budget); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func tooManyFields() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("the document expands to more than %d fields", maxExpandedFields),
		Extensions: map[string]any{"code": codeComplexity},
	}
}

func tooDeep(depth, limit int) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf("operation is nested %d levels deep, more than the limit of %d", depth, limit),
		Extensions: map[string]any{"code": codeTooDeep},
	}
}

// requestAlive refuses to go on with a request whose client has gone: the last step
// before execution.
type requestAlive struct{}

func (requestAlive) ExtensionName() string                   { return "RequestAlive" }
func (requestAlive) Validate(graphql.ExecutableSchema) error { return nil }
func (requestAlive) MutateOperationContext(ctx context.Context, _ *graphql.OperationContext) *gqlerror.Error {
	if ctx.Err() != nil {
		return canceledError()
	}
	return nil
}

// canceledError is the error of a request whose client went away: not the client's
// mistake and not an internal error; nobody reads it.
func canceledError() *gqlerror.Error {
	return codedError(profile.Canceled, "the request was canceled")
}

// entitiesLimit refuses an `_entities` call with more than
// profile.MaxEntityRepresentations representations before execution.
type entitiesLimit struct{}

func (entitiesLimit) ExtensionName() string                   { return "EntitiesLimit" }
func (entitiesLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (entitiesLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if f.Name != "_entities" {
			continue
		}
		reps, _ := f.ArgumentMap(op.Variables)["representations"].([]any)
		if n := len(reps); n > profile.MaxEntityRepresentations {
			return &gqlerror.Error{
				Message:    fmt.Sprintf("_entities takes at most %d representations per call, got %d", profile.MaxEntityRepresentations, n),
				Path:       ast.Path{ast.PathName(f.Alias)},
				Extensions: map[string]any{"code": string(profile.BadUserInput)},
			}
		}
	}
	return nil
}

// complexityLimit refuses operations whose complexity (listCost) exceeds limit.
type complexityLimit struct {
	limit int
	es    graphql.ExecutableSchema
}

func (*complexityLimit) ExtensionName() string { return "ComplexityLimit" }
func (c *complexityLimit) Validate(es graphql.ExecutableSchema) error {
	c.es = listCost{es}
	return nil
}

func (c *complexityLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	n := complexity.Calculate(ctx, c.es, op.Operation, op.Variables)
	if n > c.limit {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("operation has complexity %d, which exceeds the limit of %d", n, c.limit),
			Extensions: map[string]any{"code": codeComplexity},
		}
	}
	return nil
}

// listCost is the executable schema with the costs of SPEC §7: lists count their
// bound, root fields that load data cost rootFieldCost.
type listCost struct{ graphql.ExecutableSchema }

func (l listCost) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	switch typeName + "." + field {
	case "Query.viewer", "Query.viewerAccount", "Query.person", "Query.appAccount":
		return addCost(rootFieldCost, child), true
	case "Query._entities":
		reps, _ := args["representations"].([]any)
		return addCost(rootFieldCost, mulCost(len(reps), child)), true
	case "Person.accounts":
		return addCost(1, mulCost(profile.MaxAccountsPerPerson, child)), true
	case "Person.activity", "AppAccount.crossPosts":
		n := profile.DefaultActivityPage
		if v, ok := args["first"]; ok && v != nil {
			n = intArg(v, profile.MaxActivityPage)
		}
		n = min(max(n, 1), profile.MaxActivityPage)
		return addCost(1, mulCost(n, child)), true
	case "AppAccount.devices":
		return addCost(1, mulCost(profile.MaxDevices, child)), true
	}
	return l.ExecutableSchema.Complexity(ctx, typeName, field, child, args)
}

// intArg reads an Int argument as gqlgen hands it over (a literal, or a variable
// decoded with UseNumber); anything else is worst.
func intArg(v any, worst int) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(max(min(n, math.MaxInt32), math.MinInt32))
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 32); err == nil {
			return int(i)
		}
	}
	return worst
}

func addCost(a, b int) int { return min(a+b, math.MaxInt32) }

func mulCost(a, b int) int {
	if a <= 0 || b <= 0 {
		return max(a, 0) * max(b, 0)
	}
	if a > math.MaxInt32/b {
		return math.MaxInt32
	}
	return a * b
}

// introspectionPolicy enables introspection, or with INTROSPECTION=false refuses
// `__schema` and `__type` while keeping `_service` (gqlgen guards both with one flag).
type introspectionPolicy struct{ enabled bool }

func (introspectionPolicy) ExtensionName() string                   { return "IntrospectionPolicy" }
func (introspectionPolicy) Validate(graphql.ExecutableSchema) error { return nil }
func (p introspectionPolicy) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if p.enabled {
		op.DisableIntrospection = false
		return nil
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if f.Name == "__schema" || f.Name == "__type" {
			return codedError("GRAPHQL_VALIDATION_FAILED", "introspection is disabled")
		}
	}
	op.DisableIntrospection = false // only _service remains, which gqlgen guards with it
	return nil
}
