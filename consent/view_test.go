package consent_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// randomWorld is a person with some linked accounts (values present or not, various
// update times), some consents (naming linked apps or not), and a request.
type randomWorld struct {
	personID string
	accounts []*profile.Account
	consents []*profile.Consent
	age      profile.AgeRange
	req      consent.Request
}

func newRandomWorld(r *rand.Rand) randomWorld {
	w := randomWorld{personID: "p-subject"}
	for _, app := range profile.Apps {
		if r.IntN(3) == 0 {
			continue
		}
		a := &profile.Account{ID: "a-" + string(app), App: app, AppUserID: "u", PersonID: w.personID, Username: "user_" + string(app),
			UpdatedAt: t0.Add(-time.Duration(r.IntN(3)) * time.Hour)}
		if r.IntN(4) > 0 {
			a.DisplayName = ptr("Name " + string(app))
		}
		if r.IntN(3) > 0 {
			a.Bio = ptr("Bio")
		}
		if r.IntN(2) == 0 {
			a.Avatar = &profile.Avatar{URL: "https://cdn.example/" + string(app)}
		}
		if r.IntN(2) == 0 {
			a.PhoneNumber = ptr("+16502530000")
		}
		if r.IntN(2) == 0 {
			a.Email = ptr("x@example.com")
		}
		if r.IntN(2) == 0 {
			a.Birthdate = &profile.Date{Year: 1990 + r.IntN(20), Month: time.May, Day: 4}
		}
		w.accounts = append(w.accounts, a)
	}
	for range r.IntN(12) {
		w.consents = append(w.consents, &profile.Consent{PersonID: w.personID,
			SourceApp: profile.Apps[r.IntN(5)], TargetApp: profile.Apps[r.IntN(5)],
			Category: profile.Categories[r.IntN(5)], Purpose: []profile.Purpose{profile.PurposeService, profile.PurposeAds}[r.IntN(2)]})
	}
	w.req = consent.Request{App: profile.Apps[r.IntN(5)]}
	switch r.IntN(4) {
	case 0: // the owner, through one of its accounts
		w.req.ViewerPersonID = w.personID
		if len(w.accounts) > 0 {
			w.req.ViewerAccountID = w.accounts[0].ID
		}
	case 1: // another person
		w.req.ViewerPersonID, w.req.ViewerAccountID = "p-other", "a-other"
	case 2: // an unlinked viewer
		w.req.ViewerAccountID = "a-loose"
	} // 3: a service token
	if r.IntN(3) == 0 {
		w.req.Purpose = profile.PurposeAds
	}
	ages := []profile.AgeRange{"", profile.AgeUnknown, profile.AgeAdult, profile.AgeUnder13, profile.Age13To15, profile.Age16To17}
	w.age = ages[r.IntN(len(ages))]
	return w
}

// oracleMerge is SPEC §5 "Merged profile" written out independently of the package:
// among the accounts whose value of f Decide shows, T's own account, else the most
// recently updated, ties by profile.Apps order.
func oracleMerge(w randomWorld, g consent.Grants, f profile.Field) (*profile.Account, *profile.Error) {
	c := profile.FieldCategory[f]
	if !consent.IsOwner(w.req, w.personID) && c != profile.CategoryProfile {
		return nil, &profile.Error{Code: profile.Forbidden}
	}
	var shown []*profile.Account
	var hiddenErr *profile.Error
	for _, a := range w.accounts {
		if !consent.HasValue(a, f) {
			continue
		}
		if d := consent.Decide(w.req, a, g, c); d.Visible {
			shown = append(shown, a)
		} else if d.Err != nil {
			hiddenErr = d.Err
		}
	}
	if len(shown) == 0 {
		return nil, hiddenErr
	}
	slices.SortStableFunc(shown, func(a, b *profile.Account) int {
		if (a.App == w.req.App) != (b.App == w.req.App) {
			if a.App == w.req.App {
				return -1
			}
			return 1
		}
		if !a.UpdatedAt.Equal(b.UpdatedAt) {
			return b.UpdatedAt.Compare(a.UpdatedAt)
		}
		return slices.Index(profile.Apps, a.App) - slices.Index(profile.Apps, b.App)
	})
	return shown[0], nil
}

// TestPersonViewIsTheDecisionOfEveryField checks, on random worlds, that a view says
// for every account and category exactly what Decide says, and that its merged profile
// is the SPEC's merge of what Decide shows.
func TestPersonViewIsTheDecisionOfEveryField(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 1))
	for i := range 2000 {
		w := newRandomWorld(r)
		v := consent.NewPersonView(w.req, w.personID, w.accounts, w.consents, w.age)
		g := consent.NewGrants(profile.AppsOf(w.accounts), w.consents).WithAge(w.age)
		name := fmt.Sprintf("world %d (%+v, age %q)", i, w.req, w.age)
		if want := g.Age(); v.Age != want || v.Grants.Age() != want || (w.age != "" && want != w.age) {
			t.Fatalf("%s: view age %s (grants %s), want %s", name, v.Age, v.Grants.Age(), want)
		}
		for _, c := range w.consents {
			if v.Grants.Has(c.Key()) != g.Has(c.Key()) {
				t.Fatalf("%s: the view's grants disagree on %+v", name, c.Key())
			}
		}
		if len(v.Accounts) != len(w.accounts) {
			t.Fatalf("%s: %d account views, want %d", name, len(v.Accounts), len(w.accounts))
		}
		for j, av := range v.Accounts {
			for _, c := range profile.Categories {
				if got, want := av.Decision(c), consent.Decide(w.req, w.accounts[j], g, c); got.Visible != want.Visible || got.Minor != want.Minor || !sameErr(got.Err, want.Err) {
					t.Fatalf("%s: %s %s = %+v, Decide says %+v", name, av.Account.App, c, got, want)
				}
			}
		}
		var sources []consent.FieldSource
		for _, f := range profile.ProfileFields {
			m := v.Profile.Field(f)
			want, wantErr := oracleMerge(w, g, f)
			if m.Account != want || (m.Err == nil) != (wantErr == nil) || (m.Err != nil && m.Err.Code != wantErr.Code) {
				t.Fatalf("%s: merged %s = %v/%v, want %v/%v", name, f, app(m.Account), m.Err, app(want), wantErr)
			}
			if want != nil {
				sources = append(sources, consent.FieldSource{Field: f, App: want.App})
			}
		}
		if got := v.Profile.Sources(); !slices.Equal(got, sources) && (len(got) != 0 || len(sources) != 0) {
			t.Fatalf("%s: sources = %v, want %v", name, got, sources)
		}
		if got := consent.InForce(profile.AppsOf(w.accounts), w.consents); !slices.Equal(v.Consents, got) {
			t.Fatalf("%s: consents in force = %v, want %v", name, v.Consents, got)
		}
	}
}

// TestAccountProfileOfALoneAccount: the profile of an account linked to nobody shows its
// own values exactly as Decide (rule 1) allows.
func TestAccountProfileOfALoneAccount(t *testing.T) {
	a := mustAccount(t, "", profile.AppThreads, 0)
	a.Bio = nil
	for _, req := range []consent.Request{
		{ViewerAccountID: a.ID, App: profile.AppThreads},
		{ViewerAccountID: "a-other", App: profile.AppThreads},
		{ViewerAccountID: a.ID, App: profile.AppFacebook},
		{App: profile.AppThreads},
	} {
		p := consent.NewAccountProfile(consent.NewAccountView(req, a, consent.Grants{}))
		for _, f := range profile.ProfileFields {
			d := consent.Decide(req, a, consent.Grants{}, profile.FieldCategory[f])
			m := p.Field(f)
			switch {
			case !d.Visible && (m.Account != nil || !sameErr(m.Err, d.Err)):
				t.Errorf("%+v %s = %+v, want hidden with %v", req, f, m, d.Err)
			case d.Visible && consent.HasValue(a, f) && m.Account != a:
				t.Errorf("%+v %s = %+v, want the account's value", req, f, m)
			case d.Visible && !consent.HasValue(a, f) && (m.Account != nil || m.Err != nil):
				t.Errorf("%+v %s = %+v, want null without error", req, f, m)
			}
		}
	}
}

func sameErr(a, b *profile.Error) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Code == b.Code && a.Message == b.Message && fmt.Sprint(a.Extensions) == fmt.Sprint(b.Extensions)
}

func app(a *profile.Account) string {
	if a == nil {
		return "none"
	}
	return string(a.App)
}
