package accountscenter_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

// ssoPerson links FACEBOOK f1 (the viewer) and INSTAGRAM i1 with single sign-on to
// INSTAGRAM, and returns the viewer and person id.
func ssoPerson(t *testing.T, e *env) (*profile.Viewer, string) {
	t.Helper()
	me := user(fb, "f1")
	pid := e.mustPerson(t, me, user(ig, "i1"))
	e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))
	return me, pid
}

// mustHandoff creates a login handoff from v to target.
func (e *env) mustHandoff(t *testing.T, v *profile.Viewer, target profile.App) string {
	t.Helper()
	code, _, err := e.svc.CreateLoginHandoff(ctx(t), v, target)
	if err != nil {
		t.Fatalf("CreateLoginHandoff: %v", err)
	}
	return code
}

func TestCreateLoginHandoffIssuesA256BitCodeValidFor120Seconds(t *testing.T) {
	random := bytes.Repeat([]byte{0xfb, 0x01, 0x7e, 0xff}, 8)
	forEachStore(t, func(t *testing.T, e *env) {
		me, pid := ssoPerson(t, e)
		before := e.activity(t, pid)
		code, expires, err := e.svc.CreateLoginHandoff(ctx(t), me, ig)
		if err != nil {
			t.Fatalf("CreateLoginHandoff: %v", err)
		}
		if want := base64.RawURLEncoding.EncodeToString(random); code != want {
			t.Errorf("code = %q, want base64url of the 32 random bytes %q", code, want)
		}
		if !expires.Equal(t0.Add(120 * time.Second)) {
			t.Errorf("expiresAt = %v, want %v", expires, t0.Add(120*time.Second))
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityLoginHandoffCreated || *added[0].App != ig {
			t.Fatalf("new events = %+v, want one LOGIN_HANDOFF_CREATED INSTAGRAM", added)
		}
	}, accountscenter.WithRand(bytes.NewReader(bytes.Repeat(random, 2))))
}

func TestCreateLoginHandoffDrawsFreshRandomCodes(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, _ := ssoPerson(t, e)
		seen := map[string]bool{}
		for range 5 {
			code := e.mustHandoff(t, me, ig)
			raw, err := base64.RawURLEncoding.DecodeString(code)
			if err != nil || len(raw) != 32 {
				t.Fatalf("code %q is not 32 bytes of base64url: %v", code, err)
			}
			if seen[code] {
				t.Fatalf("code %q issued twice", code)
			}
			seen[code] = true
		}
	})
}

func TestCreateLoginHandoffFailuresLeaveNoTrace(t *testing.T) {
	cases := []struct {
		name   string
		code   profile.Code
		setup  func(t *testing.T, e *env) *profile.Viewer
		target profile.App
	}{
		{"target not in singleSignOn", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
			e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))
			return me
		}, wa},
		{"no settings written yet", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"))
			return me
		}, ig},
		{"target without a linked account", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me, _ := ssoPerson(t, e)
			return me
		}, th},
		{"unlinked viewer", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			ssoPerson(t, e)
			me := user(wa, "w1")
			e.mustAccount(t, me)
			return me
		}, ig},
		{"unknown app", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me, _ := ssoPerson(t, e)
			return me
		}, "MYSPACE"},
		{"service token is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) *profile.Viewer {
			ssoPerson(t, e)
			return service(fb)
		}, ig},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v := tc.setup(t, e)
				e.refuses(t, tc.code, func() error { _, _, err := e.svc.CreateLoginHandoff(ctx(t), v, tc.target); return err })
			})
		})
	}
}

func TestRedeemLoginHandoffSignsInOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, pid := ssoPerson(t, e)
		code := e.mustHandoff(t, me, ig)
		before := e.activity(t, pid)
		e.clock.Advance(119 * time.Second)

		acc, err := e.svc.RedeemLoginHandoff(ctx(t), service(ig), code)
		if err != nil {
			t.Fatalf("RedeemLoginHandoff: %v", err)
		}
		if want := e.account(t, user(ig, "i1")); acc.ID != want.ID || acc.App != ig {
			t.Errorf("account = %+v, want INSTAGRAM i1", acc)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityLoginHandoffRedeemed || *added[0].App != ig {
			t.Fatalf("new events = %+v, want one LOGIN_HANDOFF_REDEEMED", added)
		}

		e.refusesRedeem(t, service(ig), code)
	})
}

func TestRedeemLoginHandoffByAnotherAppDoesNotBurnTheCode(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, _ := ssoPerson(t, e)
		code := e.mustHandoff(t, me, ig)
		for _, app := range []profile.App{fb, wa} {
			e.refusesRedeem(t, service(app), code)
		}
		if _, err := e.svc.RedeemLoginHandoff(ctx(t), service(ig), code); err != nil {
			t.Fatalf("right app after wrong app: %v", err)
		}
	})
}

func TestRedeemLoginHandoffRejectsEveryBadAttemptAlike(t *testing.T) {
	other := base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	cases := []struct {
		name string
		// redeem returns the viewer and code to try after a valid code was created.
		redeem func(t *testing.T, e *env, code string) (*profile.Viewer, string)
	}{
		{"user token of the target app", func(_ *testing.T, _ *env, code string) (*profile.Viewer, string) {
			return user(ig, "i1"), code
		}},
		{"no viewer", func(_ *testing.T, _ *env, code string) (*profile.Viewer, string) { return nil, code }},
		{"malformed code", func(_ *testing.T, _ *env, code string) (*profile.Viewer, string) {
			return service(ig), code + "!"
		}},
		{"truncated code", func(_ *testing.T, _ *env, code string) (*profile.Viewer, string) {
			return service(ig), code[:20]
		}},
		{"empty code", func(*testing.T, *env, string) (*profile.Viewer, string) { return service(ig), "" }},
		{"unknown code", func(*testing.T, *env, string) (*profile.Viewer, string) { return service(ig), other }},
		{"expired code", func(_ *testing.T, e *env, code string) (*profile.Viewer, string) {
			e.clock.Advance(120 * time.Second)
			return service(ig), code
		}},
		{"long expired code", func(_ *testing.T, e *env, code string) (*profile.Viewer, string) {
			e.clock.Advance(24 * time.Hour)
			return service(ig), code
		}},
		{"target account unlinked since", func(t *testing.T, e *env, code string) (*profile.Viewer, string) {
			if _, err := e.svc.UnlinkAccount(ctx(t), user(fb, "f1"), ig); err != nil {
				t.Fatalf("unlink: %v", err)
			}
			return service(ig), code
		}},
		{"single sign-on turned off since", func(t *testing.T, e *env, code string) (*profile.Viewer, string) {
			e.mustSettings(t, user(fb, "f1"), settingsIn(nil, []profile.App{}))
			return service(ig), code
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				me, _ := ssoPerson(t, e)
				code := e.mustHandoff(t, me, ig)
				v, try := tc.redeem(t, e, code)
				e.refusesRedeem(t, v, try)
			})
		})
	}
}

func TestRedeemLoginHandoffRaceOfTenHasExactlyOneWinner(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, pid := ssoPerson(t, e)
		code := e.mustHandoff(t, me, ig)
		before := e.activity(t, pid)
		const n = 10
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { _, errs[i] = e.svc.RedeemLoginHandoff(ctx(t), service(ig), code) })
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
				continue
			}
			wantInvalidHandoff(t, err)
		}
		if wins != 1 {
			t.Errorf("%d redemptions succeeded, want exactly 1", wins)
		}
		if added := newEvents(before, e.activity(t, pid)); len(added) != 1 || added[0].Type != profile.ActivityLoginHandoffRedeemed {
			t.Errorf("new events = %v, want one LOGIN_HANDOFF_REDEEMED", eventTypes(added))
		}
	})
}

// refusesRedeem redeems code as v, which must fail as INVALID_HANDOFF and leave no trace.
func (e *env) refusesRedeem(t *testing.T, v *profile.Viewer, code string) {
	t.Helper()
	before := e.snapshot(t)
	_, err := e.svc.RedeemLoginHandoff(ctx(t), v, code)
	wantInvalidHandoff(t, err)
	e.assertUnchanged(t, before)
}

// wantInvalidHandoff fails unless err is the one INVALID_HANDOFF error.
func wantInvalidHandoff(t *testing.T, err error) {
	t.Helper()
	var pe *profile.Error
	if !errors.As(err, &pe) || pe.Code != profile.InvalidHandoff || pe.Message != "invalid or expired login handoff" {
		t.Fatalf("error = %v, want INVALID_HANDOFF \"invalid or expired login handoff\"", err)
	}
}
