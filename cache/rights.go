package cache

import (
	"context"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// DeleteAccount records the account, its key and its devices (they go with it) and
// deletes it. It is a privacy write: every replica's cached link of the account (which
// says it exists) must go before the deletion returns. It returns the inner Tx's error.
func (r *recorder) DeleteAccount(ctx context.Context, a *profile.Account) error {
	r.note(func(inv *Invalidation) {
		inv.Accounts = append(inv.Accounts, a.ID)
		inv.Keys = append(inv.Keys, a.Key())
	})
	r.notePrivacy()
	return r.Tx.DeleteAccount(ctx, a)
}

// ErasePerson records the person, its settings and every account it unlinks, and
// erases it. It is a privacy write (links and consents go). It returns the inner Tx's
// result and error.
func (r *recorder) ErasePerson(ctx context.Context, personID string, at time.Time) ([]*profile.Account, error) {
	r.note(func(inv *Invalidation) {
		inv.Persons = append(inv.Persons, personID)
		inv.Settings = append(inv.Settings, personID)
	})
	r.notePrivacy(personID)
	accs, err := r.Tx.ErasePerson(ctx, personID, at)
	r.note(func(inv *Invalidation) {
		for _, a := range accs {
			inv.Accounts = append(inv.Accounts, a.ID)
			inv.Keys = append(inv.Keys, a.Key())
		}
	})
	return accs, err
}

// Erasures passes through to the inner store (erasure records are never cached). It
// returns INTERNAL if the inner store keeps none.
func (s *Store) Erasures(ctx context.Context) ([]profile.Erasure, error) {
	er, ok := s.inner.(profile.ErasureReader)
	if !ok {
		return nil, profile.Errorf(profile.Internal, "cache: the store %T keeps no erasure records", s.inner)
	}
	return er.Erasures(ctx)
}
