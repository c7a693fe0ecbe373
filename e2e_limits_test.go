package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// nested returns a selection of viewer { accounts { person { accounts { … } } } } that
// is depth fields deep, ending in id.
func nested(depth int) string {
	var open strings.Builder
	open.WriteString("viewer")
	for i := 2; i < depth; i++ {
		if i%2 == 0 {
			open.WriteString(" { accounts")
		} else {
			open.WriteString(" { person")
		}
	}
	return "{ " + open.String() + " { id }" + strings.Repeat(" }", depth-2) + " }"
}

func TestE2EAbuseLimits(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "gus-fb"}, account{App: profile.AppInstagram, UserID: "gus-ig"})
	tok := userToken(t, profile.AppFacebook, "gus-fb")

	// refusedBeforeExecution runs send and fails unless it ran no SQL.
	refusedBeforeExecution := func(t *testing.T, send func() *gqlResponse) *gqlResponse {
		t.Helper()
		before := s.dbQueries(t)
		r := send()
		if after := s.dbQueries(t); after != before {
			t.Fatalf("the refused request ran %v SQL queries: it was executed\n%s", after-before, r.Raw)
		}
		if r.Data != nil {
			t.Fatalf("a refused request returned data: %s", r.Raw)
		}
		return r
	}
	wantCode := func(t *testing.T, r *gqlResponse, code string) {
		t.Helper()
		if len(r.Errors) == 0 || r.Errors[0].Code() != code {
			t.Fatalf("want error %s, got %s", code, r.Raw)
		}
	}

	t.Run("1000 aliased copies of a root field are refused by complexity", func(t *testing.T) {
		doc := aliasedDocument("", "viewer { id }", 1000)
		r := refusedBeforeExecution(t, func() *gqlResponse { return s.query(t, tok, doc, nil) })
		wantCode(t, r, "COMPLEXITY_LIMIT_EXCEEDED")
	})

	t.Run("a few aliases are allowed", func(t *testing.T) {
		r := mustOK(t, s.query(t, tok, `{ a: viewer { id } b: viewer { id } c: viewerAccount { appUserId } }`, nil))
		if r.Get("a.id") == nil || r.Get("a.id") != r.Get("b.id") {
			t.Fatalf("aliases resolved differently: %s", r.Raw)
		}
	})

	t.Run("a 24-level nesting is refused by depth", func(t *testing.T) {
		r := refusedBeforeExecution(t, func() *gqlResponse { return s.query(t, tok, nested(24), nil) })
		wantCode(t, r, "QUERY_TOO_DEEP")
	})

	t.Run("a 12-level nesting is allowed", func(t *testing.T) {
		r := mustOK(t, s.query(t, tok, nested(12), nil))
		if r.Get("viewer.accounts.0.person.accounts.0.person.accounts.0.person.accounts.0.person.accounts.0.person.id") == nil {
			t.Fatalf("12 levels did not resolve: %s", r.Raw)
		}
	})

	t.Run("a fragment cycle is refused by validation", func(t *testing.T) {
		q := `{ viewer { ...A } }
			fragment A on Person { accounts { person { ...B } } }
			fragment B on Person { id ...A }`
		r := refusedBeforeExecution(t, func() *gqlResponse { return s.query(t, tok, q, nil) })
		wantCode(t, r, "GRAPHQL_VALIDATION_FAILED")
	})

	t.Run("a JSON array batch of operations is refused", func(t *testing.T) {
		body, _ := json.Marshal([]any{
			map[string]any{"query": `{ viewer { id } }`},
			map[string]any{"query": `{ viewerAccount { id } }`},
		})
		var status int
		var raw []byte
		refusedBeforeExecution(t, func() *gqlResponse {
			var err error
			status, raw, err = s.rawPost(tok, body, false)
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			out := &gqlResponse{Status: status, Raw: string(raw)}
			_ = json.Unmarshal(raw, out) // any error body will do; data must be absent
			return out
		})
		if status < 400 || status > 499 {
			t.Fatalf("batch answered %d, want 4xx: %s", status, raw)
		}
	})

	for _, chunked := range []bool{false, true} {
		name := "a body over 1 MiB is 413"
		if chunked {
			name += " even without Content-Length"
		}
		t.Run(name, func(t *testing.T) {
			pad := strings.Repeat("x", 1<<20)
			body, _ := json.Marshal(map[string]any{"query": `{ viewer { id } }`, "variables": map[string]any{"pad": pad}})
			status, raw, err := s.rawPost(tok, body, chunked)
			if err != nil {
				t.Fatalf("post: %v", err)
			}
			if status != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %.300s", status, raw)
			}
			if !bytes.Contains(raw, []byte(`"errors"`)) {
				t.Fatalf("413 without a GraphQL error body: %.300s", raw)
			}
		})
	}

	t.Run("a body just under 1 MiB is served", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": `{ viewer { id } }`, "variables": map[string]any{"pad": ""}})
		pad := strings.Repeat("x", 1<<20-len(body))
		body, _ = json.Marshal(map[string]any{"query": `{ viewer { id } }`, "variables": map[string]any{"pad": pad}})
		if len(body) != 1<<20 {
			t.Fatalf("body is %d bytes, want exactly 1 MiB", len(body))
		}
		status, raw, err := s.rawPost(tok, body, false)
		if err != nil {
			t.Fatalf("post: %v", err)
		}
		if status != http.StatusOK || !bytes.Contains(raw, []byte(`"viewer":{"id"`)) {
			t.Fatalf("status %d: %.300s", status, raw)
		}
	})
}

func TestE2EOperations(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	for _, path := range []string{"/healthz", "/readyz"} {
		t.Run(path+" is 200", func(t *testing.T) {
			if status, body := s.get(t, path); status != http.StatusOK {
				t.Fatalf("%s: status %d: %s", path, status, body)
			}
		})
	}

	t.Run("metrics count database queries", func(t *testing.T) {
		mustOK(t, s.query(t, s.mkUser(t, profile.AppFacebook, "hal-fb"), `{ viewerAccount { id } }`, nil))
		if n := s.dbQueries(t); n <= 0 {
			t.Fatalf("profilegraph_db_queries_total = %v after queries, want > 0", n)
		}
	})
}
