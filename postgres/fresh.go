package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

const (
	// viewerAccountSQL reads the viewer's own account by key.
	viewerAccountSQL = `SELECT ` + accountColumns + ` FROM accounts WHERE app = $1 AND app_user_id = $2`
	// freshPrivacySQL is privacyByPersonSQL for the persons $1 and the person of the
	// account ($2, $3) and of the accounts $4, where linked: links and consents from one
	// snapshot, unordered (scanPrivacy orders them).
	freshPrivacySQL = `
WITH ids AS (
    SELECT unnest($1::uuid[]) AS id
    UNION
    SELECT person_id FROM accounts WHERE app = $2::text AND app_user_id = $3::text AND person_id IS NOT NULL
    UNION
    SELECT person_id FROM accounts WHERE id = ANY($4::uuid[]) AND person_id IS NOT NULL)
SELECT person_id, 0 AS kind, id AS account_id, app, NULL::text AS target_app, NULL::text AS category,
       NULL::text AS purpose, linked_at AS ts, birthdate
FROM accounts WHERE person_id IN (SELECT id FROM ids)
UNION ALL
SELECT person_id, 1, NULL, source_app, target_app, category, purpose, granted_at, NULL::date
FROM consents WHERE person_id IN (SELECT id FROM ids)`
	// freshAccountsSQL lists which of the content-path accounts $1 exist now.
	freshAccountsSQL = `SELECT id::text FROM accounts WHERE id = ANY($1::uuid[])`
)

// ReadFresh reads the viewer's account and the privacy state that q asks for in one
// round trip (a batch of two statements). Errors are wrapped (INTERNAL).
func (s *Store) ReadFresh(ctx context.Context, q profile.FreshQuery) (*profile.Fresh, error) {
	ids, accountIDs := profile.CanonicalIDs(q.Persons), profile.CanonicalIDs(q.Accounts)
	var app, uid *string
	if v := q.Viewer; v != nil && v.App.Valid() && storableText(v.AppUserID) {
		a, u := string(v.App), v.AppUserID
		app, uid = &a, &u
	}
	out := &profile.Fresh{Privacy: make(map[string]*profile.PrivacyState, len(ids)+len(accountIDs)+1)}
	if app == nil && len(ids) == 0 && len(accountIDs) == 0 {
		return out, nil
	}
	b := &pgx.Batch{}
	if app != nil {
		b.Queue(viewerAccountSQL, *app, *uid)
	}
	b.Queue(freshPrivacySQL, ids, app, uid, accountIDs)
	if len(q.Accounts) > 0 {
		b.Queue(freshAccountsSQL, accountIDs)
	}
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	if app != nil {
		rows, _ := br.Query()
		row, err := pgx.CollectOneRow(rows, pgx.RowToStructByName[accountRow])
		switch {
		case errors.Is(err, pgx.ErrNoRows):
		case err != nil:
			return nil, translate(err, "find viewer account", "")
		default:
			out.Viewer = row.toAccount()
		}
	}
	rows, _ := br.Query()
	if err := scanPrivacy(rows, out.Privacy); err != nil {
		return nil, translate(err, "find privacy state", "")
	}
	if len(q.Accounts) > 0 {
		rows, _ := br.Query()
		existing, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, translate(err, "find existing accounts", "")
		}
		out.Accounts = make(map[string]bool, len(existing))
		for _, id := range existing {
			out.Accounts[id] = true
		}
	}
	if err := br.Close(); err != nil {
		return nil, translate(err, "read fresh state", "")
	}
	return out, nil
}
