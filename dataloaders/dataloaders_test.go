package dataloaders_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// counting counts the calls of each read of a store.
type counting struct {
	profile.Store
	fresh, accountsByID, accountsByKey atomic.Int64
}

func (c *counting) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	c.fresh.Add(1)
	return c.Store.(profile.FreshReader).ReadFresh(ctx, q)
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

// dissolve unlinks a, the only account of its person, and deletes the person, in the
// store behind the cache's back.
func (w *world) dissolve(t *testing.T, a *profile.Account) {
	t.Helper()
	w.write(t, func(ctx context.Context, tx profile.Tx) error {
		u := a.Clone()
		u.PersonID, u.LinkedAt = "", nil
		if err := tx.UpdateAccount(ctx, u); err != nil {
			return err
		}
		return tx.DeletePerson(ctx, a.PersonID)
	})
}

func (w *world) loaders() *dataloaders.Loaders {
	return dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: w.store}, time.Millisecond)
}

// viewerCtx is a request of the user (app, appUserID).
func viewerCtx(app profile.App, appUserID string) context.Context {
	return profile.WithViewer(context.Background(), &profile.Viewer{App: app, Subject: appUserID})
}

func accountsOf(v *consent.PersonView) []*profile.Account { return v.AccountsOf() }

func TestPersonViewsTakeLinksFreshAndContentFromTheCache(t *testing.T) {
	t.Run("an account unlinked behind the cache's back is not among the person's accounts", func(t *testing.T) {
		w := newWorld(t)
		pid, accs := w.person(t, profile.AppFacebook, profile.AppInstagram)
		w.warm(t, accs...)
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			u := accs[1].Clone()
			u.PersonID, u.LinkedAt = "", nil
			return tx.UpdateAccount(ctx, u)
		})
		ctx := viewerCtx(profile.AppFacebook, accs[0].AppUserID)
		l := w.loaders()
		v, err := l.PersonView(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		if got := accountsOf(v); len(got) != 1 || got[0].App != profile.AppFacebook || got[0].PersonID != pid {
			t.Fatalf("accounts = %v, want only the FACEBOOK account of %s", profile.AppsOf(got), pid)
		}
		// The content path alone still holds the stale link; the account's view does not.
		if stale, _ := w.cached.PeekAccount(accs[1].ID); stale == nil || stale.PersonID != pid {
			t.Fatalf("the cache was not stale (%+v): the test proves nothing", stale)
		}
		avs, err := l.AccountViews(ctx, []*profile.Account{accs[1]})
		if err != nil {
			t.Fatal(err)
		}
		if a := avs[0].Account; a.PersonID != "" || a.LinkedAt != nil {
			t.Fatalf("the account view claims the stale link: %+v", a)
		}
		if ok, _ := avs[0].Field(profile.FieldDisplayName); ok {
			t.Errorf("the INSTAGRAM name of an unlinked account is visible to FACEBOOK")
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
		ctx := viewerCtx(profile.AppFacebook, accs[0].AppUserID)
		v, err := w.loaders().PersonView(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		got := accountsOf(v)
		if len(got) != 2 || got[1].ID != loose.ID || got[1].PersonID != pid || got[1].LinkedAt == nil || !got[1].LinkedAt.Equal(linkedAt) {
			t.Fatalf("accounts = %+v, want %s then the THREADS account linked at %v", got, accs[0].App, linkedAt)
		}
		avs, err := w.loaders().AccountViews(ctx, []*profile.Account{loose}) // the cached, unlinked copy
		if err != nil {
			t.Fatal(err)
		}
		if avs[0].Account.PersonID != pid {
			t.Fatalf("the account view of a cached unlinked copy = %+v, want the fresh link to %s", avs[0].Account, pid)
		}
	})
	t.Run("a revoked consent is gone from the next request's view", func(t *testing.T) {
		w := newWorld(t)
		pid, accs := w.person(t, profile.AppFacebook, profile.AppInstagram)
		c := &profile.Consent{PersonID: pid, SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook,
			Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: w.now}
		w.write(t, func(ctx context.Context, tx profile.Tx) error { _, err := tx.PutConsent(ctx, c); return err })
		ctx := viewerCtx(profile.AppFacebook, accs[0].AppUserID)
		if v, err := w.loaders().PersonView(ctx, pid); err != nil || len(v.Consents) != 1 {
			t.Fatalf("consents = %v, %v; want the grant", v, err)
		}
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			_, err := tx.DeleteConsent(ctx, pid, c.Key())
			return err
		})
		v, err := w.loaders().PersonView(ctx, pid)
		if err != nil || len(v.Consents) != 0 || len(v.Accounts) != 2 {
			t.Fatalf("view after the revocation = %+v, %v; want 2 accounts and no consent", v, err)
		}
	})
}

func TestSettingsDropEntriesNamingUnlinkedApps(t *testing.T) {
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
	got, err := w.loaders().Settings(viewerCtx(profile.AppFacebook, accs[0].AppUserID), pid)
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
	w.dissolve(t, accs[0])
	l := w.loaders()
	ctx := viewerCtx(profile.AppFacebook, accs[0].AppUserID)
	viewer, err := l.ViewerAccount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if viewer == nil || viewer.PersonID != "" {
		t.Fatalf("viewer account = %+v, want it unlinked (as the store has it)", viewer)
	}
	if req, _ := l.Request(ctx); req.ViewerAccountID != accs[0].ID || req.ViewerPersonID != "" {
		t.Fatalf("request = %+v, want the viewer's account and no person", req)
	}
	if cached, _ := l.AccountByKey(ctx, accs[0].Key()); cached == nil || cached.PersonID != pid {
		t.Fatalf("the cached account is %+v, not stale: the test proves nothing", cached)
	}
}

func TestALevelOfSubjectsCostsOneFreshReadAndOneContentRead(t *testing.T) {
	w := newWorld(t)
	var ids []string
	var viewerKey profile.AccountKey
	for i := range 50 {
		pid, accs := w.person(t, profile.AppFacebook, profile.AppWhatsApp)
		ids = append(ids, pid)
		if i == 0 {
			viewerKey = accs[0].Key()
		}
	}
	fresh := &counting{Store: w.store}
	content := &counting{Store: w.store}
	l := dataloaders.New(dataloaders.Readers{Content: content, Fresh: fresh}, 20*time.Millisecond)
	ctx := viewerCtx(viewerKey.App, viewerKey.AppUserID)
	views, err := l.PersonViews(ctx, append(ids, uuid.NewString()))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range views[:len(ids)] {
		if v.PersonID != ids[i] || len(v.Accounts) != 2 {
			t.Fatalf("view %d = %+v, want person %s with 2 accounts", i, v, ids[i])
		}
	}
	if v := views[len(ids)]; len(v.Accounts) != 0 {
		t.Fatalf("an unknown person has accounts: %+v", v)
	}
	// Everything the fields of the level need again is held: no further read.
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		wg.Go(func() {
			v, err := l.PersonView(ctx, id)
			if err == nil && v != views[i] {
				err = errors.New("the view was computed twice")
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
	if req, _ := l.Request(ctx); req.ViewerPersonID != ids[0] {
		t.Fatalf("request = %+v, want the viewer's person %s", req, ids[0])
	}
	if got := fresh.fresh.Load(); got != 1 {
		t.Errorf("ReadFresh calls = %d, want 1 (the viewer's account with the level's privacy state)", got)
	}
	if got := content.accountsByID.Load(); got != 1 {
		t.Errorf("AccountsByID calls = %d, want 1", got)
	}
	if got := fresh.accountsByID.Load() + content.fresh.Load(); got != 0 {
		t.Errorf("%d reads went to the wrong reader", got)
	}
}

func TestAccountViewsOfALevelCostOneFreshRead(t *testing.T) {
	w := newWorld(t)
	var accs []*profile.Account
	for range 20 {
		_, a := w.person(t, profile.AppInstagram)
		accs = append(accs, a[0])
	}
	fresh := &counting{Store: w.store}
	l := dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: fresh}, time.Millisecond)
	ctx := viewerCtx(profile.AppFacebook, "someone")
	views, err := l.AccountViews(ctx, append(accs, nil))
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range views[:len(accs)] {
		if v == nil || v.Account.PersonID != accs[i].PersonID {
			t.Fatalf("view %d = %+v, want the account linked to %s", i, v, accs[i].PersonID)
		}
	}
	if views[len(accs)] != nil {
		t.Fatalf("a nil account has a view")
	}
	if got := fresh.fresh.Load(); got != 1 {
		t.Errorf("ReadFresh calls = %d, want 1", got)
	}
}

func TestActivityPagesOfALevelAreOneRead(t *testing.T) {
	w := newWorld(t)
	pid, _ := w.person(t, profile.AppFacebook)
	w.write(t, func(ctx context.Context, tx profile.Tx) error {
		for range 5 {
			if err := tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: pid, Type: profile.ActivityLinked, At: w.now}); err != nil {
				return err
			}
		}
		return nil
	})
	pages := &countingPages{Store: w.store}
	l := dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: pages}, 20*time.Millisecond)
	ctx := context.Background()
	var wg sync.WaitGroup
	got := make([]int, 10)
	for i := range got {
		wg.Go(func() {
			evs, err := l.Activity(ctx, profile.ActivityPage{PersonID: pid, Limit: 1 + i%3})
			if err != nil {
				t.Error(err)
			}
			got[i] = len(evs)
		})
	}
	wg.Wait()
	for i, n := range got {
		if n != 1+i%3 {
			t.Errorf("page %d has %d events, want %d", i, n, 1+i%3)
		}
	}
	if n := pages.calls.Load(); n != 1 {
		t.Errorf("ActivityPages calls = %d, want 1", n)
	}
}

// countingPages counts ActivityPages calls.
type countingPages struct {
	profile.Store
	calls atomic.Int64
}

func (c *countingPages) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	return c.Store.(profile.FreshReader).ReadFresh(ctx, q)
}

func (c *countingPages) ActivityPages(ctx context.Context, pages []profile.ActivityPage) (map[profile.ActivityPage][]*profile.ActivityEvent, error) {
	c.calls.Add(1)
	return c.Store.(profile.ActivityReader).ActivityPages(ctx, pages)
}

// A person exists while its fresh links show an account, whatever the cache holds.
func TestExistingPersonsComeFromTheFreshLinks(t *testing.T) {
	w := newWorld(t)
	kept, _ := w.person(t, profile.AppFacebook)
	gone, accs := w.person(t, profile.AppInstagram)
	if _, err := w.cached.PersonsByID(context.Background(), []string{kept, gone}); err != nil {
		t.Fatal(err)
	}
	w.cached.Wait()
	w.dissolve(t, accs[0])
	fresh := &counting{Store: w.store}
	l := dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: fresh}, time.Millisecond)
	got, err := l.ExistingPersons(viewerCtx(profile.AppFacebook, "someone"), []string{kept, gone, "not-an-id", uuid.NewString()})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{kept, "", "", ""}; !slices.Equal(got, want) {
		t.Fatalf("ExistingPersons = %v, want %v", got, want)
	}
	if n := fresh.fresh.Load(); n != 1 {
		t.Errorf("ReadFresh calls = %d, want 1", n)
	}
}
