package resolvers

import (
	"context"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/gqlmodel"
	"github.com/profilegraph/profilegraph/profile"
)

// The person's rights (SPEC §6): the visibility check-up, deletion by the app and
// erasure. Export is an HTTP endpoint (export.go at the root).

// visibility resolves Person.visibility: owner only (not for ads), computed by
// consent.Visibility from the person's view (its fresh links and consents) and whether
// each account's devices and cross-posts lists are non-empty (two store calls for all
// the accounts).
func (r *Resolver) visibility(ctx context.Context, p *gqlmodel.Person, targetApp profile.App, purpose *profile.Purpose, audience *consent.Audience) ([]*consent.FieldVisibility, error) {
	if err := p.OwnerOnly("Person.visibility"); err != nil {
		return nil, err
	}
	if !targetApp.Valid() {
		return nil, profile.Errorf(profile.BadUserInput, "targetApp: unknown app %q", targetApp)
	}
	u, aud := profile.PurposeService, consent.AudienceOwner
	if purpose != nil {
		u = *purpose
	}
	if audience != nil {
		aud = *audience
	}
	accs := p.View.AccountsOf()
	ids := make([]string, len(accs))
	pages := make([]profile.CrossPostPage, len(accs))
	for i, a := range accs {
		ids[i] = a.ID
		pages[i] = profile.CrossPostPage{AccountID: a.ID, Limit: 1}
	}
	l := dataloaders.For(ctx)
	if err := l.PrefetchDevices(ctx, ids); err != nil {
		return nil, err
	}
	if _, err := l.PrefetchCrossPosts(ctx, pages); err != nil {
		return nil, err
	}
	lists := make(map[string][2]bool, len(accs))
	for i, a := range accs {
		ds, err := l.DevicesOf(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		cs, err := l.CrossPostsOf(ctx, pages[i])
		if err != nil {
			return nil, err
		}
		lists[a.ID] = [2]bool{len(ds) > 0, len(cs) > 0}
	}
	hasValue := func(a *profile.Account, f profile.Field) bool {
		switch f {
		case profile.FieldDevices:
			return lists[a.ID][0]
		case profile.FieldCrossPosts:
			return lists[a.ID][1]
		}
		return consent.HasValue(a, f)
	}
	rows := consent.Visibility(p.ID, accs, p.View.Consents, p.View.Grants.Age(), hasValue, targetApp, u, aud)
	out := make([]*consent.FieldVisibility, len(rows))
	for i := range rows {
		out[i] = &rows[i]
	}
	return out, nil
}

// deleteAppAccount runs the deleteAppAccount mutation.
func (r *Resolver) deleteAppAccount(ctx context.Context, appUserID string) (bool, error) {
	v, err := viewer(ctx)
	if err != nil {
		return false, err
	}
	if err := r.Accounts.DeleteAppAccount(ctx, v, appUserID); err != nil {
		return false, err
	}
	return true, nil
}

// erasePerson runs the erasePerson mutation.
func (r *Resolver) erasePerson(ctx context.Context) (bool, error) {
	v, err := viewer(ctx)
	if err != nil {
		return false, err
	}
	if err := r.Accounts.ErasePerson(ctx, v); err != nil {
		return false, err
	}
	return true, nil
}
