package dataloaders

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// ResetAfterMutations is the gqlgen extension that gives each root mutation field
// loaders that have read nothing yet (reset), so that nothing loaded before a write is
// served after it. It is the one place that does so: mutation resolvers do not reset
// themselves. Mutation fields run one after another, and a mutation resolver writes
// before it reads anything through the loaders (it returns its result's view, read
// after the write), so the loaders a root field starts with serve its result, the
// fields below it, and nothing of an earlier field.
type ResetAfterMutations struct{}

var (
	_ graphql.HandlerExtension     = ResetAfterMutations{}
	_ graphql.RootFieldInterceptor = ResetAfterMutations{}
)

// ExtensionName names the extension.
func (ResetAfterMutations) ExtensionName() string { return "ResetLoadersAfterMutations" }

// Validate accepts every schema.
func (ResetAfterMutations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptRootField resets the request's loaders before each root mutation field. It
// is a root-field hook, not a field interceptor, so no other field pays for it.
func (ResetAfterMutations) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
		reset(ctx)
	}
	return next(ctx)
}
