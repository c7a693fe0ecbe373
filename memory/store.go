// Package memory is the embedded in-memory implementation of profile.Store, used by
// `go run .` when no DATABASE_URL is set. It keeps the semantics of the PostgreSQL store
// (postgres.Store) so that one contract suite (profile/storetest) runs against both.
//
// The committed state is an immutable snapshot behind an atomic pointer: readers outside
// a transaction load it without locking and never see uncommitted writes. InTx admits one
// writer at a time; the writer works on a private copy-on-write view of the snapshot
// (each map is copied on its first write) and publishes it on commit, so a failed
// transaction leaves no trace. Every value handed in is copied before it is stored and
// every value handed out is a deep copy, so callers can never mutate the store.
package memory

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/profilegraph/profilegraph/profile"
)

// Store is the in-memory profile.Store. The zero value is not usable; call New.
type Store struct {
	committed atomic.Pointer[state]
	// writer is a one-slot semaphore: holding it is being the one writing transaction.
	// A channel rather than a mutex so that waiting honours context cancellation.
	writer chan struct{}
}

var (
	_ profile.Store          = (*Store)(nil)
	_ profile.FreshReader    = (*Store)(nil)
	_ profile.ActivityReader = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	s := &Store{writer: make(chan struct{}, 1)}
	s.committed.Store(newState())
	return s
}

// InTx runs fn in a transaction. Transactions run one at a time (the locks of profile.Tx
// are therefore implicit); reads through the Tx see its own writes, while reads through
// the Store see only committed state. If fn returns an error or panics, nothing it wrote
// persists and InTx returns fn's error unchanged (a panic is re-raised). It returns the
// context's error, wrapped, if ctx ends before the transaction starts or before it
// commits (then nothing persists either, as with PostgreSQL). fn must not call InTx of
// the same store: it would wait for itself until ctx ends.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx profile.Tx) error) error {
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("begin transaction: %w", ctx.Err())
	}
	defer func() { <-s.writer }()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}

	t := newTx(s.committed.Load())
	err := func() error {
		defer t.close()
		return fn(ctx, t)
	}()
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	s.committed.Store(t.st)
	return nil
}

// readCommitted runs f on the committed state, as the Reader methods of Store do; it
// returns only the context's error.
func readCommitted[V any](ctx context.Context, s *Store, f func(*state) V) (V, error) {
	if err := ctx.Err(); err != nil {
		var zero V
		return zero, err
	}
	return f(s.committed.Load()), nil
}

// Ping always reports the store reachable: it returns nil.
func (s *Store) Ping(context.Context) error { return nil }

// PersonsByID returns the persons with the given ids; unknown and malformed ids are
// absent. It returns only the context's error.
func (s *Store) PersonsByID(ctx context.Context, ids []string) (map[string]*profile.Person, error) {
	return readCommitted(ctx, s, func(st *state) map[string]*profile.Person { return st.personsByID(ids) })
}

// AccountsByID returns the accounts with the given ids; unknown and malformed ids are
// absent. It returns only the context's error.
func (s *Store) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return readCommitted(ctx, s, func(st *state) map[string]*profile.Account { return st.accountsByID(ids) })
}

// AccountsByKey returns the accounts with the given keys; unknown keys are absent. It
// returns only the context's error.
func (s *Store) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	return readCommitted(ctx, s, func(st *state) map[profile.AccountKey]*profile.Account { return st.accountsByKey(keys) })
}

// AccountsByPerson returns each person's linked accounts ordered as profile.Apps; persons
// without accounts are absent. It returns only the context's error.
func (s *Store) AccountsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Account, error) {
	return readCommitted(ctx, s, func(st *state) map[string][]*profile.Account { return st.accountsByPerson(personIDs) })
}

// SettingsByPerson returns the stored settings of each person; persons who never wrote
// settings are absent. It returns only the context's error.
func (s *Store) SettingsByPerson(ctx context.Context, personIDs []string) (map[string]*profile.Settings, error) {
	return readCommitted(ctx, s, func(st *state) map[string]*profile.Settings { return st.settingsByPerson(personIDs) })
}

// ConsentsByPerson returns each person's consents, oldest grant first (ties ordered by
// source app, target app, category and purpose); persons without consents are absent.
// It returns only the context's error.
func (s *Store) ConsentsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Consent, error) {
	return readCommitted(ctx, s, func(st *state) map[string][]*profile.Consent { return st.consentsByPerson(personIDs) })
}

// Activity returns up to limit events of the person, newest first, with Seq below
// beforeSeq (beforeSeq <= 0 means from the newest). It returns only the context's error.
func (s *Store) Activity(ctx context.Context, personID string, beforeSeq int64, limit int) ([]*profile.ActivityEvent, error) {
	return readCommitted(ctx, s, func(st *state) []*profile.ActivityEvent { return st.activityOf(personID, beforeSeq, limit) })
}

// PrivacyByPerson returns each person's links (ordered as profile.Apps) and consents
// (oldest grant first) from one committed snapshot; persons with neither are absent. It
// returns only the context's error.
func (s *Store) PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*profile.PrivacyState, error) {
	return readCommitted(ctx, s, func(st *state) map[string]*profile.PrivacyState { return st.privacyByPerson(personIDs) })
}

// ReadFresh returns the viewer's account and the privacy state that q asks for, from
// one committed snapshot. It returns only the context's error.
func (s *Store) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.committed.Load()
	out := &profile.Fresh{}
	ids := append(make([]string, 0, len(q.Persons)+len(q.Accounts)+1), q.Persons...)
	if len(q.Accounts) > 0 {
		out.Accounts = make(map[string]bool, len(q.Accounts))
	}
	for _, id := range q.Accounts {
		a := st.account(id)
		if a != nil {
			out.Accounts[a.ID] = true
		}
		if a != nil && a.PersonID != "" {
			ids = append(ids, a.PersonID)
		}
	}
	if q.Viewer != nil {
		if a := st.accountByKey(*q.Viewer); a != nil {
			out.Viewer = a.Clone()
			if a.PersonID != "" {
				ids = append(ids, a.PersonID)
			}
		}
	}
	out.Privacy = st.privacyByPerson(ids)
	return out, nil
}

// ActivityPages returns the events of each page from one committed snapshot. It returns
// only the context's error.
func (s *Store) ActivityPages(ctx context.Context, pages []profile.ActivityPage) (map[profile.ActivityPage][]*profile.ActivityEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.committed.Load()
	out := make(map[profile.ActivityPage][]*profile.ActivityEvent, len(pages))
	for _, p := range pages {
		out[p] = st.activityOf(p.PersonID, p.BeforeSeq, p.Limit)
	}
	return out, nil
}
