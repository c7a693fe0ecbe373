package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/profilegraph/profilegraph/profile"
)

// privacyByPersonSQL reads the links (with the accounts' birthdates, which make the
// person's reconciled age) and the consents of the persons in $1 in one statement, so
// that all come from one snapshot: a concurrent unlink can never show up in one half and
// not in the other. $2 is profile.Apps: links come in that order;
// consents oldest grant first, as consentsByPersonSQL orders them.
const privacyByPersonSQL = `
SELECT person_id::text AS person_id, 0 AS kind, id::text AS account_id, app,
       NULL::text AS target_app, NULL::text AS category, NULL::text AS purpose,
       linked_at AS ts, array_position($2::text[], app) AS ord, birthdate
FROM accounts WHERE person_id = ANY($1)
UNION ALL
SELECT person_id::text, 1, NULL, source_app, target_app, category, purpose, granted_at, 0, NULL::date
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
	if err := scanPrivacy(rows, out); err != nil {
		return nil, translate(err, "find privacy state", "")
	}
	return out, nil
}

// scanPrivacy adds the rows of privacyByPersonSQL (or freshPrivacySQL) to out. It scans
// into reused values rather than a struct per row: a request reads the privacy state of
// every person of a level, so this is on the hot path. Enum columns (apps, categories,
// purposes) come back as the package's constants, and each person id is allocated once.
func scanPrivacy(rows pgx.Rows, out map[string]*profile.PrivacyState) error {
	var (
		pid, app                        string
		kind, ord                       int32
		accountID, target, cat, purpose pgtype.Text
		ts                              pgtype.Timestamptz
		birth                           pgtype.Date
		lastPID                         string
		st                              *profile.PrivacyState
	)
	_, err := pgx.ForEachRow(rows, []any{&pid, &kind, &accountID, &app, &target, &cat, &purpose, &ts, &ord, &birth}, func() error {
		if pid != lastPID || st == nil {
			lastPID = pid
			if st = out[pid]; st == nil {
				st = &profile.PrivacyState{}
				out[pid] = st
			}
		}
		var at time.Time
		if ts.Valid {
			at = ts.Time.UTC()
		}
		if kind == 0 {
			l := profile.AccountLink{AccountID: accountID.String, App: internApp(app), LinkedAt: at}
			if birth.Valid {
				l.Birthdate = profile.DateOf(birth.Time)
			}
			st.Links = append(st.Links, l)
			return nil
		}
		st.Consents = append(st.Consents, &profile.Consent{
			PersonID: lastPID, SourceApp: internApp(app), TargetApp: internApp(target.String),
			Category: profile.Category(internCategory(cat.String)), Purpose: internPurpose(purpose.String), GrantedAt: at,
		})
		return nil
	})
	return err
}

// internApp returns the constant of app (no allocation held per row), or app itself.
func internApp(app string) profile.App {
	for _, a := range profile.Apps {
		if string(a) == app {
			return a
		}
	}
	return profile.App(app)
}

func internCategory(c string) profile.Category {
	for _, x := range profile.Categories {
		if string(x) == c {
			return x
		}
	}
	return profile.Category(c)
}

func internPurpose(p string) profile.Purpose {
	switch p {
	case string(profile.PurposeService):
		return profile.PurposeService
	case string(profile.PurposeAds):
		return profile.PurposeAds
	}
	return profile.Purpose(p)
}
