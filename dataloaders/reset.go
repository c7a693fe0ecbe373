package dataloaders

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// ResetAfterMutations is the gqlgen extension that gives each root mutation field's
// result, and every field after it, loaders that have read nothing yet (Reset), so that
// nothing loaded before a write is served after it. It is the one place that does so:
// mutation resolvers do not reset themselves.
type ResetAfterMutations struct{}

var (
	_ graphql.HandlerExtension = ResetAfterMutations{}
	_ graphql.FieldInterceptor = ResetAfterMutations{}
)

// ExtensionName names the extension.
func (ResetAfterMutations) ExtensionName() string { return "ResetLoadersAfterMutations" }

// Validate accepts every schema.
func (ResetAfterMutations) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptField resets the request's loaders before and after each root mutation
// field: before, so that the write's own result is read after anything an earlier
// field loaded; after, so that the fields below it and the next mutation read anew.
func (ResetAfterMutations) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Mutation" {
		return next(ctx)
	}
	Reset(ctx)
	res, err := next(ctx)
	Reset(ctx)
	return res, err
}
