package dataloaders_test

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

var _ dataloaders.Peeker = (*cache.Store)(nil)

// gated is an inner store under a cache whose content reads record their keys, report
// that a fetch started (started is closed by the first), and then block until open is
// closed: a read that joined a loader's batch cannot return before the test opens it.
type gated struct {
	profile.Store
	bypass  atomic.Bool // while set, reads go straight through, unrecorded
	once    sync.Once
	started chan struct{}
	open    chan struct{}

	mu    sync.Mutex
	calls [][]string // the keys of each content read, in order
}

func newGated(st profile.Store) *gated {
	return &gated{Store: st, started: make(chan struct{}), open: make(chan struct{})}
}

func (g *gated) fetch(keys []string) {
	if g.bypass.Load() {
		return
	}
	g.mu.Lock()
	g.calls = append(g.calls, slices.Sorted(slices.Values(keys)))
	g.mu.Unlock()
	g.once.Do(func() { close(g.started) })
	<-g.open
}

func (g *gated) reads() [][]string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.calls)
}

func (g *gated) PersonsByID(ctx context.Context, ids []string) (map[string]*profile.Person, error) {
	g.fetch(ids)
	return g.Store.PersonsByID(ctx, ids)
}

func (g *gated) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	g.fetch(ids)
	return g.Store.AccountsByID(ctx, ids)
}

func (g *gated) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	ks := make([]string, len(keys))
	for i, k := range keys {
		ks[i] = string(k.App) + ":" + k.AppUserID
	}
	g.fetch(ks)
	return g.Store.AccountsByKey(ctx, keys)
}

func (g *gated) SettingsByPerson(ctx context.Context, ids []string) (map[string]*profile.Settings, error) {
	g.fetch(ids)
	return g.Store.SettingsByPerson(ctx, ids)
}

// peekWait is the loaders' batch window in these tests: long, so that a read that
// joined a batch is still waiting when a read that skipped it has returned.
const peekWait = 200 * time.Millisecond

// peekWorld is a memory store with persons, a gated store over it and a cache over that.
type peekWorld struct {
	*world
	gate   *gated
	cached *cache.Store
}

func newPeekWorld(t *testing.T, maxCost int64) *peekWorld {
	t.Helper()
	w := newWorld(t)
	g := newGated(w.store)
	cs, err := cache.New(g, cache.Config{MaxCost: maxCost})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	return &peekWorld{world: w, gate: g, cached: cs}
}

func (w *peekWorld) loaders() *dataloaders.Loaders {
	return dataloaders.New(dataloaders.Readers{Content: w.cached, Fresh: w.store}, peekWait)
}

// fill runs fn (which fills the cache) with the gate bypassed.
func (w *peekWorld) fill(t *testing.T, fn func(ctx context.Context) error) {
	t.Helper()
	w.gate.bypass.Store(true)
	defer w.gate.bypass.Store(false)
	if err := fn(context.Background()); err != nil {
		t.Fatal(err)
	}
	w.cached.Wait()
}

// result is what a load returned.
type result[V any] struct {
	v   V
	err error
}

func goLoad[V any](fn func() (V, error)) <-chan result[V] {
	ch := make(chan result[V], 1)
	go func() {
		v, err := fn()
		ch <- result[V]{v, err}
	}()
	return ch
}

// beforeBatch waits for res and fails the test if the gated store's first fetch (the
// end of a batch window) starts first: res must not have waited for a batch.
func beforeBatch[V any](t *testing.T, g *gated, res <-chan result[V]) V {
	t.Helper()
	select {
	case r := <-res:
		if r.err != nil {
			t.Fatal(r.err)
		}
		return r.v
	case <-g.started:
		t.Fatal("a cached read waited for the batch window")
	}
	panic("unreachable")
}

// TestCachedContentSkipsTheBatchWindow: content the shared cache holds is returned at
// once, while misses issued alongside are still collected into one batch (one call of
// the inner store holding exactly them).
func TestCachedContentSkipsTheBatchWindow(t *testing.T) {
	ctx := context.Background()

	t.Run("Account", func(t *testing.T) {
		w := newPeekWorld(t, 1<<20)
		_, hot := w.person(t, profile.AppFacebook)
		_, cold1 := w.person(t, profile.AppFacebook)
		_, cold2 := w.person(t, profile.AppFacebook)
		w.fill(t, func(ctx context.Context) error { _, err := w.cached.AccountsByID(ctx, []string{hot[0].ID}); return err })
		l := w.loaders()

		miss1 := goLoad(func() (*profile.Account, error) { return l.Account(ctx, cold1[0].ID) })
		miss2 := goLoad(func() (*profile.Account, error) { return l.Account(ctx, cold2[0].ID) })
		a := beforeBatch(t, w.gate, goLoad(func() (*profile.Account, error) { return l.Account(ctx, hot[0].ID) }))
		if a == nil || a.ID != hot[0].ID {
			t.Fatalf("cached account = %+v, want %s", a, hot[0].ID)
		}
		close(w.gate.open)
		for _, ch := range []<-chan result[*profile.Account]{miss1, miss2} {
			if r := <-ch; r.err != nil || r.v == nil {
				t.Fatalf("missed account = %+v, %v", r.v, r.err)
			}
		}
		if got, want := w.gate.reads(), [][]string{slices.Sorted(slices.Values([]string{cold1[0].ID, cold2[0].ID}))}; !slices.EqualFunc(got, want, slices.Equal) {
			t.Errorf("inner reads = %v, want the two misses in one read %v", got, want)
		}
		// The request keeps one answer per key: the cached value, shared and read-only.
		again, err := l.Account(ctx, hot[0].ID)
		if err != nil || again != a {
			t.Errorf("second read = %p, %v; want the request's first answer %p", again, err, a)
		}
	})

	t.Run("Accounts, AccountByKey and AccountsByKey", func(t *testing.T) {
		w := newPeekWorld(t, 1<<20)
		_, hot := w.person(t, profile.AppFacebook, profile.AppInstagram)
		_, cold := w.person(t, profile.AppFacebook, profile.AppInstagram)
		w.fill(t, func(ctx context.Context) error {
			_, err := w.cached.AccountsByKey(ctx, []profile.AccountKey{hot[0].Key(), hot[1].Key()})
			return err
		})
		l := w.loaders()

		missByKey := goLoad(func() (*profile.Account, error) { return l.AccountByKey(ctx, cold[0].Key()) })
		a := beforeBatch(t, w.gate, goLoad(func() (*profile.Account, error) { return l.AccountByKey(ctx, hot[0].Key()) }))
		if a == nil || a.ID != hot[0].ID {
			t.Fatalf("cached account by key = %+v, want %s", a, hot[0].ID)
		}
		as := beforeBatch(t, w.gate, goLoad(func() ([]*profile.Account, error) {
			return l.AccountsByKey(ctx, []profile.AccountKey{hot[1].Key(), hot[0].Key()})
		}))
		if len(as) != 2 || as[0] == nil || as[0].ID != hot[1].ID || as[1] == nil || as[1].ID != hot[0].ID {
			t.Fatalf("cached accounts by key = %+v", as)
		}
		byID := beforeBatch(t, w.gate, goLoad(func() ([]*profile.Account, error) { return l.Accounts(ctx, []string{hot[1].ID}) }))
		if len(byID) != 1 || byID[0] == nil || byID[0].ID != hot[1].ID {
			t.Fatalf("cached account by id = %+v", byID)
		}
		mixed := goLoad(func() ([]*profile.Account, error) {
			return l.Accounts(ctx, []string{hot[0].ID, cold[0].ID, cold[1].ID})
		})
		<-w.gate.started // the first batch (by key or by id) fetches
		close(w.gate.open)
		if r := <-missByKey; r.err != nil || r.v == nil || r.v.ID != cold[0].ID {
			t.Fatalf("missed account by key = %+v, %v", r.v, r.err)
		}
		r := <-mixed
		if r.err != nil || len(r.v) != 3 || r.v[0].ID != hot[0].ID || r.v[1].ID != cold[0].ID || r.v[2].ID != cold[1].ID {
			t.Fatalf("Accounts = %+v, %v", r.v, r.err)
		}
		// No hot key ever reaches the inner store. (How the misses group into reads
		// depends on whether the by-key fetch of cold[0] lands in the shared cache
		// before Accounts looks; the Persons subtest pins down the batching of misses.)
		for _, read := range w.gate.reads() {
			for _, k := range read {
				for _, h := range hot {
					if k == h.ID || k == string(h.App)+":"+h.AppUserID {
						t.Errorf("inner reads %v include the cached %s", w.gate.reads(), k)
					}
				}
			}
		}
	})

	t.Run("Settings", func(t *testing.T) {
		w := newPeekWorld(t, 1<<20)
		pid, _ := w.person(t, profile.AppFacebook)
		w.fill(t, func(ctx context.Context) error { _, err := w.cached.SettingsByPerson(ctx, []string{pid}); return err })
		close(w.gate.open)
		s, err := w.loaders().Settings(ctx, pid)
		if err != nil || s == nil || s.PersonID != pid {
			t.Fatalf("Settings = %+v, %v", s, err)
		}
		if got := w.gate.reads(); len(got) != 0 {
			t.Errorf("inner reads = %v, want none: the cache knows the person has no settings", got)
		}
	})

	t.Run("without a cache every read joins the batch", func(t *testing.T) {
		w := newPeekWorld(t, 0)
		_, accs := w.person(t, profile.AppFacebook)
		id := accs[0].ID
		w.fill(t, func(ctx context.Context) error { _, err := w.cached.AccountsByID(ctx, []string{id}); return err })
		if _, ok := w.cached.PeekAccount(id); ok {
			t.Fatal("a disabled cache answered a peek")
		}
		l := w.loaders()
		res := goLoad(func() (*profile.Account, error) { return l.Account(ctx, id) })
		select {
		case r := <-res:
			t.Fatalf("Account returned %+v, %v before its batch was fetched", r.v, r.err)
		case <-w.gate.started:
		}
		close(w.gate.open)
		if r := <-res; r.err != nil || r.v == nil {
			t.Fatalf("Account = %+v, %v", r.v, r.err)
		}
		if got := w.gate.reads(); len(got) != 1 {
			t.Errorf("inner reads = %v, want 1", got)
		}
	})
}

// TestPeekOverAMemoryStoreIsNotUsed: a content reader that is not a Peeker (the memory
// store without a cache) is read through the loaders as before.
func TestPeekOverAMemoryStoreIsNotUsed(t *testing.T) {
	var r profile.Reader = memory.New()
	if _, ok := r.(dataloaders.Peeker); ok {
		t.Fatal("the memory store is a Peeker")
	}
}
