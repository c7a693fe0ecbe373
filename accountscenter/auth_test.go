package accountscenter_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

func TestUserMutationsRefuseServiceTokensAndMissingViewers(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))
		mutations := map[string]func(v *profile.Viewer) error{
			"linkAccount": func(v *profile.Viewer) error {
				_, err := e.svc.LinkAccount(ctx(t), v, e.proof(user(ig, "i1")))
				return err
			},
			"unlinkAccount": func(v *profile.Viewer) error {
				_, err := e.svc.UnlinkAccount(ctx(t), v, ig)
				return err
			},
			"updateProfile": func(v *profile.Viewer) error {
				_, err := e.svc.UpdateProfile(ctx(t), v, profileIn(ptr("x"), nil, nil, nil))
				return err
			},
			"updateSettings": func(v *profile.Viewer) error {
				_, err := e.svc.UpdateSettings(ctx(t), v, accountsSyncOn())
				return err
			},
			"grantConsent": func(v *profile.Viewer) error {
				_, err := e.svc.GrantConsent(ctx(t), v, consentIn(ig, fb, profile.CategoryProfile))
				return err
			},
			"revokeConsent": func(v *profile.Viewer) error {
				_, err := e.svc.RevokeConsent(ctx(t), v, consentIn(ig, fb, profile.CategoryProfile))
				return err
			},
			"createLoginHandoff": func(v *profile.Viewer) error {
				_, _, err := e.svc.CreateLoginHandoff(ctx(t), v, ig)
				return err
			},
		}
		before := e.snapshot(t)
		for name, call := range mutations {
			viewers := map[string]*profile.Viewer{
				"no viewer":                       nil,
				"service token of the user's app": service(fb),
				"the user's own token made for ads (purpose=ads)": {App: fb, Subject: "f1", Purpose: profile.PurposeAds},
			}
			for vname, v := range viewers {
				t.Run(name+" with "+vname, func(t *testing.T) {
					wantCode(t, call(v), profile.Forbidden)
				})
			}
		}
		e.assertUnchanged(t, before)
	})
}

func TestLinkAccountRefusesAnAdsTokenAsProof(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, other := user(fb, "f1"), user(ig, "i1")
		e.mustAccount(t, me)
		e.mustAccount(t, other)
		before := e.snapshot(t)
		adsProof := "proof:ads:" + string(ig) + ":i1"
		e.proofs.add(adsProof, &profile.Viewer{App: ig, Subject: "i1", Purpose: profile.PurposeAds})
		_, err := e.svc.LinkAccount(ctx(t), me, adsProof)
		wantCode(t, err, profile.BadUserInput)
		e.assertUnchanged(t, before)
	})
}

func TestNewUsesTheRealClockAndRandomnessByDefault(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		svc := accountscenter.New(e.store, e.proofs)
		a, err := svc.UpsertAppAccount(ctx(t), service(fb), accountscenter.UpsertAccountInput{AppUserID: "real", Username: "real"})
		if err != nil {
			t.Fatalf("upsert: %v", err)
		}
		if a.CreatedAt.Equal(t0) || a.CreatedAt.IsZero() || a.CreatedAt.Location().String() != "UTC" {
			t.Errorf("CreatedAt = %v, want the current time in UTC", a.CreatedAt)
		}
	})
}
