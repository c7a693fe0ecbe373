package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// The contract of devices and cross-posts (SPEC §6):
//   - ReplaceDevices replaces the whole list; DevicesByAccount returns it ordered by
//     device id, with nil pointers nil; an account without devices is absent.
//   - A duplicate device id in one list is CONFLICT and writes nothing; a missing
//     account is NOT_FOUND.
//   - InsertCrossPost is idempotent on (AccountID, To, ContentID): the first call
//     creates, every later or concurrent one returns the stored cross-post.
//   - CrossPosts answers many keyset pages in one call, newest first.

func device(id string, platform profile.DevicePlatform, minutes int) *profile.Device {
	return &profile.Device{ID: id, Platform: platform, LastActiveAt: at(minutes)}
}

func devicesOf(t *testing.T, r profile.Reader, accountID string) []*profile.Device {
	t.Helper()
	m, err := r.DevicesByAccount(context.Background(), []string{accountID})
	if err != nil {
		t.Fatalf("DevicesByAccount: %v", err)
	}
	return m[accountID]
}

func replaceDevices(t *testing.T, s profile.Store, accountID string, ds ...*profile.Device) {
	t.Helper()
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error { return tx.ReplaceDevices(ctx, accountID, ds) })
}

func testDevicesReplace(t *testing.T, s profile.Store) {
	p := mustPerson(t, s)
	a := mustAccount(t, s, fullAccount(profile.AppWhatsApp, p.ID))
	other := mustAccount(t, s, fullAccount(profile.AppFacebook, ""))
	conn := profile.ConnectionWiFi
	full := &profile.Device{ID: "phone-2", Platform: profile.PlatformAndroid, Model: ptr("Pixel 8"), AppVersion: ptr("2.24.1"),
		Connection: &conn, LastActiveAt: at(5)}
	replaceDevices(t, s, a.ID, full, device("laptop-1", profile.PlatformDesktop, 6))
	replaceDevices(t, s, other.ID, device("web", profile.PlatformWeb, 1))

	t.Run("the list round-trips ordered by id, nil stays nil", func(t *testing.T) {
		same(t, "devices", devicesOf(t, s, a.ID), []*profile.Device{device("laptop-1", profile.PlatformDesktop, 6), full})
	})
	t.Run("a new list replaces the old one", func(t *testing.T) {
		replaceDevices(t, s, a.ID, device("tablet", profile.PlatformIOS, 7))
		same(t, "devices", devicesOf(t, s, a.ID), []*profile.Device{device("tablet", profile.PlatformIOS, 7)})
		same(t, "other account's devices", devicesOf(t, s, other.ID), []*profile.Device{device("web", profile.PlatformWeb, 1)})
	})
	t.Run("an empty list removes every device", func(t *testing.T) {
		replaceDevices(t, s, a.ID)
		m, err := s.DevicesByAccount(context.Background(), []string{a.ID, other.ID, "not-a-uuid", newID()})
		if err != nil {
			t.Fatalf("DevicesByAccount: %v", err)
		}
		if _, ok := m[a.ID]; ok || len(m) != 1 || len(m[other.ID]) != 1 {
			t.Fatalf("got %s, want only the other account's device", dump(m))
		}
	})
	t.Run("a missing account is NOT_FOUND", func(t *testing.T) {
		for _, id := range []string{newID(), "not-a-uuid"} {
			err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
				return tx.ReplaceDevices(ctx, id, []*profile.Device{device("x", profile.PlatformIOS, 1)})
			})
			wantCode(t, err, profile.NotFound)
			err = s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error { return tx.ReplaceDevices(ctx, id, nil) })
			wantCode(t, err, profile.NotFound)
		}
	})
}

func testDevicesDuplicateKeepsTx(t *testing.T, s profile.Store) {
	a := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	replaceDevices(t, s, a.ID, device("one", profile.PlatformIOS, 1))
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		err := tx.ReplaceDevices(ctx, a.ID, []*profile.Device{device("dup", profile.PlatformIOS, 2), device("dup", profile.PlatformWeb, 3)})
		if profile.ErrorCode(err) != profile.Conflict {
			return fmt.Errorf("duplicate device ids: error %v, want CONFLICT", err)
		}
		// The failed write changed nothing, and the transaction goes on.
		got, err := tx.DevicesByAccount(ctx, []string{a.ID})
		if err != nil {
			return err
		}
		if dump(got[a.ID]) != dump([]*profile.Device{device("one", profile.PlatformIOS, 1)}) {
			return fmt.Errorf("after a failed replace the tx sees %s", dump(got[a.ID]))
		}
		return tx.ReplaceDevices(ctx, a.ID, []*profile.Device{device("two", profile.PlatformWeb, 4)})
	})
	same(t, "devices", devicesOf(t, s, a.ID), []*profile.Device{device("two", profile.PlatformWeb, 4)})
}

func testDevicesRollback(t *testing.T, s profile.Store) {
	a := mustAccount(t, s, fullAccount(profile.AppInstagram, ""))
	replaceDevices(t, s, a.ID, device("kept", profile.PlatformIOS, 1))
	boom := errors.New("boom")
	err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
		if err := tx.ReplaceDevices(ctx, a.ID, []*profile.Device{device("lost", profile.PlatformWeb, 2)}); err != nil {
			return err
		}
		got, err := tx.DevicesByAccount(ctx, []string{a.ID})
		if err != nil {
			return err
		}
		if len(got[a.ID]) != 1 || got[a.ID][0].ID != "lost" {
			return fmt.Errorf("the tx does not see its own write: %s", dump(got))
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx error = %v, want fn's", err)
	}
	same(t, "devices after rollback", devicesOf(t, s, a.ID), []*profile.Device{device("kept", profile.PlatformIOS, 1)})
}

// crossPostFixture is a linked WHATSAPP account and the person's FACEBOOK account.
func crossPostFixture(t *testing.T, s profile.Store) (src, dst *profile.Account) {
	p := mustPerson(t, s)
	return mustAccount(t, s, fullAccount(profile.AppWhatsApp, p.ID)), mustAccount(t, s, fullAccount(profile.AppFacebook, p.ID))
}

func newCrossPost(src, dst *profile.Account, contentID string, minutes int) *profile.CrossPost {
	return &profile.CrossPost{ID: newID(), AccountID: src.ID, From: src.App, To: dst.App, TargetAccountID: dst.ID,
		ContentID: contentID, At: at(minutes)}
}

func insertCrossPost(t *testing.T, s profile.Store, c *profile.CrossPost) (*profile.CrossPost, bool) {
	t.Helper()
	var got *profile.CrossPost
	var created bool
	inTx(t, s, func(ctx context.Context, tx profile.Tx) error {
		var err error
		got, created, err = tx.InsertCrossPost(ctx, c)
		return err
	})
	return got, created
}

func crossPostPage(t *testing.T, r profile.Reader, p profile.CrossPostPage) []*profile.CrossPost {
	t.Helper()
	m, err := r.CrossPosts(context.Background(), []profile.CrossPostPage{p})
	if err != nil {
		t.Fatalf("CrossPosts: %v", err)
	}
	return m[p]
}

func contentIDs(cs []*profile.CrossPost) []string {
	out := []string{}
	for _, c := range cs {
		out = append(out, c.ContentID)
	}
	return out
}

func testCrossPostIdempotent(t *testing.T, s profile.Store) {
	src, dst := crossPostFixture(t, s)
	first := newCrossPost(src, dst, "status-1", 1)
	first.DevicePlatform = ptr(profile.PlatformAndroid)
	got, created := insertCrossPost(t, s, first)
	if !created || got.ID != first.ID || got.Seq <= 0 || got.Seq != first.Seq {
		t.Fatalf("first insert: created=%v got %s, want created with the given id and a Seq", created, dump(got))
	}
	want := *first
	same(t, "stored cross-post", got, &want)

	again := newCrossPost(src, dst, "status-1", 9)
	got2, created2 := insertCrossPost(t, s, again)
	if created2 {
		t.Fatal("the same (account, to, contentId) was recorded twice")
	}
	same(t, "second insert returns the first", got2, &want)
	if page := crossPostPage(t, s, profile.CrossPostPage{AccountID: src.ID, Limit: 10}); len(page) != 1 {
		t.Fatalf("got %d cross-posts, want 1", len(page))
	}

	t.Run("another content or target is a new cross-post", func(t *testing.T) {
		if _, created := insertCrossPost(t, s, newCrossPost(src, dst, "status-2", 2)); !created {
			t.Fatal("another contentId was not recorded")
		}
		ig := mustAccount(t, s, fullAccount(profile.AppInstagram, src.PersonID))
		if _, created := insertCrossPost(t, s, newCrossPost(src, ig, "status-1", 3)); !created {
			t.Fatal("another target app was not recorded")
		}
	})
	t.Run("a missing account is NOT_FOUND", func(t *testing.T) {
		c := newCrossPost(src, dst, "x", 1)
		c.TargetAccountID = newID()
		err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
			_, _, err := tx.InsertCrossPost(ctx, c)
			return err
		})
		wantCode(t, err, profile.NotFound)
	})
}

func testCrossPostConcurrent(t *testing.T, s profile.Store) {
	src, dst := crossPostFixture(t, s)
	const n = 20
	var (
		mu      sync.Mutex
		created int
		ids     = map[string]bool{}
	)
	errs := racingTxs(s, n, func(ctx context.Context, tx profile.Tx, i int) error {
		got, c, err := tx.InsertCrossPost(ctx, newCrossPost(src, dst, "same-content", i))
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		if c {
			created++
		}
		ids[got.ID] = true
		return nil
	})
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("InsertCrossPost errors: %v", err)
	}
	if created != 1 || len(ids) != 1 {
		t.Fatalf("%d of %d concurrent calls created a cross-post, %d distinct ids returned; want 1 and 1", created, n, len(ids))
	}
	if page := crossPostPage(t, s, profile.CrossPostPage{AccountID: src.ID, Limit: 100}); len(page) != 1 {
		t.Fatalf("stored %d cross-posts, want 1", len(page))
	}
}

func testCrossPostPages(t *testing.T, s profile.Store) {
	src, dst := crossPostFixture(t, s)
	other, otherDst := crossPostFixture(t, s)
	for i := range 5 {
		insertCrossPost(t, s, newCrossPost(src, dst, fmt.Sprintf("c%d", i), i))
	}
	insertCrossPost(t, s, newCrossPost(other, otherDst, "o0", 0))

	newest := crossPostPage(t, s, profile.CrossPostPage{AccountID: src.ID, Limit: 2})
	same(t, "first page", contentIDs(newest), []string{"c4", "c3"})
	pages := []profile.CrossPostPage{
		{AccountID: src.ID, BeforeSeq: newest[1].Seq, Limit: 2},
		{AccountID: src.ID, Limit: 10},
		{AccountID: other.ID, Limit: 10},
		{AccountID: newID(), Limit: 10},
		{AccountID: "not-a-uuid", Limit: 10},
		{AccountID: src.ID, Limit: 0},
	}
	m, err := s.CrossPosts(context.Background(), pages)
	if err != nil {
		t.Fatalf("CrossPosts: %v", err)
	}
	same(t, "second page", contentIDs(m[pages[0]]), []string{"c2", "c1"})
	same(t, "all", contentIDs(m[pages[1]]), []string{"c4", "c3", "c2", "c1", "c0"})
	same(t, "other account", contentIDs(m[pages[2]]), []string{"o0"})
	for _, p := range pages[3:] {
		if len(m[p]) != 0 {
			t.Errorf("page %+v: got %s, want none", p, dump(m[p]))
		}
	}
	last := crossPostPage(t, s, profile.CrossPostPage{AccountID: src.ID, BeforeSeq: m[pages[1]][4].Seq, Limit: 10})
	if len(last) != 0 {
		t.Fatalf("page after the oldest: got %s, want none", dump(last))
	}
	if got := m[pages[1]][0]; got.From != src.App || got.To != dst.App || got.TargetAccountID != dst.ID || got.DevicePlatform != nil {
		t.Fatalf("cross-post fields: %s", dump(got))
	}
}
