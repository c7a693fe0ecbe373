package cache_test

import (
	"context"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

func TestDevicesAreCachedAndInvalidatedWithTheirAccount(t *testing.T) {
	pg := MustCounted(t)
	cs := MustCache(t, pg, 1<<20)
	f := seed(t, cs)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	put := func(ids ...string) {
		t.Helper()
		ds := make([]*profile.Device, len(ids))
		for i, id := range ids {
			ds[i] = &profile.Device{ID: id, Platform: profile.PlatformIOS, LastActiveAt: now}
		}
		inTx(t, cs, func(ctx context.Context, tx profile.Tx) error { return tx.ReplaceDevices(ctx, f.fb.ID, ds) })
	}
	read := func() []string {
		t.Helper()
		m, err := cs.DevicesByAccount(ctx, []string{f.fb.ID})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, d := range m[f.fb.ID] {
			ids = append(ids, d.ID)
		}
		return ids
	}
	put("phone")
	read()
	cs.Wait()
	if got := pg.trips(t, func() error { read(); return nil }); got != 0 {
		t.Fatalf("second read: %d round trips, want 0 (a cache hit)", got)
	}
	m, _ := cs.DevicesByAccount(ctx, []string{f.fb.ID})
	m[f.fb.ID][0].ID = "mutated"
	if got := read(); len(got) != 1 || got[0] != "phone" {
		t.Fatalf("cached devices = %v after a caller mutated its copy", got)
	}

	t.Run("ReplaceDevices invalidates before InTx returns", func(t *testing.T) {
		put("laptop", "tablet")
		if got := read(); len(got) != 2 || got[0] != "laptop" {
			t.Fatalf("devices after replace = %v, want [laptop tablet]", got)
		}
	})
	t.Run("an empty list is cached as absent and invalidated too", func(t *testing.T) {
		put()
		if got := read(); len(got) != 0 {
			t.Fatalf("devices after clearing = %v", got)
		}
		cs.Wait()
		put("watch")
		if got := read(); len(got) != 1 || got[0] != "watch" {
			t.Fatalf("devices = %v, want [watch]", got)
		}
	})
	t.Run("an account update drops its devices too", func(t *testing.T) {
		read()
		cs.Wait()
		// Behind the cache's back (as another replica would), then the account's
		// invalidation arrives.
		inTx(t, pg, func(ctx context.Context, tx profile.Tx) error {
			return tx.ReplaceDevices(ctx, f.fb.ID, []*profile.Device{{ID: "other-replica", Platform: profile.PlatformWeb, LastActiveAt: now}})
		})
		rename(t, cs, f.fb.ID, "Renamed")
		if got := read(); len(got) != 1 || got[0] != "other-replica" {
			t.Fatalf("devices = %v, want [other-replica]", got)
		}
	})
}
