package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestE2EIntrospection: GraphiQL's full introspection query is served despite the
// depth limit, and every schema element of ours has a description.
func TestE2EIntrospection(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("GraphiQL's full introspection query is served despite the depth limit", func(t *testing.T) {
		fedSetup(t) // node and the federation packages (graphql builds the query)
		out, err := nodeCmd("-e",
			`const {getIntrospectionQuery}=require("graphql"); process.stdout.write(getIntrospectionQuery({descriptions:true, inputValueDeprecation:true}))`).Output()
		if err != nil {
			t.Fatalf("build the introspection query with node: %v", err)
		}
		r := mustOK(t, s.query(t, "", string(out), nil))
		types, _ := r.Get("__schema.types").([]any)
		if len(types) < 20 {
			t.Fatalf("introspection returned %d types", len(types))
		}
		// Every type, field, argument and enum value of ours carries a description
		// (SPEC §9); built-in scalars and what federation injects are not ours.
		var missing []string
		need := func(el map[string]any, path string) {
			if d, _ := el["description"].(string); strings.TrimSpace(d) == "" {
				missing = append(missing, path)
			}
		}
		for _, ty := range ownElements(types) {
			name := ty["name"].(string)
			need(ty, name)
			for _, list := range []string{"fields", "inputFields", "enumValues"} {
				for _, f := range ownElements(ty[list]) {
					fname := name + "." + f["name"].(string)
					need(f, fname)
					args, _ := f["args"].([]any)
					for _, a := range args {
						am := a.(map[string]any)
						need(am, fname+"("+am["name"].(string)+")")
					}
				}
			}
		}
		if len(missing) > 0 {
			t.Fatalf("schema elements without a description: %v", missing)
		}
	})
}

// nodeCmd runs node inside testdata/federation/, where the graphql package is installed.
func nodeCmd(args ...string) *exec.Cmd {
	c := exec.Command("node", args...)
	c.Dir = fedDir
	return c
}

// ownElements returns the elements of an introspection list (types, fields, input
// fields or enum values) whose names are ours (ownSchemaName).
func ownElements(list any) []map[string]any {
	items, _ := list.([]any)
	var out []map[string]any
	for _, it := range items {
		m := it.(map[string]any)
		if ownSchemaName(m["name"].(string)) {
			out = append(out, m)
		}
	}
	return out
}

// ownSchemaName reports whether a type or field name is profilegraph's own rather than
// a GraphQL built-in or something the federation plugin injects.
func ownSchemaName(name string) bool {
	switch name {
	case "String", "Int", "Float", "Boolean", "ID", "FieldSet",
		// gqlgen's federation plugin adds these for its entity resolvers.
		"Entity", "AppAccountByAppAndAppUserIDsInput", "AppAccountByIDsInput", "PersonByIDsInput":
		return false
	}
	return !strings.HasPrefix(name, "_") && !strings.Contains(name, "__")
}
