package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 4 of issue 9: a client's mistake is never INTERNAL or code-less (SPEC §7). On
// the old code undecodable bodies and APQ mismatches were INTERNAL, a GET mutation was
// a 406 without a code, an unsupported content type had no code, and one malformed
// `_entities` representation nulled the good ones of its type.
func TestE2EHardeningClientMistakesHaveTheirCode(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	pid := s.mkPerson(t, account{App: profile.AppFacebook, UserID: "ce-fb"}, account{App: profile.AppInstagram, UserID: "ce-ig"})
	tok := userToken(t, profile.AppFacebook, "ce-fb")
	auth := "Bearer " + tok
	jsonCT := map[string]string{"Authorization": auth, "Content-Type": "application/json"}
	const viewerQ = `{ viewer { id } }`
	hash := func(q string) string { h := sha256.Sum256([]byte(q)); return hex.EncodeToString(h[:]) }

	for _, tc := range []struct {
		name, method, path string
		headers            map[string]string
		body               string
		status             int
		code               string
	}{
		{"truncated JSON", "POST", "/graphql", jsonCT, `{"query":"{ viewer { id }`, 400, "BAD_REQUEST"},
		{"a JSON array of operations", "POST", "/graphql", jsonCT, `[{"query":"{ viewer { id } }"}]`, 400, "BAD_REQUEST"},
		{"operationName that is not a string", "POST", "/graphql", jsonCT, `{"query":"{ viewer { id } }","operationName":5}`, 400, "BAD_REQUEST"},
		{"variables that are not an object", "POST", "/graphql", jsonCT, `{"query":"{ viewer { id } }","variables":[1]}`, 400, "BAD_REQUEST"},
		{"an empty body", "POST", "/graphql", jsonCT, ``, 400, "BAD_REQUEST"},
		{"no query", "POST", "/graphql", jsonCT, `{"qeury":"{ viewer { id } }"}`, 400, "BAD_REQUEST"},
		{"two JSON values", "POST", "/graphql", jsonCT, `{"query":"{ viewer { id } }"} {}`, 400, "BAD_REQUEST"},
		{"an APQ hash that does not match", "POST", "/graphql", jsonCT,
			`{"query":"{ viewer { id } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash("other") + `"}}}`, 200, "BAD_REQUEST"},
		{"an unsupported APQ version", "POST", "/graphql", jsonCT,
			`{"query":"{ viewer { id } }","extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + hash(viewerQ) + `"}}}`, 200, "BAD_REQUEST"},
		{"an unknown APQ hash", "POST", "/graphql", jsonCT,
			`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + hash("never sent") + `"}}}`, 200, "PERSISTED_QUERY_NOT_FOUND"},
		{"a mutation over GET", "GET", "/graphql?query=" + url.QueryEscape(`mutation { unlinkAccount(app: INSTAGRAM) { id } }`),
			map[string]string{"Authorization": auth}, "", 405, "BAD_REQUEST"},
		{"a text/plain body", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": "text/plain"}, `{"query":"{ viewer { id } }"}`, 415, "BAD_REQUEST"},
		{"a form body", "POST", "/graphql", map[string]string{"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"}, `query=%7B%7D`, 415, "BAD_REQUEST"},
		{"no content type", "POST", "/graphql", map[string]string{"Authorization": auth}, `{"query":"{ viewer { id } }"}`, 415, "BAD_REQUEST"},
		{"a PUT", "PUT", "/graphql", jsonCT, `{"query":"{ viewer { id } }"}`, 405, "BAD_REQUEST"},
		{"GET variables that are not JSON", "GET", "/graphql?query=" + url.QueryEscape(viewerQ) + "&variables=%7Bx", map[string]string{"Authorization": auth}, "", 400, "BAD_REQUEST"},
		{"a parse error", "POST", "/graphql", jsonCT, `{"query":"{ viewer { id "}`, 200, "GRAPHQL_PARSE_FAILED"},
		{"an unknown field", "POST", "/graphql", jsonCT, `{"query":"{ viewer { nope } }"}`, 200, "GRAPHQL_VALIDATION_FAILED"},
		{"a variable of the wrong type", "POST", "/graphql", jsonCT, `{"query":"query($id: ID!) { person(id: $id) { id } }","variables":{"id":{"x":1}}}`, 200, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := s.dbQueries(t)
			r := s.send(t, tc.method, tc.path, tc.headers, tc.body)
			var out struct {
				Data   *json.RawMessage `json:"data"`
				Errors []gqlError       `json:"errors"`
			}
			if err := json.Unmarshal([]byte(r.Body), &out); err != nil {
				t.Fatalf("status %d, body is not JSON: %v: %s", r.Status, err, r.Body)
			}
			if r.Status != tc.status || len(out.Errors) != 1 || out.Errors[0].Code() != tc.code {
				t.Fatalf("want %d with one %s error, got %d %s", tc.status, tc.code, r.Status, r.Body)
			}
			if out.Data != nil {
				t.Fatalf("a request error must have no data entry: %s", r.Body)
			}
			if after := s.dbQueries(t); after != before && tc.method != "GET" {
				t.Fatalf("the refused request ran %v SQL queries", after-before)
			}
		})
	}

	t.Run("malformed _entities representations fail at their own index only", func(t *testing.T) {
		reps := []any{
			map[string]any{"__typename": "Person", "id": pid},
			map[string]any{"__typename": "Review", "id": "1"},
			map[string]any{"__typename": "Person", "id": 42},
			map[string]any{"__typename": "Person"},
			map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": "ce-fb"},
			map[string]any{"__typename": "AppAccount", "app": "MYSPACE", "appUserId": "x"},
			map[string]any{"id": pid},
			map[string]any{"__typename": "Person", "id": pid},
		}
		r := s.query(t, tok, `query($r: [_Any!]!) { _entities(representations: $r) {
			... on Person { id } ... on AppAccount { appUserId } } }`, map[string]any{"r": reps})
		if r.Get("_entities.0.id") != pid || r.Get("_entities.7.id") != pid || r.Get("_entities.4.appUserId") != "ce-fb" {
			t.Fatalf("the good representations must resolve: %s", r.Raw)
		}
		for _, i := range []string{"1", "2", "3", "5", "6"} {
			e := r.ErrorAt("_entities." + i)
			if e == nil || e.Code() != "BAD_USER_INPUT" {
				t.Fatalf("want BAD_USER_INPUT at _entities.%s: %s", i, r.Raw)
			}
			if r.Get("_entities."+i) != nil {
				t.Fatalf("_entities.%s should be null: %s", i, r.Raw)
			}
		}
		if len(r.Errors) != 5 {
			t.Fatalf("want exactly 5 errors: %s", r.Raw)
		}
	})
}
