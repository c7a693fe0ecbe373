package main

import (
	"fmt"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// SPEC §10 for the person's rights: after deleteAppAccount or erasePerson returns on
// replica A, replica B's very next request serves nothing they withdrew, with the cache
// on, off, and on with a B that never hears of A's writes.

// rightsRounds is how many rounds each suite runs (each round makes new accounts: what
// it withdraws is gone for good).
const rightsRounds = 60

func TestE2ECacheTwoReplicasNeverServeDeletedOrErasedData(t *testing.T) {
	runReplicaSuites(t,
		replicaSuite{"account deleted on A is gone on B", func(t *testing.T, a, b *testServer, _ cacheMode) { testDeleteAcrossReplicas(t, a, b) }},
		replicaSuite{"person erased on A is gone on B", func(t *testing.T, a, b *testServer, _ cacheMode) { testEraseAcrossReplicas(t, a, b) }},
	)
}

// testDeleteAcrossReplicas links a WHATSAPP account with a name, devices and a PROFILE
// consent to FACEBOOK, makes B read it through every path (filling B's cache), deletes
// it on A with WHATSAPP's service token, and checks B's next answers.
func testDeleteAcrossReplicas(t *testing.T, a, b *testServer) {
	var v violations
	for i := range rightsRounds {
		fb, wa := fmt.Sprintf("dx-fb-%d", i), fmt.Sprintf("dx-wa-%d", i)
		a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": fb, "username": "dx.fb"})
		a.upsert(t, profile.AppWhatsApp, map[string]any{"appUserId": wa, "username": "dx.wa",
			"displayName": "WhatsApp Deleted", "devices": deviceList("wa-phone")})
		mustOK(t, a.link(t, profile.AppFacebook, fb, profile.AppWhatsApp, wa))
		owner := userToken(t, profile.AppFacebook, fb)
		mustMutate(t, a, owner, grantMutation, consentInput(profile.AppWhatsApp, profile.AppFacebook, "PROFILE", "SERVICE"))
		ownerRead := `{ viewer { accounts { app } profile { displayName sources { app } } } }`
		svcRead := fmt.Sprintf(`{ appAccount(app: WHATSAPP, appUserId: %q) { id displayName devices { id } } }`, wa)
		waUser := userToken(t, profile.AppWhatsApp, wa)
		// B reads (and caches) it while it exists.
		if got := b.query(t, owner, ownerRead, nil); got.Get("viewer.profile.displayName") != "WhatsApp Deleted" {
			t.Fatalf("round %d: before the deletion B does not show the WHATSAPP name: %s", i, got.Raw)
		}
		if got := b.query(t, serviceToken(t, profile.AppWhatsApp), svcRead, nil); got.Get("appAccount.displayName") != "WhatsApp Deleted" {
			t.Fatalf("round %d: before the deletion B's WHATSAPP service token does not see its account: %s", i, got.Raw)
		}
		b.query(t, waUser, `{ viewerAccount { displayName } }`, nil)

		mustMutate(t, a, serviceToken(t, profile.AppWhatsApp), rightsDelete, map[string]any{"u": wa})

		got := b.query(t, owner, ownerRead, nil)
		for _, acc := range asList(got.Get("viewer.accounts")) {
			if m, _ := acc.(map[string]any); m["app"] == "WHATSAPP" {
				v.add("round %d: B's viewer.accounts still has WHATSAPP", i)
			}
		}
		if val := got.Get("viewer.profile.displayName"); val != nil {
			v.add("round %d: B's merged profile still shows %v", i, val)
		}
		got = b.query(t, serviceToken(t, profile.AppWhatsApp), svcRead, nil)
		if val := got.Get("appAccount"); val != nil {
			v.add("round %d: B's WHATSAPP service token still gets the deleted account: %v", i, val)
		}
		got = b.query(t, waUser, `{ viewerAccount { displayName } }`, nil)
		if val := got.Get("viewerAccount"); val != nil {
			v.add("round %d: B still serves the deleted account to its own user: %v", i, val)
		}
	}
	v.check(t, "deleteAppAccount across replicas")
}

// testEraseAcrossReplicas makes a person of FACEBOOK and INSTAGRAM, makes B read it
// through every path, erases it on A and checks that B's next answers hold nothing of it.
func testEraseAcrossReplicas(t *testing.T, a, b *testServer) {
	var v violations
	for i := range rightsRounds {
		fb, ig := fmt.Sprintf("ex-fb-%d", i), fmt.Sprintf("ex-ig-%d", i)
		a.upsert(t, profile.AppFacebook, map[string]any{"appUserId": fb, "username": "ex.fb"})
		a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": ig, "username": "ex.ig", "displayName": "Instagram Erased"})
		r := mustOK(t, a.link(t, profile.AppFacebook, fb, profile.AppInstagram, ig))
		pid := r.Get("linkAccount.id").(string)
		owner := userToken(t, profile.AppFacebook, fb)
		mustMutate(t, a, owner, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE"))
		read := fmt.Sprintf(`query($p: ID!, $r: [_Any!]!) {
			viewer { id accounts { app } activity { edges { node { type } } } }
			person(id: $p) { id profile { displayName } }
			_entities(representations: $r) { ... on Person { id profile { displayName } } }
			appAccount(app: INSTAGRAM, appUserId: %q) { displayName person { id } } }`, ig)
		vars := map[string]any{"p": pid, "r": []any{map[string]any{"__typename": "Person", "id": pid}}}
		igOwner := userToken(t, profile.AppInstagram, ig)
		if got := b.query(t, owner, read, vars); got.Get("person.profile.displayName") != "Instagram Erased" {
			t.Fatalf("round %d: before the erasure B does not show the person: %s", i, got.Raw)
		}
		b.query(t, igOwner, read, vars)

		mustMutate(t, a, owner, rightsErase, nil)

		for _, tok := range []string{owner, igOwner} {
			got := b.query(t, tok, read, vars)
			for _, path := range []string{"viewer", "person", "_entities.0", "appAccount.person"} {
				if val := got.Get(path); val != nil {
					v.add("round %d: after the erasure on A, B shows %s = %v", i, path, val)
				}
			}
		}
		// Instagram's own value is its app's record: a FACEBOOK request sees it no more.
		if got := b.query(t, owner, read, vars); got.Get("appAccount.displayName") != nil {
			v.add("round %d: after the erasure, FACEBOOK still sees the INSTAGRAM name on B", i)
		}
	}
	v.check(t, "erasePerson across replicas")
}
