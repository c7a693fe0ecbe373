package profile

import (
	"context"
	"time"
)

// ActivityAccountDeleted is the activity event appended to a person's log when an app
// deletes one of the person's linked accounts (deleteAppAccount, SPEC §6).
const ActivityAccountDeleted ActivityType = "ACCOUNT_DELETED"

// Erasure is the record that an erasure (erasePerson, SPEC §6) happened. It holds no
// personal data: not the person's id (a pseudonymous identifier is still personal
// data), not its accounts, not how many it had. Seq is a store-assigned counter that
// only orders erasures; At is when the erasure happened.
type Erasure struct {
	Seq int64
	At  time.Time
}

// ErasureReader reads the erasure records (for audits and tests). Stores implement it.
type ErasureReader interface {
	// Erasures returns every erasure record, oldest first.
	Erasures(ctx context.Context) ([]Erasure, error)
}
