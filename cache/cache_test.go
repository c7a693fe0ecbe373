package cache_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/profile/storetest"
)

// counted is a PostgreSQL store on a fresh database that counts its round trips.
type counted struct {
	*postgres.Store
	url string
	n   atomic.Int64
}

// MustCounted opens a counted store on a fresh database.
func MustCounted(tb testing.TB) *counted {
	tb.Helper()
	return MustCountedOn(tb, testdb.New(tb))
}

// MustCountedOn opens a counted store on dbURL.
func MustCountedOn(tb testing.TB, dbURL string) *counted {
	tb.Helper()
	c := &counted{url: dbURL}
	s, err := postgres.Open(context.Background(), dbURL, nil, postgres.WithQueryCounter(func(context.Context) { c.n.Add(1) }))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(s.Close)
	c.Store = s
	return c
}

// trips returns how many round trips fn made.
func (c *counted) trips(tb testing.TB, fn func() error) int64 {
	tb.Helper()
	before := c.n.Load()
	if err := fn(); err != nil {
		tb.Fatal(err)
	}
	return c.n.Load() - before
}

// MustCache returns a cache of maxCost bytes over inner, closed at cleanup.
func MustCache(tb testing.TB, inner profile.Store, maxCost int64) *cache.Store {
	tb.Helper()
	cs, err := cache.New(inner, cache.Config{MaxCost: maxCost})
	if err != nil {
		tb.Fatalf("cache.New: %v", err)
	}
	tb.Cleanup(cs.Close)
	return cs
}

func inTx(tb testing.TB, s profile.Store, fn func(ctx context.Context, tx profile.Tx) error) {
	tb.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		tb.Fatalf("InTx: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// fixture is a person with a FACEBOOK and an INSTAGRAM account and stored settings.
type fixture struct {
	person   *profile.Person
	fb, ig   *profile.Account
	settings *profile.Settings
}

func newAccount(app profile.App, personID, name string) *profile.Account {
	now := time.Now().UTC().Truncate(time.Microsecond)
	a := &profile.Account{
		ID: uuid.NewString(), App: app, AppUserID: "u-" + uuid.NewString()[:8],
		Username: "user", DisplayName: ptr(name), Email: ptr("jane@example.com"),
		Avatar:    &profile.Avatar{URL: "https://cdn.example.com/a.jpg", Width: ptr(64), Height: ptr(64), UpdatedAt: now},
		CreatedAt: now, UpdatedAt: now,
	}
	if personID != "" {
		a.PersonID, a.LinkedAt = personID, &now
	}
	return a
}

// seed writes a fixture through s.
func seed(tb testing.TB, s profile.Store) fixture {
	tb.Helper()
	p := &profile.Person{ID: uuid.NewString(), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	f := fixture{person: p, fb: newAccount(profile.AppFacebook, p.ID, "Jane FB"), ig: newAccount(profile.AppInstagram, p.ID, "Jane IG")}
	f.settings = &profile.Settings{PersonID: p.ID, SyncProfile: true, CrossPosting: []profile.CrossPostRule{{From: profile.AppFacebook, To: profile.AppInstagram}},
		SingleSignOn: []profile.App{profile.AppInstagram}, Version: 1, UpdatedAt: p.CreatedAt}
	inTx(tb, s, func(ctx context.Context, tx profile.Tx) error {
		return errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, f.fb), tx.InsertAccount(ctx, f.ig), tx.PutSettings(ctx, f.settings))
	})
	return f
}

func displayName(tb testing.TB, r profile.Reader, id string) string {
	tb.Helper()
	m, err := r.AccountsByID(context.Background(), []string{id})
	if err != nil {
		tb.Fatalf("AccountsByID: %v", err)
	}
	if m[id] == nil || m[id].DisplayName == nil {
		return "<absent>"
	}
	return *m[id].DisplayName
}

// rename sets the display name of account id through s.
func rename(tb testing.TB, s profile.Store, id, name string) {
	tb.Helper()
	inTx(tb, s, func(ctx context.Context, tx profile.Tx) error {
		m, err := tx.LockAccounts(ctx, []string{id})
		if err != nil {
			return err
		}
		a := m[id]
		a.DisplayName = &name
		return tx.UpdateAccount(ctx, a)
	})
}

func TestContract(t *testing.T) {
	t.Run("over memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) profile.Store { return MustCache(t, memory.New(), 1<<20) })
	})
	t.Run("over postgres", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) profile.Store { return MustCache(t, MustCounted(t), 1<<20) })
	})
}

func TestContentReadsAreCached(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 1<<20)
	f := seed(t, cs)
	ctx := context.Background()
	missing := uuid.NewString()
	for _, tc := range []struct {
		name  string
		read  func() error
		check func(t *testing.T) // on the value read from the cache
	}{
		{"PersonsByID", func() error { _, err := cs.PersonsByID(ctx, []string{f.person.ID}); return err }, func(t *testing.T) {
			if m, _ := cs.PersonsByID(ctx, []string{f.person.ID}); m[f.person.ID] == nil || m[f.person.ID].ID != f.person.ID {
				t.Errorf("cached person = %v", m)
			}
		}},
		{"AccountsByKey", func() error { _, err := cs.AccountsByKey(ctx, []profile.AccountKey{f.fb.Key()}); return err }, func(t *testing.T) {
			if m, _ := cs.AccountsByKey(ctx, []profile.AccountKey{f.fb.Key()}); m[f.fb.Key()] == nil || m[f.fb.Key()].ID != f.fb.ID {
				t.Errorf("cached account by key = %v", m)
			}
		}},
		{"AccountsByID", func() error { _, err := cs.AccountsByID(ctx, []string{f.fb.ID, f.ig.ID}); return err }, func(t *testing.T) {
			if got := displayName(t, cs, f.ig.ID); got != "Jane IG" {
				t.Errorf("cached display name = %q", got)
			}
		}},
		{"SettingsByPerson", func() error { _, err := cs.SettingsByPerson(ctx, []string{f.person.ID}); return err }, func(t *testing.T) {
			if m, _ := cs.SettingsByPerson(ctx, []string{f.person.ID}); m[f.person.ID] == nil || m[f.person.ID].Version != 1 {
				t.Errorf("cached settings = %v", m)
			}
		}},
		{"an absent person", func() error { _, err := cs.PersonsByID(ctx, []string{missing}); return err }, func(t *testing.T) {
			if m, _ := cs.PersonsByID(ctx, []string{missing}); len(m) != 0 {
				t.Errorf("absent person read as %v", m)
			}
		}},
		{"an absent key", func() error {
			_, err := cs.AccountsByKey(ctx, []profile.AccountKey{{App: profile.AppThreads, AppUserID: "nobody"}})
			return err
		}, func(t *testing.T) {
			if m, _ := cs.AccountsByKey(ctx, []profile.AccountKey{{App: profile.AppThreads, AppUserID: "nobody"}}); len(m) != 0 {
				t.Errorf("absent key read as %v", m)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pg.trips(t, tc.read); got != 1 {
				t.Errorf("first read: %d round trips, want 1", got)
			}
			cs.Wait()
			before := cs.Stats().Hits
			if got := pg.trips(t, tc.read); got != 0 {
				t.Errorf("second read: %d round trips, want 0 (a cache hit)", got)
			}
			if cs.Stats().Hits <= before {
				t.Errorf("hits did not increase")
			}
			tc.check(t)
		})
	}

	t.Run("a value handed out cannot change the cached one", func(t *testing.T) {
		m, _ := cs.AccountsByID(ctx, []string{f.fb.ID})
		*m[f.fb.ID].DisplayName = "mutated"
		m[f.fb.ID].PersonID = "someone"
		if got := displayName(t, cs, f.fb.ID); got != "Jane FB" {
			t.Errorf("cached display name = %q after a caller mutated its copy", got)
		}
	})
}

func TestPrivacyStateIsNeverCached(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 1<<20)
	f := seed(t, cs)
	ctx := context.Background()
	ids := []string{f.person.ID}
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{"PrivacyByPerson", func() error { _, err := cs.PrivacyByPerson(ctx, ids); return err }},
		{"AccountsByPerson", func() error { _, err := cs.AccountsByPerson(ctx, ids); return err }},
		{"ConsentsByPerson", func() error { _, err := cs.ConsentsByPerson(ctx, ids); return err }},
		{"Activity", func() error { _, err := cs.Activity(ctx, f.person.ID, 0, 10); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for i := range 3 {
				if got := pg.trips(t, tc.read); got != 1 {
					t.Fatalf("read %d: %d round trips, want 1 (never from the cache)", i+1, got)
				}
				cs.Wait()
			}
		})
	}
}

func TestWritesInvalidateLocallyBeforeInTxReturns(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// prime reads through the cache; write changes the database through it; check
		// reads again and fails on a stale value.
		prime, write func(t *testing.T, cs profile.Store, f fixture)
		check        func(t *testing.T, cs profile.Store, f fixture)
	}{
		{
			name:  "an updated account",
			prime: func(t *testing.T, cs profile.Store, f fixture) { displayName(t, cs, f.fb.ID) },
			write: func(t *testing.T, cs profile.Store, f fixture) { rename(t, cs, f.fb.ID, "New") },
			check: func(t *testing.T, cs profile.Store, f fixture) {
				if got := displayName(t, cs, f.fb.ID); got != "New" {
					t.Errorf("display name = %q, want New", got)
				}
			},
		},
		{
			name: "an account read by key",
			prime: func(t *testing.T, cs profile.Store, f fixture) {
				_, _ = cs.AccountsByKey(ctx, []profile.AccountKey{f.ig.Key()})
			},
			write: func(t *testing.T, cs profile.Store, f fixture) { rename(t, cs, f.ig.ID, "Renamed") },
			check: func(t *testing.T, cs profile.Store, f fixture) {
				m, _ := cs.AccountsByKey(ctx, []profile.AccountKey{f.ig.Key()})
				if a := m[f.ig.Key()]; a == nil || *a.DisplayName != "Renamed" {
					t.Errorf("account by key = %+v, want the renamed one", a)
				}
			},
		},
		{
			name: "new settings",
			prime: func(t *testing.T, cs profile.Store, f fixture) {
				_, _ = cs.SettingsByPerson(ctx, []string{f.person.ID})
			},
			write: func(t *testing.T, cs profile.Store, f fixture) {
				st := f.settings.Clone()
				st.Version, st.SingleSignOn = 2, nil
				inTx(t, cs, func(ctx context.Context, tx profile.Tx) error { return tx.PutSettings(ctx, st) })
			},
			check: func(t *testing.T, cs profile.Store, f fixture) {
				m, _ := cs.SettingsByPerson(ctx, []string{f.person.ID})
				if st := m[f.person.ID]; st == nil || st.Version != 2 || len(st.SingleSignOn) != 0 {
					t.Errorf("settings = %+v, want version 2 without single sign-on", st)
				}
			},
		},
		{
			name: "an account inserted where absence was cached (by id and by key)",
			prime: func(t *testing.T, cs profile.Store, f fixture) {
				_, _ = cs.AccountsByKey(ctx, []profile.AccountKey{{App: profile.AppThreads, AppUserID: "late"}})
			},
			write: func(t *testing.T, cs profile.Store, f fixture) {
				a := newAccount(profile.AppThreads, "", "Late")
				a.AppUserID = "late"
				inTx(t, cs, func(ctx context.Context, tx profile.Tx) error { return tx.InsertAccount(ctx, a) })
			},
			check: func(t *testing.T, cs profile.Store, f fixture) {
				m, _ := cs.AccountsByKey(ctx, []profile.AccountKey{{App: profile.AppThreads, AppUserID: "late"}})
				if len(m) != 1 {
					t.Errorf("inserted account read by key as %v", m)
				}
			},
		},
		{
			name:  "a deleted person",
			prime: func(t *testing.T, cs profile.Store, f fixture) { _, _ = cs.PersonsByID(ctx, []string{f.person.ID}) },
			write: func(t *testing.T, cs profile.Store, f fixture) {
				inTx(t, cs, func(ctx context.Context, tx profile.Tx) error {
					for _, a := range []*profile.Account{f.fb, f.ig} {
						u := a.Clone()
						u.PersonID, u.LinkedAt = "", nil
						if err := tx.UpdateAccount(ctx, u); err != nil {
							return err
						}
					}
					return tx.DeletePerson(ctx, f.person.ID)
				})
			},
			check: func(t *testing.T, cs profile.Store, f fixture) {
				if m, _ := cs.PersonsByID(ctx, []string{f.person.ID}); len(m) != 0 {
					t.Errorf("deleted person still read: %v", m)
				}
				if m, _ := cs.SettingsByPerson(ctx, []string{f.person.ID}); len(m) != 0 {
					t.Errorf("deleted person's settings still read: %v", m)
				}
				if m, _ := cs.AccountsByID(ctx, []string{f.fb.ID}); m[f.fb.ID] == nil || m[f.fb.ID].PersonID != "" {
					t.Errorf("unlinked account still read as linked: %+v", m[f.fb.ID])
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cs := MustCache(t, MustCounted(t), 1<<20)
			f := seed(t, cs)
			tc.prime(t, cs, f)
			cs.Wait() // the primed values are in the cache
			tc.prime(t, cs, f)
			tc.write(t, cs, f)
			tc.check(t, cs, f) // no Wait: invalidation is synchronous
		})
	}
}

// slowStore delays AccountsByID, when armed, after it has read the database: the read
// then returns what it read before a concurrent write.
type slowStore struct {
	profile.Store
	armed   atomic.Bool
	read    chan struct{}
	release chan struct{}
}

func (s *slowStore) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	m, err := s.Store.AccountsByID(ctx, ids)
	if s.armed.CompareAndSwap(true, false) {
		close(s.read)
		<-s.release
	}
	return m, err
}

func TestGenerationGuardKeepsASlowReadOutOfTheCache(t *testing.T) {
	for _, tc := range []struct {
		name      string
		write     bool
		wantName  string
		wantTrips int64
	}{
		{"a write during the read: the stale value is not cached", true, "New", 1},
		{"no write during the read: the value is cached", false, "Jane FB", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg := MustCounted(t)
			slow := &slowStore{Store: pg, read: make(chan struct{}), release: make(chan struct{})}
			cs := MustCache(t, slow, 1<<20)
			f := seed(t, cs)
			slow.armed.Store(true)
			got := make(chan string, 1)
			go func() { got <- displayName(t, cs, f.fb.ID) }()
			<-slow.read // the slow read holds "Jane FB"
			if tc.write {
				rename(t, cs, f.fb.ID, "New")
			}
			close(slow.release)
			if name := <-got; name != "Jane FB" {
				t.Fatalf("the slow read returned %q, want what it read (Jane FB)", name)
			}
			cs.Wait()
			var name string
			trips := pg.trips(t, func() error { name = displayName(t, cs, f.fb.ID); return nil })
			if name != tc.wantName {
				t.Errorf("next read = %q, want %q", name, tc.wantName)
			}
			if trips != tc.wantTrips {
				t.Errorf("next read: %d round trips, want %d", trips, tc.wantTrips)
			}
		})
	}
}

func TestCacheStaysWithinMaxCost(t *testing.T) {
	const maxCost = 64 << 10
	pg := MustCounted(t)
	cs := MustCache(t, pg, maxCost)
	ctx := context.Background()

	var ids []string
	inTx(t, cs, func(ctx context.Context, tx profile.Tx) error {
		for i := range 2000 {
			a := newAccount(profile.Apps[i%len(profile.Apps)], "", fmt.Sprintf("Person %d with a longer display name", i))
			if err := tx.InsertAccount(ctx, a); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})

	// One account: its cost is real bytes, not a count.
	if _, err := cs.AccountsByID(ctx, ids[:1]); err != nil {
		t.Fatal(err)
	}
	cs.Wait()
	if used := cs.Stats().CostUsed; used < 300 || used > 4096 {
		t.Errorf("one account costs %d bytes, want a realistic size (300 to 4096)", used)
	}

	for round := range 3 {
		for i := 0; i < len(ids); i += 100 {
			if _, err := cs.AccountsByID(ctx, ids[i:i+100]); err != nil {
				t.Fatal(err)
			}
		}
		cs.Wait()
		st := cs.Stats()
		if st.CostUsed > st.Capacity || st.Capacity > maxCost {
			t.Fatalf("round %d: cost used %d, capacity %d, max cost %d: over the bound", round, st.CostUsed, st.Capacity, maxCost)
		}
	}
	st := cs.Stats()
	if st.Evictions+st.RejectedSets == 0 {
		t.Errorf("2000 accounts fit in %d bytes without an eviction or rejection: costs are too low (%+v)", maxCost, st)
	}
	// The whole budget is ristretto's, less its admission counters (costs are exact
	// sizes, cost.go); the cache must fill most of what it was given.
	if st.CostUsed < st.Capacity/2 || st.Capacity < maxCost/2 {
		t.Errorf("cost used %d of capacity %d (max cost %d): the cache holds too little", st.CostUsed, st.Capacity, maxCost)
	}
	// Whatever was evicted, reads stay correct.
	if got := displayName(t, cs, ids[1234]); got != "Person 1234 with a longer display name" {
		t.Errorf("display name = %q", got)
	}
}

func TestDisabledCacheReadsThroughAndStillPublishes(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 0)
	f := seed(t, cs)
	for i := range 3 {
		if got := pg.trips(t, func() error { displayName(t, cs, f.fb.ID); return nil }); got != 1 {
			t.Fatalf("read %d: %d round trips, want 1", i+1, got)
		}
	}
	l := MustListen(t, pg.url)
	rename(t, cs, f.fb.ID, "New")
	inv := l.next(t)
	if len(inv.Accounts) != 1 || inv.Accounts[0] != f.fb.ID {
		t.Errorf("notification = %+v, want account %s", inv, f.fb.ID)
	}
	if st := cs.Stats(); st.Caching || st.Hits != 0 {
		t.Errorf("stats of a disabled cache = %+v", st)
	}
}

// rawListener is a plain LISTEN connection on cache.Channel.
type rawListener struct{ conn *pgx.Conn }

func MustListen(tb testing.TB, dbURL string) *rawListener {
	tb.Helper()
	conn, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = conn.Close(context.Background()) })
	if _, err := conn.Exec(context.Background(), "LISTEN "+cache.Channel); err != nil {
		tb.Fatal(err)
	}
	return &rawListener{conn}
}

// next returns the next notification, or fails after a few seconds.
func (l *rawListener) next(tb testing.TB) cache.Invalidation {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := l.conn.WaitForNotification(ctx)
	if err != nil {
		tb.Fatalf("no notification: %v", err)
	}
	var inv cache.Invalidation
	if err := json.Unmarshal([]byte(n.Payload), &inv); err != nil {
		tb.Fatalf("payload %q: %v", n.Payload, err)
	}
	return inv
}

// none fails if a notification arrives within a short while.
func (l *rawListener) none(tb testing.TB) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if n, err := l.conn.WaitForNotification(ctx); err == nil {
		tb.Fatalf("unexpected notification %q", n.Payload)
	}
}

func TestInTxPublishesWhatItWroteOnCommitOnly(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 1<<20)
	f := seed(t, cs)
	l := MustListen(t, pg.url)

	t.Run("a committed write", func(t *testing.T) {
		rename(t, cs, f.ig.ID, "New")
		inv := l.next(t)
		want := cache.Invalidation{Accounts: []string{f.ig.ID}, Keys: []profile.AccountKey{f.ig.Key()}}
		if fmt.Sprint(inv) != fmt.Sprint(want) {
			t.Errorf("notification = %+v, want %+v", inv, want)
		}
	})
	t.Run("a rolled-back write", func(t *testing.T) {
		err := cs.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
			st := f.settings.Clone()
			st.Version = 7
			if err := tx.PutSettings(ctx, st); err != nil {
				return err
			}
			return errors.New("changed my mind")
		})
		if err == nil || err.Error() != "changed my mind" {
			t.Fatalf("InTx = %v, want fn's error unchanged", err)
		}
		l.none(t)
	})
	t.Run("a consent: the person's privacy state", func(t *testing.T) {
		inTx(t, cs, func(ctx context.Context, tx profile.Tx) error {
			_, err := tx.PutConsent(ctx, &profile.Consent{PersonID: f.person.ID, SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook,
				Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: time.Now()})
			return err
		})
		inv := l.next(t)
		want := cache.Invalidation{Privacy: []string{f.person.ID}}
		if fmt.Sprint(inv) != fmt.Sprint(want) {
			t.Errorf("notification = %+v, want %+v", inv, want)
		}
	})
}

func TestInvalidationPayloads(t *testing.T) {
	many := func(n int) cache.Invalidation {
		var inv cache.Invalidation
		for i := range n {
			inv.Accounts = append(inv.Accounts, uuid.NewString())
			inv.Keys = append(inv.Keys, profile.AccountKey{App: profile.AppWhatsApp, AppUserID: fmt.Sprintf("user-%06d", i)})
			inv.Persons = append(inv.Persons, uuid.NewString())
			inv.Settings = append(inv.Settings, uuid.NewString())
		}
		return inv
	}
	for _, tc := range []struct {
		name         string
		inv          cache.Invalidation
		wantPayloads int // 0: more than one, exact count not fixed
		wantAll      bool
	}{
		{"nothing", cache.Invalidation{}, -1, false},
		{"a small write fits one payload", many(3), 1, false},
		{"a large write is chunked under 8000 bytes", many(200), 0, false},
		{"a huge write becomes all", many(5000), 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := tc.inv.Payloads()
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.wantPayloads == -1:
				if len(ps) != 0 {
					t.Fatalf("payloads = %v, want none", ps)
				}
				return
			case tc.wantPayloads > 0 && len(ps) != tc.wantPayloads:
				t.Fatalf("%d payloads, want %d", len(ps), tc.wantPayloads)
			case tc.wantPayloads == 0 && len(ps) < 2:
				t.Fatalf("%d payloads, want several", len(ps))
			}
			if tc.wantAll {
				if ps[0] != "all" {
					t.Fatalf("payload = %.40q, want all", ps[0])
				}
				return
			}
			var union cache.Invalidation
			for _, p := range ps {
				if len(p) >= 8000 {
					t.Fatalf("payload of %d bytes: PostgreSQL refuses 8000 or more", len(p))
				}
				var inv cache.Invalidation
				if err := json.Unmarshal([]byte(p), &inv); err != nil {
					t.Fatal(err)
				}
				union.Persons = append(union.Persons, inv.Persons...)
				union.Accounts = append(union.Accounts, inv.Accounts...)
				union.Keys = append(union.Keys, inv.Keys...)
				union.Settings = append(union.Settings, inv.Settings...)
			}
			if fmt.Sprint(union) != fmt.Sprint(tc.inv) {
				t.Errorf("the payloads do not carry every key")
			}
		})
	}
}

// MustListening starts s's listener on dbURL with a unique application_name (returned),
// stopped at cleanup, and waits until it listens.
func MustListening(tb testing.TB, s *cache.Store, dbURL string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	name := "profilegraph-listener-test-" + hex.EncodeToString(b)
	ctx, cancel := context.WithCancel(context.Background())
	wait := s.Listen(ctx, cache.ListenerConfig{ConnConfig: cfg, ApplicationName: name, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond})
	tb.Cleanup(func() {
		cancel()
		wait()
		if s.Stats().Caching {
			tb.Errorf("the cache is still used after its listener stopped")
		}
	})
	eventually(tb, "the listener listens", func() bool { return s.Stats().ListenerConnected && s.Stats().Caching })
	return name
}

// eventually polls cond for up to 10 s.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestListenBypassesTheCacheUntilItListens(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 1<<20)
	f := seed(t, cs)
	cfg, err := pgx.ParseConfig(pg.url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Port = 1 // nothing listens there: the listener can never connect
	ctx, cancel := context.WithCancel(context.Background())
	wait := cs.Listen(ctx, cache.ListenerConfig{ConnConfig: cfg, MaxBackoff: 100 * time.Millisecond})
	defer func() { cancel(); wait() }()
	for i := range 3 {
		if got := pg.trips(t, func() error { displayName(t, cs, f.fb.ID); return nil }); got != 1 {
			t.Fatalf("read %d without a listener: %d round trips, want 1 (bypassed)", i+1, got)
		}
		cs.Wait()
	}
	if st := cs.Stats(); st.Caching || st.ListenerConnected {
		t.Errorf("stats = %+v, want neither caching nor connected", st)
	}
}

// twoReplicas is two caches over one database, as two replicas have, b listening
// (its listener's application name returned) and b's round trips counted; a holds the
// seeded fixture, and b has heard of the seed.
func twoReplicas(t *testing.T) (dbURL string, a, b *cache.Store, pgB *counted, listener string, f fixture) {
	t.Helper()
	dbURL = testdb.New(t)
	a = MustCache(t, MustCountedOn(t, dbURL), 1<<20)
	pgB = MustCountedOn(t, dbURL)
	b = MustCache(t, pgB, 1<<20)
	listener = MustListening(t, b, dbURL)
	f = seed(t, a)
	eventually(t, "b hears of the seed", func() bool { return b.Stats().InvalidationsReceived >= 1 })
	return dbURL, a, b, pgB, listener, f
}

// warm reads the account on b and checks that b then serves it without a round trip.
func warm(t *testing.T, b *cache.Store, pgB *counted, id, when string) {
	t.Helper()
	displayName(t, b, id)
	b.Wait()
	if got := pgB.trips(t, func() error { displayName(t, b, id); return nil }); got != 0 {
		t.Fatalf("%s: b did not cache the account (%d round trips)", when, got)
	}
}

func TestOtherReplicasWritesInvalidateThroughNotify(t *testing.T) {
	dbURL, a, b, pgB, _, f := twoReplicas(t)
	MustListening(t, a, dbURL)

	for i := range 20 {
		// Warm b's cache, then write on a.
		warm(t, b, pgB, f.fb.ID, fmt.Sprintf("round %d", i))
		name := fmt.Sprintf("Name %d", i)
		rename(t, a, f.fb.ID, name)
		if got := displayName(t, a, f.fb.ID); got != name {
			t.Fatalf("round %d: a reads %q right after its own write, want %q", i, got, name)
		}
		eventually(t, "b reads "+name, func() bool { return displayName(t, b, f.fb.ID) == name })
	}
	if got := b.Stats().InvalidationsReceived; got < 20 {
		t.Errorf("b received %d invalidations, want at least 20", got)
	}
}

func TestListenerRecoversFromALostConnection(t *testing.T) {
	dbURL, a, b, pgB, name, f := twoReplicas(t)
	admin, err := pgx.Connect(context.Background(), testdb.BaseURL()) // another database: this one will refuse connections
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())

	warm(t, b, pgB, f.fb.ID, "before the listener is killed")

	// Refuse new connections, kill b's listener, and write while it is away: that
	// notification is lost for good.
	if _, err := admin.Exec(context.Background(), "ALTER DATABASE "+pgx.Identifier{dbName(t, dbURL)}.Sanitize()+" WITH ALLOW_CONNECTIONS false"); err != nil {
		t.Fatal(err)
	}
	allow := func() {
		if _, err := admin.Exec(context.Background(), "ALTER DATABASE "+pgx.Identifier{dbName(t, dbURL)}.Sanitize()+" WITH ALLOW_CONNECTIONS true"); err != nil {
			t.Error(err)
		}
	}
	defer allow()
	var killed bool
	if err := admin.QueryRow(context.Background(),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", name).Scan(&killed); err != nil || !killed {
		t.Fatalf("terminate the listener's backend: %v, %v", killed, err)
	}
	eventually(t, "b notices", func() bool { return !b.Stats().ListenerConnected })
	if b.Stats().Caching {
		t.Fatalf("b still uses its cache without a listener")
	}
	rename(t, a, f.fb.ID, "Written while b was deaf")
	if got := displayName(t, b, f.fb.ID); got != "Written while b was deaf" {
		t.Errorf("b reads %q while its listener is down, want the new value", got)
	}

	allow()
	eventually(t, "b listens again", func() bool { st := b.Stats(); return st.ListenerConnected && st.Caching })
	if got := b.Stats().ListenerReconnects; got != 1 {
		t.Errorf("reconnects = %d, want 1", got)
	}
	if got := displayName(t, b, f.fb.ID); got != "Written while b was deaf" {
		t.Errorf("b reads %q after it recovered, want the value written while it was down", got)
	}
	// And it follows writes again.
	rename(t, a, f.fb.ID, "After recovery")
	eventually(t, "b follows a again", func() bool { return displayName(t, b, f.fb.ID) == "After recovery" })
}

func dbName(tb testing.TB, dbURL string) string {
	tb.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(cfg.Database)
}

func TestPublishClearAllClearsEveryReplica(t *testing.T) {
	dbURL := testdb.New(t)
	pg := MustCountedOn(t, dbURL)
	b := MustCache(t, pg, 1<<20)
	MustListening(t, b, dbURL)
	f := seed(t, b)
	eventually(t, "b hears of its own write", func() bool { return b.Stats().InvalidationsReceived >= 1 })
	warm(t, b, pg, f.fb.ID, "before the clear")
	// A write behind the store's back, then the clear.
	if _, err := pg.Pool().Exec(context.Background(), "UPDATE accounts SET display_name = 'Behind' WHERE id = $1", f.fb.ID); err != nil {
		t.Fatal(err)
	}
	if err := cache.PublishClearAll(context.Background(), pg.Pool()); err != nil {
		t.Fatal(err)
	}
	eventually(t, "b reads the value written behind its back", func() bool { return displayName(t, b, f.fb.ID) == "Behind" })
}

func TestPeekAnswersOnlyFromTheCache(t *testing.T) {
	ctx := context.Background()
	cs := MustCache(t, memory.New(), 1<<20)
	f := seed(t, cs)
	unknown := uuid.NewString()
	if _, ok := cs.PeekAccount(f.fb.ID); ok {
		t.Fatal("PeekAccount hit before anything was read")
	}
	if st := cs.Stats(); st.Hits != 0 || st.Misses != 0 {
		t.Fatalf("a missing peek was counted: %+v", st)
	}
	// Each read waits for its sets (ristretto applies them asynchronously), so what the
	// next read finds does not depend on how fast the set buffer drained.
	reads := []struct {
		name         string
		read         func() error
		hits, misses uint64
	}{
		{"an account and an absent one by id", func() error {
			_, err := cs.AccountsByID(ctx, []string{f.fb.ID, unknown})
			return err
		}, 0, 2},
		// Reading the account by id cached its key -> id mapping too: both are hits.
		{"the same account by key", func() error {
			_, err := cs.AccountsByKey(ctx, []profile.AccountKey{f.fb.Key()})
			return err
		}, 2, 2},
		{"settings", func() error {
			_, err := cs.SettingsByPerson(ctx, []string{f.person.ID})
			return err
		}, 2, 3},
	}
	for _, r := range reads {
		if err := r.read(); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
		cs.Wait()
		if st := cs.Stats(); st.Hits != r.hits || st.Misses != r.misses {
			t.Fatalf("stats after reading %s = %+v, want %d hits and %d misses", r.name, st, r.hits, r.misses)
		}
	}
	before := cs.Stats()

	p, ok := cs.PeekAccount(f.fb.ID)
	if !ok || p == nil || p.ID != f.fb.ID {
		t.Fatalf("PeekAccount = %+v, %v", p, ok)
	}
	// Peeks decode the cached encoding: each caller owns what it gets, and changing it
	// does not change the cache.
	want := p.Username
	p.Username = "changed by the caller"
	if again, ok := cs.PeekAccount(f.fb.ID); !ok || again == p || again.Username != want {
		t.Fatalf("a second peek = %+v (%p), %v; want a fresh account named %q (not %p)", again, again, ok, want, p)
	}
	if p, ok := cs.PeekAccount(unknown); !ok || p != nil {
		t.Fatalf("PeekAccount(absent) = %+v, %v; want nil, true", p, ok)
	}
	if a, ok := cs.PeekAccountByKey(f.fb.Key()); !ok || a == nil || a.ID != f.fb.ID {
		t.Fatalf("PeekAccountByKey = %+v, %v", a, ok)
	}
	if a, ok := cs.PeekAccount(f.fb.ID); !ok || a == nil || *a.DisplayName != "Jane FB" {
		t.Fatalf("PeekAccount = %+v, %v", a, ok)
	}
	if s, ok := cs.PeekSettings(f.person.ID); !ok || s == nil || !s.SyncProfile {
		t.Fatalf("PeekSettings = %+v, %v", s, ok)
	}
	for name, ok := range map[string]bool{
		"account not read":  func() bool { _, ok := cs.PeekAccount(f.ig.ID); return ok }(),
		"key not read":      func() bool { _, ok := cs.PeekAccountByKey(f.ig.Key()); return ok }(),
		"non-canonical id":  func() bool { _, ok := cs.PeekAccount(strings.ToUpper(f.fb.ID)); return ok }(),
		"invalid app":       func() bool { _, ok := cs.PeekAccountByKey(profile.AccountKey{App: "NOPE", AppUserID: "x"}); return ok }(),
		"settings not read": func() bool { _, ok := cs.PeekSettings(unknown); return ok }(),
	} {
		if ok {
			t.Errorf("%s: peek hit", name)
		}
	}
	// Hits: the account twice, the absent account, the key and its account, the account,
	// the settings. The missing peeks are not counted: the read that follows counts.
	if st := cs.Stats(); st.Hits-before.Hits != 7 || st.Misses != before.Misses {
		t.Errorf("stats after the peeks = %+v, want 7 more hits and no more misses than %+v", st, before)
	}

	rename(t, cs, f.fb.ID, "Jane renamed")
	if _, ok := cs.PeekAccount(f.fb.ID); ok {
		t.Error("PeekAccount hit after the account was written")
	}
	if _, ok := cs.PeekAccountByKey(f.fb.Key()); ok {
		t.Error("PeekAccountByKey hit after the account was written")
	}
	if _, ok := cs.PeekSettings(f.person.ID); !ok {
		t.Error("PeekSettings missed an entry the write did not touch")
	}
	cs.Close()
	if _, ok := cs.PeekSettings(f.person.ID); ok {
		t.Error("PeekSettings hit on a closed cache")
	}
}
