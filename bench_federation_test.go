package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Benchmarks of issue 4: the federation hot paths against a real server (run() on a
// fresh PostgreSQL database, in this process), with the cache off and on.
//
// Besides ns/op, they report:
//   - allocs/op and B/op (b.ReportAllocs): the whole process, i.e. the HTTP client and
//     the in-process server together;
//   - server-allocs/op and server-B/op: the same minus the cost of one request of the
//     same client against a bare net/http server that answers the same bytes, i.e. what
//     profilegraph's handler chain allocates beyond serving a canned response (GraphQL,
//     loaders, pgx, consent, access log);
//   - roundtrips/op: SQL round trips per request, from profilegraph_db_queries_total.
//
//	go test -run '^$' -bench 'Entities|Nested' -benchmem -count=1 .

// benchCacheModes are the server settings the benchmarks compare.
var benchCacheModes = []struct {
	name string
	env  map[string]string
}{
	{"cache=off", map[string]string{"CACHE_MAX_COST": "0"}},
	{"cache=on", map[string]string{"CACHE_MAX_COST": strconv.Itoa(64 << 20)}},
}

// benchCall is one prepared GraphQL request that a benchmark repeats; it reads the
// answer into a reused buffer and checks it without decoding it.
type benchCall struct {
	url, token string
	body       []byte
	buf        bytes.Buffer
}

func newBenchCall(tb testing.TB, url, token, query string, vars map[string]any) *benchCall {
	tb.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		tb.Fatalf("encode request: %v", err)
	}
	return &benchCall{url: url, token: token, body: body}
}

// do posts the request and returns the response body, valid until the next do. It
// fails tb unless the answer is 200 without errors.
func (c *benchCall) do(tb testing.TB) []byte {
	req, err := http.NewRequest(http.MethodPost, c.url, bytes.NewReader(c.body))
	if err != nil {
		tb.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("POST %s: %v", c.url, err)
	}
	c.buf.Reset()
	_, err = c.buf.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	if resp.StatusCode != http.StatusOK || bytes.Contains(c.buf.Bytes(), []byte(`"errors"`)) {
		tb.Fatalf("status %d: %.500s", resp.StatusCode, c.buf.Bytes())
	}
	return c.buf.Bytes()
}

// decodeBench decodes a response of do for a one-off check.
func decodeBench(tb testing.TB, raw []byte) *gqlResponse {
	tb.Helper()
	r := &gqlResponse{Status: http.StatusOK, Raw: string(raw)}
	if err := json.Unmarshal(raw, r); err != nil {
		tb.Fatalf("decode response: %v", err)
	}
	return r
}

// clientCost returns the allocations and bytes per request that call's client side
// costs: the same requests against a bare server that answers response.
func clientCost(b *testing.B, call *benchCall, response []byte) (allocs, size float64) {
	b.Helper()
	canned := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/graphql-response+json")
		_, _ = w.Write(response)
	}))
	defer canned.Close()
	c := &benchCall{url: canned.URL, token: call.token, body: call.body}
	c.do(b) // connect
	const n = 200
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range n {
		c.do(b)
	}
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-m0.Mallocs) / n, float64(m1.TotalAlloc-m0.TotalAlloc) / n
}

// runBench repeats call against s in b.Loop and reports the round trips and the
// server-side allocations per op.
func runBench(b *testing.B, s *testServer, call *benchCall) {
	b.Helper()
	b.ReportAllocs()
	warm := append([]byte(nil), call.do(b)...) // warms the connection, and the cache when on
	clientAllocs, clientBytes := clientCost(b, call, warm)

	before := int(s.dbQueries(b))
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for b.Loop() {
		call.do(b)
	}
	runtime.ReadMemStats(&m1)
	n := float64(b.N)
	b.ReportMetric(float64(int(s.dbQueries(b))-before)/n, "roundtrips/op")
	b.ReportMetric(max(0, float64(m1.Mallocs-m0.Mallocs)/n-clientAllocs), "server-allocs/op")
	b.ReportMetric(max(0, float64(m1.TotalAlloc-m0.TotalAlloc)/n-clientBytes), "server-B/op")
}

// BenchmarkEntities100 resolves 100 Person representations as a non-owner.
func BenchmarkEntities100(b *testing.B) {
	for _, mode := range benchCacheModes {
		b.Run(mode.name, func(b *testing.B) {
			s := startServer(b, mode.env)
			ids := seedPersons(b, s.DatabaseURL, "bench", 100)
			seedPersons(b, s.DatabaseURL, "outsider", 1)
			call := newBenchCall(b, s.URL+"/graphql", userToken(b, profile.AppFacebook, "outsider-fb-0"),
				entitiesNonOwnerQuery, map[string]any{"r": personReps(ids)})
			r := decodeBench(b, call.do(b))
			if got := len(r.Data["_entities"].([]any)); got != len(ids) {
				b.Fatalf("got %d entities, want %d", got, len(ids))
			}
			if r.Get("_entities.99.profile.displayName") == nil || r.Get("_entities.99.profile.sources.0.app") == nil {
				b.Fatalf("entity 99 incomplete: %.500s", r.Raw)
			}
			runBench(b, s, call)
		})
	}
}

// BenchmarkNestedViewer resolves the owner's accounts, their person, its accounts and
// their person's profile.
func BenchmarkNestedViewer(b *testing.B) {
	for _, mode := range benchCacheModes {
		b.Run(mode.name, func(b *testing.B) {
			s := startServer(b, mode.env)
			seedPersons(b, s.DatabaseURL, "owner", 1)
			call := newBenchCall(b, s.URL+"/graphql", userToken(b, profile.AppFacebook, "owner-fb-0"), nestedQuery, nil)
			r := decodeBench(b, call.do(b))
			if r.Get("viewer.accounts.1.person.accounts.1.person.profile.displayName") == nil {
				b.Fatalf("nested query incomplete: %.500s", r.Raw)
			}
			runBench(b, s, call)
		})
	}
}

// BenchmarkEntitiesRoundTrips shows that the round trips of _entities do not grow with
// the number of representations (cache off).
func BenchmarkEntitiesRoundTrips(b *testing.B) {
	s := startServer(b, map[string]string{"CACHE_MAX_COST": "0"})
	ids := seedPersons(b, s.DatabaseURL, "bench", 500)
	seedPersons(b, s.DatabaseURL, "outsider", 1)
	token := userToken(b, profile.AppFacebook, "outsider-fb-0")
	for _, n := range []int{1, 100, 500} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			call := newBenchCall(b, s.URL+"/graphql", token, entitiesNonOwnerQuery, map[string]any{"r": personReps(ids[:n])})
			r := decodeBench(b, call.do(b))
			if got := len(r.Data["_entities"].([]any)); got != n {
				b.Fatalf("got %d entities, want %d", got, n)
			}
			runBench(b, s, call)
		})
	}
}
