package gqlexec_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/profilegraph/profilegraph/graph"
	"github.com/profilegraph/profilegraph/internal/gqlexec"
)

// listField parses query against the real schema and returns a context whose field is
// the root field named root, as gqlgen gives it to a list marshaler.
func listField(t *testing.T, query, root string) context.Context {
	t.Helper()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if errs != nil {
		t.Fatalf("query: %v", errs)
	}
	for _, s := range doc.Operations[0].SelectionSet {
		if f, ok := s.(*ast.Field); ok && f.Name == root {
			ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
			return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: f, Selections: f.SelectionSet}})
		}
	}
	t.Fatalf("no root field %s", root)
	return nil
}

func TestTheGeneratedTableNamesTheFieldsThatDoIO(t *testing.T) {
	for typ, fields := range map[string][]string{
		"Person": {"settings", "activity", "crossPostTargets"},
		"Query":  {"viewer", "person", "appAccount", "_entities"},
	} {
		for _, f := range fields {
			if !graph.ConcurrentFields[typ][f] {
				t.Errorf("%s.%s is not in the table of concurrent fields", typ, f)
			}
		}
	}
	// The views' fields are plain methods: they must run inline.
	for typ, fields := range map[string][]string{
		"Person":     {"id", "profile", "accounts", "consents", "ageRange"},
		"AppAccount": {"username", "displayName", "avatar", "person", "phoneNumber"},
		"Profile":    {"displayName", "sources"},
		"Avatar":     {"url"},
	} {
		for _, f := range fields {
			if graph.ConcurrentFields[typ][f] {
				t.Errorf("%s.%s is concurrent: it should read a view inline", typ, f)
			}
		}
	}
}

func TestMayBlock(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		want        bool
	}{
		{"the gateway's author cards", `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id profile { displayName avatar { url(size: 64) } sources { field app } } } } }`, false},
		{"accounts of persons", `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { accounts { username person { id profile { bio } } } } } }`, false},
		{"settings below", `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id settings { version } } } }`, true},
		{"activity deep below", `query($r: [_Any!]!) { _entities(representations: $r) { ... on AppAccount { person { activity { edges { cursor } } } } } }`, true},
		{"through a fragment", `query($r: [_Any!]!) { _entities(representations: $r) { ...P } } fragment P on Person { crossPostTargets(from: FACEBOOK) }`, true},
		{"a fragment without I/O", `query($r: [_Any!]!) { _entities(representations: $r) { ...P ...P2 } } fragment P on Person { id ...P2 } fragment P2 on Person { profile { bio } }`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gqlexec.MayBlock(listField(t, tc.query, "_entities"), graph.ConcurrentFields); got != tc.want {
				t.Errorf("MayBlock = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMarshalSlice(t *testing.T) {
	const plain = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }`
	const blocking = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { settings { version } } } }`

	t.Run("elements without I/O run one after another, with their index", func(t *testing.T) {
		var running, overlaps atomic.Int32
		ret := gqlexec.MarshalSlice(listField(t, plain, "_entities"), graph.ConcurrentFields, 50, 0, false,
			func(ctx context.Context, i int) graphql.Marshaler {
				if running.Add(1) > 1 {
					overlaps.Add(1)
				}
				defer running.Add(-1)
				if fc := graphql.GetFieldContext(ctx); fc.Index == nil || *fc.Index != i {
					t.Errorf("element %d has index %v", i, fc.Index)
				}
				return graphql.MarshalInt(i)
			})
		if len(ret) != 50 || overlaps.Load() != 0 {
			t.Fatalf("len %d, %d overlapping elements; want 50 and none", len(ret), overlaps.Load())
		}
	})
	t.Run("elements that may block run concurrently", func(t *testing.T) {
		// Every element waits until all have started: only concurrent marshaling ends.
		var wg sync.WaitGroup
		wg.Add(3)
		done := make(chan graphql.Array)
		go func() {
			done <- gqlexec.MarshalSlice(listField(t, blocking, "_entities"), graph.ConcurrentFields, 3, 0, false,
				func(ctx context.Context, i int) graphql.Marshaler {
					wg.Done()
					wg.Wait()
					return graphql.MarshalInt(i)
				})
		}()
		select {
		case ret := <-done:
			if len(ret) != 3 {
				t.Fatalf("len %d, want 3", len(ret))
			}
		case <-time.After(30 * time.Second):
			t.Fatal("elements below a blocking field were marshaled one after another")
		}
	})
	t.Run("a panic nulls the list and reports an error", func(t *testing.T) {
		ctx := graphql.WithResponseContext(listField(t, plain, "_entities"), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
		ret := gqlexec.MarshalSlice(ctx, graph.ConcurrentFields, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
			if i == 1 {
				panic("boom")
			}
			return graphql.MarshalInt(i)
		})
		if ret != nil || len(graphql.GetErrors(ctx)) != 1 {
			t.Fatalf("ret = %v, errors %v; want nil and one error", ret, graphql.GetErrors(ctx))
		}
	})
}
