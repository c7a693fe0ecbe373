package main

import (
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

const (
	upsertMutation         = `mutation($in: UpsertAppAccountInput!) { upsertAppAccount(input: $in) { id } }`
	updateProfileMutation  = `mutation($in: UpdateProfileInput!) { updateProfile(input: $in) { displayName bio } }`
	updateSettingsMutation = `mutation($in: UpdateSettingsInput!) {
		updateSettings(input: $in) { syncProfile singleSignOn crossPosting { from to } version } }`
)

func TestE2EBadInput(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: "dana-fb", Fields: map[string]any{
			"displayName": "Dana", "avatarUrl": "https://cdn.example.com/dana.png",
			"phoneNumber": "+16502530000", "email": "dana@example.com", "birthdate": "1991-07-14",
		}},
		account{App: profile.AppInstagram, UserID: "dana-ig", Fields: map[string]any{"displayName": "Dana I"}})
	user := userToken(t, profile.AppFacebook, "dana-fb")
	service := serviceToken(t, profile.AppFacebook)
	// One valid settings write, so that version 1 exists and 0 is stale.
	mustOK(t, s.query(t, user, updateSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": true, "expectedVersion": 0}}))

	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	upsertOf := func(fields map[string]any) map[string]any {
		in := map[string]any{"appUserId": "dana-fb", "username": "dana.fb"}
		for k, v := range fields {
			in[k] = v
		}
		return map[string]any{"in": in}
	}
	profileOf := func(fields map[string]any) map[string]any { return map[string]any{"in": fields} }

	tests := []struct {
		name  string
		token string
		query string
		vars  map[string]any
		field string
		code  string
	}{
		{"updateProfile displayName empty", user, updateProfileMutation, profileOf(map[string]any{"displayName": ""}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile displayName blank", user, updateProfileMutation, profileOf(map[string]any{"displayName": "   "}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile displayName 65 characters", user, updateProfileMutation, profileOf(map[string]any{"displayName": strings.Repeat("é", 65)}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile displayName with a control character", user, updateProfileMutation, profileOf(map[string]any{"displayName": "Dana\u0007"}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile bio 301 characters", user, updateProfileMutation, profileOf(map[string]any{"bio": strings.Repeat("b", 301)}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile avatarUrl http", user, updateProfileMutation, profileOf(map[string]any{"avatarUrl": "http://cdn.example.com/a.png"}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile avatarUrl 2049 bytes", user, updateProfileMutation, profileOf(map[string]any{"avatarUrl": longURL(2049)}), "updateProfile", "BAD_USER_INPUT"},
		{"updateProfile valid name with invalid bio writes neither", user, updateProfileMutation, profileOf(map[string]any{"displayName": "Fine", "bio": strings.Repeat("b", 301)}), "updateProfile", "BAD_USER_INPUT"},
		{"upsert username uppercase", service, upsertMutation, upsertOf(map[string]any{"username": "Dana.fb"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert username 31 characters", service, upsertMutation, upsertOf(map[string]any{"username": strings.Repeat("d", 31)}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert displayName 65 characters", service, upsertMutation, upsertOf(map[string]any{"displayName": strings.Repeat("d", 65)}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert avatarUrl http", service, upsertMutation, upsertOf(map[string]any{"avatarUrl": "http://cdn.example.com/a.png"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert avatarUrl 2049 bytes", service, upsertMutation, upsertOf(map[string]any{"avatarUrl": longURL(2049)}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert phoneNumber national format", service, upsertMutation, upsertOf(map[string]any{"phoneNumber": "06 50 25 30 00"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert phoneNumber not a real number", service, upsertMutation, upsertOf(map[string]any{"phoneNumber": "+1000"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert email invalid", service, upsertMutation, upsertOf(map[string]any{"email": "dana.example.com"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert birthdate 1899-12-31", service, upsertMutation, upsertOf(map[string]any{"birthdate": "1899-12-31"}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert birthdate tomorrow", service, upsertMutation, upsertOf(map[string]any{"birthdate": tomorrow}), "upsertAppAccount", "BAD_USER_INPUT"},
		{"upsert of a new account with an invalid email creates nothing", service, upsertMutation,
			map[string]any{"in": map[string]any{"appUserId": "newcomer", "username": "newcomer", "email": "@nowhere"}}, "upsertAppAccount", "BAD_USER_INPUT"},
		{"updateSettings with a stale expectedVersion", user, updateSettingsMutation,
			map[string]any{"in": map[string]any{"syncProfile": false, "expectedVersion": 0}}, "updateSettings", "CONFLICT"},
		{"updateSettings naming an unlinked app", user, updateSettingsMutation,
			map[string]any{"in": map[string]any{"singleSignOn": []string{"WHATSAPP"}}}, "updateSettings", "BAD_USER_INPUT"},
		{"grantConsent naming an unlinked app", user, grantMutation,
			consentInput(profile.AppWhatsApp, profile.AppFacebook, "PROFILE", "SERVICE"), "grantConsent", "BAD_USER_INPUT"},
		{"grantConsent from an app to itself", user, grantMutation,
			consentInput(profile.AppFacebook, profile.AppFacebook, "PROFILE", "SERVICE"), "grantConsent", "BAD_USER_INPUT"},
	}
	before := snapshot(t, db)
	for _, tc := range tests {
		t.Run(tc.name+" is "+tc.code+" and writes nothing", func(t *testing.T) {
			r := s.query(t, tc.token, tc.query, tc.vars)
			wantDenied(t, r, tc.field, tc.code)
			if len(r.Errors) != 1 {
				t.Fatalf("want one error, got %s", r.Raw)
			}
			wantUnchanged(t, db, before)
		})
	}
}

// longURL returns an https URL of exactly n bytes.
func longURL(n int) string {
	prefix := "https://cdn.example.com/"
	return prefix + strings.Repeat("a", n-len(prefix))
}

func TestE2ESettings(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	pid := s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: "erin-fb", Fields: map[string]any{"displayName": "Erin F"}},
		account{App: profile.AppInstagram, UserID: "erin-ig", Fields: map[string]any{"displayName": "Erin I"}},
		account{App: profile.AppWhatsApp, UserID: "erin-wa", Fields: map[string]any{"displayName": "Erin W"}})
	tok := userToken(t, profile.AppFacebook, "erin-fb")
	names := func(t *testing.T) map[string]string {
		t.Helper()
		rows, err := db.Query(t.Context(), `SELECT app, coalesce(display_name, ''), coalesce(bio, '') FROM accounts WHERE person_id = $1`, pid)
		if err != nil {
			t.Fatalf("read accounts: %v", err)
		}
		defer rows.Close()
		out := map[string]string{}
		for rows.Next() {
			var app, name, bio string
			if err := rows.Scan(&app, &name, &bio); err != nil {
				t.Fatalf("scan: %v", err)
			}
			out[app] = name + "|" + bio
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("read accounts: %v", err)
		}
		return out
	}
	wantNames := func(t *testing.T, want map[string]string) {
		t.Helper()
		got := names(t)
		for app, w := range want {
			if got[app] != w {
				t.Fatalf("%s account has name|bio %q, want %q (all: %v)", app, got[app], w, got)
			}
		}
	}

	t.Run("settings start at version 0 with sync off", func(t *testing.T) {
		r := s.query(t, tok, `{ viewer { settings { syncProfile crossPosting { from } singleSignOn version } } }`, nil)
		wantEq(t, r, "viewer.settings", map[string]any{"syncProfile": false, "crossPosting": []any{}, "singleSignOn": []any{}, "version": float64(0)})
	})

	t.Run("updateProfile with sync off writes only the viewer's account", func(t *testing.T) {
		r := s.query(t, tok, updateProfileMutation, map[string]any{"in": map[string]any{"displayName": "Erin New", "bio": "hello"}})
		wantEq(t, r, "updateProfile.displayName", "Erin New")
		wantEq(t, r, "updateProfile.bio", "hello")
		wantNames(t, map[string]string{"FACEBOOK": "Erin New|hello", "INSTAGRAM": "Erin I|", "WHATSAPP": "Erin W|"})
	})

	t.Run("updateSettings bumps the version", func(t *testing.T) {
		r := s.query(t, tok, updateSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": true, "expectedVersion": 0}})
		wantEq(t, r, "updateSettings.version", float64(1))
		wantEq(t, r, "updateSettings.syncProfile", true)
		r = s.query(t, tok, updateSettingsMutation, map[string]any{"in": map[string]any{
			"singleSignOn": []string{"INSTAGRAM"}, "crossPosting": []any{map[string]any{"from": "FACEBOOK", "to": "WHATSAPP"}}, "expectedVersion": 1,
		}})
		wantEq(t, r, "updateSettings.version", float64(2))
		wantEq(t, r, "updateSettings.syncProfile", true) // omitted: kept
		wantEq(t, r, "updateSettings.singleSignOn", []any{"INSTAGRAM"})
		r = s.query(t, tok, updateSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": true}})
		wantEq(t, r, "updateSettings.version", float64(3)) // without expectedVersion: no check, still a write
		if v := dbVal[int](t, db, `SELECT version FROM settings WHERE person_id = $1`, pid); v != 3 {
			t.Fatalf("settings version in the database is %d, want 3", v)
		}
	})

	t.Run("a stale expectedVersion is CONFLICT and writes nothing", func(t *testing.T) {
		before := snapshot(t, db)
		r := s.query(t, tok, updateSettingsMutation, map[string]any{"in": map[string]any{"syncProfile": false, "singleSignOn": []string{}, "expectedVersion": 2}})
		wantDenied(t, r, "updateSettings", "CONFLICT")
		wantUnchanged(t, db, before)
		r = s.query(t, tok, `{ viewer { settings { syncProfile singleSignOn version } } }`, nil)
		wantEq(t, r, "viewer.settings", map[string]any{"syncProfile": true, "singleSignOn": []any{"INSTAGRAM"}, "version": float64(3)})
	})

	t.Run("updateProfile with sync on writes the syncTo accounts", func(t *testing.T) {
		r := s.query(t, tok, updateProfileMutation, map[string]any{"in": map[string]any{"displayName": "Erin Synced", "syncTo": []string{"INSTAGRAM"}}})
		wantEq(t, r, "updateProfile.displayName", "Erin Synced")
		wantNames(t, map[string]string{"FACEBOOK": "Erin Synced|hello", "INSTAGRAM": "Erin Synced|", "WHATSAPP": "Erin W|"})
	})

	t.Run("updateProfile with sync on and no syncTo writes every linked account", func(t *testing.T) {
		mustOK(t, s.query(t, tok, updateProfileMutation, map[string]any{"in": map[string]any{"bio": "everywhere"}}))
		wantNames(t, map[string]string{"FACEBOOK": "Erin Synced|everywhere", "INSTAGRAM": "Erin Synced|everywhere", "WHATSAPP": "Erin W|everywhere"})
	})
}

// TestE2EUnstorableAppUserID: inputs at the edge of what the store accepts.
func TestE2EUnstorableAppUserID(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	s.upsert(t, "FACEBOOK", map[string]any{"appUserId": "edge-1", "username": "edge.one"})
	tok := userToken(t, "FACEBOOK", "edge-1")

	t.Run("an appUserId PostgreSQL cannot store is simply not found", func(t *testing.T) {
		for _, id := range []string{"a\x00b", "\x00"} {
			r := mustOK(t, s.query(t, tok, `query($id: String!) { appAccount(app: FACEBOOK, appUserId: $id) { id } }`, map[string]any{"id": id}))
			if r.Data["appAccount"] != nil {
				t.Fatalf("appAccount(%q) = %v, want null", id, r.Data["appAccount"])
			}
			r = mustOK(t, s.query(t, tok, `query($r: [_Any!]!) { _entities(representations: $r) { ... on AppAccount { id } } }`,
				map[string]any{"r": []any{map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": id}}}))
			if got := r.Get("_entities.0"); got != nil {
				t.Fatalf("_entities for %q = %v, want null", id, got)
			}
		}
	})
}
