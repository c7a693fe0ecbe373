package memory

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

var _ profile.ErasureReader = (*Store)(nil)

// DeleteAccount deletes the unlinked account a.ID with its devices, the cross-posts it
// made or received and the login handoffs naming it (as PostgreSQL's ON DELETE
// CASCADE). NOT_FOUND if there is no such account, CONFLICT if it is linked.
func (t *tx) DeleteAccount(ctx context.Context, a *profile.Account) error {
	return t.do(ctx, func() error {
		if a == nil {
			return errors.New("delete account: nil account")
		}
		old := t.st.account(a.ID)
		if old == nil {
			return profile.Errorf(profile.NotFound, "account %q not found", a.ID)
		}
		if old.PersonID != "" {
			return profile.Errorf(profile.Conflict, "account %q is still linked", old.ID)
		}
		delete(t.accounts(), old.ID)
		delete(t.keys(), old.Key())
		if _, ok := t.st.devices[old.ID]; ok {
			delete(ownMap(&t.own.devices, &t.st.devices), old.ID)
		}
		t.deleteCrossPostsTouching(map[string]bool{old.ID: true})
		for k, h := range t.st.handoffs {
			if h.AccountID == old.ID {
				delete(t.handoffs(), k)
			}
		}
		return nil
	})
}

// deleteCrossPostsTouching deletes the cross-posts made by or to any account of ids.
func (t *tx) deleteCrossPostsTouching(ids map[string]bool) {
	for acc, list := range t.st.crossPosts {
		kept := slices.DeleteFunc(slices.Clone(list), func(c *profile.CrossPost) bool {
			return ids[c.AccountID] || ids[c.TargetAccountID]
		})
		if len(kept) == len(list) {
			continue
		}
		cps := ownMap(&t.own.crossPosts, &t.st.crossPosts)
		if len(kept) == 0 {
			delete(cps, acc)
		} else {
			cps[acc] = kept
		}
	}
}

// ErasePerson unlinks the person's accounts, deletes the cross-posts between them, its
// consents, settings, handoffs, activity log and the person, and records the erasure
// (At only). NOT_FOUND if there is no such person.
func (t *tx) ErasePerson(ctx context.Context, personID string, at time.Time) ([]*profile.Account, error) {
	return locked(ctx, t, func() ([]*profile.Account, error) {
		if !t.hasPerson(personID) {
			return nil, profile.Errorf(profile.NotFound, "person %q not found", personID)
		}
		pid := personID
		at = normTime(at)
		linked := t.st.accountsByPerson([]string{pid})[pid]
		ids := make(map[string]bool, len(linked))
		for _, a := range linked {
			ids[a.ID] = true
		}
		t.deleteCrossPostsTouching(ids)
		for _, a := range linked {
			n := a.Clone()
			n.PersonID, n.LinkedAt, n.UpdatedAt = "", nil, at
			t.accounts()[n.ID] = n
		}
		t.deletePersonRows(pid)
		if _, ok := t.st.activity[pid]; ok {
			delete(ownMap(&t.own.activity, &t.st.activity), pid)
			delete(t.ownActivity, pid)
		}
		n := len(t.st.erasures)
		t.st.erasures = append(slices.Clip(t.st.erasures), profile.Erasure{Seq: int64(n + 1), At: at})
		return linked, nil
	})
}

// Erasures returns the committed erasure records, oldest first. It returns only the
// context's error.
func (s *Store) Erasures(ctx context.Context) ([]profile.Erasure, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return slices.Clone(s.committed.Load().erasures), nil
}
