package dataloaders_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/dataloaders"
	"github.com/profilegraph/profilegraph/profile"
)

// countingLists counts the list reads of a store.
type countingLists struct {
	profile.Store
	devices, crossPosts, accountsByID atomic.Int64
}

func (c *countingLists) DevicesByAccount(ctx context.Context, ids []string) (map[string][]*profile.Device, error) {
	c.devices.Add(1)
	return c.Store.DevicesByAccount(ctx, ids)
}

func (c *countingLists) CrossPosts(ctx context.Context, pages []profile.CrossPostPage) (map[profile.CrossPostPage][]*profile.CrossPost, error) {
	c.crossPosts.Add(1)
	return c.Store.CrossPosts(ctx, pages)
}

func (c *countingLists) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	c.accountsByID.Add(1)
	return c.Store.AccountsByID(ctx, ids)
}

// listsWorld stores n persons whose WHATSAPP account has one device and one cross-post
// to its FACEBOOK account (odd ones have none), and returns the WHATSAPP accounts.
func listsWorld(t *testing.T, w *world, n int) []*profile.Account {
	t.Helper()
	var out []*profile.Account
	for i := range n {
		_, accs := w.person(t, profile.AppFacebook, profile.AppWhatsApp)
		fb, wa := accs[0], accs[1]
		out = append(out, wa)
		if i%2 == 1 {
			continue
		}
		w.write(t, func(ctx context.Context, tx profile.Tx) error {
			if err := tx.ReplaceDevices(ctx, wa.ID, []*profile.Device{{ID: fmt.Sprint("d", i), Platform: profile.PlatformAndroid, LastActiveAt: w.now}}); err != nil {
				return err
			}
			_, _, err := tx.InsertCrossPost(ctx, &profile.CrossPost{AccountID: wa.ID, From: wa.App, To: fb.App, TargetAccountID: fb.ID, ContentID: "c", At: w.now})
			return err
		})
	}
	return out
}

func TestDevicesAndCrossPostsOfALevelCostOneCallEach(t *testing.T) {
	for _, prefetch := range []bool{false, true} {
		t.Run(fmt.Sprintf("prefetch=%v", prefetch), func(t *testing.T) {
			w := newWorld(t)
			accs := listsWorld(t, w, 40)
			content := &countingLists{Store: w.store}
			l := dataloaders.New(dataloaders.Readers{Content: content, Fresh: w.store}, 20*time.Millisecond)
			ctx := context.Background()
			page := func(a *profile.Account) profile.CrossPostPage {
				return profile.CrossPostPage{AccountID: a.ID, Limit: 21}
			}
			if prefetch {
				ids := make([]string, len(accs))
				pages := make([]profile.CrossPostPage, len(accs))
				for i, a := range accs {
					ids[i], pages[i] = a.ID, page(a)
				}
				targets, err := l.PrefetchCrossPosts(ctx, pages)
				if err := errors.Join(l.PrefetchDevices(ctx, ids), err); err != nil {
					t.Fatal(err)
				}
				if _, err := l.Accounts(ctx, targets); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			errs := make([]error, len(accs))
			for i, a := range accs {
				wg.Go(func() {
					ds, err := l.DevicesOf(ctx, a.ID)
					cs, err2 := l.CrossPostsOf(ctx, page(a))
					want := 1 - i%2
					switch {
					case err != nil || err2 != nil:
						errs[i] = errors.Join(err, err2)
					case len(ds) != want || len(cs) != want:
						errs[i] = fmt.Errorf("account %d: %d devices and %d cross-posts, want %d", i, len(ds), len(cs), want)
					case want == 1 && ds[0].ID != fmt.Sprint("d", i):
						errs[i] = fmt.Errorf("account %d got device %s", i, ds[0].ID)
					}
					if want == 1 && errs[i] == nil {
						target, err := l.Account(ctx, cs[0].TargetAccountID)
						if err != nil || target == nil || target.App != profile.AppFacebook {
							errs[i] = fmt.Errorf("account %d: target %v, %v", i, target, err)
						}
					}
				})
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Fatal(err)
			}
			if d, c, a := content.devices.Load(), content.crossPosts.Load(), content.accountsByID.Load(); d != 1 || c != 1 || a != 1 {
				t.Errorf("DevicesByAccount, CrossPosts, AccountsByID calls = %d, %d, %d; want 1 each", d, c, a)
			}
		})
	}
}
