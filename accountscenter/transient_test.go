package accountscenter_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// collidingStore makes the first `fail` transactions lose a deadlock after fn ran.
type collidingStore struct {
	profile.Store
	fail  int32
	calls atomic.Int32
}

func (s *collidingStore) InTx(ctx context.Context, fn func(context.Context, profile.Tx) error) error {
	if s.calls.Add(1) <= s.fail {
		return s.Store.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			if err := fn(ctx, tx); err != nil {
				return err
			}
			// Roll back what fn wrote, as PostgreSQL does for a deadlock's loser.
			return fmt.Errorf("lock person: %w: %w", profile.ErrTransient,
				profile.Errorf(profile.Conflict, "the change collided with a concurrent one; try again"))
		})
	}
	return s.Store.InTx(ctx, fn)
}

func TestTransientCollisionsAreRetried(t *testing.T) {
	t.Run("a lost deadlock is run again and succeeds", func(t *testing.T) {
		store := &collidingStore{Store: memory.New(), fail: 2}
		e := newEnv(t, store)
		acc := e.mustAccount(t, user(profile.AppFacebook, "ret-1"))
		if got := store.calls.Load(); got != 3 {
			t.Fatalf("InTx called %d times, want 3 (two collisions, then success)", got)
		}
		if acc == nil || e.account(t, user(profile.AppFacebook, "ret-1")) == nil {
			t.Fatalf("the account was not written by the retry")
		}
	})
	t.Run("collisions without end give CONFLICT, not INTERNAL", func(t *testing.T) {
		store := &collidingStore{Store: memory.New(), fail: 1 << 20}
		e := newEnv(t, store)
		_, err := e.svc.UpsertAppAccount(ctx(t), service(profile.AppFacebook), accountscenter.UpsertAccountInput{AppUserID: "ret-2", Username: "ret2"})
		wantCode(t, err, profile.Conflict)
	})
}
