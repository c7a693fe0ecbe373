package main

import (
	"fmt"
	"sync"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

const linkMutation = `mutation($p: String!) { linkAccount(proof: $p) { id } }`

func TestE2ELinking(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)

	t.Run("ALREADY_LINKED when the proof account belongs to another person and nothing changes", func(t *testing.T) {
		s.mkPerson(t, account{App: profile.AppFacebook, UserID: "ann-fb"}, account{App: profile.AppInstagram, UserID: "ann-ig"})
		s.mkPerson(t, account{App: profile.AppFacebook, UserID: "bea-fb"}, account{App: profile.AppWhatsApp, UserID: "bea-wa"})
		s.mkAccount(t, account{App: profile.AppThreads, UserID: "cid-th"}) // not linked to anyone
		before := snapshot(t, db)

		for _, viewer := range []struct {
			name string
			app  profile.App
			sub  string
		}{
			{"another person's account", profile.AppFacebook, "bea-fb"},
			{"an account without a person", profile.AppThreads, "cid-th"},
		} {
			r := s.link(t, viewer.app, viewer.sub, profile.AppInstagram, "ann-ig")
			wantDenied(t, r, "linkAccount", "ALREADY_LINKED")
			if r.Data != nil {
				t.Fatalf("%s: linkAccount failed but data is %v", viewer.name, r.Data)
			}
			wantUnchanged(t, db, before)
		}
	})

	t.Run("20 concurrent links of one account into 20 persons: exactly one wins", func(t *testing.T) {
		const n = 20
		persons := make([]string, n)
		for i := range n {
			persons[i] = s.mkPerson(t,
				account{App: profile.AppFacebook, UserID: fmt.Sprintf("racer-%d", i)},
				account{App: profile.AppMessenger, UserID: fmt.Sprintf("racer-%d-m", i)})
		}
		s.mkAccount(t, account{App: profile.AppInstagram, UserID: "race-target"})
		proof := userToken(t, profile.AppInstagram, "race-target")
		tokens := make([]string, n)
		for i := range n {
			tokens[i] = userToken(t, profile.AppFacebook, fmt.Sprintf("racer-%d", i))
		}

		results := make([]*gqlResponse, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				results[i], errs[i] = s.tryQuery(tokens[i], linkMutation, map[string]any{"p": proof})
			})
		}
		close(start)
		wg.Wait()

		winner, lost := -1, 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("racer %d: %v", i, errs[i])
			}
			switch {
			case len(r.Errors) == 0:
				if winner >= 0 {
					t.Fatalf("racers %d and %d both linked the account", winner, i)
				}
				winner = i
				wantEq(t, r, "linkAccount.id", persons[i])
			case len(r.Errors) == 1 && r.Errors[0].Code() == "ALREADY_LINKED":
				lost++
			default:
				t.Fatalf("racer %d: want success or ALREADY_LINKED, got %s", i, r.Raw)
			}
		}
		if winner < 0 || lost != n-1 {
			t.Fatalf("winner %d, %d ALREADY_LINKED; want one winner and %d ALREADY_LINKED", winner, lost, n-1)
		}
		if got := dbVal[*string](t, db, `SELECT person_id::text FROM accounts WHERE app = 'INSTAGRAM' AND app_user_id = 'race-target'`); got == nil || *got != persons[winner] {
			t.Fatalf("race-target is linked to %v in the database, want the winner %s", got, persons[winner])
		}
		if c := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE type = 'LINKED' AND app = 'INSTAGRAM' AND person_id = ANY($1::uuid[])`, persons); c != 1 {
			t.Fatalf("%d LINKED INSTAGRAM events among the racers, want 1", c)
		}
		for i, p := range persons {
			want := 2
			if i == winner {
				want = 3
			}
			if c := dbVal[int](t, db, `SELECT count(*) FROM accounts WHERE person_id = $1`, p); c != want {
				t.Fatalf("person of racer %d has %d accounts, want %d", i, c, want)
			}
		}
		r := mustOK(t, s.query(t, tokens[winner], `{ viewer { account(app: INSTAGRAM) { appUserId } } }`, nil))
		wantEq(t, r, "viewer.account.appUserId", "race-target")
	})
}
