package main

// End-to-end tests of devices (category DEVICE), cross-posts (category ACTIVITY) and
// the crossPost mutation (SPEC §3, §5, §6), over HTTP on PostgreSQL with real tokens.

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/auth"
	"github.com/profilegraph/profilegraph/profile"
)

const crossPostMutation = `mutation($in: CrossPostInput!) {
	crossPost(input: $in) { id from to contentId devicePlatform at target { app appUserId } } }`

const upsertDevicesMutation = `mutation($in: UpsertAppAccountInput!) { upsertAppAccount(input: $in) { id } }`

// deviceList is a device list as upsertAppAccount takes it, one ANDROID device per id.
func deviceList(ids ...string) []map[string]any {
	out := []map[string]any{}
	for _, id := range ids {
		out = append(out, map[string]any{"id": id, "platform": "ANDROID", "model": "Pixel 8", "appVersion": "2.24.1",
			"connection": "WIFI", "lastActiveAt": "2026-01-02T03:04:05Z"})
	}
	return out
}

func crossPostIn(uid string, to profile.App, content string) map[string]any {
	return map[string]any{"in": map[string]any{"appUserId": uid, "to": to, "contentId": content, "devicePlatform": "IOS"}}
}

// listsQuery reads the WHATSAPP account's devices and cross-posts through every path:
// the viewer's accounts, person(id).accounts, appAccount and _entities.
const listsQuery = `query($id: ID!, $r: [_Any!]!) {
	viewer { accounts { app devices { id } crossPosts { edges { node { contentId } } } } }
	person(id: $id) { accounts { app devices { id } crossPosts { edges { node { contentId } } } } }
	appAccount(app: WHATSAPP, appUserId: "dana-wa") { devices { id platform model appVersion connection lastActiveAt }
		crossPosts { edges { node { contentId from to devicePlatform target { app } } } } }
	_entities(representations: $r) { ... on AppAccount { app devices { id } crossPosts { edges { node { contentId } } } } } }`

// outcome is what a path must show of one list: its ids, or an error code (and for
// CONSENT_REQUIRED the category), or nothing at all.
type outcome struct {
	ids  []string // shown: exactly these device ids / content ids
	code string   // denied with this code
	cat  string   // CONSENT_REQUIRED's category
}

func shownIDs(ids ...string) outcome { return outcome{ids: append([]string{}, ids...)} }
func denied(code string) outcome     { return outcome{code: code} }
func needsConsent(c string) outcome  { return outcome{code: "CONSENT_REQUIRED", cat: c} }

func (o outcome) check(tb testing.TB, r *gqlResponse, path, key string) {
	tb.Helper()
	switch {
	case o.code == "CONSENT_REQUIRED":
		wantConsentRequired(tb, r, path, o.cat, profile.AppWhatsApp)
	case o.code != "":
		wantDenied(tb, r, path, o.code)
	default:
		if e := r.ErrorAt(path); e != nil {
			tb.Fatalf("%s: unexpected error %s %q\n%s", path, e.Code(), e.Message, r.Raw)
		}
		got := []string{}
		list := r.Get(path)
		if m, ok := list.(map[string]any); ok { // a connection
			list = m["edges"]
		}
		items, ok := list.([]any)
		if !ok {
			tb.Fatalf("%s = %#v, want a list\n%s", path, r.Get(path), r.Raw)
		}
		for _, it := range items {
			m := it.(map[string]any)
			if n, ok := m["node"].(map[string]any); ok {
				m = n
			}
			got = append(got, fmt.Sprint(m[key]))
		}
		if strings.Join(got, ",") != strings.Join(o.ids, ",") {
			tb.Fatalf("%s = %v, want %v\n%s", path, got, o.ids, r.Raw)
		}
	}
}

// accountIndex returns the index of the WHATSAPP account in a list of accounts at path,
// or -1.
func accountIndex(r *gqlResponse, path string) int {
	list, _ := r.Get(path).([]any)
	for i, a := range list {
		if m, _ := a.(map[string]any); m["app"] == "WHATSAPP" {
			return i
		}
	}
	return -1
}

// readLists runs listsQuery with token and checks the WHATSAPP account's devices and
// crossPosts on every path the token reaches: for the owner all four (the account
// among the viewer's and the person's accounts too), for anyone else, and for the
// owner's ads requests, appAccount and _entities (Person.accounts is owner only and
// refused to ads).
func readLists(tb testing.TB, s *testServer, token, personID, accountID string, owner bool, devices, crossPosts outcome) {
	tb.Helper()
	r := s.query(tb, token, listsQuery, map[string]any{"id": personID,
		"r": []any{map[string]any{"__typename": "AppAccount", "id": accountID}}})
	paths := []string{"appAccount", "_entities.0"}
	if owner {
		for _, p := range []string{"viewer.accounts", "person.accounts"} {
			i := accountIndex(r, p)
			if i < 0 {
				tb.Fatalf("%s has no WHATSAPP account\n%s", p, r.Raw[:min(len(r.Raw), 3000)])
			}
			paths = append(paths, fmt.Sprintf("%s.%d", p, i))
		}
	} else {
		wantDenied(tb, r, "person.accounts", "FORBIDDEN")
	}
	for _, p := range paths {
		devices.check(tb, r, p+".devices", "id")
		crossPosts.check(tb, r, p+".crossPosts", "contentId")
	}
}

func TestE2EDevicesAndCrossPosts(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	fb, ig, wa := profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp
	dana := s.mkPerson(t,
		account{App: fb, UserID: "dana-fb", Fields: map[string]any{"devices": deviceList("fb-laptop")}},
		account{App: ig, UserID: "dana-ig"},
		account{App: wa, UserID: "dana-wa", Fields: map[string]any{"devices": deviceList("wa-phone", "wa-tablet")}})
	waID := dbVal[string](t, db, `SELECT id::text FROM accounts WHERE app = 'WHATSAPP' AND app_user_id = 'dana-wa'`)
	s.mkPerson(t, account{App: fb, UserID: "carol-fb"}, account{App: wa, UserID: "carol-wa"})
	s.mkAccount(t, account{App: wa, UserID: "lone-wa", Fields: map[string]any{"devices": deviceList("lone-phone")}})

	owner := userToken(t, fb, "dana-fb")
	ownerAds := mint(t, auth.Claims{App: fb, Subject: "dana-fb", Purpose: "ads", ExpiresAt: tokenExpiry()})
	waOwner := userToken(t, wa, "dana-wa")
	stranger := userToken(t, fb, "carol-fb")
	waBackend := serviceToken(t, wa)
	fbBackend := serviceToken(t, fb)
	mustOK(t, s.query(t, owner, `mutation($in: UpdateSettingsInput!) { updateSettings(input: $in) { version } }`,
		map[string]any{"in": map[string]any{"crossPosting": []map[string]any{{"from": "WHATSAPP", "to": "FACEBOOK"}}}}))

	t.Run("crossPost as the WhatsApp backend records it with its target", func(t *testing.T) {
		r := mustOK(t, s.query(t, waBackend, crossPostMutation, crossPostIn("dana-wa", fb, "status-1")))
		wantEq(t, r, "crossPost.from", "WHATSAPP")
		wantEq(t, r, "crossPost.to", "FACEBOOK")
		wantEq(t, r, "crossPost.contentId", "status-1")
		wantEq(t, r, "crossPost.devicePlatform", "IOS")
		wantEq(t, r, "crossPost.target", map[string]any{"app": "FACEBOOK", "appUserId": "dana-fb"})
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'CROSS_POSTED'`, dana); n != 1 {
			t.Fatalf("%d CROSS_POSTED events, want 1", n)
		}
	})

	t.Run("20 concurrent identical crossPost calls give one cross-post and one event", func(t *testing.T) {
		const n = 20
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		vars := crossPostIn("dana-wa", fb, "status-2")
		for i := range n {
			wg.Go(func() {
				<-start
				r, err := s.tryQuery(waBackend, crossPostMutation, vars)
				switch {
				case err != nil:
					errs[i] = err
				case len(r.Errors) > 0:
					errs[i] = fmt.Errorf("call %d: %s", i, r.Raw)
				default:
					ids[i], _ = r.Get("crossPost.id").(string)
				}
			})
		}
		close(start)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if ids[i] == "" || ids[i] != ids[0] {
				t.Fatalf("call %d returned cross-post %q, call 0 %q", i, ids[i], ids[0])
			}
		}
		if c := dbVal[int](t, db, `SELECT count(*) FROM cross_posts WHERE content_id = 'status-2'`); c != 1 {
			t.Fatalf("%d cross-posts stored, want 1", c)
		}
		if c := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'CROSS_POSTED'`, dana); c != 2 {
			t.Fatalf("%d CROSS_POSTED events in all, want 2 (one per content)", c)
		}
	})

	t.Run("a refused crossPost writes nothing", func(t *testing.T) {
		for _, c := range []struct {
			name, token string
			vars        map[string]any
			code        string
		}{
			{"without the rule", waBackend, crossPostIn("dana-wa", ig, "s"), "FORBIDDEN"},
			{"by a user token", waOwner, crossPostIn("dana-wa", fb, "s"), "FORBIDDEN"},
			{"by another app's backend", fbBackend, crossPostIn("dana-wa", wa, "s"), "NOT_FOUND"},
			{"from an unlinked account", waBackend, crossPostIn("lone-wa", fb, "s"), "FORBIDDEN"},
			{"of an unknown account", waBackend, crossPostIn("nobody", fb, "s"), "NOT_FOUND"},
			{"to its own app", waBackend, crossPostIn("dana-wa", wa, "s"), "BAD_USER_INPUT"},
			{"with an empty contentId", waBackend, crossPostIn("dana-wa", fb, ""), "BAD_USER_INPUT"},
			{"with a contentId over 128 characters", waBackend, crossPostIn("dana-wa", fb, strings.Repeat("x", 129)), "BAD_USER_INPUT"},
			{"repeating a recorded one with the rule gone", waBackend, crossPostIn("dana-wa", ig, "status-1"), "FORBIDDEN"},
		} {
			before := snapshot(t, db)
			r := s.query(t, c.token, crossPostMutation, c.vars)
			wantOnlyError(t, r, c.code)
			wantUnchanged(t, db, before)
		}
	})

	t.Run("an invalid device list is BAD_USER_INPUT and writes nothing", func(t *testing.T) {
		eleven := deviceList("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k")
		future := deviceList("x")
		future[0]["lastActiveAt"] = time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		longModel := deviceList("x")
		longModel[0]["model"] = strings.Repeat("m", 65)
		for name, ds := range map[string]any{
			"11 devices": eleven, "a duplicate id": deviceList("x", "x"), "lastActiveAt in the future": future,
			"a model over 64 characters": longModel, "an id over 64 characters": deviceList(strings.Repeat("i", 65)),
		} {
			before := snapshot(t, db)
			r := s.query(t, waBackend, upsertDevicesMutation, map[string]any{"in": map[string]any{
				"appUserId": "dana-wa", "username": "dana.renamed", "displayName": "Renamed", "devices": ds}})
			if len(r.Errors) != 1 || r.Errors[0].Code() != "BAD_USER_INPUT" {
				t.Fatalf("%s: want one BAD_USER_INPUT, got %s", name, r.Raw)
			}
			wantUnchanged(t, db, before)
		}
	})

	both := shownIDs("status-2", "status-1") // newest first
	waDevices := shownIDs("wa-phone", "wa-tablet")

	t.Run("the owner in another app needs DEVICE and ACTIVITY consents", func(t *testing.T) {
		readLists(t, s, owner, dana, waID, true, needsConsent("DEVICE"), needsConsent("ACTIVITY"))
		readLists(t, s, waOwner, dana, waID, true, waDevices, both) // same app: no consent needed
	})
	t.Run("outsiders, ads and other apps' backends never see them", func(t *testing.T) {
		readLists(t, s, stranger, dana, waID, false, denied("FORBIDDEN"), denied("FORBIDDEN"))
		readLists(t, s, fbBackend, dana, waID, false, denied("FORBIDDEN"), denied("FORBIDDEN"))
		readLists(t, s, ownerAds, dana, waID, false, needsConsent("DEVICE"), needsConsent("ACTIVITY"))
	})
	t.Run("the WhatsApp backend reads back its own records", func(t *testing.T) {
		readLists(t, s, waBackend, dana, waID, false, waDevices, both)
		r := s.query(t, waBackend, `{ appAccount(app: WHATSAPP, appUserId: "dana-wa") { phoneNumber birthdate } }`, nil)
		if len(r.Errors) != 0 {
			t.Fatalf("its own contact and age data: %s", r.Raw)
		}
	})

	grant := func(cat, purpose string) {
		t.Helper()
		mustOK(t, s.query(t, owner, grantMutation, consentInput(wa, fb, cat, purpose)))
	}
	t.Run("after the grants the owner sees them on every path; ads need ADS consents too", func(t *testing.T) {
		grant("DEVICE", "SERVICE")
		readLists(t, s, owner, dana, waID, true, waDevices, needsConsent("ACTIVITY"))
		grant("ACTIVITY", "SERVICE")
		readLists(t, s, owner, dana, waID, true, waDevices, both)
		readLists(t, s, ownerAds, dana, waID, false, needsConsent("DEVICE"), needsConsent("ACTIVITY"))
		grant("DEVICE", "ADS")
		readLists(t, s, ownerAds, dana, waID, false, waDevices, needsConsent("ACTIVITY"))
		readLists(t, s, stranger, dana, waID, false, denied("FORBIDDEN"), denied("FORBIDDEN"))
	})
	t.Run("every device field comes through", func(t *testing.T) {
		r := mustOK(t, s.query(t, owner, `{ appAccount(app: WHATSAPP, appUserId: "dana-wa") {
			devices { id platform model appVersion connection lastActiveAt }
			crossPosts(first: 1) { edges { cursor node { contentId from to devicePlatform target { app appUserId } } } pageInfo { hasNextPage endCursor } } } }`, nil))
		wantEq(t, r, "appAccount.devices.0", map[string]any{"id": "wa-phone", "platform": "ANDROID", "model": "Pixel 8",
			"appVersion": "2.24.1", "connection": "WIFI", "lastActiveAt": "2026-01-02T03:04:05Z"})
		wantEq(t, r, "appAccount.crossPosts.edges.0.node", map[string]any{"contentId": "status-2", "from": "WHATSAPP", "to": "FACEBOOK",
			"devicePlatform": "IOS", "target": map[string]any{"app": "FACEBOOK", "appUserId": "dana-fb"}})
		wantEq(t, r, "appAccount.crossPosts.pageInfo.hasNextPage", true)
		next := mustOK(t, s.query(t, owner, `query($a: String) { appAccount(app: WHATSAPP, appUserId: "dana-wa") {
			crossPosts(first: 1, after: $a) { edges { node { contentId } } pageInfo { hasNextPage } } } }`,
			map[string]any{"a": r.Get("appAccount.crossPosts.pageInfo.endCursor")}))
		wantEq(t, next, "appAccount.crossPosts.edges.0.node.contentId", "status-1")
		wantEq(t, next, "appAccount.crossPosts.pageInfo.hasNextPage", false)
		bad := s.query(t, owner, `{ appAccount(app: WHATSAPP, appUserId: "dana-wa") { crossPosts(after: "nope") { pageInfo { hasNextPage } } } }`, nil)
		wantDenied(t, bad, "appAccount.crossPosts", "BAD_USER_INPUT")
	})
	t.Run("a new device list replaces the old one at once (cache included)", func(t *testing.T) {
		mustOK(t, s.query(t, waBackend, upsertDevicesMutation, map[string]any{"in": map[string]any{
			"appUserId": "dana-wa", "username": "dana.wa", "devices": deviceList("wa-watch")}}))
		readLists(t, s, owner, dana, waID, true, shownIDs("wa-watch"), both)
		mustOK(t, s.query(t, waBackend, upsertDevicesMutation, map[string]any{"in": map[string]any{
			"appUserId": "dana-wa", "username": "dana.wa", "devices": deviceList("wa-phone", "wa-tablet")}}))
	})
	t.Run("revoking a consent hides the list again", func(t *testing.T) {
		mustOK(t, s.query(t, owner, revokeMutation, consentInput(wa, fb, "DEVICE", "SERVICE")))
		readLists(t, s, owner, dana, waID, true, needsConsent("DEVICE"), both)
		readLists(t, s, ownerAds, dana, waID, false, needsConsent("DEVICE"), needsConsent("ACTIVITY"))
	})
	t.Run("an unlinked account shares its lists only with itself and its backend", func(t *testing.T) {
		lone := dbVal[string](t, db, `SELECT id::text FROM accounts WHERE app_user_id = 'lone-wa'`)
		q := `query($r: [_Any!]!) { appAccount(app: WHATSAPP, appUserId: "lone-wa") { devices { id } crossPosts { edges { cursor } } }
			_entities(representations: $r) { ... on AppAccount { devices { id } } } }`
		vars := map[string]any{"r": []any{map[string]any{"__typename": "AppAccount", "id": lone}}}
		for _, tok := range []string{userToken(t, wa, "lone-wa"), waBackend} {
			r := mustOK(t, s.query(t, tok, q, vars))
			wantEq(t, r, "appAccount.devices", []any{map[string]any{"id": "lone-phone"}})
			wantEq(t, r, "appAccount.crossPosts.edges", []any{})
			wantEq(t, r, "_entities.0.devices", []any{map[string]any{"id": "lone-phone"}})
		}
		for _, tok := range []string{owner, waOwner, fbBackend} {
			r := s.query(t, tok, q, vars)
			wantDenied(t, r, "appAccount.devices", "FORBIDDEN")
			wantDenied(t, r, "appAccount.crossPosts", "FORBIDDEN")
			wantDenied(t, r, "_entities.0.devices", "FORBIDDEN")
		}
	})
	t.Run("after unlinking WhatsApp its lists leave Facebook and no new cross-post crosses", func(t *testing.T) {
		mustOK(t, s.query(t, waOwner, `mutation { unlinkAccount(app: WHATSAPP) { id } }`, nil))
		r := s.query(t, owner, listsQuery, map[string]any{"id": dana,
			"r": []any{map[string]any{"__typename": "AppAccount", "id": waID}}})
		if accountIndex(r, "viewer.accounts") >= 0 || accountIndex(r, "person.accounts") >= 0 {
			t.Fatalf("the unlinked account is still among the person's accounts\n%s", r.Raw)
		}
		for _, p := range []string{"appAccount", "_entities.0"} {
			wantDenied(t, r, p+".devices", "FORBIDDEN")
			wantDenied(t, r, p+".crossPosts", "FORBIDDEN")
		}
		// The account itself and its backend still see its own records.
		readLists(t, s, waBackend, dana, waID, false, waDevices, both)
		before := snapshot(t, db)
		wantOnlyError(t, s.query(t, waBackend, crossPostMutation, crossPostIn("dana-wa", fb, "status-3")), "FORBIDDEN")
		wantOnlyError(t, s.query(t, waBackend, crossPostMutation, crossPostIn("dana-wa", fb, "status-1")), "FORBIDDEN")
		wantUnchanged(t, db, before)
	})
}

// TestE2EDevicesInSDL checks that the new types reach the gateway's SDL.
func TestE2EDevicesInSDL(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := mustOK(t, s.query(t, "", `{ _service { sdl } }`, nil))
	sdl, _ := r.Get("_service.sdl").(string)
	for _, want := range []string{"type Device", "type CrossPost ", "crossPost(", "devices: [Device!]", "CROSS_POSTED"} {
		if !strings.Contains(sdl, want) {
			t.Errorf("the SDL lacks %q", want)
		}
	}
}
