package postgres

import (
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

type handoffRow struct {
	CodeHash   []byte     `db:"code_hash"`
	PersonID   string     `db:"person_id"`
	TargetApp  string     `db:"target_app"`
	AccountID  string     `db:"account_id"`
	CreatedAt  time.Time  `db:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at"`
	RedeemedAt *time.Time `db:"redeemed_at"`
}

const handoffColumns = `code_hash, person_id, target_app, account_id, created_at, expires_at, redeemed_at`

const (
	insertHandoffSQL = `INSERT INTO login_handoffs (` + handoffColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7)`
	// redeemHandoffSQL: of concurrent redeemers, the ones that wait on the row lock
	// re-check redeemed_at IS NULL on the winner's version and match nothing.
	redeemHandoffSQL = `UPDATE login_handoffs SET redeemed_at = $2
WHERE code_hash = $1 AND redeemed_at IS NULL
RETURNING ` + handoffColumns
	deleteHandoffsSQL = `DELETE FROM login_handoffs WHERE person_id = $1 AND target_app = $2 AND redeemed_at IS NULL`
)

func fromHandoff(h *profile.LoginHandoff) handoffRow {
	return handoffRow{
		CodeHash: h.CodeHash, PersonID: h.PersonID, TargetApp: string(h.TargetApp), AccountID: h.AccountID,
		CreatedAt: h.CreatedAt, ExpiresAt: h.ExpiresAt, RedeemedAt: h.RedeemedAt,
	}
}

func (r handoffRow) toHandoff() *profile.LoginHandoff {
	return &profile.LoginHandoff{
		CodeHash: r.CodeHash, PersonID: r.PersonID, TargetApp: profile.App(r.TargetApp), AccountID: r.AccountID,
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(), RedeemedAt: utcPtr(r.RedeemedAt),
	}
}

func (r handoffRow) args() []any {
	return []any{r.CodeHash, r.PersonID, r.TargetApp, r.AccountID, r.CreatedAt, r.ExpiresAt, r.RedeemedAt}
}
