package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profilegraph/profilegraph/profile"
)

// The writes of the person's rights (SPEC §6 "Deletion by the app", "Erasure").
const (
	// deleteAccountSQL deletes an unlinked account and reports (deleted, exists). Its
	// devices, the cross-posts it made or received and the handoffs naming it cascade.
	deleteAccountSQL = `
WITH del AS (
    DELETE FROM accounts WHERE id = $1 AND person_id IS NULL RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM del), EXISTS (SELECT 1 FROM accounts WHERE id = $1)`
	eraseLockAccountsSQL = `SELECT ` + accountColumns + ` FROM accounts
WHERE person_id = $1 ORDER BY id FOR UPDATE`
	eraseCrossPostsSQL = `DELETE FROM cross_posts
WHERE account_id IN (SELECT id FROM accounts WHERE person_id = $1)
   OR target_account_id IN (SELECT id FROM accounts WHERE person_id = $1)`
	eraseUnlinkSQL   = `UPDATE accounts SET person_id = NULL, linked_at = NULL, updated_at = $2 WHERE person_id = $1`
	eraseActivitySQL = `DELETE FROM activity WHERE person_id = $1`
	// Settings, consents and login handoffs cascade.
	erasePersonSQL   = `DELETE FROM persons WHERE id = $1`
	insertErasureSQL = `INSERT INTO erasures (erased_at) VALUES ($1)`
	erasuresSQL      = `SELECT seq, erased_at FROM erasures ORDER BY seq`
)

// DeleteAccount deletes the unlinked account a.ID with its devices, the cross-posts it
// made or received and the handoffs naming it, in one round trip. NOT_FOUND if there is
// no such account, CONFLICT if it is still linked; other errors are wrapped (INTERNAL).
func (t *tx) DeleteAccount(ctx context.Context, a *profile.Account) error {
	if a == nil || !profile.IsCanonicalID(a.ID) {
		return profile.Errorf(profile.NotFound, "account not found")
	}
	var deleted, exists bool
	_, err := t.write(ctx, deleteAccountSQL, []any{a.ID}, func(row pgx.Row) error { return row.Scan(&deleted, &exists) })
	switch {
	case err != nil:
		return translate(err, "delete account", a.App)
	case deleted:
		return nil
	case exists:
		return profile.Errorf(profile.Conflict, "account %q is still linked", a.ID)
	default:
		return profile.Errorf(profile.NotFound, "account %q not found", a.ID)
	}
}

// ErasePerson erases the person in two round trips: it locks the person's accounts, then
// deletes the cross-posts between them, unlinks them, deletes the activity log and the
// person (settings, consents and handoffs cascade) and stores the erasure record, as one
// batch. NOT_FOUND if there is no such person; other errors are wrapped (INTERNAL).
func (t *tx) ErasePerson(ctx context.Context, personID string, at time.Time) ([]*profile.Account, error) {
	if !profile.IsCanonicalID(personID) {
		return nil, profile.Errorf(profile.NotFound, "person %q not found", personID)
	}
	accs, err := queryAccounts(ctx, t.tx, "erase person: lock accounts", eraseLockAccountsSQL, personID)
	if err != nil {
		return nil, err
	}
	at = at.UTC()
	var personDeleted int64
	b := &pgx.Batch{}
	b.Queue(eraseCrossPostsSQL, personID)
	b.Queue(eraseUnlinkSQL, personID, at)
	b.Queue(eraseActivitySQL, personID)
	b.Queue(erasePersonSQL, personID).Exec(func(ct pgconn.CommandTag) error {
		personDeleted = ct.RowsAffected()
		return nil
	})
	b.Queue(insertErasureSQL, at)
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return nil, translate(err, "erase person", "")
	}
	if personDeleted == 0 {
		return nil, profile.Errorf(profile.NotFound, "person %q not found", personID)
	}
	return accs, nil
}

// Erasures returns every erasure record, oldest first. Errors are wrapped (INTERNAL).
func (s *Store) Erasures(ctx context.Context) ([]profile.Erasure, error) {
	rows, _ := s.pool.Query(ctx, erasuresSQL)
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (profile.Erasure, error) {
		var e profile.Erasure
		err := row.Scan(&e.Seq, &e.At)
		e.At = e.At.UTC()
		return e, err
	})
	if err != nil {
		return nil, translate(err, "read erasures", "")
	}
	return out, nil
}
