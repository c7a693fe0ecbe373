package accountscenter_test

import (
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// Class 7 of issue 9: a login handoff code must not outlive its link or its single
// sign-on entry. Each case creates a code, withdraws what it relied on, puts it back
// within the code's 120 s, and checks that the old code is dead.
func TestHandoffCodesDieWithTheirLinkOrSignOnEntry(t *testing.T) {
	cases := []struct {
		name     string
		withdraw func(t *testing.T, e *env, me *profile.Viewer)
	}{
		{"unlinking the target app, then linking it again", func(t *testing.T, e *env, me *profile.Viewer) {
			if _, err := e.svc.UnlinkAccount(ctx(t), me, ig); err != nil {
				t.Fatalf("unlink: %v", err)
			}
			if _, err := e.svc.LinkAccount(ctx(t), me, e.proof(user(ig, "i1"))); err != nil {
				t.Fatalf("link again: %v", err)
			}
			e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))
		}},
		{"turning sign-on to the target app off, then on again", func(t *testing.T, e *env, me *profile.Viewer) {
			e.mustSettings(t, me, settingsIn(nil, []profile.App{}))
			e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				me, _ := ssoPerson(t, e)
				old := e.mustHandoff(t, me, ig)
				tc.withdraw(t, e, me)
				_, err := e.svc.RedeemLoginHandoff(ctx(t), service(ig), old)
				wantCode(t, err, profile.InvalidHandoff)

				fresh := e.mustHandoff(t, me, ig)
				if _, err := e.svc.RedeemLoginHandoff(ctx(t), service(ig), fresh); err != nil {
					t.Fatalf("a code created after the change must still work: %v", err)
				}
			})
		})
	}

	t.Run("a code to another app survives", func(t *testing.T) {
		forEachStore(t, func(t *testing.T, e *env) {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
			e.mustSettings(t, me, settingsIn(nil, []profile.App{ig, wa}))
			toWA := e.mustHandoff(t, me, wa)
			e.mustSettings(t, me, settingsIn(nil, []profile.App{wa}))
			if _, err := e.svc.RedeemLoginHandoff(ctx(t), service(wa), toWA); err != nil {
				t.Fatalf("turning off sign-on to INSTAGRAM killed a WHATSAPP code: %v", err)
			}
		})
	})
}
