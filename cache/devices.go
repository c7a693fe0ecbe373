package cache

import (
	"context"

	"github.com/profilegraph/profilegraph/profile"
)

// Devices are content of their account: cached under "d:<account id>" (an account
// without devices as absent) and dropped with every invalidation of the account, which
// ReplaceDevices records. Cross-posts, like the activity log, are never cached.

func devicesKey(id string) string { return "d:" + id }

// DevicesByAccount returns the devices of each account, from the cache where it holds
// them and from the inner store (one call) for the rest. It returns the inner store's
// error.
func (s *Store) DevicesByAccount(ctx context.Context, accountIDs []string) (map[string][]*profile.Device, error) {
	return readByID(ctx, s, accountIDs, devicesKey, s.inner.DevicesByAccount, encodeDevices, decodeDevices, nil)
}

// CrossPosts is never cached. It returns the inner store's result and error.
func (s *Store) CrossPosts(ctx context.Context, pages []profile.CrossPostPage) (map[profile.CrossPostPage][]*profile.CrossPost, error) {
	return s.inner.CrossPosts(ctx, pages)
}

// ReplaceDevices records the account (its cached devices go with it) and replaces its
// devices. It returns the inner Tx's error.
func (r *recorder) ReplaceDevices(ctx context.Context, accountID string, ds []*profile.Device) error {
	r.note(func(inv *Invalidation) { inv.Accounts = append(inv.Accounts, accountID) })
	return r.Tx.ReplaceDevices(ctx, accountID, ds)
}
