package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// Age protections (SPEC §5 rule 6, §6 "Minors and ADS consents") end to end on
// PostgreSQL: the subject's FACEBOOK account says adult, its INSTAGRAM account holds
// the only avatar, email and a second birthdate. Every path (viewer, person, appAccount,
// _entities) is read by the owner and by an outsider, for ads and not.

// minorQuery reads the subject's INSTAGRAM values through every path.
const minorQuery = `query($id: ID!, $uid: String!, $r: [_Any!]!) {
	person(id: $id) { profile { displayName avatar { url } email birthdate } }
	appAccount(app: INSTAGRAM, appUserId: $uid) { username avatar { url } email birthdate }
	_entities(representations: $r) { ... on Person { profile { avatar { url } email } } ... on AppAccount { username avatar { url } email birthdate } } }`

const minorViewerQuery = `{ viewer { ageRange profile { displayName avatar { url } email birthdate } } }`

// minorBirthdate is the birthdate of someone 16 years and 2 months old today.
func minorBirthdate() string { return time.Now().UTC().AddDate(-16, -2, 0).Format("2006-01-02") }

// minorSubject makes a person of FACEBOOK (adult) and INSTAGRAM (no birthdate yet)
// accounts named after name, and grants INSTAGRAM→FACEBOOK PROFILE, CONTACT and AGE for
// SERVICE and, when ads, for ADS too. It returns the person id.
func minorSubject(t *testing.T, s *testServer, name string, ads bool) string {
	t.Helper()
	pid := s.mkPerson(t,
		account{App: profile.AppFacebook, UserID: name + "-fb", Fields: map[string]any{"displayName": "Same on Facebook", "birthdate": "1990-05-01"}},
		account{App: profile.AppInstagram, UserID: name + "-ig", Fields: map[string]any{"avatarUrl": "https://cdn.example.com/same.png", "email": "same@ig.example.com"}})
	tok := userToken(t, profile.AppFacebook, name+"-fb")
	for _, c := range []string{"PROFILE", "CONTACT", "AGE"} {
		mustOK(t, s.query(t, tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, c, "SERVICE")))
		if ads {
			mustOK(t, s.query(t, tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, c, "ADS")))
		}
	}
	return pid
}

func minorVars(pid, name string) map[string]any {
	return map[string]any{"id": pid, "uid": name + "-ig", "r": []any{
		map[string]any{"__typename": "Person", "id": pid},
		map[string]any{"__typename": "AppAccount", "app": "INSTAGRAM", "appUserId": name + "-ig"},
	}}
}

// wantMinorForbidden fails unless path is null with FORBIDDEN, reason MINOR.
func wantMinorForbidden(t *testing.T, r *gqlResponse, path string) {
	t.Helper()
	if e := wantDenied(t, r, path, "FORBIDDEN"); e.Extensions["reason"] != "MINOR" {
		t.Fatalf("%s: FORBIDDEN extensions %v, want reason MINOR\n%s", path, e.Extensions, r.Raw)
	}
}

// wantNoMinorReason fails if any error of r gives the MINOR reason away.
func wantNoMinorReason(t *testing.T, r *gqlResponse) {
	t.Helper()
	for _, e := range r.Errors {
		if _, ok := e.Extensions["reason"]; ok || strings.Contains(strings.ToLower(e.Message), "minor") {
			t.Fatalf("an outsider's error tells the person is a minor: %+v\n%s", e, r.Raw)
		}
	}
}

// wantSameAnswer fails unless a and b have the same data and the same errors (in any
// order: root fields resolve concurrently).
func wantSameAnswer(t *testing.T, a, b *gqlResponse) {
	t.Helper()
	norm := func(r *gqlResponse) string {
		data, _ := json.Marshal(r.Data)
		errs := make([]string, len(r.Errors))
		for i, e := range r.Errors {
			b, _ := json.Marshal(e)
			errs[i] = string(b)
		}
		slices.Sort(errs)
		return string(data) + "\n" + strings.Join(errs, "\n")
	}
	if na, nb := norm(a), norm(b); na != nb {
		t.Fatalf("the minor's answer differs from the control's:\nminor   %s\ncontrol %s", na, nb)
	}
}

func TestE2EMinors(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	const name = "mia"
	pid := minorSubject(t, s, name, true)
	// The control: the same values and SERVICE consents, an adult without ADS consents.
	ctl := minorSubject(t, s, "ctl", false)
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "olga-fb"}, account{App: profile.AppThreads, UserID: "olga-th"})

	owner, ownerAds := userToken(t, profile.AppFacebook, name+"-fb"), adsToken(t, profile.AppFacebook, name+"-fb")
	outsider, outsiderAds := userToken(t, profile.AppFacebook, "olga-fb"), adsToken(t, profile.AppFacebook, "olga-fb")
	vars := minorVars(pid, name)

	// While the age is unknown, ads requests see INSTAGRAM's data under the ADS consents.
	r := s.query(t, ownerAds, minorQuery, vars)
	wantEq(t, r, "person.profile.avatar.url", "https://cdn.example.com/same.png")
	wantEq(t, r, "appAccount.email", "same@ig.example.com")

	// INSTAGRAM's backend pushes a birthdate: the person is 16 now.
	minor := minorBirthdate()
	s.upsert(t, profile.AppInstagram, map[string]any{"appUserId": name + "-ig", "username": "mia.ig", "birthdate": minor})

	t.Run("the owner's ads requests get FORBIDDEN reason MINOR on every path", func(t *testing.T) {
		r := s.query(t, ownerAds, minorQuery, vars)
		for _, p := range []string{"person.profile.avatar", "person.profile.email", "appAccount.username", "appAccount.avatar",
			"appAccount.email", "appAccount.birthdate", "_entities.0.profile.avatar", "_entities.0.profile.email",
			"_entities.1.username", "_entities.1.avatar", "_entities.1.email", "_entities.1.birthdate"} {
			wantMinorForbidden(t, r, p)
		}
		for _, e := range r.Errors {
			if e.Code() == "CONSENT_REQUIRED" {
				t.Fatalf("a minor's ads request is asked for a consent: %+v", e)
			}
		}
		// FACEBOOK's own values stay: rule 6 is about data crossing apps.
		wantEq(t, r, "person.profile.displayName", "Same on Facebook")
		wantEq(t, r, "person.profile.birthdate", "1990-05-01")
		v := s.query(t, ownerAds, minorViewerQuery, nil)
		wantEq(t, v, "viewer.ageRange", "AGE_16_17")
		wantMinorForbidden(t, v, "viewer.profile.avatar")
		wantMinorForbidden(t, v, "viewer.profile.email")
		wantEq(t, v, "viewer.profile.displayName", "Same on Facebook")
	})

	t.Run("the visibility check-up shows MINOR_PROTECTION for the ads rows of other apps", func(t *testing.T) {
		const q = `query($p: Purpose, $a: Audience) { viewer { visibility(targetApp: FACEBOOK, purpose: $p, audience: $a) {
			field sourceApp visible rule requires { purpose } } } }`
		for _, aud := range []string{"OWNER", "OTHERS"} {
			r := mustOK(t, s.query(t, owner, q, map[string]any{"p": "ADS", "a": aud}))
			rows := asList(r.Get("viewer.visibility"))
			if len(rows) == 0 {
				t.Fatalf("%s: no rows: %s", aud, r.Raw)
			}
			for _, row := range rows {
				m := row.(map[string]any)
				switch m["sourceApp"] {
				case "INSTAGRAM":
					if m["rule"] != "MINOR_PROTECTION" || m["visible"] != false || len(asList(m["requires"])) != 0 {
						t.Errorf("%s: INSTAGRAM row %v, want MINOR_PROTECTION, hidden, nothing required", aud, m)
					}
				case "FACEBOOK":
					if m["rule"] == "MINOR_PROTECTION" {
						t.Errorf("%s: FACEBOOK's own row %v is MINOR_PROTECTION", aud, m)
					}
				}
			}
			// Not for ads: the consents decide as usual.
			r = mustOK(t, s.query(t, owner, q, map[string]any{"p": "SERVICE", "a": aud}))
			for _, row := range asList(r.Get("viewer.visibility")) {
				if m := row.(map[string]any); m["rule"] == "MINOR_PROTECTION" {
					t.Errorf("%s SERVICE: %v is MINOR_PROTECTION", aud, m)
				}
			}
		}
	})

	t.Run("the owner's own requests still see what SERVICE consents allow", func(t *testing.T) {
		r := mustOK(t, s.query(t, owner, minorQuery, vars))
		wantEq(t, r, "person.profile.avatar.url", "https://cdn.example.com/same.png")
		wantEq(t, r, "appAccount.birthdate", minor)
		wantEq(t, r, "_entities.1.email", "same@ig.example.com")
		v := mustOK(t, s.query(t, owner, minorViewerQuery, nil))
		wantEq(t, v, "viewer.ageRange", "AGE_16_17")
		wantEq(t, v, "viewer.profile.email", "same@ig.example.com")
	})

	t.Run("an outsider's ads request cannot tell a minor from an adult without ADS consents", func(t *testing.T) {
		r := s.query(t, outsiderAds, minorQuery, vars)
		wantHidden(t, r, "person.profile.avatar")
		wantDenied(t, r, "person.profile.email", "FORBIDDEN")
		wantHidden(t, r, "appAccount.username")
		wantHidden(t, r, "appAccount.avatar")
		wantDenied(t, r, "appAccount.birthdate", "FORBIDDEN")
		wantHidden(t, r, "_entities.1.avatar")
		wantNoMinorReason(t, r)
		wantSameAnswer(t, r, s.query(t, outsiderAds, minorQuery, minorVars(ctl, "ctl")))
		// Not for ads, the PROFILE consent lets the outsider see the bio.
		r = s.query(t, outsider, minorQuery, vars)
		wantEq(t, r, "person.profile.avatar.url", "https://cdn.example.com/same.png")
		wantEq(t, r, "_entities.1.avatar.url", "https://cdn.example.com/same.png")
		wantDenied(t, r, "appAccount.email", "FORBIDDEN")
	})

	t.Run("the push deleted the ADS consents with a reason, and grants are refused", func(t *testing.T) {
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1 AND purpose = 'ADS'`, pid); n != 0 {
			t.Fatalf("%d ADS consents left for a minor", n)
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1 AND purpose = 'SERVICE'`, pid); n != 3 {
			t.Fatalf("%d SERVICE consents, want the 3 granted", n)
		}
		a := mustOK(t, s.query(t, owner, `{ viewer { activity(first: 10) { edges { node { type app detail } } } } }`, nil))
		revoked := 0
		for _, e := range a.Get("viewer.activity.edges").([]any) {
			n := e.(map[string]any)["node"].(map[string]any)
			if n["type"] == "CONSENT_REVOKED" {
				revoked++
				if d, _ := n["detail"].(string); !strings.Contains(d, "ADS") || !strings.Contains(d, "minor") || !strings.Contains(d, "INSTAGRAM pushed") {
					t.Errorf("CONSENT_REVOKED detail %q does not say why", d)
				}
			}
		}
		if revoked != 3 {
			t.Fatalf("%d CONSENT_REVOKED events, want 3\n%s", revoked, a.Raw)
		}
		before := snapshot(t, db)
		g := s.query(t, owner, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "ADS"))
		wantMinorForbidden(t, g, "grantConsent")
		wantUnchanged(t, db, before)
	})

	t.Run("a stray ADS consent changes nothing: whatever the consents", func(t *testing.T) {
		if _, err := db.Exec(t.Context(), `INSERT INTO consents (person_id, source_app, target_app, category, purpose)
			VALUES ($1, 'INSTAGRAM', 'FACEBOOK', 'PROFILE', 'ADS'), ($1, 'INSTAGRAM', 'FACEBOOK', 'CONTACT', 'ADS')`, pid); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := db.Exec(t.Context(), `DELETE FROM consents WHERE person_id = $1 AND purpose = 'ADS'`, pid); err != nil {
				t.Error(err)
			}
		}()
		r := s.query(t, ownerAds, minorQuery, vars)
		wantMinorForbidden(t, r, "person.profile.avatar")
		wantMinorForbidden(t, r, "_entities.1.email")
		wantSameAnswer(t, s.query(t, outsiderAds, minorQuery, vars), s.query(t, outsiderAds, minorQuery, minorVars(ctl, "ctl")))
	})

	t.Run("linking a minor's account deletes the ADS consents", func(t *testing.T) {
		nid := minorSubject(t, s, "nia", true)
		s.mkAccount(t, account{App: profile.AppWhatsApp, UserID: "nia-wa", Fields: map[string]any{"birthdate": minorBirthdate()}})
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1 AND purpose = 'ADS'`, nid); n != 3 {
			t.Fatalf("%d ADS consents before the link, want 3", n)
		}
		mustOK(t, s.link(t, profile.AppFacebook, "nia-fb", profile.AppWhatsApp, "nia-wa"))
		v := mustOK(t, s.query(t, userToken(t, profile.AppFacebook, "nia-fb"), `{ viewer { ageRange consents { purpose } } }`, nil))
		wantEq(t, v, "viewer.ageRange", "AGE_16_17")
		for _, c := range v.Get("viewer.consents").([]any) {
			if c.(map[string]any)["purpose"] == "ADS" {
				t.Fatalf("a minor still holds an ADS consent: %s", v.Raw)
			}
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'CONSENT_REVOKED' AND detail LIKE '%WHATSAPP account just linked%'`, nid); n != 3 {
			t.Fatalf("%d CONSENT_REVOKED events naming the link, want 3", n)
		}
		wantMinorForbidden(t, s.query(t, adsToken(t, profile.AppFacebook, "nia-fb"), minorQuery, minorVars(nid, "nia")), "appAccount.avatar")
	})

	t.Run("a corrected birthdate brings no consent back", func(t *testing.T) {
		s.upsert(t, profile.AppInstagram, map[string]any{"appUserId": name + "-ig", "username": "mia.ig", "birthdate": "1991-01-01"})
		v := mustOK(t, s.query(t, owner, `{ viewer { ageRange consents { purpose } } }`, nil))
		wantEq(t, v, "viewer.ageRange", "ADULT")
		if n := len(v.Get("viewer.consents").([]any)); n != 3 {
			t.Fatalf("%d consents after the correction, want the 3 SERVICE ones\n%s", n, v.Raw)
		}
		// An adult without ADS consents: the owner is asked again, as anyone would be.
		r := s.query(t, ownerAds, minorQuery, vars)
		wantConsentRequired(t, r, "person.profile.avatar", "PROFILE", profile.AppInstagram)
		mustOK(t, s.query(t, owner, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, "PROFILE", "ADS")))
		wantEq(t, s.query(t, ownerAds, minorQuery, vars), "person.profile.avatar.url", "https://cdn.example.com/same.png")
	})
}

// TestE2EMinorAcrossReplicas: a birthdate push on replica A that makes the person a
// minor is a privacy write like a revoke (SPEC §10): B's very next ads request shows
// nothing that crosses apps, and tells the owner why, although B cached the account
// before the push (and, deaf, never hears of it). The age is read fresh with the links.
func TestE2EMinorAcrossReplicas(t *testing.T) {
	const rounds = 30
	for _, mode := range cacheModes {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			a, b := startModeReplicas(t, mode)
			const name = "rep"
			pid := minorSubject(t, a, name, true)
			a.mkPerson(t, account{App: profile.AppFacebook, UserID: "olga-fb"}, account{App: profile.AppThreads, UserID: "olga-th"})
			owner, ownerAds := userToken(t, profile.AppFacebook, name+"-fb"), adsToken(t, profile.AppFacebook, name+"-fb")
			outsiderAds := adsToken(t, profile.AppFacebook, "olga-fb")
			vars := minorVars(pid, name)
			crossing := []string{"person.profile.avatar", "person.profile.email", "appAccount.avatar", "appAccount.email",
				"_entities.0.profile.avatar", "_entities.1.avatar", "_entities.1.email"}
			var v violations
			for i := range rounds {
				// B warms up: the ADS consents let INSTAGRAM's data reach FACEBOOK's ads.
				r := b.query(t, ownerAds, minorQuery, vars)
				if got, _ := r.Get("appAccount.email").(string); got != "same@ig.example.com" {
					t.Fatalf("round %d: before the push B shows appAccount.email = %v\n%s", i, r.Get("appAccount.email"), r.Raw)
				}

				a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": name + "-ig", "username": "rep.ig", "birthdate": minorBirthdate()})
				r = b.query(t, ownerAds, minorQuery, vars)
				for _, p := range crossing {
					if val := r.Get(p); val != nil {
						v.add("round %d: after the push on A, B's owner ads request shows %s = %v", i, p, val)
					} else if e := r.ErrorAt(p); e == nil || e.Code() != "FORBIDDEN" || e.Extensions["reason"] != "MINOR" {
						v.add("round %d: after the push on A, B's owner ads request has %s hidden with %+v, want FORBIDDEN reason MINOR", i, p, e)
					}
				}
				if got := b.query(t, ownerAds, `{ viewer { ageRange } }`, nil).Get("viewer.ageRange"); got != "AGE_16_17" {
					v.add("round %d: after the push on A, B says ageRange %v", i, got)
				}
				o := b.query(t, outsiderAds, minorQuery, vars)
				for _, p := range crossing {
					if val := o.Get(p); val != nil {
						v.add("round %d: after the push on A, B's outsider ads request shows %s = %v", i, p, val)
					}
				}

				// Back to an adult, with the ADS consents granted anew, for the next round.
				a.upsert(t, profile.AppInstagram, map[string]any{"appUserId": name + "-ig", "username": "rep.ig", "birthdate": "1991-01-01"})
				for _, c := range []string{"PROFILE", "CONTACT"} {
					mustMutate(t, a, owner, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, c, "ADS"))
				}
			}
			v.check(t, "a birthdate push across replicas")
		})
	}
}

// TestE2EMinorGrantRace: over HTTP on PostgreSQL, ADS grants race with the birthdate
// push that makes the person a minor; whichever commits first, no ADS consent is left,
// and every refused grant says MINOR.
func TestE2EMinorGrantRace(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	db := openDB(t, s)
	const rounds = 15
	granted, refused := 0, 0
	for i := range rounds {
		name := fmt.Sprintf("race%d", i)
		pid := minorSubject(t, s, name, false)
		tok := userToken(t, profile.AppFacebook, name+"-fb")
		cats := []string{"PROFILE", "CONTACT", "AGE", "ACTIVITY", "DEVICE"}
		grants := make([]*gqlResponse, len(cats))
		var wg sync.WaitGroup
		for j, c := range cats {
			wg.Add(1)
			go func() {
				defer wg.Done()
				grants[j] = s.query(t, tok, grantMutation, consentInput(profile.AppInstagram, profile.AppFacebook, c, "ADS"))
			}()
		}
		var push *gqlResponse
		wg.Add(1)
		go func() {
			defer wg.Done()
			push = s.query(t, serviceToken(t, profile.AppInstagram), `mutation($in: UpsertAppAccountInput!) { upsertAppAccount(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"appUserId": name + "-ig", "username": name + ".ig", "birthdate": minorBirthdate()}})
		}()
		wg.Wait()
		mustOK(t, push)
		for _, g := range grants {
			if len(g.Errors) == 0 {
				granted++
				continue
			}
			wantMinorForbidden(t, g, "grantConsent")
			refused++
		}
		if n := dbVal[int](t, db, `SELECT count(*) FROM consents WHERE person_id = $1 AND purpose = 'ADS'`, pid); n != 0 {
			t.Fatalf("round %d: the minor holds %d ADS consents", i, n)
		}
		revoked := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'CONSENT_REVOKED'`, pid)
		if granted0 := dbVal[int](t, db, `SELECT count(*) FROM activity WHERE person_id = $1 AND type = 'CONSENT_GRANTED' AND detail LIKE '%ADS'`, pid); revoked != granted0 {
			t.Fatalf("round %d: %d ADS grants committed but %d CONSENT_REVOKED", i, granted0, revoked)
		}
	}
	t.Logf("%d rounds over HTTP: %d ADS grants committed before the push (then deleted), %d refused with MINOR", rounds, granted, refused)
}
