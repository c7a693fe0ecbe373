package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// privacyRow is one row of privacyByPersonSQL: a link (kind 0) or a consent (kind 1).
type privacyRow struct {
	PersonID  string     `db:"person_id"`
	Kind      int        `db:"kind"`
	AccountID *string    `db:"account_id"`
	App       string     `db:"app"` // the linked account's app, or the consent's source app
	TargetApp *string    `db:"target_app"`
	Category  *string    `db:"category"`
	Purpose   *string    `db:"purpose"`
	TS        *time.Time `db:"ts"` // linked_at or granted_at
	Ord       int        `db:"ord"`
}

// privacyByPersonSQL reads the links and the consents of the persons in $1 in one
// statement, so that both come from one snapshot: a concurrent unlink can never show up
// in one half and not in the other. $2 is profile.Apps: links come in that order;
// consents oldest grant first, as consentsByPersonSQL orders them.
const privacyByPersonSQL = `
SELECT person_id::text AS person_id, 0 AS kind, id::text AS account_id, app,
       NULL::text AS target_app, NULL::text AS category, NULL::text AS purpose,
       linked_at AS ts, array_position($2::text[], app) AS ord
FROM accounts WHERE person_id = ANY($1)
UNION ALL
SELECT person_id::text, 1, NULL, source_app, target_app, category, purpose, granted_at, 0
FROM consents WHERE person_id = ANY($1)
ORDER BY person_id, kind, ord, ts, app, target_app, category, purpose`

// PrivacyByPerson returns the links and consents of each person in one query (one
// snapshot); persons with neither, missing and malformed ids are absent. Errors are
// wrapped (INTERNAL).
func (r reader) PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*profile.PrivacyState, error) {
	ids := validIDs(personIDs)
	out := make(map[string]*profile.PrivacyState, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, privacyByPersonSQL, ids, profile.Apps)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[privacyRow])
	if err != nil {
		return nil, translate(err, "find privacy state", "")
	}
	collectPrivacy(out, rs)
	return out, nil
}

// collectPrivacy adds the rows of privacyByPersonSQL (or freshPrivacySQL) to out.
func collectPrivacy(out map[string]*profile.PrivacyState, rs []privacyRow) {
	for _, row := range rs {
		st := out[row.PersonID]
		if st == nil {
			st = &profile.PrivacyState{}
			out[row.PersonID] = st
		}
		var ts time.Time
		if row.TS != nil {
			ts = row.TS.UTC()
		}
		if row.Kind == 0 {
			st.Links = append(st.Links, profile.AccountLink{AccountID: fromNull(row.AccountID), App: profile.App(row.App), LinkedAt: ts})
			continue
		}
		st.Consents = append(st.Consents, &profile.Consent{
			PersonID: row.PersonID, SourceApp: profile.App(row.App), TargetApp: profile.App(fromNull(row.TargetApp)),
			Category: profile.Category(fromNull(row.Category)), Purpose: profile.Purpose(fromNull(row.Purpose)), GrantedAt: ts,
		})
	}
}
