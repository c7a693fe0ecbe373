package postgres

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/profilegraph/profilegraph/profile"
)

// privacyByPersonSQL reads the links (with the accounts' birthdates, which make the
// person's reconciled age) and the consents of the persons in $1 in one statement, so
// that all come from one snapshot: a concurrent unlink can never show up in one half and
// not in the other. Rows come unordered and with uuids as uuids:
// scanPrivacy orders them (a text sort in the database cost six times the rest of the
// query, which runs on every request).
const privacyByPersonSQL = `
SELECT person_id, 0 AS kind, id AS account_id, app, NULL::text AS target_app, NULL::text AS category,
       NULL::text AS purpose, linked_at AS ts, birthdate
FROM accounts WHERE person_id = ANY($1)
UNION ALL
SELECT person_id, 1, NULL, source_app, target_app, category, purpose, granted_at, NULL::date
FROM consents WHERE person_id = ANY($1)`

// PrivacyByPerson returns the links and consents of each person in one query (one
// snapshot); persons with neither, missing and malformed ids are absent. Errors are
// wrapped (INTERNAL).
func (r reader) PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*profile.PrivacyState, error) {
	ids := profile.CanonicalIDs(personIDs)
	out := make(map[string]*profile.PrivacyState, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, privacyByPersonSQL, ids)
	if err := scanPrivacy(rows, out); err != nil {
		return nil, translate(err, "find privacy state", "")
	}
	return out, nil
}

// scanPrivacy adds the rows of privacyByPersonSQL (or freshPrivacySQL) to out, each
// person's links ordered as profile.Apps and consents oldest grant first (as
// consentsByPersonSQL orders them). It scans into reused values rather than a struct per
// row: a request reads the privacy state of every person of a level, so this is on the
// hot path. Enum columns come back as the package's constants, and each person id is
// formatted once.
func scanPrivacy(rows pgx.Rows, out map[string]*profile.PrivacyState) error {
	var (
		pid, accountID       pgtype.UUID
		kind                 int32
		app                  string
		target, cat, purpose pgtype.Text
		ts                   pgtype.Timestamptz
		birth                pgtype.Date
		names                = map[[16]byte]string{}
	)
	_, err := pgx.ForEachRow(rows, []any{&pid, &kind, &accountID, &app, &target, &cat, &purpose, &ts, &birth}, func() error {
		id, ok := names[pid.Bytes]
		if !ok {
			id = uuidString(pid.Bytes)
			names[pid.Bytes] = id
		}
		st := out[id]
		if st == nil {
			st = &profile.PrivacyState{}
			out[id] = st
		}
		var at time.Time
		if ts.Valid {
			at = ts.Time.UTC()
		}
		if kind == 0 {
			l := profile.AccountLink{AccountID: uuidString(accountID.Bytes), App: internApp(app), LinkedAt: at}
			if birth.Valid {
				l.Birthdate = profile.DateOf(birth.Time)
			}
			st.Links = append(st.Links, l)
			return nil
		}
		st.Consents = append(st.Consents, &profile.Consent{
			PersonID: id, SourceApp: internApp(app), TargetApp: internApp(target.String),
			Category: internCategory(cat.String), Purpose: internPurpose(purpose.String), GrantedAt: at,
		})
		return nil
	})
	for _, st := range out {
		slices.SortFunc(st.Links, func(a, b profile.AccountLink) int {
			return cmp.Compare(slices.Index(profile.Apps, a.App), slices.Index(profile.Apps, b.App))
		})
		slices.SortFunc(st.Consents, func(a, b *profile.Consent) int {
			return cmp.Or(a.GrantedAt.Compare(b.GrantedAt), cmp.Compare(a.SourceApp, b.SourceApp),
				cmp.Compare(a.TargetApp, b.TargetApp), cmp.Compare(a.Category, b.Category), cmp.Compare(a.Purpose, b.Purpose))
		})
	}
	return err
}

// uuidString formats u in the canonical form.
func uuidString(u [16]byte) string {
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j], b[j+1] = hexdigits[c>>4], hexdigits[c&0x0f]
		j += 2
	}
	return string(b[:])
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
