// Package gqlexec holds the run-time half of the project's gqlgen generate step
// (internal/generate): list marshaling that is concurrent only where it has to be.
package gqlexec

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/plugin/federation/fedruntime"
	"github.com/vektah/gqlparser/v2/ast"
)

// EntityGuard is implemented by a resolver root that checks the representations of an
// _entities call before gqlgen's federation code reads them (the generated
// __resolve_entities calls it): resolve resolves the representations it passes on, in
// their order, and the guard returns the entities, one per representation.
type EntityGuard interface {
	GuardEntities(ctx context.Context, representations []map[string]any,
		resolve func(ctx context.Context, representations []map[string]any) []fedruntime.Entity) []fedruntime.Entity
}

// Fields are field names by object type name.
type Fields map[string]map[string]bool

// MarshalSlice marshals a list of length elements as graphql.MarshalSliceConcurrently
// does, with the same field contexts, error paths and panic handling, but in a plain
// loop on the calling goroutine unless some field selected below the list is in
// concurrent (a field that may block on I/O, such as a dataloader): then elements must
// run concurrently so that their loads share a batch.
func MarshalSlice(ctx context.Context, concurrent Fields, length int, workerLimit int64, omitPanicHandler bool,
	marshalElement func(ctx context.Context, i int) graphql.Marshaler,
) graphql.Array {
	if length > 1 && MayBlock(ctx, concurrent) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	for i := 0; i < length; i++ {
		idx := i
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &idx})
		if omitPanicHandler {
			ret[i] = marshalElement(childCtx, i)
			continue
		}
		panicked := func() (p bool) {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					p = true
				}
			}()
			ret[i] = marshalElement(childCtx, i)
			return false
		}()
		if panicked {
			return nil
		}
	}
	return ret
}

// MayBlock reports whether the selection of the field of ctx selects, at any depth, a
// field of concurrent. Fields of abstract types (interfaces, unions) count when the
// name is concurrent on any type; directives (@skip, @include) are ignored, which can
// only make it answer true more often.
func MayBlock(ctx context.Context, concurrent Fields) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return true
	}
	w := walker{concurrent: concurrent}
	return w.set(fc.Field.Selections)
}

type walker struct {
	concurrent Fields
	seen       map[*ast.FragmentDefinition]bool
}

func (w *walker) set(ss ast.SelectionSet) bool {
	for _, s := range ss {
		switch s := s.(type) {
		case *ast.Field:
			if w.field(s) || w.set(s.SelectionSet) {
				return true
			}
		case *ast.InlineFragment:
			if w.set(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			d := s.Definition
			if d == nil {
				return true // not validated: be safe
			}
			if w.seen[d] {
				continue
			}
			if w.seen == nil {
				w.seen = map[*ast.FragmentDefinition]bool{}
			}
			w.seen[d] = true
			if w.set(d.SelectionSet) {
				return true
			}
		}
	}
	return false
}

func (w *walker) field(f *ast.Field) bool {
	def := f.ObjectDefinition
	if def == nil {
		return true
	}
	if def.Kind == ast.Object {
		return w.concurrent[def.Name][f.Name]
	}
	for _, fields := range w.concurrent {
		if fields[f.Name] {
			return true
		}
	}
	return false
}
