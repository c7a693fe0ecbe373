package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/internal/benchload"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/profile"
)

// The privacy cache (docs/privacy-cache.md): replicas serve links and consents from
// their caches under leases, and a privacy write returns only once every leased replica
// acknowledged it or lost its lease. These tests run real replicas on one database,
// some of them as child processes so that they can be paused and killed.

// childEnv marks the test binary started as a profilegraph server (TestMain).
const childEnv = "PROFILEGRAPH_TEST_CHILD_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		err := run(ctx, nil, os.Getenv, os.Stdout)
		stop()
		if err != nil {
			fmt.Fprintln(os.Stderr, "profilegraph:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childServer is a profilegraph server in its own process (this test binary).
type childServer struct {
	*testServer
	cmd  *exec.Cmd
	done chan struct{}
}

// startChild starts a server process on dbURL with the privacy lease lease.
func startChild(t *testing.T, dbURL, lease string) *childServer {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = []string{childEnv + "=1", "PORT=0", "LOG_LEVEL=info", "DATABASE_URL=" + dbURL,
		"AUTH_HS256_SECRET=" + string(testSecret), "CACHE_MAX_COST=67108864", "PRIVACY_LEASE=" + lease}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &childServer{cmd: cmd, done: make(chan struct{})}
	addr := scanListenAddr(out, logs)
	go func() {
		_ = cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGCONT)
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-c.done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("child server log:\n%s", logs.String())
		}
	})
	var a string
	select {
	case a = <-addr:
	case <-c.done:
		t.Fatalf("child server did not start:\n%s", logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("child server did not start within 60s:\n%s", logs.String())
	}
	port := a[strings.LastIndex(a, ":")+1:]
	c.testServer = &testServer{URL: "http://127.0.0.1:" + port, DatabaseURL: dbURL, logs: logs}
	waitHealthy(t, c.URL)
	return c
}

// privacyFixture is a person with a FACEBOOK and an INSTAGRAM account, linked, whose
// INSTAGRAM display name an outsider on FACEBOOK sees while INSTAGRAM→FACEBOOK PROFILE
// is granted.
type privacyFixture struct {
	personID, owner, outsider string
}

const (
	pcOutsiderRead = `query($p: ID!) {
		person(id: $p) { profile { displayName } }
		appAccount(app: INSTAGRAM, appUserId: "pc-ig") { displayName } }`
	pcName = "Instagram Name"
)

var pcProfileConsent = map[string]any{"in": map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": "PROFILE"}}

func newPrivacyFixture(t *testing.T, a *testServer) privacyFixture {
	t.Helper()
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "pc-fb", "username": "pc.fb"})
	a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": "pc-ig", "username": "pc.ig", "displayName": pcName})
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "pc-out", "username": "pc.out"})
	r := mustOK(t, a.link(t, profile.AppFacebook, "pc-fb", profile.AppInstagram, "pc-ig"))
	f := privacyFixture{personID: r.Get("linkAccount.id").(string),
		owner: userToken(t, profile.AppFacebook, "pc-fb"), outsider: userToken(t, profile.AppFacebook, "pc-out")}
	mustMutate(t, a, f.owner, grantMutation, pcProfileConsent)
	return f
}

// shown returns what the outsider sees of the INSTAGRAM account on s, by path.
func (f privacyFixture) shown(t *testing.T, s *testServer) []string {
	t.Helper()
	got := mustOK(t, s.query(t, f.outsider, pcOutsiderRead, map[string]any{"p": f.personID}))
	var out []string
	for _, p := range []string{"person.profile.displayName", "appAccount.displayName"} {
		if v := got.Get(p); v != nil {
			out = append(out, fmt.Sprintf("%s = %v", p, v))
		}
	}
	return out
}

// warm reads on s until s serves the outsider's read from its privacy cache, and checks
// that it shows the granted data.
func (f privacyFixture) warm(t *testing.T, s *testServer) {
	t.Helper()
	before := metricValue(t, s, "profilegraph_privacy_cache_served_total")
	for attempt := 0; ; attempt++ {
		if got := f.shown(t, s); len(got) != 2 {
			t.Fatalf("while granted, the outsider sees only %v", got)
		}
		if metricValue(t, s, "profilegraph_privacy_cache_served_total") > before {
			return
		}
		if attempt == 500 {
			t.Fatalf("the replica never serves the read from its privacy cache: the test would prove nothing")
		}
		time.Sleep(5 * time.Millisecond) // the cache stores asynchronously
	}
}

func TestE2EPrivacyCacheThreeReplicasNeverServeWithdrawnData(t *testing.T) {
	a := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864"})
	b := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "DATABASE_URL": a.DatabaseURL})
	c := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "DATABASE_URL": a.DatabaseURL})
	for _, s := range []*testServer{a, b, c} {
		waitMetric(t, s, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
	}
	t.Run("grant and revoke on A, read on B and C", func(t *testing.T) {
		t.Parallel()
		testRevokeAcrossReplicas(t, a, b, c)
	})
	t.Run("link and unlink on A, read on B and C", func(t *testing.T) {
		t.Parallel()
		testUnlinkAcrossReplicas(t, a, false, b, c)
	})
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		// The suites prove something only if B and C served privacy state from their
		// caches between writes, and A's writes waited for acknowledgements.
		for name, s := range map[string]*testServer{"B": b, "C": c} {
			if n := metricValue(t, s, "profilegraph_privacy_cache_served_total"); n == 0 {
				t.Errorf("%s never served from its privacy cache", name)
			}
			if n := metricValue(t, s, "profilegraph_privacy_cache_acks_sent_total"); n == 0 {
				t.Errorf("%s never acknowledged a write", name)
			}
		}
		if n := metricValue(t, a, "profilegraph_privacy_acks_waited_total"); n < 2*2*cacheRounds {
			t.Errorf("A waited for %v acknowledgements, want at least %d", n, 2*2*cacheRounds)
		}
	})
}

// revokeTimed revokes the fixture's consent on a and returns how long it took.
func revokeTimed(t *testing.T, a *testServer, f privacyFixture) time.Duration {
	t.Helper()
	start := time.Now()
	mustMutate(t, a, f.owner, revokeMutation, pcProfileConsent)
	return time.Since(start)
}

// The lease of the tests with paused and killed replicas, and how much longer than it
// a revoke may take before the test calls it hung (a liveness bound, not a benchmark).
const (
	pcLease    = 2 * time.Second
	pcLeaseEnv = "2s"
	pcHung     = pcLease + 5*time.Second
)

func TestE2EPrivacyCachePausedReplicaNeverServesWithdrawnData(t *testing.T) {
	a := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "PRIVACY_LEASE": pcLeaseEnv})
	b := startChild(t, a.DatabaseURL, pcLeaseEnv)
	waitMetric(t, b.testServer, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
	f := newPrivacyFixture(t, a)
	for round := range 3 {
		f.warm(t, b.testServer)
		expiries := metricValue(t, a, "profilegraph_privacy_lease_expiries_waited_total")
		if err := b.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		took := revokeTimed(t, a, f)
		if err := b.cmd.Process.Signal(syscall.SIGCONT); err != nil {
			t.Fatal(err)
		}
		// The very next read on B, right after it wakes up.
		if got := f.shown(t, b.testServer); len(got) > 0 {
			t.Errorf("round %d: after the revoke on A (while B was paused), B shows %v", round, got)
		}
		t.Logf("round %d: the revoke took %v with B paused (lease %v)", round, took, pcLease)
		if took > pcHung {
			t.Errorf("round %d: the revoke took %v with B paused, more than the lease %v plus 5 s", round, took, pcLease)
		}
		if got := metricValue(t, a, "profilegraph_privacy_lease_expiries_waited_total"); got <= expiries {
			t.Errorf("round %d: A did not wait out B's lease (lease_expiries_waited_total %v)", round, got)
		}
		mustMutate(t, a, f.owner, grantMutation, pcProfileConsent)
		waitMetric(t, b.testServer, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
	}
}

func TestE2EPrivacyCacheKilledReplicaDelaysWritesByOneLeaseAtMost(t *testing.T) {
	a := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "PRIVACY_LEASE": pcLeaseEnv})
	b := startChild(t, a.DatabaseURL, pcLeaseEnv)
	waitMetric(t, b.testServer, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
	f := newPrivacyFixture(t, a)
	f.warm(t, b.testServer)
	if err := b.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-b.done
	took := revokeTimed(t, a, f)
	t.Logf("the revoke took %v with B killed (lease %v)", took, pcLease)
	if took > pcHung {
		t.Errorf("the revoke took %v with B killed, more than the lease %v plus 5 s", took, pcLease)
	}
	if got := f.shown(t, a); len(got) > 0 {
		t.Errorf("after the revoke, A shows %v", got)
	}
	// B restarts with an empty cache: it serves nothing withdrawn.
	b2 := startChild(t, a.DatabaseURL, pcLeaseEnv)
	if got := f.shown(t, b2.testServer); len(got) > 0 {
		t.Errorf("after the revoke, the restarted B shows %v", got)
	}
	// A later revoke does not wait for the dead B any more: its lease has ended.
	mustMutate(t, a, f.owner, grantMutation, pcProfileConsent)
	f.warm(t, b2.testServer)
	expiries := metricValue(t, a, "profilegraph_privacy_lease_expiries_waited_total")
	revokeTimed(t, a, f)
	if got := metricValue(t, a, "profilegraph_privacy_lease_expiries_waited_total"); got != expiries {
		t.Errorf("the second revoke waited out a lease (lease_expiries_waited_total %v, was %v)", got, expiries)
	}
	if got := f.shown(t, b2.testServer); len(got) > 0 {
		t.Errorf("after the second revoke, the restarted B shows %v", got)
	}
}

func TestE2EPrivacyCacheTerminatedListenerNeverServesWithdrawnData(t *testing.T) {
	a := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "PRIVACY_LEASE": pcLeaseEnv})
	b := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "PRIVACY_LEASE": pcLeaseEnv, "DATABASE_URL": a.DatabaseURL})
	admin, err := pgx.Connect(context.Background(), testdb.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	f := newPrivacyFixture(t, a)
	for round := range 5 {
		pid := listenerPID(t, b)
		waitMetric(t, b, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
		f.warm(t, b)
		var killed bool
		if err := admin.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", pid).Scan(&killed); err != nil || !killed {
			t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
		}
		took := revokeTimed(t, a, f)
		if got := f.shown(t, b); len(got) > 0 {
			t.Errorf("round %d: after the revoke on A (B's listener terminated), B shows %v", round, got)
		}
		if took > pcHung {
			t.Errorf("round %d: the revoke took %v, more than the lease %v plus 5 s", round, took, pcLease)
		}
		mustMutate(t, a, f.owner, grantMutation, pcProfileConsent)
		deadline := time.Now().Add(10 * time.Second)
		for listenerPID(t, b) == pid {
			if time.Now().After(deadline) {
				t.Fatalf("round %d: B's listener did not reconnect", round)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
}

// Warm reads of the load benchmark's Q1, Q2 and Q3 cost no SQL round trip on a leased
// replica: content from the shared cache, the viewer's account and the privacy state from
// the privacy cache. The answers are the cold ones.
func TestE2EPrivacyCacheWarmReadsCostNoRoundTrips(t *testing.T) {
	a := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864"})
	b := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864", "DATABASE_URL": a.DatabaseURL})
	waitMetric(t, b, "profilegraph_privacy_cache_leased", func(v float64) bool { return v == 1 })
	var persons, accounts []map[string]any
	for i := range 8 {
		fb, ig := fmt.Sprintf("wr-fb-%d", i), fmt.Sprintf("wr-ig-%d", i)
		a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": fb, "username": "wr.fb" + fmt.Sprint(i), "displayName": "FB " + fmt.Sprint(i)})
		a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": ig, "username": "wr.ig" + fmt.Sprint(i),
			"displayName": "IG " + fmt.Sprint(i), "avatarUrl": "https://cdn.example.com/" + ig + ".jpg", "email": ig + "@example.com"})
		r := mustOK(t, a.link(t, profile.AppFacebook, fb, profile.AppInstagram, ig))
		if i%2 == 0 {
			mustMutate(t, a, userToken(t, profile.AppFacebook, fb), grantMutation, pcProfileConsent)
		}
		persons = append(persons, map[string]any{"__typename": "Person", "id": r.Get("linkAccount.id")})
		accounts = append(accounts, map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": fb},
			map[string]any{"__typename": "AppAccount", "app": "INSTAGRAM", "appUserId": ig})
	}
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "wr-viewer", "username": "wr.viewer"})
	a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": "wr-viewer-ig", "username": "wr.viewer.ig"})
	mustOK(t, a.link(t, profile.AppFacebook, "wr-viewer", profile.AppInstagram, "wr-viewer-ig"))
	viewer := userToken(t, profile.AppFacebook, "wr-viewer")
	owner := userToken(t, profile.AppFacebook, "wr-fb-0")
	for _, q := range []struct {
		name, token, query string
		vars               map[string]any
	}{
		{"Q1", viewer, benchload.QueryPersons, map[string]any{"r": persons}},
		{"Q2", owner, benchload.QueryHome, nil},
		{"Q3", viewer, benchload.QueryAccount, map[string]any{"r": accounts}},
	} {
		t.Run(q.name, func(t *testing.T) {
			// Answers may carry field errors (CONSENT_REQUIRED, FORBIDDEN), like the
			// benchmark's: they are part of what must come out the same warm.
			read := func() string {
				r := b.query(t, q.token, q.query, q.vars)
				if r.Status != 200 || r.Data == nil {
					t.Fatalf("%s: status %d: %s", q.name, r.Status, r.Raw)
				}
				return r.Raw
			}
			cold := read()
			// The cache stores asynchronously: read until a read costs nothing.
			for attempt := 0; ; attempt++ {
				before := b.dbQueries(t)
				got := read()
				if got != cold {
					t.Fatalf("warm answer differs from the cold one:\n%s\n%s", got, cold)
				}
				if b.dbQueries(t) == before {
					break
				}
				if attempt == 200 {
					t.Fatalf("%s still costs %v round trips warm", q.name, b.dbQueries(t)-before)
				}
				time.Sleep(5 * time.Millisecond)
			}
			before := b.dbQueries(t)
			for range 5 {
				if got := read(); got != cold {
					t.Fatalf("warm answer differs from the cold one:\n%s\n%s", got, cold)
				}
			}
			if n := b.dbQueries(t) - before; n != 0 {
				t.Errorf("5 warm %s reads cost %v SQL round trips, want 0", q.name, n)
			}
		})
	}
}
