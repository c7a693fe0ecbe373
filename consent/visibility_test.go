package consent

import (
	"reflect"
	"testing"

	"github.com/profilegraph/profilegraph/profile"
)

func TestVisibilityRules(t *testing.T) {
	const pid = "11111111-1111-1111-1111-111111111111"
	phone := "+16502530000"
	fb := &profile.Account{ID: "fb", App: profile.AppFacebook, PersonID: pid, Username: "fb", PhoneNumber: &phone}
	ig := &profile.Account{ID: "ig", App: profile.AppInstagram, PersonID: pid, Username: "ig", PhoneNumber: &phone}
	grant := func(s, t profile.App, c profile.Category, p profile.Purpose) *profile.Consent {
		return &profile.Consent{PersonID: pid, SourceApp: s, TargetApp: t, Category: c, Purpose: p}
	}
	req := func(s, t profile.App, c profile.Category, p profile.Purpose) profile.ConsentKey {
		return profile.ConsentKey{SourceApp: s, TargetApp: t, Category: c, Purpose: p}
	}
	none := []profile.ConsentKey{}
	consents := []*profile.Consent{
		grant(profile.AppInstagram, profile.AppFacebook, profile.CategoryContact, profile.PurposeService),
		// Naming an app the person has not linked: not in force.
		grant(profile.AppInstagram, profile.AppThreads, profile.CategoryProfile, profile.PurposeService),
	}
	accounts := []*profile.Account{fb, ig, {ID: "x", App: profile.AppThreads, Username: "other"}}
	type row struct {
		f       profile.Field
		app     profile.App
		visible bool
		rule    VisibilityRule
		req     []profile.ConsentKey
	}
	for _, tc := range []struct {
		name     string
		target   profile.App
		purpose  profile.Purpose
		audience Audience
		want     []row
	}{
		{"owner, service", profile.AppFacebook, profile.PurposeService, AudienceOwner, []row{
			{profile.FieldPhoneNumber, profile.AppFacebook, true, RuleSameApp, none},
			{profile.FieldPhoneNumber, profile.AppInstagram, true, RuleConsentGranted, none},
			{profile.FieldUsername, profile.AppFacebook, true, RuleSameApp, none},
			{profile.FieldUsername, profile.AppInstagram, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService)}},
		}},
		{"owner, ads", profile.AppFacebook, profile.PurposeAds, AudienceOwner, []row{
			{profile.FieldPhoneNumber, profile.AppFacebook, true, RuleSameApp, none},
			{profile.FieldPhoneNumber, profile.AppInstagram, false, RuleAdsConsentMissing,
				[]profile.ConsentKey{req(profile.AppInstagram, profile.AppFacebook, profile.CategoryContact, profile.PurposeAds)}},
			{profile.FieldUsername, profile.AppFacebook, true, RuleSameApp, none},
			{profile.FieldUsername, profile.AppInstagram, false, RuleConsentMissing, []profile.ConsentKey{
				req(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService),
				req(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeAds)}},
		}},
		{"others", profile.AppFacebook, profile.PurposeService, AudienceOthers, []row{
			{profile.FieldPhoneNumber, profile.AppFacebook, false, RuleNotProfileData, none},
			{profile.FieldPhoneNumber, profile.AppInstagram, false, RuleNotProfileData, none},
			{profile.FieldUsername, profile.AppFacebook, true, RuleSameApp, none},
			{profile.FieldUsername, profile.AppInstagram, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService)}},
		}},
		{"an app the person has not linked", profile.AppThreads, profile.PurposeService, AudienceOwner, []row{
			{profile.FieldPhoneNumber, profile.AppFacebook, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppFacebook, profile.AppThreads, profile.CategoryContact, profile.PurposeService)}},
			{profile.FieldPhoneNumber, profile.AppInstagram, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppInstagram, profile.AppThreads, profile.CategoryContact, profile.PurposeService)}},
			{profile.FieldUsername, profile.AppFacebook, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppFacebook, profile.AppThreads, profile.CategoryProfile, profile.PurposeService)}},
			{profile.FieldUsername, profile.AppInstagram, false, RuleConsentMissing,
				[]profile.ConsentKey{req(profile.AppInstagram, profile.AppThreads, profile.CategoryProfile, profile.PurposeService)}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Visibility(pid, accounts, consents, profile.AgeAdult, HasValue, tc.target, tc.purpose, tc.audience)
			var rows []row
			for _, g := range got {
				if g.Category != profile.FieldCategory[g.Field] {
					t.Errorf("%s: category %s", g.Field, g.Category)
				}
				rows = append(rows, row{g.Field, g.SourceApp, g.Visible, g.Rule, g.Requires})
			}
			if !reflect.DeepEqual(rows, tc.want) {
				t.Errorf("got\n%+v\nwant\n%+v", rows, tc.want)
			}
		})
	}
}

// TestVisibilityOfAMinor: for a minor (rule 6), an ads row of another app is
// MINOR_PROTECTION, hidden, with nothing to ask for, whatever the consents, for the
// owner and for others; the app's own rows and non-ads rows keep their rules.
func TestVisibilityOfAMinor(t *testing.T) {
	const pid = "p-minor"
	fb := &profile.Account{ID: "a-fb", App: profile.AppFacebook, PersonID: pid, Username: "fb"}
	ig := &profile.Account{ID: "a-ig", App: profile.AppInstagram, PersonID: pid, Username: "ig"}
	all := []*profile.Consent{}
	for _, p := range []profile.Purpose{profile.PurposeService, profile.PurposeAds} {
		all = append(all, &profile.Consent{PersonID: pid, SourceApp: profile.AppInstagram, TargetApp: profile.AppFacebook, Category: profile.CategoryProfile, Purpose: p})
	}
	for _, aud := range []Audience{AudienceOwner, AudienceOthers} {
		for _, age := range []profile.AgeRange{profile.AgeUnder13, profile.Age13To15, profile.Age16To17} {
			rows := Visibility(pid, []*profile.Account{fb, ig}, all, age, HasValue, profile.AppFacebook, profile.PurposeAds, aud)
			for _, r := range rows {
				switch r.SourceApp {
				case profile.AppInstagram:
					if r.Rule != RuleMinorProtection || r.Visible || len(r.Requires) != 0 {
						t.Errorf("%s %s %s: %+v, want MINOR_PROTECTION, hidden, no requirement", aud, age, r.Field, r)
					}
				case profile.AppFacebook:
					if r.Rule != RuleSameApp || !r.Visible {
						t.Errorf("%s %s %s: %+v, want the app's own value", aud, age, r.Field, r)
					}
				}
			}
		}
		// Not for ads, or an adult: the consents decide as usual.
		for _, tc := range []struct {
			age     profile.AgeRange
			purpose profile.Purpose
		}{{profile.Age16To17, profile.PurposeService}, {profile.AgeAdult, profile.PurposeAds}, {profile.AgeUnknown, profile.PurposeAds}} {
			for _, r := range Visibility(pid, []*profile.Account{fb, ig}, all, tc.age, HasValue, profile.AppFacebook, tc.purpose, aud) {
				if r.Rule == RuleMinorProtection {
					t.Errorf("%s %+v: %+v is MINOR_PROTECTION", aud, tc, r)
				}
				if r.SourceApp == profile.AppInstagram && r.Field == profile.FieldUsername && !r.Visible {
					t.Errorf("%s %+v: the consented INSTAGRAM username is hidden: %+v", aud, tc, r)
				}
			}
		}
	}
}
