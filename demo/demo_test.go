package demo_test

import (
	"context"
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/nyaruka/phonenumbers"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/demo"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

var now = time.Date(2025, time.June, 1, 10, 0, 0, 0, time.UTC)

// mustSeed seeds a fresh memory store.
func mustSeed(tb testing.TB) (*memory.Store, *demo.Data) {
	tb.Helper()
	s := memory.New()
	d, err := demo.Seed(context.Background(), s, now)
	if err != nil {
		tb.Fatalf("Seed: %v", err)
	}
	return s, d
}

func user(tb testing.TB, d *demo.Data, name string, app profile.App) demo.User {
	tb.Helper()
	for _, u := range d.Users {
		if u.Name == name && u.App == app {
			return u
		}
	}
	tb.Fatalf("no demo user %s in %s", name, app)
	return demo.User{}
}

// accounts returns every demo account as stored, keyed as d.Users.
func accounts(tb testing.TB, s profile.Reader, d *demo.Data) map[profile.AccountKey]*profile.Account {
	tb.Helper()
	keys := make([]profile.AccountKey, len(d.Users))
	for i, u := range d.Users {
		keys[i] = profile.AccountKey{App: u.App, AppUserID: u.AppUserID}
	}
	m, err := s.AccountsByKey(context.Background(), keys)
	if err != nil {
		tb.Fatalf("AccountsByKey: %v", err)
	}
	return m
}

func TestSeedUsers(t *testing.T) {
	s, d := mustSeed(t)
	want := []struct {
		name    string
		app     profile.App
		linked  bool
		purpose profile.Purpose
	}{
		{"Alice", profile.AppFacebook, true, ""}, {"Alice", profile.AppInstagram, true, ""}, {"Alice", profile.AppWhatsApp, true, ""},
		{"Bob", profile.AppFacebook, true, ""}, {"Bob", profile.AppFacebook, true, profile.PurposeAds},
		{"Bob", profile.AppInstagram, true, ""}, {"Bob", profile.AppThreads, true, ""},
		{"Carol", profile.AppMessenger, true, ""}, {"Carol", profile.AppInstagram, true, ""},
		{"Dave", profile.AppThreads, false, ""},
	}
	if len(d.Users) != len(want) {
		t.Fatalf("Seed lists %d users, want %d", len(d.Users), len(want))
	}
	stored := accounts(t, s, d)
	persons := map[string]string{}
	for i, w := range want {
		u := d.Users[i]
		if u.Name != w.name || u.App != w.app || u.Purpose != w.purpose {
			t.Errorf("user %d = %s in %s (purpose %q), want %s in %s (purpose %q)", i, u.Name, u.App, u.Purpose, w.name, w.app, w.purpose)
		}
		if u.Note == "" || u.AppUserID == "" {
			t.Errorf("user %d (%s in %s) lacks a note or an appUserId", i, u.Name, u.App)
		}
		a := stored[profile.AccountKey{App: u.App, AppUserID: u.AppUserID}]
		if a == nil {
			t.Errorf("%s's %s account %q is not stored", u.Name, u.App, u.AppUserID)
			continue
		}
		if a.PersonID != u.PersonID || a.Linked() != w.linked || (a.LinkedAt != nil) != w.linked {
			t.Errorf("%s's %s account: person %q linkedAt %v, listed person %q, want linked=%v",
				u.Name, u.App, a.PersonID, a.LinkedAt, u.PersonID, w.linked)
		}
		if w.linked {
			if p, ok := persons[u.Name]; ok && p != u.PersonID {
				t.Errorf("%s's accounts belong to two persons: %s and %s", u.Name, p, u.PersonID)
			}
			persons[u.Name] = u.PersonID
		}
	}
	if len(persons) != 3 || persons["Alice"] == persons["Bob"] || persons["Bob"] == persons["Carol"] || persons["Alice"] == persons["Carol"] {
		t.Errorf("want three distinct persons, got %v", persons)
	}
	ids := make([]string, 0, len(persons))
	for _, id := range persons {
		ids = append(ids, id)
	}
	got, err := s.PersonsByID(context.Background(), ids)
	if err != nil || len(got) != 3 {
		t.Errorf("PersonsByID = %d persons, %v; want 3", len(got), err)
	}
}

func TestSeedLinksAccountsPerPerson(t *testing.T) {
	s, d := mustSeed(t)
	for _, tc := range []struct {
		name string
		apps []profile.App // ordered as profile.Apps
	}{
		{"Alice", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp}},
		{"Bob", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads}},
		{"Carol", []profile.App{profile.AppInstagram, profile.AppMessenger}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pid := user(t, d, tc.name, tc.apps[0]).PersonID
			m, err := s.AccountsByPerson(context.Background(), []string{pid})
			if err != nil {
				t.Fatal(err)
			}
			var apps []profile.App
			for _, a := range m[pid] {
				apps = append(apps, a.App)
			}
			if !slices.Equal(apps, tc.apps) {
				t.Errorf("%s's linked apps = %v, want %v", tc.name, apps, tc.apps)
			}
		})
	}
}

var usernameRE = regexp.MustCompile(`^[a-z0-9._]{1,30}$`)

func TestSeedValuesAreValid(t *testing.T) {
	s, d := mustSeed(t)
	for _, a := range accounts(t, s, d) {
		t.Run(string(a.App)+"/"+a.AppUserID, func(t *testing.T) {
			if !usernameRE.MatchString(a.Username) {
				t.Errorf("username %q does not match %s", a.Username, usernameRE)
			}
			if a.DisplayName == nil || strings.TrimSpace(*a.DisplayName) == "" || len([]rune(*a.DisplayName)) > 64 {
				t.Errorf("displayName %v is not 1-64 characters", a.DisplayName)
			}
			if a.Bio != nil && len([]rune(*a.Bio)) > 300 {
				t.Errorf("bio is longer than 300 characters")
			}
			if a.Avatar != nil && !strings.HasPrefix(a.Avatar.URL, "https://") {
				t.Errorf("avatar %q is not https", a.Avatar.URL)
			}
			if a.PhoneNumber != nil {
				n, err := phonenumbers.Parse(*a.PhoneNumber, "")
				if err != nil || !phonenumbers.IsValidNumber(n) || phonenumbers.Format(n, phonenumbers.E164) != *a.PhoneNumber {
					t.Errorf("phone %q is not a valid E.164 number (%v)", *a.PhoneNumber, err)
				}
			}
			if a.Email != nil {
				if addr, err := mail.ParseAddress(*a.Email); err != nil || addr.Address != *a.Email {
					t.Errorf("email %q is not a bare address (%v)", *a.Email, err)
				}
			}
			if b := a.Birthdate; b != nil {
				if profile.DateOf(b.Time()) != *b {
					t.Errorf("birthdate %v is not a real date", *b)
				}
				if b.Time().Before(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)) || b.Time().After(now) {
					t.Errorf("birthdate %v is not between 1900-01-01 and today", *b)
				}
			}
			if _, err := uuid.Parse(a.ID); err != nil {
				t.Errorf("account id %q is not a UUID", a.ID)
			}
		})
	}
}

func TestSeedShowsTheRules(t *testing.T) {
	s, d := mustSeed(t)
	ctx := context.Background()
	stored := accounts(t, s, d)
	acc := func(name string, app profile.App) *profile.Account {
		t.Helper()
		a := stored[profile.AccountKey{App: app, AppUserID: user(t, d, name, app).AppUserID}]
		if a == nil {
			t.Fatalf("%s has no %s account", name, app)
		}
		return a
	}
	alice, bob, carol := user(t, d, "Alice", profile.AppFacebook).PersonID, user(t, d, "Bob", profile.AppFacebook).PersonID, user(t, d, "Carol", profile.AppMessenger).PersonID

	t.Run("Alice's display names differ per app and her contact data is split", func(t *testing.T) {
		names := map[string]bool{}
		for _, app := range []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp} {
			names[*acc("Alice", app).DisplayName] = true
		}
		if len(names) != 3 {
			t.Errorf("display names %v are not all different", names)
		}
		if acc("Alice", profile.AppWhatsApp).PhoneNumber == nil || acc("Alice", profile.AppFacebook).Email == nil {
			t.Error("Alice lacks a WHATSAPP phone or a FACEBOOK email")
		}
		if acc("Alice", profile.AppInstagram).Avatar == nil || acc("Alice", profile.AppInstagram).Bio == nil {
			t.Error("Alice's INSTAGRAM account lacks an avatar or bio to cross to FACEBOOK")
		}
	})

	t.Run("consents are exactly the planned ones", func(t *testing.T) {
		m, err := s.ConsentsByPerson(ctx, []string{alice, bob, carol})
		if err != nil {
			t.Fatal(err)
		}
		keys := func(cs []*profile.Consent) []profile.ConsentKey {
			var out []profile.ConsentKey
			for _, c := range cs {
				out = append(out, c.Key())
			}
			return out
		}
		wantAlice := []profile.ConsentKey{
			{SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook, Category: profile.CategoryProfile, Purpose: profile.PurposeService},
			{SourceApp: profile.AppWhatsApp, TargetApp: profile.AppFacebook, Category: profile.CategoryContact, Purpose: profile.PurposeService},
			{SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook, Category: profile.CategoryProfile, Purpose: profile.PurposeAds},
			{SourceApp: profile.AppWhatsApp, TargetApp: profile.AppFacebook, Category: profile.CategoryActivity, Purpose: profile.PurposeService},
			{SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook, Category: profile.CategoryDevice, Purpose: profile.PurposeService},
		}
		if got := keys(m[alice]); !slices.Equal(got, wantAlice) {
			t.Errorf("Alice's consents = %v, want %v", got, wantAlice)
		}
		if len(m[bob]) != 0 {
			t.Errorf("Bob has %d consents, want none", len(m[bob]))
		}
		wantCarol := []profile.ConsentKey{{SourceApp: profile.AppMessenger, TargetApp: profile.AppInstagram, Category: profile.CategoryContact, Purpose: profile.PurposeService}}
		if got := keys(m[carol]); !slices.Equal(got, wantCarol) {
			t.Errorf("Carol's consents = %v, want %v", got, wantCarol)
		}
	})

	t.Run("Alice's settings sync, cross-post and sign on", func(t *testing.T) {
		m, err := s.SettingsByPerson(ctx, []string{alice, bob, carol})
		if err != nil {
			t.Fatal(err)
		}
		st := m[alice]
		if st == nil || !st.SyncProfile || st.Version != 1 ||
			!slices.Equal(st.CrossPosting, []profile.CrossPostRule{{From: profile.AppInstagram, To: profile.AppFacebook}, {From: profile.AppWhatsApp, To: profile.AppFacebook}}) ||
			!slices.Equal(st.SingleSignOn, []profile.App{profile.AppInstagram}) {
			t.Errorf("Alice's settings = %+v", st)
		}
		if m[bob] != nil || m[carol] != nil {
			t.Errorf("Bob or Carol have stored settings, want the defaults")
		}
	})

	t.Run("Alice's accounts have devices and cross-posts, one of each crossing to FACEBOOK", func(t *testing.T) {
		ids := []string{acc("Alice", profile.AppFacebook).ID, acc("Alice", profile.AppInstagram).ID, acc("Alice", profile.AppWhatsApp).ID}
		devs, err := s.DevicesByAccount(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{1, 1, 2} {
			if len(devs[ids[i]]) != want {
				t.Errorf("account %d has %d devices, want %d", i, len(devs[ids[i]]), want)
			}
			if err := profile.ValidateDevices(devs[ids[i]], now); err != nil {
				t.Errorf("demo devices are invalid: %v", err)
			}
		}
		pages := []profile.CrossPostPage{{AccountID: ids[1], Limit: 10}, {AccountID: ids[2], Limit: 10}}
		cps, err := s.CrossPosts(ctx, pages)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			if len(cps[p]) != 1 || cps[p][0].To != profile.AppFacebook || cps[p][0].TargetAccountID != ids[0] {
				t.Errorf("cross-posts of %s = %+v, want one to her FACEBOOK account", p.AccountID, cps[p])
			}
		}
		// The consents that let WHATSAPP's cross-posts and INSTAGRAM's devices (only)
		// cross to FACEBOOK, as the token notes say.
		c, _ := s.ConsentsByPerson(ctx, []string{alice})
		g := consent.NewGrants([]profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp}, c[alice])
		fbOwner := consent.Request{ViewerAccountID: ids[0], ViewerPersonID: alice, App: profile.AppFacebook}
		for _, tc := range []struct {
			app  profile.App
			cat  profile.Category
			want bool
		}{
			{profile.AppWhatsApp, profile.CategoryActivity, true}, {profile.AppInstagram, profile.CategoryDevice, true},
			{profile.AppWhatsApp, profile.CategoryDevice, false}, {profile.AppInstagram, profile.CategoryActivity, false},
		} {
			if d := consent.Decide(fbOwner, acc("Alice", tc.app), g, tc.cat); d.Visible != tc.want {
				t.Errorf("%s %s visible in FACEBOOK = %v, want %v", tc.app, tc.cat, d.Visible, tc.want)
			}
		}
		if note := user(t, d, "Alice", profile.AppFacebook).Note; !strings.Contains(note, "WHATSAPP's crossPosts cross") {
			t.Errorf("Alice's FACEBOOK token note does not say which cross-post crosses: %q", note)
		}
	})

	t.Run("ages reconcile: Alice adult and consistent, Bob 16 with a discrepancy", func(t *testing.T) {
		for _, tc := range []struct {
			name        string
			apps        []profile.App
			youngestAge int
			discrepancy bool
		}{
			{"Alice", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp}, 34, false},
			{"Bob", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads}, 16, true},
		} {
			var dates []time.Time
			for _, app := range tc.apps {
				if b := acc(tc.name, app).Birthdate; b != nil {
					dates = append(dates, b.Time())
				}
			}
			if len(dates) < 2 {
				t.Fatalf("%s has %d birthdates, want at least 2", tc.name, len(dates))
			}
			lo, hi := slices.MinFunc(dates, time.Time.Compare), slices.MaxFunc(dates, time.Time.Compare)
			if got := hi.Sub(lo) > 365*24*time.Hour; got != tc.discrepancy {
				t.Errorf("%s's birthdates %v..%v differ by more than 365 days = %v, want %v", tc.name, lo, hi, got, tc.discrepancy)
			}
			if got := ageOn(hi, now); got != tc.youngestAge {
				t.Errorf("%s's youngest birthdate %v gives age %d on %v, want %d", tc.name, hi, got, now, tc.youngestAge)
			}
		}
	})

	t.Run("activity records links, grants and settings", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			pid  string
			want map[profile.ActivityType]int
		}{
			{"Alice", alice, map[profile.ActivityType]int{profile.ActivityLinked: 3, profile.ActivityConsentGranted: 5, profile.ActivitySettingsUpdated: 1, profile.ActivityCrossPosted: 2}},
			{"Bob", bob, map[profile.ActivityType]int{profile.ActivityLinked: 3}},
			{"Carol", carol, map[profile.ActivityType]int{profile.ActivityLinked: 2, profile.ActivityConsentGranted: 1}},
		} {
			evs, err := s.Activity(ctx, tc.pid, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			got := map[profile.ActivityType]int{}
			for i, e := range evs {
				got[e.Type]++
				if e.App == nil || e.Detail == "" {
					t.Errorf("%s's event %d (%s) lacks an app or detail", tc.name, i, e.Type)
				}
				if i > 0 && e.At.After(evs[i-1].At) {
					t.Errorf("%s's events are not newest first by time: %v after %v", tc.name, e.At, evs[i-1].At)
				}
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("%s's activity = %v, want %v", tc.name, got, tc.want)
			}
		}
	})
}

func TestSeedIsIdempotentAndDeterministic(t *testing.T) {
	ctx := context.Background()
	s, first := mustSeed(t)
	before := accounts(t, s, first)
	alice := user(t, first, "Alice", profile.AppFacebook).PersonID
	evsBefore, err := s.Activity(ctx, alice, 0, 100)
	if err != nil {
		t.Fatal(err)
	}

	again, err := demo.Seed(ctx, s, now.Add(48*time.Hour))
	if err != nil {
		t.Fatalf("second Seed: %v", err)
	}
	if !slices.Equal(again.Users, first.Users) {
		t.Errorf("second Seed describes other users:\n got %+v\nwant %+v", again.Users, first.Users)
	}
	after := accounts(t, s, first)
	for k, a := range before {
		if !after[k].UpdatedAt.Equal(a.UpdatedAt) {
			t.Errorf("second Seed rewrote %v", k)
		}
	}
	evsAfter, err := s.Activity(ctx, alice, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evsAfter) != len(evsBefore) {
		t.Errorf("second Seed appended activity: %d events, was %d", len(evsAfter), len(evsBefore))
	}

	_, other := mustSeed(t)
	if !slices.Equal(other.Users, first.Users) {
		t.Errorf("seeding another store gives other ids")
	}
	if got := other.Users[0].PersonID; got != alice {
		t.Errorf("Alice's person id differs between stores: %s and %s", got, alice)
	}
}

func TestSeedIsAtomic(t *testing.T) {
	ctx := context.Background()
	s := memory.New()
	// Someone else already holds Dave's THREADS user id: the seed conflicts at the end.
	squatter := &profile.Account{ID: uuid.NewString(), App: profile.AppThreads, AppUserID: "dave-th", Username: "squatter", CreatedAt: now, UpdatedAt: now}
	if err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.InsertAccount(ctx, squatter) }); err != nil {
		t.Fatal(err)
	}
	d, err := demo.Seed(ctx, s, now)
	if profile.ErrorCode(err) != profile.Conflict || d != nil {
		t.Fatalf("Seed over a conflicting account = %v, %v; want a CONFLICT error", d, err)
	}
	got, err := s.AccountsByKey(ctx, []profile.AccountKey{{App: profile.AppFacebook, AppUserID: "alice-fb"}})
	if err != nil || len(got) != 0 {
		t.Errorf("a failed Seed left Alice's account behind: %v, %v", got, err)
	}
}

// ageOn is the age in whole years on day of someone born at birth.
func ageOn(birth, day time.Time) int {
	age := day.Year() - birth.Year()
	if day.Month() < birth.Month() || (day.Month() == birth.Month() && day.Day() < birth.Day()) {
		age--
	}
	return age
}
