package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

type consentRow struct {
	PersonID  string    `db:"person_id"`
	SourceApp string    `db:"source_app"`
	TargetApp string    `db:"target_app"`
	Category  string    `db:"category"`
	Purpose   string    `db:"purpose"`
	GrantedAt time.Time `db:"granted_at"`
}

const consentColumns = `person_id, source_app, target_app, category, purpose, granted_at`

const (
	consentsByPersonSQL = `SELECT ` + consentColumns + ` FROM consents WHERE person_id = ANY($1)
ORDER BY person_id, granted_at, source_app, target_app, category, purpose`
	// putConsentSQL returns the inserted row, or else the existing equal one (a data-
	// modifying CTE runs to completion whatever the outer query reads).
	putConsentSQL = `
WITH ins AS (
    INSERT INTO consents (` + consentColumns + `) VALUES ($1, $2, $3, $4, $5, $6)
    ON CONFLICT (person_id, source_app, target_app, category, purpose) DO NOTHING
    RETURNING ` + consentColumns + `
)
SELECT ` + consentColumns + ` FROM ins
UNION ALL
SELECT ` + consentColumns + ` FROM consents
WHERE person_id = $1 AND source_app = $2 AND target_app = $3 AND category = $4 AND purpose = $5
LIMIT 1`
	consentByKeySQL = `SELECT ` + consentColumns + ` FROM consents
WHERE person_id = $1 AND source_app = $2 AND target_app = $3 AND category = $4 AND purpose = $5`
	deleteConsentSQL = `DELETE FROM consents
WHERE person_id = $1 AND source_app = $2 AND target_app = $3 AND category = $4 AND purpose = $5`
	deleteConsentsNamingSQL = `DELETE FROM consents WHERE person_id = $1 AND (source_app = $2 OR target_app = $2)`
)

func fromConsent(c *profile.Consent) consentRow {
	return consentRow{
		PersonID: c.PersonID, SourceApp: string(c.SourceApp), TargetApp: string(c.TargetApp),
		Category: string(c.Category), Purpose: string(c.Purpose), GrantedAt: c.GrantedAt,
	}
}

func (r consentRow) toConsent() *profile.Consent {
	return &profile.Consent{
		PersonID: r.PersonID, SourceApp: profile.App(r.SourceApp), TargetApp: profile.App(r.TargetApp),
		Category: profile.Category(r.Category), Purpose: profile.Purpose(r.Purpose), GrantedAt: r.GrantedAt.UTC(),
	}
}

func (r consentRow) args() []any {
	return []any{r.PersonID, r.SourceApp, r.TargetApp, r.Category, r.Purpose, r.GrantedAt}
}

// ConsentsByPerson returns each person's consents, oldest grant first, in one query;
// persons without consents, missing and malformed ids are absent. Errors are wrapped
// (INTERNAL).
func (r reader) ConsentsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Consent, error) {
	ids := profile.CanonicalIDs(personIDs)
	out := make(map[string][]*profile.Consent, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, consentsByPersonSQL, ids)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[consentRow])
	if err != nil {
		return nil, translate(err, "find consents", "")
	}
	for _, row := range rs {
		out[row.PersonID] = append(out[row.PersonID], row.toConsent())
	}
	return out, nil
}
