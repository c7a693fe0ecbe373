package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/apollofederatedtracingv1"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/graph"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// Limits are the bounds of the GraphQL endpoint (SPEC §7).
type Limits struct {
	// Introspection allows `__schema` and `__type` (INTROSPECTION).
	Introspection bool
	// ComplexityLimit is the most an operation may cost (COMPLEXITY_LIMIT), see limits.go.
	ComplexityLimit int
	// DepthLimit is the deepest a document may nest.
	DepthLimit int
	// BodyLimit is the largest request body in bytes.
	BodyLimit int64
	// LoaderWait is how long the dataloaders collect keys into one batch.
	LoaderWait time.Duration
}

// Deps are what the handlers of this package are built from.
type Deps struct {
	Limits Limits
	Logger *slog.Logger
	// Store serves the content reads and every write: the shared cache over the store.
	Store profile.Store
	// Fresh is the store itself: privacy state and the viewer's own account, read on
	// every request (nil: Store).
	Fresh    profile.Reader
	Verifier *auth.Verifier
	Resolver *resolvers.Resolver
	Metrics  *Metrics
	// Tracing is the OpenTelemetry pipeline (nil: off).
	Tracing *Tracing
	// Trusted limits user tokens to a manifest's operations (nil: not limited).
	Trusted *trusteddocs.List
}

func (d Deps) fresh() profile.Reader {
	if d.Fresh == nil {
		return d.Store
	}
	return d.Fresh
}

// GraphQL returns the handler of /graphql: tracing, Cache-Control no-store, the body
// limit, authentication (401 for a bad token), the per-request dataloaders and the
// gqlgen servers (newGraphQLHandler).
func GraphQL(d Deps) http.Handler {
	h := newGraphQLHandler(d.Limits, d.Resolver, d.Logger, d.Metrics, d.Trusted, d.Tracing)
	h = dataloaders.Middleware(dataloaders.Readers{Content: d.Store, Fresh: d.fresh()}, d.Limits.LoaderWait)(h)
	h = authenticate(d.Verifier, h)
	h = withBodyLimit(d.Limits.BodyLimit, h)
	h = withNoStore(h)
	return d.Tracing.middleware(h)
}

// Export returns the handler of GET /export (exportHandler), behind Cache-Control
// no-store and authentication.
func Export(d Deps) http.Handler {
	return withNoStore(authenticate(d.Verifier, exportHandler(d.fresh(), d.Logger, time.Now)))
}

// newGraphQLHandler serves GraphQL with two gqlgen servers that share the schema, the
// query cache and the APQ cache: one with Apollo federated tracing, for the requests
// that ask for it (apollo-federation-include-trace: ftv1), and one without. gqlgen
// wraps every field of a request in every field interceptor of its server, tracing or
// not; so the requests that are not traced, nearly all of them, pay for none. trusted
// (nil: off) limits user tokens to a manifest's operations; tr (nil: off) adds the
// OpenTelemetry spans of operations and resolvers.
func newGraphQLHandler(cfg Limits, res *resolvers.Resolver, logger *slog.Logger, m *Metrics, trusted *trusteddocs.List, tr *Tracing) http.Handler {
	queries, apq := lru.New[*ast.QueryDocument](1000), lru.New[string](1000)
	return ftv1Router{
		plain:  newGraphQLServer(cfg, res, logger, m, queries, apq, false, trusted, tr),
		traced: newGraphQLServer(cfg, res, logger, m, queries, apq, true, trusted, tr),
	}
}

// ftv1Router sends the requests that ask for a federated trace to traced.
type ftv1Router struct {
	plain, traced http.Handler
}

func (f ftv1Router) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := r.Header["Apollo-Federation-Include-Trace"]; len(h) > 0 && h[0] == "ftv1" {
		f.traced.ServeHTTP(w, r)
		return
	}
	f.plain.ServeHTTP(w, r)
}

// newGraphQLServer builds a gqlgen server: its own GraphQL-over-HTTP transport (no
// websocket), the LRU query cache, APQ, the document bounds checked before validation,
// the limits checked before execution (entities, complexity), the auth gate, federated
// tracing when traced, and the error presenter that maps domain codes to
// extensions.code.
func newGraphQLServer(cfg Limits, res *resolvers.Resolver, logger *slog.Logger, m *Metrics,
	queries graphql.Cache[*ast.QueryDocument], apq graphql.Cache[string], traced bool,
	trusted *trusteddocs.List, tr *Tracing,
) *handler.Server {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: res}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(httpTransport{})

	srv.SetQueryCache(queries)
	srv.SetParserTokenLimit(parserTokenLimit)
	if trusted != nil {
		srv.Use(trusted.Extension(limitedByTrustedDocuments)) // before APQ: it resolves manifest ids
	}
	srv.Use(persistedQueries{extension.AutomaticPersistedQuery{Cache: apq}})
	srv.Use(documentBounds{maxDepth: cfg.DepthLimit, passed: queries})
	srv.Use(introspectionPolicy{enabled: cfg.Introspection})
	srv.Use(entitiesLimit{})
	srv.Use(&complexityLimit{limit: cfg.ComplexityLimit})
	srv.Use(authGate{})
	srv.Use(requestAlive{})
	srv.Use(dataloaders.ResetAfterMutations{})
	if traced {
		srv.Use(&apollofederatedtracingv1.Tracer{})
	}
	srv.Use(m.operationExtension())
	if tr != nil {
		srv.Use(tr.gqlExtension())
	}

	srv.SetErrorPresenter(errorPresenter(logger))
	srv.SetRecoverFunc(func(ctx context.Context, p any) error {
		// The panic value may hold request data: log its type and the stack only.
		logger.ErrorContext(ctx, "panic in resolver", "panic_type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
		return errors.New("internal error")
	})
	return srv
}

// persistedQueries is gqlgen's APQ with a code on every refusal: a hash that does not
// match its query, an unsupported version or malformed extension data are the client's
// mistake (BAD_REQUEST, as Apollo answers them), an unknown hash keeps
// PERSISTED_QUERY_NOT_FOUND.
type persistedQueries struct {
	apq extension.AutomaticPersistedQuery
}

func (persistedQueries) ExtensionName() string { return "PersistedQueries" }
func (p persistedQueries) Validate(es graphql.ExecutableSchema) error {
	return p.apq.Validate(es)
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, params *graphql.RawParams) *gqlerror.Error {
	err := p.apq.MutateOperationParameters(ctx, params)
	if err != nil && err.Extensions["code"] == nil {
		if err.Extensions == nil {
			err.Extensions = map[string]any{}
		}
		err.Extensions["code"] = string(profile.BadRequest)
	}
	return err
}
