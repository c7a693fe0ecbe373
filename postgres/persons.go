package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

type personRow struct {
	ID        string    `db:"id"`
	CreatedAt time.Time `db:"created_at"`
}

func (r personRow) toPerson() *profile.Person {
	return &profile.Person{ID: r.ID, CreatedAt: r.CreatedAt.UTC()}
}

// personColumns lists the columns of personRow.
const personColumns = `id, created_at`

const (
	personsByIDSQL  = `SELECT ` + personColumns + ` FROM persons WHERE id = ANY($1)`
	insertPersonSQL = `INSERT INTO persons (` + personColumns + `) VALUES ($1, $2)`
	lockPersonSQL   = `SELECT 1 FROM persons WHERE id = $1 FOR UPDATE`
	// deletePersonSQL deletes the person only if no account refers to it and reports
	// (deleted, exists) in one round trip. Settings, consents and handoffs cascade; the
	// activity log has no foreign key and stays.
	deletePersonSQL = `
WITH del AS (
    DELETE FROM persons
    WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM accounts WHERE person_id = $1)
    RETURNING 1
)
SELECT EXISTS (SELECT 1 FROM del), EXISTS (SELECT 1 FROM persons WHERE id = $1)`
)

// PersonsByID returns the persons with the given ids, in one query; missing and
// malformed ids are absent. Errors are wrapped (INTERNAL).
func (r reader) PersonsByID(ctx context.Context, ids []string) (map[string]*profile.Person, error) {
	ids = profile.CanonicalIDs(ids)
	out := make(map[string]*profile.Person, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, personsByIDSQL, ids)
	ps, err := pgx.CollectRows(rows, pgx.RowToStructByName[personRow])
	if err != nil {
		return nil, translate(err, "find persons", "")
	}
	for _, p := range ps {
		out[p.ID] = p.toPerson()
	}
	return out, nil
}
