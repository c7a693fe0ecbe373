package main

import (
	"testing"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// Security review findings (SPEC §1 promise 4, §2, §5): each test here failed before its
// fix.

// TestE2EReviewAdsTokenCannotGrantItselfConsent: a token with purpose=ads marks a request
// made to personalize ads. If such a request could act as the person (grant an ADS
// consent, link accounts, turn on single sign-on and mint a login handoff into another
// app), an ads system holding it would give itself the "explicit permission" promise 4
// asks of the person. Every user mutation refuses it with FORBIDDEN and writes nothing,
// and an ads token is no proof for linkAccount either.
func TestE2EReviewAdsTokenCannotGrantItselfConsent(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	c := consentPerson(t, s, "adam")
	s.mkAccount(t, account{App: profile.AppWhatsApp, UserID: "adam-wa"})
	adsProof := mint(t, auth.Claims{App: profile.AppWhatsApp, Subject: "adam-wa", Purpose: "ads", ExpiresAt: tokenExpiry()})
	db := openDB(t, s)

	mutations := []struct {
		name, query string
		vars        map[string]any
	}{
		{"grantConsent ADS", grantMutation, consentInput(c.ig.App, c.fb.App, "CONTACT", "ADS")},
		{"grantConsent SERVICE", grantMutation, consentInput(c.ig.App, c.fb.App, "CONTACT", "SERVICE")},
		{"revokeConsent", revokeMutation, consentInput(c.ig.App, c.fb.App, "CONTACT", "SERVICE")},
		{"updateSettings", `mutation { updateSettings(input: { singleSignOn: [INSTAGRAM] }) { version } }`, nil},
		{"updateProfile", `mutation { updateProfile(input: { displayName: "Ads Wrote This" }) { displayName } }`, nil},
		{"createLoginHandoff", `mutation { createLoginHandoff(targetApp: INSTAGRAM) { code } }`, nil},
		{"linkAccount", `mutation($p: String!) { linkAccount(proof: $p) { id } }`, map[string]any{"p": userToken(t, profile.AppWhatsApp, "adam-wa")}},
		{"unlinkAccount", `mutation { unlinkAccount(app: INSTAGRAM) { id } }`, nil},
	}
	before := snapshot(t, db)
	for _, m := range mutations {
		t.Run(m.name+" with an ads token is FORBIDDEN", func(t *testing.T) {
			r := s.query(t, c.ads, m.query, m.vars)
			if len(r.Errors) != 1 || r.Errors[0].Code() != "FORBIDDEN" {
				t.Fatalf("%s with purpose=ads: want one FORBIDDEN error, got %s", m.name, r.Raw)
			}
		})
	}
	wantUnchanged(t, db, before)

	t.Run("an ads token is no proof for linkAccount", func(t *testing.T) {
		r := s.query(t, c.tok, `mutation($p: String!) { linkAccount(proof: $p) { id } }`, map[string]any{"p": adsProof})
		wantDenied(t, r, "linkAccount", "BAD_USER_INPUT")
		wantUnchanged(t, db, before)
	})

	t.Run("the ads request still sees no cross-app CONTACT data", func(t *testing.T) {
		r := s.query(t, c.ads, `{ viewer { profile { phoneNumber email } } }`, nil)
		for _, f := range []string{"phoneNumber", "email"} {
			wantConsentRequired(t, r, "viewer.profile."+f, "CONTACT", c.ig.App)
		}
	})

	t.Run("the same mutations with the person's own service-purpose token still work", func(t *testing.T) {
		mustOK(t, s.query(t, c.tok, grantMutation, consentInput(c.ig.App, c.fb.App, "CONTACT", "SERVICE")))
		mustOK(t, s.query(t, c.tok, grantMutation, consentInput(c.ig.App, c.fb.App, "CONTACT", "ADS")))
		r := mustOK(t, s.query(t, c.ads, `{ viewer { profile { phoneNumber } } }`, nil))
		wantEq(t, r, "viewer.profile.phoneNumber", "+16502530000")
	})
}

// TestE2EReviewAdsRequestsSeeNoOwnerOnlyData: owner-only fields carry the person's
// cross-app data, which a request made for ads may not see (promise 4), with the
// reconciled age range as the one protective exception.
func TestE2EReviewAdsRequestsSeeNoOwnerOnlyData(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	c := consentPerson(t, s, "abby")
	const q = `{ viewer { id ageRange accounts { app } account(app: INSTAGRAM) { id } settings { version } consents { category }
		ageDiscrepancy activity { edges { cursor } } recoveryOptions { masked } crossPostTargets(from: FACEBOOK) }
		viewerAccount { id person { id } linkedAt } }`

	owner := mustOK(t, s.query(t, c.tok, q, nil))
	if owner.Get("viewer.accounts.1.app") == nil || owner.Get("viewerAccount.person.id") == nil {
		t.Fatalf("the owner's own request lacks owner-only data: %s", owner.Raw)
	}

	r := s.query(t, c.ads, q, nil)
	if r.Get("viewer.id") == nil || r.Get("viewer.ageRange") == nil {
		t.Fatalf("an ads request lost the person or its protective age range: %s", r.Raw)
	}
	// SPEC §5 "Requests made for ads": the person's identity resolves as for any owner
	// request, the owner's own AppAccount.person included.
	if got, want := r.Get("viewerAccount.person.id"), r.Get("viewer.id"); got == nil || got != want {
		t.Fatalf("an ads request's own AppAccount.person = %v, want the viewer's person %v: %s", got, want, r.Raw)
	}
	for _, path := range []string{"viewer.accounts", "viewer.account", "viewer.settings", "viewer.consents",
		"viewer.ageDiscrepancy", "viewer.activity", "viewer.recoveryOptions", "viewer.crossPostTargets",
		"viewerAccount.linkedAt"} {
		wantDenied(t, r, path, "FORBIDDEN")
	}
}
