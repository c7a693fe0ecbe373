package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
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
	ids := make([]string, n)
	now := time.Now().UTC()
	inStoreTx(tb, dbURL, "seed persons", func(ctx context.Context, tx profile.Tx) error {
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
	return ids
}

// inStoreTx runs fn in one transaction of a PostgreSQL store of dbURL opened for it
// alone; it fails tb, naming what fn does, if fn returns an error.
func inStoreTx(tb testing.TB, dbURL, what string, fn func(ctx context.Context, tx profile.Tx) error) {
	tb.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, dbURL, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	defer st.Close()
	if err := st.InTx(ctx, fn); err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

var appShort = map[profile.App]string{profile.AppFacebook: "fb", profile.AppInstagram: "ig"}

// seedAccountLists gives the FACEBOOK account of each of the n persons seedPersons made
// with prefix two devices and two cross-posts to its INSTAGRAM account, and the person
// the consents INSTAGRAM→FACEBOOK for DEVICE and ACTIVITY, through the store.
func seedAccountLists(tb testing.TB, dbURL, prefix string, n int) {
	tb.Helper()
	now := time.Now().UTC().Add(-time.Minute)
	inStoreTx(tb, dbURL, "seed devices and cross-posts", func(ctx context.Context, tx profile.Tx) error {
		keys := make([]profile.AccountKey, 0, 2*n)
		for i := range n {
			keys = append(keys, profile.AccountKey{App: profile.AppFacebook, AppUserID: fmt.Sprintf("%s-fb-%d", prefix, i)},
				profile.AccountKey{App: profile.AppInstagram, AppUserID: fmt.Sprintf("%s-ig-%d", prefix, i)})
		}
		accs, err := tx.AccountsByKey(ctx, keys)
		if err != nil {
			return err
		}
		for i := 0; i < len(keys); i += 2 {
			fbAcc, igAcc := accs[keys[i]], accs[keys[i+1]]
			if err := tx.ReplaceDevices(ctx, fbAcc.ID, []*profile.Device{
				{ID: "phone", Platform: profile.PlatformAndroid, LastActiveAt: now},
				{ID: "web", Platform: profile.PlatformWeb, LastActiveAt: now},
			}); err != nil {
				return err
			}
			for _, c := range []profile.Category{profile.CategoryDevice, profile.CategoryActivity} {
				if _, err := tx.PutConsent(ctx, &profile.Consent{PersonID: fbAcc.PersonID, SourceApp: profile.AppInstagram,
					TargetApp: profile.AppFacebook, Category: c, Purpose: profile.PurposeService, GrantedAt: now}); err != nil {
					return err
				}
			}
			for _, content := range []string{"post-1", "post-2"} {
				if _, _, err := tx.InsertCrossPost(ctx, &profile.CrossPost{AccountID: fbAcc.ID, From: profile.AppFacebook,
					To: profile.AppInstagram, TargetAccountID: igAcc.ID, ContentID: content, At: now}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// roundTrips runs query and returns the SQL round trips it cost.
func (s *testServer) roundTrips(tb testing.TB, token, query string, vars map[string]any) (int, *gqlResponse) {
	tb.Helper()
	before := int(s.dbQueries(tb))
	r := s.query(tb, token, query, vars)
	return int(s.dbQueries(tb)) - before, r
}

// Round trips of the queries below, whatever the number of entities. What decides what
// a request may see, the viewer's own account and the privacy state (links and
// consents) of every person of a level, is one fresh read (profile.FreshReader); content
// (persons, account contents, settings) is one batch per relation and level, and comes
// from the shared cache once it is warm. Deeper levels about the same persons reuse
// the request's views.
const (
	entitiesNonOwnerRoundTrips = 2 // fresh state (which also says who exists), account contents
	entitiesOwnerRoundTrips    = 2 // the same
	nestedRoundTrips           = 2 // fresh state (the viewer's person comes with it), account contents
	ownerHomeRoundTrips        = 3 // fresh state, account contents, settings
	activityRoundTrips         = 3 // fresh state, account contents, activity pages
	// With the shared cache warm only what is never cached is read: the activity log.
	// The fresh state comes from the privacy cache, this replica holding its lease
	// (docs/privacy-cache.md).
	warmRoundTrips         = 0
	warmActivityRoundTrips = 1
	// A service token reads its own accounts' lists: the accounts, the fresh state, the
	// devices, the cross-post pages, the cross-posts' target accounts. Warm, only the
	// cross-posts, which are never cached, are read.
	entitiesListsRoundTrips     = 5
	warmEntitiesListsRoundTrips = 1
	// The viewer query with both lists: fresh state, account contents, devices,
	// cross-posts (their targets are the person's own accounts, already held). Warm: the
	// cross-posts.
	nestedListsRoundTrips = 4
	warmListsRoundTrips   = 1
)

const ownerHomeQuery = `{ viewer { id profile { displayName username bio avatar { url } phoneNumber email birthdate sources { field app } }
	ageRange accounts { id app appUserId username displayName linkedAt } settings { syncProfile version crossPosting { from to } singleSignOn }
	consents { sourceApp targetApp category purpose grantedAt } } }`

// activityQuery asks for two pages of each person's log under _entities: the pages of a
// level are read in one round trip (an activity loader), however many persons.
const activityQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id first: activity(first: 1) { edges { node { id type } } } more: activity(first: 3) { edges { node { id } } } } } }`

const entitiesNonOwnerQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id profile { displayName username avatar { url } sources { field app } } } } }`

const entitiesOwnerQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id ageRange accounts { app username phoneNumber } } } }`

const entitiesListsQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on AppAccount { id devices { id platform } crossPosts(first: 5) { edges { node { contentId target { app } } } } } } }`

const nestedListsQuery = `{ viewer { accounts { app devices { id } crossPosts { edges { node { contentId } } } } } }`

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
			// The largest shapes here (500 accounts with both lists, 1000 representations
			// with two activity pages each) exceed the default complexity limit: this
			// test is about round trips, so it raises the limit.
			testRoundTrips(t, tc.maxCost != "0", startServer(t, map[string]string{"CACHE_MAX_COST": tc.maxCost, "COMPLEXITY_LIMIT": "50000"}))
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
	seedAccountLists(t, s.DatabaseURL, "rt", 500)
	seedAccountLists(t, s.DatabaseURL, "owner", 1)
	fbBackend := serviceToken(t, profile.AppFacebook)

	// measure runs the query (again and again with the cache on, until it is warm) and
	// fails unless its round trips are as expected.
	measure := func(t *testing.T, token, query string, vars map[string]any, want, warm int, check func(*gqlResponse)) {
		t.Helper()
		rt, r := s.roundTrips(t, token, query, vars)
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
		for i := 0; rt != warm; i++ {
			if i == 20 {
				t.Fatalf("warm round trips = %d, want %d", rt, warm)
			}
			time.Sleep(10 * time.Millisecond)
			rt, r = s.roundTrips(t, token, query, vars)
			check(r)
		}
	}

	for _, n := range []int{1, 10, 100, 500} {
		t.Run(fmt.Sprintf("non-owner _entities of %d persons", n), func(t *testing.T) {
			measure(t, outsider, entitiesNonOwnerQuery, map[string]any{"r": personReps(ids[:n])}, entitiesNonOwnerRoundTrips, warmRoundTrips, func(r *gqlResponse) {
				mustOK(t, r)
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
			measure(t, ownerTok, entitiesOwnerQuery, map[string]any{"r": personReps(reps)}, entitiesOwnerRoundTrips, warmRoundTrips, func(r *gqlResponse) {
				mustOK(t, r)
				if r.Get(fmt.Sprintf("_entities.%d.accounts.0.phoneNumber", n-1)) == nil {
					t.Fatalf("owner does not see phone numbers: %s", r.Raw)
				}
			})
		})
		t.Run(fmt.Sprintf("devices and crossPosts under _entities of %d accounts", n), func(t *testing.T) {
			reps := make([]any, n)
			for i := range reps {
				reps[i] = map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": fmt.Sprintf("rt-fb-%d", i)}
			}
			measure(t, fbBackend, entitiesListsQuery, map[string]any{"r": reps}, entitiesListsRoundTrips, warmEntitiesListsRoundTrips, func(r *gqlResponse) {
				mustOK(t, r)
				last := fmt.Sprintf("_entities.%d", n-1)
				if r.Get(last+".devices.1.id") != "web" || r.Get(last+".crossPosts.edges.1.node.target.app") != "INSTAGRAM" {
					t.Fatalf("entity %d lacks its devices or cross-posts: %.1500s", n-1, r.Raw)
				}
			})
		})
	}
	for _, n := range []int{1, 10, 100, 500} {
		t.Run(fmt.Sprintf("activity under _entities of %d representations", 2*n), func(t *testing.T) {
			// The owner's person n times, and n outsiders (FORBIDDEN, no read of theirs).
			reps := make([]string, 0, 2*n)
			for i := range n {
				reps = append(reps, owner, ids[i])
			}
			measure(t, ownerTok, activityQuery, map[string]any{"r": personReps(reps)}, activityRoundTrips, warmActivityRoundTrips, func(r *gqlResponse) {
				if r.Status != http.StatusOK || len(r.Errors) != 2*n { // first and more of each outsider
					t.Fatalf("status %d, %d errors, want 200 and %d FORBIDDEN: %.1500s", r.Status, len(r.Errors), 2*n, r.Raw)
				}
				if got := len(r.Data["_entities"].([]any)); got != 2*n {
					t.Fatalf("got %d entities, want %d", got, 2*n)
				}
				if r.Get(fmt.Sprintf("_entities.%d.more", 2*n-2)) == nil || r.Get(fmt.Sprintf("_entities.%d.more", 2*n-1)) != nil {
					t.Fatalf("the owner's activity must resolve and an outsider's must not: %s", r.Raw)
				}
			})
		})
	}
	t.Run("owner home", func(t *testing.T) {
		measure(t, ownerTok, ownerHomeQuery, nil, ownerHomeRoundTrips, warmRoundTrips, func(r *gqlResponse) {
			mustOK(t, r)
			if r.Get("viewer.settings.version") == nil || r.Get("viewer.accounts.1.linkedAt") == nil {
				t.Fatalf("owner home incomplete: %s", r.Raw)
			}
		})
	})
	t.Run("nested viewer query with devices and crossPosts", func(t *testing.T) {
		measure(t, ownerTok, nestedListsQuery, nil, nestedListsRoundTrips, warmListsRoundTrips, func(r *gqlResponse) {
			mustOK(t, r)
			if r.Get("viewer.accounts.0.devices.1.id") != "web" || r.Get("viewer.accounts.0.crossPosts.edges.1.node.contentId") != "post-1" {
				t.Fatalf("nested lists incomplete: %.1500s", r.Raw)
			}
		})
	})
	t.Run("nested viewer query", func(t *testing.T) {
		measure(t, ownerTok, nestedQuery, nil, nestedRoundTrips, warmRoundTrips, func(r *gqlResponse) {
			mustOK(t, r)
			if r.Get("viewer.accounts.1.person.accounts.1.person.profile.displayName") == nil {
				t.Fatalf("nested query incomplete: %s", r.Raw)
			}
		})
	})
}
