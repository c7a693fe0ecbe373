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

// deviceRow is a row of devices; it never leaves this package.
type deviceRow struct {
	AccountID    string    `db:"account_id"`
	ID           string    `db:"id"`
	Platform     string    `db:"platform"`
	Model        *string   `db:"model"`
	AppVersion   *string   `db:"app_version"`
	Connection   *string   `db:"connection"`
	LastActiveAt time.Time `db:"last_active_at"`
}

const deviceColumns = `account_id, id, platform, model, app_version, connection, last_active_at`

const (
	devicesByAccountSQL = `SELECT ` + deviceColumns + ` FROM devices WHERE account_id = ANY($1)
ORDER BY account_id, id`
	accountExistsSQL = `SELECT EXISTS (SELECT 1 FROM accounts WHERE id = $1)`
	deleteDevicesSQL = `DELETE FROM devices WHERE account_id = $1`
	insertDevicesSQL = `INSERT INTO devices (` + deviceColumns + `)
SELECT $1, d.id, d.platform, d.model, d.app_version, d.connection, d.last_active_at
FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
    AS d (id, platform, model, app_version, connection, last_active_at)`
)

func (r deviceRow) toDevice() *profile.Device {
	d := &profile.Device{ID: r.ID, Platform: profile.DevicePlatform(r.Platform), Model: r.Model, AppVersion: r.AppVersion,
		LastActiveAt: r.LastActiveAt.UTC()}
	if r.Connection != nil {
		c := profile.ConnectionType(*r.Connection)
		d.Connection = &c
	}
	return d
}

// DevicesByAccount returns the devices of each account ordered by device id, in one
// query; accounts without devices, missing and malformed ids are absent. Errors are
// wrapped (INTERNAL).
func (r reader) DevicesByAccount(ctx context.Context, accountIDs []string) (map[string][]*profile.Device, error) {
	ids := profile.CanonicalIDs(accountIDs)
	out := make(map[string][]*profile.Device, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, devicesByAccountSQL, ids)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[deviceRow])
	if err != nil {
		return nil, translate(err, "find devices", "")
	}
	for _, row := range rs {
		out[row.AccountID] = append(out[row.AccountID], row.toDevice())
	}
	return out, nil
}

// ReplaceDevices replaces the account's devices by ds in one round trip (inside a
// savepoint, so that a failure leaves the transaction usable). A missing or malformed
// account is NOT_FOUND, a duplicate device id CONFLICT; other errors are wrapped
// (INTERNAL).
func (t *tx) ReplaceDevices(ctx context.Context, accountID string, ds []*profile.Device) error {
	if !profile.IsCanonicalID(accountID) {
		return profile.Errorf(profile.NotFound, "account %q not found", accountID)
	}
	n := len(ds)
	ids, platforms := make([]string, n), make([]string, n)
	models, versions, conns := make([]*string, n), make([]*string, n), make([]*string, n)
	lastActive := make([]time.Time, n)
	for i, d := range ds {
		ids[i], platforms[i], models[i], versions[i], lastActive[i] = d.ID, string(d.Platform), d.Model, d.AppVersion, d.LastActiveAt
		if d.Connection != nil {
			c := string(*d.Connection)
			conns[i] = &c
		}
	}
	var exists bool
	b := &pgx.Batch{}
	b.Queue("SAVEPOINT profilegraph_write")
	b.Queue(accountExistsSQL, accountID).QueryRow(func(row pgx.Row) error { return row.Scan(&exists) })
	b.Queue(deleteDevicesSQL, accountID)
	if n > 0 {
		b.Queue(insertDevicesSQL, accountID, ids, platforms, models, versions, conns, lastActive)
	}
	b.Queue("RELEASE SAVEPOINT profilegraph_write")
	err := t.tx.SendBatch(ctx, b).Close()
	var pgErr *pgconn.PgError
	if err != nil && errors.As(err, &pgErr) {
		if _, rerr := t.tx.Exec(ctx, "ROLLBACK TO SAVEPOINT profilegraph_write; RELEASE SAVEPOINT profilegraph_write"); rerr != nil {
			return errors.Join(translate(err, "replace devices", ""), fmt.Errorf("roll back to savepoint: %w", rerr))
		}
	}
	if err != nil {
		return translate(err, "replace devices", "")
	}
	if !exists {
		return profile.Errorf(profile.NotFound, "account %q not found", accountID)
	}
	return nil
}

// crossPostRecord is a row of cross_posts; it never leaves this package.
type crossPostRecord struct {
	Seq             int64     `db:"seq"`
	ID              string    `db:"id"`
	AccountID       string    `db:"account_id"`
	FromApp         string    `db:"from_app"`
	ToApp           string    `db:"to_app"`
	TargetAccountID string    `db:"target_account_id"`
	ContentID       string    `db:"content_id"`
	DevicePlatform  *string   `db:"device_platform"`
	At              time.Time `db:"at"`
}

const crossPostColumns = `seq, id, account_id, from_app, to_app, target_account_id, content_id, device_platform, at`

const (
	// crossPostPagesSQL reads many keyset pages in one query: one LATERAL subquery per
	// page, tagged with the page's ordinal.
	crossPostPagesSQL = `SELECT p.ord, c.seq, c.id, c.account_id, c.from_app, c.to_app, c.target_account_id,
    c.content_id, c.device_platform, c.at
FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS p (account_id, before_seq, lim, ord)
CROSS JOIN LATERAL (
    SELECT * FROM cross_posts c
    WHERE c.account_id = p.account_id AND (p.before_seq <= 0 OR c.seq < p.before_seq)
    ORDER BY c.seq DESC
    LIMIT p.lim
) c
ORDER BY p.ord, c.seq DESC`
	// insertCrossPostSQL returns the inserted row, or else the existing one with the same
	// (account, to, contentId), and whether it was inserted.
	insertCrossPostSQL = `
WITH ins AS (
    INSERT INTO cross_posts (id, account_id, from_app, to_app, target_account_id, content_id, device_platform, at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
    ON CONFLICT (account_id, to_app, content_id) DO NOTHING
    RETURNING ` + crossPostColumns + `
)
SELECT ` + crossPostColumns + `, true AS created FROM ins
UNION ALL
SELECT ` + crossPostColumns + `, false AS created FROM cross_posts
WHERE account_id = $2 AND to_app = $4 AND content_id = $6
LIMIT 1`
	crossPostByKeySQL = `SELECT ` + crossPostColumns + ` FROM cross_posts
WHERE account_id = $1 AND to_app = $2 AND content_id = $3`
)

func (r crossPostRecord) toCrossPost() *profile.CrossPost {
	c := &profile.CrossPost{ID: r.ID, Seq: r.Seq, AccountID: r.AccountID, From: profile.App(r.FromApp), To: profile.App(r.ToApp),
		TargetAccountID: r.TargetAccountID, ContentID: r.ContentID, At: r.At.UTC()}
	if r.DevicePlatform != nil {
		p := profile.DevicePlatform(*r.DevicePlatform)
		c.DevicePlatform = &p
	}
	return c
}

// CrossPosts returns every page in one query; pages of malformed or unknown accounts,
// or with Limit <= 0, are absent. Errors are wrapped (INTERNAL).
func (r reader) CrossPosts(ctx context.Context, pages []profile.CrossPostPage) (map[profile.CrossPostPage][]*profile.CrossPost, error) {
	out := make(map[profile.CrossPostPage][]*profile.CrossPost, len(pages))
	var valid []profile.CrossPostPage
	seen := make(map[profile.CrossPostPage]bool, len(pages))
	for _, p := range pages {
		if !seen[p] && profile.IsCanonicalID(p.AccountID) && p.Limit > 0 {
			seen[p] = true
			valid = append(valid, p)
		}
	}
	if len(valid) == 0 {
		return out, nil
	}
	ids, befores, limits := make([]string, len(valid)), make([]int64, len(valid)), make([]int32, len(valid))
	for i, p := range valid {
		ids[i], befores[i], limits[i] = p.AccountID, p.BeforeSeq, int32(min(p.Limit, 1<<30))
	}
	rows, _ := r.db.Query(ctx, crossPostPagesSQL, ids, befores, limits)
	type pageRow struct {
		Ord int64 `db:"ord"`
		crossPostRecord
	}
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[pageRow])
	if err != nil {
		return nil, translate(err, "find cross-posts", "")
	}
	for _, row := range rs {
		p := valid[row.Ord-1]
		out[p] = append(out[p], row.toCrossPost())
	}
	return out, nil
}

// InsertCrossPost records c unless the same (account, to, contentId) exists, and returns
// the stored cross-post and whether this call created it; concurrent identical calls
// are decided by the unique constraint (ON CONFLICT DO NOTHING), never by a read before
// the write. An empty c.ID is filled with a new UUID. A missing account is NOT_FOUND;
// other errors are wrapped (INTERNAL).
func (t *tx) InsertCrossPost(ctx context.Context, c *profile.CrossPost) (*profile.CrossPost, bool, error) {
	if c.ID == "" {
		c.ID = uuid.NewString()
	}
	var platform *string
	if c.DevicePlatform != nil {
		p := string(*c.DevicePlatform)
		platform = &p
	}
	var row crossPostRecord
	found, created := false, false
	scan := func(r pgx.Row) error {
		err := r.Scan(&row.Seq, &row.ID, &row.AccountID, &row.FromApp, &row.ToApp, &row.TargetAccountID, &row.ContentID,
			&row.DevicePlatform, &row.At, &created)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	}
	args := []any{c.ID, c.AccountID, string(c.From), string(c.To), c.TargetAccountID, c.ContentID, platform, c.At}
	if _, err := t.write(ctx, insertCrossPostSQL, args, scan); err != nil {
		return nil, false, translate(err, "insert cross-post", "")
	}
	if !found {
		// A concurrent transaction inserted it after this statement's snapshot was taken;
		// a new statement sees it.
		rows, _ := t.tx.Query(ctx, crossPostByKeySQL, c.AccountID, string(c.To), c.ContentID)
		r, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[crossPostRecord])
		if err != nil {
			return nil, false, translate(err, "insert cross-post: read existing", "")
		}
		row = r
	}
	out := row.toCrossPost()
	if created {
		c.Seq = out.Seq
	}
	return out, created, nil
}
