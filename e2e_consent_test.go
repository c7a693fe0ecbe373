package main

import (
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// consentAccounts are a person's FACEBOOK and INSTAGRAM accounts of the consent tests.
type consentAccounts struct {
	fb, ig   account
	tok, ads string // user tokens of fb, the second with purpose=ads
	personID string // the person of both, once linked (consentPerson)
}

// consentSubject pushes name's FACEBOOK account (display name and username only) and
// INSTAGRAM account (display name, avatar, contact and birthdate) without linking them.
func consentSubject(tb testing.TB, s *testServer, name string) consentAccounts {
	tb.Helper()
	c := consentAccounts{
		fb: account{App: profile.AppFacebook, UserID: name + "-fb", Fields: map[string]any{"displayName": name + " on Facebook"}},
		ig: account{App: profile.AppInstagram, UserID: name + "-ig", Fields: map[string]any{
			"displayName": name + " on Instagram",
			"avatarUrl":   "https://cdn.example.com/" + name + ".png",
			"phoneNumber": "+16502530000",
			"email":       name + "@instagram.example.com",
			"birthdate":   "1990-05-01",
		}},
		tok: userToken(tb, profile.AppFacebook, name+"-fb"),
		ads: adsToken(tb, profile.AppFacebook, name+"-fb"),
	}
	s.mkAccount(tb, c.fb)
	s.mkAccount(tb, c.ig)
	return c
}

// consentPerson is consentSubject with the INSTAGRAM account linked into FACEBOOK's
// person.
func consentPerson(tb testing.TB, s *testServer, name string) consentAccounts {
	tb.Helper()
	c := consentSubject(tb, s, name)
	c.personID = s.linkAll(tb, c.fb, c.ig)
	return c
}

const viewerProfileQuery = `{ viewer { id
	profile { displayName username bio avatar { url sourceApp } phoneNumber email birthdate sources { field app } }
	consents { sourceApp targetApp category purpose } } }`

func TestE2EConsent(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("nothing crosses apps before linking and consent", func(t *testing.T) {
		t.Parallel()
		c := consentSubject(t, s, "amy")

		// Not linked: the FACEBOOK viewer has no person and sees none of INSTAGRAM's values.
		r := s.query(t, c.tok, `{ viewer { id } appAccount(app: INSTAGRAM, appUserId: "amy-ig") {
			app displayName avatar { url } phoneNumber email birthdate } }`, nil)
		wantHidden(t, r, "viewer")
		wantEq(t, r, "appAccount.app", "INSTAGRAM")
		wantHidden(t, r, "appAccount.displayName")
		wantHidden(t, r, "appAccount.avatar")
		wantDenied(t, r, "appAccount.phoneNumber", "FORBIDDEN")
		wantDenied(t, r, "appAccount.email", "FORBIDDEN")
		wantDenied(t, r, "appAccount.birthdate", "FORBIDDEN")

		// Linked without consent: the owner sees own values and is asked for consent for
		// the rest, with the category and the source app in the extensions.
		mustOK(t, s.link(t, c.fb.App, c.fb.UserID, c.ig.App, c.ig.UserID))
		r = s.query(t, c.tok, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.profile.displayName", "amy on Facebook")
		wantEq(t, r, "viewer.profile.username", "amy.fb")
		wantConsentRequired(t, r, "viewer.profile.avatar", "PROFILE", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.profile.phoneNumber", "CONTACT", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.profile.email", "CONTACT", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.profile.birthdate", "AGE", profile.AppInstagram)
		for src := range sources(t, r, "viewer.profile.sources") {
			if src != "displayName:FACEBOOK" && src != "username:FACEBOOK" {
				t.Fatalf("sources lists %s before any consent\n%s", src, r.Raw)
			}
		}
		wantEq(t, r, "viewer.consents", []any{})

		r = s.query(t, c.tok, `{ viewer { account(app: INSTAGRAM) { appUserId displayName phoneNumber } } }`, nil)
		wantEq(t, r, "viewer.account.appUserId", "amy-ig")
		wantConsentRequired(t, r, "viewer.account.displayName", "PROFILE", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.account.phoneNumber", "CONTACT", profile.AppInstagram)
	})

	t.Run("grant shows the value and revoke hides it on the very next request", func(t *testing.T) {
		t.Parallel()
		c := consentPerson(t, s, "ben")
		for round := range 3 { // repeated: a cached decision must never outlive a revoke
			g := mustOK(t, s.query(t, c.tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
			wantEq(t, g, "grantConsent.category", "PROFILE")
			wantEq(t, g, "grantConsent.purpose", "SERVICE")
			r := s.query(t, c.tok, viewerProfileQuery, nil)
			wantEq(t, r, "viewer.profile.avatar.url", "https://cdn.example.com/ben.png")
			wantEq(t, r, "viewer.profile.avatar.sourceApp", "INSTAGRAM")
			wantEq(t, r, "viewer.profile.displayName", "ben on Facebook") // the requesting app's own value wins
			if !sources(t, r, "viewer.profile.sources")["avatar:INSTAGRAM"] {
				t.Fatalf("round %d: sources lack avatar:INSTAGRAM\n%s", round, r.Raw)
			}
			// Consent is per category: CONTACT stays hidden.
			wantConsentRequired(t, r, "viewer.profile.phoneNumber", "CONTACT", profile.AppInstagram)

			mustOK(t, s.query(t, c.tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "CONTACT", "SERVICE")))
			r = s.query(t, c.tok, viewerProfileQuery, nil)
			wantEq(t, r, "viewer.profile.phoneNumber", "+16502530000")
			wantEq(t, r, "viewer.profile.email", "ben@instagram.example.com")

			rv := mustOK(t, s.query(t, c.tok, revokeMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
			wantEq(t, rv, "revokeConsent", true)
			r = s.query(t, c.tok, viewerProfileQuery, nil)
			wantConsentRequired(t, r, "viewer.profile.avatar", "PROFILE", profile.AppInstagram)
			wantEq(t, r, "viewer.profile.phoneNumber", "+16502530000")

			mustOK(t, s.query(t, c.tok, revokeMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "CONTACT", "SERVICE")))
			r = s.query(t, c.tok, viewerProfileQuery, nil)
			wantConsentRequired(t, r, "viewer.profile.phoneNumber", "CONTACT", profile.AppInstagram)
			wantConsentRequired(t, r, "viewer.profile.email", "CONTACT", profile.AppInstagram)
		}
	})

	t.Run("an ads request needs an ADS consent in addition", func(t *testing.T) {
		t.Parallel()
		c := consentPerson(t, s, "cleo")

		mustOK(t, s.query(t, c.tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
		r := s.query(t, c.tok, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.profile.avatar.sourceApp", "INSTAGRAM")
		r = s.query(t, c.ads, viewerProfileQuery, nil)
		wantConsentRequired(t, r, "viewer.profile.avatar", "PROFILE", profile.AppInstagram)
		wantEq(t, r, "viewer.profile.displayName", "cleo on Facebook") // same app: no consent involved
		if sources(t, r, "viewer.profile.sources")["avatar:INSTAGRAM"] {
			t.Fatalf("ads request lists avatar:INSTAGRAM in sources without an ADS consent\n%s", r.Raw)
		}

		mustOK(t, s.query(t, c.tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "ADS")))
		r = s.query(t, c.ads, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.profile.avatar.url", "https://cdn.example.com/cleo.png")

		// ADS alone is not enough: the SERVICE consent is needed as well.
		mustOK(t, s.query(t, c.tok, revokeMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
		r = s.query(t, c.ads, viewerProfileQuery, nil)
		wantConsentRequired(t, r, "viewer.profile.avatar", "PROFILE", profile.AppInstagram)
	})

	t.Run("unlink hides the account's values and relinking does not revive its consents", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		c := consentPerson(t, s, "dora")
		for _, cat := range []string{"PROFILE", "CONTACT", "AGE"} {
			mustOK(t, s.query(t, c.tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, cat, "SERVICE")))
		}
		r := s.query(t, c.tok, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.profile.avatar.sourceApp", "INSTAGRAM")
		wantEq(t, r, "viewer.profile.phoneNumber", "+16502530000")
		wantEq(t, r, "viewer.profile.birthdate", "1990-05-01")

		u := mustOK(t, s.query(t, c.tok, `mutation { unlinkAccount(app: INSTAGRAM) { id accounts { app } } }`, nil))
		wantEq(t, u, "unlinkAccount.id", c.personID)
		wantEq(t, u, "unlinkAccount.accounts", []any{map[string]any{"app": "FACEBOOK"}})

		r = s.query(t, c.tok, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.id", c.personID)
		wantEq(t, r, "viewer.profile.displayName", "dora on Facebook")
		for _, f := range []string{"avatar", "phoneNumber", "email", "birthdate"} {
			if v := r.Get("viewer.profile." + f); v != nil {
				t.Fatalf("after unlink viewer.profile.%s = %v, want null\n%s", f, v, r.Raw)
			}
		}
		for src := range sources(t, r, "viewer.profile.sources") {
			if src != "displayName:FACEBOOK" && src != "username:FACEBOOK" {
				t.Fatalf("after unlink sources lists %s\n%s", src, r.Raw)
			}
		}
		wantEq(t, r, "viewer.consents", []any{})
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1`, c.personID); n != 0 {
			t.Fatalf("%d consents left in the database after unlinking INSTAGRAM", n)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'UNLINKED' AND app = 'INSTAGRAM'`, c.personID); n != 1 {
			t.Fatalf("%d UNLINKED INSTAGRAM events, want 1", n)
		}
		// The unlinked account stands alone again: FACEBOOK sees none of its values.
		r = s.query(t, c.tok, `{ appAccount(app: INSTAGRAM, appUserId: "dora-ig") { displayName phoneNumber } }`, nil)
		wantHidden(t, r, "appAccount.displayName")
		wantDenied(t, r, "appAccount.phoneNumber", "FORBIDDEN")

		// The unlinked account's own user still sees all of it, and has no person.
		r = s.query(t, userToken(t, c.ig.App, c.ig.UserID), `{ viewer { id } viewerAccount { phoneNumber birthdate } }`, nil)
		wantHidden(t, r, "viewer")
		wantEq(t, r, "viewerAccount.phoneNumber", "+16502530000")
		wantEq(t, r, "viewerAccount.birthdate", "1990-05-01")

		// Linking again starts from no consent.
		l := mustOK(t, s.link(t, c.fb.App, c.fb.UserID, c.ig.App, c.ig.UserID))
		wantEq(t, l, "linkAccount.id", c.personID)
		r = s.query(t, c.tok, viewerProfileQuery, nil)
		wantEq(t, r, "viewer.consents", []any{})
		wantConsentRequired(t, r, "viewer.profile.avatar", "PROFILE", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.profile.phoneNumber", "CONTACT", profile.AppInstagram)
		wantConsentRequired(t, r, "viewer.profile.birthdate", "AGE", profile.AppInstagram)
	})
}
