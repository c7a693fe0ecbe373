// Package seed is the seed command (`profilegraph seed --persons N`): synthetic
// persons written into PostgreSQL with COPY (postgres.CopyRows), for benchmarks and
// load tests (SPEC §9).
package seed

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/cache"
	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// The seed command fills PostgreSQL with synthetic persons. Every person has 1 to 4 linked app
// accounts with values that pass the input validation of SPEC §7, usually a settings
// row, and consents that name only the person's linked apps.
//
// The data depends only on --seed and the person's index: each person draws from its
// own PCG stream seeded from (seed, index), so the batch size does not change it and
// two runs with one seed write identical rows. Ids are UUIDs (version 7 layout, see
// seedGen.uuid) made from the index and the stream, not from crypto/rand. Timestamps lie between 2010 and 2026-01-01.
//
// App user ids are "s<seed>-<app>-<index>" (app one of fb, ig, wa, ms, th), so a
// seeded user's token has `sub` "s1-ig-42" and `app` INSTAGRAM (if person 42 has an
// INSTAGRAM account), and databases can hold several seeds side by side.
//
// Rows go in with COPY (pgx CopyFrom) on one dedicated connection: one COPY per table
// per batch, one transaction per batch; the next batch is generated while the current
// one is copied.
//
// COPY writes behind the back of any replica that serves the database, whose shared
// cache may hold "absent" answers for the new keys (an appAccount looked up before its
// account was seeded). So the seeder ends with cache.PublishClearAll: every listening
// replica clears its cache. It does so after a failure too, once a batch has committed.

// seedConfig is the configuration of the seed command.
type seedConfig struct {
	DatabaseURL string
	Persons     int
	Seed        uint64
	Batch       int
}

// Defaults and limits of the seed command.
const (
	defaultSeedBatch = 50_000
	maxSeedBatch     = 1_000_000
)

// parseSeedConfig reads the seed command's flags and DATABASE_URL; it returns an error
// that names the setting when one is missing or out of range.
func parseSeedConfig(args []string, getenv func(string) string, output io.Writer) (seedConfig, error) {
	cfg := seedConfig{DatabaseURL: getenv("DATABASE_URL"), Seed: 1, Batch: defaultSeedBatch}
	fs := flag.NewFlagSet("profilegraph seed", flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL to fill (DATABASE_URL); required")
	fs.IntVar(&cfg.Persons, "persons", 0, "number of persons to create; required")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "seed of the generator: one seed always writes the same data")
	fs.IntVar(&cfg.Batch, "batch", cfg.Batch, "persons per COPY batch and transaction")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if cfg.DatabaseURL == "" {
		errs = append(errs, errors.New("DATABASE_URL (or --database-url) is required: the seeder fills a PostgreSQL database"))
	}
	if cfg.Persons < 1 {
		errs = append(errs, errors.New("--persons: must be a positive number of persons"))
	}
	if cfg.Batch < 1 || cfg.Batch > maxSeedBatch {
		errs = append(errs, fmt.Errorf("--batch: must be between 1 and %d", maxSeedBatch))
	}
	return cfg, errors.Join(errs...)
}

// Run is the seed command: it parses args and DATABASE_URL, opens (and migrates)
// the database and writes the synthetic data, printing a progress line per batch and a
// summary to stdout, and ends with a cache clear-all for the running replicas. It returns
// configuration errors, connection and migration errors, an error if the database
// already holds this seed's data, COPY errors (the batches committed before a failure
// stay), and an error if the clear-all cannot be published.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	cfg, err := parseSeedConfig(args, getenv, stdout)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the flag set printed the usage
	}
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	store, err := postgres.Open(ctx, cfg.DatabaseURL, nil)
	if err != nil {
		return fmt.Errorf("seed: open database: %w", err)
	}
	defer store.Close()
	conn, err := store.Pool().Acquire(ctx)
	if err != nil {
		return fmt.Errorf("seed: acquire connection: %w", err)
	}
	defer conn.Release()
	cc := conn.Conn().Config()
	fmt.Fprintf(stdout, "seed: %d persons into database %q on %s, seed %d, batches of %d\n",
		cfg.Persons, cc.Database, cc.Host, cfg.Seed, cfg.Batch)
	if err := seedDatabase(ctx, conn.Conn(), cfg, stdout); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

// seedTotals counts the rows written per table.
type seedTotals struct {
	persons, accounts, settings, consents int64
}

func (t seedTotals) rows() int64 { return t.persons + t.accounts + t.settings + t.consents }

// seedDatabase writes cfg.Persons persons through conn, batch by batch, then tells the
// replicas to clear their caches (cache.PublishClearAll). If it fails after a batch has
// committed it still publishes the clear, best effort, and returns both errors.
func seedDatabase(ctx context.Context, conn *pgx.Conn, cfg seedConfig, out io.Writer) (err error) {
	if err := checkSeedAbsent(ctx, conn, cfg.Seed); err != nil {
		return err
	}
	committed, published := false, false
	defer func() {
		if err == nil || !committed || published {
			return
		}
		// ctx may be what failed: publish on a context of its own.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if perr := cache.PublishClearAll(pctx, conn); perr != nil {
			err = errors.Join(err, fmt.Errorf("replicas may serve stale cached data: %w; "+
				"run SELECT pg_notify('%s', 'all')", perr, cache.Channel))
		}
	}()
	ctx, cancel := context.WithCancel(ctx)
	// The generator runs one batch ahead of the COPY.
	batches := make(chan *seedBatch, 1)
	defer func() {
		cancel()
		for range batches { // wait for the generator to stop
		}
	}()
	go func() {
		defer close(batches)
		gen := newSeedGen(cfg.Seed)
		for first := 0; first < cfg.Persons; first += cfg.Batch {
			b := gen.batch(first, min(cfg.Batch, cfg.Persons-first))
			select {
			case batches <- b:
			case <-ctx.Done():
				return
			}
		}
	}()

	start := time.Now()
	var total seedTotals
	for b := range batches {
		n, err := copyBatch(ctx, conn, b)
		if err != nil {
			return fmt.Errorf("persons %d to %d: %w", b.first, b.first+len(b.persons)-1, err)
		}
		committed = true
		total.persons += n.persons
		total.accounts += n.accounts
		total.settings += n.settings
		total.consents += n.consents
		elapsed := time.Since(start)
		fmt.Fprintf(out, "seed: %d/%d persons (%.0f%%), %d rows, %.0f rows/s, elapsed %s\n",
			total.persons, cfg.Persons, 100*float64(total.persons)/float64(cfg.Persons),
			total.rows(), float64(total.rows())/elapsed.Seconds(), elapsed.Round(time.Millisecond))
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("interrupted after %d persons: %w", total.persons, err)
	}
	copied := time.Since(start)
	// Fresh statistics, so that the planner of the benchmarks sees the real sizes.
	if _, err := conn.Exec(ctx, "ANALYZE persons, accounts, settings, consents"); err != nil {
		return fmt.Errorf("analyze: %w", err)
	}
	// The rows went in behind the replicas' back: have them drop whatever they cached.
	if err := cache.PublishClearAll(ctx, conn); err != nil {
		return err
	}
	published = true
	elapsed := time.Since(start)
	fmt.Fprintf(out, "seed: done: %d persons, %d accounts, %d settings, %d consents (%d rows) in %s "+
		"(copy %s, %.0f rows/s; analyze %s); seed %d, app user ids s%d-<fb|ig|wa|ms|th>-<0..%d>; "+
		"published a cache clear-all on %s\n",
		total.persons, total.accounts, total.settings, total.consents, total.rows(), elapsed.Round(time.Millisecond),
		copied.Round(time.Millisecond), float64(total.rows())/copied.Seconds(), (elapsed - copied).Round(time.Millisecond),
		cfg.Seed, cfg.Seed, cfg.Persons-1, cache.Channel)
	return nil
}

// checkSeedAbsent returns an error if the database already holds the first person of
// seed (a second run would fail on the unique (app, app_user_id) anyway, less clearly).
func checkSeedAbsent(ctx context.Context, conn *pgx.Conn, seed uint64) error {
	apps := make([]string, len(profile.Apps))
	ids := make([]string, len(profile.Apps))
	for i, app := range profile.Apps {
		apps[i], ids[i] = string(app), seedAppUserID(seed, app, 0)
	}
	var exists bool
	err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM accounts
WHERE (app, app_user_id) IN (SELECT * FROM unnest($1::text[], $2::text[])))`, apps, ids).Scan(&exists)
	if err != nil {
		return fmt.Errorf("check for earlier data: %w", err)
	}
	if exists {
		return fmt.Errorf("the database already holds the data of --seed %d: use another seed or a fresh database", seed)
	}
	return nil
}

// copyBatch writes one batch in a transaction, one COPY per table.
func copyBatch(ctx context.Context, conn *pgx.Conn, b *seedBatch) (seedTotals, error) {
	var n seedTotals
	tx, err := conn.Begin(ctx)
	if err != nil {
		return n, fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	// Durability of each batch's commit is not worth a WAL flush wait: a crashed seed is
	// rerun into a fresh database.
	if _, err := tx.Exec(ctx, "SET LOCAL synchronous_commit = off"); err != nil {
		return n, fmt.Errorf("set synchronous_commit: %w", err)
	}
	if n.persons, err = postgres.CopyRows(ctx, tx, postgres.PersonsTable, b.persons, (*seedPerson).values); err != nil {
		return seedTotals{}, err
	}
	if n.accounts, err = postgres.CopyRows(ctx, tx, postgres.AccountsTable, b.accounts, (*seedAccount).values); err != nil {
		return seedTotals{}, err
	}
	if n.settings, err = postgres.CopyRows(ctx, tx, postgres.SettingsTable, b.settings, (*seedSettings).values); err != nil {
		return seedTotals{}, err
	}
	if n.consents, err = postgres.CopyRows(ctx, tx, postgres.ConsentsTable, b.consents, (*seedConsent).values); err != nil {
		return seedTotals{}, err
	}
	if err := tx.Commit(ctx); err != nil {
		return seedTotals{}, fmt.Errorf("commit: %w", err)
	}
	return n, nil
}

// The rows of one batch. Empty strings and zero numbers and times of nullable columns
// are written as NULL.
type seedBatch struct {
	first    int
	persons  []seedPerson
	accounts []seedAccount
	settings []seedSettings
	consents []seedConsent
}

type seedPerson struct {
	id        [16]byte
	createdAt time.Time
}

// values fills v in postgres.PersonsTable.Columns order.
func (r *seedPerson) values(v []any) { v[0], v[1] = r.id, r.createdAt }

type seedAccount struct {
	id, personID                         [16]byte
	app                                  profile.App
	appUserID, username, displayName     string
	bio, avatarURL, phoneNumber, email   string
	avatarSize                           int32
	linkedAt, avatarUpdatedAt, birthdate time.Time
	createdAt, updatedAt                 time.Time
}

// values fills v in postgres.AccountsTable.Columns order.
func (r *seedAccount) values(v []any) {
	v[0], v[1], v[2], v[3], v[4], v[5] = r.id, string(r.app), r.appUserID, r.personID, r.linkedAt, r.username
	v[6], v[7], v[8] = orNull(r.displayName), orNull(r.bio), orNull(r.avatarURL)
	v[9], v[10] = orNull(r.avatarSize), orNull(r.avatarSize)
	v[11], v[12], v[13], v[14] = orNull(r.avatarUpdatedAt), orNull(r.phoneNumber), orNull(r.email), orNull(r.birthdate)
	v[15], v[16] = r.createdAt, r.updatedAt
}

type seedSettings struct {
	personID     [16]byte
	syncProfile  bool
	crossPosting string // jsonb
	singleSignOn []string
	version      int32
	updatedAt    time.Time
}

// values fills v in postgres.SettingsTable.Columns order.
func (r *seedSettings) values(v []any) {
	v[0], v[1], v[2], v[3], v[4], v[5] = r.personID, r.syncProfile, r.crossPosting, r.singleSignOn, r.version, r.updatedAt
}

type seedConsent struct {
	personID             [16]byte
	sourceApp, targetApp profile.App
	category             profile.Category
	purpose              profile.Purpose
	grantedAt            time.Time
}

// values fills v in postgres.ConsentsTable.Columns order.
func (r *seedConsent) values(v []any) {
	v[0], v[1], v[2] = r.personID, string(r.sourceApp), string(r.targetApp)
	v[3], v[4], v[5] = string(r.category), string(r.purpose), r.grantedAt
}

// orNull returns nil for the zero value of a nullable column, else v.
func orNull[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// The window of the generated timestamps.
var (
	seedEpoch = time.Date(2010, time.January, 1, 0, 0, 0, 0, time.UTC)
	seedEnd   = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
)

// seedAppShort names each app in app user ids.
var seedAppShort = map[profile.App]string{
	profile.AppFacebook: "fb", profile.AppInstagram: "ig", profile.AppWhatsApp: "wa",
	profile.AppMessenger: "ms", profile.AppThreads: "th",
}

// seedAppUserID is the app user id of the account in app of person index of seed.
func seedAppUserID(seed uint64, app profile.App, index int) string {
	return "s" + strconv.FormatUint(seed, 10) + "-" + seedAppShort[app] + "-" + strconv.Itoa(index)
}

// seedGen generates persons; each person reseeds its PCG from (seed, index).
type seedGen struct {
	seed uint64
	pcg  *rand.PCG
	r    *rand.Rand
}

// AccountKeys returns the keys of the accounts the seed command writes for person index
// of seed, in the order it copies them.
func AccountKeys(seed uint64, index int) []profile.AccountKey {
	b := newSeedGen(seed).batch(index, 1)
	keys := make([]profile.AccountKey, len(b.accounts))
	for i, a := range b.accounts {
		keys[i] = profile.AccountKey{App: a.app, AppUserID: a.appUserID}
	}
	return keys
}

func newSeedGen(seed uint64) *seedGen {
	pcg := rand.NewPCG(0, 0)
	return &seedGen{seed: seed, pcg: pcg, r: rand.New(pcg)}
}

// splitmix64 scrambles x (Steele, Lea, Flood), so that neighbouring indexes and seeds
// start unrelated PCG streams.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// batch generates the persons first to first+n-1.
func (g *seedGen) batch(first, n int) *seedBatch {
	b := &seedBatch{
		first:    first,
		persons:  make([]seedPerson, 0, n),
		accounts: make([]seedAccount, 0, n*5/2),
		settings: make([]seedSettings, 0, n),
		consents: make([]seedConsent, 0, n*4),
	}
	for i := first; i < first+n; i++ {
		g.person(b, i)
	}
	return b
}

// uuid returns a UUID in the version 7 layout (RFC 9562) whose 48-bit "time" is
// seedEpoch plus index milliseconds and whose other 74 bits come from the stream. Ids
// that grow with the index make COPY append to the B-trees of the primary keys and of
// person_id instead of writing all over them, as ids minted in creation order do in
// production; the random bits keep ids of one index in different seeds apart.
func (g *seedGen) uuid(index int) [16]byte {
	var u [16]byte
	ts := uint64(seedEpoch.UnixMilli()) + uint64(index)
	hi, lo := g.r.Uint64(), g.r.Uint64()
	for i := range 8 {
		u[i], u[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	for i := range 6 {
		u[i] = byte(ts >> (40 - 8*i))
	}
	u[6] = u[6]&0x0f | 0x70
	u[8] = u[8]&0x3f | 0x80
	return u
}

// chance reports true with probability p.
func (g *seedGen) chance(p float64) bool { return g.r.Float64() < p }

// pick returns a random element of s.
func pick[T any](g *seedGen, s []T) T { return s[g.r.IntN(len(s))] }

// between returns a time in [a, b), at microsecond precision (PostgreSQL's); a if b <= a.
func (g *seedGen) between(a, b time.Time) time.Time {
	a = a.Truncate(time.Microsecond)
	d := b.Sub(a) / time.Microsecond
	if d <= 0 {
		return a
	}
	return a.Add(time.Duration(g.r.Int64N(int64(d))) * time.Microsecond)
}

// seedAccountCounts weighs 1, 2, 3 and 4 accounts per person.
var seedAccountCounts = []int{30, 35, 22, 13}

// seedAppWeights weighs how often a person has an account in each app of profile.Apps.
var seedAppWeights = []int{30, 28, 25, 10, 7}

// weighted returns an index of weights, drawn by weight.
func (g *seedGen) weighted(weights []int) int {
	sum := 0
	for _, w := range weights {
		sum += w
	}
	x := g.r.IntN(sum)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

// apps draws k distinct apps by popularity, returned in profile.Apps order.
func (g *seedGen) apps(k int) []profile.App {
	w := append([]int(nil), seedAppWeights...)
	chosen := make([]bool, len(w))
	for range k {
		i := g.weighted(w)
		chosen[i], w[i] = true, 0
	}
	out := make([]profile.App, 0, k)
	for i, c := range chosen {
		if c {
			out = append(out, profile.Apps[i])
		}
	}
	return out
}

// person generates person index with its accounts, settings and consents.
func (g *seedGen) person(b *seedBatch, index int) {
	g.pcg.Seed(splitmix64(g.seed), splitmix64(uint64(index)^splitmix64(^g.seed)))
	pid := g.uuid(index)
	loc := seedLocales[g.weighted(seedLocaleWeights)]
	first, last := pick(g, loc.first), pick(g, loc.last)
	birth := g.birthdate()
	name := g.displayName(loc, first, last)
	handle := g.username(first, last, birth)
	email := g.email(loc, first, last, birth)
	phone := ""
	if g.chance(0.85) {
		phone = g.phone(loc)
	}
	photo := g.r.Uint64()

	apps := g.apps(g.weighted(seedAccountCounts) + 1)
	// The person appears when the first account is linked; the others follow.
	created := make([]time.Time, len(apps))
	earliest := seedEnd
	for i := range apps {
		created[i] = g.between(seedEpoch, seedEnd.AddDate(0, -1, 0))
		if created[i].Before(earliest) {
			earliest = created[i]
		}
	}
	personCreated := g.between(earliest, seedEnd.AddDate(0, 0, -14))
	b.persons = append(b.persons, seedPerson{id: pid, createdAt: personCreated})

	firstLinked := 0
	for i := range apps {
		if created[i].Equal(earliest) {
			firstLinked = i
			break
		}
	}
	linkedAt := make(map[profile.App]time.Time, len(apps))
	var births []profile.Date
	for i, app := range apps {
		a := seedAccount{
			id: g.uuid(index), personID: pid, app: app, appUserID: seedAppUserID(g.seed, app, index),
			createdAt: created[i],
		}
		a.linkedAt = personCreated
		if i != firstLinked {
			a.linkedAt = g.between(latest(personCreated, created[i]), seedEnd)
		}
		linkedAt[app] = a.linkedAt
		a.updatedAt = g.between(created[i], seedEnd)

		a.username = handle
		if g.chance(0.4) {
			a.username = g.username(first, last, birth)
		}
		a.displayName = name
		switch {
		case app == profile.AppWhatsApp && g.chance(0.4):
			a.displayName = first.display // WhatsApp names are often a first name only
		case g.chance(0.15):
			a.displayName = g.displayName(loc, first, last)
		}
		if g.chance(0.35) {
			a.bio = pick(g, seedBios)
		}
		if g.chance(0.85) {
			p := photo
			if g.chance(0.4) {
				p = g.r.Uint64()
			}
			a.avatarURL = fmt.Sprintf("https://%s/%016x_%d_n.jpg", seedAvatarHosts[app], p, index)
			if g.chance(0.9) {
				a.avatarSize = pick(g, seedAvatarSizes)
			}
			a.avatarUpdatedAt = g.between(created[i], a.updatedAt)
		}
		switch {
		case app == profile.AppWhatsApp:
			a.phoneNumber = phone
			if a.phoneNumber == "" {
				a.phoneNumber = g.phone(loc)
			}
		case phone != "" && g.chance(0.55):
			a.phoneNumber = phone
		case g.chance(0.1):
			a.phoneNumber = g.phone(loc)
		}
		switch {
		case g.chance(0.45):
			a.email = email
		case g.chance(0.2):
			a.email = g.email(loc, first, last, birth)
		}
		if app != profile.AppWhatsApp && g.chance(0.8) || g.chance(0.3) {
			a.birthdate = birth
			if g.chance(0.08) { // an age claimed differently in one app
				a.birthdate = clampBirthdate(birth.AddDate(-1-g.r.IntN(4), g.r.IntN(12), 0))
			}
			births = append(births, profile.DateOf(a.birthdate))
		}
		b.accounts = append(b.accounts, a)
	}

	if g.chance(0.8) {
		b.settings = append(b.settings, g.settings(pid, apps, personCreated))
	}
	// A minor holds no ADS consent (SPEC §6). Someone who is a minor today was one at
	// seedEnd already (which lies before today), so deciding on seedEnd keeps the data
	// deterministic and leaves no minor of today with one.
	minor := consent.AgeRange(births, profile.DateOf(seedEnd)).Minor()
	for _, s := range apps {
		for _, t := range apps {
			if s == t || !g.chance(0.5) {
				continue
			}
			since := latest(linkedAt[s], linkedAt[t])
			grant := func(c profile.Category, p profile.Purpose) {
				b.consents = append(b.consents, seedConsent{personID: pid, sourceApp: s, targetApp: t,
					category: c, purpose: p, grantedAt: g.between(since, seedEnd)})
			}
			grant(profile.CategoryProfile, profile.PurposeService)
			for _, c := range []struct {
				cat profile.Category
				p   float64
			}{{profile.CategoryContact, 0.3}, {profile.CategoryAge, 0.15}, {profile.CategoryActivity, 0.1}, {profile.CategoryDevice, 0.05}} {
				if g.chance(c.p) {
					grant(c.cat, profile.PurposeService)
				}
			}
			if g.chance(0.08) && !minor { // the draw is kept: the random stream stays the same
				grant(profile.CategoryProfile, profile.PurposeAds)
			}
		}
	}
}

// settings generates a settings row that names only the person's apps.
func (g *seedGen) settings(pid [16]byte, apps []profile.App, since time.Time) seedSettings {
	s := seedSettings{personID: pid, syncProfile: g.chance(0.4), crossPosting: "[]", singleSignOn: []string{},
		version: int32(1 + g.r.IntN(5)), updatedAt: g.between(since, seedEnd)}
	if len(apps) < 2 {
		return s
	}
	if g.chance(0.35) {
		var rules []string
		seen := map[[2]profile.App]bool{}
		for range 1 + g.r.IntN(2) {
			from, to := pick(g, apps), pick(g, apps)
			if from == to || seen[[2]profile.App{from, to}] {
				continue
			}
			seen[[2]profile.App{from, to}] = true
			rules = append(rules, `{"from":"`+string(from)+`","to":"`+string(to)+`"}`)
		}
		s.crossPosting = "[" + strings.Join(rules, ",") + "]"
	}
	if g.chance(0.3) {
		for _, a := range apps {
			if len(s.singleSignOn) < len(apps)-1 && g.chance(0.5) {
				s.singleSignOn = append(s.singleSignOn, string(a))
			}
		}
	}
	return s
}

// Birthdates lie between these days, both included.
var (
	seedBirthMin = time.Date(1940, time.January, 1, 0, 0, 0, 0, time.UTC)
	seedBirthMax = time.Date(2012, time.December, 31, 0, 0, 0, 0, time.UTC)
)

// birthdate draws a birthdate, mostly of people born 1980–2005.
func (g *seedGen) birthdate() time.Time {
	lo, hi := seedBirthMin, seedBirthMax
	if x := g.r.Float64(); x < 0.7 {
		lo, hi = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2005, 12, 31, 0, 0, 0, 0, time.UTC)
	} else if x < 0.9 {
		lo, hi = time.Date(1955, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1979, 12, 31, 0, 0, 0, 0, time.UTC)
	}
	days := int(hi.Sub(lo).Hours()/24) + 1
	return lo.AddDate(0, 0, g.r.IntN(days))
}

// clampBirthdate brings d into [seedBirthMin, seedBirthMax].
func clampBirthdate(d time.Time) time.Time {
	switch {
	case d.Before(seedBirthMin):
		return seedBirthMin
	case d.After(seedBirthMax):
		return seedBirthMax
	}
	return d
}

// latest returns the later of a and b.
func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// displayName draws how a person writes their name.
func (g *seedGen) displayName(loc *seedLocale, first, last seedName) string {
	full := first.display + " " + last.display
	if loc.familyFirst {
		full = last.display + loc.sep + first.display
	}
	switch x := g.r.IntN(100); {
	case x < 72:
		return full
	case x < 82:
		return first.display
	case x < 90 && !loc.familyFirst:
		r := []rune(last.display)
		return first.display + " " + string(r[0]) + "."
	case x < 95:
		return full + " " + pick(g, seedEmoji)
	default:
		return strings.ToLower(first.display) // lower case is a style too
	}
}

// username draws a handle of a-z, 0-9, "." and "_", at most 30 characters.
func (g *seedGen) username(first, last seedName, birth time.Time) string {
	f, l := first.ascii, last.ascii
	yy := fmt.Sprintf("%02d", birth.Year()%100)
	var s string
	switch g.r.IntN(11) {
	case 0:
		s = f + "." + l
	case 1:
		s = f + "_" + l
	case 2:
		s = f + l
	case 3:
		s = f + "." + l + yy
	case 4:
		s = f + strconv.Itoa(g.r.IntN(10_000))
	case 5:
		s = f[:1] + l
	case 6:
		s = l + "." + f
	case 7:
		s = f + "." + l + "." + strconv.Itoa(g.r.IntN(100))
	case 8:
		s = "its" + f
	case 9:
		s = f + "_" + l + "_"
	default:
		s = f + yy + "_" + l[:1]
	}
	if len(s) > 30 {
		s = s[:30]
	}
	return s
}

// email draws an address of the person on a global or local mail provider.
func (g *seedGen) email(loc *seedLocale, first, last seedName, birth time.Time) string {
	f, l := first.ascii, last.ascii
	var local string
	switch g.r.IntN(5) {
	case 0:
		local = f + "." + l
	case 1:
		local = f + l + strconv.Itoa(birth.Year()%100)
	case 2:
		local = f + "_" + l + strconv.Itoa(g.r.IntN(1000))
	case 3:
		local = f[:1] + l
	default:
		local = f + "." + l + strconv.Itoa(birth.Year())
	}
	domain := pick(g, seedMailDomains)
	if len(loc.domains) > 0 && g.chance(0.3) {
		domain = pick(g, loc.domains)
	}
	return local + "@" + domain
}

// phone draws a mobile number of the locale's country in E.164: a prefix and random
// digits. Every prefix of seedLocales is a valid mobile range for libphonenumber with
// any digits after it (TestSeedPhonePlans checks this).
func (g *seedGen) phone(loc *seedLocale) string {
	p := pick(g, loc.phones)
	var sb strings.Builder
	sb.Grow(len(p.prefix) + p.digits)
	sb.WriteString(p.prefix)
	for range p.digits {
		sb.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return sb.String()
}

// seedName is a name as written and as spelled in ASCII for handles and addresses.
type seedName struct{ display, ascii string }

// seedPhonePlan is a mobile number range: prefix, then digits random digits.
type seedPhonePlan struct {
	prefix string
	digits int
}

// seedLocale is a naming and numbering culture.
type seedLocale struct {
	weight      int
	first, last []seedName
	familyFirst bool   // the family name comes first
	sep         string // between family and given name when familyFirst
	phones      []seedPhonePlan
	domains     []string // local mail providers
}

// names parses "Display/ascii" entries; a plain entry is its own lower-cased ASCII.
func names(entries ...string) []seedName {
	out := make([]seedName, len(entries))
	for i, e := range entries {
		d, a, ok := strings.Cut(e, "/")
		if !ok {
			a = strings.ToLower(d)
		}
		out[i] = seedName{display: d, ascii: a}
	}
	return out
}

// plans makes phone plans of prefixes that share a number of random digits.
func plans(digits int, prefixes ...string) []seedPhonePlan {
	out := make([]seedPhonePlan, len(prefixes))
	for i, p := range prefixes {
		out[i] = seedPhonePlan{prefix: p, digits: digits}
	}
	return out
}

var seedLocales = []*seedLocale{
	{weight: 20, // United States
		first: names("James", "Mary", "Michael", "Jennifer", "Olivia", "Liam", "Emma", "Noah", "Ava", "Ethan",
			"Sophia", "Mason", "Zoë/zoe", "Renée/renee", "Chloé/chloe", "Jayden", "Madison", "Aaliyah", "Tyler", "Grace"),
		last: names("Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson",
			"Taylor", "O’Brien/obrien", "Nguyen", "Thompson", "Martin", "Jackson", "Rivera", "Kim", "Cohen"),
		phones:  plans(6, "+12012", "+12125", "+13057", "+13128", "+14155", "+15124", "+16173", "+16469", "+17026", "+17182", "+12068", "+13035", "+14047", "+12134"),
		domains: []string{"aol.com", "comcast.net", "att.net"}},
	{weight: 2, // Canada
		first:   names("Olivia", "Liam", "Émilie/emilie", "Félix/felix", "Charlotte", "Benjamin", "Maëlle/maelle", "William"),
		last:    names("Tremblay", "Gagnon", "Roy", "Côté/cote", "Bouchard", "MacDonald/macdonald", "Wong", "Singh"),
		phones:  plans(6, "+14163", "+16048", "+15142", "+14035"),
		domains: []string{"videotron.ca", "rogers.com"}},
	{weight: 5, // United Kingdom
		first:   names("Oliver", "Amelia", "Harry", "Isla", "George", "Freya", "Jack", "Poppy", "Siobhán/siobhan", "Rhys"),
		last:    names("Patel", "Clarke", "Evans", "Hughes", "Walsh", "Wright", "Roberts", "Khan", "Murphy", "Davies"),
		phones:  plans(7, "+44740", "+44741", "+44745", "+44771", "+44772", "+44780", "+44790", "+44792"),
		domains: []string{"btinternet.com", "sky.com"}},
	{weight: 6, // Mexico
		first:   names("María/maria", "José/jose", "Ximena", "Santiago", "Sofía/sofia", "Mateo", "Valentina", "Diego", "Regina", "Andrés/andres"),
		last:    names("García/garcia", "Hernández/hernandez", "López/lopez", "Martínez/martinez", "González/gonzalez", "Pérez/perez", "Sánchez/sanchez", "Ramírez/ramirez"),
		phones:  plans(8, "+5255", "+5233", "+5281", "+5222"),
		domains: []string{"prodigy.net.mx"}},
	{weight: 4, // Spain
		first:   names("Lucía/lucia", "Hugo", "Martín/martin", "Paula", "Álvaro/alvaro", "Carmen", "Sebastián/sebastian", "Inés/ines"),
		last:    names("Rodríguez/rodriguez", "Fernández/fernandez", "Gómez/gomez", "Núñez/nunez", "Peña/pena", "Ruiz", "Jiménez/jimenez", "Muñoz/munoz"),
		phones:  append(plans(8, "+346"), plans(7, "+3471", "+3472", "+3473", "+3474")...),
		domains: []string{"telefonica.net"}},
	{weight: 8, // Brazil
		first:   names("João/joao", "Ana", "Luíza/luiza", "Gabriel", "Beatriz", "Lucas", "Júlia/julia", "Mateus", "Letícia/leticia", "Heitor"),
		last:    names("Silva", "Santos", "Oliveira", "Souza", "Conceição/conceicao", "Araújo/araujo", "Gonçalves/goncalves", "Ribeiro", "Lima", "Carvalho"),
		phones:  plans(8, "+55119", "+55219", "+55319", "+55419", "+55719"),
		domains: []string{"uol.com.br", "bol.com.br"}},
	{weight: 4, // Germany
		first:   names("Jürgen/juergen", "Lena", "Lukas", "Mia", "Jörg/joerg", "Sören/soeren", "Anna", "Felix", "Hannah", "Maximilian"),
		last:    names("Müller/mueller", "Schmidt", "Schäfer/schaefer", "Weiß/weiss", "Becker", "Köhler/koehler", "Hoffmann", "Schulz", "Fischer", "Wagner"),
		phones:  plans(8, "+49151", "+49152", "+49157", "+49160", "+49176"),
		domains: []string{"web.de", "gmx.de", "t-online.de"}},
	{weight: 4, // France
		first:   names("Zoé/zoe", "Hélène/helene", "Théo/theo", "Léa/lea", "Mathis", "Chloé/chloe", "Noémie/noemie", "Gaël/gael", "Louis", "Inès/ines"),
		last:    names("Lefèvre/lefevre", "Dubois", "Moreau", "Girard", "Lemaître/lemaitre", "Bernard", "Rousseau", "Faure", "Mercier"),
		phones:  plans(7, "+3361", "+3362", "+3365", "+3366", "+3367", "+3368", "+3375", "+3376", "+3377", "+3378"),
		domains: []string{"orange.fr", "free.fr", "laposte.net"}},
	{weight: 3, // Italy
		first:   names("Giulia", "Lorenzo", "Francesca", "Matteo", "Niccolò/niccolo", "Chiara", "Alessandro", "Sofia"),
		last:    names("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
		phones:  plans(7, "+39320", "+39333", "+39347", "+39380", "+39393"),
		domains: []string{"libero.it", "virgilio.it"}},
	{weight: 3, // Poland
		first:   names("Łukasz/lukasz", "Zofia", "Wojciech", "Małgorzata/malgorzata", "Jakub", "Agnieszka", "Paweł/pawel", "Katarzyna"),
		last:    names("Nowak", "Wójcik/wojcik", "Kowalczyk", "Wiśniewski/wisniewski", "Zieliński/zielinski", "Kamiński/kaminski", "Lewandowski"),
		phones:  plans(7, "+4850", "+4851", "+4853", "+4860", "+4869"),
		domains: []string{"wp.pl", "onet.pl", "interia.pl"}},
	{weight: 3, // Turkey
		first:   names("Ayşe/ayse", "Mehmet", "Zeynep", "Emre", "Çağla/cagla", "Burak", "Elif", "Oğuz/oguz"),
		last:    names("Yılmaz/yilmaz", "Kaya", "Demir", "Şahin/sahin", "Çelik/celik", "Öztürk/ozturk", "Aydın/aydin"),
		phones:  plans(7, "+90532", "+90533", "+90541", "+90505", "+90555"),
		domains: []string{"hotmail.com.tr"}},
	{weight: 10, // India
		first:   names("Priya", "Aarav", "Ananya", "Rohan", "Diya", "Arjun", "Saanvi", "Vihaan", "Ishaan", "Kavya", "Aditi", "Rahul"),
		last:    names("Sharma", "Patel", "Singh", "Kumar", "Reddy", "Iyer", "Gupta", "Nair", "Das", "Mehta"),
		phones:  plans(9, "+919", "+918", "+917", "+916"),
		domains: []string{"rediffmail.com"}},
	{weight: 3, // Nigeria
		first:  names("Chinedu", "Ngozi", "Emeka", "Adaeze", "Oluwaseun", "Tunde", "Funmilayo", "Ifeoma", "Ibrahim", "Aisha"),
		last:   names("Okafor", "Adeyemi", "Eze", "Okonkwo", "Balogun", "Nwosu", "Bello", "Abubakar"),
		phones: plans(7, "+234803", "+234806", "+234813", "+234703", "+234905")},
	{weight: 3, familyFirst: true, sep: " ", // Japan
		first:   names("太郎/taro", "花子/hanako", "翔太/shota", "結衣/yui", "陽菜/hina", "蓮/ren", "大翔/hiroto", "さくら/sakura"),
		last:    names("田中/tanaka", "佐藤/sato", "鈴木/suzuki", "高橋/takahashi", "渡辺/watanabe", "伊藤/ito", "山本/yamamoto"),
		phones:  plans(7, "+81901", "+81905", "+81908", "+81801", "+81803", "+81701"),
		domains: []string{"yahoo.co.jp", "docomo.ne.jp", "ezweb.ne.jp"}},
	{weight: 2, familyFirst: true, sep: "", // South Korea
		first:   names("민준/minjun", "서연/seoyeon", "지호/jiho", "하은/haeun", "도윤/doyun", "지우/jiwoo"),
		last:    names("김/kim", "이/lee", "박/park", "최/choi", "정/jung", "강/kang"),
		phones:  plans(7, "+82102", "+82103", "+82104", "+82109"),
		domains: []string{"naver.com", "daum.net"}},
	{weight: 2, familyFirst: true, sep: " ", // Vietnam
		first:  names("An", "Bảo/bao", "Linh", "Minh", "Thảo/thao", "Quân/quan", "Ngọc/ngoc", "Huy"),
		last:   names("Nguyễn/nguyen", "Trần/tran", "Lê/le", "Phạm/pham", "Hoàng/hoang", "Vũ/vu"),
		phones: plans(7, "+8490", "+8491", "+8493", "+8497", "+8498", "+8470", "+8477", "+8432", "+8438")},
	{weight: 1, // Egypt, names in Arabic script
		first:  names("أحمد/ahmed", "محمد/mohamed", "فاطمة/fatma", "مريم/mariam", "يوسف/youssef", "نور/nour", "عمر/omar"),
		last:   names("حسن/hassan", "علي/ali", "إبراهيم/ibrahim", "محمود/mahmoud", "سعد/saad", "فتحي/fathy"),
		phones: plans(8, "+2010", "+2011", "+2012", "+2015")},
	{weight: 1, // Egypt, names in Latin script
		first:  names("Ahmed", "Mohamed", "Nour", "Omar", "Salma", "Karim", "Yasmin"),
		last:   names("Hassan", "Ali", "Ibrahim", "Mahmoud", "Saad", "Fathy", "El-Sayed/elsayed"),
		phones: plans(8, "+2010", "+2011", "+2012", "+2015")},
	{weight: 3, // Indonesia
		first:  names("Putri", "Budi", "Siti", "Agus", "Dewi", "Rizky", "Ayu", "Fajar"),
		last:   names("Santoso", "Wijaya", "Saputra", "Hidayat", "Kusuma", "Pratama"),
		phones: plans(8, "+62812", "+62813", "+62821", "+62852", "+62857")},
	{weight: 2, // Philippines
		first:  names("Maria", "Juan", "Angelica", "Mark", "Kristine", "Jerome", "Joy", "Paolo"),
		last:   names("Dela Cruz/delacruz", "Reyes", "Santos", "Bautista", "Villanueva", "Ocampo", "Garcia"),
		phones: plans(7, "+63917", "+63918", "+63920", "+63927", "+63945")},
}

// seedLocaleWeights are the weights of seedLocales.
var seedLocaleWeights = func() []int {
	w := make([]int, len(seedLocales))
	for i, l := range seedLocales {
		w[i] = l.weight
	}
	return w
}()

// seedMailDomains are the global mail providers, weighted by repetition.
var seedMailDomains = []string{"gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com", "gmail.com",
	"yahoo.com", "yahoo.com", "outlook.com", "outlook.com", "hotmail.com", "icloud.com", "icloud.com", "proton.me"}

// seedAvatarHosts are the CDN paths of each app's profile pictures.
var seedAvatarHosts = map[profile.App]string{
	profile.AppFacebook:  "scontent.fbcdn.example.net/v/t39.30808-1",
	profile.AppInstagram: "scontent.cdninstagram.example.com/v/t51.2885-19",
	profile.AppWhatsApp:  "pps.whatsapp.example.net/v/t61.24694-24",
	profile.AppMessenger: "scontent.xx.fbcdn.example.net/v/t1.6435-1",
	profile.AppThreads:   "scontent.cdnthreads.example.net/v/t51.2885-19",
}

// seedAvatarSizes are the square sizes of profile pictures.
var seedAvatarSizes = []int32{150, 320, 640, 1080}

var seedEmoji = []string{"✨", "🌻", "⚽", "🎸", "🌍", "☕", "📷", "🏳️‍🌈", "🇧🇷", "💙"}

var seedBios = []string{
	"Coffee first ☕", "Photographer 📷 | Lisbon", "Dad. Runner. Engineer.", "living my best life ✨",
	"she/her", "he/him · 🇲🇽", "Travel • Food • Books", "Nurse 👩‍⚕️ night shifts are my thing",
	"Ingeniera de software en CDMX", "Fotógrafa e mãe de dois", "Mathe-Lehrer aus Köln",
	"Étudiante en médecine 🩺", "नमस्ते 🙏 Delhi → Bengaluru", "東京在住 ☕ カメラ好き", "커피와 고양이 🐈",
	"Lagos 🇳🇬 | Tech | Afrobeats", "Official account", "Bakery owner since 2015 🥐",
	"Runner 🏃‍♀️ 42.195\nMarathon #7 next", "Just here for the memes", "Backend dev. Go & Postgres.",
	"مصورة من القاهرة", "Cảm ơn vì đã ghé thăm", "DM for collabs 📩", "Volunteer firefighter 🚒",
	"Music is life 🎶", "Pharmacist · cyclist · cat person", "Yoga teacher 🧘 Bali", "Ciao! 🍕 Napoli nel cuore",
	"Grandma of 5 ❤️",
}
