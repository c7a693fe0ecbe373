package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// gatewayPersonQuery is the gateway's real entity fetch shape.
const gatewayPersonQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id profile { displayName username avatar { url } } } } }`

// Class 2 of issue 9: complexity counts list sizes (accounts at most 5 per person,
// `first:`, `_entities` representations), one `_entities` call takes at most 1000
// representations, and the gateway's real shapes stay well inside the limit. On the
// old code the aliased nestings and the activity pages were served and 1001 and 15000
// representations were resolved; the gateway's shapes must keep working now that
// representations count.
func TestE2EHardeningComplexityCountsLists(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "lc-fb"}, account{App: profile.AppInstagram, UserID: "lc-ig"})
	tok := userToken(t, profile.AppFacebook, "lc-fb")
	ids := seedPersons(t, s.DatabaseURL, "lc", 500)

	refused := func(t *testing.T, query string, vars map[string]any, code string) *gqlResponse {
		t.Helper()
		before := s.dbQueries(t)
		r := s.query(t, tok, query, vars)
		if after := s.dbQueries(t); after != before {
			t.Fatalf("the refused request ran %v SQL queries", after-before)
		}
		if r.Data != nil || len(r.Errors) != 1 || r.Errors[0].Code() != code {
			t.Fatalf("want one %s error and no data, got (status %d) %.500s", code, r.Status, r.Raw)
		}
		return r
	}

	// Aliased copies of a selection whose lists multiply: each document is refused.
	for _, c := range []struct {
		name, head, selection string
		copies                int
		vars                  map[string]any
	}{
		{"40 aliases of a nested viewer { accounts { person { accounts … } } } are refused", "",
			"viewer { accounts { person { accounts { person { accounts { id username displayName } } } } } }", 40, nil},
		{"first: multiplies the page", "",
			"viewer { activity(first: 100) { edges { cursor node { id type app at detail } } } }", 20, nil},
		{"first: given as a variable counts too", "query($n: Int) ",
			"viewer { activity(first: $n) { edges { cursor node { id type app at detail } } } }", 20, map[string]any{"n": 100}},
	} {
		t.Run(c.name, func(t *testing.T) {
			refused(t, aliasedDocument(c.head, c.selection, c.copies), c.vars, "COMPLEXITY_LIMIT_EXCEEDED")
		})
	}

	reps := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = map[string]any{"__typename": "Person", "id": ids[i%len(ids)]}
		}
		return out
	}

	t.Run("1001 representations in one _entities call are BAD_USER_INPUT", func(t *testing.T) {
		r := refused(t, gatewayPersonQuery, map[string]any{"r": reps(1001)}, "BAD_USER_INPUT")
		if !strings.Contains(r.Errors[0].Message, "at most 1000") {
			t.Fatalf("the message should give the limit: %s", r.Errors[0].Message)
		}
	})

	t.Run("15000 representations (a 1 MiB body) are BAD_USER_INPUT", func(t *testing.T) {
		refused(t, gatewayPersonQuery, map[string]any{"r": reps(15000)}, "BAD_USER_INPUT")
	})

	for _, n := range []int{50, 500, 1000} {
		t.Run(fmt.Sprintf("the gateway's shape with %d representations is served", n), func(t *testing.T) {
			r := mustOK(t, s.query(t, tok, gatewayPersonQuery, map[string]any{"r": reps(n)}))
			got, _ := r.Data["_entities"].([]any)
			if len(got) != n || r.Get(fmt.Sprintf("_entities.%d.id", n-1)) != ids[(n-1)%len(ids)] {
				t.Fatalf("want %d entities in order, got %d", n, len(got))
			}
		})
	}

	t.Run("an Accounts Center page is served", func(t *testing.T) {
		mustOK(t, s.query(t, tok, `{ viewer { id profile { displayName bio avatar { url } sources { field app } }
			accounts { app linkedAt } consents { sourceApp targetApp category purpose }
			settings { syncProfile version singleSignOn crossPosting { from to } }
			activity(first: 50) { edges { cursor node { id type app at detail } } pageInfo { hasNextPage endCursor } } } }`, nil))
	})
}
