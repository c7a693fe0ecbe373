package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/profile"
)

// This file is the one set of helpers of package main's tests (end-to-end tests through
// run() and the benchmarks): servers, tokens, requests, assertions, the database and
// /metrics. Helpers that only one feature's tests use stay in that feature's file.

// testSecret signs every token of the end-to-end tests.
var testSecret = []byte("profilegraph-e2e-test-secret-0123456789abcdef")

// testServer is a real profilegraph started through run(), on a fresh PostgreSQL
// database unless the env says otherwise.
type testServer struct {
	URL         string
	DatabaseURL string
	logs        *syncBuffer
}

// syncBuffer collects the server's output for failure messages.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startServer runs the server on a fresh migrated database with the test secret; env
// entries override the defaults (an empty value removes a setting).
func startServer(tb testing.TB, env map[string]string, opts ...runOption) *testServer {
	tb.Helper()
	settings := map[string]string{
		"PORT":              "0",
		"AUTH_HS256_SECRET": string(testSecret),
		"LOG_LEVEL":         "info",
	}
	if _, ok := env["DATABASE_URL"]; !ok {
		settings["DATABASE_URL"] = testdb.New(tb)
	}
	for k, v := range env {
		settings[k] = v
	}
	return startWith(tb, settings, opts...)
}

// startWith runs the server with exactly settings as its environment.
func startWith(tb testing.TB, settings map[string]string, opts ...runOption) *testServer {
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		err := run(ctx, nil, func(k string) string { return settings[k] }, pw, opts...)
		done <- err
		_ = pw.CloseWithError(fmt.Errorf("server stopped: %v", err))
	}()
	addr := scanListenAddr(pr, logs)
	var a string
	select {
	case a = <-addr:
	case err := <-done:
		cancel()
		tb.Fatalf("server did not start: %v\n%s", err, logs.String())
	case <-time.After(30 * time.Second):
		cancel()
		tb.Fatalf("server did not start within 30s\n%s", logs.String())
	}
	port := a[strings.LastIndex(a, ":")+1:]
	s := &testServer{URL: "http://127.0.0.1:" + port, DatabaseURL: settings["DATABASE_URL"], logs: logs}
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("server stopped with error: %v", err)
			}
		case <-time.After(15 * time.Second):
			tb.Errorf("server did not shut down within 15s")
		}
		if tb.Failed() {
			tb.Logf("server log:\n%s", logs.String())
		}
	})
	waitHealthy(tb, s.URL)
	return s
}

func waitHealthy(tb testing.TB, base string) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("%s/healthz never answered 200", base)
}

// userToken mints a user token of (app, sub).
func userToken(tb testing.TB, app profile.App, sub string) string {
	tb.Helper()
	return mint(tb, auth.Claims{App: app, Subject: sub, ExpiresAt: time.Now().Add(time.Hour)})
}

// serviceToken mints an accounts:write token of app's backend.
func serviceToken(tb testing.TB, app profile.App) string {
	tb.Helper()
	return mint(tb, auth.Claims{App: app, Subject: "backend-" + string(app), Scope: auth.ScopeAccountsWrite, ExpiresAt: time.Now().Add(time.Hour)})
}

// adsToken mints a user token of (app, sub) with purpose=ads.
func adsToken(tb testing.TB, app profile.App, sub string) string {
	tb.Helper()
	return mint(tb, auth.Claims{App: app, Subject: sub, Purpose: "ads", ExpiresAt: time.Now().Add(time.Hour)})
}

// adsServiceToken mints an accounts:write token of app's backend with purpose=ads.
func adsServiceToken(tb testing.TB, app profile.App) string {
	tb.Helper()
	return mint(tb, auth.Claims{App: app, Subject: "backend-" + string(app), Scope: auth.ScopeAccountsWrite, Purpose: "ads", ExpiresAt: time.Now().Add(time.Hour)})
}

func mint(tb testing.TB, c auth.Claims) string {
	tb.Helper()
	tok, err := auth.SignHS256(testSecret, c)
	if err != nil {
		tb.Fatalf("mint token: %v", err)
	}
	return tok
}

// gqlError is one error of a GraphQL response.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code.
func (e gqlError) Code() string { s, _ := e.Extensions["code"].(string); return s }

// gqlResponse is a decoded GraphQL response with its HTTP status.
type gqlResponse struct {
	Status int
	Data   map[string]any `json:"data"`
	Errors []gqlError     `json:"errors"`
	Raw    string
}

// ErrorAt returns the error whose path is path (dot-joined, e.g. "viewer.accounts.1.email").
func (r *gqlResponse) ErrorAt(path string) *gqlError {
	for i := range r.Errors {
		parts := make([]string, len(r.Errors[i].Path))
		for j, p := range r.Errors[i].Path {
			parts[j] = fmt.Sprint(p)
		}
		if strings.Join(parts, ".") == path {
			return &r.Errors[i]
		}
	}
	return nil
}

// Get walks data by a dot path ("viewer.accounts.0.app"); nil when absent.
func (r *gqlResponse) Get(path string) any {
	var cur any = r.Data
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			var i int
			if _, err := fmt.Sscanf(p, "%d", &i); err != nil || i < 0 || i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// query posts a GraphQL request with token (none when empty) and decodes the answer.
func (s *testServer) query(tb testing.TB, token, query string, vars map[string]any) *gqlResponse {
	tb.Helper()
	return s.do(tb, token, map[string]any{"query": query, "variables": vars}, nil)
}

func (s *testServer) do(tb testing.TB, token string, body any, headers map[string]string) *gqlResponse {
	tb.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		tb.Fatalf("encode request: %v", err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", bytes.NewReader(b))
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("POST /graphql: %v", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	out := &gqlResponse{Status: resp.StatusCode, Raw: string(raw)}
	if err := json.Unmarshal(raw, out); err != nil {
		tb.Fatalf("decode response (status %d): %v\n%s", resp.StatusCode, err, raw)
	}
	return out
}

// mustOK fails unless r has no errors.
func mustOK(tb testing.TB, r *gqlResponse) *gqlResponse {
	tb.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		raw := r.Raw
		if len(raw) > 1500 {
			raw = raw[:1500] + "…" // a 500-entity response would drown the failure
		}
		tb.Fatalf("unexpected errors (status %d, %d errors): %s", r.Status, len(r.Errors), raw)
	}
	return r
}

// upsert pushes an account of app through its backend's service token.
func (s *testServer) upsert(tb testing.TB, app profile.App, input map[string]any) map[string]any {
	tb.Helper()
	r := mustOK(tb, s.query(tb, serviceToken(tb, app), `mutation($in: UpsertAppAccountInput!) {
		upsertAppAccount(input: $in) { id app appUserId }
	}`, map[string]any{"in": input}))
	return r.Data["upsertAppAccount"].(map[string]any)
}

// link links (proofApp, proofSub) to the person of (app, sub).
func (s *testServer) link(tb testing.TB, app profile.App, sub string, proofApp profile.App, proofSub string) *gqlResponse {
	tb.Helper()
	return s.query(tb, userToken(tb, app, sub), `mutation($p: String!) { linkAccount(proof: $p) { id } }`,
		map[string]any{"p": userToken(tb, proofApp, proofSub)})
}

// seedInto runs `profilegraph seed args...` on dbURL through run and returns its output.
func seedInto(tb testing.TB, dbURL string, args ...string) string {
	tb.Helper()
	var out bytes.Buffer
	env := map[string]string{"DATABASE_URL": dbURL}
	if err := run(context.Background(), append([]string{"seed"}, args...), func(k string) string { return env[k] }, &out); err != nil {
		tb.Fatalf("seed %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// Helpers shared by the end-to-end tests (TestE2E*): they build persons through the
// public mutations, assert on GraphQL errors and read PostgreSQL directly to prove that
// refused requests wrote nothing. Every TestE2E* test starts its own server on its own
// database (see harness_test.go), so they run in parallel.

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
	for _, a := range accs {
		s.mkAccount(tb, a)
	}
	return s.linkAll(tb, accs...)
}

// mkUser upserts app's account userID and returns a user token of it.
func (s *testServer) mkUser(tb testing.TB, app profile.App, userID string) string {
	tb.Helper()
	s.mkAccount(tb, account{App: app, UserID: userID})
	return userToken(tb, app, userID)
}

// linkAll links each of the pushed accounts accs[1:] into accs[0]'s person and returns
// the person's id.
func (s *testServer) linkAll(tb testing.TB, accs ...account) string {
	tb.Helper()
	if len(accs) < 2 {
		tb.Fatalf("a person needs at least two accounts")
	}
	var id string
	for _, a := range accs[1:] {
		r := mustOK(tb, s.link(tb, accs[0].App, accs[0].UserID, a.App, a.UserID))
		id = r.Get("linkAccount.id").(string)
	}
	return id
}

const grantMutation = `mutation($in: ConsentInput!) { grantConsent(input: $in) { sourceApp targetApp category purpose grantedAt } }`
const revokeMutation = `mutation($in: ConsentInput!) { revokeConsent(input: $in) }`

// consentInput is the variables of grantMutation and revokeMutation.
func consentInput(src, dst profile.App, category, purpose string) map[string]any {
	return map[string]any{"in": map[string]any{"sourceApp": src, "targetApp": dst, "category": category, "purpose": purpose}}
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

// readMetrics reads the unlabelled series of s's /metrics.
func readMetrics(tb testing.TB, s *testServer) map[string]float64 {
	tb.Helper()
	status, body := s.get(tb, "/metrics")
	if status != http.StatusOK {
		tb.Fatalf("/metrics status %d", status)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(body, "\n") {
		name, v, ok := strings.Cut(line, " ")
		if !ok || strings.HasPrefix(name, "#") || strings.Contains(name, "{") {
			continue
		}
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
			out[name] = f
		}
	}
	return out
}

// scrapeMetrics reads the unlabelled series of s's /metrics; it fails unless they hold
// the query counter and the cache's hit and miss counters.
func scrapeMetrics(tb testing.TB, s *testServer) map[string]float64 {
	tb.Helper()
	out := readMetrics(tb, s)
	for _, name := range []string{"profilegraph_db_queries_total", "profilegraph_cache_hits_total", "profilegraph_cache_misses_total"} {
		if _, ok := out[name]; !ok {
			tb.Fatalf("%s is not in /metrics", name)
		}
	}
	return out
}

// metricValue reads an unlabelled series from /metrics; it fails if it is missing.
func metricValue(tb testing.TB, s *testServer, name string) float64 {
	tb.Helper()
	v, ok := readMetrics(tb, s)[name]
	if !ok {
		tb.Fatalf("%s is not in /metrics", name)
	}
	return v
}

// dbQueries reads profilegraph_db_queries_total from /metrics.
func (s *testServer) dbQueries(tb testing.TB) float64 {
	tb.Helper()
	return metricValue(tb, s, "profilegraph_db_queries_total")
}

// waitMetric polls a series until ok accepts it, for up to 10 s.
func waitMetric(tb testing.TB, s *testServer, name string, ok func(float64) bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for v := metricValue(tb, s, name); !ok(v); v = metricValue(tb, s, name) {
		if time.Now().After(deadline) {
			tb.Fatalf("%s = %v: still not as wanted after 10 s", name, v)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// delayWaitMetric polls an unlabelled series of s until it equals want, for up to 10 s.
func delayWaitMetric(tb testing.TB, s *testServer, name string, want float64) {
	tb.Helper()
	waitMetric(tb, s, name, func(v float64) bool { return v == want })
}

// delayTimeout bounds how long replica B may take to serve a write made on A.
const delayTimeout = 5 * time.Second

// rawResponse is an HTTP answer of /graphql, undecoded.
type rawResponse struct {
	Status int
	Header http.Header
	Body   string
}

// send makes one HTTP request to the server and returns the answer; headers with an
// empty value are left out.
func (s *testServer) send(tb testing.TB, method, path string, headers map[string]string, body string) rawResponse {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, r)
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	for k, v := range headers {
		if v != "" {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// doublingDocument is a document of about 1 KB whose n fragments each spread the next
// one twice: expanded, it has 2^n fields.
func doublingDocument(n int, root, on, leaf string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "query Doubling { %s }\n", root)
	for i := range n {
		if i == n-1 {
			fmt.Fprintf(&b, "fragment F%d on %s { %s }\n", i, on, leaf)
			continue
		}
		fmt.Fprintf(&b, "fragment F%d on %s { ...F%d ...F%d }\n", i, on, i+1, i+1)
	}
	return b.String()
}

// aliasedDocument is a document of n aliased copies (a0, a1, …) of selection, with head
// (e.g. "query($n: Int) ", or "" for the shorthand form) before its braces.
func aliasedDocument(head, selection string, n int) string {
	var b strings.Builder
	b.WriteString(head + "{")
	for i := range n {
		fmt.Fprintf(&b, " a%d: %s", i, selection)
	}
	b.WriteString(" }")
	return b.String()
}

// dbExec runs a statement on db.
func dbExec(tb testing.TB, db *pgx.Conn, sql string, args ...any) {
	tb.Helper()
	if _, err := db.Exec(context.Background(), sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// wantErrorAt asserts that r carries an error with code at path (dot-joined) and
// returns it; unlike wantDenied it does not look at the value at path.
func wantErrorAt(tb testing.TB, r *gqlResponse, path, code string) *gqlError {
	tb.Helper()
	e := r.ErrorAt(path)
	if e == nil || e.Code() != code {
		tb.Fatalf("want %s at %q, got: %s", code, path, r.Raw)
	}
	return e
}

// decodeAt re-decodes the part of r at path into v.
func decodeAt(tb testing.TB, r *gqlResponse, path string, v any) {
	tb.Helper()
	b, err := json.Marshal(r.Get(path))
	if err != nil {
		tb.Fatalf("encode %s: %v", path, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("decode %s: %v\n%s", path, err, r.Raw)
	}
}

// nodeProject is a Node project of the tests (a folder with a package-lock.json):
// setup installs its pinned packages with `npm ci`, once per test binary, when the
// package.json of marker (a path below node_modules) is missing, as on a fresh clone
// running `go test` alone.
type nodeProject struct {
	dir, marker string
	once        sync.Once
	err         error
}

func (p *nodeProject) setup(tb testing.TB) {
	tb.Helper()
	p.once.Do(func() {
		if _, err := os.Stat(filepath.Join(p.dir, "node_modules", filepath.FromSlash(p.marker), "package.json")); err == nil {
			return
		}
		cmd := exec.Command("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
		cmd.Dir = p.dir
		if out, err := cmd.CombinedOutput(); err != nil {
			p.err = err
			tb.Logf("%s", out)
		}
	})
	if p.err != nil {
		tb.Fatalf("npm ci in %s: %v", p.dir, p.err)
	}
}

// scanListenAddr copies the JSON log lines of a server's output r to logs, and sends
// the address of its "listening" line on the channel it returns (once).
func scanListenAddr(r io.Reader, logs io.Writer) <-chan string {
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			_, _ = logs.Write([]byte(line + "\n"))
			if !sent && strings.Contains(line, `"msg":"listening"`) {
				var rec struct{ Addr string }
				if json.Unmarshal([]byte(line), &rec) == nil {
					addr <- rec.Addr
					sent = true
				}
			}
		}
	}()
	return addr
}
