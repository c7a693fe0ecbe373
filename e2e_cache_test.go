package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/api"
	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/cache"
	seeder "github.com/profilegraph/profilegraph/internal/seed"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
	"github.com/profilegraph/profilegraph/resolvers"
)

// The privacy invariant of SPEC §10 across replicas: after revokeConsent or unlinkAccount
// returns on one replica, the other's very next request does not show the withdrawn
// data. Reads on B follow writes on A at once, without waiting for NOTIFY: the
// invariant holds by construction (privacy state is read fresh), not by timing.

// cacheRounds is how many rounds each suite runs.
const cacheRounds = 200

// cacheMode is a setting the replica suites run under.
type cacheMode struct {
	name    string
	maxCost string
	deafB   bool
}

// cacheModes are the settings the suites run under: the shared cache on and off, and
// on with a replica B that never hears of A's writes (no listener, see startDeafReplica).
var cacheModes = []cacheMode{
	{"cache on", "67108864", false},
	{"cache off", "0", false},
	{"cache on, B never invalidated by A", "67108864", true},
}

// startReplicas starts two servers on one fresh database.
func startReplicas(t *testing.T, maxCost string) (a, b *testServer) {
	t.Helper()
	a = startServer(t, map[string]string{"CACHE_MAX_COST": maxCost})
	b = startServer(t, map[string]string{"CACHE_MAX_COST": maxCost, "DATABASE_URL": a.DatabaseURL})
	return a, b
}

// startModeReplicas starts replicas A and B on one fresh database as mode says: B
// deaf (startDeafReplica) when mode.deafB.
func startModeReplicas(t *testing.T, mode cacheMode) (a, b *testServer) {
	t.Helper()
	if !mode.deafB {
		return startReplicas(t, mode.maxCost)
	}
	a = startServer(t, map[string]string{"CACHE_MAX_COST": mode.maxCost})
	return a, startDeafReplica(t, a.DatabaseURL)
}

// startDeafReplica serves dbURL like run does, with a shared cache of 64 MiB but without
// its listener: the cache is invalidated by this replica's own writes only, so whatever
// another replica writes, it keeps serving the content it cached before. What such a
// replica may never serve is withdrawn data: privacy state is not cached. This is the
// invariant "by construction": it does not depend on NOTIFY arriving in time, or at all.
func startDeafReplica(t *testing.T, dbURL string) *testServer {
	t.Helper()
	ctx := context.Background()
	env := map[string]string{"DATABASE_URL": dbURL, "AUTH_HS256_SECRET": string(testSecret), "CACHE_MAX_COST": "67108864"}
	cfg, err := parseConfig(nil, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	m := api.NewMetrics()
	pg, err := postgres.Open(ctx, dbURL, logger, postgres.WithQueryCounter(m.CountQuery))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pg.Close)
	cs, err := cache.New(pg, cache.Config{MaxCost: cfg.CacheMaxCost, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cs.Close)
	if err := m.Register(cs.Collector()); err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, auth.Config{HS256Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	res := &resolvers.Resolver{Store: cs, Accounts: accountscenter.New(cs, verifier)}
	srv := httptest.NewServer(NewServer(serverDeps{api: api.Deps{Limits: cfg.limits(), Logger: logger, Store: cs, Fresh: pg, Verifier: verifier, Resolver: res, Metrics: m}}))
	t.Cleanup(srv.Close)
	return &testServer{URL: srv.URL, DatabaseURL: dbURL, logs: logs}
}

// violations collects privacy violations of one suite.
type violations struct {
	mu   sync.Mutex
	n    int
	msgs []string
}

func (v *violations) add(format string, args ...any) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.n++
	if len(v.msgs) < 10 {
		v.msgs = append(v.msgs, fmt.Sprintf(format, args...))
	}
}

func (v *violations) check(t *testing.T, what string) {
	t.Helper()
	if v.n > 0 {
		t.Errorf("%d violations of %s, first ones:\n%s", v.n, what, strings.Join(v.msgs, "\n"))
	}
}

// mustMutate runs a mutation and fails on any error.
func mustMutate(t *testing.T, s *testServer, token, query string, vars map[string]any) {
	t.Helper()
	mustOK(t, s.query(t, token, query, vars))
}

// replicaSuite is a test of what replica B serves after writes on replica A.
type replicaSuite struct {
	name string
	run  func(t *testing.T, a, b *testServer, mode cacheMode)
}

// runReplicaSuites runs every suite, in parallel, on one pair of replicas per cache mode.
func runReplicaSuites(t *testing.T, suites ...replicaSuite) {
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			a, b := startModeReplicas(t, mode)
			for _, suite := range suites {
				t.Run(suite.name, func(t *testing.T) {
					t.Parallel()
					suite.run(t, a, b, mode)
				})
			}
		})
	}
}

func TestE2ECacheTwoReplicasNeverServeWithdrawnData(t *testing.T) {
	runReplicaSuites(t,
		replicaSuite{"consent revoked on A is hidden on B", func(t *testing.T, a, b *testServer, _ cacheMode) { testRevokeAcrossReplicas(t, a, b) }},
		replicaSuite{"account unlinked on A leaves B's answers", func(t *testing.T, a, b *testServer, mode cacheMode) { testUnlinkAcrossReplicas(t, a, mode.deafB, b) }},
	)
}

// testRevokeAcrossReplicas alternates two grants: INSTAGRAM→FACEBOOK PROFILE, which an
// outsider on FACEBOOK sees (merged profile and the account itself), and CONTACT, which
// the owner on FACEBOOK sees. The FACEBOOK account has no value of its own, so what
// shows comes across apps.
//
// Each reader reads twice after each write returns: the first read may fill its privacy
// cache, the second may be served from it.
func testRevokeAcrossReplicas(t *testing.T, a *testServer, readers ...*testServer) {
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "rv-fb", "username": "rv.fb"})
	a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": "rv-ig", "username": "rv.ig",
		"displayName": "Instagram Name", "email": "rv@example.com"})
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "rv-outsider", "username": "rv.out"})
	r := a.link(t, profile.AppFacebook, "rv-fb", profile.AppInstagram, "rv-ig")
	mustOK(t, r)
	personID := r.Get("linkAccount.id").(string)
	owner := userToken(t, profile.AppFacebook, "rv-fb")
	outsider := userToken(t, profile.AppFacebook, "rv-outsider")

	const outsiderRead = `query($p: ID!) {
		person(id: $p) { profile { displayName } }
		appAccount(app: INSTAGRAM, appUserId: "rv-ig") { displayName } }`
	const ownerRead = `{ viewer { profile { email } account(app: INSTAGRAM) { email } } }`
	var v violations
	for i := range cacheRounds {
		category, token, read, vars := "PROFILE", outsider, outsiderRead, map[string]any{"p": personID}
		paths, want := []string{"person.profile.displayName", "appAccount.displayName"}, "Instagram Name"
		if i%2 == 1 {
			category, token, read, vars = "CONTACT", owner, ownerRead, nil
			paths, want = []string{"viewer.profile.email", "viewer.account.email"}, "rv@example.com"
		}
		in := map[string]any{"in": map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": category}}

		mustMutate(t, a, owner, grantMutation, in)
		for j, b := range readers {
			for range 2 {
				got := b.query(t, token, read, vars)
				for _, p := range paths {
					if s, _ := got.Get(p).(string); s != want {
						t.Fatalf("round %d: after the %s grant on A, reader %d shows %s = %v, want %q: %s", i, category, j, p, got.Get(p), want, got.Raw)
					}
				}
			}
		}

		mustMutate(t, a, owner, revokeMutation, in)
		for j, b := range readers {
			for range 2 {
				got := b.query(t, token, read, vars)
				for _, p := range paths {
					if val := got.Get(p); val != nil {
						v.add("round %d: after the %s revocation on A, reader %d shows %s = %v", i, category, j, p, val)
					}
				}
			}
		}
	}
	v.check(t, "revokeConsent across replicas")
}

// testUnlinkAcrossReplicas links a WHATSAPP account, grants WHATSAPP→FACEBOOK PROFILE,
// checks that B shows its live value, unlinks it on A, and checks that B shows none of
// it: not among the accounts, not in the merged profile or its sources, not through the
// account itself (which B may hold, linked, in its cache).
//
// A deaf B may show the account itself as unlinked while it is linked (it cached it
// unlinked and never heard of the link): stale content that hides more, never less, so
// the positive check asks only for what comes from the fresh links then.
func testUnlinkAcrossReplicas(t *testing.T, a *testServer, deafB bool, readers ...*testServer) {
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "ul-fb", "username": "ul.fb"})
	a.upsert(t, profile.AppWhatsApp, map[string]any{"appUserId": "ul-wa", "username": "ul.wa",
		"displayName": "WhatsApp Live", "email": "wa@example.com"})
	owner := userToken(t, profile.AppFacebook, "ul-fb")
	const read = `{
		viewer { accounts { app } profile { displayName sources { field app } } }
		appAccount(app: WHATSAPP, appUserId: "ul-wa") { displayName linkedAt } }`
	grant := map[string]any{"in": map[string]any{"sourceApp": "WHATSAPP", "targetApp": "FACEBOOK", "category": "PROFILE"}}
	// showsWhatsApp returns where the response shows the WHATSAPP account, by kind.
	showsWhatsApp := func(r *gqlResponse) map[string]string {
		shown := map[string]string{}
		for _, acc := range asList(r.Get("viewer.accounts")) {
			if m, _ := acc.(map[string]any); m["app"] == "WHATSAPP" {
				shown["accounts"] = "viewer.accounts has WHATSAPP"
			}
		}
		if v := r.Get("viewer.profile.displayName"); v != nil {
			shown["profile"] = fmt.Sprintf("viewer.profile.displayName = %v", v)
		}
		for _, src := range asList(r.Get("viewer.profile.sources")) {
			if m, _ := src.(map[string]any); m["app"] == "WHATSAPP" {
				shown["sources"] = fmt.Sprintf("viewer.profile.sources has %v", m)
			}
		}
		if v := r.Get("appAccount.displayName"); v != nil {
			shown["account"] = fmt.Sprintf("appAccount.displayName = %v", v)
		}
		if v := r.Get("appAccount.linkedAt"); v != nil {
			shown["linkedAt"] = fmt.Sprintf("appAccount.linkedAt = %v", v)
		}
		return shown
	}

	var v violations
	for i := range cacheRounds {
		mustOK(t, a.link(t, profile.AppFacebook, "ul-fb", profile.AppWhatsApp, "ul-wa"))
		mustMutate(t, a, owner, grantMutation, grant)
		want := []string{"accounts", "profile", "sources", "account", "linkedAt"}
		if deafB {
			want = want[:3]
		}
		// The account itself (content, maybe cached unlinked on B) shows as linked once B
		// heard of the link: NOTIFY is asynchronous, so B may answer before it did, with
		// stale content that hides more, never less. Ask again until it has heard (the
		// privacy checks below do not wait for anything).
		for _, b := range readers {
			for attempt := 0; ; attempt++ {
				got := b.query(t, owner, read, nil)
				shown := showsWhatsApp(got)
				missing := ""
				for _, w := range want {
					if shown[w] == "" {
						missing = w
						break
					}
				}
				if missing == "" {
					break
				}
				if attempt == 200 || missing != "account" && missing != "linkedAt" {
					t.Fatalf("round %d: while linked with consent, B does not show the WHATSAPP %s: %s", i, missing, got.Raw)
				}
				time.Sleep(5 * time.Millisecond)
			}
		}

		mustMutate(t, a, owner, `mutation { unlinkAccount(app: WHATSAPP) { id } }`, nil)
		for j, b := range readers {
			for range 2 {
				got := b.query(t, owner, read, nil)
				if got.Get("viewer") == nil {
					t.Fatalf("round %d: the viewer's person is gone after unlinking another account: %s", i, got.Raw)
				}
				for _, what := range showsWhatsApp(got) {
					v.add("round %d: after the unlink on A, reader %d shows %s", i, j, what)
				}
			}
		}
	}
	v.check(t, "unlinkAccount across replicas")
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func TestE2ECacheOtherWritesFollowAcrossReplicas(t *testing.T) {
	a, b := startReplicas(t, "67108864")
	waitMetric(t, b, "profilegraph_cache_listener_connected", func(v float64) bool { return v == 1 })
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "fw-fb", "username": "fw.fb", "displayName": "Start"})
	owner := userToken(t, profile.AppFacebook, "fw-fb")
	reader := userToken(t, profile.AppFacebook, "fw-reader")
	const read = `{ appAccount(app: FACEBOOK, appUserId: "fw-fb") { displayName } }`
	name := func(s *testServer) string {
		v, _ := s.query(t, reader, read, nil).Get("appAccount.displayName").(string)
		return v
	}
	var delays []time.Duration
	for i := range 20 {
		name(b) // warm B's cache with the current value
		name(b)
		want := fmt.Sprintf("Name %d", i)
		mustMutate(t, a, owner, `mutation($n: String!) { updateProfile(input: {displayName: $n}) { displayName } }`, map[string]any{"n": want})
		start := time.Now()
		if got := name(a); got != want {
			t.Fatalf("round %d: A reads %q right after its own write, want %q", i, got, want)
		}
		for name(b) != want {
			if time.Since(start) > 5*time.Second {
				t.Fatalf("round %d: B still does not read %q after 5 s", i, want)
			}
			time.Sleep(time.Millisecond)
		}
		delays = append(delays, time.Since(start))
	}
	slices.Sort(delays)
	t.Logf("cross-replica invalidation delay (write returned on A → B reads it, %d rounds): p50 %v, max %v",
		len(delays), delays[len(delays)/2], delays[len(delays)-1])
	if got := metricValue(t, b, "profilegraph_cache_invalidations_received_total"); got < 20 {
		t.Errorf("B received %v invalidations, want at least 20", got)
	}
	if got := metricValue(t, b, "profilegraph_cache_hits_total"); got == 0 {
		t.Errorf("B's cache never hit")
	}
}

func TestE2ECacheListenerRecoversAfterItsConnectionIsKilled(t *testing.T) {
	a, b := startReplicas(t, "67108864")
	pid := listenerPID(t, b)
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "lk-fb", "username": "lk.fb", "displayName": "Before"})
	reader := userToken(t, profile.AppFacebook, "lk-reader")
	const read = `{ appAccount(app: FACEBOOK, appUserId: "lk-fb") { displayName } }`
	name := func(s *testServer) string {
		v, _ := s.query(t, reader, read, nil).Get("appAccount.displayName").(string)
		return v
	}
	for name(b) != "Before" {
		time.Sleep(time.Millisecond) // the upsert's invalidation may still be on its way
	}
	hitsBefore := metricValue(t, b, "profilegraph_cache_hits_total")
	name(b)
	name(b)
	if metricValue(t, b, "profilegraph_cache_hits_total") == hitsBefore {
		t.Fatalf("B does not serve the account from its cache: the test would prove nothing")
	}

	// Refuse new connections to the database, then kill B's listener: B cannot listen
	// again until connections are allowed, and the write below is never notified to it.
	admin, err := pgx.Connect(context.Background(), testdb.BaseURL())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	cfg, err := pgx.ParseConfig(b.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	db := pgx.Identifier{cfg.Database}.Sanitize()
	setAllow := func(allow bool) {
		if _, err := admin.Exec(context.Background(), fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS %t", db, allow)); err != nil {
			t.Fatalf("allow connections %t: %v", allow, err)
		}
	}
	setAllow(false)
	defer setAllow(true) // before admin closes, even if the test fails
	var killed bool
	if err := admin.QueryRow(context.Background(), "SELECT pg_terminate_backend($1)", pid).Scan(&killed); err != nil || !killed {
		t.Fatalf("pg_terminate_backend(%d) = %v, %v", pid, killed, err)
	}
	waitMetric(t, b, "profilegraph_cache_listener_connected", func(v float64) bool { return v == 0 })

	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "lk-fb", "username": "lk.fb", "displayName": "While B was deaf"})
	if got := name(b); got != "While B was deaf" {
		t.Errorf("B reads %q while its listener is down, want the new value (the cache is bypassed)", got)
	}

	setAllow(true)
	waitMetric(t, b, "profilegraph_cache_listener_reconnects_total", func(v float64) bool { return v >= 1 })
	waitMetric(t, b, "profilegraph_cache_listener_connected", func(v float64) bool { return v == 1 })
	if got := name(b); got != "While B was deaf" {
		t.Errorf("B reads %q after recovering, want the value written while it was down", got)
	}
	if newPID := listenerPID(t, b); newPID == pid {
		t.Errorf("the listener's backend is still %d", pid)
	}
	// It follows A's writes again.
	a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": "lk-fb", "username": "lk.fb", "displayName": "After"})
	deadline := time.Now().Add(5 * time.Second)
	for name(b) != "After" {
		if time.Now().After(deadline) {
			t.Fatalf("B does not follow A after recovering")
		}
		time.Sleep(time.Millisecond)
	}
}

// listenerPID waits for the server's cache listener to connect and returns the backend
// pid it logged last.
func listenerPID(t *testing.T, s *testServer) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var pids []int
		sc := bufio.NewScanner(strings.NewReader(s.logs.String()))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			if !strings.Contains(sc.Text(), `"msg":"cache listener connected"`) {
				continue
			}
			var rec struct {
				PID int `json:"backend_pid"`
			}
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.PID != 0 {
				pids = append(pids, rec.PID)
			}
		}
		if len(pids) > 0 && metricValue(t, s, "profilegraph_cache_listener_connected") == 1 {
			return pids[len(pids)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("the cache listener never logged that it connected")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestE2ECacheMetricsAreExposed(t *testing.T) {
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			s := startServer(t, map[string]string{"CACHE_MAX_COST": mode.maxCost})
			names := []string{"hits_total", "misses_total", "evictions_total", "rejected_sets_total",
				"invalidations_received_total", "listener_reconnects_total", "max_cost_bytes"}
			for _, n := range names {
				metricValue(t, s, "profilegraph_cache_"+n) // fails if missing
			}
			want, _ := strconv.ParseFloat(mode.maxCost, 64)
			if got := metricValue(t, s, "profilegraph_cache_max_cost_bytes"); got != want {
				t.Errorf("max cost = %v, want %v", got, want)
			}
		})
	}
}

// TestSeedMakesReplicasDropTheirCaches shows why the seeder ends with a clear-all: a
// replica that cached "no such account" for a key the seeder then writes (by COPY,
// behind its back) serves the seeded account once the seeder is done, without any
// write through the service.
func TestSeedMakesReplicasDropTheirCaches(t *testing.T) {
	s := startServer(t, map[string]string{"CACHE_MAX_COST": "67108864"})
	delayWaitMetric(t, s, "profilegraph_cache_listener_connected", 1)
	const seed = 9
	acc := seeder.AccountKeys(seed, 0)[0] // the account the seeder will write first
	reader := userToken(t, acc.App, "seed-reader")
	read := fmt.Sprintf(`{ appAccount(app: %s, appUserId: %q) { appUserId displayName } }`, acc.App, acc.AppUserID)

	t.Run("the replica caches that the account is absent", func(t *testing.T) {
		for i := 0; ; i++ {
			hits := scrapeMetrics(t, s)["profilegraph_cache_hits_total"]
			r := mustOK(t, s.query(t, reader, read, nil))
			if r.Get("appAccount") != nil {
				t.Fatalf("the account exists before seeding: %s", r.Raw)
			}
			if scrapeMetrics(t, s)["profilegraph_cache_hits_total"] > hits {
				break
			}
			if i == 100 {
				t.Fatalf("the absent account is never served from the cache")
			}
			time.Sleep(time.Millisecond)
		}
	})

	t.Run("seeding clears it, and the summary says so", func(t *testing.T) {
		out := seedInto(t, s.DatabaseURL, "--persons", "5", "--seed", strconv.Itoa(seed))
		if !strings.Contains(out, "published a cache clear-all on "+cache.Channel) {
			t.Errorf("the summary does not mention the clear-all:\n%s", out)
		}
		deadline := time.Now().Add(delayTimeout)
		for {
			r := mustOK(t, s.query(t, reader, read, nil))
			if got, _ := r.Get("appAccount.appUserId").(string); got == acc.AppUserID {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("the replica still serves the cached absence %v after seeding: %s", delayTimeout, r.Raw)
			}
			time.Sleep(time.Millisecond)
		}
	})
}
