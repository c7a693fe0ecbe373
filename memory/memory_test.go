package memory_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/memory"
	"github.com/profilegraph/profilegraph/profile"
)

// These tests cover what the contract suite (store_test.go) cannot: isolation of copies,
// snapshot visibility, panics, cancelled contexts and concurrency of the in-memory store.

var t0 = time.Date(2024, time.May, 1, 9, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

func mustTx(tb testing.TB, s profile.Store, fn func(ctx context.Context, tx profile.Tx) error) {
	tb.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		tb.Fatalf("InTx: %v", err)
	}
}

// mustLinked stores a new person with one linked FACEBOOK account and returns both.
func mustLinked(tb testing.TB, s profile.Store) (*profile.Person, *profile.Account) {
	tb.Helper()
	p := &profile.Person{ID: uuid.NewString(), CreatedAt: t0}
	a := &profile.Account{
		ID: uuid.NewString(), App: profile.AppFacebook, AppUserID: "fb-" + uuid.NewString()[:8],
		PersonID: p.ID, LinkedAt: ptr(t0), Username: "jane", DisplayName: ptr("Jane"),
		Avatar:    &profile.Avatar{URL: "https://cdn.example.com/j.jpg", Width: ptr(100), UpdatedAt: t0},
		Birthdate: &profile.Date{Year: 1990, Month: time.January, Day: 2},
		CreatedAt: t0, UpdatedAt: t0,
	}
	mustTx(tb, s, func(ctx context.Context, tx profile.Tx) error {
		return errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, a))
	})
	return p, a
}

func account(tb testing.TB, s profile.Reader, id string) *profile.Account {
	tb.Helper()
	m, err := s.AccountsByID(context.Background(), []string{id})
	if err != nil {
		tb.Fatalf("AccountsByID: %v", err)
	}
	return m[id]
}

func TestCopiesAreIsolated(t *testing.T) {
	ctx := context.Background()

	t.Run("mutating a read account does not change the store", func(t *testing.T) {
		s := memory.New()
		_, a := mustLinked(t, s)
		got := account(t, s, a.ID)
		*got.DisplayName = "Mallory"
		*got.Avatar.Width = 1
		got.Avatar.URL = "https://evil.example/x.jpg"
		got.Birthdate.Year = 2020
		*got.LinkedAt = t0.Add(time.Hour)
		again := account(t, s, a.ID)
		if *again.DisplayName != "Jane" || *again.Avatar.Width != 100 || again.Avatar.URL != a.Avatar.URL ||
			again.Birthdate.Year != 1990 || !again.LinkedAt.Equal(t0) {
			t.Fatalf("store changed through a returned copy: %+v", again)
		}
	})
	t.Run("mutating an input after writing does not change the store", func(t *testing.T) {
		s := memory.New()
		p, a := mustLinked(t, s)
		*a.DisplayName = "Mallory"
		a.Avatar.URL = "https://evil.example/x.jpg"
		st := &profile.Settings{PersonID: p.ID, CrossPosting: []profile.CrossPostRule{{From: profile.AppFacebook, To: profile.AppInstagram}},
			SingleSignOn: []profile.App{profile.AppInstagram}, Version: 1, UpdatedAt: t0}
		ev := &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityLinked, App: ptr(profile.AppFacebook), At: t0}
		h := &profile.LoginHandoff{CodeHash: []byte("code-hash"), PersonID: p.ID, TargetApp: profile.AppFacebook,
			AccountID: a.ID, CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Minute)}
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			return errors.Join(tx.PutSettings(ctx, st), tx.AppendActivity(ctx, ev), tx.InsertHandoff(ctx, h))
		})
		st.CrossPosting[0].To = profile.AppThreads
		st.SingleSignOn[0] = profile.AppThreads
		*ev.App = profile.AppThreads
		h.CodeHash[0] = 'X'

		if got := account(t, s, a.ID); *got.DisplayName != "Jane" || got.Avatar.URL != "https://cdn.example.com/j.jpg" {
			t.Errorf("account changed through its input: %+v", got)
		}
		settings, err := s.SettingsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := settings[p.ID]; got.CrossPosting[0].To != profile.AppInstagram || got.SingleSignOn[0] != profile.AppInstagram {
			t.Errorf("settings changed through their input: %+v", got)
		}
		evs, err := s.Activity(ctx, p.ID, 0, 1)
		if err != nil {
			t.Fatal(err)
		}
		if *evs[0].App != profile.AppFacebook {
			t.Errorf("event app changed through its input: %v", *evs[0].App)
		}
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			got, err := tx.RedeemHandoff(ctx, []byte("code-hash"), t0)
			if err != nil || got == nil || string(got.CodeHash) != "code-hash" {
				t.Errorf("RedeemHandoff(original code) = %+v, %v; want the handoff", got, err)
			}
			return err
		})
	})
	t.Run("mutating read settings does not change the store", func(t *testing.T) {
		s := memory.New()
		p, _ := mustLinked(t, s)
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			return tx.PutSettings(ctx, &profile.Settings{PersonID: p.ID, SingleSignOn: []profile.App{profile.AppFacebook}, Version: 1, UpdatedAt: t0})
		})
		m, err := s.SettingsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		m[p.ID].SingleSignOn[0] = profile.AppThreads
		m[p.ID].Version = 99
		m, err = s.SettingsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := m[p.ID]; got.SingleSignOn[0] != profile.AppFacebook || got.Version != 1 {
			t.Errorf("settings changed through a returned copy: %+v", got)
		}
	})
}

func TestVisibility(t *testing.T) {
	ctx := context.Background()

	t.Run("readers outside a transaction see only committed writes", func(t *testing.T) {
		s := memory.New()
		p, a := mustLinked(t, s)
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			upd := a.Clone()
			upd.Username = "renamed"
			if err := tx.UpdateAccount(ctx, upd); err != nil {
				return err
			}
			if err := tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivityProfileUpdated, At: t0}); err != nil {
				return err
			}
			if got := account(t, s, a.ID); got.Username != "jane" {
				t.Errorf("store sees uncommitted username %q", got.Username)
			}
			if evs, err := s.Activity(ctx, p.ID, 0, 10); err != nil || len(evs) != 0 {
				t.Errorf("store sees uncommitted activity: %d events, %v", len(evs), err)
			}
			if got := account(t, tx, a.ID); got.Username != "renamed" {
				t.Errorf("tx does not see its own username, got %q", got.Username)
			}
			return nil
		})
		if got := account(t, s, a.ID); got.Username != "renamed" {
			t.Errorf("committed username = %q, want renamed", got.Username)
		}
	})

	t.Run("a panicking fn leaves no trace and frees the writer", func(t *testing.T) {
		s := memory.New()
		_, a := mustLinked(t, s)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("InTx swallowed the panic")
				}
			}()
			_ = s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
				upd := a.Clone()
				upd.Username = "panicked"
				if err := tx.UpdateAccount(ctx, upd); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if got := account(t, s, a.ID); got.Username != "jane" {
			t.Errorf("username after panic = %q, want jane", got.Username)
		}
		done := make(chan error, 1)
		go func() { done <- s.InTx(ctx, func(context.Context, profile.Tx) error { return nil }) }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("InTx after a panic: %v", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("InTx after a panic is still waiting for the writer")
		}
	})

	t.Run("a Tx used after its InTx returned fails", func(t *testing.T) {
		s := memory.New()
		var leaked profile.Tx
		mustTx(t, s, func(_ context.Context, tx profile.Tx) error { leaked = tx; return nil })
		err := leaked.InsertPerson(ctx, &profile.Person{ID: uuid.NewString(), CreatedAt: t0})
		if err == nil {
			t.Fatal("InsertPerson through an ended Tx succeeded")
		}
		if _, err := leaked.PersonsByID(ctx, nil); err == nil {
			t.Error("PersonsByID through an ended Tx succeeded")
		}
	})

	t.Run("ids that are not canonical UUIDs are absent", func(t *testing.T) {
		s := memory.New()
		p, a := mustLinked(t, s)
		for _, id := range []string{strings.ToUpper(a.ID), "{" + a.ID + "}", strings.ReplaceAll(a.ID, "-", "")} {
			if got := account(t, s, id); got != nil {
				t.Errorf("AccountsByID(%q) found %s", id, got.ID)
			}
		}
		persons, err := s.PersonsByID(ctx, []string{strings.ToUpper(p.ID)})
		if err != nil || len(persons) != 0 {
			t.Errorf("PersonsByID(upper case) = %v, %v; want empty", persons, err)
		}
	})
}

func TestDeletePersonRules(t *testing.T) {
	ctx := context.Background()

	t.Run("a person with linked accounts is CONFLICT", func(t *testing.T) {
		s := memory.New()
		p, _ := mustLinked(t, s)
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.DeletePerson(ctx, p.ID) })
		if code := profile.ErrorCode(err); code != profile.Conflict {
			t.Fatalf("DeletePerson with an account = %v, want CONFLICT", err)
		}
		if m, _ := s.PersonsByID(ctx, []string{p.ID}); m[p.ID] == nil {
			t.Error("person vanished after a refused delete")
		}
	})
	t.Run("pending handoffs go with their person", func(t *testing.T) {
		s := memory.New()
		p, a := mustLinked(t, s)
		code := []byte("pending-code")
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			return tx.InsertHandoff(ctx, &profile.LoginHandoff{CodeHash: code, PersonID: p.ID, TargetApp: a.App,
				AccountID: a.ID, CreatedAt: t0, ExpiresAt: t0.Add(2 * time.Minute)})
		})
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			upd := a.Clone()
			upd.PersonID, upd.LinkedAt = "", nil
			return errors.Join(tx.UpdateAccount(ctx, upd), tx.DeletePerson(ctx, p.ID))
		})
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			if h, err := tx.RedeemHandoff(ctx, code, t0); h != nil || err != nil {
				t.Errorf("RedeemHandoff after DeletePerson = %+v, %v; want nil, nil", h, err)
			}
			return nil
		})
	})
}

func TestContextCancellation(t *testing.T) {
	t.Run("a cancelled context does not start fn", func(t *testing.T) {
		s := memory.New()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := s.InTx(ctx, func(context.Context, profile.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("InTx(cancelled) = %v, fn ran %v; want context.Canceled and no run", err, ran)
		}
	})
	t.Run("waiting for the writer ends with the context", func(t *testing.T) {
		s := memory.New()
		entered, release := make(chan struct{}), make(chan struct{})
		go func() {
			_ = s.InTx(context.Background(), func(context.Context, profile.Tx) error {
				close(entered)
				<-release
				return nil
			})
		}()
		<-entered
		defer close(release)
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := s.InTx(ctx, func(context.Context, profile.Tx) error { return nil })
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("InTx while another writer holds the store = %v, want DeadlineExceeded", err)
		}
	})
	t.Run("a context cancelled during fn discards its writes", func(t *testing.T) {
		s := memory.New()
		ctx, cancel := context.WithCancel(context.Background())
		p := &profile.Person{ID: uuid.NewString(), CreatedAt: t0}
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			err := tx.InsertPerson(ctx, p)
			cancel()
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("InTx = %v, want context.Canceled", err)
		}
		if m, _ := s.PersonsByID(context.Background(), []string{p.ID}); len(m) != 0 {
			t.Error("person written under a cancelled context persisted")
		}
	})
}

func TestConcurrency(t *testing.T) {
	ctx := context.Background()

	t.Run("writers are serialized: no lost read-modify-write", func(t *testing.T) {
		s := memory.New()
		p, _ := mustLinked(t, s)
		const n = 50
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
					m, err := tx.SettingsByPerson(ctx, []string{p.ID})
					if err != nil {
						return err
					}
					st := m[p.ID]
					if st == nil {
						st = profile.DefaultSettings(p.ID)
					}
					st.Version++
					if err := tx.PutSettings(ctx, st); err != nil {
						return err
					}
					return tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: p.ID, Type: profile.ActivitySettingsUpdated, At: t0})
				})
				if err != nil {
					t.Errorf("InTx: %v", err)
				}
			})
		}
		wg.Wait()
		m, err := s.SettingsByPerson(ctx, []string{p.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got := m[p.ID].Version; got != n {
			t.Errorf("version after %d increments = %d", n, got)
		}
		evs, err := s.Activity(ctx, p.ID, 0, 2*n)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != n {
			t.Fatalf("got %d events, want %d", len(evs), n)
		}
		for i := 1; i < len(evs); i++ {
			if evs[i].Seq >= evs[i-1].Seq {
				t.Fatalf("events not strictly newest first: Seq %d then %d", evs[i-1].Seq, evs[i].Seq)
			}
		}
	})

	t.Run("readers never see half a transaction", func(t *testing.T) {
		s := memory.New()
		const rounds = 200
		ids := make([][2]string, rounds)
		for i := range ids {
			ids[i] = [2]string{uuid.NewString(), uuid.NewString()}
		}
		stop := make(chan struct{})
		var readers sync.WaitGroup
		for range 4 {
			readers.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					for _, pair := range ids {
						m, err := s.PersonsByID(ctx, pair[:])
						if err != nil {
							t.Errorf("PersonsByID: %v", err)
							return
						}
						if len(m) == 1 {
							t.Errorf("saw 1 of 2 persons written in one transaction")
							return
						}
					}
				}
			})
		}
		for i, pair := range ids {
			err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
				for _, id := range pair {
					if err := tx.InsertPerson(ctx, &profile.Person{ID: id, CreatedAt: t0}); err != nil {
						return err
					}
				}
				if i%2 == 1 {
					return fmt.Errorf("roll back round %d", i)
				}
				return nil
			})
			if (err != nil) != (i%2 == 1) {
				t.Fatalf("round %d: InTx = %v", i, err)
			}
		}
		close(stop)
		readers.Wait()
		for i, pair := range ids {
			m, err := s.PersonsByID(ctx, pair[:])
			if err != nil {
				t.Fatal(err)
			}
			if want := 2 * (1 - i%2); len(m) != want {
				t.Errorf("round %d: %d persons, want %d", i, len(m), want)
			}
		}
	})
}

func TestWriteIDs(t *testing.T) {
	ctx := context.Background()

	t.Run("empty ids of new persons and accounts are assigned", func(t *testing.T) {
		s := memory.New()
		p := &profile.Person{CreatedAt: t0}
		a := &profile.Account{App: profile.AppThreads, AppUserID: "t-1", CreatedAt: t0, UpdatedAt: t0}
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			if err := tx.InsertPerson(ctx, p); err != nil {
				return err
			}
			a.PersonID = p.ID
			return tx.InsertAccount(ctx, a)
		})
		if _, err := uuid.Parse(p.ID); err != nil {
			t.Fatalf("person id %q is not a UUID", p.ID)
		}
		if got := account(t, s, a.ID); got == nil || got.PersonID != p.ID {
			t.Fatalf("account %q with assigned id not stored under person %s: %+v", a.ID, p.ID, got)
		}
	})

	t.Run("malformed ids in writes are BAD_USER_INPUT", func(t *testing.T) {
		s := memory.New()
		p, _ := mustLinked(t, s)
		for _, tc := range []struct {
			name  string
			write func(ctx context.Context, tx profile.Tx) error
		}{
			{"InsertPerson", func(ctx context.Context, tx profile.Tx) error {
				return tx.InsertPerson(ctx, &profile.Person{ID: "nope", CreatedAt: t0})
			}},
			{"InsertAccount", func(ctx context.Context, tx profile.Tx) error {
				return tx.InsertAccount(ctx, &profile.Account{ID: "nope", App: profile.AppThreads, AppUserID: "x"})
			}},
			{"InsertAccount person", func(ctx context.Context, tx profile.Tx) error {
				return tx.InsertAccount(ctx, &profile.Account{ID: uuid.NewString(), App: profile.AppThreads, AppUserID: "x", PersonID: "nope"})
			}},
			{"PutSettings", func(ctx context.Context, tx profile.Tx) error {
				return tx.PutSettings(ctx, &profile.Settings{PersonID: "nope"})
			}},
			{"AppendActivity", func(ctx context.Context, tx profile.Tx) error {
				return tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: "", Type: profile.ActivityLinked})
			}},
		} {
			err := s.InTx(ctx, tc.write)
			if code := profile.ErrorCode(err); code != profile.BadUserInput {
				t.Errorf("%s: error %v, want BAD_USER_INPUT", tc.name, err)
			}
		}
		// A valid but non-canonical spelling names the same person, as in PostgreSQL.
		mustTx(t, s, func(ctx context.Context, tx profile.Tx) error {
			return tx.PutSettings(ctx, &profile.Settings{PersonID: strings.ToUpper(p.ID), Version: 1, UpdatedAt: t0})
		})
		m, err := s.SettingsByPerson(ctx, []string{p.ID})
		if err != nil || m[p.ID] == nil || m[p.ID].PersonID != p.ID {
			t.Errorf("settings written under an upper-case id = %+v, %v; want stored under %s", m[p.ID], err, p.ID)
		}
	})
}
