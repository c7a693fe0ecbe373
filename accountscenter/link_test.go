package accountscenter_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

func TestLinkAccountCreatesAPersonForAnUnlinkedViewer(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, other := user(fb, "f1"), user(ig, "i1")
		e.mustAccount(t, me)
		e.mustAccount(t, other)
		e.clock.Advance(time.Hour)
		now := t0.Add(time.Hour)

		pid, err := e.svc.LinkAccount(ctx(t), me, e.proof(other))
		if err != nil {
			t.Fatalf("LinkAccount: %v", err)
		}
		if pid == "" || !e.personExists(t, pid) {
			t.Fatalf("person %q not created", pid)
		}
		for _, v := range []*profile.Viewer{me, other} {
			a := e.account(t, v)
			if a.PersonID != pid || a.LinkedAt == nil || !a.LinkedAt.Equal(now) {
				t.Errorf("%s account: person %q linkedAt %v, want %s at %v", v.App, a.PersonID, a.LinkedAt, pid, now)
			}
		}
		evs := e.activity(t, pid) // newest first
		if len(evs) != 2 {
			t.Fatalf("activity = %v, want two LINKED", eventTypes(evs))
		}
		for i, app := range []profile.App{ig, fb} {
			if evs[i].Type != profile.ActivityLinked || evs[i].App == nil || *evs[i].App != app || !evs[i].At.Equal(now) {
				t.Errorf("event %d = %+v, want LINKED %s", i, evs[i], app)
			}
		}
	})
}

func TestLinkAccountAddsToTheViewersPerson(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		third := user(wa, "w1")
		e.mustAccount(t, third)
		before := e.activity(t, pid)

		got, err := e.svc.LinkAccount(ctx(t), me, e.proof(third))
		if err != nil {
			t.Fatalf("LinkAccount: %v", err)
		}
		if got != pid {
			t.Errorf("person = %s, want %s", got, pid)
		}
		if a := e.account(t, third); a.PersonID != pid {
			t.Errorf("third account person = %q", a.PersonID)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityLinked || *added[0].App != wa {
			t.Errorf("new events = %v, want one LINKED WHATSAPP", eventTypes(added))
		}
	})
}

func TestLinkAccountOfAnAccountAlreadyOnTheViewersPersonIsANoOp(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, other := user(fb, "f1"), user(ig, "i1")
		pid := e.mustPerson(t, me, other)
		before := e.snapshot(t)
		e.clock.Advance(time.Minute)
		got, err := e.svc.LinkAccount(ctx(t), me, e.proof(other))
		if err != nil {
			t.Fatalf("LinkAccount: %v", err)
		}
		if got != pid {
			t.Errorf("person = %s, want %s", got, pid)
		}
		e.assertUnchanged(t, before)
	})
}

func TestLinkAccountFailuresLeaveNoTrace(t *testing.T) {
	cases := []struct {
		name  string
		code  profile.Code
		setup func(t *testing.T, e *env) (viewer *profile.Viewer, proof string)
	}{
		{"account under another person is ALREADY_LINKED", profile.AlreadyLinked, func(t *testing.T, e *env) (*profile.Viewer, string) {
			e.mustPerson(t, user(ig, "taken"), user(wa, "taken-w"))
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ms, "m1"))
			return me, e.proof(user(ig, "taken"))
		}},
		{"unlinked viewer and account under another person is ALREADY_LINKED", profile.AlreadyLinked, func(t *testing.T, e *env) (*profile.Viewer, string) {
			e.mustPerson(t, user(ig, "taken"), user(wa, "taken-w"))
			me := user(fb, "f1")
			e.mustAccount(t, me)
			return me, e.proof(user(ig, "taken"))
		}},
		{"second account of an app on the person is ALREADY_LINKED", profile.AlreadyLinked, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"))
			e.mustAccount(t, user(ig, "i2"))
			return me, e.proof(user(ig, "i2"))
		}},
		{"unlinked viewer linking another account of its own app is ALREADY_LINKED", profile.AlreadyLinked, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			e.mustAccount(t, user(fb, "f2"))
			return me, e.proof(user(fb, "f2"))
		}},
		{"unknown proof token is BAD_USER_INPUT", profile.BadUserInput, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			e.mustAccount(t, user(ig, "i1"))
			return me, "forged.token.value"
		}},
		{"service token as proof is BAD_USER_INPUT", profile.BadUserInput, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			e.proofs.add("svc-proof", service(ig))
			return me, "svc-proof"
		}},
		{"proof of the viewer's own account is BAD_USER_INPUT", profile.BadUserInput, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			return me, e.proof(me)
		}},
		{"proof account not pushed yet is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) (*profile.Viewer, string) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			return me, e.proof(user(ig, "ghost"))
		}},
		{"viewer account not pushed yet is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) (*profile.Viewer, string) {
			e.mustAccount(t, user(ig, "i1"))
			return user(fb, "ghost"), e.proof(user(ig, "i1"))
		}},
		{"service token viewer is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) (*profile.Viewer, string) {
			e.mustAccount(t, user(ig, "i1"))
			return service(fb), e.proof(user(ig, "i1"))
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v, proof := tc.setup(t, e)
				e.clock.Advance(time.Minute)
				e.refuses(t, tc.code, func() error { _, err := e.svc.LinkAccount(ctx(t), v, proof); return err })
			})
		})
	}
}

func TestLinkAccountRejectsInvalidProofWithOneMessage(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustAccount(t, me)
		e.proofs.add("svc", service(ig))
		var msgs []string
		for _, proof := range []string{"", "garbage", "svc"} {
			_, err := e.svc.LinkAccount(ctx(t), me, proof)
			wantCode(t, err, profile.BadUserInput)
			msgs = append(msgs, profile.ErrorMessage(err))
		}
		for _, m := range msgs {
			if m != "proof is not a valid user token of the account to link" {
				t.Errorf("message = %q", m)
			}
		}
	})
}

func TestLinkAccountRaceOfTwentyPersonsHasExactlyOneWinner(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		target := user(ig, "contested")
		e.mustAccount(t, target)
		proof := e.proof(target)
		const n = 20
		viewers := make([]*profile.Viewer, n)
		for i := range viewers {
			viewers[i] = user(fb, fmt.Sprintf("f%02d", i))
			if i%2 == 0 {
				// Half already have a person of their own, half get one created.
				e.mustPerson(t, viewers[i], user(wa, fmt.Sprintf("w%02d", i)))
			} else {
				e.mustAccount(t, viewers[i])
			}
		}

		var wg sync.WaitGroup
		pids := make([]string, n)
		errs := make([]error, n)
		for i, v := range viewers {
			wg.Go(func() { pids[i], errs[i] = e.svc.LinkAccount(ctx(t), v, proof) })
		}
		wg.Wait()

		winner := -1
		for i, err := range errs {
			switch profile.ErrorCode(err) {
			case "":
				if winner >= 0 {
					t.Fatalf("viewers %d and %d both linked the account", winner, i)
				}
				winner = i
			case profile.AlreadyLinked:
			default:
				t.Fatalf("viewer %d: %v, want success or ALREADY_LINKED", i, err)
			}
		}
		if winner < 0 {
			t.Fatal("no link won")
		}
		if got := e.account(t, target); got.PersonID != pids[winner] {
			t.Errorf("target person = %q, want the winner's %q", got.PersonID, pids[winner])
		}
		for i, v := range viewers {
			a := e.account(t, v)
			switch {
			case i == winner:
				if a.PersonID != pids[winner] {
					t.Errorf("winner's own account person = %q", a.PersonID)
				}
			case i%2 == 1 && a.Linked():
				t.Errorf("loser %d got a person %q", i, a.PersonID)
			}
			if a.Linked() {
				got := 0
				for _, ev := range e.activity(t, a.PersonID) {
					if ev.Type == profile.ActivityLinked && *ev.App == ig {
						got++
					}
				}
				if want := map[bool]int{true: 1, false: 0}[i == winner]; got != want {
					t.Errorf("viewer %d person has %d LINKED INSTAGRAM events, want %d", i, got, want)
				}
			}
		}
	})
}

func TestUnlinkAccountRemovesConsentsRulesAndSignOnNamingTheApp(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
		for _, in := range []struct{ from, to profile.App }{{ig, fb}, {fb, ig}, {wa, fb}} {
			if _, err := e.svc.GrantConsent(ctx(t), me, consentIn(in.from, in.to, profile.CategoryProfile)); err != nil {
				t.Fatalf("grant: %v", err)
			}
		}
		e.mustSettings(t, me, settingsIn(
			[]profile.CrossPostRule{{From: ig, To: fb}, {From: fb, To: wa}, {From: wa, To: ig}},
			[]profile.App{ig, wa},
		))
		before := e.activity(t, pid)
		e.clock.Advance(time.Minute)

		got, err := e.svc.UnlinkAccount(ctx(t), me, ig)
		if err != nil {
			t.Fatalf("UnlinkAccount: %v", err)
		}
		if got != pid {
			t.Errorf("person = %q, want %q", got, pid)
		}
		a := e.account(t, user(ig, "i1"))
		if a.Linked() || a.LinkedAt != nil {
			t.Errorf("INSTAGRAM account still linked: %q %v", a.PersonID, a.LinkedAt)
		}
		cs := e.consents(t, pid)
		if len(cs) != 1 || cs[0].SourceApp != wa || cs[0].TargetApp != fb {
			t.Errorf("consents left = %+v, want only WHATSAPP→FACEBOOK", cs)
		}
		st := e.settings(t, pid)
		if len(st.CrossPosting) != 1 || st.CrossPosting[0] != (profile.CrossPostRule{From: fb, To: wa}) {
			t.Errorf("cross-posting left = %+v", st.CrossPosting)
		}
		if len(st.SingleSignOn) != 1 || st.SingleSignOn[0] != wa {
			t.Errorf("single sign-on left = %v", st.SingleSignOn)
		}
		if st.Version != 2 {
			t.Errorf("settings version = %d, want 2", st.Version)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityUnlinked || *added[0].App != ig ||
			!strings.Contains(added[0].Detail, "sharing with INSTAGRAM stopped") || !strings.Contains(added[0].Detail, "copies made before stay") {
			t.Fatalf("new events = %+v, want one UNLINKED INSTAGRAM with the cutoff", added)
		}
	})
}

func TestUnlinkAccountKeepsCopiesAndLeavesUntouchedSettingsAlone(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
		e.mustSettings(t, me, accountsSyncOn())
		if _, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("Shared Name"), nil, nil, nil)); err != nil {
			t.Fatalf("update profile: %v", err)
		}
		if _, err := e.svc.UnlinkAccount(ctx(t), me, ig); err != nil {
			t.Fatalf("unlink: %v", err)
		}
		if a := e.account(t, user(ig, "i1")); *a.DisplayName != "Shared Name" {
			t.Errorf("synced copy gone: %q", *a.DisplayName)
		}
		if st := e.settings(t, pid); st.Version != 1 {
			t.Errorf("settings naming nothing of INSTAGRAM rewritten: version %d", st.Version)
		}
	})
}

func TestUnlinkAccountOfTheViewersOwnAccountReturnsNoPerson(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
		got, err := e.svc.UnlinkAccount(ctx(t), me, fb)
		if err != nil {
			t.Fatalf("UnlinkAccount: %v", err)
		}
		if got != "" {
			t.Errorf("person = %q, want none", got)
		}
		if e.account(t, me).Linked() {
			t.Error("own account still linked")
		}
		if !e.personExists(t, pid) || e.account(t, user(ig, "i1")).PersonID != pid {
			t.Error("person with two accounts left was deleted")
		}
	})
}

func TestUnlinkAccountOfTheLastAccountDeletesThePerson(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, other := user(fb, "f1"), user(ig, "i1")
		pid := e.mustPerson(t, me, other)
		if _, err := e.svc.GrantConsent(ctx(t), me, consentIn(ig, fb, profile.CategoryProfile)); err != nil {
			t.Fatalf("grant: %v", err)
		}
		e.mustSettings(t, me, settingsIn(nil, []profile.App{ig}))

		got, err := e.svc.UnlinkAccount(ctx(t), me, ig)
		if err != nil || got != pid {
			t.Fatalf("first unlink = %q, %v; want %q", got, err, pid)
		}
		if !e.personExists(t, pid) {
			t.Fatal("person with one account left was deleted")
		}
		got, err = e.svc.UnlinkAccount(ctx(t), me, fb)
		if err != nil || got != "" {
			t.Fatalf("last unlink = %q, %v; want no person", got, err)
		}
		if e.personExists(t, pid) {
			t.Error("person without accounts still exists")
		}
		if st := e.settings(t, pid); st != nil {
			t.Errorf("settings of deleted person = %+v", st)
		}
		if cs := e.consents(t, pid); len(cs) != 0 {
			t.Errorf("consents of deleted person = %+v", cs)
		}
		evs := e.activity(t, pid)
		if len(evs) == 0 || evs[0].Type != profile.ActivityUnlinked || *evs[0].App != fb {
			t.Errorf("last event = %v, want UNLINKED FACEBOOK kept", eventTypes(evs))
		}
		if e.account(t, me).Linked() || e.account(t, other).Linked() {
			t.Error("an account is still linked")
		}
	})
}

func TestUnlinkAccountFailuresLeaveNoTrace(t *testing.T) {
	cases := []struct {
		name  string
		code  profile.Code
		setup func(t *testing.T, e *env) (*profile.Viewer, profile.App)
	}{
		{"unlinked viewer is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) (*profile.Viewer, profile.App) {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			return me, fb
		}},
		{"app without account on the person is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) (*profile.Viewer, profile.App) {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"))
			e.mustAccount(t, user(wa, "w1"))
			return me, wa
		}},
		{"unknown viewer account is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) (*profile.Viewer, profile.App) {
			e.mustPerson(t, user(fb, "f1"), user(ig, "i1"))
			return user(fb, "ghost"), ig
		}},
		{"unknown app is BAD_USER_INPUT", profile.BadUserInput, func(t *testing.T, e *env) (*profile.Viewer, profile.App) {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"))
			return me, "MYSPACE"
		}},
		{"service token is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) (*profile.Viewer, profile.App) {
			e.mustPerson(t, user(fb, "f1"), user(ig, "i1"))
			return service(fb), ig
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v, app := tc.setup(t, e)
				e.refuses(t, tc.code, func() error { _, err := e.svc.UnlinkAccount(ctx(t), v, app); return err })
			})
		})
	}
}
