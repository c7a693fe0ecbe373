package main

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/internal/testdb"
)

// TestE2EStartup covers how the server starts: replicas racing on an empty database,
// dev mode on the embedded store, and the configurations it must refuse.
func TestE2EStartup(t *testing.T) {
	t.Parallel()

	t.Run("two instances started at once on an empty database share one migrated schema", func(t *testing.T) {
		t.Parallel()
		url := testdb.NewEmpty(t)
		servers := make([]*testServer, 2)
		var wg sync.WaitGroup
		for i := range servers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				servers[i] = startServer(t, map[string]string{"DATABASE_URL": url})
			}()
		}
		wg.Wait()
		if t.Failed() {
			return
		}
		// Both serve, and a write on one is read on the other.
		servers[0].upsert(t, "FACEBOOK", map[string]any{"appUserId": "race-1", "username": "race.one"})
		r := mustOK(t, servers[1].query(t, userToken(t, "FACEBOOK", "race-1"), `{ viewerAccount { username } }`, nil))
		if got := r.Get("viewerAccount.username"); got != "race.one" {
			t.Fatalf("second instance read username %v, want race.one", got)
		}
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatalf("connect: %v", err)
		}
		defer conn.Close(context.Background())
		var tables int
		if err := conn.QueryRow(context.Background(),
			`SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'accounts'`).Scan(&tables); err != nil {
			t.Fatalf("count tables: %v", err)
		}
		if tables != 1 {
			t.Fatalf("found %d accounts tables, want exactly 1", tables)
		}
	})

	t.Run("DATABASE_URL without a key refuses to start", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"DATABASE_URL": testdb.New(t), "PORT": "0"}
		err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "no token key") {
			t.Fatalf("run() = %v, want a start-up error about the missing key", err)
		}
	})

	t.Run("bad configuration is a clear start-up error", func(t *testing.T) {
		t.Parallel()
		env := map[string]string{"PORT": "not-a-port", "CACHE_MAX_COST": "-1"}
		err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "PORT") {
			t.Fatalf("run() = %v, want an error naming PORT", err)
		}
	})

	t.Run("a bad privacy lease is a clear start-up error", func(t *testing.T) {
		t.Parallel()
		for _, v := range []string{"soon", "10ms", "2h"} {
			env := map[string]string{"PRIVACY_LEASE": v}
			err := run(context.Background(), nil, func(k string) string { return env[k] }, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "PRIVACY_LEASE") {
				t.Fatalf("run() with PRIVACY_LEASE=%s = %v, want an error naming PRIVACY_LEASE", v, err)
			}
		}
	})

	t.Run("dev mode serves GraphiQL with a demo token and its printed tokens work", func(t *testing.T) {
		t.Parallel()
		s := startWith(t, map[string]string{"PORT": "0", "LOG_LEVEL": "info"})
		out := s.logs.String()
		tokens := regexp.MustCompile(`(?m)^# (Alice on FACEBOOK|Bob on THREADS|THREADS backend|Bob on FACEBOOK \(bob-fb\), purpose ads)[^\n]*\n(\S+)$`).FindAllStringSubmatch(out, -1)
		if len(tokens) != 4 {
			t.Fatalf("found %d of 4 expected dev tokens in the output:\n%s", len(tokens), out)
		}
		tok := map[string]string{}
		for _, m := range tokens {
			tok[m[1]] = m[2]
		}

		resp, err := http.Get(s.URL + "/")
		if err != nil {
			t.Fatalf("GET /: %v", err)
		}
		page, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "graphiql") || !strings.Contains(string(page), "Bearer ") {
			t.Fatalf("GET / = %d, want GraphiQL with a bearer token in its headers", resp.StatusCode)
		}

		// README examples.
		r := mustOK(t, s.query(t, tok["Alice on FACEBOOK"], `{ viewer { profile { displayName sources { field app } } settings { syncProfile } } }`, nil))
		if r.Get("viewer.profile.displayName") == nil {
			t.Fatalf("Alice has no merged displayName: %s", r.Raw)
		}
		r = s.query(t, tok["Bob on THREADS"], `{ appAccount(app: FACEBOOK, appUserId: "alice-fb") { username phoneNumber } }`, nil)
		if e := r.ErrorAt("appAccount.phoneNumber"); e == nil || e.Code() != "FORBIDDEN" {
			t.Fatalf("an outsider's phoneNumber read is not FORBIDDEN: %s", r.Raw)
		}
		// Bob is 16: his ads token shows rule 6 as its note says.
		r = s.query(t, tok["Bob on FACEBOOK (bob-fb), purpose ads"], `{ viewer { ageRange profile { displayName bio } } }`, nil)
		if e := r.ErrorAt("viewer.profile.bio"); e == nil || e.Code() != "FORBIDDEN" || e.Extensions["reason"] != "MINOR" || r.Get("viewer.ageRange") != "AGE_16_17" {
			t.Fatalf("Bob's ads token does not show the minor's protection: %s", r.Raw)
		}
		r = s.query(t, tok["Bob on FACEBOOK (bob-fb), purpose ads"], `{ viewer { profile { displayName } } }`, nil)
		if r.Get("viewer.profile.displayName") != "Robert Smith" {
			t.Fatalf("Bob's ads token does not see FACEBOOK's own name: %s", r.Raw)
		}
		r = mustOK(t, s.query(t, tok["THREADS backend"], `mutation { upsertAppAccount(input: { appUserId: "erin-th", username: "erin" }) { app appUserId } }`, nil))
		if r.Get("upsertAppAccount.app") != "THREADS" {
			t.Fatalf("upsert by the THREADS backend wrote %v", r.Get("upsertAppAccount.app"))
		}
	})
}
