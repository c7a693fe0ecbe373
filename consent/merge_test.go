package consent_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

func ptr[T any](v T) *T { return &v }

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// mustAccount returns an account of person p in app with every gated field set, updated
// `ago` before t0.
func mustAccount(tb testing.TB, p string, app profile.App, ago time.Duration) *profile.Account {
	tb.Helper()
	name := string(app)
	return &profile.Account{
		ID:          "acct-" + name,
		App:         app,
		AppUserID:   "u-" + name,
		PersonID:    p,
		Username:    "user_" + name,
		DisplayName: ptr("Name " + name),
		Bio:         ptr("Bio " + name),
		Avatar:      &profile.Avatar{URL: "https://cdn.example/" + name + ".png"},
		PhoneNumber: ptr("+16502530000"),
		Email:       ptr(name + "@example.com"),
		Birthdate:   &profile.Date{Year: 1990, Month: time.May, Day: 4},
		UpdatedAt:   t0.Add(-ago),
	}
}

func TestHasValue(t *testing.T) {
	full := mustAccount(t, personP, profile.AppFacebook, 0)
	empty := &profile.Account{
		DisplayName: ptr(""), Bio: ptr(""), Avatar: &profile.Avatar{}, PhoneNumber: ptr(""),
		Email: ptr(""), Birthdate: &profile.Date{},
	}
	for _, f := range profile.ProfileFields {
		t.Run(string(f)+" set", func(t *testing.T) {
			if !consent.HasValue(full, f) {
				t.Fatalf("HasValue(full, %s) = false", f)
			}
		})
		t.Run(string(f)+" empty", func(t *testing.T) {
			if consent.HasValue(empty, f) {
				t.Fatalf("HasValue(empty, %s) = true", f)
			}
		})
		t.Run(string(f)+" unset", func(t *testing.T) {
			if consent.HasValue(&profile.Account{}, f) {
				t.Fatalf("HasValue(zero, %s) = true", f)
			}
		})
	}
	t.Run("unknown field has no value", func(t *testing.T) {
		if consent.HasValue(full, "password") {
			t.Fatal("HasValue(full, password) = true")
		}
	})
	t.Run("nil account has no value", func(t *testing.T) {
		if consent.HasValue(nil, profile.FieldUsername) {
			t.Fatal("HasValue(nil) = true")
		}
	})
}

func TestMerge(t *testing.T) {
	fb, ig, wa, th := profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp, profile.AppThreads
	svc := profile.PurposeService
	owner := consent.Request{ViewerAccountID: "acct-INSTAGRAM", ViewerPersonID: personP, App: ig, Purpose: svc}
	stranger := consent.Request{ViewerAccountID: "x", ViewerPersonID: personQ, App: ig, Purpose: svc}
	grant := func(s profile.App, c profile.Category) *profile.Consent {
		return &profile.Consent{PersonID: personP, SourceApp: s, TargetApp: ig, Category: c, Purpose: svc}
	}
	// A person with accounts in FB (newest), IG (oldest) and WA (in between).
	accounts := func(tb testing.TB) []*profile.Account {
		tb.Helper()
		return []*profile.Account{
			mustAccount(tb, personP, fb, time.Minute),
			mustAccount(tb, personP, ig, time.Hour),
			mustAccount(tb, personP, wa, 30*time.Minute),
		}
	}
	withoutIG := func(tb testing.TB) []*profile.Account {
		tb.Helper()
		a := accounts(tb)
		return []*profile.Account{a[0], a[2]}
	}
	linked := []profile.App{fb, ig, wa}

	tests := []struct {
		name     string
		r        consent.Request
		accounts []*profile.Account
		grants   []*profile.Consent
		f        profile.Field
		wantApp  profile.App // "" = nothing chosen
		wantCode profile.Code
		wantSrc  profile.App // sourceApp of CONSENT_REQUIRED
	}{
		{"prefers the requesting app's own account over newer ones", owner, accounts(t), []*profile.Consent{grant(fb, profile.CategoryProfile), grant(wa, profile.CategoryProfile)}, profile.FieldDisplayName, ig, "", ""},
		{"without own value takes the most recent visible", owner, withoutIG(t), []*profile.Consent{grant(fb, profile.CategoryProfile), grant(wa, profile.CategoryProfile)}, profile.FieldBio, fb, "", ""},
		{"skips a newer hidden value", owner, withoutIG(t), []*profile.Consent{grant(wa, profile.CategoryContact)}, profile.FieldEmail, wa, "", ""},
		{"own account wins without any consent", owner, accounts(t), nil, profile.FieldPhoneNumber, ig, "", ""},
		{"owner is asked for consent for the value that would win", owner, withoutIG(t), nil, profile.FieldBirthdate, "", profile.ConsentRequired, fb},
		{"owner without any value gets null", owner, withoutIG(t)[:0], nil, profile.FieldEmail, "", "", ""},
		{"stranger is forbidden contact data", stranger, accounts(t), []*profile.Consent{grant(fb, profile.CategoryContact)}, profile.FieldEmail, "", profile.Forbidden, ""},
		{"stranger is forbidden contact data even without values", stranger, nil, nil, profile.FieldPhoneNumber, "", profile.Forbidden, ""},
		{"stranger gets silent null for hidden profile", stranger, withoutIG(t), nil, profile.FieldDisplayName, "", "", ""},
		{"stranger sees consented profile", stranger, withoutIG(t), []*profile.Consent{grant(wa, profile.CategoryProfile)}, profile.FieldUsername, wa, "", ""},
		{"consent from an app no longer linked is inert", owner, withoutIG(t), []*profile.Consent{grant(th, profile.CategoryProfile)}, profile.FieldDisplayName, "", profile.ConsentRequired, fb},
		{"unknown field is internal", owner, accounts(t), nil, "password", "", profile.Internal, ""},
		// SPEC §5 "An app's own records".
		{"service token sees its own app's contact value", consent.Request{App: ig, Service: true}, accounts(t), nil, profile.FieldEmail, ig, "", ""},
		{"service token is forbidden other apps' contact values", consent.Request{App: ig, Service: true}, withoutIG(t), []*profile.Consent{grant(fb, profile.CategoryContact)}, profile.FieldEmail, "", profile.Forbidden, ""},
		{"service token sees consented profile of other apps", consent.Request{App: ig, Service: true}, withoutIG(t), []*profile.Consent{grant(wa, profile.CategoryProfile)}, profile.FieldUsername, wa, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := consent.NewGrants(linked, tc.grants)
			got, err := consent.Merge(tc.r, personP, tc.accounts, g, tc.f)
			assertMerge(t, got, err, tc.wantApp, tc.wantCode)
			if tc.wantCode == profile.ConsentRequired {
				if err.Extensions["sourceApp"] != string(tc.wantSrc) || err.Extensions["category"] != string(profile.FieldCategory[tc.f]) {
					t.Fatalf("extensions %v, want sourceApp %s and category %s", err.Extensions, tc.wantSrc, profile.FieldCategory[tc.f])
				}
			}
		})
	}

	t.Run("equal update times break ties by app order", func(t *testing.T) {
		a := []*profile.Account{mustAccount(t, personP, th, 0), mustAccount(t, personP, wa, 0), mustAccount(t, personP, fb, 0)}
		g := consent.NewGrants(profile.Apps, []*profile.Consent{grant(fb, profile.CategoryProfile), grant(wa, profile.CategoryProfile), grant(th, profile.CategoryProfile)})
		got, err := consent.Merge(owner, personP, a, g, profile.FieldDisplayName)
		assertMerge(t, got, err, fb, "")
	})
	t.Run("empty own value does not win", func(t *testing.T) {
		a := accounts(t)
		a[1].Bio = ptr("")
		g := consent.NewGrants(linked, []*profile.Consent{grant(wa, profile.CategoryProfile)})
		got, err := consent.Merge(owner, personP, a, g, profile.FieldBio)
		assertMerge(t, got, err, wa, "")
	})
	t.Run("account of another person takes no part", func(t *testing.T) {
		a := withoutIG(t)
		a[0].PersonID = personQ
		g := consent.NewGrants(linked, []*profile.Consent{grant(fb, profile.CategoryProfile), grant(wa, profile.CategoryProfile)})
		got, err := consent.Merge(owner, personP, append(a, nil), g, profile.FieldDisplayName)
		assertMerge(t, got, err, wa, "")
	})
}

func assertMerge(tb testing.TB, got *profile.Account, err *profile.Error, wantApp profile.App, wantCode profile.Code) {
	tb.Helper()
	var gotApp profile.App
	if got != nil {
		gotApp = got.App
	}
	var gotCode profile.Code
	if err != nil {
		gotCode = err.Code
	}
	if gotApp != wantApp || gotCode != wantCode {
		tb.Fatalf("Merge chose %q with error %v, want %q with code %q", gotApp, err, wantApp, wantCode)
	}
}

func TestSources(t *testing.T) {
	fb, ig, wa := profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp
	owner := consent.Request{ViewerPersonID: personP, App: ig}
	stranger := consent.Request{App: ig}
	fbAcc := mustAccount(t, personP, fb, time.Minute)
	waAcc := mustAccount(t, personP, wa, time.Hour)
	waAcc.Username = ""
	igAcc := mustAccount(t, personP, ig, 2*time.Hour)
	igAcc.DisplayName, igAcc.Email, igAcc.Birthdate = nil, nil, nil
	accounts := []*profile.Account{fbAcc, igAcc, waAcc}
	g := consent.NewGrants(profile.Apps, []*profile.Consent{
		{SourceApp: wa, TargetApp: ig, Category: profile.CategoryProfile, Purpose: profile.PurposeService},
		{SourceApp: fb, TargetApp: ig, Category: profile.CategoryAge, Purpose: profile.PurposeService},
	})

	tests := []struct {
		name string
		r    consent.Request
		want []consent.FieldSource
	}{
		{"owner sees own values and consented ones, in schema order", owner, []consent.FieldSource{
			{Field: profile.FieldDisplayName, App: wa},
			{Field: profile.FieldUsername, App: ig},
			{Field: profile.FieldBio, App: ig},
			{Field: profile.FieldAvatar, App: ig},
			{Field: profile.FieldPhoneNumber, App: ig},
			{Field: profile.FieldBirthdate, App: fb},
		}},
		{"stranger sees only profile values", stranger, []consent.FieldSource{
			{Field: profile.FieldDisplayName, App: wa},
			{Field: profile.FieldUsername, App: ig},
			{Field: profile.FieldBio, App: ig},
			{Field: profile.FieldAvatar, App: ig},
		}},
		{"nothing visible is an empty list", consent.Request{App: profile.AppThreads}, []consent.FieldSource{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := consent.Sources(tc.r, personP, accounts, g)
			if got == nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Sources = %+v, want %+v", got, tc.want)
			}
		})
	}
}
