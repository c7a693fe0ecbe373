package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

// The visibility check-up (SPEC §6) against real requests: for random worlds, every
// row of Person.visibility(targetApp, purpose, audience) says `visible` exactly when a
// real request of targetApp with that purpose, made by that audience, gets the field's
// value through appAccount; and the rows are exactly the (field, app) that hold a value,
// ordered by field name then app.
//
// "As the person" (OWNER) is the person's own account in targetApp (a user token of it,
// with the purpose). When the person has no account in targetApp, no request of that
// app can be the person's: the real request is then a user token of an account of
// targetApp that is linked to nobody, and nothing of another app crosses to it either
// way (no consent can name an app the person has not linked). OTHERS is an outsider's
// user token in targetApp: an account of another person (FACEBOOK and INSTAGRAM) or of
// nobody (the other apps).

// visWorlds is how many random worlds the equivalence test builds.
const visWorlds = 60

// visFields are the gated fields a world can fill, with the selection that reads them.
var visFields = map[string]string{
	"username": "username", "displayName": "displayName", "avatar": "avatar { url }",
	"phoneNumber": "phoneNumber", "email": "email", "birthdate": "birthdate",
	"devices": "devices { id }", "crossPosts": "crossPosts(first: 1) { edges { node { id } } }",
}

const visQuery = `query($t: App!, $u: Purpose, $a: Audience) { viewer { visibility(targetApp: $t, purpose: $u, audience: $a) {
	field category sourceApp visible rule requires { sourceApp targetApp category purpose } } } }`

func TestE2EVisibilityMatchesRealRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	// Outsiders: a person of FACEBOOK and INSTAGRAM accounts, and lone accounts elsewhere
	// (also the OWNER request of an app the person has not linked, see above).
	s.mkPerson(t, account{App: profile.AppFacebook, UserID: "vis-out"}, account{App: profile.AppInstagram, UserID: "vis-out"})
	for _, app := range profile.Apps[2:] {
		s.mkAccount(t, account{App: app, UserID: "vis-out"})
	}
	lone := map[profile.App]string{}
	for _, app := range profile.Apps {
		lone[app] = "vis-lone"
		if app == profile.AppFacebook || app == profile.AppInstagram {
			s.mkAccount(t, account{App: app, UserID: "vis-lone"})
		} else {
			lone[app] = "vis-out"
		}
	}

	seed := uint64(20261201)
	rng := rand.New(rand.NewPCG(seed, 12))
	t.Logf("seed %d", seed)
	rows, checked := 0, 0
	for w := range visWorlds {
		rows += visWorld(t, s, rng, w, lone, &checked)
	}
	t.Logf("%d worlds, %d rows, %d real resolutions compared", visWorlds, rows, checked)
	if rows == 0 || checked == 0 {
		t.Fatal("the worlds compared nothing")
	}
}

// visWorld builds world w, checks every check-up of it and returns how many rows it saw.
func visWorld(t *testing.T, s *testServer, rng *rand.Rand, w int, lone map[profile.App]string, checked *int) int {
	t.Helper()
	apps := slices.Clone(profile.Apps)
	rng.Shuffle(len(apps), func(i, j int) { apps[i], apps[j] = apps[j], apps[i] })
	apps = apps[:2+rng.IntN(4)]
	uid := func(app profile.App) string { return fmt.Sprintf("vw%d-%s", w, strings.ToLower(string(app))) }
	has := map[profile.App]map[string]bool{}
	var accs []account
	for _, app := range apps {
		f := map[string]any{}
		has[app] = map[string]bool{"username": true}
		maybe := func(field string, v any) {
			if rng.IntN(2) == 0 {
				f[field] = v
				has[app][field] = true
			}
		}
		maybe("displayName", "Name in "+string(app))
		if rng.IntN(2) == 0 {
			f["avatarUrl"] = "https://cdn.example.com/" + uid(app) + ".png"
			has[app]["avatar"] = true
		}
		maybe("phoneNumber", "+16502530000")
		maybe("email", uid(app)+"@example.com")
		maybe("birthdate", fmt.Sprintf("19%d-0%d-1%d", 50+rng.IntN(40), 1+rng.IntN(9), rng.IntN(10)))
		if rng.IntN(2) == 0 {
			f["devices"] = deviceList("dev-" + uid(app))
			has[app]["devices"] = true
		}
		accs = append(accs, account{App: app, UserID: uid(app), Fields: f})
	}
	pid := s.mkPerson(t, accs...)
	owner := userToken(t, apps[0], uid(apps[0]))
	// A cross-post or two, each under a rule of the settings.
	var rules []string
	var posts [][2]profile.App
	for range rng.IntN(3) {
		from, to := apps[rng.IntN(len(apps))], apps[rng.IntN(len(apps))]
		if from != to {
			rules = append(rules, fmt.Sprintf("{from: %s, to: %s}", from, to))
			posts = append(posts, [2]profile.App{from, to})
		}
	}
	if len(posts) > 0 {
		mustOK(t, s.query(t, owner, `mutation { updateSettings(input: {crossPosting: [`+strings.Join(rules, ", ")+`]}) { version } }`, nil))
		for i, p := range posts {
			mustOK(t, s.query(t, serviceToken(t, p[0]), `mutation($in: CrossPostInput!) { crossPost(input: $in) { id } }`,
				crossPostIn(uid(p[0]), p[1], fmt.Sprintf("post-%d", i))))
			has[p[0]]["crossPosts"] = true
		}
	}
	// Random consents between the linked apps, SERVICE and ADS, any category.
	for range rng.IntN(10) {
		src, dst := apps[rng.IntN(len(apps))], apps[rng.IntN(len(apps))]
		if src == dst {
			continue
		}
		purpose := []string{"SERVICE", "ADS"}[rng.IntN(2)]
		mustOK(t, s.query(t, owner, grantMutation, map[string]any{"in": map[string]any{"sourceApp": src, "targetApp": dst,
			"category": profile.Categories[rng.IntN(len(profile.Categories))], "purpose": purpose}}))
	}

	// One read of every account by its key, as the real request of each case.
	var sel strings.Builder
	sel.WriteString("{")
	for i, app := range apps {
		fields := make([]string, 0, len(visFields))
		for _, f := range visFields {
			fields = append(fields, f)
		}
		slices.Sort(fields)
		fmt.Fprintf(&sel, " a%d: appAccount(app: %s, appUserId: %q) { %s }", i, app, uid(app), strings.Join(fields, " "))
	}
	sel.WriteString(" }")

	n := 0
	for _, target := range profile.Apps {
		for _, purpose := range []string{"SERVICE", "ADS"} {
			for _, audience := range []string{"OWNER", "OTHERS"} {
				r := mustOK(t, s.query(t, owner, visQuery, map[string]any{"t": target, "u": purpose, "a": audience}))
				list := asList(r.Get("viewer.visibility"))
				n += len(list)
				var tok string
				switch {
				case audience == "OTHERS":
					tok = userTokenFor(t, target, "vis-out", purpose)
				case slices.Contains(apps, target):
					tok = userTokenFor(t, target, uid(target), purpose)
				default:
					tok = userTokenFor(t, target, lone[target], purpose)
				}
				real := s.query(t, tok, sel.String(), nil)
				what := fmt.Sprintf("world %d (person %s, apps %v), targetApp %s, purpose %s, audience %s", w, pid, apps, target, purpose, audience)
				checkRows(t, what, list, apps, has, real, checked)
			}
		}
	}
	return n
}

func userTokenFor(tb testing.TB, app profile.App, sub, purpose string) string {
	if purpose == "ADS" {
		return adsToken(tb, app, sub)
	}
	return userToken(tb, app, sub)
}

// checkRows compares the rows of one check-up with the world and with the real read.
func checkRows(t *testing.T, what string, rows []any, apps []profile.App, has map[profile.App]map[string]bool, real *gqlResponse, checked *int) {
	t.Helper()
	type key struct {
		field string
		app   int
	}
	var want []key
	for f := range visFields {
		for _, app := range apps {
			if has[app][f] {
				want = append(want, key{f, slices.Index(profile.Apps, app)})
			}
		}
	}
	slices.SortFunc(want, func(x, y key) int {
		if c := strings.Compare(x.field, y.field); c != 0 {
			return c
		}
		return x.app - y.app
	})
	var got []key
	for _, row := range rows {
		m := row.(map[string]any)
		app := profile.App(m["sourceApp"].(string))
		field := m["field"].(string)
		got = append(got, key{field, slices.Index(profile.Apps, app)})
		alias := fmt.Sprintf("a%d.%s", slices.Index(apps, app), field)
		val := real.Get(alias)
		shown := val != nil
		switch field {
		case "devices":
			shown = len(asList(val)) > 0
		case "crossPosts":
			shown = val != nil && len(asList(real.Get(alias+".edges"))) > 0
		}
		visible := m["visible"].(bool)
		*checked++
		if visible != shown {
			t.Errorf("%s: row %v says visible=%v, the real request gets %v (%s)", what, m, visible, val, real.Raw)
		}
		requires := asList(m["requires"])
		if visible && len(requires) > 0 {
			t.Errorf("%s: visible row %v requires consents", what, m)
		}
		switch rule := m["rule"].(string); {
		case visible && rule != "SAME_APP" && rule != "CONSENT_GRANTED",
			!visible && (rule == "SAME_APP" || rule == "CONSENT_GRANTED"),
			rule == "NOT_PROFILE_DATA" && len(requires) > 0,
			(rule == "CONSENT_MISSING" || rule == "ADS_CONSENT_MISSING") && len(requires) == 0:
			t.Errorf("%s: row %v has an inconsistent rule", what, m)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: rows %v, want %v", what, got, want)
	}
}

func TestE2EVisibilityIsOwnerOnly(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	pid := s.mkPerson(t, account{App: profile.AppFacebook, UserID: "vo-fb", Fields: map[string]any{"email": "vo@example.com"}},
		account{App: profile.AppInstagram, UserID: "vo-ig", Fields: map[string]any{"displayName": "IG name"}})
	s.mkAccount(t, account{App: profile.AppFacebook, UserID: "vo-out"})
	const q = `query($p: ID!) { person(id: $p) { id visibility(targetApp: FACEBOOK) { field sourceApp visible rule
		requires { sourceApp targetApp category purpose } } } }`
	vars := map[string]any{"p": pid}

	r := mustOK(t, s.query(t, userToken(t, profile.AppFacebook, "vo-fb"), q, vars))
	wantEq(t, r, "person.visibility", []any{
		map[string]any{"field": "displayName", "sourceApp": "INSTAGRAM", "visible": false, "rule": "CONSENT_MISSING",
			"requires": []any{map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": "PROFILE", "purpose": "SERVICE"}}},
		map[string]any{"field": "email", "sourceApp": "FACEBOOK", "visible": true, "rule": "SAME_APP", "requires": []any{}},
		map[string]any{"field": "username", "sourceApp": "FACEBOOK", "visible": true, "rule": "SAME_APP", "requires": []any{}},
		map[string]any{"field": "username", "sourceApp": "INSTAGRAM", "visible": false, "rule": "CONSENT_MISSING",
			"requires": []any{map[string]any{"sourceApp": "INSTAGRAM", "targetApp": "FACEBOOK", "category": "PROFILE", "purpose": "SERVICE"}}},
	})
	for name, tok := range map[string]string{
		"another person":  userToken(t, profile.AppFacebook, "vo-out"),
		"a service token": serviceToken(t, profile.AppFacebook),
		"an ads request":  adsToken(t, profile.AppFacebook, "vo-fb"),
	} {
		r := s.query(t, tok, q, vars)
		if e := r.ErrorAt("person.visibility"); e == nil || e.Code() != "FORBIDDEN" || r.Get("person.visibility") != nil {
			t.Errorf("%s: want null with FORBIDDEN, got %s", name, r.Raw)
		}
	}
	r = s.query(t, "", q, vars)
	if r.Status != 401 {
		t.Errorf("no token: status %d", r.Status)
	}
	wantOnlyError(t, r, "UNAUTHENTICATED")
}
