package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
)

// benchHandler is the whole HTTP handler of a server on the embedded store, in
// process, so a benchmark measures server time only.
func benchHandler(b *testing.B) http.Handler {
	b.Helper()
	cfg, err := parseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	v, err := auth.NewVerifier(context.Background(), auth.Config{HS256Secret: testSecret})
	if err != nil {
		b.Fatal(err)
	}
	store := memory.New()
	res := &resolvers.Resolver{Store: store, Accounts: accountscenter.New(store, v)}
	return NewServer(serverDeps{api: api.Deps{Limits: cfg.limits(), Logger: slog.New(slog.DiscardHandler), Store: store, Fresh: store,
		Verifier: v, Resolver: res, Metrics: api.NewMetrics()}})
}

// BenchmarkRefuse measures what refusing costs the server (SPEC §7: a document whose
// fragments double is refused as fast as a small one, with or without a token).
func BenchmarkRefuse(b *testing.B) {
	h := benchHandler(b)
	tok := mint(b, auth.Claims{App: profile.AppFacebook, Subject: "bench-fb", ExpiresAt: tokenExpiry()})
	docs := map[string]string{
		"doubling40":      doublingDocument(40, "viewer { ...F0 }", "Person", "id"),
		"doubling40Query": doublingDocument(40, "...F0", "Query", "viewer { id }"),
		"smallInvalid":    "{ viewer { nope } }",
		"copies2000":      "{" + strings.Repeat(" __typename", 2000) + " }",
	}
	for _, name := range []string{"doubling40", "doubling40Query", "copies2000", "smallInvalid"} {
		body, _ := json.Marshal(map[string]any{"query": docs[name]})
		for _, withToken := range []bool{true, false} {
			label := name + "/noToken"
			if withToken {
				label = name + "/token"
			}
			b.Run(label, func(b *testing.B) {
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
					req.Header.Set("Content-Type", "application/json")
					if withToken {
						req.Header.Set("Authorization", "Bearer "+tok)
					}
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, req)
					if !strings.Contains(rec.Body.String(), `"errors"`) || strings.Contains(rec.Body.String(), `"data"`) {
						b.Fatalf("not refused: %d %s", rec.Code, rec.Body.String())
					}
				}
			})
		}
	}
}
