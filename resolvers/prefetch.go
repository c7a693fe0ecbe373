package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/profile"
)

// personFieldsWithoutSubject are the Person fields that need neither the person's
// accounts nor its privacy state.
var personFieldsWithoutSubject = map[string]bool{"id": true, "__typename": true, "activity": true}

// prefetchSubjects loads, in one batch, the linked accounts and privacy state of the
// persons of an _entities batch, if the query asks for a Person field that needs them;
// so N representations cost the same round trips for every N (SPEC §8). It returns the
// stores' errors.
func prefetchSubjects(ctx context.Context, persons []*profile.Person) error {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	need := false
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, []string{"Person"}) {
		if !personFieldsWithoutSubject[f.Name] {
			need = true
			break
		}
	}
	if !need {
		return nil
	}
	ids := make([]string, 0, len(persons))
	for _, p := range persons {
		if p != nil {
			ids = append(ids, p.ID)
		}
	}
	return dataloaders.For(ctx).PrefetchSubjects(ctx, ids)
}
