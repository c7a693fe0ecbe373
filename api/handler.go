package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/apollofederatedtracingv1"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/graph"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
	"github.com/profilegraph/profilegraph/trusteddocs"
)

// newGraphQLHandler serves GraphQL with two gqlgen servers that share the schema, the
// query cache and the APQ cache: one with Apollo federated tracing, for the requests
// that ask for it (apollo-federation-include-trace: ftv1), and one without. gqlgen
// wraps every field of a request in every field interceptor of its server, tracing or
// not; so the requests that are not traced, nearly all of them, pay for none. trusted
// (nil: off) limits user tokens to a manifest's operations; tr (nil: off) adds the
// OpenTelemetry spans of operations and resolvers.
func newGraphQLHandler(cfg Config, res *resolvers.Resolver, logger *slog.Logger, m *metrics, trusted *trusteddocs.List, tr *tracing) http.Handler {
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
func newGraphQLServer(cfg Config, res *resolvers.Resolver, logger *slog.Logger, m *metrics,
	queries graphql.Cache[*ast.QueryDocument], apq graphql.Cache[string], traced bool,
	trusted *trusteddocs.List, tr *tracing,
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

// errorPresenter maps a *profile.Error to its code and safe message; parse, validation
// and limit errors keep their code; anything else is shown only as INTERNAL, so no
// internal detail leaks, and logged by its class (never its message, which may hold
// personal values). The errors of a request whose client went away are not logged here:
// the access log notes the request once.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var de *profile.Error
		if errors.As(err, &de) && de.Code != profile.Internal {
			ext := map[string]any{"code": string(de.Code)}
			for k, v := range de.Extensions {
				ext[k] = v
			}
			return &gqlerror.Error{Message: de.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Extensions: ext}
		}
		if de == nil && gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
			return gqlErr // gqlgen's parse, validation and limit errors
		}
		if requestCanceled(ctx) {
			markCanceled(ctx)
			return &gqlerror.Error{Message: "the request was canceled", Path: gqlErr.Path, Locations: gqlErr.Locations,
				Extensions: map[string]any{"code": string(profile.Canceled)}}
		}
		logger.ErrorContext(ctx, "internal error", "err_class", errorClass(err), "path", gqlErr.Path.String())
		return &gqlerror.Error{
			Message:    "internal error",
			Path:       gqlErr.Path,
			Locations:  gqlErr.Locations,
			Extensions: map[string]any{"code": string(profile.Internal)},
		}
	}
}

// publicRootFields may be asked without a token: the gateway composes with them.
var publicRootFields = map[string]bool{"_service": true, "__schema": true, "__type": true, "__typename": true}

// authGate refuses every operation that selects anything beyond publicRootFields when
// the request has no verified viewer (auth.Middleware already refused bad tokens). The
// HTTP layer turns the refusal into status 401.
type authGate struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = authGate{}

func (authGate) ExtensionName() string                   { return "AuthGate" }
func (authGate) Validate(graphql.ExecutableSchema) error { return nil }
func (authGate) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if profile.ViewerFrom(ctx) != nil {
		return nil
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if !publicRootFields[f.Name] {
			markUnauthenticated(ctx)
			return &gqlerror.Error{
				Message:    "a bearer token is required",
				Extensions: map[string]any{"code": string(profile.Unauthenticated)},
			}
		}
	}
	return nil
}

// introspectionPolicy enables introspection, or with INTROSPECTION=false refuses
// `__schema` and `__type` while keeping `_service` (gqlgen guards both with one flag).
type introspectionPolicy struct{ enabled bool }

func (introspectionPolicy) ExtensionName() string                   { return "IntrospectionPolicy" }
func (introspectionPolicy) Validate(graphql.ExecutableSchema) error { return nil }
func (p introspectionPolicy) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if p.enabled {
		op.DisableIntrospection = false
		return nil
	}
	for _, f := range graphql.CollectFields(op, op.Operation.SelectionSet, nil) {
		if f.Name == "__schema" || f.Name == "__type" {
			return &gqlerror.Error{
				Message:    "introspection is disabled",
				Extensions: map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"},
			}
		}
	}
	op.DisableIntrospection = false // only _service remains, which gqlgen guards with it
	return nil
}
