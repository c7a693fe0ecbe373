package main

import (
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// End-to-end tests of the person's rights (SPEC §6 "Deletion by the app", "Erasure")
// over HTTP on PostgreSQL, for every kind of caller.

const (
	rightsDelete = `mutation($u: String!) { deleteAppAccount(appUserId: $u) }`
	rightsErase  = `mutation { erasePerson }`
)

// rightsWorld makes a person of FACEBOOK, INSTAGRAM and WHATSAPP accounts (prefix p)
// with devices, a cross-post INSTAGRAM→FACEBOOK, consents naming every app, settings
// with a rule and sign-on, and an outsider on FACEBOOK. It returns the person's id and
// a user token of the person's FACEBOOK account.
func rightsWorld(t *testing.T, s *testServer, p string) (pid, owner string) {
	t.Helper()
	pid = s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: p + "-fb", Fields: map[string]any{"displayName": "FB " + p, "email": p + "@fb.example.com"}},
		account{App: profile.AppInstagram, UserID: p + "-ig", Fields: map[string]any{"displayName": "IG " + p, "devices": deviceList("ig-phone")}},
		account{App: profile.AppWhatsApp, UserID: p + "-wa", Fields: map[string]any{"displayName": "WA " + p, "phoneNumber": "+442071838750"}},
	)
	s.mkAccount(t, account{App: profile.AppFacebook, UserID: p + "-outsider"})
	owner = userToken(t, profile.AppFacebook, p+"-fb")
	for _, c := range [][2]string{{"INSTAGRAM", "FACEBOOK"}, {"WHATSAPP", "FACEBOOK"}, {"FACEBOOK", "INSTAGRAM"}} {
		mustMutate(t, s, owner, grantMutation, map[string]any{"in": map[string]any{"sourceApp": c[0], "targetApp": c[1], "category": "PROFILE"}})
	}
	mustMutate(t, s, owner, `mutation { updateSettings(input: {crossPosting: [{from: INSTAGRAM, to: FACEBOOK}], singleSignOn: [INSTAGRAM]}) { version } }`, nil)
	mustOK(t, s.query(t, serviceToken(t, profile.AppInstagram), `mutation($in: CrossPostInput!) { crossPost(input: $in) { id } }`,
		crossPostIn(p+"-ig", profile.AppFacebook, "post-1")))
	return pid, owner
}

func TestE2EDeleteAppAccount(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	pid, owner := rightsWorld(t, s, "da")
	igID := dbVal[string](t, db, `SELECT id::text FROM accounts WHERE app = 'INSTAGRAM' AND app_user_id = 'da-ig'`)

	t.Run("refused for every caller but the app's service token, writing nothing", func(t *testing.T) {
		before := snapshot(t, db)
		for name, tok := range map[string]string{
			"the owner":            userToken(t, profile.AppInstagram, "da-ig"),
			"another person":       userToken(t, profile.AppFacebook, "da-outsider"),
			"an ads request":       adsToken(t, profile.AppInstagram, "da-ig"),
			"an ads service token": adsServiceToken(t, profile.AppInstagram),
		} {
			r := s.query(t, tok, rightsDelete, map[string]any{"u": "da-ig"})
			if e := r.ErrorAt("deleteAppAccount"); e == nil || e.Code() != "FORBIDDEN" {
				t.Errorf("%s: want FORBIDDEN, got %s", name, r.Raw)
			}
		}
		r := s.query(t, "", rightsDelete, map[string]any{"u": "da-ig"})
		if r.Status != 401 {
			t.Errorf("no token: status %d, want 401: %s", r.Status, r.Raw)
		}
		wantOnlyError(t, r, "UNAUTHENTICATED")
		// Another app's service token names an account of its own app: there is none.
		r = s.query(t, serviceToken(t, profile.AppThreads), rightsDelete, map[string]any{"u": "da-ig"})
		if e := r.ErrorAt("deleteAppAccount"); e == nil || e.Code() != "NOT_FOUND" {
			t.Errorf("another app's service token: want NOT_FOUND, got %s", r.Raw)
		}
		r = s.query(t, serviceToken(t, profile.AppInstagram), rightsDelete, map[string]any{"u": "nobody"})
		if e := r.ErrorAt("deleteAppAccount"); e == nil || e.Code() != "NOT_FOUND" {
			t.Errorf("unknown account: want NOT_FOUND, got %s", r.Raw)
		}
		r = s.query(t, serviceToken(t, profile.AppInstagram), rightsDelete, map[string]any{"u": ""})
		if e := r.ErrorAt("deleteAppAccount"); e == nil || e.Code() != "BAD_USER_INPUT" {
			t.Errorf("empty appUserId: want BAD_USER_INPUT, got %s", r.Raw)
		}
		wantUnchanged(t, db, before)
	})

	t.Run("the app's service token deletes a linked account, unlinking it first", func(t *testing.T) {
		r := mustOK(t, s.query(t, serviceToken(t, profile.AppInstagram), rightsDelete, map[string]any{"u": "da-ig"}))
		wantEq(t, r, "deleteAppAccount", true)
		for table, n := range map[string]int{
			`SELECT count(*) FROM accounts WHERE id = $1`:                                      0,
			`SELECT count(*) FROM devices WHERE account_id = $1`:                               0,
			`SELECT count(*) FROM cross_posts WHERE account_id = $1 OR target_account_id = $1`: 0,
		} {
			if got := dbVal[int](t, db, table, igID); got != n {
				t.Errorf("%s: %d rows, want %d", table, got, n)
			}
		}
		if got := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1 AND 'INSTAGRAM' IN (source_app, target_app)`, pid); got != 0 {
			t.Errorf("%d consents still name INSTAGRAM", got)
		}
		r = mustOK(t, s.query(t, owner, `{ viewer { accounts { app } settings { crossPosting { from to } singleSignOn }
			activity(first: 2) { edges { node { type app } } } } }`, nil))
		wantEq(t, r, "viewer.accounts", []any{map[string]any{"app": "FACEBOOK"}, map[string]any{"app": "WHATSAPP"}})
		wantEq(t, r, "viewer.settings.crossPosting", []any{})
		wantEq(t, r, "viewer.settings.singleSignOn", []any{})
		wantEq(t, r, "viewer.activity.edges", []any{
			map[string]any{"node": map[string]any{"type": "ACCOUNT_DELETED", "app": "INSTAGRAM"}},
			map[string]any{"node": map[string]any{"type": "UNLINKED", "app": "INSTAGRAM"}},
		})
		r = mustOK(t, s.query(t, serviceToken(t, profile.AppInstagram), `{ appAccount(app: INSTAGRAM, appUserId: "da-ig") { id } }`, nil))
		wantEq(t, r, "appAccount", nil)
		r = s.query(t, serviceToken(t, profile.AppInstagram), rightsDelete, map[string]any{"u": "da-ig"})
		if e := r.ErrorAt("deleteAppAccount"); e == nil || e.Code() != "NOT_FOUND" {
			t.Errorf("deleting again: want NOT_FOUND, got %s", r.Raw)
		}
	})

	t.Run("an unlinked account is deleted without touching any log", func(t *testing.T) {
		events := dbVal[int](t, db, `SELECT count(*) FROM activity`)
		wantEq(t, mustOK(t, s.query(t, serviceToken(t, profile.AppFacebook), rightsDelete, map[string]any{"u": "da-outsider"})), "deleteAppAccount", true)
		if got := dbVal[int](t, db, `SELECT count(*) FROM accounts WHERE app_user_id = 'da-outsider'`); got != 0 {
			t.Errorf("the account is still there")
		}
		if got := dbVal[int](t, db, `SELECT count(*) FROM activity`); got != events {
			t.Errorf("activity grew from %d to %d", events, got)
		}
	})

	t.Run("deleting the last accounts deletes the person", func(t *testing.T) {
		mustOK(t, s.query(t, serviceToken(t, profile.AppWhatsApp), rightsDelete, map[string]any{"u": "da-wa"}))
		mustOK(t, s.query(t, serviceToken(t, profile.AppFacebook), rightsDelete, map[string]any{"u": "da-fb"}))
		if got := dbVal[int](t, db, `SELECT count(*) FROM persons WHERE id = $1`, pid); got != 0 {
			t.Errorf("the person is still there")
		}
		if got := dbVal[int](t, db, `SELECT count(*) FROM settings WHERE person_id = $1`, pid); got != 0 {
			t.Errorf("the person's settings are still there")
		}
	})
}

func TestE2EErasePerson(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	pid, owner := rightsWorld(t, s, "er")
	// A pending handoff: it must die with the person.
	mustMutate(t, s, owner, `mutation { updateSettings(input: {singleSignOn: [INSTAGRAM]}) { version } }`, nil)
	code := mustOK(t, s.query(t, owner, `mutation { createLoginHandoff(targetApp: INSTAGRAM) { code } }`, nil)).Get("createLoginHandoff.code").(string)
	fbID := dbVal[string](t, db, `SELECT id::text FROM accounts WHERE app = 'FACEBOOK' AND app_user_id = 'er-fb'`)
	s.mkAccount(t, account{App: profile.AppThreads, UserID: "er-lone"})

	t.Run("refused for every caller but the person", func(t *testing.T) {
		before := snapshot(t, db)
		for name, tok := range map[string]string{
			"a service token": serviceToken(t, profile.AppFacebook),
			"an ads request":  adsToken(t, profile.AppFacebook, "er-fb"),
		} {
			r := s.query(t, tok, rightsErase, nil)
			if e := r.ErrorAt("erasePerson"); e == nil || e.Code() != "FORBIDDEN" {
				t.Errorf("%s: want FORBIDDEN, got %s", name, r.Raw)
			}
		}
		// Another user can only erase their own person: without one, NOT_FOUND.
		for _, tok := range []string{userToken(t, profile.AppFacebook, "er-outsider"), userToken(t, profile.AppThreads, "er-lone"), userToken(t, profile.AppThreads, "er-unknown")} {
			r := s.query(t, tok, rightsErase, nil)
			if e := r.ErrorAt("erasePerson"); e == nil || e.Code() != "NOT_FOUND" {
				t.Errorf("another person: want NOT_FOUND, got %s", r.Raw)
			}
		}
		r := s.query(t, "", rightsErase, nil)
		if r.Status != 401 {
			t.Errorf("no token: status %d, want 401", r.Status)
		}
		wantOnlyError(t, r, "UNAUTHENTICATED")
		wantUnchanged(t, db, before)
	})

	t.Run("the person erases itself", func(t *testing.T) {
		erasuresBefore := dbVal[int](t, db, `SELECT count(*) FROM erasures`)
		wantEq(t, mustOK(t, s.query(t, owner, rightsErase, nil)), "erasePerson", true)
		for _, q := range []string{
			`SELECT count(*) FROM persons WHERE id = $1`,
			`SELECT count(*) FROM accounts WHERE person_id = $1`,
			`SELECT count(*) FROM settings WHERE person_id = $1`,
			`SELECT count(*) FROM consents WHERE person_id = $1`,
			`SELECT count(*) FROM activity WHERE person_id = $1`,
			`SELECT count(*) FROM login_handoffs WHERE person_id = $1`,
		} {
			if n := dbVal[int](t, db, q, pid); n != 0 {
				t.Errorf("%s: %d rows left", q, n)
			}
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM cross_posts`); n != 0 {
			t.Errorf("%d cross-posts between the person's accounts are left", n)
		}
		// The apps' own records stay: the accounts, unlinked, with their devices.
		if n := dbVal[int](t, db, `SELECT count(*) FROM accounts WHERE app_user_id LIKE 'er-%' AND person_id IS NULL AND linked_at IS NULL`); n != 5 {
			t.Errorf("%d accounts left unlinked, want 5", n)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM devices`); n != 1 {
			t.Errorf("%d devices left, want 1", n)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM erasures`); n != erasuresBefore+1 {
			t.Errorf("%d erasure records, want %d", n, erasuresBefore+1)
		}
		// The erasure record holds no personal data: its only columns are a counter and a time.
		if cols := dbVal[string](t, db, `SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'erasures'`); cols != "seq,erased_at" {
			t.Errorf("erasures has columns %s", cols)
		}
	})

	t.Run("nothing of the person is readable afterwards", func(t *testing.T) {
		for _, tok := range []string{owner, userToken(t, profile.AppInstagram, "er-ig"), userToken(t, profile.AppFacebook, "er-outsider"), serviceToken(t, profile.AppFacebook)} {
			r := s.query(t, tok, `query($p: ID!, $r: [_Any!]!) {
				person(id: $p) { id }
				_entities(representations: $r) { ... on Person { id profile { displayName } } }
				appAccount(app: FACEBOOK, appUserId: "er-fb") { id linkedAt person { id } } }`,
				map[string]any{"p": pid, "r": []any{map[string]any{"__typename": "Person", "id": pid}}})
			wantEq(t, r, "appAccount.id", fbID)
			// Owner-only fields of an account are FORBIDDEN to non-owners: null either way.
			for _, path := range []string{"person", "_entities.0", "appAccount.linkedAt", "appAccount.person"} {
				if v := r.Get(path); v != nil {
					t.Errorf("%s = %v after the erasure: %s", path, v, r.Raw)
				}
			}
		}
		r := mustOK(t, s.query(t, owner, `{ viewer { id } viewerAccount { linkedAt person { id } } }`, nil))
		wantEq(t, r, "viewer", nil)
		wantEq(t, r, "viewerAccount.person", nil)
		r = s.query(t, serviceToken(t, profile.AppInstagram), `mutation($c: String!) { redeemLoginHandoff(code: $c) { id } }`, map[string]any{"c": code})
		if e := r.ErrorAt("redeemLoginHandoff"); e == nil || e.Code() != "INVALID_HANDOFF" {
			t.Errorf("the handoff of the erased person: want INVALID_HANDOFF, got %s", r.Raw)
		}
		r = mustOK(t, s.query(t, serviceToken(t, profile.AppInstagram), `{ appAccount(app: INSTAGRAM, appUserId: "er-ig") { crossPosts { edges { node { id } } } } }`, nil))
		wantEq(t, r, "appAccount.crossPosts.edges", []any{})
		// Erasing again: there is no person left.
		r = s.query(t, owner, rightsErase, nil)
		if e := r.ErrorAt("erasePerson"); e == nil || e.Code() != "NOT_FOUND" {
			t.Errorf("erasing again: want NOT_FOUND, got %s", r.Raw)
		}
	})
}
