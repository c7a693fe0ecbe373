package main

import (
	"context"
	"net/http"
	"time"

	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/graphiql"
)

// serverDeps are what NewServer wires together.
type serverDeps struct {
	api api.Deps
	// playgroundToken is put in GraphiQL's headers in dev mode.
	playgroundToken string
	playground      bool
}

// NewServer builds the HTTP handler: /graphql, /export, GraphiQL at /, health,
// readiness and metrics, every request with an id and an access log line.
func NewServer(d serverDeps) http.Handler {
	mux := http.NewServeMux()
	m := d.api.Metrics
	mux.Handle("/graphql", m.Route("/graphql", api.GraphQL(d.api)))
	mux.Handle("GET /export", m.Route("/export", api.Export(d.api)))

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.api.Store.Ping(ctx); err != nil {
			d.api.Logger.WarnContext(ctx, "not ready", "err", err)
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", d.api.Metrics.Handler())

	if d.playground {
		page := graphiql.Config{Title: "profilegraph", Endpoint: "/graphql"}
		if d.playgroundToken != "" {
			page.Headers = map[string]string{"Authorization": "Bearer " + d.playgroundToken}
		}
		mux.Handle("GET /{$}", graphiql.Handler(page))
		mux.Handle("GET "+graphiql.AssetPrefix, graphiql.Assets())
	}
	return api.RequestID(api.AccessLog(d.api.Logger, mux))
}
