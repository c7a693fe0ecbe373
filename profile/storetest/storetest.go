// Package storetest is the contract suite that every profile.Store implementation must
// pass (postgres, memory), so that the stores never drift apart. It depends only on the
// profile package.
//
// Beyond the doc comments of profile.Store and profile.Tx, the suite fixes these choices:
//   - Ids are assigned by the caller (canonical lowercase UUIDs); a key that is not a
//     canonical UUID is simply absent from every read and lock.
//   - Times may be truncated to microseconds and always come back in UTC.
//   - Nil pointers (DisplayName, Bio, Avatar, Birthdate, ...) round-trip as nil, and set
//     ones (even to "") as set.
//   - UpdateAccount of a missing account and DeletePerson of a missing person are
//     NOT_FOUND; LockPerson of a missing or malformed id is NOT_FOUND.
//   - InsertAccount or UpdateAccount that would give a person two accounts of one app is
//     ALREADY_LINKED; a duplicate (app, appUserId) is CONFLICT.
//   - PutConsent of a consent that exists returns the stored one (its first GrantedAt).
//   - Settings keep the order of CrossPosting and SingleSignOn as written; nil and empty
//     slices are equivalent.
//   - A write that fails with a domain error (CONFLICT, ALREADY_LINKED, NOT_FOUND) writes
//     nothing and leaves the transaction usable: fn may go on and commit.
//   - Reads return no error and an empty result for an empty key list.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// Run runs the contract suite. newStore must return a fresh, empty store for each call
// and release it in t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) profile.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s profile.Store)
	}{
		{"Ping succeeds on a fresh store", testPing},
		{"reads of empty key lists return empty results", testEmptyReads},
		{"PersonsByID returns present persons and omits missing and malformed ids", testPersonsByID},
		{"AccountsByID returns present accounts and omits missing and malformed ids", testAccountsByID},
		{"AccountsByKey returns present accounts and omits missing keys", testAccountsByKey},
		{"AccountsByPerson returns each person's accounts ordered as Apps", testAccountsByPerson},
		{"every account field round-trips, nil stays nil", testAccountRoundTrip},
		{"times come back in UTC", testTimesUTC},
		{"InsertAccount with a duplicate app and appUserId is CONFLICT", testInsertDuplicateKey},
		{"a second account of one app on one person is ALREADY_LINKED", testAlreadyLinked},
		{"UpdateAccount writes every field including the link", testUpdateAccount},
		{"UpdateAccount of a missing account is NOT_FOUND", testUpdateMissingAccount},
		{"a write that fails with a domain error leaves the transaction usable", testFailedWriteKeepsTx},
		{"InTx rolls back every write and returns fn's error unchanged", testRollback},
		{"reads inside a transaction see its writes", testReadYourWrites},
		{"LockAccounts returns present accounts and omits missing and malformed ids", testLockAccounts},
		{"LockAccountByKey returns the account or nil", testLockAccountByKey},
		{"LockPerson of a missing or malformed person is NOT_FOUND", testLockPerson},
		{"PutConsent is idempotent and keeps the first grant", testPutConsentIdempotent},
		{"ConsentsByPerson lists each person's consents oldest grant first", testConsentsOrder},
		{"DeleteConsent removes one consent and reports whether it existed", testDeleteConsent},
		{"DeleteConsentsNaming removes consents naming the app as source or target", testDeleteConsentsNaming},
		{"DeletePerson removes the person, settings and consents and keeps activity", testDeletePerson},
		{"DeletePerson of a missing person is NOT_FOUND", testDeleteMissingPerson},
		{"PutSettings round-trips and replaces", testPutSettings},
		{"AppendActivity assigns increasing Seq", testAppendActivitySeq},
		{"Activity pages newest first by Seq below beforeSeq", testActivityPagination},
		{"RedeemHandoff redeems a code once", testRedeemHandoff},
		{"RedeemHandoff has exactly one winner among 10 concurrent redeemers", testRedeemHandoffConcurrent},
		{"DeleteHandoffs removes the person's unredeemed codes to one app only", testDeleteHandoffs},
		{"racing links of one account under LockAccounts: exactly one wins", testLinkRace},
		{"PrivacyByPerson returns links ordered as Apps and consents oldest grant first", testPrivacyByPerson},
		{"PrivacyByPerson reflects unlinks and revocations at once", testPrivacyFollowsWrites},
		{"PrivacyByPerson inside a transaction sees its writes", testPrivacyInTx},
		{"ReplaceDevices replaces the list and DevicesByAccount returns it by id", testDevicesReplace},
		{"a duplicate device id is CONFLICT, writes nothing and leaves the transaction usable", testDevicesDuplicateKeepsTx},
		{"InTx rolls back ReplaceDevices", testDevicesRollback},
		{"InsertCrossPost is idempotent on account, target app and content id", testCrossPostIdempotent},
		{"InsertCrossPost has exactly one creator among 20 concurrent identical calls", testCrossPostConcurrent},
		{"CrossPosts answers many keyset pages in one call, newest first", testCrossPostPages},
		{"DeleteAccount deletes an unlinked account with its devices and cross-posts", testDeleteAccount},
		{"ErasePerson leaves the accounts unlinked and nothing else of the person but an erasure record", testErasePerson},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// base is a fixed instant with microsecond precision, so that every store round-trips it.
var base = time.Date(2024, time.March, 10, 12, 30, 45, 123456000, time.UTC)

func at(minutes int) time.Time { return base.Add(time.Duration(minutes) * time.Minute) }

func ptr[T any](v T) *T { return &v }

func newID() string { return uuid.NewString() }

func inTx(t *testing.T, s profile.Store, fn func(ctx context.Context, tx profile.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// mustPerson stores a new person.
func mustPerson(t *testing.T, s profile.Store) *profile.Person {
	t.Helper()
	p := &profile.Person{ID: newID(), CreatedAt: at(0)}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.InsertPerson(ctx, p) })
	return p
}

// fullAccount returns an account of app with every field set, linked to personID
// (unless it is "").
func fullAccount(app profile.App, personID string) *profile.Account {
	a := &profile.Account{
		ID:          newID(),
		App:         app,
		AppUserID:   "u-" + newID()[:8],
		Username:    "user_" + strings.ToLower(string(app)),
		DisplayName: ptr("Jane " + string(app)),
		Bio:         ptr("bio in " + string(app)),
		Avatar: &profile.Avatar{
			URL:   "https://cdn.example.com/" + strings.ToLower(string(app)) + ".jpg",
			Width: ptr(320), Height: ptr(240), UpdatedAt: at(2),
		},
		PhoneNumber: ptr("+14155550142"),
		Email:       ptr("jane@example.com"),
		Birthdate:   &profile.Date{Year: 1990, Month: time.July, Day: 4},
		CreatedAt:   at(1),
		UpdatedAt:   at(3),
	}
	if personID != "" {
		a.PersonID = personID
		a.LinkedAt = ptr(at(4))
	}
	return a
}

// mustAccount stores a.
func mustAccount(t *testing.T, s profile.Store, a *profile.Account) *profile.Account {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.InsertAccount(ctx, a) })
	return a
}

func wantCode(t *testing.T, err error, code profile.Code) {
	t.Helper()
	if got := profile.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func utc(t time.Time) time.Time { return t.UTC() }

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	return ptr(t.UTC())
}

// dump renders v with times normalized to UTC, for comparisons and failure messages.
func dump(v any) string {
	switch x := v.(type) {
	case *profile.Account:
		if x != nil {
			c := x.Clone()
			c.CreatedAt, c.UpdatedAt, c.LinkedAt = utc(c.CreatedAt), utc(c.UpdatedAt), utcPtr(c.LinkedAt)
			if c.Avatar != nil {
				c.Avatar.UpdatedAt = utc(c.Avatar.UpdatedAt)
			}
			v = c
		}
	case *profile.Settings:
		if x != nil {
			c := x.Clone()
			c.UpdatedAt = utc(c.UpdatedAt)
			if len(c.CrossPosting) == 0 {
				c.CrossPosting = nil
			}
			if len(c.SingleSignOn) == 0 {
				c.SingleSignOn = nil
			}
			v = c
		}
	case *profile.Consent:
		if x != nil {
			c := *x
			c.GrantedAt = utc(c.GrantedAt)
			v = &c
		}
	case *profile.Person:
		if x != nil {
			c := *x
			c.CreatedAt = utc(c.CreatedAt)
			v = &c
		}
	case *profile.ActivityEvent:
		if x != nil {
			c := *x
			c.At = utc(c.At)
			v = &c
		}
	case *profile.LoginHandoff:
		if x != nil {
			c := *x
			c.CreatedAt, c.ExpiresAt, c.RedeemedAt = utc(c.CreatedAt), utc(c.ExpiresAt), utcPtr(c.RedeemedAt)
			v = &c
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("<%v>", err)
	}
	return string(b)
}

func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if g, w := dump(got), dump(want); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func testPing(t *testing.T, s profile.Store) {
	if err := s.Ping(context.Background()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testEmptyReads(t *testing.T, s profile.Store) {
	ctx := context.Background()
	check := func(r profile.Reader) error {
		if m, err := r.PersonsByID(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("PersonsByID(nil) = %v, %v", m, err)
		}
		if m, err := r.AccountsByID(ctx, []string{}); err != nil || len(m) != 0 {
			return fmt.Errorf("AccountsByID(empty) = %v, %v", m, err)
		}
		if m, err := r.AccountsByKey(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("AccountsByKey(nil) = %v, %v", m, err)
		}
		if m, err := r.AccountsByPerson(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("AccountsByPerson(nil) = %v, %v", m, err)
		}
		if m, err := r.SettingsByPerson(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("SettingsByPerson(nil) = %v, %v", m, err)
		}
		if m, err := r.ConsentsByPerson(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("ConsentsByPerson(nil) = %v, %v", m, err)
		}
		if m, err := r.PrivacyByPerson(ctx, nil); err != nil || len(m) != 0 {
			return fmt.Errorf("PrivacyByPerson(nil) = %v, %v", m, err)
		}
		if ev, err := r.Activity(ctx, newID(), 0, 10); err != nil || len(ev) != 0 {
			return fmt.Errorf("Activity(unknown person) = %v, %v", ev, err)
		}
		if ev, err := r.Activity(ctx, "not-a-uuid", 0, 10); err != nil || len(ev) != 0 {
			return fmt.Errorf("Activity(malformed) = %v, %v", ev, err)
		}
		return nil
	}
	if err := check(s); err != nil {
		t.Errorf("store: %v", err)
	}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := check(tx); err != nil {
			t.Errorf("tx: %v", err)
		}
		if m, err := tx.LockAccounts(ctx, nil); err != nil || len(m) != 0 {
			t.Errorf("LockAccounts(nil) = %v, %v", m, err)
		}
		return nil
	})
}

func testPersonsByID(t *testing.T, s profile.Store) {
	p1, p2 := mustPerson(t, s), mustPerson(t, s)
	missing := newID()
	got, err := s.PersonsByID(context.Background(), []string{p1.ID, missing, "not-a-uuid", "", p2.ID, p1.ID})
	if err != nil {
		t.Fatalf("PersonsByID: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("PersonsByID returned %d persons, want 2: %s", len(got), dump(got))
	}
	same(t, "p1", got[p1.ID], p1)
	same(t, "p2", got[p2.ID], p2)
	if _, ok := got[missing]; ok {
		t.Errorf("missing id is present")
	}
}

func testAccountsByID(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	a1 := mustAccount(t, s, fullAccount(profile.AppFacebook, p.ID))
	a2 := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	got, err := s.AccountsByID(context.Background(), []string{a2.ID, newID(), "nope", a1.ID, strings.ToUpper("x" + a1.ID)})
	if err != nil {
		t.Fatalf("AccountsByID: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("AccountsByID returned %d accounts, want 2: %s", len(got), dump(got))
	}
	same(t, "a1", got[a1.ID], a1)
	same(t, "a2", got[a2.ID], a2)
}

func testAccountsByKey(t *testing.T, s profile.Store) {
	a1 := mustAccount(t, s, fullAccount(profile.AppFacebook, ""))
	a2 := mustAccount(t, s, fullAccount(profile.AppWhatsApp, ""))
	// Same appUserId in another app is another account.
	a3 := fullAccount(profile.AppThreads, "")
	a3.AppUserID = a1.AppUserID
	mustAccount(t, s, a3)
	keys := []profile.AccountKey{
		a1.Key(),
		{App: profile.AppInstagram, AppUserID: a1.AppUserID}, // right user, wrong app
		{App: "MYSPACE", AppUserID: a2.AppUserID},            // unknown app
		{App: profile.AppWhatsApp, AppUserID: "nobody"},
		a2.Key(),
		a3.Key(),
		a1.Key(),
	}
	got, err := s.AccountsByKey(context.Background(), keys)
	if err != nil {
		t.Fatalf("AccountsByKey: %v", err)
	}
	if len(got) != 3 {
		t.Fatalf("AccountsByKey returned %d accounts, want 3: %s", len(got), dump(got))
	}
	same(t, "a1", got[a1.Key()], a1)
	same(t, "a2", got[a2.Key()], a2)
	same(t, "a3", got[a3.Key()], a3)
}

func testAccountsByPerson(t *testing.T, s profile.Store) {
	p, q, empty := mustPerson(t, s), mustPerson(t, s), mustPerson(t, s)
	// Insert in reverse of Apps order, to catch insertion-ordered results.
	var want []*profile.Account
	for i := len(profile.Apps) - 1; i >= 0; i-- {
		want = append([]*profile.Account{mustAccount(t, s, fullAccount(profile.Apps[i], p.ID))}, want...)
	}
	qa := mustAccount(t, s, fullAccount(profile.AppMessenger, q.ID))
	qb := mustAccount(t, s, fullAccount(profile.AppInstagram, q.ID))
	mustAccount(t, s, fullAccount(profile.AppFacebook, "")) // unlinked: nobody's

	got, err := s.AccountsByPerson(context.Background(), []string{p.ID, q.ID, empty.ID, newID(), "bad"})
	if err != nil {
		t.Fatalf("AccountsByPerson: %v", err)
	}
	same(t, "p's accounts", got[p.ID], want)
	same(t, "q's accounts", got[q.ID], []*profile.Account{qb, qa})
	if len(got[empty.ID]) != 0 {
		t.Errorf("person without accounts has %d accounts", len(got[empty.ID]))
	}
	for id, accs := range got {
		if id != p.ID && id != q.ID && len(accs) > 0 {
			t.Errorf("unexpected key %q with %d accounts", id, len(accs))
		}
	}
}

func testAccountRoundTrip(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	full := mustAccount(t, s, fullAccount(profile.AppMessenger, p.ID))
	bare := mustAccount(t, s, &profile.Account{
		ID: newID(), App: profile.AppThreads, AppUserID: "bare", CreatedAt: at(5), UpdatedAt: at(5),
	})
	empties := mustAccount(t, s, &profile.Account{
		ID: newID(), App: profile.AppWhatsApp, AppUserID: "empties", Username: "e",
		DisplayName: ptr(""), Bio: ptr(""), PhoneNumber: ptr(""), Email: ptr(""),
		Avatar:    &profile.Avatar{URL: "https://x.example/a.png", UpdatedAt: at(6)}, // no size
		CreatedAt: at(6), UpdatedAt: at(7),
	})
	got, err := s.AccountsByID(context.Background(), []string{full.ID, bare.ID, empties.ID})
	if err != nil {
		t.Fatalf("AccountsByID: %v", err)
	}
	same(t, "full account", got[full.ID], full)
	same(t, "bare account", got[bare.ID], bare)
	same(t, "account with empty strings", got[empties.ID], empties)
	if a := got[bare.ID]; a != nil && (a.DisplayName != nil || a.Avatar != nil || a.Birthdate != nil || a.LinkedAt != nil || a.Linked()) {
		t.Errorf("bare account gained values: %s", dump(a))
	}
}

func testTimesUTC(t *testing.T, s profile.Store) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	p := &profile.Person{ID: newID(), CreatedAt: at(0).In(zone)}
	a := fullAccount(profile.AppFacebook, p.ID)
	a.CreatedAt, a.UpdatedAt, a.LinkedAt = a.CreatedAt.In(zone), a.UpdatedAt.In(zone), ptr(a.LinkedAt.In(zone))
	a.Avatar.UpdatedAt = a.Avatar.UpdatedAt.In(zone)
	c := &profile.Consent{PersonID: p.ID, SourceApp: profile.AppFacebook, TargetApp: profile.AppInstagram,
		Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: at(8).In(zone)}
	st := &profile.Settings{PersonID: p.ID, Version: 1, UpdatedAt: at(9).In(zone)}
	ev := &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityLinked, At: at(10).In(zone)}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.InsertPerson(ctx, p); err != nil {
			return err
		}
		if err := tx.InsertAccount(ctx, a); err != nil {
			return err
		}
		if _, err := tx.PutConsent(ctx, c); err != nil {
			return err
		}
		if err := tx.PutSettings(ctx, st); err != nil {
			return err
		}
		return tx.AppendActivity(ctx, ev)
	})
	ctx := context.Background()
	ps, err1 := s.PersonsByID(ctx, []string{p.ID})
	as, err2 := s.AccountsByID(ctx, []string{a.ID})
	cs, err3 := s.ConsentsByPerson(ctx, []string{p.ID})
	ss, err4 := s.SettingsByPerson(ctx, []string{p.ID})
	evs, err5 := s.Activity(ctx, p.ID, 0, 10)
	if err := errors.Join(err1, err2, err3, err4, err5); err != nil {
		t.Fatalf("reads: %v", err)
	}
	if ps[p.ID] == nil || as[a.ID] == nil || len(cs[p.ID]) != 1 || ss[p.ID] == nil || len(evs) != 1 {
		t.Fatalf("missing rows: persons %d, accounts %d, consents %d, settings %v, events %d",
			len(ps), len(as), len(cs[p.ID]), ss[p.ID] != nil, len(evs))
	}
	ga := as[a.ID]
	if ga.LinkedAt == nil || ga.Avatar == nil {
		t.Fatalf("account lost its link or avatar: %s", dump(ga))
	}
	for _, tc := range []struct {
		name      string
		got, want time.Time
	}{
		{"person.CreatedAt", ps[p.ID].CreatedAt, p.CreatedAt},
		{"account.CreatedAt", ga.CreatedAt, a.CreatedAt},
		{"account.UpdatedAt", ga.UpdatedAt, a.UpdatedAt},
		{"account.LinkedAt", *ga.LinkedAt, *a.LinkedAt},
		{"account.Avatar.UpdatedAt", ga.Avatar.UpdatedAt, a.Avatar.UpdatedAt},
		{"consent.GrantedAt", cs[p.ID][0].GrantedAt, c.GrantedAt},
		{"settings.UpdatedAt", ss[p.ID].UpdatedAt, st.UpdatedAt},
		{"activity.At", evs[0].At, ev.At},
	} {
		if !tc.got.Equal(tc.want) || tc.got.Location() != time.UTC {
			t.Errorf("%s = %v, want %v in UTC", tc.name, tc.got, tc.want.UTC())
		}
	}
}

func testInsertDuplicateKey(t *testing.T, s profile.Store) {
	orig := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	dup := fullAccount(profile.AppInstagram, "")
	dup.AppUserID = orig.AppUserID
	err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
		return tx.InsertAccount(ctx, dup)
	})
	wantCode(t, err, profile.Conflict)
	got, err := s.AccountsByID(context.Background(), []string{orig.ID, dup.ID})
	if err != nil {
		t.Fatalf("AccountsByID: %v", err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d accounts after a failed insert, want 1", len(got))
	}
	same(t, "original account", got[orig.ID], orig)
}

func testAlreadyLinked(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	first := mustAccount(t, s, fullAccount(profile.AppWhatsApp, p.ID))
	ctx := context.Background()

	t.Run("on insert", func(t *testing.T) {
		second := fullAccount(profile.AppWhatsApp, p.ID)
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.InsertAccount(ctx, second) })
		wantCode(t, err, profile.AlreadyLinked)
		got, err := s.AccountsByID(ctx, []string{second.ID})
		if err != nil || len(got) != 0 {
			t.Fatalf("AccountsByID(second) = %s, %v; want absent", dump(got), err)
		}
	})
	t.Run("on update", func(t *testing.T) {
		other := mustAccount(t, s, fullAccount(profile.AppWhatsApp, ""))
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			a := other.Clone()
			a.PersonID, a.LinkedAt = p.ID, ptr(at(20))
			return tx.UpdateAccount(ctx, a)
		})
		wantCode(t, err, profile.AlreadyLinked)
		got, err := s.AccountsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatalf("AccountsByPerson: %v", err)
		}
		same(t, "person's accounts", got[p.ID], []*profile.Account{first})
	})
	t.Run("accounts of other apps link fine", func(t *testing.T) {
		mustAccount(t, s, fullAccount(profile.AppFacebook, p.ID))
		got, err := s.AccountsByPerson(ctx, []string{p.ID})
		if err != nil || len(got[p.ID]) != 2 {
			t.Fatalf("AccountsByPerson = %s, %v; want 2 accounts", dump(got), err)
		}
	})
}

func testUpdateAccount(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	a := mustAccount(t, s, &profile.Account{
		ID: newID(), App: profile.AppFacebook, AppUserID: "fb-1", Username: "old", CreatedAt: at(0), UpdatedAt: at(0),
	})
	ctx := context.Background()
	steps := []struct {
		name   string
		change func(a *profile.Account)
	}{
		{"set every field and link", func(a *profile.Account) {
			full := fullAccount(a.App, p.ID)
			full.ID, full.AppUserID, full.CreatedAt = a.ID, a.AppUserID, a.CreatedAt
			*a = *full
		}},
		{"change values", func(a *profile.Account) {
			a.Username, a.DisplayName, a.Bio = "new", ptr("New Name"), ptr("new bio")
			a.Avatar = &profile.Avatar{URL: "https://cdn.example.com/new.jpg", Width: ptr(64), UpdatedAt: at(30)}
			a.Birthdate = &profile.Date{Year: 2001, Month: time.February, Day: 28}
			a.UpdatedAt = at(30)
		}},
		{"clear values and unlink", func(a *profile.Account) {
			a.PersonID, a.LinkedAt = "", nil
			a.DisplayName, a.Bio, a.Avatar, a.PhoneNumber, a.Email, a.Birthdate = nil, nil, nil, nil, nil, nil
			a.UpdatedAt = at(40)
		}},
	}
	for _, step := range steps {
		step.change(a)
		want := a.Clone()
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.UpdateAccount(ctx, want) })
		got, err := s.AccountsByID(ctx, []string{a.ID})
		if err != nil {
			t.Fatalf("%s: AccountsByID: %v", step.name, err)
		}
		same(t, step.name, got[a.ID], want)
		byPerson, err := s.AccountsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatalf("%s: AccountsByPerson: %v", step.name, err)
		}
		if linked := len(byPerson[p.ID]) == 1; linked != want.Linked() {
			t.Errorf("%s: AccountsByPerson lists %d accounts, want linked=%v", step.name, len(byPerson[p.ID]), want.Linked())
		}
	}
}

func testUpdateMissingAccount(t *testing.T, s profile.Store) {
	for _, id := range []string{newID(), "not-a-uuid"} {
		err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
			a := fullAccount(profile.AppThreads, "")
			a.ID = id
			return tx.UpdateAccount(ctx, a)
		})
		wantCode(t, err, profile.NotFound)
	}
}

func testFailedWriteKeepsTx(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	taken := mustAccount(t, s, fullAccount(profile.AppThreads, p.ID))
	fresh := fullAccount(profile.AppFacebook, p.ID)
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		dup := fullAccount(profile.AppThreads, "")
		dup.AppUserID = taken.AppUserID
		wantCode(t, tx.InsertAccount(ctx, dup), profile.Conflict)
		second := fullAccount(profile.AppThreads, p.ID)
		wantCode(t, tx.InsertAccount(ctx, second), profile.AlreadyLinked)
		wantCode(t, tx.UpdateAccount(ctx, fullAccount(profile.AppThreads, "")), profile.NotFound)
		got, err := tx.LockAccountByKey(ctx, taken.Key())
		if err != nil {
			return err
		}
		same(t, "account locked after the failures", got, taken)
		return tx.InsertAccount(ctx, fresh)
	})
	got, err := s.AccountsByPerson(context.Background(), []string{p.ID})
	if err != nil {
		t.Fatal(err)
	}
	same(t, "accounts after commit", got[p.ID], []*profile.Account{fresh, taken})
}

func testRollback(t *testing.T, s profile.Store) {
	ctx := context.Background()
	kept := mustPerson(t, s)
	keptAcc := mustAccount(t, s, fullAccount(profile.AppFacebook, kept.ID))
	p := &profile.Person{ID: newID(), CreatedAt: at(0)}
	a := fullAccount(profile.AppInstagram, p.ID)
	h := &profile.LoginHandoff{CodeHash: []byte("rollback-code-hash-0123456789abc"), PersonID: kept.ID,
		TargetApp: profile.AppFacebook, AccountID: keptAcc.ID, CreatedAt: at(0), ExpiresAt: at(2)}
	sentinel := errors.New("boom")
	err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		steps := []error{
			tx.InsertPerson(ctx, p),
			tx.InsertAccount(ctx, a),
			tx.PutSettings(ctx, &profile.Settings{PersonID: p.ID, SyncProfile: true, Version: 1, UpdatedAt: at(1)}),
			tx.PutSettings(ctx, &profile.Settings{PersonID: kept.ID, SyncProfile: true, Version: 1, UpdatedAt: at(1)}),
			tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityLinked, At: at(1)}),
			tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: kept.ID, Type: profile.ActivityLinked, At: at(1)}),
			tx.InsertHandoff(ctx, h),
		}
		_, err := tx.PutConsent(ctx, &profile.Consent{PersonID: kept.ID, SourceApp: profile.AppFacebook,
			TargetApp: profile.AppInstagram, Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: at(1)})
		steps = append(steps, err)
		upd := keptAcc.Clone()
		upd.Username, upd.PersonID, upd.LinkedAt = "changed", "", nil
		steps = append(steps, tx.UpdateAccount(ctx, upd))
		if err := errors.Join(steps...); err != nil {
			t.Errorf("writes inside the failing tx: %v", err)
		}
		return sentinel
	})
	if err != sentinel { // the contract is "unchanged", not merely wrapped
		t.Fatalf("InTx returned %v, want fn's error unchanged", err)
	}

	persons, err := s.PersonsByID(ctx, []string{p.ID, kept.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := persons[p.ID]; ok || persons[kept.ID] == nil {
		t.Errorf("persons after rollback: %s", dump(persons))
	}
	accs, err := s.AccountsByID(ctx, []string{a.ID, keptAcc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := accs[a.ID]; ok {
		t.Errorf("inserted account survived the rollback")
	}
	same(t, "updated account after rollback", accs[keptAcc.ID], keptAcc)
	settings, err := s.SettingsByPerson(ctx, []string{p.ID, kept.ID})
	if err != nil || len(settings) != 0 {
		t.Errorf("settings after rollback = %s, %v", dump(settings), err)
	}
	consents, err := s.ConsentsByPerson(ctx, []string{kept.ID})
	if err != nil || len(consents[kept.ID]) != 0 {
		t.Errorf("consents after rollback = %s, %v", dump(consents), err)
	}
	for _, id := range []string{p.ID, kept.ID} {
		ev, err := s.Activity(ctx, id, 0, 10)
		if err != nil || len(ev) != 0 {
			t.Errorf("activity of %s after rollback = %s, %v", id, dump(ev), err)
		}
	}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		got, err := tx.RedeemHandoff(ctx, h.CodeHash, at(1))
		if err != nil || got != nil {
			t.Errorf("RedeemHandoff of a rolled-back handoff = %s, %v; want nil, nil", dump(got), err)
		}
		return nil
	})

	t.Run("a domain error is returned unchanged too", func(t *testing.T) {
		perr := profile.Errorf(profile.BadUserInput, "nope")
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return perr })
		if err != error(perr) {
			t.Fatalf("InTx returned %v, want the *profile.Error unchanged", err)
		}
	})
}

func testReadYourWrites(t *testing.T, s profile.Store) {
	p := &profile.Person{ID: newID(), CreatedAt: at(0)}
	a := fullAccount(profile.AppThreads, p.ID)
	st := &profile.Settings{PersonID: p.ID, SyncProfile: true, SingleSignOn: []profile.App{profile.AppThreads}, Version: 1, UpdatedAt: at(1)}
	c := &profile.Consent{PersonID: p.ID, SourceApp: profile.AppThreads, TargetApp: profile.AppFacebook,
		Category: profile.CategoryContact, Purpose: profile.PurposeAds, GrantedAt: at(2)}
	ev := &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityLinked, App: ptr(profile.AppThreads), At: at(3)}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, a), tx.PutSettings(ctx, st), tx.AppendActivity(ctx, ev)); err != nil {
			return err
		}
		if _, err := tx.PutConsent(ctx, c); err != nil {
			return err
		}
		ps, err := tx.PersonsByID(ctx, []string{p.ID})
		if err != nil {
			return err
		}
		same(t, "person", ps[p.ID], p)
		byID, err := tx.AccountsByID(ctx, []string{a.ID})
		if err != nil {
			return err
		}
		same(t, "account by id", byID[a.ID], a)
		byKey, err := tx.AccountsByKey(ctx, []profile.AccountKey{a.Key()})
		if err != nil {
			return err
		}
		same(t, "account by key", byKey[a.Key()], a)
		byPerson, err := tx.AccountsByPerson(ctx, []string{p.ID})
		if err != nil {
			return err
		}
		same(t, "accounts by person", byPerson[p.ID], []*profile.Account{a})
		ss, err := tx.SettingsByPerson(ctx, []string{p.ID})
		if err != nil {
			return err
		}
		same(t, "settings", ss[p.ID], st)
		cs, err := tx.ConsentsByPerson(ctx, []string{p.ID})
		if err != nil {
			return err
		}
		same(t, "consents", cs[p.ID], []*profile.Consent{c})
		evs, err := tx.Activity(ctx, p.ID, 0, 10)
		if err != nil {
			return err
		}
		same(t, "activity", evs, []*profile.ActivityEvent{ev})
		return nil
	})
}

func testLockAccounts(t *testing.T, s profile.Store) {
	a1 := mustAccount(t, s, fullAccount(profile.AppFacebook, ""))
	a2 := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		got, err := tx.LockAccounts(ctx, []string{a2.ID, newID(), "bad", a1.ID, a2.ID})
		if err != nil {
			return err
		}
		if len(got) != 2 {
			t.Errorf("LockAccounts returned %d accounts, want 2", len(got))
		}
		same(t, "a1", got[a1.ID], a1)
		same(t, "a2", got[a2.ID], a2)
		return nil
	})
}

func testLockAccountByKey(t *testing.T, s profile.Store) {
	a := mustAccount(t, s, fullAccount(profile.AppMessenger, ""))
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		got, err := tx.LockAccountByKey(ctx, a.Key())
		if err != nil {
			return err
		}
		same(t, "locked account", got, a)
		for _, k := range []profile.AccountKey{
			{App: profile.AppMessenger, AppUserID: "nobody"},
			{App: profile.AppFacebook, AppUserID: a.AppUserID},
			{App: "NOPE", AppUserID: a.AppUserID},
		} {
			got, err := tx.LockAccountByKey(ctx, k)
			if err != nil || got != nil {
				t.Errorf("LockAccountByKey(%v) = %s, %v; want nil, nil", k, dump(got), err)
			}
		}
		return nil
	})
}

func testLockPerson(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.LockPerson(ctx, p.ID); err != nil {
			t.Errorf("LockPerson(existing) = %v", err)
		}
		wantCode(t, tx.LockPerson(ctx, newID()), profile.NotFound)
		return nil
	})
	// Separate transactions: a failed statement may abort a PostgreSQL transaction.
	err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
		return tx.LockPerson(ctx, "not-a-uuid")
	})
	wantCode(t, err, profile.NotFound)
}

func consent(personID string, src, dst profile.App, cat profile.Category, pur profile.Purpose, grantedAt time.Time) *profile.Consent {
	return &profile.Consent{PersonID: personID, SourceApp: src, TargetApp: dst, Category: cat, Purpose: pur, GrantedAt: grantedAt}
}

func putConsents(t *testing.T, s profile.Store, cs ...*profile.Consent) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		for _, c := range cs {
			if _, err := tx.PutConsent(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

func consentsOf(t *testing.T, s profile.Store, personID string) []*profile.Consent {
	t.Helper()
	m, err := s.ConsentsByPerson(context.Background(), []string{personID})
	if err != nil {
		t.Fatalf("ConsentsByPerson: %v", err)
	}
	return m[personID]
}

func testPutConsentIdempotent(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	first := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeService, at(1))
	var stored1, stored2 *profile.Consent
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		stored1, err = tx.PutConsent(ctx, first)
		return err
	})
	same(t, "first PutConsent", stored1, first)
	again := *first
	again.GrantedAt = at(9)
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		stored2, err = tx.PutConsent(ctx, &again)
		return err
	})
	same(t, "second PutConsent returns the stored consent", stored2, first)
	same(t, "consents", consentsOf(t, s, p.ID), []*profile.Consent{first})
}

func testConsentsOrder(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	c3 := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeService, at(3))
	c1 := consent(p.ID, profile.AppInstagram, profile.AppFacebook, profile.CategoryContact, profile.PurposeService, at(1))
	c2 := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeAds, at(2))
	qc := consent(q.ID, profile.AppThreads, profile.AppWhatsApp, profile.CategoryAge, profile.PurposeService, at(0))
	putConsents(t, s, c3, qc, c1, c2)
	got, err := s.ConsentsByPerson(context.Background(), []string{p.ID, q.ID, newID(), "bad"})
	if err != nil {
		t.Fatalf("ConsentsByPerson: %v", err)
	}
	same(t, "p's consents", got[p.ID], []*profile.Consent{c1, c2, c3})
	same(t, "q's consents", got[q.ID], []*profile.Consent{qc})
}

func testDeleteConsent(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	keep := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeAds, at(1))
	drop := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeService, at(2))
	putConsents(t, s, keep, drop)
	for _, tc := range []struct {
		name string
		key  profile.ConsentKey
		want bool
	}{
		{"existing consent", drop.Key(), true},
		{"already deleted", drop.Key(), false},
		{"never granted", profile.ConsentKey{SourceApp: profile.AppThreads, TargetApp: profile.AppFacebook, Category: profile.CategoryAge, Purpose: profile.PurposeService}, false},
	} {
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			existed, err := tx.DeleteConsent(ctx, p.ID, tc.key)
			if err != nil {
				return err
			}
			if existed != tc.want {
				t.Errorf("%s: DeleteConsent = %v, want %v", tc.name, existed, tc.want)
			}
			return nil
		})
	}
	same(t, "remaining consents", consentsOf(t, s, p.ID), []*profile.Consent{keep})
}

func testDeleteConsentsNaming(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	fromIG := consent(p.ID, profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService, at(1))
	toIG := consent(p.ID, profile.AppThreads, profile.AppInstagram, profile.CategoryContact, profile.PurposeAds, at(2))
	other := consent(p.ID, profile.AppFacebook, profile.AppWhatsApp, profile.CategoryAge, profile.PurposeService, at(3))
	qIG := consent(q.ID, profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService, at(4))
	putConsents(t, s, fromIG, toIG, other, qIG)
	var n int
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		n, err = tx.DeleteConsentsNaming(ctx, p.ID, profile.AppInstagram)
		return err
	})
	if n != 2 {
		t.Errorf("DeleteConsentsNaming = %d, want 2", n)
	}
	same(t, "p's remaining consents", consentsOf(t, s, p.ID), []*profile.Consent{other})
	same(t, "q's consents are untouched", consentsOf(t, s, q.ID), []*profile.Consent{qIG})
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		n, err = tx.DeleteConsentsNaming(ctx, p.ID, profile.AppInstagram)
		return err
	})
	if n != 0 {
		t.Errorf("second DeleteConsentsNaming = %d, want 0", n)
	}
}

func testDeletePerson(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	ctx := context.Background()
	ev := &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityUnlinked, App: ptr(profile.AppFacebook), At: at(5), Detail: "last account"}
	for _, id := range []string{p.ID, q.ID} {
		putConsents(t, s, consent(id, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeService, at(1)))
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			return tx.PutSettings(ctx, &profile.Settings{PersonID: id, SyncProfile: true, Version: 1, UpdatedAt: at(1)})
		})
	}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.AppendActivity(ctx, ev); err != nil {
			return err
		}
		return tx.DeletePerson(ctx, p.ID)
	})
	persons, err := s.PersonsByID(ctx, []string{p.ID, q.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := persons[p.ID]; ok || persons[q.ID] == nil {
		t.Errorf("persons after DeletePerson(p): %s", dump(persons))
	}
	settings, err := s.SettingsByPerson(ctx, []string{p.ID, q.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := settings[p.ID]; ok || settings[q.ID] == nil {
		t.Errorf("settings after DeletePerson(p): %s", dump(settings))
	}
	consents, err := s.ConsentsByPerson(ctx, []string{p.ID, q.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(consents[p.ID]) != 0 || len(consents[q.ID]) != 1 {
		t.Errorf("consents after DeletePerson(p): %s", dump(consents))
	}
	evs, err := s.Activity(ctx, p.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "activity survives the person", evs, []*profile.ActivityEvent{ev})
	err = s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.LockPerson(ctx, p.ID) })
	wantCode(t, err, profile.NotFound)
}

func testDeleteMissingPerson(t *testing.T, s profile.Store) {
	for _, id := range []string{newID(), "not-a-uuid"} {
		err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error { return tx.DeletePerson(ctx, id) })
		wantCode(t, err, profile.NotFound)
	}
}

func testPutSettings(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	ctx := context.Background()
	versions := []*profile.Settings{
		{PersonID: p.ID, SyncProfile: true, Version: 1, UpdatedAt: at(1),
			CrossPosting: []profile.CrossPostRule{
				{From: profile.AppInstagram, To: profile.AppFacebook},
				{From: profile.AppFacebook, To: profile.AppThreads},
				{From: profile.AppInstagram, To: profile.AppThreads},
			},
			SingleSignOn: []profile.App{profile.AppThreads, profile.AppFacebook, profile.AppInstagram}},
		{PersonID: p.ID, SyncProfile: false, Version: 2, UpdatedAt: at(2),
			CrossPosting: []profile.CrossPostRule{{From: profile.AppThreads, To: profile.AppInstagram}},
			SingleSignOn: []profile.App{profile.AppWhatsApp}},
		{PersonID: p.ID, SyncProfile: true, Version: 3, UpdatedAt: at(3)},
	}
	for _, want := range versions {
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.PutSettings(ctx, want.Clone()) })
		got, err := s.SettingsByPerson(ctx, []string{p.ID, q.ID, newID(), "bad"})
		if err != nil {
			t.Fatalf("SettingsByPerson: %v", err)
		}
		same(t, fmt.Sprintf("settings version %d", want.Version), got[p.ID], want)
		if _, ok := got[q.ID]; ok || len(got) != 1 {
			t.Errorf("SettingsByPerson returned %d settings, want only p's", len(got))
		}
	}
}

func testAppendActivitySeq(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	var last int64
	for i := range 4 {
		e := &profile.ActivityEvent{PersonID: []string{p.ID, q.ID}[i%2], Type: profile.ActivityProfileUpdated, At: at(i)}
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.AppendActivity(ctx, e) })
		if e.Seq <= last {
			t.Fatalf("event %d got Seq %d, want > %d", i, e.Seq, last)
		}
		last = e.Seq
	}
}

func testActivityPagination(t *testing.T, s profile.Store) {
	p, q := mustPerson(t, s), mustPerson(t, s)
	ctx := context.Background()
	types := []profile.ActivityType{
		profile.ActivityLinked, profile.ActivityConsentGranted, profile.ActivityConsentRevoked,
		profile.ActivitySettingsUpdated, profile.ActivityLoginHandoffCreated, profile.ActivityLoginHandoffRedeemed, profile.ActivityUnlinked,
	}
	var events []*profile.ActivityEvent // oldest first
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		for i, typ := range types {
			e := &profile.ActivityEvent{PersonID: p.ID, Type: typ, At: at(100 - i)} // At deliberately decreasing: Seq orders
			if i%2 == 0 {
				e.App, e.Detail = ptr(profile.Apps[i%len(profile.Apps)]), fmt.Sprintf("detail %d", i)
			}
			if err := tx.AppendActivity(ctx, e); err != nil {
				return err
			}
			events = append(events, e)
			if err := tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: q.ID, Type: typ, At: at(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	newest := make([]*profile.ActivityEvent, len(events))
	for i, e := range events {
		newest[len(events)-1-i] = e
	}
	all, err := s.Activity(ctx, p.ID, 0, 100)
	if err != nil {
		t.Fatalf("Activity: %v", err)
	}
	same(t, "all events newest first", all, newest)

	var pages [][]*profile.ActivityEvent
	before := int64(0)
	for range len(events) {
		page, err := s.Activity(ctx, p.ID, before, 3)
		if err != nil {
			t.Fatalf("Activity(before %d): %v", before, err)
		}
		if len(page) == 0 {
			break
		}
		pages = append(pages, page)
		before = page[len(page)-1].Seq
	}
	if len(pages) != 3 || len(pages[0]) != 3 || len(pages[1]) != 3 || len(pages[2]) != 1 {
		t.Fatalf("pages of 3 have sizes %v, want [3 3 1]", pageSizes(pages))
	}
	same(t, "page 1", pages[0], newest[0:3])
	same(t, "page 2", pages[1], newest[3:6])
	same(t, "page 3", pages[2], newest[6:])

	mid, err := s.Activity(ctx, p.ID, events[3].Seq, 2)
	if err != nil {
		t.Fatal(err)
	}
	same(t, "two events before the 4th", mid, []*profile.ActivityEvent{events[2], events[1]})
}

func pageSizes(pages [][]*profile.ActivityEvent) []int {
	var n []int
	for _, p := range pages {
		n = append(n, len(p))
	}
	return n
}

func newHandoff(t *testing.T, s profile.Store) *profile.LoginHandoff {
	t.Helper()
	p := mustPerson(t, s)
	a := mustAccount(t, s, fullAccount(profile.AppThreads, p.ID))
	h := &profile.LoginHandoff{
		CodeHash: []byte(strings.ReplaceAll(newID(), "-", "")), PersonID: p.ID, TargetApp: profile.AppThreads,
		AccountID: a.ID, CreatedAt: at(0), ExpiresAt: at(2),
	}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.InsertHandoff(ctx, h) })
	return h
}

func redeem(t *testing.T, s profile.Store, code []byte, when time.Time) *profile.LoginHandoff {
	t.Helper()
	var got *profile.LoginHandoff
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		got, err = tx.RedeemHandoff(ctx, code, when)
		return err
	})
	return got
}

func testRedeemHandoff(t *testing.T, s profile.Store) {
	h := newHandoff(t, s)
	got := redeem(t, s, h.CodeHash, at(1))
	want := *h
	want.RedeemedAt = ptr(at(1))
	same(t, "first redeem", got, &want)
	if again := redeem(t, s, h.CodeHash, at(1)); again != nil {
		t.Errorf("second redeem = %s, want nil", dump(again))
	}
	if unknown := redeem(t, s, []byte("no such code"), at(1)); unknown != nil {
		t.Errorf("redeem of an unknown code = %s, want nil", dump(unknown))
	}
}

func testDeleteHandoffs(t *testing.T, s profile.Store) {
	h := newHandoff(t, s)
	fb := mustAccount(t, s, fullAccount(profile.AppFacebook, h.PersonID))
	other := &profile.LoginHandoff{
		CodeHash: []byte(strings.ReplaceAll(newID(), "-", "")), PersonID: h.PersonID, TargetApp: profile.AppFacebook,
		AccountID: fb.ID, CreatedAt: at(0), ExpiresAt: at(2),
	}
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.InsertHandoff(ctx, other) })
	stranger := newHandoff(t, s) // another person's code to the same app
	var n int
	inTx(t, s, func(ctx context.Context, tx profile.Tx) (err error) {
		n, err = tx.DeleteHandoffs(ctx, h.PersonID, profile.AppThreads)
		return err
	})
	if n != 1 {
		t.Errorf("DeleteHandoffs removed %d, want 1", n)
	}
	if got := redeem(t, s, h.CodeHash, at(1)); got != nil {
		t.Errorf("a deleted code redeemed: %s", dump(got))
	}
	if got := redeem(t, s, other.CodeHash, at(1)); got == nil {
		t.Errorf("the code to another app was deleted")
	}
	if got := redeem(t, s, stranger.CodeHash, at(1)); got == nil {
		t.Errorf("another person's code was deleted")
	}
}

func testRedeemHandoffConcurrent(t *testing.T, s profile.Store) {
	h := newHandoff(t, s)
	const n = 10
	var (
		mu      sync.Mutex
		winners int
	)
	errs := racingTxs(s, n, func(ctx context.Context, tx profile.Tx, i int) error {
		got, err := tx.RedeemHandoff(ctx, h.CodeHash, at(1).Add(time.Duration(i)*time.Second))
		if err != nil {
			return err
		}
		if got != nil {
			mu.Lock()
			winners++
			mu.Unlock()
		}
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("RedeemHandoff errors: %v", err)
	}
	if winners != 1 {
		t.Fatalf("%d of %d concurrent redeemers got the handoff, want exactly 1", winners, n)
	}
}

// racingTxs runs fn in n transactions of s at once (released together), and returns
// each one's error, by i.
func racingTxs(s profile.Store, n int, fn func(ctx context.Context, tx profile.Tx, i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error { return fn(ctx, tx, i) })
		})
	}
	close(start)
	wg.Wait()
	return errs
}

func testLinkRace(t *testing.T, s profile.Store) {
	const n = 20
	acc := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	persons := make([]*profile.Person, n)
	for i := range persons {
		persons[i] = mustPerson(t, s)
	}
	errs := racingTxs(s, n, func(ctx context.Context, tx profile.Tx, i int) error {
		p := persons[i]
		if err := tx.LockPerson(ctx, p.ID); err != nil {
			return err
		}
		locked, err := tx.LockAccounts(ctx, []string{acc.ID})
		if err != nil {
			return err
		}
		a := locked[acc.ID]
		if a == nil {
			return profile.Errorf(profile.NotFound, "account vanished")
		}
		if a.PersonID != "" {
			return profile.Errorf(profile.AlreadyLinked, "account is linked to another person")
		}
		// Widen the window between check and write: without the row lock,
		// several racers would pass the check.
		time.Sleep(5 * time.Millisecond)
		a.PersonID, a.LinkedAt = p.ID, ptr(at(10))
		return tx.UpdateAccount(ctx, a)
	})
	var (
		winners  []string
		failures []error
	)
	for i, err := range errs {
		if err == nil {
			winners = append(winners, persons[i].ID)
		} else {
			failures = append(failures, err)
		}
	}
	if len(winners) != 1 {
		t.Fatalf("%d of %d racing links succeeded, want exactly 1", len(winners), n)
	}
	for _, err := range failures {
		if profile.ErrorCode(err) != profile.AlreadyLinked {
			t.Errorf("losing link failed with %v, want ALREADY_LINKED", err)
		}
	}
	got, err := s.AccountsByID(context.Background(), []string{acc.ID})
	if err != nil {
		t.Fatal(err)
	}
	if a := got[acc.ID]; a == nil || a.PersonID != winners[0] {
		t.Fatalf("account after the race = %s, want linked to the winner %s", dump(a), winners[0])
	}
}

// privacyOf reads one person's privacy state through r; nil when absent.
func privacyOf(t *testing.T, r profile.Reader, personID string) *profile.PrivacyState {
	t.Helper()
	m, err := r.PrivacyByPerson(context.Background(), []string{personID})
	if err != nil {
		t.Fatalf("PrivacyByPerson: %v", err)
	}
	return m[personID]
}

// linksOf returns the links an account list implies, for comparisons.
func linksOf(accs ...*profile.Account) []profile.AccountLink {
	out := make([]profile.AccountLink, len(accs))
	for i, a := range accs {
		out[i] = profile.AccountLink{AccountID: a.ID, App: a.App, LinkedAt: a.LinkedAt.UTC()}
		if a.Birthdate != nil {
			out[i].Birthdate = *a.Birthdate
		}
	}
	return out
}

func testPrivacyByPerson(t *testing.T, s profile.Store) {
	p, q, empty := mustPerson(t, s), mustPerson(t, s), mustPerson(t, s)
	// Accounts inserted in reverse of Apps order, to catch insertion-ordered results.
	var accs []*profile.Account
	for i := len(profile.Apps) - 1; i >= 0; i-- {
		a := fullAccount(profile.Apps[i], p.ID)
		a.LinkedAt = ptr(at(10 + i))
		accs = append([]*profile.Account{mustAccount(t, s, a)}, accs...)
	}
	qa := mustAccount(t, s, fullAccount(profile.AppThreads, q.ID))
	mustAccount(t, s, fullAccount(profile.AppFacebook, "")) // unlinked: nobody's link
	c2 := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeAds, at(2))
	c1 := consent(p.ID, profile.AppInstagram, profile.AppFacebook, profile.CategoryContact, profile.PurposeService, at(1))
	c3 := consent(p.ID, profile.AppFacebook, profile.AppInstagram, profile.CategoryProfile, profile.PurposeService, at(3))
	putConsents(t, s, c2, c3, c1)

	got, err := s.PrivacyByPerson(context.Background(), []string{p.ID, q.ID, empty.ID, newID(), "bad", p.ID})
	if err != nil {
		t.Fatalf("PrivacyByPerson: %v", err)
	}
	if len(got) != 2 {
		t.Fatalf("PrivacyByPerson returned %d persons, want 2 (p and q): %s", len(got), dump(got))
	}
	if got[p.ID] == nil || got[q.ID] == nil {
		t.Fatalf("p or q is absent: %s", dump(got))
	}
	same(t, "p's links", got[p.ID].Links, linksOf(accs...))
	same(t, "p's consents", got[p.ID].Consents, []*profile.Consent{c1, c2, c3})
	same(t, "q's links", got[q.ID].Links, linksOf(qa))
	if len(got[q.ID].Consents) != 0 {
		t.Errorf("q has %d consents, want none", len(got[q.ID].Consents))
	}
	if _, ok := got[empty.ID]; ok {
		t.Errorf("a person without links or consents is present: %s", dump(got[empty.ID]))
	}
	if l := got[p.ID].Link(accs[2].ID); l == nil || l.App != accs[2].App {
		t.Errorf("Link(%s) = %v, want the %s link", accs[2].ID, l, accs[2].App)
	}
	if l := got[p.ID].Link(qa.ID); l != nil {
		t.Errorf("Link of another person's account = %v, want nil", l)
	}
	same(t, "p's linked apps", got[p.ID].LinkedApps(), profile.Apps)
}

func testPrivacyFollowsWrites(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	fb := mustAccount(t, s, fullAccount(profile.AppFacebook, p.ID))
	ig := mustAccount(t, s, fullAccount(profile.AppInstagram, p.ID))
	grant := consent(p.ID, profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService, at(1))
	putConsents(t, s, grant)
	same(t, "before", privacyOf(t, s, p.ID), &profile.PrivacyState{Links: linksOf(fb, ig), Consents: []*profile.Consent{grant}})

	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		_, err := tx.DeleteConsent(ctx, p.ID, grant.Key())
		return err
	})
	same(t, "after the revocation", privacyOf(t, s, p.ID), &profile.PrivacyState{Links: linksOf(fb, ig)})

	// The birthdates of the links are the accounts' current ones (the reconciled age
	// protects minors from the next read on), and none is a zero date.
	younger, none := ig.Clone(), fb.Clone()
	younger.Birthdate = &profile.Date{Year: 2012, Month: time.February, Day: 29}
	none.Birthdate = nil
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		return errors.Join(tx.UpdateAccount(ctx, younger), tx.UpdateAccount(ctx, none))
	})
	fb, ig = none, younger
	same(t, "after a birthdate changed and one was removed", privacyOf(t, s, p.ID), &profile.PrivacyState{Links: linksOf(fb, ig)})
	if got := privacyOf(t, s, p.ID).Birthdates(); len(got) != 1 || got[0] != *younger.Birthdate {
		t.Errorf("Birthdates() = %v, want only %v", got, *younger.Birthdate)
	}

	unlinked := ig.Clone()
	unlinked.PersonID, unlinked.LinkedAt = "", nil
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.UpdateAccount(ctx, unlinked) })
	same(t, "after the unlink", privacyOf(t, s, p.ID), &profile.PrivacyState{Links: linksOf(fb)})
}

func testPrivacyInTx(t *testing.T, s profile.Store) {
	p := &profile.Person{ID: newID(), CreatedAt: at(0)}
	a := fullAccount(profile.AppWhatsApp, p.ID)
	c := consent(p.ID, profile.AppWhatsApp, profile.AppThreads, profile.CategoryAge, profile.PurposeService, at(1))
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, a)); err != nil {
			return err
		}
		if _, err := tx.PutConsent(ctx, c); err != nil {
			return err
		}
		same(t, "inside the transaction", privacyOf(t, tx, p.ID), &profile.PrivacyState{Links: linksOf(a), Consents: []*profile.Consent{c}})
		if st := privacyOf(t, s, p.ID); st != nil {
			t.Errorf("the store sees uncommitted state: %s", dump(st))
		}
		return nil
	})
}
