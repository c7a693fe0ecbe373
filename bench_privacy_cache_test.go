package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// BenchmarkRevokeThreeReplicas measures revokeConsent's latency on A with three healthy
// replicas (A, B, C) caching privacy state on one database: each iteration grants on A,
// warms B's and C's privacy caches (one read each), and times the revoke, which returns
// once B and C have acknowledged it. It reports p50 and p99.
func BenchmarkRevokeThreeReplicas(b *testing.B) {
	const maxCost = "67108864"
	a := startServer(b, map[string]string{"CACHE_MAX_COST": maxCost})
	rs := []*testServer{
		startServer(b, map[string]string{"CACHE_MAX_COST": maxCost, "DATABASE_URL": a.DatabaseURL}),
		startServer(b, map[string]string{"CACHE_MAX_COST": maxCost, "DATABASE_URL": a.DatabaseURL}),
	}
	for _, s := range append([]*testServer{a}, rs...) {
		delayWaitMetric(b, s, "profilegraph_privacy_cache_leased", 1)
	}
	a.upsert(b, profile.AppFacebook, map[string]any{"appUserId": "rb-fb", "username": "rb.fb"})
	a.upsert(b, profile.AppInstagram, map[string]any{"appUserId": "rb-ig", "username": "rb.ig", "displayName": "RB"})
	a.upsert(b, profile.AppFacebook, map[string]any{"appUserId": "rb-out", "username": "rb.out"})
	mustOK(b, a.link(b, profile.AppFacebook, "rb-fb", profile.AppInstagram, "rb-ig"))
	ownerTok := userToken(b, profile.AppFacebook, "rb-fb")
	grant := newBenchCall(b, a.URL+"/graphql", ownerTok, grantMutation, pcProfileConsent)
	revoke := newBenchCall(b, a.URL+"/graphql", ownerTok, revokeMutation, pcProfileConsent)
	var reads []*benchCall
	for _, s := range rs {
		reads = append(reads, newBenchCall(b, s.URL+"/graphql", userToken(b, profile.AppFacebook, "rb-out"),
			`{ appAccount(app: INSTAGRAM, appUserId: "rb-ig") { displayName } }`, nil))
	}
	expiries := scrapeMetrics(b, a)["profilegraph_privacy_lease_expiries_waited_total"]
	var took []time.Duration
	for b.Loop() {
		grant.do(b)
		for _, r := range reads {
			if !bytes.Contains(r.do(b), []byte(`"RB"`)) {
				b.Fatalf("a replica does not show the granted name")
			}
		}
		t0 := time.Now()
		if body := revoke.do(b); !bytes.Contains(body, []byte(`"revokeConsent":true`)) {
			b.Fatalf("revoke: %s", body)
		}
		took = append(took, time.Since(t0))
	}
	if n := scrapeMetrics(b, a)["profilegraph_privacy_lease_expiries_waited_total"]; n != expiries {
		b.Errorf("revokes waited out %v leases: a replica was not healthy", n-expiries)
	}
	b.ReportMetric(quantileMS(took, 0.5), "p50-ms")
	b.ReportMetric(quantileMS(took, 0.99), "p99-ms")
	b.Logf("%d revokes with 3 replicas: p50 %.2f ms, p99 %.2f ms, max %.2f ms", len(took),
		quantileMS(took, 0.5), quantileMS(took, 0.99), quantileMS(took, 1))
}
