package main

// Helpers shared by the end-to-end tests (TestE2E*): they build persons through the
// public mutations, assert on GraphQL errors and read PostgreSQL directly to prove that
// refused requests wrote nothing. Every TestE2E* test starts its own server on its own
// database (see harness_test.go), so they run in parallel.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// account is an app account a test pushes through its app's service token.
type account struct {
	App    profile.App
	UserID string
	// Fields are extra UpsertAppAccountInput fields; username defaults to UserID with
	// '-' turned into '.'.
	Fields map[string]any
}

// tokenExpiry is the exp of the tokens the tests mint by hand.
func tokenExpiry() time.Time { return time.Now().Add(time.Hour) }

// mkAccount upserts a and returns its id.
func (s *testServer) mkAccount(tb testing.TB, a account) string {
	tb.Helper()
	in := map[string]any{"appUserId": a.UserID, "username": strings.ReplaceAll(a.UserID, "-", ".")}
	for k, v := range a.Fields {
		in[k] = v
	}
	return s.upsert(tb, a.App, in)["id"].(string)
}

// mkPerson upserts every account and links each of accs[1:] into accs[0]'s person. It
// returns the person's id.
func (s *testServer) mkPerson(tb testing.TB, accs ...account) string {
	tb.Helper()
	if len(accs) < 2 {
		tb.Fatalf("mkPerson needs at least two accounts")
	}
	for _, a := range accs {
		s.mkAccount(tb, a)
	}
	var id string
	for _, a := range accs[1:] {
		r := mustOK(tb, s.link(tb, accs[0].App, accs[0].UserID, a.App, a.UserID))
		id = r.Get("linkAccount.id").(string)
	}
	return id
}

// wantEq fails unless the value at path is want (compared after a JSON round trip, so
// numbers are float64) and no error is reported at path.
func wantEq(tb testing.TB, r *gqlResponse, path string, want any) {
	tb.Helper()
	if e := r.ErrorAt(path); e != nil {
		tb.Fatalf("%s: unexpected error %s %q\n%s", path, e.Code(), e.Message, r.Raw)
	}
	if got := r.Get(path); !reflect.DeepEqual(got, want) {
		tb.Fatalf("%s = %#v, want %#v\n%s", path, got, want, r.Raw)
	}
}

// wantHidden fails unless path is null and no error is reported at path: a hidden value
// that must not reveal anything.
func wantHidden(tb testing.TB, r *gqlResponse, path string) {
	tb.Helper()
	if e := r.ErrorAt(path); e != nil {
		tb.Fatalf("%s: want null without error, got error %s %q\n%s", path, e.Code(), e.Message, r.Raw)
	}
	if got := r.Get(path); got != nil {
		tb.Fatalf("%s = %#v, want null\n%s", path, got, r.Raw)
	}
}

// wantDenied fails unless path is null with an error of code at path; it returns the
// error.
func wantDenied(tb testing.TB, r *gqlResponse, path, code string) *gqlError {
	tb.Helper()
	if got := r.Get(path); got != nil {
		tb.Fatalf("%s = %#v, want null with %s\n%s", path, got, code, r.Raw)
	}
	e := r.ErrorAt(path)
	if e == nil {
		tb.Fatalf("%s: want error %s, got none\n%s", path, code, r.Raw)
	}
	if e.Code() != code {
		tb.Fatalf("%s: error code %q (%q), want %s\n%s", path, e.Code(), e.Message, code, r.Raw)
	}
	return e
}

// wantConsentRequired fails unless path is null with CONSENT_REQUIRED naming category
// and sourceApp in its extensions.
func wantConsentRequired(tb testing.TB, r *gqlResponse, path, category string, source profile.App) {
	tb.Helper()
	e := wantDenied(tb, r, path, "CONSENT_REQUIRED")
	if e.Extensions["category"] != category || e.Extensions["sourceApp"] != string(source) {
		tb.Fatalf("%s: CONSENT_REQUIRED extensions %v, want category %s and sourceApp %s", path, e.Extensions, category, source)
	}
}

// wantOnlyError fails unless r is a refusal: no data and exactly one error, of code.
func wantOnlyError(tb testing.TB, r *gqlResponse, code string) {
	tb.Helper()
	if r.Data != nil {
		tb.Fatalf("want no data, got %v\n%s", r.Data, r.Raw)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != code {
		tb.Fatalf("want exactly one %s error, got %s", code, r.Raw)
	}
}

// sources returns profile.sources at path as "field:APP" strings.
func sources(tb testing.TB, r *gqlResponse, path string) map[string]bool {
	tb.Helper()
	list, ok := r.Get(path).([]any)
	if !ok {
		tb.Fatalf("%s is not a list\n%s", path, r.Raw)
	}
	out := map[string]bool{}
	for _, x := range list {
		m := x.(map[string]any)
		out[fmt.Sprintf("%s:%s", m["field"], m["app"])] = true
	}
	return out
}

// openDB connects to the server's database, closed at the end of the test.
func openDB(tb testing.TB, s *testServer) *pgx.Conn {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.DatabaseURL)
	if err != nil {
		tb.Fatalf("connect to the test database: %v", err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// dbTables are the tables a snapshot covers: every table of the schema.
var dbTables = []string{"persons", "accounts", "settings", "consents", "activity", "login_handoffs", "devices", "cross_posts", "erasures"}

// snapshot returns every row of every table, in a stable order, as text.
func snapshot(tb testing.TB, db *pgx.Conn) string {
	tb.Helper()
	var b strings.Builder
	for _, t := range dbTables {
		var rows string
		q := fmt.Sprintf(`SELECT coalesce(json_agg(x ORDER BY x::text)::text, '[]') FROM %s x`, t)
		if err := db.QueryRow(context.Background(), q).Scan(&rows); err != nil {
			tb.Fatalf("snapshot %s: %v", t, err)
		}
		fmt.Fprintf(&b, "%s: %s\n", t, rows)
	}
	return b.String()
}

// wantUnchanged fails if the database differs from before.
func wantUnchanged(tb testing.TB, db *pgx.Conn, before string) {
	tb.Helper()
	if after := snapshot(tb, db); after != before {
		tb.Fatalf("the database changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

// dbVal runs a one-value query.
func dbVal[T any](tb testing.TB, db *pgx.Conn, sql string, args ...any) T {
	tb.Helper()
	var v T
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&v); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
	return v
}

// rawPost posts body to /graphql and returns the status and the body of the answer.
// It never calls tb.Fatal, so goroutines may use it. With chunked set the request has
// no Content-Length.
func (s *testServer) rawPost(token string, body []byte, chunked bool) (int, []byte, error) {
	var r io.Reader = bytes.NewReader(body)
	if chunked {
		r = io.MultiReader(r) // hides the length: sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return resp.StatusCode, raw, err
}

// tryQuery is query for goroutines: it returns an error instead of failing the test.
func (s *testServer) tryQuery(token, query string, vars map[string]any) (*gqlResponse, error) {
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	status, raw, err := s.rawPost(token, b, false)
	if err != nil {
		return nil, err
	}
	out := &gqlResponse{Status: status, Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		return nil, fmt.Errorf("decode response (status %d): %w: %s", status, err, raw)
	}
	return out, nil
}

// get fetches path and returns the status and body.
func (s *testServer) get(tb testing.TB, path string) (int, string) {
	tb.Helper()
	resp, err := http.Get(s.URL + path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// dbQueries reads profilegraph_db_queries_total from /metrics.
func (s *testServer) dbQueries(tb testing.TB) float64 {
	tb.Helper()
	status, body := s.get(tb, "/metrics")
	if status != http.StatusOK {
		tb.Fatalf("/metrics status %d", status)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "profilegraph_db_queries_total "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				tb.Fatalf("profilegraph_db_queries_total %q: %v", v, err)
			}
			return n
		}
	}
	tb.Fatalf("/metrics has no profilegraph_db_queries_total sample:\n%s", body)
	return 0
}
