package main

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/graphiql"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// serverDeps are what NewServer wires together.
type serverDeps struct {
	cfg    Config
	logger *slog.Logger
	// store serves the content reads and every write: the shared cache over the store.
	store profile.Store
	// fresh is the store itself: privacy state and the viewer's own account, read on
	// every request (nil: store).
	fresh    profile.Reader
	verifier *auth.Verifier
	resolver *resolvers.Resolver
	metrics  *metrics
	// playgroundToken is put in GraphiQL's headers in dev mode.
	playgroundToken string
	playground      bool
	// tracing is the OpenTelemetry pipeline (nil: off).
	tracing *tracing
	// trusted limits user tokens to a manifest's operations (nil: not limited).
	trusted *trusteddocs.List
}

// NewServer builds the HTTP handler: /graphql, GraphiQL at /, health, readiness and
// metrics.
func NewServer(d serverDeps) http.Handler {
	mux := http.NewServeMux()

	graphqlHandler := newGraphQLHandler(d.cfg, d.resolver, d.logger, d.metrics, d.trusted, d.tracing)
	graphqlHandler = dataloaders.Middleware(dataloaders.Readers{Content: d.store, Fresh: d.fresh}, d.cfg.LoaderWait)(graphqlHandler)
	graphqlHandler = d.verifier.Middleware(graphqlHandler)
	graphqlHandler = withBodyLimit(d.cfg.BodyLimit, graphqlHandler)
	graphqlHandler = withNoStore(graphqlHandler)
	graphqlHandler = d.tracing.middleware(graphqlHandler)
	mux.Handle("/graphql", graphqlHandler)
	fresh := d.fresh
	if fresh == nil {
		fresh = d.store
	}
	mux.Handle("GET /export", d.verifier.Middleware(exportHandler(fresh, d.logger, time.Now)))

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := d.store.Ping(ctx); err != nil {
			d.logger.WarnContext(ctx, "not ready", "err", err)
			http.Error(w, "store unreachable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(d.metrics.registry, promhttp.HandlerOpts{}))

	if d.playground {
		page := graphiql.Config{Title: "profilegraph", Endpoint: "/graphql"}
		if d.playgroundToken != "" {
			page.Headers = map[string]string{"Authorization": "Bearer " + d.playgroundToken}
		}
		mux.Handle("GET /{$}", graphiql.Handler(page))
		mux.Handle("GET "+graphiql.AssetPrefix, graphiql.Assets())
	}

	var h http.Handler = mux
	h = withAccessLog(d.logger, h)
	h = withRequestID(h)
	return h
}
