package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/profilegraph/profilegraph/profile"
)

// Accounts Center end-to-end tests (issue 3, SPEC §3 and §6): activity log, settings,
// cross-posting, single-sign-on handoff and recovery options, over HTTP against a real
// server on a fresh PostgreSQL database. The helpers below serve these tests only; the
// shared ones (servers, tokens, requests, the database) are in e2e_helpers_test.go.

const (
	activityPageQuery = `query($first: Int, $after: String) { viewer { id activity(first: $first, after: $after) {
		edges { cursor node { id type app at detail } } pageInfo { hasNextPage endCursor } } } }`
	settingsMutation = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) {
		syncProfile crossPosting { from to } singleSignOn version } }`
	settingsQuery         = `{ viewer { settings { syncProfile crossPosting { from to } singleSignOn version } } }`
	profileMutation       = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { displayName } }`
	unlinkMutation        = `mutation($app: App!) { unlinkAccount(app: $app) { id } }`
	createHandoffMutation = `mutation($app: App!) { createLoginHandoff(targetApp: $app) { code expiresAt } }`
	redeemHandoffMutation = `mutation($code: String!) { redeemLoginHandoff(code: $code) { id app appUserId } }`
	crossPostTargetsQuery = `query($from: App!) { viewer { crossPostTargets(from: $from) } }`
	ownerOnlyQuery        = `query($id: ID!) { person(id: $id) { id activity { edges { cursor } } recoveryOptions { masked } crossPostTargets(from: FACEBOOK) } }`
	recoveryOptionsQuery  = `{ viewer { recoveryOptions { app kind masked } } }`
)

// linkedPerson is a person whose accounts were pushed by their apps and linked over HTTP.
type linkedPerson struct {
	s        *testServer
	name     string
	ID       string
	accounts map[profile.App]string // app → account id, linked or not
}

// sub is the in-app user id of the person's account in app.
func (p *linkedPerson) sub(app profile.App) string {
	return p.name + "-" + strings.ToLower(string(app))
}

// token is a user token of the person's account in app.
func (p *linkedPerson) token(tb testing.TB, app profile.App) string {
	tb.Helper()
	return userToken(tb, app, p.sub(app))
}

// newLinkedPerson pushes name's accounts in linked and unlinked, links every app of
// linked (two at least) to the first one and returns the person. name is [a-z0-9], 20
// characters at most: the accounts' usernames are name.app.
func newLinkedPerson(tb testing.TB, s *testServer, name string, linked []profile.App, unlinked ...profile.App) *linkedPerson {
	tb.Helper()
	p := &linkedPerson{s: s, name: name, accounts: map[profile.App]string{}}
	accs := make([]account, 0, len(linked))
	for i, app := range append(slices.Clone(linked), unlinked...) {
		a := account{App: app, UserID: p.sub(app)}
		p.accounts[app] = s.mkAccount(tb, a)
		if i < len(linked) {
			accs = append(accs, a)
		}
	}
	p.ID = s.linkAll(tb, accs...)
	return p
}

// activityEvent is one activity event as the API returns it.
type activityEvent struct {
	Cursor string
	ID     string
	Type   string
	App    string
	At     string
	Detail string
}

// label is "TYPE APP" (or "TYPE" without app), the shape expectations are written in.
func (e activityEvent) label() string { return strings.TrimSpace(e.Type + " " + e.App) }

type activityPageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// activityPage fetches one page of the viewer's activity.
func activityPage(tb testing.TB, s *testServer, token string, first int, after *string) ([]activityEvent, activityPageInfo) {
	tb.Helper()
	vars := map[string]any{"first": first}
	if after != nil {
		vars["after"] = *after
	}
	r := mustOK(tb, s.query(tb, token, activityPageQuery, vars))
	var conn struct {
		Edges []struct {
			Cursor string `json:"cursor"`
			Node   struct {
				ID     string  `json:"id"`
				Type   string  `json:"type"`
				App    *string `json:"app"`
				At     string  `json:"at"`
				Detail *string `json:"detail"`
			} `json:"node"`
		} `json:"edges"`
		PageInfo activityPageInfo `json:"pageInfo"`
	}
	decodeAt(tb, r, "viewer.activity", &conn)
	events := make([]activityEvent, len(conn.Edges))
	for i, e := range conn.Edges {
		events[i] = activityEvent{Cursor: e.Cursor, ID: e.Node.ID, Type: e.Node.Type, At: e.Node.At}
		if e.Node.App != nil {
			events[i].App = *e.Node.App
		}
		if e.Node.Detail != nil {
			events[i].Detail = *e.Node.Detail
		}
		if _, err := time.Parse(time.RFC3339, e.Node.At); err != nil || !strings.HasSuffix(e.Node.At, "Z") {
			tb.Fatalf("event %s: at %q is not RFC 3339 UTC", e.Node.ID, e.Node.At)
		}
	}
	if n := len(events); n > 0 && (conn.PageInfo.EndCursor == nil || *conn.PageInfo.EndCursor != events[n-1].Cursor) {
		tb.Fatalf("endCursor %v is not the cursor of the page's last edge %q", conn.PageInfo.EndCursor, events[n-1].Cursor)
	}
	return events, conn.PageInfo
}

// activityLog walks the viewer's whole activity log, newest first, in pages of 100.
func activityLog(tb testing.TB, s *testServer, token string) []activityEvent {
	tb.Helper()
	return walkActivity(tb, s, token, 100)
}

// walkActivity follows the viewer's activity pages of first events until the last one.
func walkActivity(tb testing.TB, s *testServer, token string, first int) []activityEvent {
	tb.Helper()
	var all []activityEvent
	var after *string
	for {
		page, info := activityPage(tb, s, token, first, after)
		all = append(all, page...)
		if !info.HasNextPage {
			return all
		}
		after = info.EndCursor
	}
}

func eventIDs(events []activityEvent) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

func eventLabels(events []activityEvent) []string {
	l := make([]string, len(events))
	for i, e := range events {
		l[i] = e.label()
	}
	return l
}

// wantNewEvents reads the whole log and asserts that it is before with exactly want
// (labels, newest first) on top, and that PostgreSQL holds as many events for the
// person. It returns the log.
func wantNewEvents(tb testing.TB, p *linkedPerson, db *pgx.Conn, token string, before []activityEvent, want ...string) []activityEvent {
	tb.Helper()
	all := activityLog(tb, p.s, token)
	if len(all) != len(before)+len(want) {
		tb.Fatalf("activity has %d events, want %d + %v:\n got %v\n was %v", len(all), len(before), want, eventLabels(all), eventLabels(before))
	}
	added := all[:len(want)]
	if got := eventLabels(added); !slices.Equal(got, want) {
		tb.Fatalf("new events = %v, want %v (newest first)", got, want)
	}
	if !slices.Equal(eventIDs(all[len(want):]), eventIDs(before)) {
		tb.Fatalf("older events changed:\n got %v\nwant %v", eventIDs(all[len(want):]), eventIDs(before))
	}
	if n := dbVal[int](tb, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID); n != len(all) {
		tb.Fatalf("PostgreSQL holds %d events of the person, the API shows %d", n, len(all))
	}
	return all
}

func TestE2EAccountsCenterActivity(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("every change appends exactly one event of its type and a failed mutation none", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, nil) // its own server: the whole activity table is this test's
		db := openDB(t, s)
		p := newLinkedPerson(t, s, "evone", []profile.App{profile.AppFacebook, profile.AppInstagram}, profile.AppThreads, profile.AppWhatsApp)
		other := newLinkedPerson(t, s, "evother", []profile.App{profile.AppFacebook, profile.AppMessenger})
		tok := p.token(t, profile.AppFacebook)

		// Creating the person links both accounts: one LINKED per account, in link order.
		log := wantNewEvents(t, p, db, tok, nil, "LINKED INSTAGRAM", "LINKED FACEBOOK")

		steps := []struct {
			name  string
			do    func(t *testing.T)
			event []string // nil: the step must fail and append nothing
		}{
			{"link", func(t *testing.T) {
				mustOK(t, s.link(t, profile.AppFacebook, p.sub(profile.AppFacebook), profile.AppThreads, p.sub(profile.AppThreads)))
			}, []string{"LINKED THREADS"}},
			{"grant", func(t *testing.T) {
				mustOK(t, s.query(t, tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
			}, []string{"CONSENT_GRANTED INSTAGRAM"}},
			{"grant naming an unlinked app fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, grantMutation, consentInput(profile.AppWhatsApp, profile.AppFacebook, "PROFILE", "SERVICE")), "grantConsent", "BAD_USER_INPUT")
			}, nil},
			{"revoke", func(t *testing.T) {
				r := mustOK(t, s.query(t, tok, revokeMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
				if r.Get("revokeConsent") != true {
					t.Fatalf("revokeConsent = %v, want true", r.Get("revokeConsent"))
				}
			}, []string{"CONSENT_REVOKED INSTAGRAM"}},
			{"profile update", func(t *testing.T) {
				mustOK(t, s.query(t, tok, profileMutation, map[string]any{"in": map[string]any{"displayName": "Eve One"}}))
			}, []string{"PROFILE_UPDATED FACEBOOK"}},
			{"invalid profile update fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, profileMutation, map[string]any{"in": map[string]any{"displayName": "   "}}), "updateProfile", "BAD_USER_INPUT")
			}, nil},
			{"settings update", func(t *testing.T) {
				mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{profile.AppThreads}, "expectedVersion": 0}}))
			}, []string{"SETTINGS_UPDATED FACEBOOK"}},
			{"settings update with a stale expectedVersion fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"syncProfile": true, "expectedVersion": 0}}), "updateSettings", "CONFLICT")
			}, nil},
			{"handoff for an app not in singleSignOn fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, createHandoffMutation, map[string]any{"app": profile.AppInstagram}), "createLoginHandoff", "BAD_USER_INPUT")
			}, nil},
			{"handoff creation and redemption", func(t *testing.T) {
				r := mustOK(t, s.query(t, tok, createHandoffMutation, map[string]any{"app": profile.AppThreads}))
				code, _ := r.Get("createLoginHandoff.code").(string)
				mustOK(t, s.query(t, serviceToken(t, profile.AppThreads), redeemHandoffMutation, map[string]any{"code": code}))
			}, []string{"LOGIN_HANDOFF_REDEEMED THREADS", "LOGIN_HANDOFF_CREATED THREADS"}},
			{"redemption of an unknown code fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, serviceToken(t, profile.AppThreads), redeemHandoffMutation, map[string]any{"code": base64.RawURLEncoding.EncodeToString(make([]byte, 32))}),
					"redeemLoginHandoff", "INVALID_HANDOFF")
			}, nil},
			{"unlinking an app that is not linked fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, unlinkMutation, map[string]any{"app": profile.AppWhatsApp}), "unlinkAccount", "NOT_FOUND")
			}, nil},
			{"linking an account of another person fails", func(t *testing.T) {
				wantErrorAt(t, s.link(t, profile.AppFacebook, p.sub(profile.AppFacebook), profile.AppMessenger, other.sub(profile.AppMessenger)), "linkAccount", "ALREADY_LINKED")
			}, nil},
			{"unlink", func(t *testing.T) {
				mustOK(t, s.query(t, tok, unlinkMutation, map[string]any{"app": profile.AppThreads}))
			}, []string{"UNLINKED THREADS"}},
		}
		for _, st := range steps {
			before := dbVal[int](t, db, `SELECT count(*) FROM activity`)
			st.do(t)
			log = wantNewEvents(t, p, db, tok, log, st.event...)
			if after := dbVal[int](t, db, `SELECT count(*) FROM activity`); after != before+len(st.event) {
				t.Fatalf("%s: the activity table grew by %d rows, want %d", st.name, after-before, len(st.event))
			}
		}
		// Events carry a detail and distinct ids.
		seen := map[string]bool{}
		for _, e := range log {
			if seen[e.ID] || seen["c"+e.Cursor] {
				t.Fatalf("duplicate event id or cursor in %v", log)
			}
			seen[e.ID], seen["c"+e.Cursor] = true, true
			if e.Detail == "" {
				t.Errorf("event %s %s has no detail", e.ID, e.label())
			}
		}
	})

	runCenterCases(t, s, nil, walkWhileInsertingCase, walkUnderConcurrentInsertsCase)

	t.Run("first and after are validated", func(t *testing.T) {
		t.Parallel()
		p := newLinkedPerson(t, s, "evbad", []profile.App{profile.AppFacebook, profile.AppInstagram})
		tok := p.token(t, profile.AppFacebook)
		for first, want := range map[int]activityPageInfo{1: {HasNextPage: true}, 2: {}, 100: {}} {
			events, info := activityPage(t, s, tok, first, nil)
			if len(events) != min(first, 2) || info.HasNextPage != want.HasNextPage {
				t.Fatalf("first: %d of 2 events gave %d events, hasNextPage %v; want %d, %v", first, len(events), info.HasNextPage, min(first, 2), want.HasNextPage)
			}
		}
		bad := []struct {
			name  string
			first any
			after any
		}{
			{"first above 100", 101, nil},
			{"first far above 100", 1 << 30, nil},
			{"negative first", -1, nil},
			{"first of 0 (the schema says 1 to 100)", 0, nil},
			{"garbage cursor", 5, "garbage!"},
			{"empty cursor", 5, ""},
			{"base64 of text that is no cursor", 5, base64.RawURLEncoding.EncodeToString([]byte("hello"))},
			{"cursor with a non-numeric position", 5, base64.RawURLEncoding.EncodeToString([]byte("ev:abc"))},
			{"cursor with a negative position", 5, base64.RawURLEncoding.EncodeToString([]byte("ev:-3"))},
			{"padded standard base64 cursor", 5, base64.StdEncoding.EncodeToString([]byte("ev:1"))},
		}
		for _, b := range bad {
			r := s.query(t, tok, activityPageQuery, map[string]any{"first": b.first, "after": b.after})
			wantErrorAt(t, r, "viewer.activity", "BAD_USER_INPUT")
			if r.Get("viewer.activity") != nil || r.Get("viewer.id") != p.ID {
				t.Fatalf("%s: want activity null and the rest of the viewer resolved, got %s", b.name, r.Raw)
			}
		}
	})

	t.Run("activity is owner only", func(t *testing.T) {
		t.Parallel()
		p := newLinkedPerson(t, s, "evowner", []profile.App{profile.AppFacebook, profile.AppInstagram}, profile.AppThreads)
		other := newLinkedPerson(t, s, "evstranger", []profile.App{profile.AppFacebook, profile.AppWhatsApp})
		askers := map[string]string{
			"another person":                  other.token(t, profile.AppFacebook),
			"the person's unlinked account":   p.token(t, profile.AppThreads),
			"a service token of a linked app": serviceToken(t, profile.AppInstagram),
		}
		for who, tok := range askers {
			r := s.query(t, tok, ownerOnlyQuery, map[string]any{"id": p.ID})
			for _, f := range []string{"activity", "recoveryOptions", "crossPostTargets"} {
				wantErrorAt(t, r, "person."+f, "FORBIDDEN")
				if r.Get("person."+f) != nil {
					t.Fatalf("%s sees person.%s: %s", who, f, r.Raw)
				}
			}
			if r.Get("person.id") != p.ID {
				t.Fatalf("%s: the rest of the person does not resolve: %s", who, r.Raw)
			}
		}
		r := mustOK(t, s.query(t, p.token(t, profile.AppInstagram), ownerOnlyQuery, map[string]any{"id": p.ID}))
		if edges, _ := r.Get("person.activity.edges").([]any); len(edges) != 2 {
			t.Fatalf("owner sees %d events, want 2: %s", len(edges), r.Raw)
		}
	})
}

// personSettings is Settings as the API returns it.
type personSettings struct {
	SyncProfile  bool                `json:"syncProfile"`
	CrossPosting []map[string]string `json:"crossPosting"`
	SingleSignOn []string            `json:"singleSignOn"`
	Version      int                 `json:"version"`
}

// crossPostRules is the crossPosting rules from pairs[0] to pairs[1], from pairs[2] to
// pairs[3], and so on, as settings carry them (input and output).
func crossPostRules(pairs ...profile.App) []map[string]string {
	out := []map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, map[string]string{"from": string(pairs[i]), "to": string(pairs[i+1])})
	}
	return out
}

func readSettings(tb testing.TB, s *testServer, token string) personSettings {
	tb.Helper()
	var st personSettings
	decodeAt(tb, mustOK(tb, s.query(tb, token, settingsQuery, nil)), "viewer.settings", &st)
	return st
}

func wantSettings(tb testing.TB, got personSettings, rules []map[string]string, sso []string, sync bool, version int) {
	tb.Helper()
	if len(got.CrossPosting) != len(rules) || got.SyncProfile != sync || got.Version != version || !slices.Equal(got.SingleSignOn, sso) {
		tb.Fatalf("settings = %+v, want crossPosting %v, singleSignOn %v, syncProfile %v, version %d", got, rules, sso, sync, version)
	}
	for i := range rules {
		if got.CrossPosting[i]["from"] != rules[i]["from"] || got.CrossPosting[i]["to"] != rules[i]["to"] {
			tb.Fatalf("crossPosting = %v, want %v", got.CrossPosting, rules)
		}
	}
}

func readCrossPostTargets(tb testing.TB, s *testServer, token string, from profile.App) []string {
	tb.Helper()
	var out []string
	decodeAt(tb, mustOK(tb, s.query(tb, token, crossPostTargetsQuery, map[string]any{"from": from})), "viewer.crossPostTargets", &out)
	return out
}

func TestE2EAccountsCenterSettings(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("crossPosting and singleSignOn round-trip; unlinked apps and stale versions write nothing", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := newLinkedPerson(t, s, "setone", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads}, profile.AppWhatsApp)
		tok := p.token(t, profile.AppFacebook)
		wantSettings(t, readSettings(t, s, tok), crossPostRules(), []string{}, false, 0)

		rules := crossPostRules(
			profile.AppInstagram, profile.AppFacebook,
			profile.AppInstagram, profile.AppThreads,
			profile.AppFacebook, profile.AppInstagram)
		in := map[string]any{
			"syncProfile":     true,
			"crossPosting":    rules,
			"singleSignOn":    []profile.App{profile.AppThreads, profile.AppInstagram},
			"expectedVersion": 0,
		}
		var got personSettings
		decodeAt(t, mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": in})), "updateSettings", &got)
		sso := []string{"THREADS", "INSTAGRAM"}
		wantSettings(t, got, rules, sso, true, 1)
		// Read back through another linked app: the settings are the person's.
		wantSettings(t, readSettings(t, s, p.token(t, profile.AppThreads)), rules, sso, true, 1)

		events := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID)
		fails := []struct {
			name string
			in   map[string]any
			code string
		}{
			{"a rule from an unlinked app", map[string]any{"crossPosting": crossPostRules(profile.AppWhatsApp, profile.AppFacebook)}, "BAD_USER_INPUT"},
			{"a rule to an unlinked app", map[string]any{"crossPosting": crossPostRules(profile.AppFacebook, profile.AppInstagram, profile.AppFacebook, profile.AppWhatsApp)}, "BAD_USER_INPUT"},
			{"a sign-on entry of an unlinked app", map[string]any{"singleSignOn": []profile.App{profile.AppFacebook, profile.AppMessenger}}, "BAD_USER_INPUT"},
			{"a stale expectedVersion", map[string]any{"singleSignOn": []profile.App{}, "crossPosting": []map[string]any{}, "syncProfile": false, "expectedVersion": 0}, "CONFLICT"},
			{"a future expectedVersion", map[string]any{"syncProfile": false, "expectedVersion": 7}, "CONFLICT"},
		}
		for _, f := range fails {
			r := s.query(t, tok, settingsMutation, map[string]any{"in": f.in})
			wantErrorAt(t, r, "updateSettings", f.code)
			if r.Data != nil && r.Data["updateSettings"] != nil {
				t.Fatalf("%s: data %v", f.name, r.Data)
			}
			wantSettings(t, readSettings(t, s, tok), rules, sso, true, 1)
			if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID); n != events {
				t.Fatalf("%s: failed update appended %d events", f.name, n-events)
			}
		}

		// The current version succeeds, and clears lists given as empty.
		decodeAt(t, mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{
			"crossPosting": []map[string]any{}, "singleSignOn": []profile.App{}, "expectedVersion": 1,
		}})), "updateSettings", &got)
		wantSettings(t, got, crossPostRules(), []string{}, true, 2)
	})

	runCenterCases(t, s, nil, crossPostTargetsCase)

	t.Run("unlinking an app removes its rules and sign-on entry for good", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := newLinkedPerson(t, s, "setunlink", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads})
		tok := p.token(t, profile.AppFacebook)
		mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{
			"crossPosting": crossPostRules(profile.AppInstagram, profile.AppThreads, profile.AppInstagram, profile.AppFacebook,
				profile.AppThreads, profile.AppInstagram, profile.AppFacebook, profile.AppInstagram),
			"singleSignOn": []profile.App{profile.AppThreads, profile.AppInstagram},
		}}))
		if got := readCrossPostTargets(t, s, tok, profile.AppInstagram); !slices.Equal(got, []string{"THREADS", "FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v before unlinking", got)
		}

		mustOK(t, s.query(t, tok, unlinkMutation, map[string]any{"app": profile.AppThreads}))
		st := readSettings(t, s, tok)
		wantSettings(t, st, crossPostRules(profile.AppInstagram, profile.AppFacebook, profile.AppFacebook, profile.AppInstagram), []string{"INSTAGRAM"}, false, st.Version)
		if got := readCrossPostTargets(t, s, tok, profile.AppInstagram); !slices.Equal(got, []string{"FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v after unlinking THREADS, want [FACEBOOK]", got)
		}
		if got := readCrossPostTargets(t, s, tok, profile.AppThreads); len(got) != 0 {
			t.Fatalf("crossPostTargets(from: THREADS) = %v after unlinking THREADS, want []", got)
		}
		// Stored settings no longer name the app (removed, not just filtered on read).
		if n := dbVal[int](t, db, `SELECT count(*) FROM settings WHERE person_id = $1
			AND (cross_posting::text LIKE '%THREADS%' OR 'THREADS' = ANY(single_sign_on))`, p.ID); n != 0 {
			t.Fatal("stored settings still name THREADS after unlinking it")
		}
		// Linking the app again does not bring the old rules back.
		mustOK(t, s.link(t, profile.AppFacebook, p.sub(profile.AppFacebook), profile.AppThreads, p.sub(profile.AppThreads)))
		if got := readCrossPostTargets(t, s, tok, profile.AppInstagram); !slices.Equal(got, []string{"FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v after relinking THREADS, want [FACEBOOK]", got)
		}
		if st := readSettings(t, s, tok); slices.Contains(st.SingleSignOn, "THREADS") {
			t.Fatalf("singleSignOn = %v after relinking THREADS", st.SingleSignOn)
		}
	})
}

// handoffPerson is a person with FACEBOOK, INSTAGRAM and THREADS linked and THREADS
// and INSTAGRAM accepting single sign-on.
func handoffPerson(tb testing.TB, s *testServer, name string) *linkedPerson {
	tb.Helper()
	p := newLinkedPerson(tb, s, name, []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads}, profile.AppWhatsApp)
	mustOK(tb, s.query(tb, p.token(tb, profile.AppFacebook), settingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{profile.AppThreads, profile.AppInstagram}}}))
	return p
}

// createHandoffCode creates a handoff to app as the person's FACEBOOK account.
func createHandoffCode(tb testing.TB, p *linkedPerson, app profile.App) string {
	tb.Helper()
	r := mustOK(tb, p.s.query(tb, p.token(tb, profile.AppFacebook), createHandoffMutation, map[string]any{"app": app}))
	code, _ := r.Get("createLoginHandoff.code").(string)
	if code == "" {
		tb.Fatalf("no code: %s", r.Raw)
	}
	return code
}

// redeemHandoffOK redeems code with a service token of app and checks the account returned.
func redeemHandoffOK(tb testing.TB, p *linkedPerson, code string, app profile.App) {
	tb.Helper()
	r := mustOK(tb, p.s.query(tb, serviceToken(tb, app), redeemHandoffMutation, map[string]any{"code": code}))
	if r.Get("redeemLoginHandoff.id") != p.accounts[app] || r.Get("redeemLoginHandoff.app") != string(app) ||
		r.Get("redeemLoginHandoff.appUserId") != p.sub(app) {
		tb.Fatalf("redeemLoginHandoff = %v, want the person's %s account %s (%s)", r.Get("redeemLoginHandoff"), app, p.accounts[app], p.sub(app))
	}
}

// handoffAnswers collects every INVALID_HANDOFF answer, so that they can be compared.
type handoffAnswers struct {
	mu      sync.Mutex
	answers map[string]string // JSON of {message, extensions} → first case that gave it
}

// newHandoffAnswers returns a collector that fails t at its end unless every
// INVALID_HANDOFF answer of t was the same.
func newHandoffAnswers(t *testing.T) *handoffAnswers {
	a := &handoffAnswers{}
	t.Cleanup(func() {
		if len(a.answers) != 1 {
			t.Errorf("INVALID_HANDOFF answers differ by case (they must reveal nothing): %v", a.answers)
		}
	})
	return a
}

// redeemFails redeems code with token and asserts INVALID_HANDOFF and no data.
func (a *handoffAnswers) redeemFails(tb testing.TB, s *testServer, token, code, why string) {
	tb.Helper()
	r := s.query(tb, token, redeemHandoffMutation, map[string]any{"code": code})
	a.check(tb, r, why)
}

func (a *handoffAnswers) check(tb testing.TB, r *gqlResponse, why string) {
	tb.Helper()
	e := r.ErrorAt("redeemLoginHandoff")
	if e == nil || e.Code() != "INVALID_HANDOFF" || len(r.Errors) != 1 || r.Data != nil && r.Data["redeemLoginHandoff"] != nil {
		tb.Fatalf("%s: want only INVALID_HANDOFF and no data, got %s", why, r.Raw)
	}
	b, _ := json.Marshal(map[string]any{"message": e.Message, "extensions": e.Extensions})
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.answers == nil {
		a.answers = map[string]string{}
	}
	if _, ok := a.answers[string(b)]; !ok {
		a.answers[string(b)] = why
	}
}

func TestE2EAccountsCenterHandoff(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	invalid := newHandoffAnswers(t)

	t.Run("creation needs the app in singleSignOn and a linked account", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := newLinkedPerson(t, s, "hocreate", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads}, profile.AppWhatsApp, profile.AppMessenger)
		tok := p.token(t, profile.AppFacebook)
		// Sign-on entries name linked apps only; force a stale one to test the second rule.
		mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{profile.AppInstagram}}}))
		dbExec(t, db, `UPDATE settings SET single_sign_on = array_append(single_sign_on, 'WHATSAPP') WHERE person_id = $1`, p.ID)
		events := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID)

		for _, c := range []struct {
			name  string
			token string
			app   profile.App
			code  string
		}{
			{"linked but not in singleSignOn", tok, profile.AppThreads, "BAD_USER_INPUT"},
			{"in singleSignOn but not linked", tok, profile.AppWhatsApp, "BAD_USER_INPUT"},
			{"neither linked nor in singleSignOn", tok, profile.AppMessenger, "BAD_USER_INPUT"},
			{"asked by an unlinked account", p.token(t, profile.AppMessenger), profile.AppInstagram, "BAD_USER_INPUT"},
			{"asked by a service token", serviceToken(t, profile.AppFacebook), profile.AppInstagram, "FORBIDDEN"},
		} {
			r := s.query(t, c.token, createHandoffMutation, map[string]any{"app": c.app})
			wantErrorAt(t, r, "createLoginHandoff", c.code)
			if r.Data != nil {
				t.Fatalf("%s: data %v", c.name, r.Data)
			}
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM login_handoffs WHERE person_id = $1`, p.ID); n != 0 {
			t.Fatalf("failed creations stored %d handoffs", n)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID); n != events {
			t.Fatalf("failed creations appended %d events", n-events)
		}
		// The rule that holds: in singleSignOn and linked.
		redeemHandoffOK(t, p, createHandoffCode(t, p, profile.AppInstagram), profile.AppInstagram)
	})

	t.Run("a code has at least 128 bits, lives 120 s and is stored only as a hash", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := handoffPerson(t, s, "hostore")
		before := time.Now()
		r := mustOK(t, s.query(t, p.token(t, profile.AppFacebook), createHandoffMutation, map[string]any{"app": profile.AppThreads}))
		code, _ := r.Get("createLoginHandoff.code").(string)
		raw, err := base64.RawURLEncoding.DecodeString(code)
		if err != nil || len(raw) < 16 {
			t.Fatalf("code %q is not base64url of at least 16 bytes (%d bytes, %v)", code, len(raw), err)
		}
		exp, err := time.Parse(time.RFC3339, r.Get("createLoginHandoff.expiresAt").(string))
		if err != nil {
			t.Fatal(err)
		}
		if lo, hi := before.Add(118*time.Second), time.Now().Add(122*time.Second); exp.Before(lo) || exp.After(hi) {
			t.Fatalf("expiresAt %v, want 120 s after creation (between %v and %v)", exp, lo, hi)
		}
		if other := createHandoffCode(t, p, profile.AppThreads); other == code {
			t.Fatal("two handoffs got the same code")
		}

		rows, err := db.Query(context.Background(), `SELECT row_to_json(h)::text, code_hash FROM login_handoffs h WHERE person_id = $1`, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var row string
			var hash []byte
			if err := rows.Scan(&row, &hash); err != nil {
				t.Fatal(err)
			}
			n++
			for _, form := range []string{code, hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString([]byte(code)), hex.EncodeToString([]byte(code))} {
				if strings.Contains(row, form) || strings.Contains(row, strings.TrimRight(form, "=")) {
					t.Fatalf("login_handoffs stores the code (as %q): %s", form, row)
				}
			}
			if len(hash) < 32 || bytes.Equal(hash, raw) || bytes.Equal(hash, []byte(code)) {
				t.Fatalf("code_hash %x is not a hash of the code", hash)
			}
		}
		if err := rows.Err(); err != nil || n != 2 {
			t.Fatalf("login_handoffs has %d rows of the person (%v), want 2", n, err)
		}
		// The stored hash still redeems the code it came from.
		redeemHandoffOK(t, p, code, profile.AppThreads)
	})

	t.Run("an expired code is invalid", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := handoffPerson(t, s, "hoexpired")
		code := createHandoffCode(t, p, profile.AppThreads)
		// created_at moves too: the table checks expires_at >= created_at.
		dbExec(t, db, `UPDATE login_handoffs SET created_at = now() - interval '121 seconds',
			expires_at = now() - interval '1 second' WHERE person_id = $1`, p.ID)
		invalid.redeemFails(t, s, serviceToken(t, profile.AppThreads), code, "an expired code")
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'LOGIN_HANDOFF_REDEEMED'`, p.ID); n != 0 {
			t.Fatalf("an expired code appended %d LOGIN_HANDOFF_REDEEMED", n)
		}
	})

	runCenterCases(t, s, invalid, handoffOnceCase, handoffStaleCase, handoffConcurrentCase)
}

func TestE2EAccountsCenterRecoveryOptions(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	p := newLinkedPerson(t, s, "recovery", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp, profile.AppThreads}, profile.AppMessenger)
	s.upsert(t, profile.AppFacebook, map[string]any{"appUserId": p.sub(profile.AppFacebook), "username": "recovery", "phoneNumber": "+16505550142", "email": "jane.doe@example.com"})
	s.upsert(t, profile.AppInstagram, map[string]any{"appUserId": p.sub(profile.AppInstagram), "username": "recovery", "email": "élodie@example.fr"})
	s.upsert(t, profile.AppWhatsApp, map[string]any{"appUserId": p.sub(profile.AppWhatsApp), "username": "recovery", "phoneNumber": "+447911123456"})
	s.upsert(t, profile.AppMessenger, map[string]any{"appUserId": p.sub(profile.AppMessenger), "username": "recovery", "phoneNumber": "+33612345678", "email": "unlinked@example.net"})
	tok := p.token(t, profile.AppFacebook)

	type option struct{ App, Kind, Masked string }
	read := func(t *testing.T, token string) ([]option, *gqlResponse) {
		t.Helper()
		r := mustOK(t, s.query(t, token, recoveryOptionsQuery, nil))
		var got []option
		decodeAt(t, r, "viewer.recoveryOptions", &got)
		return got, r
	}
	secrets := []string{"5550142", "jane", "doe", "lodie", "7911123456", "1123456", "612345678", "unlinked"}

	t.Run("each linked account's phone and email, masked", func(t *testing.T) {
		got, r := read(t, tok)
		want := []option{
			{"FACEBOOK", "PHONE", "+1 ••• ••• •• 42"},
			{"FACEBOOK", "EMAIL", "j•••@example.com"},
			{"INSTAGRAM", "EMAIL", "é•••@example.fr"},
			{"WHATSAPP", "PHONE", "+44 ••• ••• •• 56"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("recoveryOptions = %v, want %v", got, want)
		}
		for _, secret := range secrets {
			if strings.Contains(r.Raw, secret) {
				t.Fatalf("response reveals %q: %s", secret, r.Raw)
			}
		}
	})

	t.Run("owner only", func(t *testing.T) {
		other := newLinkedPerson(t, s, "recoverystranger", []profile.App{profile.AppFacebook, profile.AppInstagram})
		for who, token := range map[string]string{
			"another person":                  other.token(t, profile.AppFacebook),
			"the person's unlinked account":   p.token(t, profile.AppMessenger),
			"a service token of a linked app": serviceToken(t, profile.AppWhatsApp),
		} {
			r := s.query(t, token, `query($id: ID!) { person(id: $id) { id recoveryOptions { app kind masked } } }`, map[string]any{"id": p.ID})
			wantErrorAt(t, r, "person.recoveryOptions", "FORBIDDEN")
			if r.Get("person.recoveryOptions") != nil || r.Get("person.id") != p.ID {
				t.Fatalf("%s: want recoveryOptions null and the person resolved, got %s", who, r.Raw)
			}
			for _, secret := range append(secrets, "•••") {
				if strings.Contains(r.Raw, secret) {
					t.Fatalf("%s: response reveals %q: %s", who, secret, r.Raw)
				}
			}
		}
	})

	t.Run("an unlinked account's options disappear", func(t *testing.T) {
		mustOK(t, s.query(t, tok, unlinkMutation, map[string]any{"app": profile.AppWhatsApp}))
		got, _ := read(t, p.token(t, profile.AppInstagram))
		want := []option{
			{"FACEBOOK", "PHONE", "+1 ••• ••• •• 42"},
			{"FACEBOOK", "EMAIL", "j•••@example.com"},
			{"INSTAGRAM", "EMAIL", "é•••@example.fr"},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("recoveryOptions after unlinking WHATSAPP = %v, want %v", got, want)
		}
	})
}

// centerCase is an Accounts Center test that holds on either store: the
// TestE2EAccountsCenter* tests run it on PostgreSQL and TestE2EAccountsCenterEmbeddedStore
// on the embedded store. The handoff cases report their INVALID_HANDOFF answers to
// invalid.
type centerCase struct {
	name string
	run  func(t *testing.T, s *testServer, invalid *handoffAnswers)
}

var (
	walkWhileInsertingCase = centerCase{"pagination walks every event once, newest first, while new events arrive between pages",
		func(t *testing.T, s *testServer, _ *handoffAnswers) { walkActivityWhileInserting(t, s) }}
	walkUnderConcurrentInsertsCase = centerCase{"pagination under concurrent inserts has no duplicates or gaps",
		func(t *testing.T, s *testServer, _ *handoffAnswers) { walkActivityUnderConcurrentInserts(t, s) }}
	crossPostTargetsCase = centerCase{"crossPostTargets names only rules from the app with both accounts still linked",
		func(t *testing.T, s *testServer, _ *handoffAnswers) { crossPostTargetsFollowLinks(t, s) }}
	handoffOnceCase       = centerCase{"a code works once for its target app's service and then never again", handoffOnce}
	handoffStaleCase      = centerCase{"a code whose target was unlinked or left singleSignOn is invalid", handoffStale}
	handoffConcurrentCase = centerCase{"of 10 concurrent redemptions of one code exactly one succeeds", handoffConcurrent}
)

// runCenterCases runs cases in parallel on s.
func runCenterCases(t *testing.T, s *testServer, invalid *handoffAnswers, cases ...centerCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, s, invalid)
		})
	}
}

// walkActivityWhileInserting: pagination walks every event once, newest first, while new events arrive between pages.
func walkActivityWhileInserting(t *testing.T, s *testServer) {
	p := newLinkedPerson(t, s, "evpage", []profile.App{profile.AppFacebook, profile.AppInstagram})
	tok := p.token(t, profile.AppFacebook)
	toggle := false
	insert := func(t *testing.T) {
		t.Helper()
		toggle = !toggle
		mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"syncProfile": toggle}}))
	}
	for range 28 {
		insert(t)
	}
	start := activityLog(t, s, tok) // 2 LINKED + 28 SETTINGS_UPDATED
	if len(start) != 30 {
		t.Fatalf("log has %d events, want 30", len(start))
	}
	// Without arguments a page holds the 20 newest events.
	r := mustOK(t, s.query(t, tok, `{ viewer { activity { edges { node { id } } pageInfo { hasNextPage } } } }`, nil))
	if edges, _ := r.Get("viewer.activity.edges").([]any); len(edges) != 20 || r.Get("viewer.activity.edges.0.node.id") != start[0].ID ||
		r.Get("viewer.activity.pageInfo.hasNextPage") != true {
		t.Fatalf("default page = %s; want the 20 newest events and hasNextPage", r.Raw)
	}

	var walked []activityEvent
	var after *string
	inserted := 0
	for page := 0; ; page++ {
		first := 1 + page%4
		events, info := activityPage(t, s, tok, first, after)
		if len(events) > first {
			t.Fatalf("page %d has %d events, asked for %d", page, len(events), first)
		}
		walked = append(walked, events...)
		if !info.HasNextPage {
			break
		}
		if len(events) != first {
			t.Fatalf("page %d has %d events and hasNextPage; want a full page of %d", page, len(events), first)
		}
		after = info.EndCursor
		// New events between pages, sometimes more than one.
		for range 1 + page%2 {
			insert(t)
			inserted++
		}
		if page > 100 {
			t.Fatal("pagination does not end")
		}
	}
	if !slices.Equal(eventIDs(walked), eventIDs(start)) {
		t.Fatalf("walk returned %d events %v,\nwant exactly the %d that existed when it started %v", len(walked), eventIDs(walked), len(start), eventIDs(start))
	}
	now := activityLog(t, s, tok)
	if len(now) != len(start)+inserted || !slices.Equal(eventIDs(now[inserted:]), eventIDs(start)) {
		t.Fatalf("after the walk the log has %d events, want the %d inserted on top of the %d walked", len(now), inserted, len(start))
	}
	// A cursor stays valid: the page after the 10th event is the same as before the inserts.
	again, _ := activityPage(t, s, tok, 5, &start[9].Cursor)
	if !slices.Equal(eventIDs(again), eventIDs(start[10:15])) {
		t.Fatalf("page after the 10th event's cursor = %v, want %v", eventIDs(again), eventIDs(start[10:15]))
	}
	// A page past the oldest event is empty.
	last, info := activityPage(t, s, tok, 5, &start[len(start)-1].Cursor)
	if len(last) != 0 || info.HasNextPage || info.EndCursor != nil {
		t.Fatalf("page after the oldest event = %v, %+v; want empty, no next page, no endCursor", last, info)
	}
}

// walkActivityUnderConcurrentInserts: pagination under concurrent inserts has no duplicates or gaps.
func walkActivityUnderConcurrentInserts(t *testing.T, s *testServer) {
	p := newLinkedPerson(t, s, "evrace", []profile.App{profile.AppFacebook, profile.AppInstagram})
	tok := p.token(t, profile.AppFacebook)
	for i := range 20 {
		mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"syncProfile": i%2 == 0}}))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var insertErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r, err := s.tryQuery(tok, settingsMutation, map[string]any{"in": map[string]any{"syncProfile": i%2 == 0}})
			if err == nil && len(r.Errors) > 0 {
				err = fmt.Errorf("insert: %s", r.Raw)
			}
			if err != nil {
				insertErr = err
				return
			}
		}
	}()
	walked := walkActivity(t, s, tok, 3)
	close(stop)
	wg.Wait()
	if insertErr != nil {
		t.Fatal(insertErr)
	}
	final := activityLog(t, s, tok)
	// The walk is exactly the tail of the final log from its first event on.
	k := slices.Index(eventIDs(final), walked[0].ID)
	if k < 0 || !slices.Equal(eventIDs(final[k:]), eventIDs(walked)) {
		t.Fatalf("walk %v is not a contiguous tail of the log %v", eventIDs(walked), eventIDs(final))
	}
	if len(walked) < 22 {
		t.Fatalf("walk returned %d events, want at least the 22 that existed before it", len(walked))
	}
}

// crossPostTargetsFollowLinks: crossPostTargets names only rules from the app with both accounts still linked.
func crossPostTargetsFollowLinks(t *testing.T, s *testServer) {
	p := newLinkedPerson(t, s, "settargets", []profile.App{profile.AppFacebook, profile.AppInstagram, profile.AppThreads, profile.AppWhatsApp})
	tok := p.token(t, profile.AppFacebook)
	mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{
		"crossPosting": crossPostRules(profile.AppInstagram, profile.AppFacebook, profile.AppInstagram, profile.AppThreads,
			profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp, profile.AppInstagram),
	}}))
	for from, want := range map[profile.App][]string{
		profile.AppInstagram: {"FACEBOOK", "THREADS"}, profile.AppFacebook: {"INSTAGRAM"}, profile.AppWhatsApp: {"INSTAGRAM"}, profile.AppThreads: {}, profile.AppMessenger: {},
	} {
		if got := readCrossPostTargets(t, s, tok, from); !slices.Equal(got, want) {
			t.Errorf("crossPostTargets(from: %s) = %v, want %v", from, got, want)
		}
	}
}

// handoffOnce: a code works once for its target app's service and then never again.
func handoffOnce(t *testing.T, s *testServer, invalid *handoffAnswers) {
	p := handoffPerson(t, s, "hoonce")
	code := createHandoffCode(t, p, profile.AppThreads)

	invalid.redeemFails(t, s, serviceToken(t, profile.AppInstagram), code, "another app's service token")
	invalid.redeemFails(t, s, serviceToken(t, profile.AppFacebook), code, "the creating app's service token")
	invalid.redeemFails(t, s, p.token(t, profile.AppThreads), code, "a user token of the target account")
	invalid.redeemFails(t, s, p.token(t, profile.AppFacebook), code, "a user token of the creator")

	redeemHandoffOK(t, p, code, profile.AppThreads) // still works for the right app
	invalid.redeemFails(t, s, serviceToken(t, profile.AppThreads), code, "a code used once")
	invalid.redeemFails(t, s, serviceToken(t, profile.AppThreads), code, "a code used twice")

	for why, c := range map[string]string{
		"an empty code":        "",
		"a garbage code":       "not a code!",
		"a short code":         base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef")),
		"a code never issued":  base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"a code padded base64": base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
	} {
		invalid.redeemFails(t, s, serviceToken(t, profile.AppThreads), c, why)
	}
}

// handoffStale: a code whose target was unlinked or left singleSignOn is invalid.
func handoffStale(t *testing.T, s *testServer, invalid *handoffAnswers) {
	p := handoffPerson(t, s, "hostale")
	tok := p.token(t, profile.AppFacebook)
	unlinked, turnedOff := createHandoffCode(t, p, profile.AppThreads), createHandoffCode(t, p, profile.AppInstagram)
	mustOK(t, s.query(t, tok, unlinkMutation, map[string]any{"app": profile.AppThreads}))
	invalid.redeemFails(t, s, serviceToken(t, profile.AppThreads), unlinked, "target account unlinked")
	mustOK(t, s.query(t, tok, settingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{}}}))
	invalid.redeemFails(t, s, serviceToken(t, profile.AppInstagram), turnedOff, "single sign-on turned off")
}

// handoffConcurrent: of 10 concurrent redemptions of one code exactly one succeeds.
func handoffConcurrent(t *testing.T, s *testServer, invalid *handoffAnswers) {
	p := handoffPerson(t, s, "horace")
	svc := serviceToken(t, profile.AppThreads)
	for round := range 3 {
		code := createHandoffCode(t, p, profile.AppThreads)
		const n = 10
		results := make([]*gqlResponse, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				results[i], errs[i] = s.tryQuery(svc, redeemHandoffMutation, map[string]any{"code": code})
			}()
		}
		close(start)
		wg.Wait()
		wins := 0
		for i, r := range results {
			if errs[i] != nil {
				t.Fatalf("round %d: request %d: %v", round, i, errs[i])
			}
			if len(r.Errors) == 0 {
				wins++
				if r.Get("redeemLoginHandoff.id") != p.accounts[profile.AppThreads] {
					t.Fatalf("round %d: winner got %v", round, r.Get("redeemLoginHandoff"))
				}
				continue
			}
			invalid.check(t, r, "a concurrent loser")
		}
		if wins != 1 {
			t.Fatalf("round %d: %d of %d concurrent redemptions succeeded, want exactly 1", round, wins, n)
		}
	}
	redeemed := 0
	for _, e := range activityLog(t, s, p.token(t, profile.AppFacebook)) {
		if e.Type == "LOGIN_HANDOFF_REDEEMED" {
			redeemed++
		}
	}
	if redeemed != 3 {
		t.Fatalf("%d LOGIN_HANDOFF_REDEEMED events after 3 rounds, want 3", redeemed)
	}
}

// TestE2EAccountsCenterEmbeddedStore runs the store-independent cases on the embedded
// store (no DATABASE_URL), so that both stores keep the same Accounts Center behaviour.
func TestE2EAccountsCenterEmbeddedStore(t *testing.T) {
	t.Parallel()
	s := startServer(t, map[string]string{"DATABASE_URL": ""})
	invalid := newHandoffAnswers(t)
	runCenterCases(t, s, invalid, walkWhileInsertingCase, walkUnderConcurrentInsertsCase, crossPostTargetsCase,
		handoffOnceCase, handoffStaleCase, handoffConcurrentCase)
}
