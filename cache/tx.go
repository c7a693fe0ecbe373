package cache

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profilegraph/profilegraph/profile"
)

// Invalidation names what a write changed, in terms of the cached kinds. It is also the
// JSON payload of a notification on Channel.
type Invalidation struct {
	Persons  []string             `json:"p,omitempty"`
	Accounts []string             `json:"a,omitempty"`
	Keys     []profile.AccountKey `json:"k,omitempty"`
	Settings []string             `json:"s,omitempty"`
	// Privacy are persons whose links or consents changed: their cached privacy state
	// goes (the links of Accounts and the viewer entries of Keys go with them).
	Privacy []string `json:"pp,omitempty"`
	// AllPrivacy says a write touched links or consents that it could not name: every
	// replica clears its cache.
	AllPrivacy bool `json:"-"`
}

// Empty reports whether inv names nothing.
func (inv Invalidation) Empty() bool {
	return len(inv.Persons)+len(inv.Accounts)+len(inv.Keys)+len(inv.Settings)+len(inv.Privacy) == 0 && !inv.AllPrivacy
}

// writeAck is the payload that ends a privacy write's notifications: the replicas
// acknowledge write id W once they have applied every payload before it.
type writeAck struct {
	W string `json:"w"`
}

func (inv Invalidation) cacheKeys() []string {
	keys := make([]string, 0, len(inv.Persons)+2*len(inv.Accounts)+len(inv.Keys)+len(inv.Settings))
	for _, id := range inv.Persons {
		keys = append(keys, personKey(id))
	}
	for _, id := range inv.Accounts {
		// An account's devices are part of its content: they go with it.
		// So is the person it is linked to, as the privacy cache knows it.
		keys = append(keys, accountKey(id), devicesKey(id), linkKey(id))
	}
	for _, k := range inv.Keys {
		keys = append(keys, keyKey(k), viewerKey(k))
	}
	for _, id := range inv.Settings {
		keys = append(keys, settingsKey(id))
	}
	for _, id := range inv.Privacy {
		keys = append(keys, privacyKey(id))
	}
	return keys
}

// Payload limits: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. A write
// that needs more than maxPayloads notifications sends payloadAll instead, which makes
// every replica clear its cache.
const (
	maxPayloadBytes = 7900
	maxPayloads     = 16
	payloadAll      = "all"
)

// Payloads encodes inv as notification payloads, each under the PostgreSQL limit; a
// huge invalidation becomes the single payload "all". It returns an error only if
// encoding fails.
func (inv Invalidation) Payloads() ([]string, error) {
	if inv.Empty() {
		return nil, nil
	}
	if inv.AllPrivacy {
		return []string{payloadAll}, nil
	}
	whole, err := json.Marshal(inv)
	if err != nil {
		return nil, fmt.Errorf("encode invalidation: %w", err)
	}
	if len(whole) < maxPayloadBytes {
		return []string{string(whole)}, nil
	}
	// Split item by item; each item is far below the limit (an appUserId is bounded).
	var out []string
	var cur Invalidation
	size := 2 // {}
	flush := func() error {
		if cur.Empty() {
			return nil
		}
		b, err := json.Marshal(cur)
		if err != nil {
			return fmt.Errorf("encode invalidation: %w", err)
		}
		out = append(out, string(b))
		cur, size = Invalidation{}, 2
		return nil
	}
	add := func(item any, put func()) error {
		b, err := json.Marshal(item)
		if err != nil {
			return fmt.Errorf("encode invalidation: %w", err)
		}
		// Item, separator, and at worst a new field name like `"p":[]`.
		n := len(b) + 1 + 8
		if size+n >= maxPayloadBytes {
			if err := flush(); err != nil {
				return err
			}
		}
		put()
		size += n
		return nil
	}
	for _, id := range inv.Persons {
		if err := add(id, func() { cur.Persons = append(cur.Persons, id) }); err != nil {
			return nil, err
		}
	}
	for _, id := range inv.Accounts {
		if err := add(id, func() { cur.Accounts = append(cur.Accounts, id) }); err != nil {
			return nil, err
		}
	}
	for _, k := range inv.Keys {
		if err := add(k, func() { cur.Keys = append(cur.Keys, k) }); err != nil {
			return nil, err
		}
	}
	for _, id := range inv.Settings {
		if err := add(id, func() { cur.Settings = append(cur.Settings, id) }); err != nil {
			return nil, err
		}
	}
	for _, id := range inv.Privacy {
		if err := add(id, func() { cur.Privacy = append(cur.Privacy, id) }); err != nil {
			return nil, err
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	if len(out) > maxPayloads {
		return []string{payloadAll}, nil
	}
	return out, nil
}

// Notifier is implemented by a profile.Tx that can publish notifications which the
// database delivers only if the transaction commits (postgres). A Tx without it (the
// memory store's) publishes nothing: there is only one process to invalidate.
type Notifier interface {
	Notify(ctx context.Context, channel string, payloads ...string) error
}

// InTx runs fn in a transaction of the inner store through a Tx that records what fn
// writes. Before the transaction commits it publishes the changed keys on Channel (one
// round trip, only when fn wrote something cached); after it, it drops them from this
// replica's cache, before returning. A privacy write (one that the recorder saw touch
// links or consents: every such Tx method notes it) also publishes a write id, and after
// its commit InTx waits until every other replica whose lease is live has acknowledged it
// or its lease has ended (docs/privacy-cache.md). Reads through the Tx are never cached.
// It returns fn's error unchanged, the inner store's, or a publishing error (then nothing
// is committed), or, after a commit, an INTERNAL error if the leases could not be read.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx profile.Tx) error) error {
	var rec *recorder
	writeID := ""
	err := s.inner.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		rec = &recorder{Tx: tx, linkOf: map[string]lockedLink{}}
		if err := fn(ctx, rec); err != nil {
			return err
		}
		inv := rec.invalidation()
		n, ok := tx.(Notifier)
		if !ok || inv.Empty() {
			return nil
		}
		payloads, err := inv.Payloads()
		if err != nil {
			return err
		}
		if rec.touchesPrivacy() && s.pv != nil {
			if writeID == "" {
				writeID = s.startWrite()
			}
			b, err := json.Marshal(writeAck{W: writeID})
			if err != nil {
				return fmt.Errorf("encode write id: %w", err)
			}
			payloads = append(payloads, string(b))
		}
		if err := n.Notify(ctx, Channel, payloads...); err != nil {
			return fmt.Errorf("publish cache invalidation: %w", err)
		}
		return nil
	})
	// Even after an error: a commit whose acknowledgement was lost may have happened.
	if rec != nil {
		if inv := rec.invalidation(); !inv.Empty() {
			if inv.AllPrivacy {
				s.Clear()
			} else {
				s.Invalidate(inv)
			}
		}
	}
	if writeID != "" {
		// Wait even after an error: the commit may have happened.
		if werr := s.awaitWrite(ctx, writeID); werr != nil && err == nil {
			err = werr
		}
	}
	return err
}

// recorder is the Tx that InTx hands to fn: the inner Tx, noting the cached kinds that
// each write changes. A Tx may be used by several goroutines of fn.
type recorder struct {
	profile.Tx
	mu  sync.Mutex
	inv Invalidation
	// privacy is set by every write that touches links or consents.
	privacy bool
	// linkOf is the link and key of each account locked in this transaction, as locked.
	linkOf map[string]lockedLink
}

// lockedLink is what a lock read of an account said about its link and key.
type lockedLink struct {
	person string
	key    profile.AccountKey
	// birthdate is the account's birthdate as locked: it is part of its person's privacy
	// state (the reconciled age of SPEC §5 rule 6).
	birthdate profile.Date
}

// notePrivacy records a write that touches the links or consents of persons (empty
// ids are ignored). Every Tx method that writes links or consents must call it: that
// makes the write wait for every leased replica's acknowledgement.
func (r *recorder) notePrivacy(persons ...string) {
	r.note(func(inv *Invalidation) {
		for _, p := range persons {
			if p != "" {
				inv.Privacy = append(inv.Privacy, p)
			}
		}
	})
	r.mu.Lock()
	r.privacy = true
	r.mu.Unlock()
}

func (r *recorder) touchesPrivacy() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.privacy
}

func (r *recorder) noteLocked(accs ...*profile.Account) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range accs {
		if a != nil {
			l := lockedLink{person: a.PersonID, key: a.Key()}
			if a.Birthdate != nil {
				l.birthdate = *a.Birthdate
			}
			r.linkOf[a.ID] = l
		}
	}
}

// LockAccounts locks the accounts and notes their links. It returns the inner Tx's
// result and error.
func (r *recorder) LockAccounts(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	got, err := r.Tx.LockAccounts(ctx, ids)
	for _, a := range got {
		r.noteLocked(a)
	}
	return got, err
}

// LockAccountByKey locks the account and notes its link. It returns the inner Tx's
// result and error.
func (r *recorder) LockAccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	a, err := r.Tx.LockAccountByKey(ctx, key)
	r.noteLocked(a)
	return a, err
}

func (r *recorder) note(f func(inv *Invalidation)) {
	r.mu.Lock()
	f(&r.inv)
	r.mu.Unlock()
}

// invalidation returns the distinct keys written so far.
func (r *recorder) invalidation() Invalidation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return Invalidation{
		Persons:    distinct(r.inv.Persons),
		Accounts:   distinct(r.inv.Accounts),
		Keys:       distinct(r.inv.Keys),
		Settings:   distinct(r.inv.Settings),
		Privacy:    distinct(r.inv.Privacy),
		AllPrivacy: r.inv.AllPrivacy,
	}
}

func distinct[T comparable](xs []T) []T {
	var out []T
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// InsertAccount records the account's id and key (a cached "absent" for either is now
// wrong) and inserts it. It is a privacy write (a new account and maybe a new link). It
// returns the inner Tx's error.
func (r *recorder) InsertAccount(ctx context.Context, a *profile.Account) error {
	err := r.Tx.InsertAccount(ctx, a) // fills in a.ID when empty
	r.note(func(inv *Invalidation) {
		inv.Accounts = append(inv.Accounts, a.ID)
		inv.Keys = append(inv.Keys, a.Key())
	})
	r.notePrivacy(a.PersonID)
	return err
}

// UpdateAccount records the account's id and key and updates it. It is a privacy write
// when the link changes from what the account's lock read said (both persons' states
// go), or when the account was not locked in this transaction (then every replica
// clears, since the old link is unknown). It returns the inner Tx's error.
func (r *recorder) UpdateAccount(ctx context.Context, a *profile.Account) error {
	r.note(func(inv *Invalidation) {
		inv.Accounts = append(inv.Accounts, a.ID)
		inv.Keys = append(inv.Keys, a.Key())
	})
	r.mu.Lock()
	was, locked := r.linkOf[a.ID]
	r.mu.Unlock()
	switch {
	case !locked:
		r.note(func(inv *Invalidation) { inv.AllPrivacy = true })
		r.notePrivacy()
	case was.person != a.PersonID || was.key != a.Key():
		r.note(func(inv *Invalidation) { inv.Keys = append(inv.Keys, was.key) })
		r.notePrivacy(was.person, a.PersonID)
	case a.PersonID != "" && was.birthdate != birthdateOf(a):
		// A birthdate that changes the person's reconciled age (a minor now) withdraws
		// data like a revoke: it waits for every leased replica too.
		r.notePrivacy(a.PersonID)
	}
	err := r.Tx.UpdateAccount(ctx, a)
	if err == nil && locked {
		r.noteLocked(a)
	}
	return err
}

// InsertPerson records the person and inserts it. It returns the inner Tx's error.
func (r *recorder) InsertPerson(ctx context.Context, p *profile.Person) error {
	err := r.Tx.InsertPerson(ctx, p) // fills in p.ID when empty
	r.note(func(inv *Invalidation) { inv.Persons = append(inv.Persons, p.ID) })
	return err
}

// DeletePerson records the person and its settings (they go with it) and deletes it.
// It is a privacy write (its consents go). It returns the inner Tx's error.
func (r *recorder) DeletePerson(ctx context.Context, id string) error {
	r.note(func(inv *Invalidation) {
		inv.Persons = append(inv.Persons, id)
		inv.Settings = append(inv.Settings, id)
	})
	r.notePrivacy(id)
	return r.Tx.DeletePerson(ctx, id)
}

// PutSettings records the person's settings and stores them. It returns the inner Tx's
// error.
func (r *recorder) PutSettings(ctx context.Context, st *profile.Settings) error {
	r.note(func(inv *Invalidation) { inv.Settings = append(inv.Settings, st.PersonID) })
	return r.Tx.PutSettings(ctx, st)
}

// PutConsent is a privacy write of the consent's person. It returns the inner Tx's
// result and error.
func (r *recorder) PutConsent(ctx context.Context, c *profile.Consent) (*profile.Consent, error) {
	r.notePrivacy(c.PersonID)
	return r.Tx.PutConsent(ctx, c)
}

// DeleteConsent is a privacy write of the person. It returns the inner Tx's result and
// error.
func (r *recorder) DeleteConsent(ctx context.Context, personID string, key profile.ConsentKey) (bool, error) {
	r.notePrivacy(personID)
	return r.Tx.DeleteConsent(ctx, personID, key)
}

// DeleteConsentsNaming is a privacy write of the person. It returns the inner Tx's
// result and error.
func (r *recorder) DeleteConsentsNaming(ctx context.Context, personID string, app profile.App) (int, error) {
	r.notePrivacy(personID)
	return r.Tx.DeleteConsentsNaming(ctx, personID, app)
}

// Activity, handoffs, devices and cross-posts touch neither the cached content kinds
// nor links or consents, except as listed in recorderPassThrough (tx_test.go asserts
// that every Tx method is either recorded here or listed there).

// Execer runs one statement: a *pgx.Conn, a *pgxpool.Pool or a pgx.Tx.
type Execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// PublishClearAll tells every listening replica to clear its whole cache. Tools that
// write to the database behind the stores' back (a COPY, a manual fix) call it after
// their writes; inside a transaction it is delivered on commit. It returns the
// database's error, wrapped.
func PublishClearAll(ctx context.Context, db Execer) error {
	if _, err := db.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, payloadAll); err != nil {
		return fmt.Errorf("publish cache clear: %w", err)
	}
	return nil
}

func birthdateOf(a *profile.Account) profile.Date {
	if a.Birthdate == nil {
		return profile.Date{}
	}
	return *a.Birthdate
}
