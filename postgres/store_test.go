package postgres_test

import (
	"context"
	"errors"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/profile/storetest"
)

// MustOpen opens a store on dbURL and closes it in tb.Cleanup.
func MustOpen(tb testing.TB, dbURL string, opts ...postgres.Option) *postgres.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), dbURL, nil, opts...)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

func TestStoreContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) profile.Store {
		return MustOpen(t, testdb.New(t))
	})
}

func TestOpenConcurrentlyOnEmptyDatabaseMigratesOnce(t *testing.T) {
	dbURL := testdb.NewEmpty(t)
	const replicas = 4
	stores := make([]*postgres.Store, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range replicas {
		wg.Go(func() {
			<-start
			stores[i], errs[i] = postgres.Open(context.Background(), dbURL, nil)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
		} else {
			t.Cleanup(stores[i].Close)
		}
	}
	if t.Failed() {
		t.FailNow()
	}

	ctx := context.Background()
	pool := stores[0].Pool()
	var version, migrations int
	if err := pool.QueryRow(ctx, "SELECT version FROM public.profilegraph_schema_version").Scan(&version); err != nil {
		t.Fatalf("read schema version: %v", err)
	}
	files, err := migrationFiles()
	if err != nil {
		t.Fatal(err)
	}
	migrations = len(files)
	if version != migrations {
		t.Errorf("schema version = %d, want %d (one per migration file)", version, migrations)
	}
	var tables []string
	rows, _ := pool.Query(ctx, "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
	tables, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"accounts", "activity", "consents", "cross_posts", "devices", "erasures", "login_handoffs", "persons", "profilegraph_schema_version", "replicas", "settings"}
	if len(tables) != len(want) {
		t.Fatalf("tables = %v, want %v", tables, want)
	}
	for i := range want {
		if tables[i] != want[i] {
			t.Fatalf("tables = %v, want %v", tables, want)
		}
	}

	// Every replica works on the one schema: what one writes, another reads.
	p := &profile.Person{ID: uuid.NewString(), CreatedAt: time.Now()}
	if err := stores[1].InTx(ctx, func(ctx context.Context, tx profile.Tx) error { return tx.InsertPerson(ctx, p) }); err != nil {
		t.Fatalf("insert person through replica 1: %v", err)
	}
	got, err := stores[3].PersonsByID(ctx, []string{p.ID})
	if err != nil || got[p.ID] == nil {
		t.Fatalf("read person through replica 3 = %v, %v", got, err)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for i := range 2 {
		if err := postgres.Migrate(ctx, conn); err != nil {
			t.Fatalf("Migrate on a migrated database (run %d): %v", i+1, err)
		}
	}
	// The advisory lock is released: another session can take it at once.
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(x'70726f66696c6567'::bigint)").Scan(&got); err != nil || !got {
		t.Fatalf("migration lock still held after Migrate: %v, %v", got, err)
	}
}

func TestOpenFailsClearlyWhenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", nil)
	if err == nil {
		t.Fatal("Open of an unreachable server succeeded")
	}
	if !strings.Contains(err.Error(), "connect to database") {
		t.Errorf("error = %v, want it to say it could not connect to the database", err)
	}
}

func migrationFiles() ([]string, error) { return fs.Glob(postgres.Migrations(), "*.sql") }

// queryCounter counts round trips per test.
type queryCounter struct{ n atomic.Int64 }

func (c *queryCounter) count(context.Context) { c.n.Add(1) }

// delta returns how many round trips fn made.
func (c *queryCounter) delta(t *testing.T, fn func() error) int64 {
	t.Helper()
	before := c.n.Load()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
	return c.n.Load() - before
}

func TestReadsCostOneRoundTripPerBatch(t *testing.T) {
	var qc queryCounter
	s := MustOpen(t, testdb.New(t), postgres.WithQueryCounter(qc.count))
	ctx := context.Background()

	var persons []string
	var keys []profile.AccountKey
	var accounts []string
	err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		for i := range 5 {
			p := &profile.Person{ID: uuid.NewString(), CreatedAt: time.Now()}
			a := &profile.Account{ID: uuid.NewString(), App: profile.Apps[i], AppUserID: "u" + p.ID[:8], PersonID: p.ID,
				CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, a)); err != nil {
				return err
			}
			persons, keys, accounts = append(persons, p.ID), append(keys, a.Key()), append(accounts, a.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	withJunk := func(ids []string) []string { return append([]string{"not-a-uuid", uuid.NewString()}, ids...) }

	for _, tc := range []struct {
		name string
		read func() error
		want int64
	}{
		{"PersonsByID", func() error { _, err := s.PersonsByID(ctx, withJunk(persons)); return err }, 1},
		{"AccountsByID", func() error { _, err := s.AccountsByID(ctx, withJunk(accounts)); return err }, 1},
		{"AccountsByKey", func() error { _, err := s.AccountsByKey(ctx, keys); return err }, 1},
		{"AccountsByPerson", func() error { _, err := s.AccountsByPerson(ctx, withJunk(persons)); return err }, 1},
		{"SettingsByPerson", func() error { _, err := s.SettingsByPerson(ctx, persons); return err }, 1},
		{"ConsentsByPerson", func() error { _, err := s.ConsentsByPerson(ctx, persons); return err }, 1},
		{"Activity", func() error { _, err := s.Activity(ctx, persons[0], 0, 10); return err }, 1},
		{"PrivacyByPerson (links and consents together)", func() error { _, err := s.PrivacyByPerson(ctx, withJunk(persons)); return err }, 1},
		{"DevicesByAccount", func() error { _, err := s.DevicesByAccount(ctx, withJunk(accounts)); return err }, 1},
		{"CrossPosts of many pages", func() error {
			pages := make([]profile.CrossPostPage, len(accounts))
			for i, id := range accounts {
				pages[i] = profile.CrossPostPage{AccountID: id, BeforeSeq: int64(i), Limit: 20}
			}
			_, err := s.CrossPosts(ctx, pages)
			return err
		}, 1},
		{"only malformed ids: no query", func() error { _, err := s.PersonsByID(ctx, []string{"x", "y"}); return err }, 0},
		{"no keys: no query", func() error { _, err := s.AccountsByKey(ctx, nil); return err }, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := qc.delta(t, tc.read); got != tc.want {
				t.Errorf("round trips = %d, want %d", got, tc.want)
			}
		})
	}

	t.Run("a write is one round trip (savepoint batch)", func(t *testing.T) {
		var inside int64
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			inside = qc.delta(t, func() error {
				return tx.AppendActivity(ctx, &profile.ActivityEvent{PersonID: persons[0], Type: profile.ActivityLinked, At: time.Now()})
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if inside != 1 {
			t.Errorf("AppendActivity round trips = %d, want 1", inside)
		}
	})
	t.Run("replacing devices is one round trip", func(t *testing.T) {
		var inside int64
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			inside = qc.delta(t, func() error {
				return tx.ReplaceDevices(ctx, accounts[0], []*profile.Device{
					{ID: "a", Platform: profile.PlatformIOS, LastActiveAt: time.Now()},
					{ID: "b", Platform: profile.PlatformWeb, LastActiveAt: time.Now()},
				})
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if inside != 1 {
			t.Errorf("ReplaceDevices round trips = %d, want 1", inside)
		}
	})
}

func TestTracerCountsQueriesBatchesAndCopies(t *testing.T) {
	var qc queryCounter
	s := MustOpen(t, testdb.New(t), postgres.WithPoolConfig(func(c *pgxpool.Config) {
		c.ConnConfig.Tracer = postgres.NewTracer(qc.count)
		c.MaxConns = 2
	}))
	ctx := context.Background()
	pool := s.Pool()
	if pool.Config().MaxConns != 2 {
		t.Errorf("WithPoolConfig not applied: MaxConns = %d", pool.Config().MaxConns)
	}
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"query", func() error { _, err := pool.Exec(ctx, "SELECT 1"); return err }},
		{"batch of three", func() error {
			b := &pgx.Batch{}
			b.Queue("SELECT 1")
			b.Queue("SELECT 2")
			b.Queue("SELECT 3")
			return pool.SendBatch(ctx, b).Close()
		}},
		{"copy", func() error {
			_, err := pool.CopyFrom(ctx, pgx.Identifier{"persons"}, []string{"id", "created_at"},
				pgx.CopyFromRows([][]any{{uuid.NewString(), time.Now()}, {uuid.NewString(), time.Now()}}))
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := qc.delta(t, tc.run); got != 1 {
				t.Errorf("counted %d round trips, want 1", got)
			}
		})
	}
}

func TestErrorTranslation(t *testing.T) {
	s := MustOpen(t, testdb.New(t))
	ctx := context.Background()
	p := &profile.Person{ID: uuid.NewString(), CreatedAt: time.Now()}
	a := &profile.Account{ID: uuid.NewString(), App: profile.AppFacebook, AppUserID: "fb", PersonID: p.ID, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		return errors.Join(tx.InsertPerson(ctx, p), tx.InsertAccount(ctx, a))
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func(ctx context.Context, tx profile.Tx) error
		want profile.Code
		msg  string
	}{
		{"duplicate app and appUserId", func(ctx context.Context, tx profile.Tx) error {
			b := *a
			b.ID, b.PersonID = uuid.NewString(), ""
			return tx.InsertAccount(ctx, &b)
		}, profile.Conflict, ""},
		{"second account of an app on a person", func(ctx context.Context, tx profile.Tx) error {
			b := *a
			b.ID, b.AppUserID = uuid.NewString(), "fb2"
			return tx.InsertAccount(ctx, &b)
		}, profile.AlreadyLinked, "the person already has an account in FACEBOOK"},
		{"account of a missing person", func(ctx context.Context, tx profile.Tx) error {
			b := *a
			b.ID, b.AppUserID, b.PersonID = uuid.NewString(), "fb3", uuid.NewString()
			return tx.InsertAccount(ctx, &b)
		}, profile.NotFound, ""},
		{"duplicate person", func(ctx context.Context, tx profile.Tx) error {
			return tx.InsertPerson(ctx, &profile.Person{ID: p.ID, CreatedAt: time.Now()})
		}, profile.Conflict, ""},
		{"deleting a person who still has accounts", func(ctx context.Context, tx profile.Tx) error {
			return tx.DeletePerson(ctx, p.ID)
		}, profile.Conflict, ""},
		{"an unknown app is internal", func(ctx context.Context, tx profile.Tx) error {
			b := *a
			b.ID, b.App, b.PersonID = uuid.NewString(), "MYSPACE", ""
			return tx.InsertAccount(ctx, &b)
		}, profile.Internal, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := s.InTx(ctx, tc.fn)
			if got := profile.ErrorCode(err); got != tc.want {
				t.Fatalf("error = %v (code %s), want %s", err, got, tc.want)
			}
			if tc.msg != "" && profile.ErrorMessage(err) != tc.msg {
				t.Errorf("message = %q, want %q", profile.ErrorMessage(err), tc.msg)
			}
		})
	}
}

func TestNotifyIsDeliveredOnCommitOnly(t *testing.T) {
	dbURL := testdb.New(t)
	s := MustOpen(t, dbURL)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	listener, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close(context.Background())
	if _, err := listener.Exec(ctx, "LISTEN profilegraph_test"); err != nil {
		t.Fatal(err)
	}
	type notifier interface {
		Notify(ctx context.Context, channel string, payloads ...string) error
	}
	send := func(fail bool, payloads ...string) {
		t.Helper()
		err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
			n, ok := tx.(notifier)
			if !ok {
				t.Fatalf("postgres Tx %T does not implement Notify", tx)
			}
			if err := n.Notify(ctx, "profilegraph_test", payloads...); err != nil {
				return err
			}
			if fail {
				return errors.New("roll back")
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatalf("InTx error = %v, want failure %v", err, fail)
		}
	}
	send(true, "rolled back")
	send(false, "one", "two")
	var got []string
	for len(got) < 2 {
		n, err := listener.WaitForNotification(ctx)
		if err != nil {
			t.Fatalf("WaitForNotification (got %v so far): %v", got, err)
		}
		got = append(got, n.Payload)
	}
	if strings.Join(got, ",") != "one,two" {
		t.Errorf("notifications = %v, want [one two] (never the rolled-back one)", got)
	}
}

// A transaction that loses a deadlock is reported as transient (retryable) CONFLICT,
// not as an internal error.
func TestLostDeadlockIsTransientConflict(t *testing.T) {
	s := MustOpen(t, testdb.New(t))
	ctx := context.Background()
	ids := [2]string{uuid.NewString(), uuid.NewString()}
	if err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		for _, id := range ids {
			if err := tx.InsertPerson(ctx, &profile.Person{ID: id, CreatedAt: time.Now()}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("insert persons: %v", err)
	}
	var both sync.WaitGroup
	both.Add(2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			errs[i] = s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
				if err := tx.LockPerson(ctx, ids[i]); err != nil {
					return err
				}
				both.Done()
				both.Wait() // each holds one lock and now wants the other's: a deadlock
				return tx.LockPerson(ctx, ids[1-i])
			})
		})
	}
	wg.Wait()
	var lost int
	for _, err := range errs {
		if err == nil {
			continue
		}
		lost++
		if !errors.Is(err, profile.ErrTransient) || profile.ErrorCode(err) != profile.Conflict {
			t.Fatalf("deadlock loser's error = %v (code %s), want a transient CONFLICT", err, profile.ErrorCode(err))
		}
	}
	if lost != 1 {
		t.Fatalf("%d transactions failed, want exactly the deadlock's loser: %v", lost, errs)
	}
}
