package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

type activityRow struct {
	Seq      int64     `db:"seq"`
	PersonID string    `db:"person_id"`
	Type     string    `db:"type"`
	App      *string   `db:"app"`
	At       time.Time `db:"at"`
	Detail   string    `db:"detail"`
}

const (
	// activitySQL pages with a keyset on seq; $2 <= 0 means from the newest.
	activitySQL = `SELECT seq, person_id, type, app, at, detail FROM activity
WHERE person_id = $1 AND ($2::bigint <= 0 OR seq < $2)
ORDER BY seq DESC
LIMIT $3`
	appendActivitySQL = `INSERT INTO activity (person_id, type, app, at, detail) VALUES ($1, $2, $3, $4, $5)
RETURNING seq`
)

func fromActivity(e *profile.ActivityEvent) activityRow {
	r := activityRow{PersonID: e.PersonID, Type: string(e.Type), At: e.At, Detail: e.Detail}
	if e.App != nil {
		app := string(*e.App)
		r.App = &app
	}
	return r
}

func (r activityRow) toActivity() *profile.ActivityEvent {
	e := &profile.ActivityEvent{Seq: r.Seq, PersonID: r.PersonID, Type: profile.ActivityType(r.Type), At: r.At.UTC(), Detail: r.Detail}
	if r.App != nil {
		app := profile.App(*r.App)
		e.App = &app
	}
	return e
}

// Activity returns up to limit events of the person, newest first, with Seq below
// beforeSeq (beforeSeq <= 0: from the newest), in one query. A malformed person id or a
// limit <= 0 gives no events. Errors are wrapped (INTERNAL).
func (r reader) Activity(ctx context.Context, personID string, beforeSeq int64, limit int) ([]*profile.ActivityEvent, error) {
	if !validID(personID) || limit <= 0 {
		return []*profile.ActivityEvent{}, nil
	}
	rows, _ := r.db.Query(ctx, activitySQL, personID, beforeSeq, limit)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[activityRow])
	if err != nil {
		return nil, translate(err, "find activity", "")
	}
	out := make([]*profile.ActivityEvent, len(rs))
	for i, row := range rs {
		out[i] = row.toActivity()
	}
	return out, nil
}
