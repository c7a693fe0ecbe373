package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/profile"
)

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
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
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
