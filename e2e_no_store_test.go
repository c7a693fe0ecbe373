package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 9 of issue 9: every /graphql response carries Cache-Control: private,
// no-store, errors and 401 included (SPEC §7). The old code sent none on GraphQL
// answers and "no-store" alone on 401.
func TestE2EHardeningGraphQLResponsesAreNotStored(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	auth := "Bearer " + s.mkUser(t, profile.AppFacebook, "ns-fb")
	ct := "application/json"
	for _, tc := range []struct {
		name, method, path string
		headers            map[string]string
		body               string
	}{
		{"a query", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": ct}, `{"query":"{ viewerAccount { id } }"}`},
		{"a GET query", "GET", "/graphql?query=" + url.QueryEscape("{ viewerAccount { id } }"), map[string]string{"Authorization": auth}, ""},
		{"no token", "POST", "/graphql", map[string]string{"Content-Type": ct}, `{"query":"{ viewerAccount { id } }"}`},
		{"a bad token", "POST", "/graphql", map[string]string{"Authorization": "Bearer x.y.z", "Content-Type": ct}, `{"query":"{ viewerAccount { id } }"}`},
		{"a validation error", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": ct}, `{"query":"{ nope }"}`},
		{"an undecodable body", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": ct}, `{"query":`},
		{"a body over 1 MiB", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": ct}, `{"query":"` + strings.Repeat(" ", 1<<20) + `"}`},
		{"the SDL", "POST", "/graphql", map[string]string{"Content-Type": ct}, `{"query":"{ _service { sdl } }"}`},
		{"OPTIONS", "OPTIONS", "/graphql", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := s.send(t, tc.method, tc.path, tc.headers, tc.body)
			if got := r.Header.Get("Cache-Control"); got != "private, no-store" {
				t.Fatalf("status %d: Cache-Control = %q, want \"private, no-store\"", r.Status, got)
			}
		})
	}
}
