package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/postgres"
	"github.com/profilegraph/profilegraph/profile"
)

// seedPersons writes n persons directly through the store, each with FACEBOOK and
// INSTAGRAM accounts (app user ids "<prefix>-fb-i", "<prefix>-ig-i"), and returns their
// ids. It bypasses GraphQL so that large batches are quick to set up.
func seedPersons(tb testing.TB, dbURL, prefix string, n int) []string {
	tb.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, dbURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	defer st.Close()
	ids := make([]string, n)
	now := time.Now().UTC()
	err = st.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		for i := range n {
			p := &profile.Person{ID: uuid.NewString(), CreatedAt: now}
			if err := tx.InsertPerson(ctx, p); err != nil {
				return err
			}
			ids[i] = p.ID
			for _, app := range []profile.App{profile.AppFacebook, profile.AppInstagram} {
				name := fmt.Sprintf("%s %s %d", prefix, app, i)
				phone := fmt.Sprintf("+1415555%04d", i%10000)
				linked := now
				a := &profile.Account{
					ID: uuid.NewString(), App: app,
					AppUserID: fmt.Sprintf("%s-%s-%d", prefix, appShort[app], i),
					PersonID:  p.ID, LinkedAt: &linked,
					Username:    fmt.Sprintf("%s.%d.%s", prefix, i, appShort[app]),
					DisplayName: &name, PhoneNumber: &phone,
					Avatar:    &profile.Avatar{URL: fmt.Sprintf("https://img.example.com/%d.jpg", i), UpdatedAt: now},
					CreatedAt: now, UpdatedAt: now,
				}
				if err := tx.InsertAccount(ctx, a); err != nil {
					return err
				}
			}
			for _, c := range []profile.Category{profile.CategoryProfile, profile.CategoryContact} {
				if _, err := tx.PutConsent(ctx, &profile.Consent{PersonID: p.ID, SourceApp: profile.AppInstagram,
					TargetApp: profile.AppFacebook, Category: c, Purpose: profile.PurposeService, GrantedAt: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("seed persons: %v", err)
	}
	return ids
}

var appShort = map[profile.App]string{profile.AppFacebook: "fb", profile.AppInstagram: "ig"}

// roundTrips runs query and returns the SQL round trips it cost.
func (s *testServer) roundTrips(tb testing.TB, token, query string, vars map[string]any) (int, *gqlResponse) {
	tb.Helper()
	before := int(s.dbQueries(tb))
	r := s.query(tb, token, query, vars)
	return int(s.dbQueries(tb)) - before, r
}

// Round trips of the queries below, whatever the number of entities: each level of the
// query is one batch per relation. A person's links and consents come in one batch
// (PrivacyByPerson), and the contents of its accounts in the next one.
const (
	entitiesNonOwnerRoundTrips = 4 // viewer account, persons, privacy state, account contents
	entitiesOwnerRoundTrips    = 4 // the same
	nestedRoundTrips           = 4 // viewer account, privacy state, account contents, persons (deeper levels reuse the loaders)
	// With the shared cache warm only what is never cached is read: the viewer's own
	// account and the privacy state.
	warmRoundTrips = 2
)

const entitiesNonOwnerQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id profile { displayName username avatar { url } sources { field app } } } } }`

const entitiesOwnerQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id ageRange accounts { app username phoneNumber } } } }`

const nestedQuery = `{ viewer { accounts { person { accounts { person { profile { displayName } } } } } } }`

func personReps(ids []string) []any {
	reps := make([]any, len(ids))
	for i, id := range ids {
		reps[i] = map[string]any{"__typename": "Person", "id": id}
	}
	return reps
}

func TestE2ERoundTripsAreConstant(t *testing.T) {
	for _, tc := range []struct {
		name    string
		maxCost string
	}{
		{"cache off", "0"},
		{"cache on", "67108864"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			testRoundTrips(t, tc.maxCost != "0", startServer(t, map[string]string{"CACHE_MAX_COST": tc.maxCost}))
		})
	}
}

// testRoundTrips checks the round trips of each query: exactly the constant with the
// cache off; with it on, at most that when cold and exactly warmRoundTrips once warm.
func testRoundTrips(t *testing.T, cached bool, s *testServer) {
	ids := seedPersons(t, s.DatabaseURL, "rt", 500)
	owner := seedPersons(t, s.DatabaseURL, "owner", 1)[0]
	outsider := userToken(t, profile.AppFacebook, "rt-fb-0") // person ids[0] is an outsider to the rest
	ownerTok := userToken(t, profile.AppFacebook, "owner-fb-0")

	// measure runs the query (again and again with the cache on, until it is warm) and
	// fails unless its round trips are as expected.
	measure := func(t *testing.T, token, query string, vars map[string]any, want int, check func(*gqlResponse)) {
		t.Helper()
		rt, r := s.roundTrips(t, token, query, vars)
		mustOK(t, r)
		check(r)
		if !cached {
			if rt != want {
				t.Fatalf("round trips = %d, want %d", rt, want)
			}
			return
		}
		if rt > want {
			t.Fatalf("cold round trips = %d, want at most %d (the count without the cache)", rt, want)
		}
		// The cache stores asynchronously and only once its listener listens: retry.
		for i := 0; rt != warmRoundTrips; i++ {
			if i == 20 {
				t.Fatalf("warm round trips = %d, want %d", rt, warmRoundTrips)
			}
			time.Sleep(10 * time.Millisecond)
			rt, r = s.roundTrips(t, token, query, vars)
			mustOK(t, r)
			check(r)
		}
	}

	for _, n := range []int{1, 10, 100, 500} {
		t.Run(fmt.Sprintf("non-owner _entities of %d persons", n), func(t *testing.T) {
			measure(t, outsider, entitiesNonOwnerQuery, map[string]any{"r": personReps(ids[:n])}, entitiesNonOwnerRoundTrips, func(r *gqlResponse) {
				if got := len(r.Data["_entities"].([]any)); got != n {
					t.Fatalf("got %d entities, want %d", got, n)
				}
				if last := r.Get(fmt.Sprintf("_entities.%d.profile.displayName", n-1)); last == nil {
					t.Fatalf("entity %d has no displayName: %s", n-1, r.Raw)
				}
			})
		})
		t.Run(fmt.Sprintf("owner _entities of %d representations", n), func(t *testing.T) {
			reps := make([]string, n)
			for i := range reps {
				reps[i] = owner
			}
			measure(t, ownerTok, entitiesOwnerQuery, map[string]any{"r": personReps(reps)}, entitiesOwnerRoundTrips, func(r *gqlResponse) {
				if r.Get(fmt.Sprintf("_entities.%d.accounts.0.phoneNumber", n-1)) == nil {
					t.Fatalf("owner does not see phone numbers: %s", r.Raw)
				}
			})
		})
	}
	t.Run("nested viewer query", func(t *testing.T) {
		measure(t, ownerTok, nestedQuery, nil, nestedRoundTrips, func(r *gqlResponse) {
			if r.Get("viewer.accounts.1.person.accounts.1.person.profile.displayName") == nil {
				t.Fatalf("nested query incomplete: %s", r.Raw)
			}
		})
	})
}
