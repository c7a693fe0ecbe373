package resolvers

import (
	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// entityErrors checks every representation and returns a graphql.BatchErrorList with
// an error at the index of each malformed one (reported at ["_entities", i]), or nil.
// A well-formed key that matches nothing is not an error: its entity is null.
func entityErrors[K any](keys []K, check func(i int) error) error {
	var errs graphql.BatchErrorList
	for i := range keys {
		if err := check(i); err != nil {
			if errs == nil {
				errs = make(graphql.BatchErrorList, len(keys))
			}
			errs[i] = err
		}
	}
	if errs == nil {
		return nil
	}
	return errs
}

// The messages name no index: i counts within one type's group, not in the
// representations list, and the error's path (["_entities", index]) already says which.

func checkID(typ string, id string) error {
	if _, err := uuid.Parse(id); err != nil {
		return profile.Errorf(profile.BadUserInput, "representation: %s id %q is not a valid id", typ, id)
	}
	return nil
}

func checkAppUserID(id string) error {
	if id == "" || len(id) > 128 {
		return profile.Errorf(profile.BadUserInput, "representation: appUserId must be 1 to 128 characters")
	}
	return nil
}
