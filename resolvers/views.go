package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/gqlmodel"
	"github.com/profilegraph/profilegraph/profile"
)

// viewer returns the verified caller; the server answers 401 before any resolver runs
// without one, so a missing viewer here is UNAUTHENTICATED as a second line of defence.
func viewer(ctx context.Context) (*profile.Viewer, error) {
	v := profile.ViewerFrom(ctx)
	if v == nil {
		return nil, profile.Errorf(profile.Unauthenticated, "a bearer token is required")
	}
	return v, nil
}

// personFieldsWithoutView are the Person fields that need no view of the person.
var personFieldsWithoutView = map[string]bool{"id": true, "__typename": true}

// needsPersonView reports whether the field of ctx, which returns persons, selects a
// Person field that needs the person's view (anything but its id).
func needsPersonView(ctx context.Context) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, []string{"Person"}) {
		if !personFieldsWithoutView[f.Name] {
			return true
		}
	}
	return false
}

// persons wraps the persons of ids (aligned; "" stays nil) with their views, computed
// for the whole level at once when the query needs them (dataloaders.PersonViews).
func (r *Resolver) persons(ctx context.Context, ids []string) ([]*gqlmodel.Person, error) {
	out := make([]*gqlmodel.Person, len(ids))
	var views []*consent.PersonView
	if needsPersonView(ctx) {
		present := make([]string, 0, len(ids))
		for _, id := range ids {
			if id != "" {
				present = append(present, id)
			}
		}
		vs, err := dataloaders.For(ctx).PersonViews(ctx, present)
		if err != nil {
			return nil, err
		}
		views = vs
	}
	j := 0
	for i, id := range ids {
		if id == "" {
			continue
		}
		var v *consent.PersonView
		if views != nil {
			v = views[j]
		}
		j++
		out[i] = gqlmodel.NewPerson(id, v)
	}
	return out, nil
}

// lookupPersons is persons for ids that come from the client (_entities, person(id)),
// with a person that does not exist as nil (dataloaders.ExistingPersons).
func (r *Resolver) lookupPersons(ctx context.Context, ids []string) ([]*gqlmodel.Person, error) {
	existing, err := dataloaders.For(ctx).ExistingPersons(ctx, ids)
	if err != nil {
		return nil, err
	}
	return r.persons(ctx, existing)
}

// person is persons for one person id.
func (r *Resolver) person(ctx context.Context, id string) (*gqlmodel.Person, error) {
	ps, err := r.persons(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	return ps[0], nil
}

// appAccounts wraps accounts read through the content path (aligned; nil stays nil)
// with their views (dataloaders.AccountViews). Accounts the viewer owns get their
// person too (AppAccount.person), which is then the viewer's person.
func (r *Resolver) appAccounts(ctx context.Context, accs []*profile.Account) ([]*gqlmodel.AppAccount, error) {
	l := dataloaders.For(ctx)
	views, err := l.AccountViews(ctx, accs)
	if err != nil {
		return nil, err
	}
	out := make([]*gqlmodel.AppAccount, len(accs))
	var owner *gqlmodel.Person
	for i, v := range views {
		if v == nil {
			continue
		}
		a := v.Account
		if owner == nil && a.PersonID != "" && consent.OwnsAccount(v.Request, a) {
			pv, err := l.PersonView(ctx, a.PersonID)
			if err != nil {
				return nil, err
			}
			owner = gqlmodel.NewPerson(a.PersonID, pv)
		}
		var o *gqlmodel.Person
		if owner != nil && owner.ID == a.PersonID {
			o = owner
		}
		out[i] = gqlmodel.NewAppAccount(v, o)
	}
	return out, nil
}

// appAccount is appAccounts for one account (nil stays nil).
func (r *Resolver) appAccount(ctx context.Context, a *profile.Account) (*gqlmodel.AppAccount, error) {
	if a == nil {
		return nil, nil
	}
	out, err := r.appAccounts(ctx, []*profile.Account{a})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// profileOf is the merged profile the viewer gets back from updateProfile: its
// person's, or its lone account's when it is linked to nobody.
func (r *Resolver) profileOf(ctx context.Context, acc *profile.Account) (*gqlmodel.Profile, error) {
	l := dataloaders.For(ctx)
	if acc.PersonID != "" {
		v, err := l.PersonView(ctx, acc.PersonID)
		if err != nil {
			return nil, err
		}
		return &gqlmodel.Profile{V: &v.Profile}, nil
	}
	vs, err := l.AccountViews(ctx, []*profile.Account{acc})
	if err != nil {
		return nil, err
	}
	if vs[0] == nil {
		return nil, profile.Errorf(profile.NotFound, "your %s account no longer exists", acc.App)
	}
	return &gqlmodel.Profile{V: consent.NewAccountProfile(vs[0])}, nil
}
