package consent

import (
	"cmp"
	"slices"

	"github.com/profilegraph/profilegraph/profile"
)

// VisibilityRule says why a gated field is or is not visible (SPEC §6 "Visibility
// check-up").
type VisibilityRule string

// The rules of the check-up.
const (
	RuleSameApp           VisibilityRule = "SAME_APP"
	RuleConsentGranted    VisibilityRule = "CONSENT_GRANTED"
	RuleConsentMissing    VisibilityRule = "CONSENT_MISSING"
	RuleAdsConsentMissing VisibilityRule = "ADS_CONSENT_MISSING"
	RuleNotProfileData    VisibilityRule = "NOT_PROFILE_DATA"
	RuleMinorProtection   VisibilityRule = "MINOR_PROTECTION"
)

// Audience is who the check-up imagines asking: the person themselves or anyone else.
type Audience string

// The audiences of the check-up.
const (
	AudienceOwner  Audience = "OWNER"
	AudienceOthers Audience = "OTHERS"
)

// FieldVisibility is one row of the check-up: what a request from the target app sees
// of gated field Field of the person's account in SourceApp, and why. Requires lists
// the consents still missing whose grant would make it visible (SERVICE before ADS).
type FieldVisibility struct {
	Field     profile.Field
	Category  profile.Category
	SourceApp profile.App
	Visible   bool
	Rule      VisibilityRule
	Requires  []profile.ConsentKey
}

// FieldName is Field as a string (the GraphQL field).
func (v FieldVisibility) FieldName() string { return string(v.Field) }

// AccountFields lists every gated field of AppAccount, values and lists alike.
var AccountFields = []profile.Field{
	profile.FieldUsername, profile.FieldDisplayName, profile.FieldBio, profile.FieldAvatar,
	profile.FieldPhoneNumber, profile.FieldEmail, profile.FieldBirthdate,
	profile.FieldDevices, profile.FieldCrossPosts,
}

// CheckupRequest is the request that the check-up of person personID imagines for
// (targetApp, purpose, audience). OWNER is the person asking from targetApp: the viewer
// is the person, through its own account in targetApp when it has one (accounts are
// its linked accounts); when it has none, the person is still the viewer (ViewerPersonID),
// but no consent naming targetApp can be in force, so nothing crosses to it. OTHERS is
// anyone who is not the person (another person, or nobody), a user token of targetApp.
func CheckupRequest(personID string, accounts []*profile.Account, targetApp profile.App, purpose profile.Purpose, audience Audience) Request {
	r := Request{App: targetApp, Purpose: purpose}
	if audience != AudienceOwner {
		return r
	}
	r.ViewerPersonID = personID
	for _, a := range accounts {
		if a != nil && a.App == targetApp && a.PersonID == personID {
			r.ViewerAccountID = a.ID
		}
	}
	return r
}

// Visibility is the check-up of person personID (SPEC §6): for every linked account
// (accounts, each with its fresh link) and every gated field that holds a value
// (hasValue; consent.HasValue for the scalar fields, a non-empty list for devices and
// crossPosts), what the request CheckupRequest(personID, accounts, targetApp, purpose,
// audience) gets under the person's consents, ordered by field name then app.
//
// Nothing here is a rule of its own: Visible is Decide's answer, and Requires is found
// by asking Decide again with the missing consents added (the SERVICE consent for the
// category, and for ads the ADS one); if even that does not make it visible, no
// consent can and Requires is empty. Rule names the outcome: SAME_APP or
// CONSENT_GRANTED when visible; CONSENT_MISSING when the SERVICE consent is among the
// missing ones, ADS_CONSENT_MISSING when only the ADS one is; otherwise
// NOT_PROFILE_DATA for a non-owner's non-PROFILE field. Before all of them,
// MINOR_PROTECTION when rule 6 hid the value (Decision.Minor: the person, whose reconciled
// age is age, is a minor and the request is made for ads from another app), with empty
// Requires: no consent can change it.
func Visibility(personID string, accounts []*profile.Account, consents []*profile.Consent, age profile.AgeRange,
	hasValue func(a *profile.Account, f profile.Field) bool,
	targetApp profile.App, purpose profile.Purpose, audience Audience) []FieldVisibility {
	if purpose != profile.PurposeAds {
		purpose = profile.PurposeService
	}
	linked := make([]*profile.Account, 0, len(accounts))
	for _, a := range accounts {
		if a != nil && a.PersonID == personID && personID != "" {
			linked = append(linked, a)
		}
	}
	in := InForce(profile.AppsOf(linked), consents)
	g := grantsOf(in).WithAge(age)
	r := CheckupRequest(personID, linked, targetApp, purpose, audience)
	var out []FieldVisibility
	for _, f := range AccountFields {
		c := profile.FieldCategory[f]
		for _, a := range linked {
			if !hasValue(a, f) {
				continue
			}
			out = append(out, checkup(r, a, in, g, f, c))
		}
	}
	slices.SortStableFunc(out, func(x, y FieldVisibility) int {
		if n := cmp.Compare(x.Field, y.Field); n != 0 {
			return n
		}
		return cmp.Compare(appOrder(x.SourceApp), appOrder(y.SourceApp))
	})
	return out
}

func checkup(r Request, a *profile.Account, in []*profile.Consent, g Grants, f profile.Field, c profile.Category) FieldVisibility {
	row := FieldVisibility{Field: f, Category: c, SourceApp: a.App, Requires: []profile.ConsentKey{}}
	d := Decide(r, a, g, c)
	if d.Minor {
		row.Rule = RuleMinorProtection
		return row
	}
	if d.Visible {
		row.Visible = true
		row.Rule = RuleConsentGranted
		if a.App == r.App {
			row.Rule = RuleSameApp
		}
		return row
	}
	var missing []profile.ConsentKey
	if a.App != r.App {
		// The consent that would carry the data: c for the owner; for anyone else only
		// PROFILE can ever cross (Decide tells, below, whether it would).
		for _, p := range []profile.Purpose{profile.PurposeService, profile.PurposeAds} {
			if p == profile.PurposeAds && r.Purpose != profile.PurposeAds {
				break
			}
			k := profile.ConsentKey{SourceApp: a.App, TargetApp: r.App, Category: c, Purpose: p}
			if !g.Has(k) {
				missing = append(missing, k)
			}
		}
	}
	if len(missing) > 0 {
		// Would granting them make it visible? Decide says, with the person's consents
		// as if they were granted (and in force: the target app linked).
		more := slices.Clone(in)
		for _, k := range missing {
			more = append(more, &profile.Consent{SourceApp: k.SourceApp, TargetApp: k.TargetApp, Category: k.Category, Purpose: k.Purpose})
		}
		if Decide(r, a, grantsOf(more).WithAge(g.Age()), c).Visible {
			row.Requires = missing
			row.Rule = RuleAdsConsentMissing
			if missing[0].Purpose == profile.PurposeService {
				row.Rule = RuleConsentMissing
			}
			return row
		}
	}
	if !IsOwner(r, a.PersonID) && c != profile.CategoryProfile {
		row.Rule = RuleNotProfileData
	} else {
		row.Rule = RuleConsentMissing
	}
	return row
}
