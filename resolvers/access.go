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
// accounts the app has not pushed yet). It is read fresh, never from the shared cache:
// its link decides who the viewer's person is, hence who is an owner.
func viewerAccount(ctx context.Context, v *profile.Viewer) (*profile.Account, error) {
	if v.Service {
		return nil, nil
	}
	return dataloaders.For(ctx).ViewerAccount(ctx, v.AccountKey())
}

// checkedAccount returns a with the link that the fresh privacy state of its person
// gives it. An account reached through the content path (appAccount, _entities) may come
// from the shared cache and claim a link that unlinkAccount removed since; such a claim
// is checked before any decision: if the person no longer has the account, the
// decision is made on a copy linked to nobody. Treating a stale "unlinked" account as
// unlinked is never more permissive (SPEC §5 rule 1 against rules 2 and 3), so a stale
// claim can only hide data, never show withdrawn data. The check costs no round trip of
// its own: the person's privacy state is loaded for the decision anyway.
func checkedAccount(ctx context.Context, a *profile.Account) (*profile.Account, error) {
	if a == nil || a.PersonID == "" {
		return a, nil
	}
	st, err := dataloaders.For(ctx).Privacy(ctx, a.PersonID)
	if err != nil {
		return nil, err
	}
	link := st.Link(a.ID)
	switch {
	case link == nil:
		return dataloaders.WithoutLink(a), nil
	case a.LinkedAt == nil || !a.LinkedAt.Equal(link.LinkedAt):
		return dataloaders.WithLink(a, a.PersonID, *link), nil
	}
	return a, nil
}

// grants returns the person's effective consents from its fresh privacy state.
func grants(ctx context.Context, personID string) (consent.Grants, error) {
	st, err := dataloaders.For(ctx).Privacy(ctx, personID)
	if err != nil || st == nil {
		return consent.Grants{}, err
	}
	return consent.NewGrants(st.LinkedApps(), st.Consents), nil
}

// request describes the asker for the consent decision.
func request(ctx context.Context) (consent.Request, error) {
	v, err := viewer(ctx)
	if err != nil {
		return consent.Request{}, err
	}
	req := consent.Request{App: v.App, Purpose: v.Purpose, Service: v.Service}
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
	return accs, consent.NewGrants(appsOf(accs), cs), nil
}

// accountValue decides whether field f of account a is visible to the request. It
// returns (false, nil) for a silently hidden value and the decision's error otherwise.
func accountValue(ctx context.Context, a *profile.Account, f profile.Field) (bool, error) {
	req, err := request(ctx)
	if err != nil {
		return false, err
	}
	if a, err = checkedAccount(ctx, a); err != nil {
		return false, err
	}
	var g consent.Grants
	if a.PersonID != "" {
		if g, err = grants(ctx, a.PersonID); err != nil {
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

// requireOwner fails with FORBIDDEN unless the viewer is the person and the request is
// not made for ads (consent.OwnerOnly).
func requireOwner(ctx context.Context, personID, what string) error {
	return requireOwnerField(ctx, personID, what, false)
}

// requireOwnerField is requireOwner; a protective field (the reconciled age range)
// stays visible to the person's ads requests.
func requireOwnerField(ctx context.Context, personID, what string, protective bool) error {
	req, err := request(ctx)
	if err != nil {
		return err
	}
	if d := consent.OwnerOnly(req, personID, what, protective); !d.Visible {
		return d.Err
	}
	return nil
}

// requireAccountOwner fails with FORBIDDEN unless the viewer owns account a
// (consent.AccountOwnerOnly); it returns a with its link checked (checkedAccount),
// which the caller must use from then on.
func requireAccountOwner(ctx context.Context, a *profile.Account, what string) (*profile.Account, error) {
	req, err := request(ctx)
	if err != nil {
		return nil, err
	}
	if a, err = checkedAccount(ctx, a); err != nil {
		return nil, err
	}
	if d := consent.AccountOwnerOnly(req, a, what); !d.Visible {
		return nil, d.Err
	}
	return a, nil
}

// str returns a copy of a string field for GraphQL, nil for nil.
func str(p *string) *string {
	if p == nil {
		return nil
	}
	s := *p
	return &s
}

// appsOf lists the apps of accs.
func appsOf(accs []*profile.Account) []profile.App {
	apps := make([]profile.App, 0, len(accs))
	for _, a := range accs {
		apps = append(apps, a.App)
	}
	return apps
}
