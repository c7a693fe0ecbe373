// Package cache is profilegraph's shared in-process cache: a decorator of profile.Store
// that keeps hot content (persons, accounts and settings) in a ristretto cache bounded in
// bytes, invalidates it on every write, and hears of other replicas' writes through
// PostgreSQL LISTEN/NOTIFY.
//
// # What is cached, and what never is
//
// Content is cached: PersonsByID, AccountsByID, AccountsByKey (key -> account id ->
// account) and SettingsByPerson, including "absent" answers (every insert invalidates
// its keys). PrivacyByPerson, AccountsByPerson, ConsentsByPerson and Activity always go
// to the inner store, and so do all reads through a Tx. The consent decision takes links
// and consents from ReadFresh, and treats a cached account's link as a claim to check
// against it. ReadFresh is served from the privacy cache only while this replica holds
// a lease and its listener is up, and every write that touches links or consents waits
// for every leased replica's acknowledgement (privacy.go, docs/privacy-cache.md); so
// revokeConsent and unlinkAccount take effect on every replica's next request.
//
// # Invalidation
//
// Store.InTx hands fn a Tx that records what it writes; before fn's transaction
// commits, the keys are published with pg_notify on Channel (delivered by PostgreSQL
// only if the transaction commits), and after the commit they are dropped locally,
// before InTx returns. Every replica runs a listener (Store.Listen) on a dedicated
// connection that drops the keys it hears of. While the listener is not connected the
// cache is bypassed (reads go to the inner store) and it is cleared when the listener
// (re)connects, since notifications may have been missed.
//
// A generation counter, bumped under a write lock by every invalidation, guards against
// a slow read writing back a value an invalidation already removed: a read notes the
// generation before it goes to the inner store and stores what it got only if the
// generation is unchanged, checked and stored under the read lock.
package cache

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/dgraph-io/ristretto/v2"

	"github.com/profilegraph/profilegraph/profile"
)

// Channel is the PostgreSQL notification channel of cache invalidations.
const Channel = "profilegraph_invalidate"

// Config configures New.
type Config struct {
	// MaxCost bounds the cache in bytes: the encoded values, the bookkeeping of each
	// entry and the admission policy's counters (cost.go). 0 disables caching: every
	// read goes to the inner store, but writes are still published so that replicas
	// that do cache hear of them.
	MaxCost int64
	// Logger receives the listener's connection events; nil discards them.
	Logger *slog.Logger
}

// Store is the caching profile.Store. It is safe for concurrent use. A new Store caches
// at once, which is right for a single process (the memory store); with several
// replicas call Listen, which bypasses the cache until its listener is connected.
type Store struct {
	inner  profile.Store
	logger *slog.Logger
	rc     *ristretto.Cache[string, []byte] // nil when caching is disabled; values are encoded (codec.go)

	// mu orders every cache operation against invalidations: Get and the conditional
	// Set run under the read lock; Del, Clear, Close and going on- or offline under the
	// write lock, each bumping gen.
	mu     sync.RWMutex
	gen    uint64
	online bool
	closed bool
	// base accumulates ristretto's metrics across Clear, which resets them.
	base ristrettoCounts

	// uncountedHits and uncountedMisses are the lookups of Peek calls that missed, taken
	// out of ristretto's hit and miss counts: the read that follows such a Peek counts
	// the lookup. Reset with ristretto's counters by Clear.
	uncountedHits, uncountedMisses atomic.Uint64

	clearing              atomic.Bool // set while Clear runs: its OnEvict calls are not evictions
	evictions             atomic.Uint64
	invalidationsReceived atomic.Uint64
	reconnects            atomic.Uint64
	listenerUp            atomic.Bool
	maxCost               int64

	// pv is the privacy cache's lease state; nil unless Listen turned it on.
	pv *privacy
}

var _ profile.Store = (*Store)(nil)

// New returns a Store over inner. It returns an error if cfg.MaxCost is negative or the
// cache cannot be built.
func New(inner profile.Store, cfg Config) (*Store, error) {
	if cfg.MaxCost < 0 {
		return nil, fmt.Errorf("cache: MaxCost %d is negative", cfg.MaxCost)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Store{inner: inner, logger: logger, online: true, maxCost: cfg.MaxCost}
	if cfg.MaxCost == 0 {
		return s, nil
	}
	counters, capacity := sizing(cfg.MaxCost)
	rc, err := ristretto.NewCache(&ristretto.Config[string, []byte]{
		NumCounters: counters,
		MaxCost:     capacity,
		BufferItems: 64,
		Metrics:     true,
		// Costs are bytes, so ristretto's own per-item overhead counts too.
		IgnoreInternalCost: false,
		OnEvict: func(*ristretto.Item[[]byte]) {
			if !s.clearing.Load() {
				s.evictions.Add(1)
			}
		},
	})
	if err != nil {
		return nil, fmt.Errorf("cache: %w", err)
	}
	s.rc = rc
	return s, nil
}

// Close releases the cache; reads afterwards go to the inner store. It does not close
// the inner store.
func (s *Store) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if s.closed {
		return
	}
	if s.rc != nil {
		s.base = s.base.add(s.countsLocked())
	}
	s.closed = true
	if s.rc != nil {
		s.clearing.Store(true)
		s.rc.Close()
		s.clearing.Store(false)
	}
}

// Wait blocks until every value stored so far is visible to reads (ristretto applies
// stores asynchronously). Tests call it where they read right after a read that filled
// the cache.
func (s *Store) Wait() {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.rc != nil && !s.closed {
		s.rc.Wait()
	}
}

// Ping reports whether the inner store is reachable; it returns the inner store's error.
func (s *Store) Ping(ctx context.Context) error { return s.inner.Ping(ctx) }

// Invalidate drops the entries of the given persons, accounts (with their keys) and
// settings, locally. InTx and the listener call it; it is exported for tools that write
// to the database behind the store's back.
func (s *Store) Invalidate(inv Invalidation) {
	keys := inv.cacheKeys()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if s.rc == nil || s.closed {
		return
	}
	for _, k := range keys {
		s.rc.Del(k)
	}
	// ristretto drops a key from its map at once but applies buffered sets later: a set
	// it is applying right now can put the old value back until the delete queued behind
	// it is processed. Wait for that, so that a write's own next read (read-your-writes)
	// and every read after a received invalidation miss.
	s.rc.Wait()
}

// Clear drops every entry, locally.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
}

func (s *Store) clearLocked() {
	s.gen++
	if s.rc == nil || s.closed {
		return
	}
	s.base = s.base.add(s.countsLocked())
	s.clearing.Store(true)
	s.rc.Clear()
	s.uncountedHits.Store(0)
	s.uncountedMisses.Store(0)
	s.clearing.Store(false)
}

// setOnline switches between caching and bypassing; either way the cache is cleared.
func (s *Store) setOnline(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clearLocked()
	s.online = on
}

// entry is one value to store, encoded.
type entry struct {
	key   string
	value []byte
}

// lookup reads keys from the cache under the read lock. It returns the values found
// (nil where missing), the generation to fetch misses at, and whether the cache is in
// use at all (if not, the caller reads the inner store).
func (s *Store) lookup(keys []string) (vals [][]byte, found []bool, gen uint64, on bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.rc == nil || s.closed || !s.online {
		return nil, nil, 0, false
	}
	vals, found = make([][]byte, len(keys)), make([]bool, len(keys))
	for i, k := range keys {
		vals[i], found[i] = s.rc.Get(k)
	}
	return vals, found, s.gen, true
}

// get reads one key from the cache; false when missing or the cache is not in use.
func (s *Store) get(key string) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.rc == nil || s.closed || !s.online {
		return nil, false
	}
	return s.rc.Get(key)
}

// peekID reads the entry of the canonical id under key for a Peek method: the decoded
// value (nil for a cached "absent") and true on a hit. On a miss, a value of another
// kind, a non-canonical id, or when the cache is not in use, it returns false and leaves
// the hit and miss counts as they were, since the caller then reads through the store,
// which counts the lookup.
func peekID[V any](s *Store, id string, key func(string) string, decode func([]byte) (V, bool, bool)) (V, bool) {
	var zero V
	if s.rc == nil {
		return zero, false
	}
	if !profile.IsCanonicalID(id) {
		return zero, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || !s.online {
		return zero, false
	}
	raw, ok := s.rc.Get(key(id))
	if !ok {
		s.uncountedMisses.Add(1)
		return zero, false
	}
	v, absent, ok := decode(raw)
	if !ok {
		s.uncountedHits.Add(1)
		return zero, false
	}
	if absent {
		return zero, true
	}
	return v, true
}

// PeekAccount returns the account with id if the cache holds the answer: a copy of the
// cached account (the caller's own), or nil if the store has none, and true. It returns
// false, without reading the inner store, when the cache does not hold it or is not in
// use (disabled, closed, or bypassed while the listener is down); the caller then reads
// through AccountsByID. A hit counts as one; a miss is not counted, the read that follows
// counts it. Its PersonID and LinkedAt may be stale, as those of AccountsByID. The Peek
// methods are the loaders' fast path (dataloaders.Peeker): a request's single-key reads
// answered from memory without waiting for a batch.
func (s *Store) PeekAccount(id string) (*profile.Account, bool) {
	return peekID(s, id, accountKey, decodeAccount)
}

// PeekSettings is PeekAccount for the stored settings of person personID (nil, true:
// the cache knows the person never wrote settings).
func (s *Store) PeekSettings(personID string) (*profile.Settings, bool) {
	return peekID(s, personID, settingsKey, decodeSettings)
}

// PeekAccountByKey is PeekAccount for the account with key k, through the cached key ->
// id mapping and the cached account, which must still carry k (as AccountsByKey). A
// hit counts the lookups of both entries.
func (s *Store) PeekAccountByKey(k profile.AccountKey) (*profile.Account, bool) {
	if s.rc == nil || !k.App.Valid() {
		return nil, false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || !s.online {
		return nil, false
	}
	raw, ok := s.rc.Get(keyKey(k))
	if !ok {
		s.uncountedMisses.Add(1)
		return nil, false
	}
	id, absent, ok := decodeRef(raw)
	switch {
	case !ok:
		s.uncountedHits.Add(1)
		return nil, false
	case absent:
		return nil, true
	}
	raw, ok = s.rc.Get(accountKey(id))
	if !ok {
		s.uncountedHits.Add(1)
		s.uncountedMisses.Add(1)
		return nil, false
	}
	if a, absent, ok := decodeAccount(raw); ok && !absent && a.Key() == k {
		return a, true
	}
	s.uncountedHits.Add(2)
	return nil, false
}

// store stores entries read at generation gen, unless an invalidation happened since:
// then they may be stale and are dropped.
func (s *Store) store(gen uint64, entries []entry) {
	if len(entries) == 0 {
		return
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.rc == nil || s.closed || !s.online || s.gen != gen {
		return
	}
	for _, e := range entries {
		s.rc.Set(e.key, e.value, valueCost(e.value))
	}
}

// Cache keys. Each kind has its own prefix; ids are canonical UUIDs.
func personKey(id string) string   { return "p:" + id }
func accountKey(id string) string  { return "a:" + id }
func settingsKey(id string) string { return "s:" + id }
func keyKey(k profile.AccountKey) string {
	return "k:" + string(k.App) + ":" + k.AppUserID
}

// readByID is the read-through of the id-keyed kinds: cached values from the cache
// (decoded: the caller's own), the misses from the inner store in one call, stored back
// (encoded, present or absent) under the generation guard. extra adds entries derived
// from a fetched value.
func readByID[V any](ctx context.Context, s *Store, ids []string, key func(string) string,
	fetch func(context.Context, []string) (map[string]V, error),
	encode func(V) []byte, decode func([]byte) (V, bool, bool), extra func(V) []entry,
) (map[string]V, error) {
	ids = profile.CanonicalIDs(ids)
	out := make(map[string]V, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = key(id)
	}
	vals, found, gen, on := s.lookup(keys)
	if !on {
		return fetch(ctx, ids)
	}
	var misses []string
	for i, id := range ids {
		if !found[i] {
			misses = append(misses, id)
			continue
		}
		v, absent, ok := decode(vals[i])
		switch {
		case !ok:
			misses = append(misses, id)
		case !absent:
			out[id] = v
		}
	}
	if len(misses) == 0 {
		return out, nil
	}
	got, err := fetch(ctx, misses)
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(misses))
	for _, id := range misses {
		v, ok := got[id]
		if !ok {
			entries = append(entries, entry{key(id), absentValue})
			continue
		}
		out[id] = v // the cache keeps an encoding, never the value handed out
		entries = append(entries, entry{key(id), encode(v)})
		if extra != nil {
			entries = append(entries, extra(v)...)
		}
	}
	s.store(gen, entries)
	return out, nil
}

// PersonsByID returns the persons with the given ids, from the cache where it holds
// them and from the inner store (one call) for the rest. It returns the inner store's
// error.
func (s *Store) PersonsByID(ctx context.Context, ids []string) (map[string]*profile.Person, error) {
	return readByID(ctx, s, ids, personKey, s.inner.PersonsByID, encodePerson, decodePerson, nil)
}

// AccountsByID returns the accounts with the given ids, from the cache where it holds
// them and from the inner store (one call) for the rest. A cached account's PersonID
// and LinkedAt may be stale: decisions take links from PrivacyByPerson. It returns the
// inner store's error.
func (s *Store) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return readByID(ctx, s, ids, accountKey, s.inner.AccountsByID, encodeAccount, decodeAccount, accountKeyEntries)
}

// SettingsByPerson returns the stored settings of each person, from the cache where it
// holds them and from the inner store (one call) for the rest; persons who never wrote
// settings are absent. It returns the inner store's error.
func (s *Store) SettingsByPerson(ctx context.Context, personIDs []string) (map[string]*profile.Settings, error) {
	return readByID(ctx, s, personIDs, settingsKey, s.inner.SettingsByPerson, encodeSettings, decodeSettings, nil)
}

// accountKeyEntries stores the key -> id mapping of a fetched account.
func accountKeyEntries(a *profile.Account) []entry {
	return []entry{{keyKey(a.Key()), encodeRef(a.ID)}}
}

// AccountsByKey returns the accounts with the given keys: through the cached key -> id
// mapping and the cached account where both are held, else from the inner store (one
// call for all the others). It returns the inner store's error.
func (s *Store) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	out := make(map[profile.AccountKey]*profile.Account, len(keys))
	uniq := make([]profile.AccountKey, 0, len(keys))
	seen := make(map[profile.AccountKey]struct{}, len(keys))
	for _, k := range keys {
		if _, dup := seen[k]; dup || !k.App.Valid() {
			continue
		}
		seen[k] = struct{}{}
		uniq = append(uniq, k)
	}
	if len(uniq) == 0 {
		return out, nil
	}
	ckeys := make([]string, len(uniq))
	for i, k := range uniq {
		ckeys[i] = keyKey(k)
	}
	vals, found, gen, on := s.lookup(ckeys)
	if !on {
		return s.inner.AccountsByKey(ctx, uniq)
	}
	var misses []profile.AccountKey
	for i, k := range uniq {
		if !found[i] {
			misses = append(misses, k)
			continue
		}
		id, absent, ok := decodeRef(vals[i])
		if !ok {
			misses = append(misses, k)
			continue
		}
		if absent {
			continue
		}
		raw, ok := s.get(accountKey(id))
		var a *profile.Account
		if ok {
			a, absent, ok = decodeAccount(raw)
		}
		// The account must still carry this key (an UpdateAccount may have changed it).
		if !ok || absent || a.Key() != k {
			misses = append(misses, k)
			continue
		}
		out[k] = a
	}
	if len(misses) == 0 {
		return out, nil
	}
	got, err := s.inner.AccountsByKey(ctx, misses)
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, 2*len(misses))
	for _, k := range misses {
		a, ok := got[k]
		if !ok {
			entries = append(entries, entry{keyKey(k), absentValue})
			continue
		}
		out[k] = a
		entries = append(entries, entry{keyKey(k), encodeRef(a.ID)}, entry{accountKey(a.ID), encodeAccount(a)})
	}
	s.store(gen, entries)
	return out, nil
}

// AccountsByPerson is never cached: a person's accounts are its links. It returns the
// inner store's result and error.
func (s *Store) AccountsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Account, error) {
	return s.inner.AccountsByPerson(ctx, personIDs)
}

// ConsentsByPerson is never cached. It returns the inner store's result and error.
func (s *Store) ConsentsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Consent, error) {
	return s.inner.ConsentsByPerson(ctx, personIDs)
}

// PrivacyByPerson is never cached: it is what the consent decision trusts. It returns
// the inner store's result and error.
func (s *Store) PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*profile.PrivacyState, error) {
	return s.inner.PrivacyByPerson(ctx, personIDs)
}

// Activity is never cached. It returns the inner store's result and error.
func (s *Store) Activity(ctx context.Context, personID string, beforeSeq int64, limit int) ([]*profile.ActivityEvent, error) {
	return s.inner.Activity(ctx, personID, beforeSeq, limit)
}

// ActivityPages passes through to the inner store (the activity log is not cached),
// which must be a profile.ActivityReader (else INTERNAL). It returns the inner store's
// error.
func (s *Store) ActivityPages(ctx context.Context, pages []profile.ActivityPage) (map[profile.ActivityPage][]*profile.ActivityEvent, error) {
	ar, ok := s.inner.(profile.ActivityReader)
	if !ok {
		return nil, profile.Errorf(profile.Internal, "cache: the inner store cannot read activity pages")
	}
	return ar.ActivityPages(ctx, pages)
}
