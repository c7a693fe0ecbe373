package resolvers

import (
	"context"

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

// viewerAccount returns the viewer's own app account (nil for service tokens and for
// accounts the app has not pushed yet).
func viewerAccount(ctx context.Context, v *profile.Viewer) (*profile.Account, error) {
	if v.Service {
		return nil, nil
	}
	return dataloaders.For(ctx).AccountByKey(ctx, v.AccountKey())
}

// request describes the asker for the consent decision.
func request(ctx context.Context) (consent.Request, error) {
	v, err := viewer(ctx)
	if err != nil {
		return consent.Request{}, err
	}
	req := consent.Request{App: v.App, Purpose: v.Purpose}
	acc, err := viewerAccount(ctx, v)
	if err != nil {
		return consent.Request{}, err
	}
	if acc != nil {
		req.ViewerAccountID = acc.ID
		req.ViewerPersonID = acc.PersonID
	}
	return req, nil
}

// subject loads what the decision needs about a person: its linked accounts and grants.
func subject(ctx context.Context, personID string) ([]*profile.Account, consent.Grants, error) {
	accs, cs, err := dataloaders.For(ctx).Subject(ctx, personID)
	if err != nil {
		return nil, consent.Grants{}, err
	}
	apps := make([]profile.App, 0, len(accs))
	for _, a := range accs {
		apps = append(apps, a.App)
	}
	return accs, consent.NewGrants(apps, cs), nil
}

// accountValue decides whether field f of account a is visible to the request. It
// returns (false, nil) for a silently hidden value and the decision's error otherwise.
func accountValue(ctx context.Context, a *profile.Account, f profile.Field) (bool, error) {
	req, err := request(ctx)
	if err != nil {
		return false, err
	}
	var g consent.Grants
	if a.PersonID != "" {
		if _, g, err = subject(ctx, a.PersonID); err != nil {
			return false, err
		}
	}
	d := consent.Decide(req, a, g, profile.FieldCategory[f])
	if d.Visible {
		return true, nil
	}
	if d.Err != nil {
		return false, d.Err
	}
	return false, nil
}

// mergedValue picks the account whose value of f the request sees in profile p.
func mergedValue(ctx context.Context, p *gqlmodel.Profile, f profile.Field) (*profile.Account, error) {
	if p.PersonID == "" {
		ok, err := accountValue(ctx, p.Account, f)
		if !ok || err != nil {
			return nil, err
		}
		return p.Account, nil
	}
	req, err := request(ctx)
	if err != nil {
		return nil, err
	}
	accs, g, err := subject(ctx, p.PersonID)
	if err != nil {
		return nil, err
	}
	chosen, derr := consent.Merge(req, p.PersonID, accs, g, f)
	if derr != nil {
		return nil, derr
	}
	return chosen, nil
}

// requireOwner fails with FORBIDDEN unless the viewer is the person.
func requireOwner(ctx context.Context, personID, what string) error {
	req, err := request(ctx)
	if err != nil {
		return err
	}
	if !consent.IsOwner(req, personID) {
		return profile.ForbiddenError(what)
	}
	return nil
}

// requireAccountOwner fails with FORBIDDEN unless the viewer owns account a.
func requireAccountOwner(ctx context.Context, a *profile.Account, what string) error {
	req, err := request(ctx)
	if err != nil {
		return err
	}
	if !consent.OwnsAccount(req, a) {
		return profile.ForbiddenError(what)
	}
	return nil
}

// str returns a copy of a string field for GraphQL, nil for nil.
func str(p *string) *string {
	if p == nil {
		return nil
	}
	s := *p
	return &s
}

// linkedApps lists the apps of accs.
func linkedApps(accs []*profile.Account) map[profile.App]bool {
	m := make(map[profile.App]bool, len(accs))
	for _, a := range accs {
		m[a.App] = true
	}
	return m
}
