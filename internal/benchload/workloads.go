package benchload

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

// The workloads' queries (issue 8).
const (
	queryPersons = `query($r:[_Any!]!){ _entities(representations:$r){ ... on Person { id profile { displayName username avatar { url } } } } }`
	queryHome    = `query { viewer { id profile { displayName username bio avatar { url } phoneNumber email birthdate sources { field app } } ageRange accounts { id app appUserId username displayName linkedAt } settings { syncProfile version crossPosting { from to } singleSignOn } consents { sourceApp targetApp category purpose grantedAt } } }`
	queryAccount = `query($r:[_Any!]!){ _entities(representations:$r){ ... on AppAccount { username displayName avatar { url } person { id } } } }`
)

// QueryPersons, QueryHome and QueryAccount are the queries of Q1, Q2 and Q3, for the
// test of what they cost warm (e2e_privacy_cache_test.go).
const (
	QueryPersons = queryPersons
	QueryHome    = queryHome
	QueryAccount = queryAccount
)

// batchSize is the number of representations per `_entities` request.
const batchSize = 50

// workload is one row group of the report.
type workload struct {
	name     string
	title    string
	cacheOff bool // served by the profilegraph started with CACHE_MAX_COST=0
	requests []request
}

// request is one prepared HTTP request: its Authorization header and JSON body.
type request struct {
	auth string
	body []byte
}

// tokenFor signs a user token of a.
func tokenFor(secret []byte, a account) (string, error) {
	tok, err := auth.SignHS256(secret, auth.Claims{
		App: profile.App(a.app), Subject: a.appUserID, ExpiresAt: time.Now().Add(6 * time.Hour),
	})
	return "Bearer " + tok, err
}

// buildWorkloads prepares variants requests per workload from pop, with a fixed
// random stream so that two runs send the same requests for one database.
func buildWorkloads(pop population, secret []byte, variants int) ([]workload, error) {
	rng := rand.New(rand.NewPCG(8, 8))
	var linked []account
	for _, a := range pop.accounts {
		if a.personID != "" && a.linked {
			linked = append(linked, a)
		}
	}
	if len(linked) < variants {
		return nil, fmt.Errorf("%d linked accounts, fewer than the %d variants", len(linked), variants)
	}
	type rep map[string]string
	entities := func(query string, reps []rep) []byte {
		b, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"r": reps}})
		return b
	}
	var q1, q2, q3 []request
	for i := range variants {
		// Q1: 50 persons, none of them the viewer's.
		viewer := linked[rng.IntN(len(linked))]
		tok, err := tokenFor(secret, viewer)
		if err != nil {
			return nil, err
		}
		var reps []rep
		for seen := map[string]bool{viewer.personID: true}; len(reps) < batchSize; {
			id := pop.persons[rng.IntN(len(pop.persons))]
			if !seen[id] {
				seen[id] = true
				reps = append(reps, rep{"__typename": "Person", "id": id})
			}
		}
		q1 = append(q1, request{tok, entities(queryPersons, reps)})

		// Q2: the owner home, each variant another linked account.
		owner := linked[(i*len(linked))/variants]
		if tok, err = tokenFor(secret, owner); err != nil {
			return nil, err
		}
		body, _ := json.Marshal(map[string]any{"query": queryHome})
		q2 = append(q2, request{tok, body})

		// Q3: 50 accounts of other persons, by app and appUserId.
		viewer = linked[rng.IntN(len(linked))]
		if tok, err = tokenFor(secret, viewer); err != nil {
			return nil, err
		}
		reps = nil
		for seen := map[int]bool{}; len(reps) < batchSize; {
			j := rng.IntN(len(pop.accounts))
			if a := pop.accounts[j]; !seen[j] && a.personID != viewer.personID {
				seen[j] = true
				reps = append(reps, rep{"__typename": "AppAccount", "app": a.app, "appUserId": a.appUserID})
			}
		}
		q3 = append(q3, request{tok, entities(queryAccount, reps)})
	}
	return []workload{
		{name: "Q1", title: "_entities × 50 Person { id profile { displayName username avatar { url } } }, non-owner", requests: q1},
		{name: "Q2", title: "owner home: viewer { id profile {…all…} ageRange accounts {…} settings {…} consents {…} }", requests: q2},
		{name: "Q3", title: "_entities × 50 AppAccount by app appUserId { username displayName avatar { url } person { id } }, non-owner", requests: q3},
		{name: "Q4", title: "Q1 with the shared cache off (CACHE_MAX_COST=0)", cacheOff: true, requests: q1},
	}, nil
}
