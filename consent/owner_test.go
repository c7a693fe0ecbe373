package consent_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

func TestOwnerOnly(t *testing.T) {
	const person, other = "p-1", "p-2"
	for _, tc := range []struct {
		name       string
		req        consent.Request
		protective bool
		want       profile.Code // "" = visible
	}{
		{"the owner sees it", consent.Request{ViewerPersonID: person, App: profile.AppFacebook}, false, ""},
		{"another person is forbidden", consent.Request{ViewerPersonID: other, App: profile.AppFacebook}, false, profile.Forbidden},
		{"an unlinked viewer is forbidden", consent.Request{ViewerAccountID: "a-1", App: profile.AppFacebook}, false, profile.Forbidden},
		{"a service token is forbidden", consent.Request{App: profile.AppFacebook}, false, profile.Forbidden},
		{"the owner asking for ads is forbidden", consent.Request{ViewerPersonID: person, App: profile.AppFacebook, Purpose: profile.PurposeAds}, false, profile.Forbidden},
		{"the owner asking for ads sees a protective field", consent.Request{ViewerPersonID: person, App: profile.AppFacebook, Purpose: profile.PurposeAds}, true, ""},
		{"another person asking for ads is forbidden a protective field", consent.Request{ViewerPersonID: other, App: profile.AppFacebook, Purpose: profile.PurposeAds}, true, profile.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := consent.OwnerOnly(tc.req, person, "Person.settings", tc.protective)
			checkOwnerDecision(t, d, tc.want)
		})
	}
}

func TestAccountOwnerOnly(t *testing.T) {
	linked := &profile.Account{ID: "a-1", App: profile.AppInstagram, PersonID: "p-1"}
	unlinked := &profile.Account{ID: "a-2", App: profile.AppThreads}
	for _, tc := range []struct {
		name       string
		req        consent.Request
		acc        *profile.Account
		protective bool
		want       profile.Code
	}{
		{"the person owns its linked account", consent.Request{ViewerAccountID: "a-9", ViewerPersonID: "p-1", App: profile.AppFacebook}, linked, false, ""},
		{"an unlinked viewer owns its own account", consent.Request{ViewerAccountID: "a-2", App: profile.AppThreads}, unlinked, false, ""},
		{"another person is forbidden", consent.Request{ViewerAccountID: "a-8", ViewerPersonID: "p-2", App: profile.AppFacebook}, linked, false, profile.Forbidden},
		{"a service token is forbidden", consent.Request{App: profile.AppInstagram}, linked, false, profile.Forbidden},
		{"the owner asking for ads is forbidden", consent.Request{ViewerAccountID: "a-9", ViewerPersonID: "p-1", App: profile.AppFacebook, Purpose: profile.PurposeAds}, linked, false, profile.Forbidden},
		{"the owner asking for ads sees a protective field (its person)", consent.Request{ViewerAccountID: "a-9", ViewerPersonID: "p-1", App: profile.AppFacebook, Purpose: profile.PurposeAds}, linked, true, ""},
		{"another person asking for ads is forbidden a protective field", consent.Request{ViewerAccountID: "a-8", ViewerPersonID: "p-2", App: profile.AppFacebook, Purpose: profile.PurposeAds}, linked, true, profile.Forbidden},
		{"a nil account is nobody's", consent.Request{ViewerPersonID: "p-1", App: profile.AppFacebook}, nil, false, profile.Forbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkOwnerDecision(t, consent.AccountOwnerOnly(tc.req, tc.acc, "AppAccount.person", tc.protective), tc.want)
		})
	}
}

func checkOwnerDecision(t *testing.T, d consent.Decision, want profile.Code) {
	t.Helper()
	switch {
	case want == "" && (!d.Visible || d.Err != nil):
		t.Fatalf("decision = %+v, want visible", d)
	case want != "" && (d.Visible || d.Err == nil || d.Err.Code != want):
		t.Fatalf("decision = %+v, want hidden with %s", d, want)
	}
}

func TestInForce(t *testing.T) {
	c := func(s, tg profile.App) *profile.Consent {
		return &profile.Consent{SourceApp: s, TargetApp: tg, Category: profile.CategoryProfile, Purpose: profile.PurposeService}
	}
	igFB, waFB, fbTH, fbIG := c(profile.AppInstagram, profile.AppFacebook), c(profile.AppWhatsApp, profile.AppFacebook),
		c(profile.AppFacebook, profile.AppThreads), c(profile.AppFacebook, profile.AppInstagram)
	got := consent.InForce([]profile.App{profile.AppFacebook, profile.AppInstagram},
		[]*profile.Consent{igFB, waFB, nil, fbTH, fbIG})
	if len(got) != 2 || got[0] != igFB || got[1] != fbIG {
		t.Fatalf("InForce = %v, want [INSTAGRAM→FACEBOOK FACEBOOK→INSTAGRAM]: consents naming an unlinked source or target are absent", got)
	}
	if got := consent.InForce(nil, []*profile.Consent{igFB}); len(got) != 0 {
		t.Fatalf("InForce with nothing linked = %v, want none", got)
	}
}
