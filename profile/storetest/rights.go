package storetest

import (
	"context"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// The contract of the person's rights (SPEC §6 "Deletion by the app", "Erasure"):
//   - DeleteAccount deletes an unlinked account with its devices, the cross-posts it made
//     or received and the handoffs naming it; a linked one is CONFLICT, a missing one
//     NOT_FOUND; either writes nothing.
//   - ErasePerson unlinks every account (they stay), deletes the cross-posts between
//     them, the consents, settings, handoffs, activity log and the person, and stores
//     an erasure record with the time only (ErasureReader); it returns the accounts it
//     unlinked. A missing person is NOT_FOUND. Other persons are untouched.

func testDeleteAccount(t *testing.T, s profile.Store) {
	ctx := context.Background()
	src, dst := crossPostFixture(t, s)
	insertCrossPost(t, s, newCrossPost(src, dst, "c-1", 1))
	replaceDevices(t, s, src.ID, device("phone", profile.PlatformIOS, 1))
	lone := mustAccount(t, s, fullAccount(profile.AppThreads, ""))
	replaceDevices(t, s, lone.ID, device("web", profile.PlatformWeb, 1))

	t.Run("a linked account is CONFLICT", func(t *testing.T) {
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.DeleteAccount(ctx, src) })
		wantCode(t, err, profile.Conflict)
	})
	t.Run("a missing or malformed account is NOT_FOUND", func(t *testing.T) {
		for _, id := range []string{newID(), "not-a-uuid"} {
			err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
				return tx.DeleteAccount(ctx, &profile.Account{ID: id, App: profile.AppThreads})
			})
			wantCode(t, err, profile.NotFound)
		}
	})
	t.Run("an unlinked account goes with its devices and cross-posts", func(t *testing.T) {
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.DeleteAccount(ctx, lone) })
		if m, _ := s.AccountsByID(ctx, []string{lone.ID}); m[lone.ID] != nil {
			t.Fatal("the account is still there")
		}
		if m, _ := s.AccountsByKey(ctx, []profile.AccountKey{lone.Key()}); m[lone.Key()] != nil {
			t.Fatal("the account is still found by key")
		}
		if ds := devicesOf(t, s, lone.ID); len(ds) != 0 {
			t.Fatalf("its devices are still there: %s", dump(ds))
		}
		// Unlinked first, the source of a cross-post takes the cross-post with it, and so
		// does the target of one.
		inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			d := *dst
			d.PersonID, d.LinkedAt = "", nil
			if err := tx.UpdateAccount(ctx, &d); err != nil {
				return err
			}
			return tx.DeleteAccount(ctx, &d)
		})
		if page := crossPostPage(t, s, profile.CrossPostPage{AccountID: src.ID, Limit: 10}); len(page) != 0 {
			t.Fatalf("the cross-post to the deleted account is still there: %s", dump(page))
		}
		if ds := devicesOf(t, s, src.ID); len(ds) != 1 {
			t.Fatalf("another account's devices went too: %s", dump(ds))
		}
	})
	t.Run("a rolled back delete leaves the account", func(t *testing.T) {
		other := mustAccount(t, s, fullAccount(profile.AppMessenger, ""))
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			if err := tx.DeleteAccount(ctx, other); err != nil {
				return err
			}
			return profile.Errorf(profile.Conflict, "rollback")
		})
		wantCode(t, err, profile.Conflict)
		if m, _ := s.AccountsByID(ctx, []string{other.ID}); m[other.ID] == nil {
			t.Fatal("a rolled back delete took the account")
		}
	})
}

func testErasePerson(t *testing.T, s profile.Store) {
	ctx := context.Background()
	er, ok := s.(profile.ErasureReader)
	if !ok {
		t.Fatalf("%T does not implement profile.ErasureReader", s)
	}
	before, err := er.Erasures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h := newHandoff(t, s) // a person with a THREADS account and a pending handoff
	pid := h.PersonID
	fb := mustAccount(t, s, fullAccount(profile.AppFacebook, pid))
	ths, _ := s.AccountsByPerson(ctx, []string{pid})
	th := ths[pid][len(ths[pid])-1]
	insertCrossPost(t, s, newCrossPost(fb, th, "c-1", 1))
	replaceDevices(t, s, fb.ID, device("phone", profile.PlatformIOS, 1))
	putConsents(t, s, consent(pid, profile.AppFacebook, profile.AppThreads, profile.CategoryProfile, profile.PurposeService, at(1)))
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.PutSettings(ctx, &profile.Settings{PersonID: pid, CrossPosting: []profile.CrossPostRule{{From: profile.AppFacebook, To: profile.AppThreads}}, SingleSignOn: []profile.App{profile.AppThreads}, Version: 1, UpdatedAt: at(1)}); err != nil {
			return err
		}
		return tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: pid, Type: profile.ActivityLinked, At: at(1)})
	})
	// Another person, untouched.
	other := mustPerson(t, s)
	otherAcc := mustAccount(t, s, fullAccount(profile.AppFacebook, other.ID))
	putConsents(t, s, consent(other.ID, profile.AppFacebook, profile.AppThreads, profile.CategoryProfile, profile.PurposeService, at(1)))

	t.Run("a missing or malformed person is NOT_FOUND", func(t *testing.T) {
		for _, id := range []string{newID(), "not-a-uuid"} {
			err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { _, err := tx.ErasePerson(ctx, id, at(5)); return err })
			wantCode(t, err, profile.NotFound)
		}
	})

	var unlinked []*profile.Account
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		var err error
		unlinked, err = tx.ErasePerson(ctx, pid, at(5))
		return err
	})
	if len(unlinked) != 2 {
		t.Fatalf("ErasePerson unlinked %d accounts, want 2: %s", len(unlinked), dump(unlinked))
	}
	t.Run("the accounts stay, linked to no one, with their devices", func(t *testing.T) {
		m, _ := s.AccountsByID(ctx, []string{fb.ID, th.ID})
		for _, id := range []string{fb.ID, th.ID} {
			if a := m[id]; a == nil || a.PersonID != "" || a.LinkedAt != nil {
				t.Fatalf("account %s after the erasure: %s", id, dump(a))
			}
		}
		if ds := devicesOf(t, s, fb.ID); len(ds) != 1 {
			t.Fatalf("devices after the erasure: %s", dump(ds))
		}
	})
	t.Run("nothing else of the person remains", func(t *testing.T) {
		if m, _ := s.PersonsByID(ctx, []string{pid}); m[pid] != nil {
			t.Error("the person is still there")
		}
		if m, _ := s.AccountsByPerson(ctx, []string{pid}); len(m[pid]) != 0 {
			t.Error("accounts are still linked")
		}
		if m, _ := s.SettingsByPerson(ctx, []string{pid}); m[pid] != nil {
			t.Error("settings remain")
		}
		if cs := consentsOf(t, s, pid); len(cs) != 0 {
			t.Errorf("consents remain: %s", dump(cs))
		}
		if ev, _ := s.Activity(ctx, pid, 0, 10); len(ev) != 0 {
			t.Errorf("activity remains: %s", dump(ev))
		}
		if st := privacyOf(t, s, pid); st != nil && (len(st.Links) > 0 || len(st.Consents) > 0) {
			t.Errorf("privacy state remains: %s", dump(st))
		}
		if page := crossPostPage(t, s, profile.CrossPostPage{AccountID: fb.ID, Limit: 10}); len(page) != 0 {
			t.Errorf("cross-posts remain: %s", dump(page))
		}
		if got := redeem(t, s, h.CodeHash, at(1)); got != nil {
			t.Errorf("the handoff is still redeemable: %s", dump(got))
		}
	})
	t.Run("an erasure record with its time only", func(t *testing.T) {
		after, err := er.Erasures(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(after) != len(before)+1 {
			t.Fatalf("%d erasure records, want %d", len(after), len(before)+1)
		}
		last := after[len(after)-1]
		if !last.At.Equal(at(5)) || last.At.Location() != at(5).Location() || last.Seq <= 0 {
			t.Fatalf("erasure record %+v, want At %v", last, at(5))
		}
	})
	t.Run("another person is untouched", func(t *testing.T) {
		if m, _ := s.AccountsByPerson(ctx, []string{other.ID}); len(m[other.ID]) != 1 || m[other.ID][0].ID != otherAcc.ID {
			t.Error("the other person's link changed")
		}
		if cs := consentsOf(t, s, other.ID); len(cs) != 1 {
			t.Errorf("the other person's consents: %s", dump(cs))
		}
	})
}
