package cache

import (
	"context"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// countingFresh counts the fresh reads that reach the store.
type countingFresh struct {
	*memory.Store
	reads int
	last  profile.FreshQuery // the query of the last read
}

func (c *countingFresh) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	c.reads++
	c.last = q
	return c.Store.ReadFresh(ctx, q)
}

// leasedStore is a Store with the privacy cache on, online, with a listener that is up,
// over a memory store holding one person with a linked account and a consent.
func leasedStore(t *testing.T) (*Store, *countingFresh, profile.FreshQuery) {
	t.Helper()
	ctx := context.Background()
	inner := &countingFresh{Store: memory.New()}
	s, err := New(inner, Config{MaxCost: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	s.enablePrivacy(PrivacyConfig{Lease: time.Hour})
	s.listenerUp.Store(true)
	var acc *profile.Account
	err = s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		p := &profile.Person{CreatedAt: time.Now()}
		if err := tx.InsertPerson(ctx, p); err != nil {
			return err
		}
		now := time.Now()
		acc = &profile.Account{App: profile.AppFacebook, AppUserID: "u1", Username: "u1", PersonID: p.ID, LinkedAt: &now, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertAccount(ctx, acc); err != nil {
			return err
		}
		_, err := tx.PutConsent(ctx, &profile.Consent{PersonID: p.ID, SourceApp: profile.AppFacebook, TargetApp: profile.AppInstagram,
			Category: profile.CategoryProfile, Purpose: profile.PurposeService, GrantedAt: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	k := acc.Key()
	return s, inner, profile.FreshQuery{Viewer: &k, Accounts: []string{acc.ID}}
}

// readTwice reads q, waits for the cache to store, reads again, and returns how many
// reads reached the store.
func readTwice(t *testing.T, s *Store, inner *countingFresh, q profile.FreshQuery) int {
	t.Helper()
	before := inner.reads
	for range 2 {
		got, err := s.ReadFresh(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Viewer == nil || len(got.Privacy[got.Viewer.PersonID].Consents) != 1 {
			t.Fatalf("fresh read = %+v, want the viewer and its consent", got)
		}
		s.Wait()
	}
	return inner.reads - before
}

func TestPrivacyCacheServesOnlyUnderALease(t *testing.T) {
	s, inner, q := leasedStore(t)
	if n := readTwice(t, s, inner, q); n != 2 {
		t.Errorf("without a lease, %d of 2 reads reached the store, want 2", n)
	}
	if s.pv.servesRefused.Load() == 0 {
		t.Errorf("reads without a lease were not counted as refused")
	}
	s.grantLease(time.Now())
	if n := readTwice(t, s, inner, q); n != 1 {
		t.Errorf("under a lease, %d of 2 reads reached the store, want 1 (the second from the cache)", n)
	}
	if n := readTwice(t, s, inner, q); n != 0 {
		t.Errorf("under a lease, warm, %d of 2 reads reached the store, want 0", n)
	}

	// The listener goes down: nothing is served from the cache.
	s.listenerUp.Store(false)
	if n := readTwice(t, s, inner, q); n != 2 {
		t.Errorf("with the listener down, %d of 2 reads reached the store, want 2", n)
	}
	s.listenerUp.Store(true)

	// The lease lapses (a pause): nothing is served; a new grant clears the cache first,
	// so what was filled meanwhile, or before, is not served under it.
	s.mu.Lock()
	s.pv.leaseUntil = time.Now().Add(-time.Millisecond)
	s.mu.Unlock()
	if n := readTwice(t, s, inner, q); n != 2 {
		t.Errorf("after the lease lapsed, %d of 2 reads reached the store, want 2", n)
	}
	s.grantLease(time.Now())
	if n := readTwice(t, s, inner, q); n != 1 {
		t.Errorf("after a new grant, %d of 2 reads reached the store, want 1: the grant must clear the cache", n)
	}

	// A continuous renewal keeps the cache.
	s.grantLease(time.Now())
	if n := readTwice(t, s, inner, q); n != 0 {
		t.Errorf("after a renewal, %d of 2 reads reached the store, want 0", n)
	}

	// A lease measured from when the renewal was sent: one sent longer ago than the lease
	// (less the margin) grants nothing.
	s.grantLease(time.Now().Add(-time.Hour))
	if n := readTwice(t, s, inner, q); n != 2 {
		t.Errorf("under a lease whose renewal was sent an hour ago, %d of 2 reads reached the store, want 2", n)
	}
}

func TestPrivacyCacheWriteDropsTheStateAtOnce(t *testing.T) {
	s, inner, q := leasedStore(t)
	s.grantLease(time.Now())
	readTwice(t, s, inner, q)
	got, err := s.ReadFresh(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	person := got.Viewer.PersonID
	if err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
		_, err := tx.DeleteConsent(ctx, person, profile.ConsentKey{SourceApp: profile.AppFacebook, TargetApp: profile.AppInstagram,
			Category: profile.CategoryProfile, Purpose: profile.PurposeService})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	got, err = s.ReadFresh(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if st := got.Privacy[person]; st != nil && len(st.Consents) > 0 {
		t.Errorf("right after the revoke, the privacy cache serves consents %+v", st.Consents)
	}
}

func TestPrivacyCacheFillStartedBeforeAnInvalidationIsNotStored(t *testing.T) {
	s, inner, q := leasedStore(t)
	s.grantLease(time.Now())
	s.mu.RLock()
	gen := s.gen
	s.mu.RUnlock()
	got, err := inner.ReadFresh(context.Background(), q) // a slow read, before the write
	if err != nil {
		t.Fatal(err)
	}
	s.Invalidate(Invalidation{Privacy: []string{got.Viewer.PersonID}})
	s.store(gen, privacyEntries(got, q.Viewer, nil, q.Accounts))
	s.Wait()
	before := inner.reads
	if _, err := s.ReadFresh(context.Background(), q); err != nil {
		t.Fatal(err)
	}
	if inner.reads == before {
		t.Errorf("a fill read before an invalidation was stored and served")
	}
}

// linkedAccount adds a person with an account linked to it to s's store, through s.
func linkedAccount(t *testing.T, s *Store, user string) *profile.Account {
	t.Helper()
	var acc *profile.Account
	err := s.InTx(context.Background(), func(ctx context.Context, tx profile.Tx) error {
		p := &profile.Person{CreatedAt: time.Now()}
		if err := tx.InsertPerson(ctx, p); err != nil {
			return err
		}
		now := time.Now()
		acc = &profile.Account{App: profile.AppInstagram, AppUserID: user, Username: user, PersonID: p.ID, LinkedAt: &now, CreatedAt: now, UpdatedAt: now}
		return tx.InsertAccount(ctx, acc)
	})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// linkedTo returns the persons whose state in f links account id.
func linkedTo(f *profile.Fresh, id string) []string {
	var out []string
	for pid, st := range f.Privacy {
		if st.Link(id) != nil {
			out = append(out, pid)
		}
	}
	return out
}

func TestPrivacyCacheReadsOnlyWhatItMisses(t *testing.T) {
	ctx := context.Background()
	s, inner, q := leasedStore(t)
	s.grantLease(time.Now())
	other := linkedAccount(t, s, "u2")
	if _, err := s.ReadFresh(ctx, q); err != nil { // fills the viewer and its person
		t.Fatal(err)
	}
	s.Wait()

	// The viewer and its account's link are cached; the other account is not.
	wide := profile.FreshQuery{Viewer: q.Viewer, Accounts: []string{q.Accounts[0], other.ID}}
	before := inner.reads
	got, err := s.ReadFresh(ctx, wide)
	if err != nil {
		t.Fatal(err)
	}
	if inner.reads != before+1 || inner.last.Viewer != nil || len(inner.last.Persons) != 0 ||
		len(inner.last.Accounts) != 1 || inner.last.Accounts[0] != other.ID {
		t.Fatalf("a partial hit read %d times, last %+v; want one read of the other account only", inner.reads-before, inner.last)
	}
	want, err := inner.Store.ReadFresh(ctx, wide)
	if err != nil {
		t.Fatal(err)
	}
	if got.Viewer == nil || got.Viewer.ID != want.Viewer.ID || len(got.Privacy) != len(want.Privacy) ||
		len(got.Accounts) != 2 || !got.Accounts[other.ID] {
		t.Fatalf("partial hit = %+v, want %+v", got, want)
	}
	for id, st := range want.Privacy {
		if g := got.Privacy[id]; g == nil || len(g.Links) != len(st.Links) || len(g.Consents) != len(st.Consents) {
			t.Fatalf("partial hit: state of %s = %+v, want %+v", id, g, st)
		}
	}
	if p := linkedTo(got, other.ID); len(p) != 1 || p[0] != other.PersonID {
		t.Fatalf("the other account is linked to %v, want [%s]", p, other.PersonID)
	}
	s.Wait()
	before = inner.reads
	if _, err := s.ReadFresh(ctx, wide); err != nil {
		t.Fatal(err)
	}
	if inner.reads != before {
		t.Errorf("after the partial hit filled the rest, %d reads reached the store, want 0", inner.reads-before)
	}
	if s.pv.partial.Load() != 1 {
		t.Errorf("partial hits counted %d, want 1", s.pv.partial.Load())
	}
}

// cachedAccount is a leased store with one more account (of user) linked to a person
// of its own, whose query one (the account's link and its person's state) is cached.
func cachedAccount(t *testing.T, user string) (s *Store, inner *countingFresh, acc *profile.Account, one profile.FreshQuery) {
	t.Helper()
	s, inner, _ = leasedStore(t)
	s.grantLease(time.Now())
	acc = linkedAccount(t, s, user)
	one = profile.FreshQuery{Accounts: []string{acc.ID}}
	if _, err := s.ReadFresh(context.Background(), one); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	return s, inner, acc, one
}

func TestPrivacyCachePartialHitThatDisagreesIsReadWhole(t *testing.T) {
	ctx := context.Background()
	s, inner, acc, one := cachedAccount(t, "u3")
	// Behind the cache's back (a write whose invalidation is still in flight): the
	// account is unlinked, and its person's cached state is gone, but not its link.
	if err := inner.Store.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		a := acc.Clone()
		a.PersonID, a.LinkedAt = "", nil
		return tx.UpdateAccount(ctx, a)
	}); err != nil {
		t.Fatal(err)
	}
	s.rc.Del(privacyKey(acc.PersonID))
	s.rc.Wait()
	before := inner.reads
	got, err := s.ReadFresh(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	if p := linkedTo(got, acc.ID); len(p) != 0 {
		t.Errorf("the merge of a cached link and a fresh state that disagree served the account as linked to %v", p)
	}
	if inner.reads != before+2 || len(inner.last.Accounts) != 1 || inner.last.Accounts[0] != acc.ID {
		t.Errorf("%d reads (last %+v), want the partial read and then the whole query", inner.reads-before, inner.last)
	}
}

func TestPrivacyCacheFullHitThatDisagreesIsReadWhole(t *testing.T) {
	ctx := context.Background()
	s, inner, acc, one := cachedAccount(t, "u4")
	// Every entry is cached, but the person's state no longer links the account its
	// cached link names (entries of two reads, a write in flight between them).
	s.rc.Set(privacyKey(acc.PersonID), encodePrivacy(&profile.PrivacyState{}), 1)
	s.rc.Wait()
	if _, miss, _, servable := s.privacyLookup(nil, nil, one.Accounts); !servable || !miss.none() {
		t.Fatalf("lookup servable=%v miss=%+v, want a full hit", servable, miss)
	}
	before := inner.reads
	got, err := s.ReadFresh(ctx, one)
	if err != nil {
		t.Fatal(err)
	}
	if inner.reads != before+1 {
		t.Errorf("a full hit whose link and state disagree made %d reads, want the whole query read once", inner.reads-before)
	}
	if p := linkedTo(got, acc.ID); len(p) != 1 || p[0] != acc.PersonID {
		t.Errorf("the account is served linked to %v, want [%s]", p, acc.PersonID)
	}
}
