package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/profilegraph/profilegraph/profile"
)

// tx is the profile.Tx of Store.InTx: the reads and writes of one pgx transaction.
type tx struct {
	reader
	tx pgx.Tx
}

var _ profile.Tx = (*tx)(nil)

// write runs one statement inside a savepoint, pipelined with it in a single round trip,
// so that a constraint violation (CONFLICT, ALREADY_LINKED, ...) leaves the transaction
// usable, as it is in the memory store. scan reads a RETURNING row; nil means Exec. It
// returns the raw pgx error: callers translate it.
func (t *tx) write(ctx context.Context, sql string, args []any, scan func(pgx.Row) error) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue("SAVEPOINT profilegraph_write")
	q := b.Queue(sql, args...)
	if scan != nil {
		q.QueryRow(scan)
	} else {
		q.Exec(func(ct pgconn.CommandTag) error { tag = ct; return nil })
	}
	b.Queue("RELEASE SAVEPOINT profilegraph_write")
	err := t.tx.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	if err != nil && errors.As(err, &pgErr) {
		// The server skipped the rest of the batch: the savepoint is still there.
		if _, rerr := t.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT profilegraph_write; RELEASE SAVEPOINT profilegraph_write"); rerr != nil {
			return tag, errors.Join(err, fmt.Errorf("roll back to savepoint: %w", rerr))
		}
	}
	return tag, err
}

// LockAccounts returns the given accounts locked FOR UPDATE, locking in id order so that
// concurrent lockers cannot deadlock; missing and malformed ids are absent. Errors are
// wrapped (INTERNAL).
func (t *tx) LockAccounts(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return accountsByID(ctx, t.tx, "lock accounts", lockAccountsSQL, ids)
}

// LockAccountByKey returns the account with key locked FOR UPDATE, or nil, nil if there
// is none. Errors are wrapped (INTERNAL).
func (t *tx) LockAccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	if !key.App.Valid() || !storableText(key.AppUserID) {
		return nil, nil
	}
	accs, err := queryAccounts(ctx, t.tx, "lock account by key", lockAccountByKeySQL, string(key.App), key.AppUserID)
	if err != nil || len(accs) == 0 {
		return nil, err
	}
	return accs[0], nil
}

// LockPerson locks the person's row FOR UPDATE. It returns NOT_FOUND if there is no such
// person (or id is malformed); other errors are wrapped (INTERNAL).
func (t *tx) LockPerson(ctx context.Context, id string) error {
	if !profile.IsCanonicalID(id) {
		return profile.Errorf(profile.NotFound, "person %q not found", id)
	}
	var one int
	err := t.tx.QueryRow(ctx, lockPersonSQL, id).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return profile.Errorf(profile.NotFound, "person %q not found", id)
	}
	return translate(err, "lock person", "")
}

// InsertAccount stores a new account (an empty ID is filled with a new UUID). A duplicate
// (app, appUserId) is CONFLICT, a second account of the app on a.PersonID is
// ALREADY_LINKED, a missing person NOT_FOUND; other errors are wrapped (INTERNAL).
func (t *tx) InsertAccount(ctx context.Context, a *profile.Account) error {
	if a.ID == "" {
		a.ID = uuid.NewString()
	}
	_, err := t.write(ctx, insertAccountSQL, fromAccount(a).args(), nil)
	return translate(err, "insert account", a.App)
}

// UpdateAccount writes every field of the account with a.ID, its link included. It
// returns NOT_FOUND if there is no such account, ALREADY_LINKED if a.PersonID already has
// another account of the app, CONFLICT if the new (app, appUserId) is taken; other errors
// are wrapped (INTERNAL).
func (t *tx) UpdateAccount(ctx context.Context, a *profile.Account) error {
	if !profile.IsCanonicalID(a.ID) {
		return profile.Errorf(profile.NotFound, "account %q not found", a.ID)
	}
	tag, err := t.write(ctx, updateAccountSQL, fromAccount(a).args(), nil)
	if err != nil {
		return translate(err, "update account", a.App)
	}
	if tag.RowsAffected() == 0 {
		return profile.Errorf(profile.NotFound, "account %q not found", a.ID)
	}
	return nil
}

// InsertPerson stores a new person (an empty ID is filled with a new UUID). A duplicate
// id is CONFLICT; other errors are wrapped (INTERNAL).
func (t *tx) InsertPerson(ctx context.Context, p *profile.Person) error {
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	_, err := t.write(ctx, insertPersonSQL, []any{p.ID, p.CreatedAt}, nil)
	return translate(err, "insert person", "")
}

// DeletePerson removes a person without accounts, with its settings, consents and login
// handoffs; its activity log stays. It returns NOT_FOUND if there is no such person and
// CONFLICT if accounts are still linked to it; other errors are wrapped (INTERNAL).
func (t *tx) DeletePerson(ctx context.Context, id string) error {
	if !profile.IsCanonicalID(id) {
		return profile.Errorf(profile.NotFound, "person %q not found", id)
	}
	var deleted, exists bool
	_, err := t.write(ctx, deletePersonSQL, []any{id}, func(row pgx.Row) error { return row.Scan(&deleted, &exists) })
	switch {
	case err != nil:
		return translate(err, "delete person", "")
	case deleted:
		return nil
	case exists:
		return profile.Errorf(profile.Conflict, "person %q still has linked accounts", id)
	default:
		return profile.Errorf(profile.NotFound, "person %q not found", id)
	}
}

// PutSettings inserts or replaces the person's settings as given (Version included). A
// missing person is NOT_FOUND; other errors are wrapped (INTERNAL).
func (t *tx) PutSettings(ctx context.Context, s *profile.Settings) error {
	r := fromSettings(s)
	_, err := t.write(ctx, putSettingsSQL, []any{r.PersonID, r.SyncProfile, r.CrossPosting, r.SingleSignOn, r.Version, r.UpdatedAt}, nil)
	return translate(err, "put settings", "")
}

// PutConsent stores c unless an equal consent (same person and key) exists, and returns
// the stored consent: c, or the existing one with its original GrantedAt. A missing
// person is NOT_FOUND; other errors are wrapped (INTERNAL).
func (t *tx) PutConsent(ctx context.Context, c *profile.Consent) (*profile.Consent, error) {
	var row consentRow
	found := false
	scan := func(r pgx.Row) error {
		err := r.Scan(&row.PersonID, &row.SourceApp, &row.TargetApp, &row.Category, &row.Purpose, &row.GrantedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	}
	args := fromConsent(c).args()
	if _, err := t.write(ctx, putConsentSQL, args, scan); err != nil {
		return nil, translate(err, "put consent", "")
	}
	if !found {
		// A concurrent transaction inserted it after this statement's snapshot was taken;
		// a new statement sees it.
		rows, _ := t.tx.Query(ctx, consentByKeySQL, args[:5]...)
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[consentRow])
		if err != nil {
			return nil, translate(err, "put consent: read existing", "")
		}
		row = r
	}
	return row.toConsent(), nil
}

// DeleteConsent removes one consent of the person and reports whether it existed. Errors
// are wrapped (INTERNAL).
func (t *tx) DeleteConsent(ctx context.Context, personID string, key profile.ConsentKey) (bool, error) {
	if !profile.IsCanonicalID(personID) {
		return false, nil
	}
	tag, err := t.tx.Exec(ctx, deleteConsentSQL, personID, string(key.SourceApp), string(key.TargetApp), string(key.Category), string(key.Purpose))
	if err != nil {
		return false, translate(err, "delete consent", "")
	}
	return tag.RowsAffected() > 0, nil
}

// DeleteConsentsNaming removes the person's consents whose source or target is app and
// returns how many it removed. Errors are wrapped (INTERNAL).
func (t *tx) DeleteConsentsNaming(ctx context.Context, personID string, app profile.App) (int, error) {
	if !profile.IsCanonicalID(personID) {
		return 0, nil
	}
	tag, err := t.tx.Exec(ctx, deleteConsentsNamingSQL, personID, string(app))
	if err != nil {
		return 0, translate(err, "delete consents naming app", "")
	}
	return int(tag.RowsAffected()), nil
}

// AppendActivity appends e to its person's log and sets e.Seq. Errors are wrapped
// (INTERNAL).
func (t *tx) AppendActivity(ctx context.Context, e *profile.ActivityEvent) error {
	r := fromActivity(e)
	var seq int64
	_, err := t.write(ctx, appendActivitySQL, []any{r.PersonID, r.Type, r.App, r.At, r.Detail},
		func(row pgx.Row) error { return row.Scan(&seq) })
	if err != nil {
		return translate(err, "append activity", "")
	}
	e.Seq = seq
	return nil
}

// InsertHandoff stores a new login handoff. A duplicate code hash is CONFLICT, a missing
// person or account NOT_FOUND; other errors are wrapped (INTERNAL).
func (t *tx) InsertHandoff(ctx context.Context, h *profile.LoginHandoff) error {
	_, err := t.write(ctx, insertHandoffSQL, fromHandoff(h).args(), nil)
	return translate(err, "insert login handoff", "")
}

// DeleteHandoffs removes the person's unredeemed login handoffs to app and returns how
// many it removed. Errors are wrapped (INTERNAL).
func (t *tx) DeleteHandoffs(ctx context.Context, personID string, app profile.App) (int, error) {
	if !profile.IsCanonicalID(personID) {
		return 0, nil
	}
	tag, err := t.tx.Exec(ctx, deleteHandoffsSQL, personID, string(app))
	if err != nil {
		return 0, translate(err, "delete login handoffs", "")
	}
	return int(tag.RowsAffected()), nil
}

// RedeemHandoff marks the unredeemed handoff with codeHash as redeemed at `at` and
// returns it, or nil, nil if there is none or it was redeemed already. Of concurrent
// calls exactly one gets it. Errors are wrapped (INTERNAL).
func (t *tx) RedeemHandoff(ctx context.Context, codeHash []byte, at time.Time) (*profile.LoginHandoff, error) {
	rows, _ := t.tx.Query(ctx, redeemHandoffSQL, codeHash, at)
	hs, err := pgx.CollectRows(rows, pgx.RowToStructByName[handoffRow])
	if err != nil {
		return nil, translate(err, "redeem login handoff", "")
	}
	if len(hs) == 0 {
		return nil, nil
	}
	return hs[0].toHandoff(), nil
}

// Notify sends each payload on channel with pg_notify, all in one round trip. PostgreSQL
// delivers the notifications when (and only if) the transaction commits, so listeners
// never hear of a write that did not happen. A payload must be shorter than 8000 bytes.
// Errors are wrapped (INTERNAL); after one the transaction is unusable.
func (t *tx) Notify(ctx context.Context, channel string, payloads ...string) error {
	if len(payloads) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, p := range payloads {
		b.Queue("SELECT pg_notify($1, $2)", channel, p)
	}
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}
