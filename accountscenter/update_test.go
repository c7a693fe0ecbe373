package accountscenter_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

func profileIn(displayName, bio, avatar *string, syncTo []profile.App) accountscenter.UpdateProfileInput {
	return accountscenter.UpdateProfileInput{DisplayName: displayName, Bio: bio, AvatarURL: avatar, SyncTo: syncTo}
}

func accountsSyncOn() accountscenter.UpdateSettingsInput {
	return accountscenter.UpdateSettingsInput{SyncProfile: ptr(true)}
}

func settingsIn(rules []profile.CrossPostRule, sso []profile.App) accountscenter.UpdateSettingsInput {
	in := accountscenter.UpdateSettingsInput{}
	if rules != nil {
		in.CrossPosting = &rules
	}
	if sso != nil {
		in.SingleSignOn = &sso
	}
	return in
}

func TestUpdateProfileOfAnUnlinkedViewerWritesItsAccountWithoutActivity(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustAccount(t, me)
		e.clock.Advance(time.Minute)
		got, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("  Jane  "), ptr("hello\r\nworld"), ptr("https://cdn.example.com/j.png"), nil))
		if err != nil {
			t.Fatalf("UpdateProfile: %v", err)
		}
		stored := e.account(t, me)
		now := t0.Add(time.Minute)
		for name, a := range map[string]*profile.Account{"returned": got, "stored": stored} {
			if *a.DisplayName != "Jane" || *a.Bio != "hello\nworld" || a.Avatar.URL != "https://cdn.example.com/j.png" ||
				!a.Avatar.UpdatedAt.Equal(now) || !a.UpdatedAt.Equal(now) {
				t.Errorf("%s = %+v (avatar %+v)", name, a, a.Avatar)
			}
		}
	})
}

func TestUpdateProfileWritesOnlyTheOwnAccountWhileSyncIsOff(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
		before := e.activity(t, pid)
		if _, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("Mine"), nil, nil, nil)); err != nil {
			t.Fatalf("UpdateProfile: %v", err)
		}
		if got := *e.account(t, me).DisplayName; got != "Mine" {
			t.Errorf("own displayName = %q", got)
		}
		for _, v := range []*profile.Viewer{user(ig, "i1"), user(wa, "w1")} {
			if got := *e.account(t, v).DisplayName; got == "Mine" {
				t.Errorf("%s written while sync is off", v.App)
			}
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivityProfileUpdated || !strings.Contains(added[0].Detail, "FACEBOOK") ||
			strings.Contains(added[0].Detail, "INSTAGRAM") {
			t.Errorf("new events = %+v, want one PROFILE_UPDATED in FACEBOOK", added)
		}
	})
}

func TestUpdateProfileSyncsToLinkedAccounts(t *testing.T) {
	cases := []struct {
		name    string
		syncTo  []profile.App
		written []profile.App
	}{
		{"syncTo omitted writes every linked account", nil, []profile.App{fb, ig, wa}},
		{"syncTo lists the apps to write", []profile.App{ig, ig}, []profile.App{fb, ig}},
		{"syncTo naming the own app writes only it", []profile.App{fb}, []profile.App{fb}},
		{"empty syncTo writes only the own account", []profile.App{}, []profile.App{fb}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				me := user(fb, "f1")
				pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
				e.mustSettings(t, me, accountsSyncOn())
				before := e.activity(t, pid)
				e.clock.Advance(time.Minute)
				if _, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("Synced"), ptr("bio"), nil, tc.syncTo)); err != nil {
					t.Fatalf("UpdateProfile: %v", err)
				}
				for _, v := range []*profile.Viewer{me, user(ig, "i1"), user(wa, "w1")} {
					a := e.account(t, v)
					want := slices.Contains(tc.written, v.App)
					if got := *a.DisplayName == "Synced" && a.Bio != nil && *a.Bio == "bio"; got != want {
						t.Errorf("%s written = %v, want %v", v.App, got, want)
					}
					if want && !a.UpdatedAt.Equal(t0.Add(time.Minute)) {
						t.Errorf("%s UpdatedAt = %v", v.App, a.UpdatedAt)
					}
				}
				added := newEvents(before, e.activity(t, pid))
				if len(added) != 1 || added[0].Type != profile.ActivityProfileUpdated {
					t.Fatalf("new events = %v, want one PROFILE_UPDATED", eventTypes(added))
				}
				for _, app := range profile.Apps {
					if got, want := strings.Contains(added[0].Detail, string(app)), slices.Contains(tc.written, app); got != want {
						t.Errorf("detail %q mentions %s = %v, want %v", added[0].Detail, app, got, want)
					}
				}
			})
		})
	}
}

func TestUpdateProfileWithUnchangedValuesWritesNothing(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		if _, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("Same"), nil, nil, nil)); err != nil {
			t.Fatalf("first update: %v", err)
		}
		before := e.snapshot(t)
		e.clock.Advance(time.Minute)
		got, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("Same"), nil, nil, nil))
		if err != nil {
			t.Fatalf("second update: %v", err)
		}
		if *got.DisplayName != "Same" {
			t.Errorf("returned displayName %q", *got.DisplayName)
		}
		e.assertUnchanged(t, before)
	})
}

func TestUpdateProfileWithAnEmptyBioClearsIt(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustAccount(t, me)
		if _, err := e.svc.UpdateProfile(ctx(t), me, profileIn(nil, ptr("something"), nil, nil)); err != nil {
			t.Fatalf("set bio: %v", err)
		}
		got, err := e.svc.UpdateProfile(ctx(t), me, profileIn(nil, ptr(""), nil, nil))
		if err != nil {
			t.Fatalf("clear bio: %v", err)
		}
		if got.Bio != nil || e.account(t, me).Bio != nil {
			t.Errorf("bio = %v, want cleared", got.Bio)
		}
	})
}

func TestUpdateProfileFailuresLeaveNoTrace(t *testing.T) {
	cases := []struct {
		name  string
		code  profile.Code
		setup func(t *testing.T, e *env) *profile.Viewer
		in    accountscenter.UpdateProfileInput
	}{
		{"no field given", profile.BadUserInput, linkedWithSync, profileIn(nil, nil, nil, []profile.App{ig})},
		{"blank displayName", profile.BadUserInput, linkedWithSync, profileIn(ptr(" "), nil, nil, nil)},
		{"bio over 300 characters", profile.BadUserInput, linkedWithSync, profileIn(ptr("ok"), ptr(strings.Repeat("b", 301)), nil, nil)},
		{"non-https avatar", profile.BadUserInput, linkedWithSync, profileIn(ptr("ok"), nil, ptr("ftp://x.example/a.png"), nil)},
		{"unknown app in syncTo", profile.BadUserInput, linkedWithSync, profileIn(ptr("ok"), nil, nil, []profile.App{"MYSPACE"})},
		{"syncTo naming an app not linked", profile.BadUserInput, linkedWithSync, profileIn(ptr("ok"), nil, nil, []profile.App{ig, th})},
		{"syncTo while syncProfile is off", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me := user(fb, "f1")
			e.mustPerson(t, me, user(ig, "i1"))
			return me
		}, profileIn(ptr("ok"), nil, nil, []profile.App{ig})},
		{"syncTo while unlinked", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			me := user(fb, "f1")
			e.mustAccount(t, me)
			return me
		}, profileIn(ptr("ok"), nil, nil, []profile.App{fb})},
		{"unknown viewer account is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) *profile.Viewer {
			linkedWithSync(t, e)
			return user(th, "ghost")
		}, profileIn(ptr("ok"), nil, nil, nil)},
		{"service token is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) *profile.Viewer {
			linkedWithSync(t, e)
			return service(fb)
		}, profileIn(ptr("ok"), nil, nil, nil)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v := tc.setup(t, e)
				e.clock.Advance(time.Minute)
				e.refuses(t, tc.code, func() error { _, err := e.svc.UpdateProfile(ctx(t), v, tc.in); return err })
			})
		})
	}
}

func TestUpdateProfileSyncToWhileSyncIsOffSaysToTurnItOn(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		_, err := e.svc.UpdateProfile(ctx(t), me, profileIn(ptr("x"), nil, nil, []profile.App{ig}))
		wantCode(t, err, profile.BadUserInput)
		if !strings.Contains(profile.ErrorMessage(err), "turn on syncProfile first") {
			t.Errorf("message = %q", profile.ErrorMessage(err))
		}
	})
}

// linkedWithSync links FACEBOOK f1 and INSTAGRAM i1 with syncProfile on and returns f1.
func linkedWithSync(t *testing.T, e *env) *profile.Viewer {
	t.Helper()
	me := user(fb, "f1")
	e.mustPerson(t, me, user(ig, "i1"))
	e.mustSettings(t, me, accountsSyncOn())
	return me
}

func TestUpdateSettingsWritesVersionedSettingsAndLogsThem(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"), user(wa, "w1"))
		before := e.activity(t, pid)
		rules := []profile.CrossPostRule{{From: ig, To: fb}, {From: ig, To: fb}, {From: fb, To: wa}}
		sso := []profile.App{wa, ig, wa}
		got, err := e.svc.UpdateSettings(ctx(t), me, accountscenter.UpdateSettingsInput{
			SyncProfile: ptr(true), CrossPosting: &rules, SingleSignOn: &sso, ExpectedVersion: ptr(0),
		})
		if err != nil {
			t.Fatalf("UpdateSettings: %v", err)
		}
		want := &profile.Settings{
			PersonID: pid, SyncProfile: true, Version: 1, UpdatedAt: t0,
			CrossPosting: []profile.CrossPostRule{{From: ig, To: fb}, {From: fb, To: wa}},
			SingleSignOn: []profile.App{wa, ig},
		}
		for name, st := range map[string]*profile.Settings{"returned": got, "stored": e.settings(t, pid)} {
			if st.PersonID != want.PersonID || st.SyncProfile != want.SyncProfile || st.Version != want.Version ||
				!slices.Equal(st.CrossPosting, want.CrossPosting) || !slices.Equal(st.SingleSignOn, want.SingleSignOn) {
				t.Errorf("%s settings = %+v, want %+v", name, st, want)
			}
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 || added[0].Type != profile.ActivitySettingsUpdated {
			t.Fatalf("new events = %v, want one SETTINGS_UPDATED", eventTypes(added))
		}

		// Omitted fields keep their value; the version moves on.
		got, err = e.svc.UpdateSettings(ctx(t), me, accountscenter.UpdateSettingsInput{SyncProfile: ptr(false), ExpectedVersion: ptr(1)})
		if err != nil {
			t.Fatalf("second update: %v", err)
		}
		if got.SyncProfile || got.Version != 2 || !slices.Equal(got.CrossPosting, want.CrossPosting) || !slices.Equal(got.SingleSignOn, want.SingleSignOn) {
			t.Errorf("after second update = %+v", got)
		}
	})
}

func TestUpdateSettingsFailuresLeaveNoTrace(t *testing.T) {
	linked := func(t *testing.T, e *env) *profile.Viewer {
		me := user(fb, "f1")
		e.mustPerson(t, me, user(ig, "i1"))
		e.mustSettings(t, me, settingsIn([]profile.CrossPostRule{{From: ig, To: fb}}, nil)) // version 1
		return me
	}
	rules := func(r ...profile.CrossPostRule) *[]profile.CrossPostRule { return &r }
	apps := func(a ...profile.App) *[]profile.App { return &a }
	cases := []struct {
		name  string
		code  profile.Code
		setup func(t *testing.T, e *env) *profile.Viewer
		in    accountscenter.UpdateSettingsInput
	}{
		{"stale expectedVersion is CONFLICT", profile.Conflict, linked, accountscenter.UpdateSettingsInput{SyncProfile: ptr(true), ExpectedVersion: ptr(0)}},
		{"future expectedVersion is CONFLICT", profile.Conflict, linked, accountscenter.UpdateSettingsInput{SyncProfile: ptr(true), ExpectedVersion: ptr(7)}},
		{"rule naming an app not linked", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{CrossPosting: rules(profile.CrossPostRule{From: ig, To: th})}},
		{"rule from an app to itself", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{CrossPosting: rules(profile.CrossPostRule{From: ig, To: ig})}},
		{"rule naming an unknown app", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{CrossPosting: rules(profile.CrossPostRule{From: "MYSPACE", To: ig})}},
		{"sign-on naming an app not linked", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{SingleSignOn: apps(fb, ms)}},
		{"sign-on naming an unknown app", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{SingleSignOn: apps("ORKUT")}},
		{"no setting given", profile.BadUserInput, linked, accountscenter.UpdateSettingsInput{ExpectedVersion: ptr(1)}},
		{"unlinked viewer must link first", profile.BadUserInput, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			me := user(th, "t1")
			e.mustAccount(t, me)
			return me
		}, accountscenter.UpdateSettingsInput{SyncProfile: ptr(true)}},
		{"unknown viewer account is NOT_FOUND", profile.NotFound, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			return user(th, "ghost")
		}, accountscenter.UpdateSettingsInput{SyncProfile: ptr(true)}},
		{"service token is FORBIDDEN", profile.Forbidden, func(t *testing.T, e *env) *profile.Viewer {
			linked(t, e)
			return service(fb)
		}, accountscenter.UpdateSettingsInput{SyncProfile: ptr(true)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				v := tc.setup(t, e)
				e.refuses(t, tc.code, func() error { _, err := e.svc.UpdateSettings(ctx(t), v, tc.in); return err })
			})
		})
	}
}

func TestUpdateSettingsOfAnUnlinkedViewerSaysToLinkFirst(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		e.mustAccount(t, me)
		_, err := e.svc.UpdateSettings(ctx(t), me, accountsSyncOn())
		wantCode(t, err, profile.BadUserInput)
		if !strings.Contains(profile.ErrorMessage(err), "link an account first") {
			t.Errorf("message = %q", profile.ErrorMessage(err))
		}
	})
}

func TestUpdateSettingsConcurrentWritersOfOneVersionHaveOneWinner(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		const n = 8
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = e.svc.UpdateSettings(ctx(t), me, accountscenter.UpdateSettingsInput{SyncProfile: ptr(i%2 == 0), ExpectedVersion: ptr(0)})
			})
		}
		wg.Wait()
		wins := 0
		for _, err := range errs {
			switch profile.ErrorCode(err) {
			case "":
				wins++
			case profile.Conflict:
			default:
				t.Fatalf("unexpected error %v", err)
			}
		}
		if wins != 1 {
			t.Errorf("%d writers won, want 1", wins)
		}
		if st := e.settings(t, pid); st.Version != 1 {
			t.Errorf("version = %d, want 1", st.Version)
		}
	})
}
