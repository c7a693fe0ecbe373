package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/profile"
)

// Benchmarks of issue 5: the shared cache under a hot query mix, the cross-replica
// invalidation delay, and the memory bound. They are benchmarks, not timed tests: they
// report figures and fail only on wrong answers or a broken bound.
//
//	go test -run '^$' -bench 'HotMix|InvalidationDelay|CacheMemoryBound' -benchmem -count=1 .

// memBoundMaxCost is the CACHE_MAX_COST of BenchmarkCacheMemoryBound, and memBoundSlack
// what the process may grow beyond it (ISSUE5: RSS within CACHE_MAX_COST + 64 MiB).
const (
	memBoundMaxCost = 64 << 20
	memBoundSlack   = 64 << 20
	memBoundKeys    = 1_000_000
)

// BenchmarkCacheMemoryBound touches memBoundKeys distinct account ids per iteration
// through the cache's read path (cache.Store.AccountsByID, which also stores each
// account's (app, appUserId) -> id entry) and reports how much the process grew: RSS
// (VmRSS of /proc/self/status) and the Go heap in use, after a GC, against a baseline
// taken before the cache was made (after a GC that also returned free memory to the
// OS, so that the growth is not hidden by memory freed earlier). It fails if the RSS
// grew by more than CACHE_MAX_COST + 64 MiB, or if the cache never filled (the bound
// would then prove nothing).
//
// The inner store is a fake that fabricates an account for any id (memFabricator), not
// PostgreSQL: 1M distinct accounts need no database (which would take minutes to seed
// and whose pgx buffers would blur the process's memory), and every value the cache
// holds is still a fresh allocation of realistic size, as pgx would return it.
//
// It is declared first in this file so that it runs before the benchmarks that start
// servers.
//
// The process runs as the README recommends deploying it: with GOMEMLIMIT at
// CACHE_MAX_COST + 64 MiB, so that the Go runtime returns freed memory to the OS
// instead of keeping a heap goal twice the live heap. The number of GC cycles is
// reported, to show the limit is met without the GC running continuously.
func BenchmarkCacheMemoryBound(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(memBoundMaxCost + memBoundSlack))
	var gc0 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	defer func() {
		var gc1 runtime.MemStats
		runtime.ReadMemStats(&gc1)
		b.ReportMetric(float64(gc1.NumGC-gc0.NumGC), "gc-cycles")
	}()
	runtime.GC()
	debug.FreeOSMemory()
	rss0, heap0 := memUsage(b)
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	live0 := int64(ms0.HeapAlloc)

	cs, err := cache.New(memFabricator{}, cache.Config{MaxCost: memBoundMaxCost})
	if err != nil {
		b.Fatalf("new cache: %v", err)
	}
	defer cs.Close()

	ctx := context.Background()
	workers := runtime.GOMAXPROCS(0)
	var next uint64 // first id of the next iteration: every iteration touches new keys
	for b.Loop() {
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		per := memBoundKeys / workers
		for w := range workers {
			first := next + uint64(w*per)
			wg.Go(func() {
				const batch = 500 // about one _entities request's worth of accounts
				ids := make([]string, 0, batch)
				for i := range uint64(per) {
					ids = append(ids, memAccountID(first+i))
					if len(ids) < batch && i < uint64(per)-1 {
						continue
					}
					got, err := cs.AccountsByID(ctx, ids)
					if err != nil || len(got) != len(ids) {
						errs <- fmt.Errorf("AccountsByID: %d of %d accounts, %v", len(got), len(ids), err)
						return
					}
					ids = ids[:0]
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		next += uint64(workers * per)
	}
	cs.Wait()

	runtime.GC()
	rss1, heap1 := memUsage(b)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	live := int64(ms.HeapAlloc) - live0
	// For the diagnosis only: RSS once the free heap is returned to the OS at once
	// (the runtime's scavenger does so only gradually, down to the GC's heap goal).
	debug.FreeOSMemory()
	rss2, _ := memUsage(b)
	st := cs.Stats()
	runtime.KeepAlive(cs)

	mib := func(n int64) float64 { return float64(n) / (1 << 20) }
	rssGrowth, heapGrowth := rss1-rss0, heap1-heap0
	b.ReportMetric(mib(rssGrowth), "rss-MiB")
	b.ReportMetric(mib(heapGrowth), "heap-MiB")
	b.ReportMetric(mib(live), "live-MiB")
	b.ReportMetric(mib(rss2-rss0), "rss-released-MiB")
	b.ReportMetric(mib(st.CostUsed), "cost-MiB")
	b.ReportMetric(float64(next), "distinct-keys")
	b.Logf("%d distinct account ids through a cache of CACHE_MAX_COST %d MiB (estimated cost held %.1f of %.1f MiB; "+
		"evictions %d, rejected sets %d, dropped sets %d): after a GC, RSS %+.1f MiB (%.1f -> %.1f), heap in use %+.1f MiB, "+
		"live heap %+.1f MiB; RSS %+.1f MiB once the free heap is returned to the OS",
		next, memBoundMaxCost>>20, mib(st.CostUsed), mib(st.Capacity), st.Evictions, st.RejectedSets, st.DroppedSets,
		mib(rssGrowth), mib(rss0), mib(rss1), mib(heapGrowth), mib(live), mib(rss2-rss0))

	if st.CostUsed < st.Capacity*9/10 {
		b.Fatalf("the cache holds %d of %d bytes: it never filled, so the bound is not exercised", st.CostUsed, st.Capacity)
	}
	if limit := int64(memBoundMaxCost + memBoundSlack); rssGrowth > limit {
		b.Fatalf("RSS grew by %.1f MiB, more than CACHE_MAX_COST + 64 MiB = %d MiB",
			float64(rssGrowth)/(1<<20), limit>>20)
	}
}

// memUsage returns the process's resident set (VmRSS) and the Go heap in use, in bytes.
func memUsage(tb testing.TB) (rss, heap int64) {
	tb.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Fatalf("read RSS: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				tb.Fatalf("parse VmRSS %q: %v", v, err)
			}
			rss = kb << 10
		}
	}
	if err := sc.Err(); err != nil || rss == 0 {
		tb.Fatalf("no VmRSS in /proc/self/status (%v)", err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return rss, int64(ms.HeapInuse)
}

// memAccountID is the canonical UUID of fabricated account n.
func memAccountID(n uint64) string {
	var u uuid.UUID
	for i := range 8 {
		u[8+i] = byte(n >> (56 - 8*i))
	}
	u[0], u[6], u[8] = 0xbe, 0x40, u[8]&0x3f|0x80 // version 4 layout, variant RFC 9562
	return u.String()
}

// memFabricator is the inner store of BenchmarkCacheMemoryBound: AccountsByID makes up
// a linked account for every id, with fields of the sizes the seeder writes (a name, a
// handle, a bio, a CDN avatar URL, a phone number, an email, a birthdate), each a fresh
// allocation. The benchmark calls nothing else; the embedded nil Store makes any other
// call panic.
type memFabricator struct{ profile.Store }

func (memFabricator) AccountsByID(_ context.Context, ids []string) (map[string]*profile.Account, error) {
	out := make(map[string]*profile.Account, len(ids))
	now := time.Now().UTC()
	for _, id := range ids {
		n := id[len(id)-8:]
		name := "Fabricated Person " + n
		bio := "Photographer 📷 | coffee first ☕ | " + n
		phone := "+1415" + n[:7]
		email := "fabricated.person." + n + "@example.com"
		w, h := 320, 320
		out[id] = &profile.Account{
			ID: id, App: profile.Apps[int(n[7])%len(profile.Apps)], AppUserID: "fab-" + n,
			PersonID: "0190a0b0-c0d0-7e0f-8a0b-" + n + "0000", LinkedAt: &now,
			Username: "fabricated.person." + n, DisplayName: &name, Bio: &bio,
			Avatar: &profile.Avatar{
				URL:   "https://scontent.cdninstagram.example.com/v/t51.2885-19/" + n + "_" + id + "_n.jpg",
				Width: &w, Height: &h, UpdatedAt: now,
			},
			PhoneNumber: &phone, Email: &email, Birthdate: &profile.Date{Year: 1990, Month: time.May, Day: 17},
			CreatedAt: now, UpdatedAt: now,
		}
	}
	return out, nil
}

// hotPersons is the size of the population of BenchmarkHotMix.
const hotPersons = 10_000

// hotZipfS is the Zipf exponent of the choice of persons: rank 0 is the hottest.
const hotZipfS = 1.1

// hotClients are the numbers of concurrent clients of BenchmarkHotMix: 8, where each
// request's latency (the dataloaders' batching window at each level) bounds the
// throughput, and 32, where the CPU does (the clients, the server and PostgreSQL share
// the machine).
var hotClients = []int{8, 32}

// hotWarmOps is how many requests of the mix warm a server (its cache, PostgreSQL's
// buffers) before it is measured, so that the hit ratio is that of a running service.
const hotWarmOps = 3000

// The mix, in percent: reads of other persons' profiles (a feed's _entities batch and
// person(id)), the owner's viewer query, and writes (updateProfile by the owner and an
// app backend's upsertAppAccount).
const (
	hotEntitiesPct = 40
	hotPersonPct   = 30
	hotViewerPct   = 25
	hotUpdatePct   = 4
	hotUpsertPct   = 1
	hotFeedSize    = 10 // persons per _entities request
)

const hotEntitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id profile { displayName username avatar { url } } } } }`

const hotPersonQuery = `query($id: ID!) { person(id: $id) {
	id profile { displayName username bio avatar { url width } sources { field app } } } }`

// The owner sees only ungated fields and the own app's values here, so that the answer
// carries no CONSENT_REQUIRED errors for the other apps' values.
const hotViewerQuery = `{ viewer { id profile { displayName username } accounts { app linkedAt } settings { version syncProfile } } }`

const hotUpdateMutation = `mutation($n: String!) { updateProfile(input: {displayName: $n}) { displayName } }`

const hotUpsertMutation = `mutation($in: UpsertAppAccountInput!) { upsertAppAccount(input: $in) { id displayName } }`

// hotAccount is one seeded account; hotPerson a seeded person with its accounts.
type hotAccount struct {
	app                 profile.App
	appUserID, username string
}

type hotPerson struct {
	id       string
	accounts []hotAccount
	token    string // user token of the person's first account: the owner
}

// BenchmarkHotMix runs a hot query mix against a real server, with the shared cache off
// (CACHE_MAX_COST=0) and on (64 MiB) in the same run: concurrent clients (hotClients),
// persons chosen by a Zipf law (s = 1.1) among 10k persons written by the seeder
// (`seed --persons 10000`), 95% reads and 5% writes. Both servers serve the same
// database and are warmed first (hotWarmOps requests each). It reports req/s, the SQL
// round trips per request and the cache hit ratio (from /metrics); the cache=on line
// also reports its throughput over that of cache=off just before it (on/off).
func BenchmarkHotMix(b *testing.B) {
	dbURL := testdb.New(b)
	start := time.Now()
	var out bytes.Buffer
	env := map[string]string{"DATABASE_URL": dbURL}
	if err := run(context.Background(), []string{"seed", "--persons", strconv.Itoa(hotPersons), "--seed", "1"},
		func(k string) string { return env[k] }, &out); err != nil {
		b.Fatalf("seed: %v\n%s", err, out.String())
	}
	seeded := time.Since(start)
	persons := hotLoadPersons(b, dbURL)

	servers := make([]*testServer, len(benchCacheModes))
	for i, mode := range benchCacheModes {
		env := map[string]string{"DATABASE_URL": dbURL}
		for k, v := range mode.env {
			env[k] = v
		}
		servers[i] = startServer(b, env)
		if _, err := hotRun(b, servers[i], persons, hotClients[0], hotWarmOps); err != nil {
			b.Fatalf("warm %s: %v", mode.name, err)
		}
	}
	b.Logf("seeded %d persons in %v; warmed each server with %d requests", hotPersons, seeded.Round(time.Millisecond), hotWarmOps)
	for _, n := range hotClients {
		b.Run(fmt.Sprintf("clients=%d", n), func(b *testing.B) {
			var offRate float64
			for i, mode := range benchCacheModes {
				b.Run(mode.name, func(b *testing.B) {
					rate := runHotMix(b, servers[i], persons, n)
					switch mode.name {
					case "cache=off":
						offRate = rate
					case "cache=on":
						if offRate > 0 {
							b.ReportMetric(rate/offRate, "on/off")
						}
					}
				})
			}
		})
	}
}

// hotLoadPersons reads the seeded persons, indexed as the seeder numbers them (app user
// ids "s1-<app>-<index>"), and mints each owner's token.
func hotLoadPersons(tb testing.TB, dbURL string) []hotPerson {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT person_id::text, app, app_user_id, username FROM accounts ORDER BY app_user_id`)
	if err != nil {
		tb.Fatalf("list accounts: %v", err)
	}
	persons := make([]hotPerson, hotPersons)
	for rows.Next() {
		var pid, app string
		var a hotAccount
		if err := rows.Scan(&pid, &app, &a.appUserID, &a.username); err != nil {
			tb.Fatalf("scan: %v", err)
		}
		a.app = profile.App(app)
		i, err := strconv.Atoi(a.appUserID[strings.LastIndexByte(a.appUserID, '-')+1:])
		if err != nil || i >= hotPersons || persons[i].id != "" && persons[i].id != pid {
			tb.Fatalf("unexpected seeded account %q of person %s", a.appUserID, pid)
		}
		persons[i].id = pid
		persons[i].accounts = append(persons[i].accounts, a)
	}
	if err := rows.Err(); err != nil {
		tb.Fatalf("list accounts: %v", err)
	}
	for i := range persons {
		p := &persons[i]
		if p.id == "" {
			tb.Fatalf("person %d was not seeded", i)
		}
		p.token = userToken(tb, p.accounts[0].app, p.accounts[0].appUserID)
	}
	return persons
}

// hotClient is one client of the mix: its own random stream, Zipf law and connection.
type hotClient struct {
	s       *testServer
	persons []hotPerson
	http    *http.Client
	service map[profile.App]string // service tokens
	r       *rand.Rand
	zipf    *rand.Zipf
	id      int
	n       int
	body    bytes.Buffer
}

// hotPick returns a person by the Zipf law.
func (c *hotClient) hotPick() *hotPerson { return &c.persons[c.zipf.Uint64()] }

// op runs one request of the mix and returns an error unless it succeeded.
func (c *hotClient) op() error {
	c.n++
	// Non-owner reads come from a viewer drawn uniformly: a reader of the hot persons.
	viewer := &c.persons[c.r.IntN(len(c.persons))]
	switch x := c.r.IntN(100); {
	case x < hotEntitiesPct:
		reps := make([]any, hotFeedSize)
		for i := range reps {
			reps[i] = map[string]any{"__typename": "Person", "id": c.hotPick().id}
		}
		return c.post(viewer.token, hotEntitiesQuery, map[string]any{"r": reps}, `"_entities":[{"id"`)
	case x < hotEntitiesPct+hotPersonPct:
		return c.post(viewer.token, hotPersonQuery, map[string]any{"id": c.hotPick().id}, `"person":{"id"`)
	case x < hotEntitiesPct+hotPersonPct+hotViewerPct:
		return c.post(c.hotPick().token, hotViewerQuery, nil, `"viewer":{"id"`)
	// Writes: two clients may write one hot person at once, and the answer may show the
	// later one's name (updateProfile returns the merged profile read after its commit),
	// so the check is that the answer carries a name, not which.
	case x < hotEntitiesPct+hotPersonPct+hotViewerPct+hotUpdatePct:
		name := fmt.Sprintf("Hot Name %d.%d", c.id, c.n)
		return c.post(c.hotPick().token, hotUpdateMutation, map[string]any{"n": name}, `"updateProfile":{"displayName":"`)
	default:
		p := c.hotPick()
		a := p.accounts[c.r.IntN(len(p.accounts))]
		name := fmt.Sprintf("Pushed Name %d.%d", c.id, c.n)
		in := map[string]any{"appUserId": a.appUserID, "username": a.username, "displayName": name}
		return c.post(c.service[a.app], hotUpsertMutation, map[string]any{"in": in}, `"upsertAppAccount":{"id":"`)
	}
}

// post sends one GraphQL request and checks that the answer is 200, contains want and
// has no errors.
func (c *hotClient) post(token, query string, vars map[string]any, want string) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequest(http.MethodPost, c.s.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("POST /graphql: %w", err)
	}
	c.body.Reset()
	_, err = c.body.ReadFrom(resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	got := c.body.Bytes()
	if resp.StatusCode != http.StatusOK || bytes.Contains(got, []byte(`"errors"`)) || !bytes.Contains(got, []byte(want)) {
		return fmt.Errorf("status %d, want %s: %.500s", resp.StatusCode, want, got)
	}
	return nil
}

// hotStreams numbers the runs of the mix: each run draws its own random streams, so
// that a measured run does not repeat the warm-up's requests.
var hotStreams atomic.Uint64

// hotRun runs ops requests of the mix against s from clients concurrent clients and
// returns how long they took, or the first failure.
func hotRun(tb testing.TB, s *testServer, persons []hotPerson, clients, ops int) (time.Duration, error) {
	tb.Helper()
	tr := &http.Transport{MaxIdleConns: 2 * clients, MaxIdleConnsPerHost: 2 * clients}
	defer tr.CloseIdleConnections()
	service := map[profile.App]string{}
	for _, app := range profile.Apps {
		service[app] = serviceToken(tb, app)
	}
	stream := hotStreams.Add(1)
	pool := make([]*hotClient, clients)
	for i := range pool {
		r := rand.New(rand.NewPCG(uint64(i), stream))
		pool[i] = &hotClient{s: s, persons: persons, http: &http.Client{Transport: tr}, service: service,
			r: r, zipf: rand.NewZipf(r, hotZipfS, 1, uint64(len(persons)-1)), id: i}
	}

	start := time.Now()
	var issued atomic.Int64
	var failed atomic.Bool
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for _, c := range pool {
		wg.Go(func() {
			for issued.Add(1) <= int64(ops) && !failed.Load() {
				if err := c.op(); err != nil {
					errOnce.Do(func() { firstErr = err })
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start), firstErr
}

// runHotMix runs b.N requests of the mix against s from clients concurrent clients and
// reports the figures; it returns the requests per second.
func runHotMix(b *testing.B, s *testServer, persons []hotPerson, clients int) float64 {
	b.Helper()
	before := scrapeMetrics(b, s)
	b.ResetTimer()
	took, err := hotRun(b, s, persons, clients, b.N)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	after := scrapeMetrics(b, s)
	n := float64(b.N)
	rate := n / took.Seconds()
	hits := after["profilegraph_cache_hits_total"] - before["profilegraph_cache_hits_total"]
	misses := after["profilegraph_cache_misses_total"] - before["profilegraph_cache_misses_total"]
	ratio := 0.0
	if hits+misses > 0 {
		ratio = hits / (hits + misses)
	}
	b.ReportMetric(rate, "req/s")
	b.ReportMetric((after["profilegraph_db_queries_total"]-before["profilegraph_db_queries_total"])/n, "roundtrips/op")
	b.ReportMetric(ratio, "hit-ratio")
	return rate
}

// BenchmarkInvalidationDelay measures how long after a write returns on replica A the
// other replica B serves the new value, both with the shared cache on, on one database.
// Each iteration makes sure B holds the current value in its cache (a read that counts
// as a cache hit on B), changes the display name on A (updateProfile by the owner), and
// polls B without pause until it answers the new name; the read is
// appAccount(app, appUserId) { displayName } by a third party, which B serves from its
// cache (account key and content are cached; only the viewer's own account and the
// privacy state are read fresh). It reports the delay's p50 and p99 (and max), and the
// polls per iteration that still saw the old value.
func BenchmarkInvalidationDelay(b *testing.B) {
	const maxCost = "67108864"
	a := startServer(b, map[string]string{"CACHE_MAX_COST": maxCost})
	r := startServer(b, map[string]string{"CACHE_MAX_COST": maxCost, "DATABASE_URL": a.DatabaseURL})
	delayWaitMetric(b, r, "profilegraph_cache_listener_connected", 1)

	a.upsert(b, profile.AppFacebook, map[string]any{"appUserId": "dl-fb", "username": "dl.fb", "displayName": "Start"})
	owner := newBenchCall(b, a.URL+"/graphql", userToken(b, profile.AppFacebook, "dl-fb"), hotUpdateMutation, nil)
	read := newBenchCall(b, r.URL+"/graphql", userToken(b, profile.AppFacebook, "dl-reader"),
		`{ appAccount(app: FACEBOOK, appUserId: "dl-fb") { displayName } }`, nil)
	serves := func(name string) bool {
		want, _ := json.Marshal(name)
		return bytes.Contains(read.do(b), append([]byte(`"displayName":`), want...))
	}
	// warm reads B until one of its reads is a cache hit and shows name: B then holds
	// name in its cache, and the write below must invalidate it. The latency of those
	// hits is the reference for the delays: a delay of one read means that B had
	// applied the invalidation before A's answer reached the client.
	var reads []time.Duration
	warm := func(name string) {
		for range 100 {
			hits := scrapeMetrics(b, r)["profilegraph_cache_hits_total"]
			t0 := time.Now()
			ok := serves(name)
			took := time.Since(t0)
			if ok && scrapeMetrics(b, r)["profilegraph_cache_hits_total"] > hits {
				reads = append(reads, took)
				return
			}
			time.Sleep(time.Millisecond) // ristretto stores asynchronously
		}
		b.Fatalf("B never served %q from its cache: the delay would not be an invalidation's", name)
	}

	current := "Start"
	var delays []time.Duration
	stalePolls := 0
	for b.Loop() {
		warm(current)
		current = fmt.Sprintf("Delay %d", len(delays))
		owner.body, _ = json.Marshal(map[string]any{"query": hotUpdateMutation, "variables": map[string]any{"n": current}})
		if !bytes.Contains(owner.do(b), []byte(current)) {
			b.Fatalf("updateProfile on A did not return %q", current)
		}
		written := time.Now()
		for !serves(current) {
			stalePolls++
			if time.Since(written) > delayTimeout {
				b.Fatalf("B still does not serve %q %v after the write returned on A", current, delayTimeout)
			}
		}
		delays = append(delays, time.Since(written))
	}
	b.ReportMetric(quantileMS(delays, 0.50), "p50-ms")
	b.ReportMetric(quantileMS(delays, 0.99), "p99-ms")
	b.ReportMetric(quantileMS(delays, 1), "max-ms")
	b.ReportMetric(quantileMS(reads, 0.50), "read-p50-ms")
	b.ReportMetric(float64(stalePolls)/float64(len(delays)), "stale-polls/op")
	b.Logf("%d writes on A: B served the new value p50 %.2f ms, p99 %.2f ms, max %.2f ms after A returned; "+
		"%d polls saw the old value; a cached read on B takes p50 %.2f ms", len(delays),
		quantileMS(delays, 0.5), quantileMS(delays, 0.99), quantileMS(delays, 1), stalePolls, quantileMS(reads, 0.5))
	if got := scrapeMetrics(b, r)["profilegraph_cache_invalidations_received_total"]; got < float64(len(delays)) {
		b.Fatalf("B received %v invalidations for %d writes on A", got, len(delays))
	}
}

// quantileMS returns the q-quantile of ds (nearest rank) in milliseconds; it sorts ds.
func quantileMS(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	i := min(len(ds)-1, int(q*float64(len(ds))))
	return float64(ds[i]) / float64(time.Millisecond)
}
