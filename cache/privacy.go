package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profilegraph/profilegraph/profile"
)

// The privacy cache (docs/privacy-cache.md): ReadFresh serves the viewer's account and
// the privacy state of persons from the cache while, and only while, this replica holds
// a lease (replicas table) and its listener is connected; every privacy write waits,
// after its commit, until each replica whose lease is live has acknowledged it or its
// lease has ended.

// AckChannel is the PostgreSQL notification channel of acknowledgements: payload
// "<write id> <replica id>", sent by a replica after it applied the invalidation of
// that write.
const AckChannel = "profilegraph_privacy_ack"

// PrivacyConfig turns on the privacy cache in Store.Listen.
type PrivacyConfig struct {
	// Lease is the lease length L; default 2 s.
	Lease time.Duration
	// Margin is taken off the lease as this replica measures it (from when it sent the
	// renewal, on its monotonic clock); default L/10.
	Margin time.Duration
	// RenewEvery is how often the lease is renewed; default L/4.
	RenewEvery time.Duration
	// Control is the pool that writers use to find the live leases and fence replicas
	// that do not acknowledge in time; required. It should not count as application
	// queries (no query tracer).
	Control *pgxpool.Pool
}

func (c PrivacyConfig) withDefaults() PrivacyConfig {
	if c.Lease <= 0 {
		c.Lease = 2 * time.Second
	}
	if c.Margin <= 0 || c.Margin >= c.Lease/2 {
		c.Margin = c.Lease / 10
	}
	if c.RenewEvery <= 0 || c.RenewEvery > c.Lease/2 {
		c.RenewEvery = c.Lease / 4
	}
	return c
}

// privacy is the lease and acknowledgement state of a Store whose privacy cache is on.
type privacy struct {
	cfg       PrivacyConfig
	replicaID string
	// writerOnly: no cache and no listener, only the writers' side (EnablePrivacyWrites).
	writerOnly bool

	// leaseUntil is, on the monotonic clock, when this replica must stop serving
	// cached privacy state; guarded by Store.mu (set under the write lock, read under
	// either). Zero: no lease.
	leaseUntil time.Time

	wmu     sync.Mutex
	waiters map[string]*ackWaiter

	acksWaited      atomic.Uint64 // acknowledgements a write waited for and received
	expiriesWaited  atomic.Uint64 // leases a write waited out (a replica that did not acknowledge in time)
	servesRefused   atomic.Uint64 // privacy reads not served from the cache for lack of a lease
	served          atomic.Uint64 // privacy reads served wholly from the cache
	partial         atomic.Uint64 // privacy reads served from the cache but for what it missed, read fresh
	leaseRenewals   atomic.Uint64
	leaseLapses     atomic.Uint64 // times the lease was lost (lapsed, fenced, or the listener went down)
	acksSent        atomic.Uint64
	privacyWrites   atomic.Uint64
	writeWaitErrors atomic.Uint64
}

// ackWaiter collects the acknowledgements of one write.
type ackWaiter struct {
	mu    sync.Mutex
	acked map[string]bool
	ch    chan struct{} // signalled (non-blocking) on every acknowledgement
}

func newReplicaID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func newWriteID() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// ReplicaID returns this replica's id in the replicas table ("" while the privacy
// cache is off).
func (s *Store) ReplicaID() string {
	if s.pv == nil {
		return ""
	}
	return s.pv.replicaID
}

// privacyServable reports whether cached privacy state may be served now; the caller
// holds s.mu (either lock).
func (s *Store) privacyServableLocked() bool {
	return s.pv != nil && s.rc != nil && !s.closed && s.online && s.listenerUp.Load() &&
		time.Now().Before(s.pv.leaseUntil)
}

// dropLease stops serving cached privacy state at once.
func (s *Store) dropLease() {
	if s.pv == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.pv.leaseUntil.IsZero() {
		s.pv.leaseLapses.Add(1)
	}
	s.pv.leaseUntil = time.Time{}
}

// grantLease records a lease granted by a statement sent at sent. If the previous lease
// had ended by now (a lapse: writers may have stopped waiting for this replica), the
// whole cache is cleared first, under the same lock, so nothing read before the grant
// is served under it.
func (s *Store) grantLease(sent time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if !now.Before(s.pv.leaseUntil) {
		s.clearLocked()
	}
	s.pv.leaseUntil = sent.Add(s.pv.cfg.Lease - s.pv.cfg.Margin)
	s.pv.leaseRenewals.Add(1)
}

// SQL of the leases. Durations are passed in milliseconds.
const (
	registerSQL = `INSERT INTO replicas (id, lease_expires) VALUES ($1, now() + $2 * interval '1 millisecond')
ON CONFLICT (id) DO UPDATE SET lease_expires = EXCLUDED.lease_expires, fenced = false`
	renewSQL = `UPDATE replicas SET lease_expires = now() + $2 * interval '1 millisecond'
WHERE id = $1 AND NOT fenced AND lease_expires > now()`
	pruneSQL      = `DELETE FROM replicas WHERE lease_expires < now() - interval '1 hour'`
	unregisterSQL = `DELETE FROM replicas WHERE id = $1`
	liveSQL       = `SELECT id::text, (extract(epoch FROM lease_expires - now()) * 1000)::bigint
FROM replicas WHERE lease_expires > now() AND id <> $1`
	fenceSQL = `UPDATE replicas SET fenced = true WHERE id = ANY($1::uuid[]) AND lease_expires > now()
RETURNING id::text, (extract(epoch FROM lease_expires - now()) * 1000)::bigint`
)

// register takes a (new) lease on conn: the listener's connection, already listening.
// The cache is cleared after the grant, so that what it serves under the lease was
// read after a moment when every writer already counted this replica.
func (s *Store) register(ctx context.Context, conn *pgx.Conn) error {
	if _, err := conn.Exec(ctx, pruneSQL); err != nil {
		return fmt.Errorf("prune leases: %w", err)
	}
	sent := time.Now()
	if _, err := conn.Exec(ctx, registerSQL, s.pv.replicaID, s.pv.cfg.Lease.Milliseconds()); err != nil {
		return fmt.Errorf("register lease: %w", err)
	}
	s.dropLease() // a re-registration is a lapse: grantLease clears
	s.grantLease(sent)
	return nil
}

// renew renews the lease on conn; a lease that cannot be renewed (fenced by a writer,
// or ended) is dropped and taken anew, which clears the cache.
func (s *Store) renew(ctx context.Context, conn *pgx.Conn) error {
	rctx, cancel := context.WithTimeout(ctx, s.pv.cfg.Lease-s.pv.cfg.Margin)
	defer cancel()
	sent := time.Now()
	tag, err := conn.Exec(rctx, renewSQL, s.pv.replicaID, s.pv.cfg.Lease.Milliseconds())
	if err != nil {
		return fmt.Errorf("renew lease: %w", err)
	}
	if tag.RowsAffected() == 1 {
		s.grantLease(sent)
		return nil
	}
	s.dropLease()
	s.logger.Warn("privacy cache lease fenced or ended; clearing and registering again")
	return s.register(rctx, conn)
}

// unregister gives the lease up on a clean stop, after the cache went offline, so
// that writers stop waiting for this replica at once.
func (s *Store) unregister(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, _ = conn.Exec(ctx, unregisterSQL, s.pv.replicaID)
}

// ack acknowledges write id on conn, after its invalidation was applied.
func (s *Store) ack(ctx context.Context, conn *pgx.Conn, writeID string) error {
	if _, err := conn.Exec(ctx, "SELECT pg_notify($1, $2)", AckChannel, writeID+" "+s.pv.replicaID); err != nil {
		return fmt.Errorf("acknowledge write: %w", err)
	}
	s.pv.acksSent.Add(1)
	return nil
}

// receivedAck hands an acknowledgement to the write waiting for it, if any.
func (s *Store) receivedAck(payload string) {
	writeID, replica, ok := strings.Cut(payload, " ")
	if !ok {
		return
	}
	s.pv.wmu.Lock()
	w := s.pv.waiters[writeID]
	s.pv.wmu.Unlock()
	if w == nil {
		return
	}
	w.mu.Lock()
	w.acked[replica] = true
	w.mu.Unlock()
	select {
	case w.ch <- struct{}{}:
	default:
	}
}

// startWrite registers a waiter for a new privacy write, before it commits (an
// acknowledgement may come right after the commit). It returns "" when the privacy
// cache is off.
func (s *Store) startWrite() string {
	if s.pv == nil {
		return ""
	}
	id := newWriteID()
	s.pv.wmu.Lock()
	s.pv.waiters[id] = &ackWaiter{acked: map[string]bool{}, ch: make(chan struct{}, 1)}
	s.pv.wmu.Unlock()
	return id
}

func (s *Store) endWrite(id string) {
	s.pv.wmu.Lock()
	delete(s.pv.waiters, id)
	s.pv.wmu.Unlock()
}

// awaitWrite waits, after the commit of privacy write id (already invalidated locally),
// until every other replica whose lease is live has acknowledged it or its lease has
// ended. A replica that has not acknowledged when its lease (as read) ends is fenced,
// so that it cannot renew, and its lease as it then stands is waited out. It returns
// an error only if the leases cannot be read (then it has waited one lease length).
func (s *Store) awaitWrite(ctx context.Context, id string) error {
	defer s.endWrite(id)
	s.pv.privacyWrites.Add(1)
	ctx = context.WithoutCancel(ctx) // the write is committed: its promise is kept whatever the caller does
	s.pv.wmu.Lock()
	w := s.pv.waiters[id]
	s.pv.wmu.Unlock()
	deadlines, err := s.leases(ctx, liveSQL, s.pv.replicaID)
	if err != nil {
		s.pv.writeWaitErrors.Add(1)
		time.Sleep(s.pv.cfg.Lease)
		return profile.Errorf(profile.Internal, "privacy write committed, but the replicas' leases could not be read: %v", err)
	}
	fenced := map[string]bool{}
	if s.pv.writerOnly {
		// No listener hears acknowledgements: fence every leased replica at once.
		now := time.Now()
		for r := range deadlines {
			deadlines[r] = now
		}
	}
	for len(deadlines) > 0 {
		w.mu.Lock()
		for r := range deadlines {
			if w.acked[r] {
				delete(deadlines, r)
				s.pv.acksWaited.Add(1)
			}
		}
		w.mu.Unlock()
		if len(deadlines) == 0 {
			break
		}
		now := time.Now()
		var due []string
		next := time.Time{}
		for r, d := range deadlines {
			if !now.Before(d) {
				if fenced[r] {
					delete(deadlines, r) // fenced: its lease cannot have been renewed since
					s.pv.expiriesWaited.Add(1)
					continue
				}
				due = append(due, r)
			} else if next.IsZero() || d.Before(next) {
				next = d
			}
		}
		if len(due) > 0 {
			still, err := s.leases(ctx, fenceSQL, due)
			if err != nil {
				s.pv.writeWaitErrors.Add(1)
				time.Sleep(s.pv.cfg.Lease)
				return profile.Errorf(profile.Internal, "privacy write committed, but a replica could not be fenced: %v", err)
			}
			for _, r := range due {
				fenced[r] = true
				if d, ok := still[r]; ok {
					deadlines[r] = d
					if next.IsZero() || d.Before(next) {
						next = d
					}
				} else {
					delete(deadlines, r)
					s.pv.expiriesWaited.Add(1)
				}
			}
			continue
		}
		if len(deadlines) == 0 {
			break
		}
		t := time.NewTimer(time.Until(next))
		select {
		case <-w.ch:
		case <-t.C:
		}
		t.Stop()
	}
	return nil
}

// leases runs a statement that returns (replica id, milliseconds of lease left) on the
// control pool and turns the durations into deadlines on this replica's monotonic
// clock, measured from when the answer arrived (never earlier than the database's).
func (s *Store) leases(ctx context.Context, sql string, arg any) (map[string]time.Time, error) {
	qctx, cancel := context.WithTimeout(ctx, s.pv.cfg.Lease)
	defer cancel()
	rows, err := s.pv.cfg.Control.Query(qctx, sql, arg)
	if err != nil {
		return nil, err
	}
	type lease struct {
		id string
		ms int64
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (lease, error) {
		var l lease
		err := r.Scan(&l.id, &l.ms)
		return l, err
	})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	out := make(map[string]time.Time, len(got))
	for _, l := range got {
		// One millisecond more for the rounding of the duration.
		out[l.id] = now.Add(time.Duration(l.ms+1) * time.Millisecond)
	}
	return out, nil
}

// Privacy cache keys: the viewer's account by key, a person's privacy state, and the
// person an account is linked to.
func privacyKey(id string) string { return "pv:" + id }
func linkKey(id string) string    { return "pl:" + id }
func viewerKey(k profile.AccountKey) string {
	return "pk:" + string(k.App) + ":" + k.AppUserID
}

// ReadFresh serves q from the privacy cache when this replica holds a lease and its
// listener is connected: what is cached comes from the cache, and only what is missing
// (the viewer's account, persons' states, accounts' links) is read from the inner store,
// in one round trip (it must be a profile.FreshReader, else INTERNAL), and filled under
// the generation guard. If what it would serve disagrees (a link, cached or read, names
// a person whose state does not link the account: a write is in flight), the whole
// query is read fresh. Without a lease, or without the privacy cache, it passes through. It returns
// the inner store's error.
func (s *Store) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	fr, ok := s.inner.(profile.FreshReader)
	if !ok {
		return nil, profile.Errorf(profile.Internal, "cache: the inner store cannot read fresh state")
	}
	if s.pv == nil || s.rc == nil {
		return fr.ReadFresh(ctx, q)
	}
	persons, accounts := profile.CanonicalIDs(q.Persons), profile.CanonicalIDs(q.Accounts)
	var viewer *profile.AccountKey
	if q.Viewer != nil && q.Viewer.App.Valid() {
		viewer = q.Viewer
	}
	out, miss, gen, servable := s.privacyLookup(viewer, persons, accounts)
	switch {
	case !servable:
	case miss.none():
		if linksAgree(out, miss.links) {
			s.pv.served.Add(1)
			return out, nil
		}
	case miss.found > 0:
		// A partial hit: read what is missing, then check the parts agree.
		part := profile.FreshQuery{Persons: miss.persons, Accounts: miss.accounts}
		if miss.viewer {
			part.Viewer = viewer
		}
		got, err := fr.ReadFresh(ctx, part)
		if err != nil {
			return nil, err
		}
		if merged, ok := mergeFresh(out, got, miss); ok {
			s.pv.partial.Add(1)
			s.store(gen, privacyEntries(got, part.Viewer, miss.persons, miss.accounts))
			return merged, nil
		}
	}
	got, err := fr.ReadFresh(ctx, q)
	if err != nil {
		return nil, err
	}
	s.store(gen, privacyEntries(got, viewer, persons, accounts))
	return got, nil
}

// privacyMiss is what a privacy lookup did not find in the cache.
type privacyMiss struct {
	viewer   bool     // the viewer's account
	persons  []string // persons' states (asked, or named by a cached link or the viewer)
	accounts []string // accounts' links
	// links are the (account, person) pairs of the cached links, to check against the
	// states read.
	links [][2]string
	found int // entries found
}

func (m *privacyMiss) none() bool { return !m.viewer && len(m.persons) == 0 && len(m.accounts) == 0 }

// privacyLookup assembles q from the cache under the read lock: what it found, what it
// did not, the generation to fill at, and whether cached state may be served at all.
func (s *Store) privacyLookup(viewer *profile.AccountKey, persons, accounts []string) (*profile.Fresh, privacyMiss, uint64, bool) {
	var miss privacyMiss
	s.mu.RLock()
	defer s.mu.RUnlock()
	gen := s.gen
	if !s.privacyServableLocked() {
		if s.rc != nil && !s.closed {
			s.pv.servesRefused.Add(1)
		}
		return nil, miss, gen, false
	}
	out := &profile.Fresh{Privacy: make(map[string]*profile.PrivacyState, len(persons)+len(accounts)+1)}
	want := make([]string, 0, len(persons)+len(accounts)+1)
	want = append(want, persons...)
	if viewer != nil {
		a, absent, ok := decodeAccount(s.getLocked(viewerKey(*viewer)))
		switch {
		case !ok || (!absent && a.Key() != *viewer):
			miss.viewer = true
		case !absent:
			out.Viewer = a
			if a.PersonID != "" {
				want = append(want, a.PersonID)
			}
			fallthrough
		default:
			miss.found++
		}
	}
	if len(accounts) > 0 {
		out.Accounts = make(map[string]bool, len(accounts))
	}
	for _, id := range accounts {
		p, absent, ok := decodeRef(s.getLocked(linkKey(id)))
		switch {
		case !ok:
			miss.accounts = append(miss.accounts, id)
		case absent: // no such account (deleted, or never was)
			miss.found++
		default: // the account exists; its person, "" when unlinked
			miss.found++
			out.Accounts[id] = true
			if p != "" {
				want = append(want, p)
				if miss.links == nil {
					miss.links = make([][2]string, 0, len(accounts)) // one allocation, not one per doubling
				}
				miss.links = append(miss.links, [2]string{id, p})
			}
		}
	}
	for _, id := range want {
		// want repeats the persons several accounts link (and the viewer's), whose
		// states are present: out.Privacy and the few misses tell them, without a set
		// per lookup. A repeated absent state is looked up again, which is harmless.
		if _, done := out.Privacy[id]; done || slices.Contains(miss.persons, id) {
			continue
		}
		st, absent, ok := decodePrivacy(s.getLocked(privacyKey(id)))
		switch {
		case !ok:
			miss.persons = append(miss.persons, id)
		case !absent:
			out.Privacy[id] = st
			fallthrough
		default:
			miss.found++
		}
	}
	return out, miss, gen, true
}

// getLocked is rc.Get for a caller holding s.mu: the value, or nil (which decodes as a miss).
func (s *Store) getLocked(key string) []byte {
	v, _ := s.rc.Get(key)
	return v
}

// mergeFresh adds the read part got (what miss named) to the cached part out. It fails
// if a link, cached or read, names a person whose state does not link the account.
func mergeFresh(out, got *profile.Fresh, miss privacyMiss) (*profile.Fresh, bool) {
	if miss.viewer {
		out.Viewer = got.Viewer
	}
	for id, st := range got.Privacy {
		out.Privacy[id] = st
	}
	for _, id := range miss.accounts {
		if got.Accounts == nil || got.Accounts[id] {
			out.Accounts[id] = true
		}
		// Whoever links the account now, by the read, is the only one in the merge.
		for pid, st := range out.Privacy {
			if st.Link(id) != nil && got.Privacy[pid].Link(id) == nil {
				return nil, false
			}
		}
	}
	if !linksAgree(out, miss.links) {
		return nil, false
	}
	return out, true
}

// linksAgree reports whether the state of the person each cached link names (links:
// account, person), and that of the viewer's person, links the account: entries
// cached by different reads, or a cached one and a fresh one, may disagree while a
// write is in flight, and then the query is read whole.
func linksAgree(f *profile.Fresh, links [][2]string) bool {
	for _, l := range links {
		if f.Privacy[l[1]].Link(l[0]) == nil {
			return false
		}
	}
	v := f.Viewer
	return v == nil || v.PersonID == "" || f.Privacy[v.PersonID].Link(v.ID) != nil
}

// privacyEntries are the cache entries of a fresh read: the viewer's account (or its
// absence), the link of each asked account (its person, "" when it exists unlinked, or
// absent when there is no such account), and the state of each person asked or named
// (absent: no links, no consents). Values are stored encoded: got goes to the caller.
func privacyEntries(got *profile.Fresh, viewer *profile.AccountKey, persons, accounts []string) []entry {
	entries := make([]entry, 0, len(persons)+2*len(accounts)+2)
	named := append([]string(nil), persons...)
	if viewer != nil {
		if got.Viewer == nil {
			entries = append(entries, entry{viewerKey(*viewer), absentValue})
		} else {
			entries = append(entries, entry{viewerKey(*viewer), encodeAccount(got.Viewer)})
			if got.Viewer.PersonID != "" {
				named = append(named, got.Viewer.PersonID)
			}
		}
	}
	for _, id := range accounts {
		if got.Accounts != nil && !got.Accounts[id] {
			// No such account now (deleteAppAccount): cached as absent.
			entries = append(entries, entry{linkKey(id), absentValue})
			continue
		}
		person := ""
		for pid, st := range got.Privacy {
			if st.Link(id) != nil {
				person = pid
				break
			}
		}
		entries = append(entries, entry{linkKey(id), encodeRef(person)})
		if person != "" {
			named = append(named, person)
		}
	}
	seen := map[string]bool{}
	for _, id := range named {
		if seen[id] {
			continue
		}
		seen[id] = true
		st := got.Privacy[id]
		if st == nil {
			entries = append(entries, entry{privacyKey(id), absentValue})
			continue
		}
		entries = append(entries, entry{privacyKey(id), encodePrivacy(st)})
	}
	return entries
}

// enablePrivacy turns the privacy cache on (Listen, before its goroutine starts).
func (s *Store) enablePrivacy(cfg PrivacyConfig) {
	s.pv = &privacy{cfg: cfg.withDefaults(), replicaID: newReplicaID(), waiters: map[string]*ackWaiter{}}
}

// EnablePrivacyWrites is for a replica that does not cache (CACHE_MAX_COST=0) on a
// database that others may cache privacy state of: its privacy writes still wait, after
// their commit, for every leased replica, which it cannot hear acknowledge (it does not
// listen), so it fences them at once and waits their leases out. On a database where no
// replica holds a lease this costs one query per privacy write. Call it before serving.
func (s *Store) EnablePrivacyWrites(cfg PrivacyConfig) {
	if s.rc != nil {
		return // Listen with Privacy does this and more
	}
	s.enablePrivacy(cfg)
	s.pv.writerOnly = true
}
