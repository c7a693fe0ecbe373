package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// accountRow is a row of accounts; it never leaves this package.
type accountRow struct {
	ID              string     `db:"id"`
	App             string     `db:"app"`
	AppUserID       string     `db:"app_user_id"`
	PersonID        *string    `db:"person_id"`
	LinkedAt        *time.Time `db:"linked_at"`
	Username        string     `db:"username"`
	DisplayName     *string    `db:"display_name"`
	Bio             *string    `db:"bio"`
	AvatarURL       *string    `db:"avatar_url"`
	AvatarWidth     *int       `db:"avatar_width"`
	AvatarHeight    *int       `db:"avatar_height"`
	AvatarUpdatedAt *time.Time `db:"avatar_updated_at"`
	PhoneNumber     *string    `db:"phone_number"`
	Email           *string    `db:"email"`
	Birthdate       *time.Time `db:"birthdate"`
	CreatedAt       time.Time  `db:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at"`
}

// accountColumns lists the columns of accountRow, in the order of accountRow.args.
const accountColumns = `id, app, app_user_id, person_id, linked_at, username, display_name, bio,
    avatar_url, avatar_width, avatar_height, avatar_updated_at, phone_number, email, birthdate,
    created_at, updated_at`

const (
	accountsByIDSQL  = `SELECT ` + accountColumns + ` FROM accounts WHERE id = ANY($1)`
	accountsByKeySQL = `SELECT ` + accountColumns + ` FROM accounts
WHERE (app, app_user_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`
	// $2 is profile.Apps: each person's accounts come in that order.
	accountsByPersonSQL = `SELECT ` + accountColumns + ` FROM accounts
WHERE person_id = ANY($1)
ORDER BY person_id, array_position($2::text[], app)`
	lockAccountsSQL = `SELECT ` + accountColumns + ` FROM accounts
WHERE id = ANY($1) ORDER BY id FOR UPDATE`
	lockAccountByKeySQL = `SELECT ` + accountColumns + ` FROM accounts
WHERE app = $1 AND app_user_id = $2 FOR UPDATE`
	insertAccountSQL = `INSERT INTO accounts (` + accountColumns + `)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`
	updateAccountSQL = `UPDATE accounts SET
    app = $2, app_user_id = $3, person_id = $4, linked_at = $5, username = $6,
    display_name = $7, bio = $8, avatar_url = $9, avatar_width = $10, avatar_height = $11,
    avatar_updated_at = $12, phone_number = $13, email = $14, birthdate = $15,
    created_at = $16, updated_at = $17
WHERE id = $1`
)

func fromAccount(a *profile.Account) accountRow {
	r := accountRow{
		ID:          a.ID,
		App:         string(a.App),
		AppUserID:   a.AppUserID,
		PersonID:    nullString(a.PersonID),
		LinkedAt:    a.LinkedAt,
		Username:    a.Username,
		DisplayName: a.DisplayName,
		Bio:         a.Bio,
		PhoneNumber: a.PhoneNumber,
		Email:       a.Email,
		CreatedAt:   a.CreatedAt,
		UpdatedAt:   a.UpdatedAt,
	}
	if av := a.Avatar; av != nil {
		r.AvatarURL, r.AvatarWidth, r.AvatarHeight, r.AvatarUpdatedAt = &av.URL, av.Width, av.Height, &av.UpdatedAt
	}
	if a.Birthdate != nil {
		t := a.Birthdate.Time()
		r.Birthdate = &t
	}
	return r
}

func (r accountRow) toAccount() *profile.Account {
	a := &profile.Account{
		ID:          r.ID,
		App:         profile.App(r.App),
		AppUserID:   r.AppUserID,
		PersonID:    fromNull(r.PersonID),
		LinkedAt:    utcPtr(r.LinkedAt),
		Username:    r.Username,
		DisplayName: r.DisplayName,
		Bio:         r.Bio,
		PhoneNumber: r.PhoneNumber,
		Email:       r.Email,
		CreatedAt:   r.CreatedAt.UTC(),
		UpdatedAt:   r.UpdatedAt.UTC(),
	}
	if r.AvatarURL != nil {
		a.Avatar = &profile.Avatar{URL: *r.AvatarURL, Width: r.AvatarWidth, Height: r.AvatarHeight}
		if r.AvatarUpdatedAt != nil {
			a.Avatar.UpdatedAt = r.AvatarUpdatedAt.UTC()
		}
	}
	if r.Birthdate != nil {
		d := profile.DateOf(*r.Birthdate)
		a.Birthdate = &d
	}
	return a
}

// args returns the row's values in accountColumns order.
func (r accountRow) args() []any {
	return []any{r.ID, r.App, r.AppUserID, r.PersonID, r.LinkedAt, r.Username, r.DisplayName, r.Bio,
		r.AvatarURL, r.AvatarWidth, r.AvatarHeight, r.AvatarUpdatedAt, r.PhoneNumber, r.Email, r.Birthdate,
		r.CreatedAt, r.UpdatedAt}
}

// queryAccounts runs a query of accountColumns.
func queryAccounts(ctx context.Context, db dbtx, what, sql string, args ...any) ([]*profile.Account, error) {
	rows, _ := db.Query(ctx, sql, args...)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[accountRow])
	if err != nil {
		return nil, translate(err, what, "")
	}
	out := make([]*profile.Account, len(rs))
	for i, r := range rs {
		out[i] = r.toAccount()
	}
	return out, nil
}

func accountsByID(ctx context.Context, db dbtx, what, sql string, ids []string) (map[string]*profile.Account, error) {
	ids = profile.CanonicalIDs(ids)
	out := make(map[string]*profile.Account, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	accs, err := queryAccounts(ctx, db, what, sql, ids)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		out[a.ID] = a
	}
	return out, nil
}

// AccountsByID returns the accounts with the given ids, in one query; missing and
// malformed ids are absent. Errors are wrapped (INTERNAL).
func (r reader) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return accountsByID(ctx, r.db, "find accounts by id", accountsByIDSQL, ids)
}

// AccountsByKey returns the accounts with the given (app, appUserId) keys, in one query;
// missing keys are absent. Errors are wrapped (INTERNAL).
func (r reader) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	out := make(map[profile.AccountKey]*profile.Account, len(keys))
	apps := make([]string, 0, len(keys))
	userIDs := make([]string, 0, len(keys))
	seen := make(map[profile.AccountKey]struct{}, len(keys))
	for _, k := range keys {
		if _, dup := seen[k]; dup || !k.App.Valid() || !storableText(k.AppUserID) {
			continue
		}
		seen[k] = struct{}{}
		apps, userIDs = append(apps, string(k.App)), append(userIDs, k.AppUserID)
	}
	if len(apps) == 0 {
		return out, nil
	}
	accs, err := queryAccounts(ctx, r.db, "find accounts by key", accountsByKeySQL, apps, userIDs)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		out[a.Key()] = a
	}
	return out, nil
}

// AccountsByPerson returns the accounts linked to each person, ordered as profile.Apps,
// in one query; persons without accounts, missing and malformed ids are absent. Errors
// are wrapped (INTERNAL).
func (r reader) AccountsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Account, error) {
	ids := profile.CanonicalIDs(personIDs)
	out := make(map[string][]*profile.Account, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	accs, err := queryAccounts(ctx, r.db, "find accounts by person", accountsByPersonSQL, ids, profile.Apps)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		out[a.PersonID] = append(out[a.PersonID], a)
	}
	return out, nil
}
