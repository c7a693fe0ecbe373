package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/plugin/federation/fedruntime"

	"github.com/profilegraph/profilegraph/profile"
)

// placeholderRep stands in for a malformed representation while the batch resolves: a
// well-formed Person key that matches no one, so its entity is null.
var placeholderRep = map[string]any{"__typename": "Person", "id": "00000000-0000-0000-0000-000000000000"}

// CheckRepresentation returns a BAD_USER_INPUT *profile.Error unless rep is a
// representation this subgraph resolves: __typename Person with a string id, or
// AppAccount with a string id, or with a valid app and a string appUserId. Whether an id
// is well formed is checked by the entity resolvers.
func CheckRepresentation(rep map[string]any) error {
	switch rep["__typename"] {
	case "Person":
		if _, ok := rep["id"].(string); !ok {
			return profile.Errorf(profile.BadUserInput, "representation: Person needs a string id")
		}
	case "AppAccount":
		if id, present := rep["id"]; present && id != nil {
			if _, ok := id.(string); !ok {
				return profile.Errorf(profile.BadUserInput, "representation: AppAccount id must be a string")
			}
			return nil
		}
		app, _ := rep["app"].(string)
		if !profile.App(app).Valid() {
			return profile.Errorf(profile.BadUserInput, "representation: AppAccount needs an id, or an app (one of the five) and an appUserId")
		}
		if _, ok := rep["appUserId"].(string); !ok {
			return profile.Errorf(profile.BadUserInput, "representation: AppAccount needs an id, or an app (one of the five) and an appUserId")
		}
	default:
		return profile.Errorf(profile.BadUserInput, "representation: __typename must be Person or AppAccount")
	}
	return nil
}

// GuardEntities guards every _entities call (gqlexec.EntityGuard, called by the
// generated federation code): a malformed representation (CheckRepresentation) gets its
// error at its own index (["_entities", i]) and a null entity, while the other
// representations of the batch still resolve. gqlgen's federation code would instead
// fail the whole group of that __typename, or report an unknown type without a code.
func (r *Resolver) GuardEntities(ctx context.Context, reps []map[string]any,
	resolve func(context.Context, []map[string]any) []fedruntime.Entity,
) []fedruntime.Entity {
	var bad []int
	var errs []error
	var clean []map[string]any
	for i, rep := range reps {
		if err := CheckRepresentation(rep); err != nil {
			if clean == nil {
				clean = append([]map[string]any(nil), reps...)
			}
			clean[i] = placeholderRep
			bad, errs = append(bad, i), append(errs, err)
		}
	}
	if clean == nil {
		return resolve(ctx, reps)
	}
	out := resolve(ctx, clean)
	for j, i := range bad {
		if i < len(out) {
			out[i] = nil
		}
		graphql.AddError(graphql.WithPathContext(ctx, graphql.NewPathWithIndex(i)), errs[j])
	}
	return out
}
