package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 1 of issue 9: refusing a document costs bounded work, before validation, with
// or without a token. On the old code the 40-fragment documents never finish (the
// complexity walk, the depth walk and the auth gate expand 2^40 fields), so these
// tests time out there.
func TestE2EHardeningExpansionIsBounded(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "exp-fb"}, account{App: profile.AppInstagram, UserID: "exp-ig"})
	tok := userToken(t, profile.AppFacebook, "exp-fb")

	refused := func(t *testing.T, token, query, code, msgPart string) {
		t.Helper()
		before := s.dbQueries(t)
		r := s.query(t, token, query, nil)
		if after := s.dbQueries(t); after != before {
			t.Fatalf("the refused document ran %v SQL queries", after-before)
		}
		if r.Data != nil || len(r.Errors) != 1 || r.Errors[0].Code() != code || !strings.Contains(r.Errors[0].Message, msgPart) {
			t.Fatalf("want one %s error mentioning %q and no data, got (status %d) %.500s", code, msgPart, r.Status, r.Raw)
		}
	}

	personDoubling := doublingDocument(40, "viewer { ...F0 }", "Person", "id")
	queryDoubling := doublingDocument(40, "...F0", "Query", "viewer { id }")
	if len(personDoubling) > 2048 || len(queryDoubling) > 2048 {
		t.Fatalf("the documents should be about 1 KB: %d and %d bytes", len(personDoubling), len(queryDoubling))
	}
	for _, tc := range []struct{ name, token, query string }{
		{"40 doubling fragments on Person, with a token", tok, personDoubling},
		{"40 doubling fragments on Person, without a token", "", personDoubling},
		{"40 doubling fragments on Query, with a token", tok, queryDoubling},
		{"40 doubling fragments on Query, without a token (the auth gate's walk)", "", queryDoubling},
	} {
		t.Run(tc.name+" are refused before validation", func(t *testing.T) {
			refused(t, tc.token, tc.query, "COMPLEXITY_LIMIT_EXCEEDED", "expands to more than")
		})
	}

	t.Run("doubling fragments nested in fields are refused too", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ viewer { ...F0 } }\n")
		for i := range 5 { // 8^5 fields within the depth limit
			fmt.Fprintf(&b, "fragment F%d on Person {", i)
			for a := range 8 {
				fmt.Fprintf(&b, " a%d: accounts { person { ...F%d } }", a, i+1)
			}
			b.WriteString(" }\n")
		}
		b.WriteString("fragment F5 on Person { id }\n")
		refused(t, tok, b.String(), "COMPLEXITY_LIMIT_EXCEEDED", "expands to more than")
	})

	t.Run("2000 copies of one field are refused before validation compares them pairwise", func(t *testing.T) {
		refused(t, "", "{"+strings.Repeat(" __typename", 2000)+" }", "COMPLEXITY_LIMIT_EXCEEDED", "selected more than")
	})

	t.Run("copies merged through fragments count as one place", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ viewer {")
		for i := range 40 {
			fmt.Fprintf(&b, " ...P%d", i)
		}
		b.WriteString(" } }\n")
		for i := range 40 {
			fmt.Fprintf(&b, "fragment P%d on Person { id }\n", i)
		}
		refused(t, tok, b.String(), "COMPLEXITY_LIMIT_EXCEEDED", "selected more than")
	})

	t.Run("a document over the parser's token limit is refused by the parser", func(t *testing.T) {
		refused(t, "", aliasedDocument("", "__typename", 6000), "GRAPHQL_PARSE_FAILED", "token limit")
	})

	t.Run("nesting deeper than 12 through fragments is refused without expanding them", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("{ viewer { ...D0 } }\n")
		for i := range 12 {
			fmt.Fprintf(&b, "fragment D%d on Person { accounts { person { ...D%d ...D%d } } }\n", i, i+1, i+1)
		}
		b.WriteString("fragment D12 on Person { id }\n")
		refused(t, tok, b.String(), "QUERY_TOO_DEEP", "levels deep")
	})

	t.Run("small documents with fragments still run", func(t *testing.T) {
		r := mustOK(t, s.query(t, tok, `{ viewer { ...A ...B } } fragment A on Person { id } fragment B on Person { id profile { displayName } }`, nil))
		if r.Get("viewer.id") == nil {
			t.Fatalf("no viewer: %s", r.Raw)
		}
	})

	t.Run("GraphiQL's introspection query is within the bounds", func(t *testing.T) {
		r := mustOK(t, s.query(t, "", introspectionQuery, nil))
		if r.Get("__schema.queryType.name") != "Query" {
			t.Fatalf("introspection: %.300s", r.Raw)
		}
	})
}

// introspectionQuery is GraphiQL's standard introspection query (15 levels deep).
const introspectionQuery = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }
}`
