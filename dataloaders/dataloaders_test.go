package dataloaders_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// counting counts the calls of each read of a store.
type counting struct {
	profile.Store
	privacy, accountsByID, accountsByKey atomic.Int64
}

func (c *counting) PrivacyByPerson(ctx context.Context, ids []string) (map[string]*profile.PrivacyState, error) {
	c.privacy.Add(1)
	return c.Store.PrivacyByPerson(ctx, ids)
}

func (c *counting) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	c.accountsByID.Add(1)
	return c.Store.AccountsByID(ctx, ids)
}

func (c *counting) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	c.accountsByKey.Add(1)
	return c.Store.AccountsByKey(ctx, keys)
}

// world is a memory store (the truth, read fresh) and a cache over it whose content
// goes stale when the test writes to the store directly.
type world struct {
	store  *memory.Store
	cached *cache.Store
	now    time.Time
}

func newWorld(t *testing.T) *world {
	t.Helper()
	st := memory.New()
	cs, err := cache.New(st, cache.Config{MaxCost: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	return &world{store: st, cached: cs, now: time.Now().UTC().Truncate(time.Microsecond)}
}

func (w *world) write(t *testing.T, fn func(ctx context.Context, tx profile.Tx) error) {
	t.Helper()
	if err := w.store.InTx(context.Background(), fn); err != nil {
		t.Fatalf("InTx: %v", err)
	}
}

// person stores a person with accounts in apps (linked) and returns them.
func (w *world) person(t *testing.T, apps ...profile.App) (string, []*profile.Account) {
	t.Helper()
	pid := uuid.NewString()
	var accs []*profile.Account
	w.write(t, func(ctx context.Context, tx profile.Tx) error {
		if err := tx.InsertPerson(ctx, &profile.Person{ID: pid, CreatedAt: w.now}); err != nil {
			return err
		}
		for _, app := range apps {
			name := "Name in " + string(app)
			a := &profile.Account{ID: uuid.NewString(), App: app, AppUserID: uuid.NewString()[:8], PersonID: pid, LinkedAt: &w.now,
				Username: "u", DisplayName: &name, CreatedAt: w.now, UpdatedAt: w.now}
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
			accs = append(accs, a)
		}
		return nil
	})
	return pid, accs
}

// warm reads accounts through the cache so that it holds them as they are now.
func (w *world) warm(t *testing.T, accs ...*profile.Account) {
	t.Helper()
	ids := make([]string, len(accs))
	for i, a := range accs {
		ids[i] = a.ID
	}
	if _, err := w.cached.AccountsByID(context.Background(), ids); err != nil {
		t.Fatal(err)
	}
	w.cached.Wait()
}

func (w *world) loaders() *dataloaders.Loaders {
	return dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: w.store}, time.Millisecond)
}

func apps(accs []*profile.Account) []profile.App {
	out := make([]profile.App, len(accs))
	for i, a := range accs {
		out[i] = a.App
	}
	return out
}

func TestAccountsOfTakesLinksFreshAndContentFromTheCache(t *testing.T) {
	ctx := context.Background()
	t.Run("an account unlinked behind the cache's back is not among the person's accounts", func(t *testing.T) {
		w := newWorld(t)
		pid, accs := w.person(t, profile.AppFacebook, profile.AppInstagram)
		w.warm(t, accs...)
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			u := accs[1].Clone()
			u.PersonID, u.LinkedAt = "", nil
			return tx.UpdateAccount(ctx, u)
		})
		l := w.loaders()
		got, err := l.AccountsOf(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].App != profile.AppFacebook || got[0].PersonID != pid {
			t.Fatalf("AccountsOf = %v, want only the FACEBOOK account of %s", apps(got), pid)
		}
		// The content path alone still holds the stale link: decisions must check it.
		stale, err := l.Account(ctx, accs[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		if stale.PersonID != pid {
			t.Fatalf("the cache was not stale (PersonID %q): the test proves nothing", stale.PersonID)
		}
		st, err := l.Privacy(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if st.Link(accs[1].ID) != nil {
			t.Errorf("the fresh privacy state still links the unlinked account")
		}
	})
	t.Run("an account linked behind the cache's back carries the fresh link", func(t *testing.T) {
		w := newWorld(t)
		pid, accs := w.person(t, profile.AppFacebook)
		loose := &profile.Account{ID: uuid.NewString(), App: profile.AppThreads, AppUserID: "loose", Username: "l", CreatedAt: w.now, UpdatedAt: w.now}
		w.write(t, func(ctx context.Context, tx profile.Tx) error { return tx.InsertAccount(ctx, loose) })
		w.warm(t, loose)
		linkedAt := w.now.Add(time.Minute)
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			u := loose.Clone()
			u.PersonID, u.LinkedAt = pid, &linkedAt
			return tx.UpdateAccount(ctx, u)
		})
		got, err := w.loaders().AccountsOf(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[1].ID != loose.ID || got[1].PersonID != pid || got[1].LinkedAt == nil || !got[1].LinkedAt.Equal(linkedAt) {
			t.Fatalf("AccountsOf = %+v, want %s then the THREADS account linked at %v", got, accs[0].App, linkedAt)
		}
	})
	t.Run("a revoked consent is gone from Subject at once", func(t *testing.T) {
		w := newWorld(t)
		pid, _ := w.person(t, profile.AppFacebook, profile.AppInstagram)
		c := &profile.Consent{PersonID: pid, SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook,
			Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: w.now}
		w.write(t, func(ctx context.Context, tx profile.Tx) error { _, err := tx.PutConsent(ctx, c); return err })
		if _, cs, err := w.loaders().Subject(ctx, pid); err != nil || len(cs) != 1 {
			t.Fatalf("Subject consents = %v, %v; want the grant", cs, err)
		}
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			_, err := tx.DeleteConsent(ctx, pid, c.Key())
			return err
		})
		accs, cs, err := w.loaders().Subject(ctx, pid)
		if err != nil || len(cs) != 0 || len(accs) != 2 {
			t.Fatalf("Subject after the revocation = %v, %v, %v; want 2 accounts and no consent", apps(accs), cs, err)
		}
	})
}

func TestSettingsOfDropsEntriesNamingUnlinkedApps(t *testing.T) {
	w := newWorld(t)
	pid, accs := w.person(t, profile.AppFacebook, profile.AppInstagram, profile.AppThreads)
	st := &profile.Settings{PersonID: pid, Version: 3, UpdatedAt: w.now,
		CrossPosting: []profile.CrossPostRule{{From: profile.AppFacebook, To: profile.AppInstagram}, {From: profile.AppFacebook, To: profile.AppThreads}},
		SingleSignOn: []profile.App{profile.AppThreads, profile.AppInstagram}}
	w.write(t, func(ctx context.Context, tx profile.Tx) error { return tx.PutSettings(ctx, st) })
	if _, err := w.cached.SettingsByPerson(context.Background(), []string{pid}); err != nil {
		t.Fatal(err)
	}
	w.cached.Wait()
	// Unlink THREADS behind the cache's back, leaving the cached settings as they were.
	w.write(t, func(ctx context.Context, tx profile.Tx) error {
		u := accs[2].Clone()
		u.PersonID, u.LinkedAt = "", nil
		return tx.UpdateAccount(ctx, u)
	})
	got, err := w.loaders().SettingsOf(context.Background(), pid)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.CrossPosting) != 1 || got.CrossPosting[0].To != profile.AppInstagram {
		t.Errorf("cross-posting = %v, want only FACEBOOK→INSTAGRAM", got.CrossPosting)
	}
	if len(got.SingleSignOn) != 1 || got.SingleSignOn[0] != profile.AppInstagram {
		t.Errorf("single sign-on = %v, want only INSTAGRAM", got.SingleSignOn)
	}
	if got.Version != 3 {
		t.Errorf("version = %d, want 3", got.Version)
	}
}

func TestViewerAccountIsReadFresh(t *testing.T) {
	w := newWorld(t)
	pid, accs := w.person(t, profile.AppFacebook)
	if _, err := w.cached.AccountsByKey(context.Background(), []profile.AccountKey{accs[0].Key()}); err != nil {
		t.Fatal(err)
	}
	w.cached.Wait()
	w.write(t, func(ctx context.Context, tx profile.Tx) error {
		u := accs[0].Clone()
		u.PersonID, u.LinkedAt = "", nil
		if err := tx.UpdateAccount(ctx, u); err != nil {
			return err
		}
		return tx.DeletePerson(ctx, pid)
	})
	l := w.loaders()
	viewer, err := l.ViewerAccount(context.Background(), accs[0].Key())
	if err != nil {
		t.Fatal(err)
	}
	if viewer == nil || viewer.PersonID != "" {
		t.Fatalf("viewer account = %+v, want it unlinked (as the store has it)", viewer)
	}
	if cached, _ := l.AccountByKey(context.Background(), accs[0].Key()); cached == nil || cached.PersonID != pid {
		t.Fatalf("the cached account is %+v, not stale: the test proves nothing", cached)
	}
}

func TestSubjectsOfALevelCostOneBatchEach(t *testing.T) {
	for _, tc := range []struct {
		name     string
		prefetch bool
	}{
		{"fields loading concurrently", false},
		{"after PrefetchSubjects", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			var ids []string
			for range 50 {
				pid, _ := w.person(t, profile.AppFacebook, profile.AppWhatsApp)
				ids = append(ids, pid)
			}
			fresh := &counting{Store: w.store}
			content := &counting{Store: w.store}
			l := dataloaders.New(dataloaders.Readers{Content: content, Fresh: fresh}, 20*time.Millisecond)
			ctx := context.Background()
			if tc.prefetch {
				if err := l.PrefetchSubjects(ctx, ids); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			errs := make([]error, len(ids))
			for i, id := range ids {
				wg.Go(func() {
					accs, cs, err := l.Subject(ctx, id)
					if err == nil && (len(accs) != 2 || cs != nil) {
						err = errors.New("wrong subject")
					}
					if _, err2 := l.Privacy(ctx, id); err == nil {
						err = err2
					}
					errs[i] = err
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if got := fresh.privacy.Load(); got != 1 {
				t.Errorf("PrivacyByPerson calls = %d, want 1", got)
			}
			if got := content.accountsByID.Load(); got != 1 {
				t.Errorf("AccountsByID calls = %d, want 1", got)
			}
			if got := fresh.accountsByID.Load() + content.privacy.Load(); got != 0 {
				t.Errorf("%d reads went to the wrong reader", got)
			}
		})
	}
}

func TestPrefetchPrivacyPrimesOneBatch(t *testing.T) {
	w := newWorld(t)
	var ids []string
	for range 20 {
		pid, _ := w.person(t, profile.AppInstagram)
		ids = append(ids, pid)
	}
	fresh := &counting{Store: w.store}
	l := dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: fresh}, time.Millisecond)
	ctx := context.Background()
	if err := l.PrefetchPrivacy(ctx, append(ids, uuid.NewString())); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		st, err := l.Privacy(ctx, id)
		if err != nil || st == nil || len(st.Links) != 1 {
			t.Fatalf("Privacy(%s) = %+v, %v; want one link", id, st, err)
		}
	}
	if got := fresh.privacy.Load(); got != 1 {
		t.Errorf("PrivacyByPerson calls = %d, want 1", got)
	}
}
