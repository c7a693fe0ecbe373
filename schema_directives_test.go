package main

// The access rules the SDL states for a router (SPEC §8) cover the whole schema, so a
// field added later cannot silently skip them.

import (
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/profilegraph/profilegraph/graph"
)

// serviceMutations are the mutations only an app backend's service token may call.
var serviceMutations = map[string]bool{
	"upsertAppAccount": true, "redeemLoginHandoff": true, "crossPost": true, "deleteAppAccount": true,
}

// presentServiceMutations counts the service mutations the schema has.
func presentServiceMutations() int {
	n := 0
	for _, f := range graph.NewExecutableSchema(graph.Config{}).Schema().Mutation.Fields {
		if serviceMutations[f.Name] {
			n++
		}
	}
	return n
}

func TestDirectivesStateEveryAccessRule(t *testing.T) {
	t.Parallel()
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, root := range []string{"Query", "Mutation"} {
		for _, f := range schema.Types[root].Fields {
			if f.Name[0] == '_' {
				continue // the gateway's own fields need no token
			}
			t.Run(root+"."+f.Name, func(t *testing.T) {
				if f.Directives.ForName("authenticated") == nil {
					t.Errorf("%s.%s needs a token but has no @authenticated", root, f.Name)
				}
				scopes := f.Directives.ForName("requiresScopes")
				if serviceMutations[f.Name] != (scopes != nil) {
					t.Errorf("%s.%s: @requiresScopes present = %v, want %v", root, f.Name, scopes != nil, serviceMutations[f.Name])
				}
				if scopes != nil {
					if got := scopes.Arguments.ForName("scopes").Value.String(); got != `[["accounts:write"]]` {
						t.Errorf("%s.%s scopes = %s", root, f.Name, got)
					}
				}
			})
		}
	}
	for _, name := range []string{"Person", "AppAccount"} {
		if schema.Types[name].Directives.ForName("authenticated") == nil {
			t.Errorf("entity %s (reachable through _entities) has no @authenticated", name)
		}
	}
	// Every list field of the graph's own types has a size for demand control.
	for _, typ := range schema.Types {
		if typ.Kind != ast.Object || typ.BuiltIn || typ.Name == "Query" || typ.Name == "Mutation" || typ.Name[0] == '_' {
			continue
		}
		for _, f := range typ.Fields {
			if f.Type.Elem == nil || typ.Name == "ActivityConnection" || typ.Name == "CrossPostConnection" {
				continue // connections' edges are sized by their parent's `first`
			}
			if f.Directives.ForName("listSize") == nil {
				t.Errorf("list field %s.%s has no @listSize", typ.Name, f.Name)
			}
		}
	}
}
