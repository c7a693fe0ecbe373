package accountscenter_test

import (
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

func consentIn(from, to profile.App, c profile.Category) accountscenter.ConsentInput {
	return accountscenter.ConsentInput{SourceApp: from, TargetApp: to, Category: c}
}

func TestGrantConsentStoresItOnceAndLogsTheGrant(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		before := e.activity(t, pid)

		got, err := e.svc.GrantConsent(ctx(t), me, consentIn(ig, fb, profile.CategoryProfile))
		if err != nil {
			t.Fatalf("GrantConsent: %v", err)
		}
		want := profile.Consent{PersonID: pid, SourceApp: ig, TargetApp: fb, Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: t0}
		if got.Key() != want.Key() || got.PersonID != pid || !got.GrantedAt.Equal(t0) {
			t.Errorf("consent = %+v, want %+v", got, want)
		}
		if cs := e.consents(t, pid); len(cs) != 1 || cs[0].Key() != want.Key() {
			t.Errorf("stored consents = %+v", cs)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityConsentGranted || added[0].Detail != "INSTAGRAM→FACEBOOK PROFILE SERVICE" {
			t.Fatalf("new events = %+v, want one CONSENT_GRANTED", added)
		}

		// Granting again changes nothing and returns the first grant.
		snap := e.snapshot(t)
		e.clock.Advance(time.Hour)
		again, err := e.svc.GrantConsent(ctx(t), me, accountscenter.ConsentInput{SourceApp: ig, TargetApp: fb, Category: profile.CategoryProfile, Purpose: profile.PurposeService})
		if err != nil {
			t.Fatalf("grant again: %v", err)
		}
		if !again.GrantedAt.Equal(t0) {
			t.Errorf("regrant GrantedAt = %v, want the first %v", again.GrantedAt, t0)
		}
		e.assertUnchanged(t, snap)
	})
}

func TestGrantConsentKeepsPurposesApart(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		in := consentIn(ig, fb, profile.CategoryContact)
		in.Purpose = profile.PurposeAds
		got, err := e.svc.GrantConsent(ctx(t), me, in)
		if err != nil {
			t.Fatalf("grant ADS: %v", err)
		}
		if got.Purpose != profile.PurposeAds {
			t.Errorf("purpose = %s", got.Purpose)
		}
		if _, err := e.svc.GrantConsent(ctx(t), me, consentIn(ig, fb, profile.CategoryContact)); err != nil {
			t.Fatalf("grant SERVICE: %v", err)
		}
		if cs := e.consents(t, pid); len(cs) != 2 {
			t.Errorf("consents = %d, want 2", len(cs))
		}
		if evs := e.activity(t, pid); evs[0].Detail != "INSTAGRAM→FACEBOOK CONTACT SERVICE" || evs[1].Detail != "INSTAGRAM→FACEBOOK CONTACT ADS" {
			t.Errorf("details = %q, %q", evs[0].Detail, evs[1].Detail)
		}
	})
}

func TestGrantConsentFailuresLeaveNoTrace(t *testing.T) {
	linked := func(t *testing.T, e *env) *profile.Viewer {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		e.mustAccount(t, user(wa, "w1"))
		return me
	}
	cases := []struct {
		name  string
		code  profile.Code
		setup func(t *testing.T, e *env) *profile.Viewer
		in    accountscenter.ConsentInput
	}{
		{"same source and target", profile.BadUserInput, linked, consentIn(ig, ig, profile.CategoryProfile)},
		{"source not linked", profile.BadUserInput, linked, consentIn(wa, fb, profile.CategoryProfile)},
		{"target not linked", profile.BadUserInput, linked, consentIn(fb, th, profile.CategoryProfile)},
		{"unknown category", profile.BadUserInput, linked, consentIn(ig, fb, "MESSAGES")},
		{"unknown purpose", profile.BadUserInput, linked, accountscenter.ConsentInput{SourceApp: ig, TargetApp: fb, Category: profile.CategoryAge, Purpose: "RESALE"}},
		{"unknown app", profile.BadUserInput, linked, consentIn("MYSPACE", fb, profile.CategoryProfile)},
		{"unlinked viewer", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			return user(wa, "w1")
		}, consentIn(wa, fb, profile.CategoryProfile)},
		{"unknown viewer account is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			return user(fb, "ghost")
		}, consentIn(ig, fb, profile.CategoryProfile)},
		{"service token is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			return service(fb)
		}, consentIn(ig, fb, profile.CategoryProfile)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v := tc.setup(t, e)
				e.refuses(t, tc.code, func() error { _, err := e.svc.GrantConsent(ctx(t), v, tc.in); return err })
			})
		})
	}
}

func TestRevokeConsentRemovesItAndLogsOnlyRealRevocations(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		keep := consentIn(fb, ig, profile.CategoryProfile)
		for _, in := range []accountscenter.ConsentInput{consentIn(ig, fb, profile.CategoryProfile), keep} {
			if _, err := e.svc.GrantConsent(ctx(t), me, in); err != nil {
				t.Fatalf("grant: %v", err)
			}
		}
		before := e.activity(t, pid)
		ok, err := e.svc.RevokeConsent(ctx(t), me, consentIn(ig, fb, profile.CategoryProfile))
		if err != nil || !ok {
			t.Fatalf("RevokeConsent = %v, %v; want true", ok, err)
		}
		if cs := e.consents(t, pid); len(cs) != 1 || cs[0].SourceApp != fb {
			t.Errorf("consents left = %+v", cs)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityConsentRevoked || added[0].Detail != "INSTAGRAM→FACEBOOK PROFILE SERVICE" {
			t.Fatalf("new events = %+v, want one CONSENT_REVOKED", added)
		}

		snap := e.snapshot(t)
		for name, in := range map[string]accountscenter.ConsentInput{
			"revoked twice":            consentIn(ig, fb, profile.CategoryProfile),
			"never granted":            consentIn(ig, fb, profile.CategoryAge),
			"other purpose":            {SourceApp: fb, TargetApp: ig, Category: profile.CategoryProfile, Purpose: profile.PurposeAds},
			"app that is not linked":   consentIn(wa, fb, profile.CategoryProfile),
			"target that isn't linked": consentIn(fb, th, profile.CategoryProfile),
		} {
			t.Run(name, func(t *testing.T) {
				ok, err := e.svc.RevokeConsent(ctx(t), me, in)
				if err != nil || ok {
					t.Errorf("RevokeConsent = %v, %v; want false, nil", ok, err)
				}
			})
		}
		e.assertUnchanged(t, snap)
	})
}

func TestRevokeConsentRejectsBadInput(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		lone := user(wa, "w1")
		e.mustAccount(t, lone)
		before := e.snapshot(t)
		for _, tc := range []struct {
			name string
			v    *profile.Viewer
			in   accountscenter.ConsentInput
			code profile.Code
		}{
			{"same apps", me, consentIn(fb, fb, profile.CategoryProfile), profile.BadUserInput},
			{"unknown category", me, consentIn(ig, fb, "X"), profile.BadUserInput},
			{"unlinked viewer", lone, consentIn(wa, fb, profile.CategoryProfile), profile.BadUserInput},
			{"service token", service(fb), consentIn(ig, fb, profile.CategoryProfile), profile.Forbidden},
			{"no viewer", nil, consentIn(ig, fb, profile.CategoryProfile), profile.Forbidden},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.svc.RevokeConsent(ctx(t), tc.v, tc.in)
				wantCode(t, err, tc.code)
			})
		}
		e.assertUnchanged(t, before)
	})
}
