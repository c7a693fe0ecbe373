package dataloaders

import (
	"context"
	"fmt"

	"github.com/vikstrous/dataloadgen"

	"github.com/profilegraph/profilegraph/profile"
)

// listLoaders batch the list-valued content of accounts: devices (content, possibly
// from the shared cache) and pages of cross-posts (never cached). Each batch is one
// store call, so N accounts cost one round trip per relation.
type listLoaders struct {
	devices    *dataloadgen.Loader[string, []*profile.Device]
	crossPosts *dataloadgen.Loader[profile.CrossPostPage, []*profile.CrossPost]
}

func newListLoaders(r Readers, opt dataloadgen.Option) listLoaders {
	return listLoaders{
		devices:    dataloadgen.NewMappedLoader(r.Content.DevicesByAccount, opt),
		crossPosts: dataloadgen.NewMappedLoader(r.Content.CrossPosts, opt),
	}
}

// DevicesOf returns the devices of account id ordered by id, nil if it has none. The
// slice is shared within the request: do not modify it.
func (l *Loaders) DevicesOf(ctx context.Context, accountID string) ([]*profile.Device, error) {
	ds, err := absent(l.lists.devices.Load(ctx, accountID))
	if err != nil {
		return nil, fmt.Errorf("load devices: %w", err)
	}
	return ds, nil
}

// CrossPostsOf returns one page of an account's cross-posts, newest first (nil if it
// has none). The slice is shared within the request: do not modify it.
func (l *Loaders) CrossPostsOf(ctx context.Context, page profile.CrossPostPage) ([]*profile.CrossPost, error) {
	cs, err := absent(l.lists.crossPosts.Load(ctx, page))
	if err != nil {
		return nil, fmt.Errorf("load cross-posts: %w", err)
	}
	return cs, nil
}

// PrefetchDevices loads the devices of every account of accountIDs in one store call
// and primes the loader, for a resolver that holds a whole level of accounts (an
// _entities batch), which left to the fields' own calls can straddle two batch windows.
// It returns the store's error.
func (l *Loaders) PrefetchDevices(ctx context.Context, accountIDs []string) error {
	if len(accountIDs) == 0 {
		return nil
	}
	m, err := l.readers.Content.DevicesByAccount(ctx, accountIDs)
	if err != nil {
		return fmt.Errorf("load devices: %w", err)
	}
	for _, id := range accountIDs {
		l.lists.devices.Prime(id, m[id]) // nil for an account without devices
	}
	return nil
}

// PrefetchCrossPosts is PrefetchDevices for pages of cross-posts; it returns the ids of
// the target accounts of every cross-post of those pages, for a caller that resolves
// them too.
func (l *Loaders) PrefetchCrossPosts(ctx context.Context, pages []profile.CrossPostPage) ([]string, error) {
	if len(pages) == 0 {
		return nil, nil
	}
	m, err := l.readers.Content.CrossPosts(ctx, pages)
	if err != nil {
		return nil, fmt.Errorf("load cross-posts: %w", err)
	}
	var ids []string
	for _, p := range pages {
		l.lists.crossPosts.Prime(p, m[p])
		for _, c := range m[p] {
			ids = append(ids, c.TargetAccountID)
		}
	}
	return ids, nil
}
