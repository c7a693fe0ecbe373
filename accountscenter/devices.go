package accountscenter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// validateDevices checks a device list given to upsertAppAccount (SPEC §6) and returns a
// normalized copy (times in UTC at microsecond precision, as the stores keep them,
// ordered by id as they come back), or nil when none was given. Errors are
// BAD_USER_INPUT.
func validateDevices(ds *[]*profile.Device, now time.Time) (*[]*profile.Device, error) {
	if ds == nil {
		return nil, nil
	}
	if err := profile.ValidateDevices(*ds, now); err != nil {
		return nil, err
	}
	n := profile.CloneDevices(*ds)
	for _, d := range n {
		d.LastActiveAt = d.LastActiveAt.UTC().Truncate(time.Microsecond)
	}
	slices.SortFunc(n, func(a, b *profile.Device) int { return strings.Compare(a.ID, b.ID) })
	return &n, nil
}

// replaceDevices stores ds as the account's devices when given and different from the
// stored list, and reports whether it changed anything.
func replaceDevices(ctx context.Context, tx profile.Tx, accountID string, ds *[]*profile.Device) (bool, error) {
	if ds == nil {
		return false, nil
	}
	old, err := tx.DevicesByAccount(ctx, []string{accountID})
	if err != nil {
		return false, fmt.Errorf("read devices: %w", err)
	}
	if slices.EqualFunc(old[accountID], *ds, sameDevice) {
		return false, nil
	}
	if err := tx.ReplaceDevices(ctx, accountID, *ds); err != nil {
		return false, fmt.Errorf("replace devices: %w", err)
	}
	return true, nil
}

func sameDevice(a, b *profile.Device) bool {
	return a.ID == b.ID && a.Platform == b.Platform && eqPtr(a.Model, b.Model) && eqPtr(a.AppVersion, b.AppVersion) &&
		eqPtr(a.Connection, b.Connection) && a.LastActiveAt.Equal(b.LastActiveAt)
}

func eqPtr[T comparable](a, b *T) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
