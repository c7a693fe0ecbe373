package main

import (
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

const personQuery = `query($id: ID!) { person(id: $id) { id
	profile { displayName username avatar { url } phoneNumber email birthdate sources { field app } }
	accounts { app } account(app: FACEBOOK) { id } settings { version } consents { category }
	ageRange ageDiscrepancy activity { edges { cursor } } recoveryOptions { masked } crossPostTargets(from: FACEBOOK) } }`

// ownerOnlyPersonFields are the Person fields only the person may see.
var ownerOnlyPersonFields = []string{"accounts", "account", "settings", "consents", "ageRange", "ageDiscrepancy",
	"activity", "recoveryOptions", "crossPostTargets"}

const entitiesQuery = `query($r: [_Any!]!) { _entities(representations: $r) {
	... on Person { id profile { displayName phoneNumber } accounts { app } }
	... on AppAccount { app displayName email } } }`

func TestE2ENonOwner(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)

	// The subject: FACEBOOK holds a name and all contact data, INSTAGRAM the only avatar.
	bobFB := account{App: profile.AppFacebook, UserID: "bob-fb", Fields: map[string]any{
		"displayName": "Bob on Facebook", "phoneNumber": "+442071838750",
		"email": "bob@facebook.example.com", "birthdate": "1985-02-03",
	}}
	bobIG := account{App: profile.AppInstagram, UserID: "bob-ig", Fields: map[string]any{
		"displayName": "Bob on Instagram", "avatarUrl": "https://cdn.example.com/bob.png", "phoneNumber": "+16502530000",
	}}
	bob := s.mkPerson(t, bobFB, bobIG)
	bobIGID := dbVal[string](t, openDB(t, s), `SELECT id::text FROM accounts WHERE app = 'INSTAGRAM' AND app_user_id = 'bob-ig'`)
	// Another person, who uses FACEBOOK too.
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "carol-fb"}, account{App: profile.AppWhatsApp, UserID: "carol-wa"})

	outsiders := []struct {
		name  string
		token string
	}{
		{"another person's user token", userToken(t, profile.AppFacebook, "carol-fb")},
		{"a user whose account is not known", userToken(t, profile.AppFacebook, "nobody-fb")},
	}
	// A service token used to be among the outsiders; since SPEC §5 "An app's own
	// records" it sees its own app's records whole (checked below) and is an outsider
	// for the other apps' accounts only.
	for _, o := range outsiders {
		t.Run(o.name+" sees only PROFILE data via person", func(t *testing.T) {
			r := s.query(t, o.token, personQuery, map[string]any{"id": bob})
			wantEq(t, r, "person.id", bob)
			wantEq(t, r, "person.profile.displayName", "Bob on Facebook")
			wantEq(t, r, "person.profile.username", "bob.fb")
			wantHidden(t, r, "person.profile.avatar") // INSTAGRAM's, not shared: absent, no hint
			for _, f := range []string{"phoneNumber", "email", "birthdate"} {
				wantDenied(t, r, "person.profile."+f, "FORBIDDEN")
			}
			for _, f := range ownerOnlyPersonFields {
				wantDenied(t, r, "person."+f, "FORBIDDEN")
			}
			for src := range sources(t, r, "person.profile.sources") {
				if src != "displayName:FACEBOOK" && src != "username:FACEBOOK" {
					t.Fatalf("an outsider's sources list %s\n%s", src, r.Raw)
				}
			}
		})

		t.Run(o.name+" sees only PROFILE data via appAccount", func(t *testing.T) {
			r := s.query(t, o.token, `{
				fb: appAccount(app: FACEBOOK, appUserId: "bob-fb") { app displayName phoneNumber email birthdate person { id } linkedAt }
				ig: appAccount(app: INSTAGRAM, appUserId: "bob-ig") { app displayName avatar { url } phoneNumber } }`, nil)
			wantEq(t, r, "fb.app", "FACEBOOK")
			wantEq(t, r, "fb.displayName", "Bob on Facebook")
			for _, f := range []string{"phoneNumber", "email", "birthdate", "person", "linkedAt"} {
				wantDenied(t, r, "fb."+f, "FORBIDDEN")
			}
			wantEq(t, r, "ig.app", "INSTAGRAM")
			wantHidden(t, r, "ig.displayName")
			wantHidden(t, r, "ig.avatar")
			wantDenied(t, r, "ig.phoneNumber", "FORBIDDEN")
		})

		t.Run(o.name+" sees only PROFILE data via _entities", func(t *testing.T) {
			r := s.query(t, o.token, entitiesQuery, map[string]any{"r": []any{
				map[string]any{"__typename": "Person", "id": bob},
				map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": "bob-fb"},
			}})
			wantEq(t, r, "_entities.0.id", bob)
			wantEq(t, r, "_entities.0.profile.displayName", "Bob on Facebook")
			wantDenied(t, r, "_entities.0.profile.phoneNumber", "FORBIDDEN")
			wantDenied(t, r, "_entities.0.accounts", "FORBIDDEN")
			wantEq(t, r, "_entities.1.app", "FACEBOOK")
			wantEq(t, r, "_entities.1.displayName", "Bob on Facebook")
			wantDenied(t, r, "_entities.1.email", "FORBIDDEN")

			// By the other key of AppAccount (a separate call: see TestE2EEntitiesMixedKeys).
			r = s.query(t, o.token, entitiesQuery, map[string]any{"r": []any{
				map[string]any{"__typename": "AppAccount", "id": bobIGID},
			}})
			wantEq(t, r, "_entities.0.app", "INSTAGRAM")
			wantHidden(t, r, "_entities.0.displayName")
			wantDenied(t, r, "_entities.0.email", "FORBIDDEN")
		})
	}

	t.Run("a service token sees its own app's records whole and the rest as an outsider", func(t *testing.T) {
		tok := serviceToken(t, profile.AppFacebook)
		r := s.query(t, tok, `{
			fb: appAccount(app: FACEBOOK, appUserId: "bob-fb") { app displayName phoneNumber email birthdate person { id } linkedAt }
			ig: appAccount(app: INSTAGRAM, appUserId: "bob-ig") { app displayName avatar { url } phoneNumber } }`, nil)
		wantEq(t, r, "fb.displayName", "Bob on Facebook")
		wantEq(t, r, "fb.phoneNumber", "+442071838750")
		wantEq(t, r, "fb.email", "bob@facebook.example.com")
		wantEq(t, r, "fb.birthdate", "1985-02-03")
		wantDenied(t, r, "fb.person", "FORBIDDEN") // owner only: the person, not the app
		wantDenied(t, r, "fb.linkedAt", "FORBIDDEN")
		wantHidden(t, r, "ig.displayName")
		wantHidden(t, r, "ig.avatar")
		wantDenied(t, r, "ig.phoneNumber", "FORBIDDEN")

		r = s.query(t, tok, personQuery, map[string]any{"id": bob})
		wantEq(t, r, "person.profile.phoneNumber", "+442071838750") // FACEBOOK's own value
		wantEq(t, r, "person.profile.birthdate", "1985-02-03")
		wantHidden(t, r, "person.profile.avatar")
		for _, f := range ownerOnlyPersonFields {
			wantDenied(t, r, "person."+f, "FORBIDDEN")
		}

		r = s.query(t, tok, entitiesQuery, map[string]any{"r": []any{
			map[string]any{"__typename": "AppAccount", "app": "FACEBOOK", "appUserId": "bob-fb"},
			map[string]any{"__typename": "AppAccount", "id": bobIGID},
		}})
		wantEq(t, r, "_entities.0.email", "bob@facebook.example.com")
		wantHidden(t, r, "_entities.1.displayName")
		wantDenied(t, r, "_entities.1.email", "FORBIDDEN")
	})

	t.Run("the owner sees the same fields", func(t *testing.T) {
		tok := userToken(t, profile.AppFacebook, "bob-fb")
		r := s.query(t, tok, personQuery, map[string]any{"id": bob})
		wantEq(t, r, "person.profile.phoneNumber", "+442071838750")
		wantEq(t, r, "person.profile.birthdate", "1985-02-03")
		wantEq(t, r, "person.accounts", []any{map[string]any{"app": "FACEBOOK"}, map[string]any{"app": "INSTAGRAM"}})
		wantEq(t, r, "person.settings.version", float64(0))
		wantEq(t, r, "person.ageRange", "ADULT")
		wantEq(t, r, "person.ageDiscrepancy", false)
		wantEq(t, r, "person.crossPostTargets", []any{})
		edges, _ := r.Get("person.activity.edges").([]any)
		recovery, _ := r.Get("person.recoveryOptions").([]any)
		if len(edges) == 0 || len(recovery) == 0 {
			t.Fatalf("the owner sees no activity or recovery options\n%s", r.Raw)
		}
		wantConsentRequired(t, r, "person.profile.avatar", "PROFILE", profile.AppInstagram)

		r = s.query(t, tok, entitiesQuery, map[string]any{"r": []any{map[string]any{"__typename": "Person", "id": bob}}})
		wantEq(t, r, "_entities.0.profile.phoneNumber", "+442071838750")
		wantEq(t, r, "_entities.0.accounts", []any{map[string]any{"app": "FACEBOOK"}, map[string]any{"app": "INSTAGRAM"}})
	})

	t.Run("a PROFILE consent shares PROFILE data with outsiders but nothing else", func(t *testing.T) {
		mustOK(t, s.query(t, userToken(t, profile.AppFacebook, "bob-fb"), grantMutation,
			consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "SERVICE")))
		carol := userToken(t, profile.AppFacebook, "carol-fb")
		r := s.query(t, carol, personQuery, map[string]any{"id": bob})
		wantEq(t, r, "person.profile.avatar.url", "https://cdn.example.com/bob.png")
		wantEq(t, r, "person.profile.displayName", "Bob on Facebook")
		wantDenied(t, r, "person.profile.phoneNumber", "FORBIDDEN")
		wantDenied(t, r, "person.accounts", "FORBIDDEN")
		r = s.query(t, carol, `{ appAccount(app: INSTAGRAM, appUserId: "bob-ig") { displayName phoneNumber } }`, nil)
		wantEq(t, r, "appAccount.displayName", "Bob on Instagram")
		wantDenied(t, r, "appAccount.phoneNumber", "FORBIDDEN")
	})
}

// TestE2EEntitiesMixedKeys sends AppAccount representations of both keys, and a
// malformed Person id, in one _entities call: each must resolve (or fail) at its own
// index (SPEC §8).
func TestE2EEntitiesMixedKeys(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	pid := s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: "eve-fb", Fields: map[string]any{"displayName": "Eve F"}},
		account{App: profile.AppInstagram, UserID: "eve-ig", Fields: map[string]any{"displayName": "Eve I"}})
	igID := dbVal[string](t, openDB(t, s), `SELECT id::text FROM accounts WHERE app_user_id = 'eve-ig'`)
	tok := userToken(t, profile.AppInstagram, "eve-ig")

	t.Run("a malformed key fails at its own index only", func(t *testing.T) {
		r := s.query(t, tok, entitiesQuery, map[string]any{"r": []any{
			map[string]any{"__typename": "AppAccount", "app": "INSTAGRAM", "appUserId": "eve-ig"},
			map[string]any{"__typename": "Person", "id": "not-a-uuid"},
			map[string]any{"__typename": "Person", "id": pid},
		}})
		wantEq(t, r, "_entities.0.displayName", "Eve I")
		if e := wantDenied(t, r, "_entities.1", "BAD_USER_INPUT"); strings.Contains(e.Message, "representation 0") {
			t.Fatalf("the error at index 1 names representation 0: %q", e.Message)
		}
		wantEq(t, r, "_entities.2.id", pid)
	})

	t.Run("AppAccount by app appUserId and by id in one call", func(t *testing.T) {
		r := s.query(t, tok, entitiesQuery, map[string]any{"r": []any{
			map[string]any{"__typename": "AppAccount", "app": "INSTAGRAM", "appUserId": "eve-ig"},
			map[string]any{"__typename": "AppAccount", "id": igID},
		}})
		wantEq(t, r, "_entities.0.displayName", "Eve I")
		wantEq(t, r, "_entities.1.displayName", "Eve I")
		if len(r.Errors) != 0 {
			t.Fatalf("unexpected errors: %s", r.Raw)
		}
	})

	t.Run("AppAccount by id and by app appUserId in one call", func(t *testing.T) {
		r := s.query(t, tok, entitiesQuery, map[string]any{"r": []any{
			map[string]any{"__typename": "AppAccount", "id": igID},
			map[string]any{"__typename": "AppAccount", "app": "INSTAGRAM", "appUserId": "eve-ig"},
		}})
		wantEq(t, r, "_entities.0.displayName", "Eve I")
		wantEq(t, r, "_entities.1.displayName", "Eve I")
		if len(r.Errors) != 0 {
			t.Fatalf("unexpected errors: %s", r.Raw)
		}
	})
}
