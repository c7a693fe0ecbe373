package consent

import (
	"slices"

	"github.com/profilegraph/profilegraph/profile"
)

// A view is everything one request may see of one subject, decided once: the fields
// of a GraphQL request only read it. Views are made by calling Decide (and Merge's
// choice rule) and hold no rule of their own; they are pure and immutable once made.

// categoryIndex numbers the categories of profile.Categories, for arrays of decisions.
func categoryIndex(c profile.Category) int {
	switch c {
	case profile.CategoryProfile:
		return 0
	case profile.CategoryContact:
		return 1
	case profile.CategoryAge:
		return 2
	case profile.CategoryActivity:
		return 3
	case profile.CategoryDevice:
		return 4
	}
	return -1
}

// AccountView is what request R may see of one app account: the decision for each data
// category of the account (Decide), made once.
type AccountView struct {
	// Account is the account, with the link the fresh privacy state gives it. Shared:
	// do not modify.
	Account *profile.Account
	// Request is who asks.
	Request Request
	byCat   [5]Decision
}

// NewAccountView decides every category of account a for r under the grants g of a's
// person (the zero Grants for an unlinked account). a must carry its fresh link.
func NewAccountView(r Request, a *profile.Account, g Grants) *AccountView {
	v := &AccountView{Account: a, Request: r}
	for _, c := range profile.Categories {
		v.byCat[categoryIndex(c)] = Decide(r, a, g, c)
	}
	return v
}

// Decision returns the decision for category c (an unknown category is absent).
func (v *AccountView) Decision(c profile.Category) Decision {
	if i := categoryIndex(c); i >= 0 {
		return v.byCat[i]
	}
	return absent
}

// Field returns whether the value of gated field f may be shown and, if not, the error
// that explains it (nil: silently absent).
func (v *AccountView) Field(f profile.Field) (bool, *profile.Error) {
	d := v.Decision(profile.FieldCategory[f])
	return d.Visible, d.Err
}

// OwnerOnly decides an owner-only field of the account (AccountOwnerOnly).
func (v *AccountView) OwnerOnly(what string, protective bool) Decision {
	return AccountOwnerOnly(v.Request, v.Account, what, protective)
}

// Merged is the outcome of one merged profile field: the account whose value is shown,
// or nil with the error that explains the hidden value (nil: silently absent).
type Merged struct {
	Account *profile.Account
	Err     *profile.Error
}

// ProfileView is a merged profile (SPEC §5 "Merged profile") as request R sees it.
type ProfileView struct {
	fields  [7]Merged // indexed as profile.ProfileFields
	sources []FieldSource
}

// fieldIndex numbers profile.ProfileFields.
func fieldIndex(f profile.Field) int {
	for i, x := range profile.ProfileFields {
		if x == f {
			return i
		}
	}
	return -1
}

// Field returns the merged outcome of f; an unknown field is INTERNAL.
func (p *ProfileView) Field(f profile.Field) Merged {
	i := fieldIndex(f)
	if i < 0 {
		return Merged{Err: profile.Errorf(profile.Internal, "unknown profile field %q", f)}
	}
	return p.fields[i]
}

// Sources lists, in profile.ProfileFields order, where each visible merged value came
// from. Shared: do not modify.
func (p *ProfileView) Sources() []FieldSource { return p.sources }

func (p *ProfileView) finish() {
	p.sources = make([]FieldSource, 0, len(p.fields))
	for i, m := range p.fields {
		if m.Account != nil {
			p.sources = append(p.sources, FieldSource{Field: profile.ProfileFields[i], App: m.Account.App})
		}
	}
}

// PersonView is everything request R may see of person P: its linked accounts with
// their decisions, its merged profile and its consents in force.
type PersonView struct {
	PersonID string
	Request  Request
	// Accounts are P's linked accounts (ordered as profile.Apps), each decided.
	Accounts []*AccountView
	// Consents are P's consents in force (InForce).
	Consents []*profile.Consent
	// Age is P's reconciled age range (AgeRange), the one every decision of the view
	// used (rule 6).
	Age profile.AgeRange
	// Grants are what the view decided under (Consents and Age): a decision for another
	// request about P (the visibility check-up's target app and audience) uses them too.
	Grants  Grants
	Profile ProfileView
}

// NewPersonView decides, for r, every field of person personID whose linked accounts
// are accounts (each carrying its fresh link), whose stored consents are consents and
// whose reconciled age range is age (AgeRange over the fresh birthdates of all of P's
// linked accounts; "" counts as UNKNOWN).
func NewPersonView(r Request, personID string, accounts []*profile.Account, consents []*profile.Consent, age profile.AgeRange) *PersonView {
	in := InForce(profile.AppsOf(accounts), consents)
	g := grantsOf(in).WithAge(age)
	v := &PersonView{PersonID: personID, Request: r, Consents: in, Age: g.Age(), Grants: g}
	v.Accounts = make([]*AccountView, 0, len(accounts))
	for _, a := range accounts {
		if a != nil && a.PersonID == personID {
			v.Accounts = append(v.Accounts, NewAccountView(r, a, g))
		}
	}
	owner := IsOwner(r, personID)
	for i, f := range profile.ProfileFields {
		v.Profile.fields[i] = merge(r, owner, v.Accounts, f)
	}
	v.Profile.finish()
	return v
}

// NewAccountProfile is the profile of an account that is linked to no person: its own
// values, each as Decide allows.
func NewAccountProfile(av *AccountView) *ProfileView {
	p := &ProfileView{}
	for i, f := range profile.ProfileFields {
		ok, err := av.Field(f)
		switch {
		case !ok:
			p.fields[i] = Merged{Err: err}
		case HasValue(av.Account, f):
			p.fields[i] = Merged{Account: av.Account}
		}
	}
	p.finish()
	return p
}

// AccountsOf returns the accounts of the view (shared: do not modify).
func (v *PersonView) AccountsOf() []*profile.Account {
	out := make([]*profile.Account, len(v.Accounts))
	for i, av := range v.Accounts {
		out[i] = av.Account
	}
	return out
}

// Account returns the view of P's account in app, or nil.
func (v *PersonView) Account(app profile.App) *AccountView {
	for _, av := range v.Accounts {
		if av.Account.App == app {
			return av
		}
	}
	return nil
}

// OwnerOnly decides an owner-only field of P (consent.OwnerOnly).
func (v *PersonView) OwnerOnly(what string, protective bool) Decision {
	return OwnerOnly(v.Request, v.PersonID, what, protective)
}

// merge picks the shown account of field f among decided accounts (SPEC §5): see Merge.
// A service token is no owner, but its own app's records are visible to it (Decide), so
// it goes through the per-account decisions.
func merge(r Request, owner bool, accounts []*AccountView, f profile.Field) Merged {
	t, c := r.App, profile.FieldCategory[f]
	if !owner && !r.Service && c != profile.CategoryProfile {
		return Merged{Err: forbidden(c).Err}
	}
	var shown, hidden *profile.Account
	var hiddenErr *profile.Error
	for _, av := range accounts {
		a := av.Account
		if !HasValue(a, f) {
			continue
		}
		d := av.Decision(c)
		switch {
		case d.Visible:
			if preferred(t, a, shown) {
				shown = a
			}
		case preferred(t, a, hidden):
			hidden, hiddenErr = a, d.Err
		}
	}
	if shown != nil {
		return Merged{Account: shown}
	}
	if hidden != nil {
		return Merged{Err: hiddenErr}
	}
	return Merged{}
}

func grantsOf(in []*profile.Consent) Grants {
	g := Grants{keys: make([]profile.ConsentKey, 0, len(in))}
	for _, c := range in {
		if k := c.Key(); !slices.Contains(g.keys, k) {
			g.keys = append(g.keys, k)
		}
	}
	return g
}
