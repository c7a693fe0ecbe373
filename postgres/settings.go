package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

type settingsRow struct {
	PersonID     string         `db:"person_id"`
	SyncProfile  bool           `db:"sync_profile"`
	CrossPosting []crossPostRow `db:"cross_posting"` // jsonb, in order
	SingleSignOn []string       `db:"single_sign_on"`
	Version      int            `db:"version"`
	UpdatedAt    time.Time      `db:"updated_at"`
}

// crossPostRow is one element of settings.cross_posting.
type crossPostRow struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// settingsColumns lists the columns of settingsRow.
const settingsColumns = `person_id, sync_profile, cross_posting, single_sign_on, version, updated_at`

const (
	settingsByPersonSQL = `SELECT ` + settingsColumns + `
FROM settings WHERE person_id = ANY($1)`
	putSettingsSQL = `INSERT INTO settings (` + settingsColumns + `)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (person_id) DO UPDATE SET
    sync_profile = excluded.sync_profile, cross_posting = excluded.cross_posting,
    single_sign_on = excluded.single_sign_on, version = excluded.version, updated_at = excluded.updated_at`
)

func fromSettings(s *profile.Settings) settingsRow {
	r := settingsRow{
		PersonID:     s.PersonID,
		SyncProfile:  s.SyncProfile,
		CrossPosting: make([]crossPostRow, len(s.CrossPosting)), // never nil: JSON [] not null
		SingleSignOn: make([]string, len(s.SingleSignOn)),
		Version:      s.Version,
		UpdatedAt:    s.UpdatedAt,
	}
	for i, c := range s.CrossPosting {
		r.CrossPosting[i] = crossPostRow{From: string(c.From), To: string(c.To)}
	}
	for i, a := range s.SingleSignOn {
		r.SingleSignOn[i] = string(a)
	}
	return r
}

func (r settingsRow) toSettings() *profile.Settings {
	s := &profile.Settings{
		PersonID:     r.PersonID,
		SyncProfile:  r.SyncProfile,
		CrossPosting: make([]profile.CrossPostRule, len(r.CrossPosting)),
		SingleSignOn: make([]profile.App, len(r.SingleSignOn)),
		Version:      r.Version,
		UpdatedAt:    r.UpdatedAt.UTC(),
	}
	for i, c := range r.CrossPosting {
		s.CrossPosting[i] = profile.CrossPostRule{From: profile.App(c.From), To: profile.App(c.To)}
	}
	for i, a := range r.SingleSignOn {
		s.SingleSignOn[i] = profile.App(a)
	}
	return s
}

// SettingsByPerson returns the stored settings of each person, in one query; persons who
// never wrote settings, missing and malformed ids are absent. Errors are wrapped
// (INTERNAL).
func (r reader) SettingsByPerson(ctx context.Context, personIDs []string) (map[string]*profile.Settings, error) {
	ids := profile.CanonicalIDs(personIDs)
	out := make(map[string]*profile.Settings, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, _ := r.db.Query(ctx, settingsByPersonSQL, ids)
	rs, err := pgx.CollectRows(rows, pgx.RowToStructByName[settingsRow])
	if err != nil {
		return nil, translate(err, "find settings", "")
	}
	for _, row := range rs {
		out[row.PersonID] = row.toSettings()
	}
	return out, nil
}
