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
// server on a fresh PostgreSQL database. Helpers are prefixed "ac" so that they never
// clash with the other e2e files of package main.

const (
	acActivityQuery = `query($first: Int, $after: String) { viewer { id activity(first: $first, after: $after) {
		edges { cursor node { id type app at detail } } pageInfo { hasNextPage endCursor } } } }`
	acSettingsMutation = `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) {
		syncProfile crossPosting { from to } singleSignOn version } }`
	acSettingsQuery      = `{ viewer { settings { syncProfile crossPosting { from to } singleSignOn version } } }`
	acGrantMutation      = `mutation($in: ConsentInput!) { grantConsent(input: $in) { sourceApp targetApp } }`
	acRevokeMutation     = `mutation($in: ConsentInput!) { revokeConsent(input: $in) }`
	acProfileMutation    = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { displayName } }`
	acUnlinkMutation     = `mutation($app: App!) { unlinkAccount(app: $app) { id } }`
	acCreateHandoff      = `mutation($app: App!) { createLoginHandoff(targetApp: $app) { code expiresAt } }`
	acRedeemHandoff      = `mutation($code: String!) { redeemLoginHandoff(code: $code) { id app appUserId } }`
	acTargetsQuery       = `query($from: App!) { viewer { crossPostTargets(from: $from) } }`
	acPersonOwnerOnly    = `query($id: ID!) { person(id: $id) { id activity { edges { cursor } } recoveryOptions { masked } crossPostTargets(from: FACEBOOK) } }`
	acRecoveryOptionsQry = `{ viewer { recoveryOptions { app kind masked } } }`
)

// acPerson is a person whose accounts were pushed by their apps and linked over HTTP.
type acPerson struct {
	s        *testServer
	name     string
	ID       string
	accounts map[profile.App]string // app → account id, linked or not
}

// acSub is the in-app user id of name's account in app.
func acSub(name string, app profile.App) string { return name + "-" + strings.ToLower(string(app)) }

func (p *acPerson) sub(app profile.App) string { return acSub(p.name, app) }

// token is a user token of the person's account in app.
func (p *acPerson) token(tb testing.TB, app profile.App) string {
	tb.Helper()
	return userToken(tb, app, p.sub(app))
}

// acNewPerson pushes name's accounts in linked and unlinked, links every app of linked to
// the first one and returns the person. name must be a valid username ([a-z0-9]).
func acNewPerson(tb testing.TB, s *testServer, name string, linked []profile.App, unlinked ...profile.App) *acPerson {
	tb.Helper()
	p := &acPerson{s: s, name: name, accounts: map[profile.App]string{}}
	for _, app := range append(slices.Clone(linked), unlinked...) {
		acc := s.upsert(tb, app, map[string]any{"appUserId": p.sub(app), "username": name})
		p.accounts[app] = acc["id"].(string)
	}
	for _, app := range linked[1:] {
		mustOK(tb, s.link(tb, linked[0], p.sub(linked[0]), app, p.sub(app)))
	}
	if len(linked) > 1 {
		r := mustOK(tb, s.query(tb, p.token(tb, linked[0]), `{ viewer { id } }`, nil))
		p.ID, _ = r.Get("viewer.id").(string)
		if p.ID == "" {
			tb.Fatalf("%s: viewer has no person after linking: %s", name, r.Raw)
		}
	}
	return p
}

// acEvent is one activity event as the API returns it.
type acEvent struct {
	Cursor string
	ID     string
	Type   string
	App    string
	At     string
	Detail string
}

// label is "TYPE APP" (or "TYPE" without app), the shape expectations are written in.
func (e acEvent) label() string { return strings.TrimSpace(e.Type + " " + e.App) }

type acPageInfo struct {
	HasNextPage bool    `json:"hasNextPage"`
	EndCursor   *string `json:"endCursor"`
}

// acPage fetches one page of the viewer's activity.
func acPage(tb testing.TB, s *testServer, token string, first int, after *string) ([]acEvent, acPageInfo) {
	tb.Helper()
	vars := map[string]any{"first": first}
	if after != nil {
		vars["after"] = *after
	}
	r := mustOK(tb, s.query(tb, token, acActivityQuery, vars))
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
		PageInfo acPageInfo `json:"pageInfo"`
	}
	decodeAt(tb, r, "viewer.activity", &conn)
	events := make([]acEvent, len(conn.Edges))
	for i, e := range conn.Edges {
		events[i] = acEvent{Cursor: e.Cursor, ID: e.Node.ID, Type: e.Node.Type, At: e.Node.At}
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

// acAll walks the viewer's whole activity log, newest first, in pages of 100.
func acAll(tb testing.TB, s *testServer, token string) []acEvent {
	tb.Helper()
	var all []acEvent
	var after *string
	for {
		page, info := acPage(tb, s, token, 100, after)
		all = append(all, page...)
		if !info.HasNextPage {
			return all
		}
		after = info.EndCursor
	}
}

func acIDs(events []acEvent) []string {
	ids := make([]string, len(events))
	for i, e := range events {
		ids[i] = e.ID
	}
	return ids
}

func acLabels(events []acEvent) []string {
	l := make([]string, len(events))
	for i, e := range events {
		l[i] = e.label()
	}
	return l
}

// acExpectNew reads the whole log and asserts that it is before with exactly want
// (labels, newest first) on top, and that PostgreSQL holds as many events for the
// person. It returns the log.
func acExpectNew(tb testing.TB, p *acPerson, db *pgx.Conn, token string, before []acEvent, want ...string) []acEvent {
	tb.Helper()
	all := acAll(tb, p.s, token)
	if len(all) != len(before)+len(want) {
		tb.Fatalf("activity has %d events, want %d + %v:\n got %v\n was %v", len(all), len(before), want, acLabels(all), acLabels(before))
	}
	added := all[:len(want)]
	if got := acLabels(added); !slices.Equal(got, want) {
		tb.Fatalf("new events = %v, want %v (newest first)", got, want)
	}
	if !slices.Equal(acIDs(all[len(want):]), acIDs(before)) {
		tb.Fatalf("older events changed:\n got %v\nwant %v", acIDs(all[len(want):]), acIDs(before))
	}
	if n := dbVal[int](tb, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID); n != len(all) {
		tb.Fatalf("PostgreSQL holds %d events of the person, the API shows %d", n, len(all))
	}
	return all
}

func acConsent(src, dst profile.App) map[string]any {
	return map[string]any{"sourceApp": src, "targetApp": dst, "category": "PROFILE"}
}

const (
	acFB = profile.AppFacebook
	acIG = profile.AppInstagram
	acWA = profile.AppWhatsApp
	acMS = profile.AppMessenger
	acTH = profile.AppThreads
)

func TestE2EAccountsCenterActivity(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("every change appends exactly one event of its type and a failed mutation none", func(t *testing.T) {
		t.Parallel()
		s := startServer(t, nil) // its own server: the whole activity table is this test's
		db := openDB(t, s)
		p := acNewPerson(t, s, "evone", []profile.App{acFB, acIG}, acTH, acWA)
		other := acNewPerson(t, s, "evother", []profile.App{acFB, acMS})
		tok := p.token(t, acFB)

		// Creating the person links both accounts: one LINKED per account, in link order.
		log := acExpectNew(t, p, db, tok, nil, "LINKED INSTAGRAM", "LINKED FACEBOOK")

		steps := []struct {
			name  string
			do    func(t *testing.T)
			event []string // nil: the step must fail and append nothing
		}{
			{"link", func(t *testing.T) { mustOK(t, s.link(t, acFB, p.sub(acFB), acTH, p.sub(acTH))) }, []string{"LINKED THREADS"}},
			{"grant", func(t *testing.T) {
				mustOK(t, s.query(t, tok, acGrantMutation, map[string]any{"in": acConsent(acIG, acFB)}))
			}, []string{"CONSENT_GRANTED INSTAGRAM"}},
			{"grant naming an unlinked app fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, acGrantMutation, map[string]any{"in": acConsent(acWA, acFB)}), "grantConsent", "BAD_USER_INPUT")
			}, nil},
			{"revoke", func(t *testing.T) {
				r := mustOK(t, s.query(t, tok, acRevokeMutation, map[string]any{"in": acConsent(acIG, acFB)}))
				if r.Get("revokeConsent") != true {
					t.Fatalf("revokeConsent = %v, want true", r.Get("revokeConsent"))
				}
			}, []string{"CONSENT_REVOKED INSTAGRAM"}},
			{"profile update", func(t *testing.T) {
				mustOK(t, s.query(t, tok, acProfileMutation, map[string]any{"in": map[string]any{"displayName": "Eve One"}}))
			}, []string{"PROFILE_UPDATED FACEBOOK"}},
			{"invalid profile update fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, acProfileMutation, map[string]any{"in": map[string]any{"displayName": "   "}}), "updateProfile", "BAD_USER_INPUT")
			}, nil},
			{"settings update", func(t *testing.T) {
				mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{acTH}, "expectedVersion": 0}}))
			}, []string{"SETTINGS_UPDATED FACEBOOK"}},
			{"settings update with a stale expectedVersion fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": true, "expectedVersion": 0}}), "updateSettings", "CONFLICT")
			}, nil},
			{"handoff for an app not in singleSignOn fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, acCreateHandoff, map[string]any{"app": acIG}), "createLoginHandoff", "BAD_USER_INPUT")
			}, nil},
			{"handoff creation and redemption", func(t *testing.T) {
				r := mustOK(t, s.query(t, tok, acCreateHandoff, map[string]any{"app": acTH}))
				code, _ := r.Get("createLoginHandoff.code").(string)
				mustOK(t, s.query(t, serviceToken(t, acTH), acRedeemHandoff, map[string]any{"code": code}))
			}, []string{"LOGIN_HANDOFF_REDEEMED THREADS", "LOGIN_HANDOFF_CREATED THREADS"}},
			{"redemption of an unknown code fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, serviceToken(t, acTH), acRedeemHandoff, map[string]any{"code": base64.RawURLEncoding.EncodeToString(make([]byte, 32))}),
					"redeemLoginHandoff", "INVALID_HANDOFF")
			}, nil},
			{"unlinking an app that is not linked fails", func(t *testing.T) {
				wantErrorAt(t, s.query(t, tok, acUnlinkMutation, map[string]any{"app": acWA}), "unlinkAccount", "NOT_FOUND")
			}, nil},
			{"linking an account of another person fails", func(t *testing.T) {
				wantErrorAt(t, s.link(t, acFB, p.sub(acFB), acMS, other.sub(acMS)), "linkAccount", "ALREADY_LINKED")
			}, nil},
			{"unlink", func(t *testing.T) { mustOK(t, s.query(t, tok, acUnlinkMutation, map[string]any{"app": acTH})) }, []string{"UNLINKED THREADS"}},
		}
		for _, st := range steps {
			before := dbVal[int](t, db, `SELECT count(*) FROM activity`)
			st.do(t)
			log = acExpectNew(t, p, db, tok, log, st.event...)
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

	t.Run("pagination walks every event once, newest first, while new events arrive between pages", func(t *testing.T) {
		t.Parallel()
		acWalkWhileInserting(t, s)
	})

	t.Run("pagination under concurrent inserts has no duplicates or gaps", func(t *testing.T) {
		t.Parallel()
		acWalkUnderConcurrentInserts(t, s)
	})

	t.Run("first and after are validated", func(t *testing.T) {
		t.Parallel()
		p := acNewPerson(t, s, "evbad", []profile.App{acFB, acIG})
		tok := p.token(t, acFB)
		for first, want := range map[int]acPageInfo{1: {HasNextPage: true}, 2: {}, 100: {}} {
			events, info := acPage(t, s, tok, first, nil)
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
			r := s.query(t, tok, acActivityQuery, map[string]any{"first": b.first, "after": b.after})
			wantErrorAt(t, r, "viewer.activity", "BAD_USER_INPUT")
			if r.Get("viewer.activity") != nil || r.Get("viewer.id") != p.ID {
				t.Fatalf("%s: want activity null and the rest of the viewer resolved, got %s", b.name, r.Raw)
			}
		}
	})

	t.Run("activity is owner only", func(t *testing.T) {
		t.Parallel()
		p := acNewPerson(t, s, "evowner", []profile.App{acFB, acIG}, acTH)
		other := acNewPerson(t, s, "evstranger", []profile.App{acFB, acWA})
		askers := map[string]string{
			"another person":                  other.token(t, acFB),
			"the person's unlinked account":   p.token(t, acTH),
			"a service token of a linked app": serviceToken(t, acIG),
		}
		for who, tok := range askers {
			r := s.query(t, tok, acPersonOwnerOnly, map[string]any{"id": p.ID})
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
		r := mustOK(t, s.query(t, p.token(t, acIG), acPersonOwnerOnly, map[string]any{"id": p.ID}))
		if edges, _ := r.Get("person.activity.edges").([]any); len(edges) != 2 {
			t.Fatalf("owner sees %d events, want 2: %s", len(edges), r.Raw)
		}
	})
}

// acSettings is Settings as the API returns it.
type acSettings struct {
	SyncProfile  bool                `json:"syncProfile"`
	CrossPosting []map[string]string `json:"crossPosting"`
	SingleSignOn []string            `json:"singleSignOn"`
	Version      int                 `json:"version"`
}

func acRules(pairs ...profile.App) []map[string]string {
	out := []map[string]string{}
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, map[string]string{"from": string(pairs[i]), "to": string(pairs[i+1])})
	}
	return out
}

func acReadSettings(tb testing.TB, s *testServer, token string) acSettings {
	tb.Helper()
	var st acSettings
	decodeAt(tb, mustOK(tb, s.query(tb, token, acSettingsQuery, nil)), "viewer.settings", &st)
	return st
}

func acWantSettings(tb testing.TB, got acSettings, rules []map[string]string, sso []string, sync bool, version int) {
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

func acTargets(tb testing.TB, s *testServer, token string, from profile.App) []string {
	tb.Helper()
	var out []string
	decodeAt(tb, mustOK(tb, s.query(tb, token, acTargetsQuery, map[string]any{"from": from})), "viewer.crossPostTargets", &out)
	return out
}

func TestE2EAccountsCenterSettings(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	t.Run("crossPosting and singleSignOn round-trip; unlinked apps and stale versions write nothing", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := acNewPerson(t, s, "setone", []profile.App{acFB, acIG, acTH}, acWA)
		tok := p.token(t, acFB)
		acWantSettings(t, acReadSettings(t, s, tok), acRules(), []string{}, false, 0)

		in := map[string]any{
			"syncProfile":     true,
			"crossPosting":    []map[string]any{{"from": acIG, "to": acFB}, {"from": acIG, "to": acTH}, {"from": acFB, "to": acIG}},
			"singleSignOn":    []profile.App{acTH, acIG},
			"expectedVersion": 0,
		}
		var got acSettings
		decodeAt(t, mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": in})), "updateSettings", &got)
		rules := acRules(acIG, acFB, acIG, acTH, acFB, acIG)
		sso := []string{"THREADS", "INSTAGRAM"}
		acWantSettings(t, got, rules, sso, true, 1)
		// Read back through another linked app: the settings are the person's.
		acWantSettings(t, acReadSettings(t, s, p.token(t, acTH)), rules, sso, true, 1)

		events := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID)
		fails := []struct {
			name string
			in   map[string]any
			code string
		}{
			{"a rule from an unlinked app", map[string]any{"crossPosting": []map[string]any{{"from": acWA, "to": acFB}}}, "BAD_USER_INPUT"},
			{"a rule to an unlinked app", map[string]any{"crossPosting": []map[string]any{{"from": acFB, "to": acIG}, {"from": acFB, "to": acWA}}}, "BAD_USER_INPUT"},
			{"a sign-on entry of an unlinked app", map[string]any{"singleSignOn": []profile.App{acFB, acMS}}, "BAD_USER_INPUT"},
			{"a stale expectedVersion", map[string]any{"singleSignOn": []profile.App{}, "crossPosting": []map[string]any{}, "syncProfile": false, "expectedVersion": 0}, "CONFLICT"},
			{"a future expectedVersion", map[string]any{"syncProfile": false, "expectedVersion": 7}, "CONFLICT"},
		}
		for _, f := range fails {
			r := s.query(t, tok, acSettingsMutation, map[string]any{"in": f.in})
			wantErrorAt(t, r, "updateSettings", f.code)
			if r.Data != nil && r.Data["updateSettings"] != nil {
				t.Fatalf("%s: data %v", f.name, r.Data)
			}
			acWantSettings(t, acReadSettings(t, s, tok), rules, sso, true, 1)
			if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID); n != events {
				t.Fatalf("%s: failed update appended %d events", f.name, n-events)
			}
		}

		// The current version succeeds, and clears lists given as empty.
		decodeAt(t, mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{
			"crossPosting": []map[string]any{}, "singleSignOn": []profile.App{}, "expectedVersion": 1,
		}})), "updateSettings", &got)
		acWantSettings(t, got, acRules(), []string{}, true, 2)
	})

	t.Run("crossPostTargets names only rules from the app with both accounts still linked", func(t *testing.T) {
		t.Parallel()
		acCrossPostTargets(t, s)
	})

	t.Run("unlinking an app removes its rules and sign-on entry for good", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := acNewPerson(t, s, "setunlink", []profile.App{acFB, acIG, acTH})
		tok := p.token(t, acFB)
		mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{
			"crossPosting": []map[string]any{{"from": acIG, "to": acTH}, {"from": acIG, "to": acFB}, {"from": acTH, "to": acIG}, {"from": acFB, "to": acIG}},
			"singleSignOn": []profile.App{acTH, acIG},
		}}))
		if got := acTargets(t, s, tok, acIG); !slices.Equal(got, []string{"THREADS", "FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v before unlinking", got)
		}

		mustOK(t, s.query(t, tok, acUnlinkMutation, map[string]any{"app": acTH}))
		st := acReadSettings(t, s, tok)
		acWantSettings(t, st, acRules(acIG, acFB, acFB, acIG), []string{"INSTAGRAM"}, false, st.Version)
		if got := acTargets(t, s, tok, acIG); !slices.Equal(got, []string{"FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v after unlinking THREADS, want [FACEBOOK]", got)
		}
		if got := acTargets(t, s, tok, acTH); len(got) != 0 {
			t.Fatalf("crossPostTargets(from: THREADS) = %v after unlinking THREADS, want []", got)
		}
		// Stored settings no longer name the app (removed, not just filtered on read).
		if n := dbVal[int](t, db, `SELECT count(*) FROM settings WHERE person_id = $1
			AND (cross_posting::text LIKE '%THREADS%' OR 'THREADS' = ANY(single_sign_on))`, p.ID); n != 0 {
			t.Fatal("stored settings still name THREADS after unlinking it")
		}
		// Linking the app again does not bring the old rules back.
		mustOK(t, s.link(t, acFB, p.sub(acFB), acTH, p.sub(acTH)))
		if got := acTargets(t, s, tok, acIG); !slices.Equal(got, []string{"FACEBOOK"}) {
			t.Fatalf("crossPostTargets(from: INSTAGRAM) = %v after relinking THREADS, want [FACEBOOK]", got)
		}
		if st := acReadSettings(t, s, tok); slices.Contains(st.SingleSignOn, "THREADS") {
			t.Fatalf("singleSignOn = %v after relinking THREADS", st.SingleSignOn)
		}
	})
}

// acHandoffPerson is a person with FACEBOOK, INSTAGRAM and THREADS linked and THREADS
// and INSTAGRAM accepting single sign-on.
func acHandoffPerson(tb testing.TB, s *testServer, name string) *acPerson {
	tb.Helper()
	p := acNewPerson(tb, s, name, []profile.App{acFB, acIG, acTH}, acWA)
	mustOK(tb, s.query(tb, p.token(tb, acFB), acSettingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{acTH, acIG}}}))
	return p
}

// acCreateCode creates a handoff to app as the person's FACEBOOK account.
func acCreateCode(tb testing.TB, p *acPerson, app profile.App) string {
	tb.Helper()
	r := mustOK(tb, p.s.query(tb, p.token(tb, acFB), acCreateHandoff, map[string]any{"app": app}))
	code, _ := r.Get("createLoginHandoff.code").(string)
	if code == "" {
		tb.Fatalf("no code: %s", r.Raw)
	}
	return code
}

// acRedeemOK redeems code with a service token of app and checks the account returned.
func acRedeemOK(tb testing.TB, p *acPerson, code string, app profile.App) {
	tb.Helper()
	r := mustOK(tb, p.s.query(tb, serviceToken(tb, app), acRedeemHandoff, map[string]any{"code": code}))
	if r.Get("redeemLoginHandoff.id") != p.accounts[app] || r.Get("redeemLoginHandoff.app") != string(app) ||
		r.Get("redeemLoginHandoff.appUserId") != p.sub(app) {
		tb.Fatalf("redeemLoginHandoff = %v, want the person's %s account %s (%s)", r.Get("redeemLoginHandoff"), app, p.accounts[app], p.sub(app))
	}
}

// acInvalid collects every INVALID_HANDOFF answer, so that they can be compared.
type acInvalid struct {
	mu      sync.Mutex
	answers map[string]string // JSON of {message, extensions} → first case that gave it
}

// redeemFails redeems code with token and asserts INVALID_HANDOFF and no data.
func (a *acInvalid) redeemFails(tb testing.TB, s *testServer, token, code, why string) {
	tb.Helper()
	r := s.query(tb, token, acRedeemHandoff, map[string]any{"code": code})
	a.check(tb, r, why)
}

func (a *acInvalid) check(tb testing.TB, r *gqlResponse, why string) {
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
	invalid := &acInvalid{}
	t.Cleanup(func() {
		if len(invalid.answers) != 1 {
			t.Errorf("INVALID_HANDOFF answers differ by case (they must reveal nothing): %v", invalid.answers)
		}
	})

	t.Run("creation needs the app in singleSignOn and a linked account", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := acNewPerson(t, s, "hocreate", []profile.App{acFB, acIG, acTH}, acWA, acMS)
		tok := p.token(t, acFB)
		// Sign-on entries name linked apps only; force a stale one to test the second rule.
		mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{acIG}}}))
		dbExec(t, db, `UPDATE settings SET single_sign_on = array_append(single_sign_on, 'WHATSAPP') WHERE person_id = $1`, p.ID)
		events := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1`, p.ID)

		for _, c := range []struct {
			name  string
			token string
			app   profile.App
			code  string
		}{
			{"linked but not in singleSignOn", tok, acTH, "BAD_USER_INPUT"},
			{"in singleSignOn but not linked", tok, acWA, "BAD_USER_INPUT"},
			{"neither linked nor in singleSignOn", tok, acMS, "BAD_USER_INPUT"},
			{"asked by an unlinked account", p.token(t, acMS), acIG, "BAD_USER_INPUT"},
			{"asked by a service token", serviceToken(t, acFB), acIG, "FORBIDDEN"},
		} {
			r := s.query(t, c.token, acCreateHandoff, map[string]any{"app": c.app})
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
		acRedeemOK(t, p, acCreateCode(t, p, acIG), acIG)
	})

	t.Run("a code has at least 128 bits, lives 120 s and is stored only as a hash", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := acHandoffPerson(t, s, "hostore")
		before := time.Now()
		r := mustOK(t, s.query(t, p.token(t, acFB), acCreateHandoff, map[string]any{"app": acTH}))
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
		if other := acCreateCode(t, p, acTH); other == code {
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
		acRedeemOK(t, p, code, acTH)
	})

	t.Run("a code works once for its target app's service and then never again", func(t *testing.T) {
		t.Parallel()
		acHandoffOnce(t, s, invalid)
	})

	t.Run("an expired code is invalid", func(t *testing.T) {
		t.Parallel()
		db := openDB(t, s)
		p := acHandoffPerson(t, s, "hoexpired")
		code := acCreateCode(t, p, acTH)
		// created_at moves too: the table checks expires_at >= created_at.
		dbExec(t, db, `UPDATE login_handoffs SET created_at = now() - interval '121 seconds',
			expires_at = now() - interval '1 second' WHERE person_id = $1`, p.ID)
		invalid.redeemFails(t, s, serviceToken(t, acTH), code, "an expired code")
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'LOGIN_HANDOFF_REDEEMED'`, p.ID); n != 0 {
			t.Fatalf("an expired code appended %d LOGIN_HANDOFF_REDEEMED", n)
		}
	})

	t.Run("a code whose target was unlinked or left singleSignOn is invalid", func(t *testing.T) {
		t.Parallel()
		acHandoffStale(t, s, invalid)
	})

	t.Run("of 10 concurrent redemptions of one code exactly one succeeds", func(t *testing.T) {
		t.Parallel()
		acHandoffConcurrent(t, s, invalid)
	})
}

func TestE2EAccountsCenterRecoveryOptions(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	p := acNewPerson(t, s, "recovery", []profile.App{acFB, acIG, acWA, acTH}, acMS)
	s.upsert(t, acFB, map[string]any{"appUserId": p.sub(acFB), "username": "recovery", "phoneNumber": "+16505550142", "email": "jane.doe@example.com"})
	s.upsert(t, acIG, map[string]any{"appUserId": p.sub(acIG), "username": "recovery", "email": "élodie@example.fr"})
	s.upsert(t, acWA, map[string]any{"appUserId": p.sub(acWA), "username": "recovery", "phoneNumber": "+447911123456"})
	s.upsert(t, acMS, map[string]any{"appUserId": p.sub(acMS), "username": "recovery", "phoneNumber": "+33612345678", "email": "unlinked@example.net"})
	tok := p.token(t, acFB)

	type option struct{ App, Kind, Masked string }
	read := func(t *testing.T, token string) ([]option, *gqlResponse) {
		t.Helper()
		r := mustOK(t, s.query(t, token, acRecoveryOptionsQry, nil))
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
		other := acNewPerson(t, s, "recoverystranger", []profile.App{acFB, acIG})
		for who, token := range map[string]string{
			"another person":                  other.token(t, acFB),
			"the person's unlinked account":   p.token(t, acMS),
			"a service token of a linked app": serviceToken(t, acWA),
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
		mustOK(t, s.query(t, tok, acUnlinkMutation, map[string]any{"app": acWA}))
		got, _ := read(t, p.token(t, acIG))
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

// acWalkWhileInserting: pagination walks every event once, newest first, while new events arrive between pages.
func acWalkWhileInserting(t *testing.T, s *testServer) {
	p := acNewPerson(t, s, "evpage", []profile.App{acFB, acIG})
	tok := p.token(t, acFB)
	toggle := false
	insert := func(t *testing.T) {
		t.Helper()
		toggle = !toggle
		mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": toggle}}))
	}
	for range 28 {
		insert(t)
	}
	start := acAll(t, s, tok) // 2 LINKED + 28 SETTINGS_UPDATED
	if len(start) != 30 {
		t.Fatalf("log has %d events, want 30", len(start))
	}
	// Without arguments a page holds the 20 newest events.
	r := mustOK(t, s.query(t, tok, `{ viewer { activity { edges { node { id } } pageInfo { hasNextPage } } } }`, nil))
	if edges, _ := r.Get("viewer.activity.edges").([]any); len(edges) != 20 || r.Get("viewer.activity.edges.0.node.id") != start[0].ID ||
		r.Get("viewer.activity.pageInfo.hasNextPage") != true {
		t.Fatalf("default page = %s; want the 20 newest events and hasNextPage", r.Raw)
	}

	var walked []acEvent
	var after *string
	inserted := 0
	for page := 0; ; page++ {
		first := 1 + page%4
		events, info := acPage(t, s, tok, first, after)
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
	if !slices.Equal(acIDs(walked), acIDs(start)) {
		t.Fatalf("walk returned %d events %v,\nwant exactly the %d that existed when it started %v", len(walked), acIDs(walked), len(start), acIDs(start))
	}
	now := acAll(t, s, tok)
	if len(now) != len(start)+inserted || !slices.Equal(acIDs(now[inserted:]), acIDs(start)) {
		t.Fatalf("after the walk the log has %d events, want the %d inserted on top of the %d walked", len(now), inserted, len(start))
	}
	// A cursor stays valid: the page after the 10th event is the same as before the inserts.
	again, _ := acPage(t, s, tok, 5, &start[9].Cursor)
	if !slices.Equal(acIDs(again), acIDs(start[10:15])) {
		t.Fatalf("page after the 10th event's cursor = %v, want %v", acIDs(again), acIDs(start[10:15]))
	}
	// A page past the oldest event is empty.
	last, info := acPage(t, s, tok, 5, &start[len(start)-1].Cursor)
	if len(last) != 0 || info.HasNextPage || info.EndCursor != nil {
		t.Fatalf("page after the oldest event = %v, %+v; want empty, no next page, no endCursor", last, info)
	}
}

// acWalkUnderConcurrentInserts: pagination under concurrent inserts has no duplicates or gaps.
func acWalkUnderConcurrentInserts(t *testing.T, s *testServer) {
	p := acNewPerson(t, s, "evrace", []profile.App{acFB, acIG})
	tok := p.token(t, acFB)
	for i := range 20 {
		mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": i%2 == 0}}))
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
			r, err := s.tryQuery(tok, acSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": i%2 == 0}})
			if err == nil && len(r.Errors) > 0 {
				err = fmt.Errorf("insert: %s", r.Raw)
			}
			if err != nil {
				insertErr = err
				return
			}
		}
	}()
	var walked []acEvent
	var after *string
	for {
		events, info := acPage(t, s, tok, 3, after)
		walked = append(walked, events...)
		if !info.HasNextPage {
			break
		}
		after = info.EndCursor
	}
	close(stop)
	wg.Wait()
	if insertErr != nil {
		t.Fatal(insertErr)
	}
	final := acAll(t, s, tok)
	// The walk is exactly the tail of the final log from its first event on.
	k := slices.Index(acIDs(final), walked[0].ID)
	if k < 0 || !slices.Equal(acIDs(final[k:]), acIDs(walked)) {
		t.Fatalf("walk %v is not a contiguous tail of the log %v", acIDs(walked), acIDs(final))
	}
	if len(walked) < 22 {
		t.Fatalf("walk returned %d events, want at least the 22 that existed before it", len(walked))
	}
}

// acCrossPostTargets: crossPostTargets names only rules from the app with both accounts still linked.
func acCrossPostTargets(t *testing.T, s *testServer) {
	p := acNewPerson(t, s, "settargets", []profile.App{acFB, acIG, acTH, acWA})
	tok := p.token(t, acFB)
	mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{
		"crossPosting": []map[string]any{{"from": acIG, "to": acFB}, {"from": acIG, "to": acTH}, {"from": acFB, "to": acIG}, {"from": acWA, "to": acIG}},
	}}))
	for from, want := range map[profile.App][]string{
		acIG: {"FACEBOOK", "THREADS"}, acFB: {"INSTAGRAM"}, acWA: {"INSTAGRAM"}, acTH: {}, acMS: {},
	} {
		if got := acTargets(t, s, tok, from); !slices.Equal(got, want) {
			t.Errorf("crossPostTargets(from: %s) = %v, want %v", from, got, want)
		}
	}
}

// acHandoffOnce: a code works once for its target app's service and then never again.
func acHandoffOnce(t *testing.T, s *testServer, invalid *acInvalid) {
	p := acHandoffPerson(t, s, "hoonce")
	code := acCreateCode(t, p, acTH)

	invalid.redeemFails(t, s, serviceToken(t, acIG), code, "another app's service token")
	invalid.redeemFails(t, s, serviceToken(t, acFB), code, "the creating app's service token")
	invalid.redeemFails(t, s, p.token(t, acTH), code, "a user token of the target account")
	invalid.redeemFails(t, s, p.token(t, acFB), code, "a user token of the creator")

	acRedeemOK(t, p, code, acTH) // still works for the right app
	invalid.redeemFails(t, s, serviceToken(t, acTH), code, "a code used once")
	invalid.redeemFails(t, s, serviceToken(t, acTH), code, "a code used twice")

	for why, c := range map[string]string{
		"an empty code":        "",
		"a garbage code":       "not a code!",
		"a short code":         base64.RawURLEncoding.EncodeToString([]byte("0123456789abcdef")),
		"a code never issued":  base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"a code padded base64": base64.URLEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
	} {
		invalid.redeemFails(t, s, serviceToken(t, acTH), c, why)
	}
}

// acHandoffStale: a code whose target was unlinked or left singleSignOn is invalid.
func acHandoffStale(t *testing.T, s *testServer, invalid *acInvalid) {
	p := acHandoffPerson(t, s, "hostale")
	tok := p.token(t, acFB)
	unlinked, turnedOff := acCreateCode(t, p, acTH), acCreateCode(t, p, acIG)
	mustOK(t, s.query(t, tok, acUnlinkMutation, map[string]any{"app": acTH}))
	invalid.redeemFails(t, s, serviceToken(t, acTH), unlinked, "target account unlinked")
	mustOK(t, s.query(t, tok, acSettingsMutation, map[string]any{"in": map[string]any{"singleSignOn": []profile.App{}}}))
	invalid.redeemFails(t, s, serviceToken(t, acIG), turnedOff, "single sign-on turned off")
}

// acHandoffConcurrent: of 10 concurrent redemptions of one code exactly one succeeds.
func acHandoffConcurrent(t *testing.T, s *testServer, invalid *acInvalid) {
	p := acHandoffPerson(t, s, "horace")
	svc := serviceToken(t, acTH)
	for round := range 3 {
		code := acCreateCode(t, p, acTH)
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
				results[i], errs[i] = s.tryQuery(svc, acRedeemHandoff, map[string]any{"code": code})
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
				if r.Get("redeemLoginHandoff.id") != p.accounts[acTH] {
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
	for _, e := range acAll(t, s, p.token(t, acFB)) {
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
	invalid := &acInvalid{}
	t.Cleanup(func() {
		if len(invalid.answers) != 1 {
			t.Errorf("INVALID_HANDOFF answers differ by case (they must reveal nothing): %v", invalid.answers)
		}
	})
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, s *testServer, invalid *acInvalid)
	}{
		{"pagination walks every event once while new events arrive between pages", func(t *testing.T, s *testServer, _ *acInvalid) { acWalkWhileInserting(t, s) }},
		{"pagination under concurrent inserts has no duplicates or gaps", func(t *testing.T, s *testServer, _ *acInvalid) { acWalkUnderConcurrentInserts(t, s) }},
		{"crossPostTargets names only rules with both accounts linked", func(t *testing.T, s *testServer, _ *acInvalid) { acCrossPostTargets(t, s) }},
		{"a handoff code works once for its target app's service", acHandoffOnce},
		{"a handoff whose target was unlinked or left singleSignOn is invalid", acHandoffStale},
		{"of 10 concurrent redemptions exactly one succeeds", acHandoffConcurrent},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t, s, invalid)
		})
	}
}
