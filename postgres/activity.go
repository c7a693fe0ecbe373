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
	// activitySQL pages with a keyset on seq; $2 <= 0 means from the newest. The bound
	// is one expression (not "$2 <= 0 OR seq < $2") so that it is an index condition:
	// a deep page starts at its place in the index instead of skipping the pages before
	// it (an export walks a 100,000-event log in linear time).
	activitySQL = `SELECT seq, person_id, type, app, at, detail FROM activity
WHERE person_id = $1 AND seq < (CASE WHEN $2::bigint <= 0 THEN 9223372036854775807 ELSE $2::bigint END)
ORDER BY seq DESC
LIMIT $3`
	// activityPagesSQL reads many pages at once: each (person, before, limit) of the
	// arrays $1, $2, $3, numbered by ord, pages as activitySQL does.
	activityPagesSQL = `SELECT k.ord, e.seq, e.person_id, e.type, e.app, e.at, e.detail
FROM unnest($1::uuid[], $2::bigint[], $3::int[]) WITH ORDINALITY AS k(person_id, before, lim, ord)
CROSS JOIN LATERAL (
    SELECT seq, person_id, type, app, at, detail FROM activity
    WHERE person_id = k.person_id AND seq < (CASE WHEN k.before <= 0 THEN 9223372036854775807 ELSE k.before END)
    ORDER BY seq DESC LIMIT k.lim) e
ORDER BY k.ord, e.seq DESC`
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
	if !profile.IsCanonicalID(personID) || limit <= 0 {
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

// activityPageRow is one row of activityPagesSQL.
type activityPageRow struct {
	Ord int64 `db:"ord"`
	activityRow
}

// ActivityPages returns the events of each page in one query; pages of malformed
// persons or with a limit <= 0 are empty. Errors are wrapped (INTERNAL).
func (r reader) ActivityPages(ctx context.Context, pages []profile.ActivityPage) (map[profile.ActivityPage][]*profile.ActivityEvent, error) {
	out := make(map[profile.ActivityPage][]*profile.ActivityEvent, len(pages))
	var asked []profile.ActivityPage
	var persons []string
	var befores []int64
	var limits []int32
	for _, p := range pages {
		if _, dup := out[p]; dup {
			continue
		}
		out[p] = []*profile.ActivityEvent{}
		if !profile.IsCanonicalID(p.PersonID) || p.Limit <= 0 {
			continue
		}
		asked = append(asked, p)
		persons, befores, limits = append(persons, p.PersonID), append(befores, p.BeforeSeq), append(limits, int32(min(p.Limit, 1<<30)))
	}
	if len(asked) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, activityPagesSQL, persons, befores, limits)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[activityPageRow])
	if err != nil {
		return nil, translate(err, "find activity", "")
	}
	for _, row := range rs {
		p := asked[row.Ord-1]
		out[p] = append(out[p], row.toActivity())
	}
	return out, nil
}
