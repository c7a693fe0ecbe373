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

// newGraphQLServer builds a gqlgen server: explicit transports (no websocket), the LRU
// query cache, APQ, complexity and depth limits, the auth gate, federated tracing when
// traced, and the error presenter that maps domain codes to extensions.code.
func newGraphQLServer(cfg Config, res *resolvers.Resolver, logger *slog.Logger, m *metrics,
	queries graphql.Cache[*ast.QueryDocument], apq graphql.Cache[string], traced bool,
	trusted *trusteddocs.List, tr *tracing,
) *handler.Server {
	srv := handler.New(graph.NewExecutableSchema(graph.Config{Resolvers: res}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})

	srv.SetQueryCache(queries)
	if trusted != nil {
		srv.Use(trusted.Extension(limitedByTrustedDocuments)) // before APQ: it resolves manifest ids
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: apq})
	srv.Use(introspectionPolicy{enabled: cfg.Introspection})
	srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	srv.Use(depthLimit{max: cfg.DepthLimit})
	srv.Use(authGate{})
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
		logger.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
		return errors.New("internal error")
	})
	return srv
}

// errorPresenter maps a *profile.Error to its code and safe message; parse and
// validation errors keep gqlgen's code; anything else is logged and shown only as
// INTERNAL, so no internal detail leaks.
func errorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		var de *profile.Error
		if errors.As(err, &de) {
			ext := map[string]any{"code": string(de.Code)}
			for k, v := range de.Extensions {
				ext[k] = v
			}
			if de.Code == profile.Internal {
				logger.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
			}
			return &gqlerror.Error{Message: de.Message, Path: gqlErr.Path, Locations: gqlErr.Locations, Extensions: ext}
		}
		if gqlErr.Extensions != nil && gqlErr.Extensions["code"] != nil {
			return gqlErr // gqlgen's parse, validation and limit errors
		}
		logger.ErrorContext(ctx, "internal error", "err", err, "path", gqlErr.Path.String())
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

// depthLimit refuses operations nested deeper than max levels before execution.
// Introspection (`__schema`, `__type`) is exempt: its nesting is bounded by the schema,
// it touches no data, and GraphiQL's standard introspection query is 15 levels deep.
type depthLimit struct{ max int }

func (depthLimit) ExtensionName() string                   { return "DepthLimit" }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(_ context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if depth := selectionDepth(op.Doc, op.Operation.SelectionSet, map[string]bool{}); depth > d.max {
		return &gqlerror.Error{
			Message:    fmt.Sprintf("operation is nested %d levels deep, more than the limit of %d", depth, d.max),
			Extensions: map[string]any{"code": "QUERY_TOO_DEEP"},
		}
	}
	return nil
}

// selectionDepth is the number of nested field levels in set, following fragments
// (validation already refused fragment cycles; visiting guards regardless).
func selectionDepth(doc *ast.QueryDocument, set ast.SelectionSet, visiting map[string]bool) int {
	deepest := 0
	for _, sel := range set {
		var d int
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				continue
			}
			if len(s.SelectionSet) > 0 {
				d = 1 + selectionDepth(doc, s.SelectionSet, visiting)
			} else {
				d = 1
			}
		case *ast.InlineFragment:
			d = selectionDepth(doc, s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if visiting[s.Name] {
				continue
			}
			if frag := doc.Fragments.ForName(s.Name); frag != nil {
				visiting[s.Name] = true
				d = selectionDepth(doc, frag.SelectionSet, visiting)
				delete(visiting, s.Name)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}
