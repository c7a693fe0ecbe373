package accountscenter_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

func TestUpsertAppAccountCreatesNormalizedAccountOfTheServiceApp(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		bd := profile.Date{Year: 1990, Month: time.May, Day: 17}
		in := accountscenter.UpsertAccountInput{
			AppUserID:   "ig-1",
			Username:    "jane.doe",
			DisplayName: ptr("  Jane Doe "),
			AvatarURL:   ptr("https://cdn.example.com/jane.png"),
			PhoneNumber: ptr(" +16502530000 "),
			Email:       ptr("jane@Example.COM"),
			Birthdate:   &bd,
		}
		got, err := e.svc.UpsertAppAccount(ctx(t), service(ig), in)
		if err != nil {
			t.Fatalf("UpsertAppAccount: %v", err)
		}
		stored := e.account(t, user(ig, "ig-1"))
		if stored == nil {
			t.Fatal("account not stored")
		}
		for name, a := range map[string]*profile.Account{"returned": got, "stored": stored} {
			if a.ID == "" || a.App != ig || a.AppUserID != "ig-1" || a.Username != "jane.doe" {
				t.Errorf("%s identity = %+v", name, a)
			}
			if a.DisplayName == nil || *a.DisplayName != "Jane Doe" {
				t.Errorf("%s displayName = %v, want trimmed", name, a.DisplayName)
			}
			if a.PhoneNumber == nil || *a.PhoneNumber != "+16502530000" {
				t.Errorf("%s phone = %v", name, a.PhoneNumber)
			}
			if a.Email == nil || *a.Email != "jane@example.com" {
				t.Errorf("%s email = %v", name, a.Email)
			}
			if a.Birthdate == nil || *a.Birthdate != bd {
				t.Errorf("%s birthdate = %v", name, a.Birthdate)
			}
			if a.Avatar == nil || a.Avatar.URL != "https://cdn.example.com/jane.png" || !a.Avatar.UpdatedAt.Equal(t0) || a.Avatar.Width != nil || a.Avatar.Height != nil {
				t.Errorf("%s avatar = %+v", name, a.Avatar)
			}
			if !a.CreatedAt.Equal(t0) || !a.UpdatedAt.Equal(t0) || a.Linked() || a.LinkedAt != nil {
				t.Errorf("%s times/link = created %v updated %v person %q", name, a.CreatedAt, a.UpdatedAt, a.PersonID)
			}
		}
		if got.ID != stored.ID {
			t.Errorf("returned id %s, stored %s", got.ID, stored.ID)
		}
	})
}

func TestUpsertAppAccountWritesOnlyTheServiceAppsAccount(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		igAcc := e.mustAccount(t, user(ig, "same-id"))
		fbAcc, err := e.svc.UpsertAppAccount(ctx(t), service(fb), accountscenter.UpsertAccountInput{AppUserID: "same-id", Username: "other"})
		if err != nil {
			t.Fatalf("upsert: %v", err)
		}
		if fbAcc.App != fb || fbAcc.ID == igAcc.ID {
			t.Fatalf("FACEBOOK service wrote %+v", fbAcc)
		}
		if got := e.account(t, user(ig, "same-id")); got.Username != igAcc.Username {
			t.Errorf("INSTAGRAM account changed by FACEBOOK service: username %q", got.Username)
		}
	})
}

func TestUpsertAppAccountKeepsOmittedFieldsAndBumpsUpdatedAtOnlyOnChange(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		svc := service(ig)
		bd := profile.Date{Year: 2001, Month: time.February, Day: 3}
		first, err := e.svc.UpsertAppAccount(ctx(t), svc, accountscenter.UpsertAccountInput{
			AppUserID: "u1", Username: "u1", DisplayName: ptr("One"), Email: ptr("one@example.com"), Birthdate: &bd,
			AvatarURL: ptr("https://cdn.example.com/1.png"),
		})
		if err != nil {
			t.Fatalf("create: %v", err)
		}

		e.clock.Advance(time.Minute)
		same, err := e.svc.UpsertAppAccount(ctx(t), svc, accountscenter.UpsertAccountInput{
			AppUserID: "u1", Username: "u1", DisplayName: ptr("One"), AvatarURL: ptr("https://cdn.example.com/1.png"),
		})
		if err != nil {
			t.Fatalf("same values: %v", err)
		}
		if !same.UpdatedAt.Equal(t0) || !same.Avatar.UpdatedAt.Equal(t0) || same.ID != first.ID {
			t.Errorf("unchanged upsert moved UpdatedAt to %v (avatar %v)", same.UpdatedAt, same.Avatar.UpdatedAt)
		}

		e.clock.Advance(time.Minute)
		changed, err := e.svc.UpsertAppAccount(ctx(t), svc, accountscenter.UpsertAccountInput{AppUserID: "u1", Username: "u1", DisplayName: ptr("Uno")})
		if err != nil {
			t.Fatalf("change: %v", err)
		}
		stored := e.account(t, user(ig, "u1"))
		want := t0.Add(2 * time.Minute)
		if !stored.UpdatedAt.Equal(want) || !changed.UpdatedAt.Equal(want) {
			t.Errorf("UpdatedAt = %v, want %v", stored.UpdatedAt, want)
		}
		if !stored.CreatedAt.Equal(t0) {
			t.Errorf("CreatedAt moved to %v", stored.CreatedAt)
		}
		if *stored.DisplayName != "Uno" || stored.Email == nil || *stored.Email != "one@example.com" ||
			stored.Birthdate == nil || *stored.Birthdate != bd || stored.Avatar == nil || !stored.Avatar.UpdatedAt.Equal(t0) {
			t.Errorf("omitted fields not kept: %+v", stored)
		}
	})
}

func TestUpsertAppAccountRejectsInvalidInputWithoutWriting(t *testing.T) {
	valid := func() accountscenter.UpsertAccountInput {
		return accountscenter.UpsertAccountInput{AppUserID: "existing", Username: "existing", DisplayName: ptr("Someone")}
	}
	tomorrow := profile.DateOf(t0.Add(24 * time.Hour))
	cases := []struct {
		name string
		edit func(*accountscenter.UpsertAccountInput)
	}{
		{"empty appUserId", func(in *accountscenter.UpsertAccountInput) { in.AppUserID = "" }},
		{"appUserId longer than 128 characters", func(in *accountscenter.UpsertAccountInput) { in.AppUserID = strings.Repeat("é", 129) }},
		{"appUserId with a control character", func(in *accountscenter.UpsertAccountInput) { in.AppUserID = "new\x00id" }},
		{"missing username", func(in *accountscenter.UpsertAccountInput) { in.Username = "" }},
		{"username with capitals", func(in *accountscenter.UpsertAccountInput) { in.Username = "Jane" }},
		{"blank displayName", func(in *accountscenter.UpsertAccountInput) { in.DisplayName = ptr("   ") }},
		{"displayName of 65 characters", func(in *accountscenter.UpsertAccountInput) { in.DisplayName = ptr(strings.Repeat("a", 65)) }},
		{"http avatar", func(in *accountscenter.UpsertAccountInput) { in.AvatarURL = ptr("http://cdn.example.com/a.png") }},
		{"phone not E.164", func(in *accountscenter.UpsertAccountInput) { in.PhoneNumber = ptr("650 253 0000") }},
		{"email without domain", func(in *accountscenter.UpsertAccountInput) { in.Email = ptr("jane") }},
		{"birthdate in the future", func(in *accountscenter.UpsertAccountInput) { in.Birthdate = &tomorrow }},
		{"birthdate before 1900", func(in *accountscenter.UpsertAccountInput) {
			in.Birthdate = &profile.Date{Year: 1899, Month: 12, Day: 31}
		}},
	}
	forEachStore(t, func(t *testing.T, e *env) {
		e.mustPerson(t, user(ig, "existing"), user(fb, "friend"))
		for _, tc := range cases {
			for _, id := range []string{"existing", "brand-new"} {
				t.Run(tc.name+" for "+id+" account", func(t *testing.T) {
					in := valid()
					in.AppUserID = id
					tc.edit(&in)
					if !strings.ContainsRune(in.AppUserID, 0) { // PostgreSQL text cannot even hold NUL
						e.remember(profile.AccountKey{App: ig, AppUserID: in.AppUserID}, "")
					}
					e.clock.Advance(time.Second)
					e.refuses(t, profile.BadUserInput, func() error { _, err := e.svc.UpsertAppAccount(ctx(t), service(ig), in); return err })
				})
			}
		}
	})
}

func TestUpsertAppAccountNeedsAServiceToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		for name, v := range map[string]*profile.Viewer{"no viewer": nil, "user token": user(ig, "u1")} {
			t.Run(name, func(t *testing.T) {
				_, err := e.svc.UpsertAppAccount(ctx(t), v, accountscenter.UpsertAccountInput{AppUserID: "u1", Username: "u1"})
				wantCode(t, err, profile.Forbidden)
				if e.account(t, user(ig, "u1")) != nil {
					t.Error("account written without a service token")
				}
			})
		}
	})
}

func TestUpsertAppAccountLogsProfileUpdatedForLinkedAccountChanges(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		pid := e.mustPerson(t, user(fb, "f1"), user(ig, "i1"))
		before := e.activity(t, pid)

		// Same values: no change, no event.
		if _, err := e.svc.UpsertAppAccount(ctx(t), service(ig), accountscenter.UpsertAccountInput{AppUserID: "i1", Username: "i1", DisplayName: ptr("User i1")}); err != nil {
			t.Fatalf("upsert same: %v", err)
		}
		if got := e.activity(t, pid); len(got) != len(before) {
			t.Fatalf("unchanged upsert appended %v", eventTypes(newEvents(before, got)))
		}

		e.clock.Advance(time.Minute)
		if _, err := e.svc.UpsertAppAccount(ctx(t), service(ig), accountscenter.UpsertAccountInput{AppUserID: "i1", Username: "i1", DisplayName: ptr("Renamed")}); err != nil {
			t.Fatalf("upsert: %v", err)
		}
		added := newEvents(before, e.activity(t, pid))
		if len(added) != 1 {
			t.Fatalf("changed upsert appended %v, want one PROFILE_UPDATED", eventTypes(added))
		}
		ev := added[0]
		if ev.Type != profile.ActivityProfileUpdated || ev.App == nil || *ev.App != ig || ev.Detail != "updated by INSTAGRAM" || !ev.At.Equal(t0.Add(time.Minute)) {
			t.Errorf("event = %+v", ev)
		}
	})
}

func TestUpsertAppAccountConcurrentCreatesOfOneAccountAllSucceed(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		const n = 10
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				a, err := e.svc.UpsertAppAccount(ctx(t), service(th), accountscenter.UpsertAccountInput{AppUserID: "racer", Username: "racer"})
				if a != nil {
					ids[i] = a.ID
				}
				errs[i] = err
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("upsert %d: %v", i, err)
			}
			if ids[i] != ids[0] {
				t.Errorf("upsert %d returned account %s, upsert 0 %s", i, ids[i], ids[0])
			}
		}
		if a := e.account(t, user(th, "racer")); a == nil || a.ID != ids[0] {
			t.Errorf("stored account = %+v, want id %s", a, ids[0])
		}
	})
}
