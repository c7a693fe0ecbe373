package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/gqlmodel"
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

// accountRep is one AppAccount representation, by id or by (app, appUserId).
type accountRep struct {
	id  string
	key *profile.AccountKey
}

// resolveAccountReps resolves a batch of AppAccount representations, whichever key each
// uses. gqlgen hands the whole AppAccount group to the resolver chosen by the first
// representation's key, so a batch that mixes `id` and `app appUserId` would otherwise
// be read with the wrong key; the raw representations of the `_entities` field tell
// which key each one really carries. Each key kind is read in one call for the batch.
func (r *Resolver) resolveAccountReps(ctx context.Context, typed []accountRep) ([]*gqlmodel.AppAccount, error) {
	if _, err := viewer(ctx); err != nil {
		return nil, err
	}
	reps := typed
	if raw := rawRepresentations(ctx, "AppAccount"); len(raw) == len(typed) {
		reps = make([]accountRep, len(raw))
		for i, m := range raw {
			reps[i] = accountRepOf(m)
		}
	}
	errs := make(graphql.BatchErrorList, len(reps))
	failed := false
	var ids []string
	var keys []profile.AccountKey
	var idAt, keyAt []int
	for i, rep := range reps {
		switch {
		case rep.key != nil:
			if errs[i] = checkAppUserID(rep.key.AppUserID); errs[i] == nil {
				keys, keyAt = append(keys, *rep.key), append(keyAt, i)
			}
		default:
			if errs[i] = checkID("AppAccount", rep.id); errs[i] == nil {
				ids, idAt = append(ids, rep.id), append(idAt, i)
			}
		}
		failed = failed || errs[i] != nil
	}
	l := dataloaders.For(ctx)
	accs := make([]*profile.Account, len(reps))
	if len(ids) > 0 {
		got, err := l.Accounts(ctx, ids)
		if err != nil {
			return nil, err
		}
		for j, a := range got {
			accs[idAt[j]] = a
		}
	}
	if len(keys) > 0 {
		got, err := l.AccountsByKey(ctx, keys)
		if err != nil {
			return nil, err
		}
		for j, a := range got {
			accs[keyAt[j]] = a
		}
	}
	out, err := r.appAccounts(ctx, accs)
	if err != nil {
		return nil, err
	}
	if failed {
		return out, errs
	}
	return out, nil
}

// resolvePersonReps resolves a batch of Person representations by id.
func (r *Resolver) resolvePersonReps(ctx context.Context, ids []string) ([]*gqlmodel.Person, error) {
	if _, err := viewer(ctx); err != nil {
		return nil, err
	}
	errs := entityErrors(ids, func(i int) error { return checkID("Person", ids[i]) })
	ps, err := dataloaders.For(ctx).Persons(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := make([]string, len(ids))
	for i, p := range ps {
		if p != nil {
			found[i] = p.ID
		}
	}
	out, err := r.persons(ctx, found)
	if err != nil {
		return nil, err
	}
	return out, errs
}

// rawRepresentations returns, in order, the `_entities` representations of typeName, or
// nil when ctx is not inside an `_entities` field.
func rawRepresentations(ctx context.Context, typeName string) []map[string]any {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Name != "_entities" {
		return nil
	}
	all, ok := fc.Args["representations"].([]map[string]any)
	if !ok {
		return nil
	}
	var out []map[string]any
	for _, m := range all {
		if m["__typename"] == typeName {
			out = append(out, m)
		}
	}
	return out
}

// accountRepOf reads the key a raw AppAccount representation carries: `id` when it has
// one, else `app` and `appUserId`. A malformed one yields a key that fails checks.
func accountRepOf(m map[string]any) accountRep {
	if id, ok := m["id"].(string); ok {
		return accountRep{id: id}
	}
	app, _ := m["app"].(string)
	uid, _ := m["appUserId"].(string)
	if a := profile.App(app); a.Valid() {
		return accountRep{key: &profile.AccountKey{App: a, AppUserID: uid}}
	}
	return accountRep{id: ""}
}
