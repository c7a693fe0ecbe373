package seed

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/internal/testdb"
	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// seedInto runs `profilegraph seed` with args against dbURL (as DATABASE_URL) and
// returns its output.
func seedInto(tb testing.TB, dbURL string, args ...string) string {
	tb.Helper()
	var out bytes.Buffer
	env := map[string]string{"DATABASE_URL": dbURL}
	if err := Run(context.Background(), args, func(k string) string { return env[k] }, &out); err != nil {
		tb.Fatalf("seed %v: %v\n%s", args, err, out.String())
	}
	return out.String()
}

// seedChecksum hashes every row the seeder writes, in a canonical order.
func seedChecksum(tb testing.TB, st *postgres.Store) string {
	tb.Helper()
	var sum string
	err := st.Pool().QueryRow(context.Background(), `
SELECT md5(string_agg(r, E'\n' ORDER BY r)) FROM (
    SELECT 'p' || p::text AS r FROM persons p
    UNION ALL SELECT 'a' || a::text FROM accounts a
    UNION ALL SELECT 's' || s::text FROM settings s
    UNION ALL SELECT 'c' || c::text FROM consents c
) rows`).Scan(&sum)
	if err != nil {
		tb.Fatalf("checksum: %v", err)
	}
	return sum
}

// openStore opens the store at dbURL, closed when the test ends.
func openStore(tb testing.TB, dbURL string) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), dbURL, nil)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(st.Close)
	return st
}

func countRows(tb testing.TB, st *postgres.Store, table string) int {
	tb.Helper()
	var n int
	if err := st.Pool().QueryRow(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		tb.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestSeedWritesValidLinkedData(t *testing.T) {
	const persons, seed = 2000, 7
	url := testdb.New(t)
	out := seedInto(t, url, "--persons", fmt.Sprint(persons), "--seed", fmt.Sprint(seed), "--batch", "700")
	st := openStore(t, url)
	ctx := context.Background()

	rows, err := st.Pool().Query(ctx, "SELECT id::text FROM persons")
	if err != nil {
		t.Fatalf("list persons: %v", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatalf("scan: %v", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("list persons: %v", err)
	}
	accounts, err := st.AccountsByPerson(ctx, ids)
	if err != nil {
		t.Fatalf("accounts: %v", err)
	}
	consents, err := st.ConsentsByPerson(ctx, ids)
	if err != nil {
		t.Fatalf("consents: %v", err)
	}
	settings, err := st.SettingsByPerson(ctx, ids)
	if err != nil {
		t.Fatalf("settings: %v", err)
	}

	t.Run("no minor holds an ADS consent, adults do", func(t *testing.T) {
		today := profile.DateOf(time.Now())
		adultsWithAds, minors := 0, 0
		for _, id := range ids {
			var births []profile.Date
			for _, a := range accounts[id] {
				if a.Birthdate != nil {
					births = append(births, *a.Birthdate)
				}
			}
			minor := consent.AgeRange(births, today).Minor()
			if minor {
				minors++
			}
			for _, c := range consents[id] {
				switch {
				case c.Purpose != profile.PurposeAds:
				case minor:
					t.Fatalf("person %s is a minor (%v) and holds the ADS consent %+v", id, births, c.Key())
				default:
					adultsWithAds++
				}
			}
		}
		if minors == 0 || adultsWithAds == 0 {
			t.Fatalf("%d minors and %d ADS consents of adults: the check covers nothing", minors, adultsWithAds)
		}
	})

	t.Run("writes exactly the persons asked for", func(t *testing.T) {
		if len(ids) != persons {
			t.Fatalf("got %d persons, want %d", len(ids), persons)
		}
	})

	t.Run("every person has 1 to 4 linked accounts, every count occurring", func(t *testing.T) {
		perCount := map[int]int{}
		total := 0
		for _, id := range ids {
			n := len(accounts[id])
			if n < 1 || n > 4 {
				t.Fatalf("person %s has %d accounts", id, n)
			}
			perCount[n]++
			total += n
		}
		for n := 1; n <= 4; n++ {
			if perCount[n] == 0 {
				t.Errorf("no person has %d accounts: %v", n, perCount)
			}
		}
		if all := countRows(t, st, "accounts"); all != total {
			t.Errorf("%d accounts in the table, %d linked to the persons: some are unlinked", all, total)
		}
	})

	t.Run("every account passes the input validation", func(t *testing.T) {
		today := profile.DateOf(time.Now())
		lo, hi := profile.DateOf(seedBirthMin), profile.DateOf(seedBirthMax)
		nonASCII, phones, emails, avatars, birthdates := 0, 0, 0, 0, 0
		for _, id := range ids {
			for _, a := range accounts[id] {
				if !strings.HasPrefix(a.AppUserID, fmt.Sprintf("s%d-%s-", seed, seedAppShort[a.App])) {
					t.Errorf("appUserId %q lacks the seed prefix", a.AppUserID)
				}
				if err := profile.ValidateUsername(a.Username); err != nil {
					t.Errorf("%s: %v", a.AppUserID, err)
				}
				if a.DisplayName == nil {
					t.Errorf("%s: no display name", a.AppUserID)
				} else if got, err := profile.NormalizeDisplayName(*a.DisplayName); err != nil || got != *a.DisplayName {
					t.Errorf("%s: display name %q normalizes to %q, %v", a.AppUserID, *a.DisplayName, got, err)
				} else if !isASCII(got) {
					nonASCII++
				}
				if a.Bio != nil {
					if got, err := profile.NormalizeBio(*a.Bio); err != nil || got != *a.Bio {
						t.Errorf("%s: bio %q normalizes to %q, %v", a.AppUserID, *a.Bio, got, err)
					}
				}
				if av := a.Avatar; av != nil {
					avatars++
					if err := profile.ValidateAvatarURL(av.URL); err != nil {
						t.Errorf("%s: %v", a.AppUserID, err)
					}
					if (av.Width == nil) != (av.Height == nil) || av.Width != nil && *av.Width != *av.Height {
						t.Errorf("%s: avatar is not square: %v×%v", a.AppUserID, av.Width, av.Height)
					}
					if av.UpdatedAt.Before(a.CreatedAt) || av.UpdatedAt.After(a.UpdatedAt) {
						t.Errorf("%s: avatar updated %v outside the account's life %v–%v", a.AppUserID, av.UpdatedAt, a.CreatedAt, a.UpdatedAt)
					}
				}
				if a.PhoneNumber != nil {
					phones++
					if got, err := profile.NormalizePhone(*a.PhoneNumber); err != nil || got != *a.PhoneNumber {
						t.Errorf("%s: phone %q normalizes to %q, %v", a.AppUserID, *a.PhoneNumber, got, err)
					}
				} else if a.App == profile.AppWhatsApp {
					t.Errorf("%s: a WhatsApp account without a phone number", a.AppUserID)
				}
				if a.Email != nil {
					emails++
					if got, err := profile.NormalizeEmail(*a.Email); err != nil || got != *a.Email {
						t.Errorf("%s: email %q normalizes to %q, %v", a.AppUserID, *a.Email, got, err)
					}
				}
				if d := a.Birthdate; d != nil {
					birthdates++
					if err := profile.ValidateBirthdate(*d, today); err != nil || d.Time().Before(lo.Time()) || d.Time().After(hi.Time()) {
						t.Errorf("%s: birthdate %s outside %s–%s (%v)", a.AppUserID, d, lo, hi, err)
					}
				}
				if a.LinkedAt == nil || a.PersonID != id {
					t.Errorf("%s: not linked to its person", a.AppUserID)
				} else if a.LinkedAt.Before(a.CreatedAt) || a.LinkedAt.After(seedEnd) || a.UpdatedAt.Before(a.CreatedAt) {
					t.Errorf("%s: created %v, linked %v, updated %v: out of order", a.AppUserID, a.CreatedAt, *a.LinkedAt, a.UpdatedAt)
				}
			}
		}
		// Realistic, not uniform: most fields are mostly present, names are not all ASCII.
		all := countRows(t, st, "accounts")
		for what, n := range map[string]int{"non-ASCII display names": nonASCII, "phone numbers": phones,
			"emails": emails, "avatars": avatars, "birthdates": birthdates} {
			if n == 0 || n == all {
				t.Errorf("%s: %d of %d accounts, want some but not all", what, n, all)
			}
		}
	})

	t.Run("consents and settings name only the person's linked apps", func(t *testing.T) {
		withConsents, withSettings := 0, 0
		for _, id := range ids {
			linked := map[profile.App]*profile.Account{}
			for _, a := range accounts[id] {
				linked[a.App] = a
			}
			if len(consents[id]) > 0 {
				withConsents++
			}
			for _, c := range consents[id] {
				src, dst := linked[c.SourceApp], linked[c.TargetApp]
				if src == nil || dst == nil || c.SourceApp == c.TargetApp {
					t.Fatalf("person %s (apps %v) has consent %s→%s", id, keys(linked), c.SourceApp, c.TargetApp)
				}
				if c.GrantedAt.Before(*src.LinkedAt) || c.GrantedAt.Before(*dst.LinkedAt) {
					t.Errorf("person %s: consent %s→%s granted %v before both apps were linked", id, c.SourceApp, c.TargetApp, c.GrantedAt)
				}
			}
			s := settings[id]
			if s == nil {
				continue
			}
			withSettings++
			for _, r := range s.CrossPosting {
				if linked[r.From] == nil || linked[r.To] == nil || r.From == r.To {
					t.Errorf("person %s (apps %v): cross-posting %s→%s", id, keys(linked), r.From, r.To)
				}
			}
			for _, app := range s.SingleSignOn {
				if linked[app] == nil {
					t.Errorf("person %s (apps %v): single sign-on into %s", id, keys(linked), app)
				}
			}
		}
		if withConsents == 0 || withSettings == 0 || withSettings == persons {
			t.Errorf("%d persons with consents, %d with settings: want some, and not all with settings", withConsents, withSettings)
		}
	})

	t.Run("prints a progress line per batch and a summary", func(t *testing.T) {
		progress := regexp.MustCompile(`(?m)^seed: \d+/2000 persons \(\d+%\), \d+ rows, \d+ rows/s, elapsed \S+$`)
		if got := len(progress.FindAllString(out, -1)); got != 3 {
			t.Errorf("got %d progress lines, want 3 (batches of 700):\n%s", got, out)
		}
		if !strings.Contains(out, "seed: done: 2000 persons, ") {
			t.Errorf("no summary:\n%s", out)
		}
	})
}

func isASCII(s string) bool { return utf8.RuneCountInString(s) == len(s) }

func keys[K comparable, V any](m map[K]V) []K {
	out := make([]K, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSeedIsDeterministic(t *testing.T) {
	a, b, c := testdb.New(t), testdb.New(t), testdb.New(t)
	seedInto(t, a, "--persons", "1000", "--seed", "42")
	seedInto(t, b, "--persons", "1000", "--seed", "42", "--batch", "300")
	seedInto(t, c, "--persons", "1000", "--seed", "43")
	stA, stB, stC := openStore(t, a), openStore(t, b), openStore(t, c)

	t.Run("one seed writes identical data whatever the batch size", func(t *testing.T) {
		if x, y := seedChecksum(t, stA), seedChecksum(t, stB); x != y {
			t.Fatalf("checksums differ: %s vs %s", x, y)
		}
	})
	t.Run("another seed writes other data", func(t *testing.T) {
		if x, y := seedChecksum(t, stA), seedChecksum(t, stC); x == y {
			t.Fatalf("seeds 42 and 43 wrote identical data (%s)", x)
		}
	})
	t.Run("two seeds fit in one database", func(t *testing.T) {
		before := countRows(t, stC, "accounts")
		seedInto(t, c, "--persons", "1000", "--seed", "42")
		if got := countRows(t, stC, "persons"); got != 2000 {
			t.Fatalf("got %d persons after seeding 43 and 42, want 2000", got)
		}
		if got, want := countRows(t, stC, "accounts"), before+countRows(t, stA, "accounts"); got != want {
			t.Fatalf("got %d accounts, want %d: the accounts of both seeds", got, want)
		}
	})
	t.Run("the same seed twice is refused before writing", func(t *testing.T) {
		before := countRows(t, stA, "persons")
		var out bytes.Buffer
		err := Run(context.Background(), []string{"--database-url", a, "--persons", "10", "--seed", "42"},
			func(string) string { return "" }, &out)
		if err == nil || !strings.Contains(err.Error(), "already holds the data of --seed 42") {
			t.Fatalf("got %v, want an error saying the seed is already there", err)
		}
		if after := countRows(t, stA, "persons"); after != before {
			t.Fatalf("persons went from %d to %d", before, after)
		}
	})
}

func TestSeedRejectsBadConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"missing DATABASE_URL", []string{"--persons", "10"}, nil, "DATABASE_URL (or --database-url) is required"},
		{"missing --persons", nil, map[string]string{"DATABASE_URL": "postgres://x"}, "--persons: must be a positive"},
		{"negative --persons", []string{"--persons", "-3"}, map[string]string{"DATABASE_URL": "postgres://x"}, "--persons: must be a positive"},
		{"batch out of range", []string{"--persons", "10", "--batch", "0"}, map[string]string{"DATABASE_URL": "postgres://x"}, "--batch: must be between"},
		{"stray argument", []string{"--persons", "10", "extra"}, map[string]string{"DATABASE_URL": "postgres://x"}, "unexpected arguments: extra"},
		{"unknown flag", []string{"--people", "10"}, map[string]string{"DATABASE_URL": "postgres://x"}, "flag provided but not defined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := Run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSeedNames(t *testing.T) {
	handle := regexp.MustCompile(`^[a-z]+$`)
	for _, loc := range seedLocales {
		for _, n := range append(append([]seedName(nil), loc.first...), loc.last...) {
			if !handle.MatchString(n.ascii) {
				t.Errorf("name %q: ASCII spelling %q is not a-z", n.display, n.ascii)
			}
			if got, err := profile.NormalizeDisplayName(n.display); err != nil || got != n.display {
				t.Errorf("name %q is not a valid NFC display name: %q, %v", n.display, got, err)
			}
		}
	}
}

func TestSeedPhonePlans(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, loc := range seedLocales {
		for _, p := range loc.phones {
			t.Run(p.prefix, func(t *testing.T) {
				numbers := []string{p.prefix + strings.Repeat("0", p.digits), p.prefix + strings.Repeat("9", p.digits)}
				for range 100 {
					var sb strings.Builder
					sb.WriteString(p.prefix)
					for range p.digits {
						sb.WriteByte(byte('0' + r.IntN(10)))
					}
					numbers = append(numbers, sb.String())
				}
				for _, n := range numbers {
					if got, err := profile.NormalizePhone(n); err != nil || got != n {
						t.Fatalf("%s normalizes to %q, %v", n, got, err)
					}
				}
			})
		}
	}
}

func TestSeedHelpPrintsUsage(t *testing.T) {
	var out bytes.Buffer
	if err := Run(context.Background(), []string{"-h"}, func(string) string { return "" }, &out); err != nil {
		t.Fatalf("seed -h: %v", err)
	}
	for _, flag := range []string{"-persons", "-seed", "-batch", "-database-url"} {
		if !strings.Contains(out.String(), flag) {
			t.Errorf("usage lacks %s:\n%s", flag, out.String())
		}
	}
}

// TestRowValuesFillEveryCopyColumn: each row type fills exactly the columns that
// postgres copies into its table (a column added to the table and its row type but not
// to the seeder leaves a value unfilled; one dropped makes the seeder write past them).
func TestRowValuesFillEveryCopyColumn(t *testing.T) {
	type sentinel struct{}
	check := func(t *testing.T, tbl postgres.CopyTable, fill func([]any)) {
		t.Run(tbl.Name, func(t *testing.T) {
			v := make([]any, len(tbl.Columns))
			for i := range v {
				v[i] = sentinel{}
			}
			fill(v)
			for i, x := range v {
				if x == (sentinel{}) {
					t.Errorf("column %s is not filled", tbl.Columns[i])
				}
			}
		})
	}
	b := newSeedGen(1).batch(0, 20)
	check(t, postgres.PersonsTable, func(v []any) { b.persons[0].values(v) })
	check(t, postgres.AccountsTable, func(v []any) { b.accounts[0].values(v) })
	check(t, postgres.SettingsTable, func(v []any) { b.settings[0].values(v) })
	check(t, postgres.ConsentsTable, func(v []any) { b.consents[0].values(v) })
}
