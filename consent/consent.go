// Package consent is the single home of the field-level consent decision of SPEC §5:
// who may see which gated value of which app account, how a person's accounts merge
// into one profile for the requesting app, and how their ages reconcile. Everything
// here is pure: callers load accounts and consents, this package only decides.
package consent

import (
	"fmt"
	"slices"
	"sync"

	"github.com/profilegraph/profilegraph/profile"
)

// Request describes who asks for a gated value.
type Request struct {
	// ViewerAccountID is the viewer's own app account id; "" for service tokens or an
	// account the store does not know.
	ViewerAccountID string
	// ViewerPersonID is the person the viewer's account is linked to; "" if none.
	ViewerPersonID string
	// App is T, the requesting app (the token's app).
	App profile.App
	// Purpose is U. Anything other than PurposeAds (including "") is treated as
	// SERVICE.
	Purpose profile.Purpose
	// Service marks a service token of App (scope accounts:write): the backend that
	// pushed App's account records. It sees them all back (SPEC §5 "An app's own
	// records"); for other apps' accounts it is a non-owner.
	Service bool
}

// Grants are what the decision knows of the subject person P: its effective consents and
// its reconciled age (promise 5), which protects a minor whatever the consents (rule 6).
// The zero value grants nothing and knows no age (UNKNOWN, not a minor).
type Grants struct {
	// keys are the consents in effect. A person has a handful, so a slice searched in
	// order is cheaper to build and to ask than a map (the decision is made per subject
	// at the gateway's fan-out).
	keys []profile.ConsentKey
	age  profile.AgeRange
}

// InForce returns the consents of a person whose accounts are in linkedApps that are in
// force: a consent naming an app (source or target) that is not in linkedApps counts as
// absent (SPEC §5 rule 5, promise 2). Nil consents are dropped; the order is kept.
func InForce(linkedApps []profile.App, consents []*profile.Consent) []*profile.Consent {
	out := make([]*profile.Consent, 0, len(consents))
	for _, c := range consents {
		if c != nil && slices.Contains(linkedApps, c.SourceApp) && slices.Contains(linkedApps, c.TargetApp) {
			out = append(out, c)
		}
	}
	return out
}

// NewGrants returns the effective consents (InForce) of a person whose accounts are in
// linkedApps: in particular S→T grants nothing while the requesting app T itself is not
// linked to the person.
func NewGrants(linkedApps []profile.App, consents []*profile.Consent) Grants {
	return grantsOf(InForce(linkedApps, consents))
}

// GrantsOf returns the grants of a person whose privacy state, read fresh, is st: the
// consents in force (NewGrants over st's linked apps) and the age reconciled from st's
// birthdates on today (AgeRange). A nil st grants nothing and has an UNKNOWN age.
func GrantsOf(st *profile.PrivacyState, today profile.Date) Grants {
	var consents []*profile.Consent
	if st != nil {
		consents = st.Consents
	}
	return NewGrants(st.LinkedApps(), consents).WithAge(AgeRange(st.Birthdates(), today))
}

// WithAge returns g for a person whose reconciled age range is age.
func (g Grants) WithAge(age profile.AgeRange) Grants {
	g.age = age
	return g
}

// Age is the person's reconciled age range; UNKNOWN when g knows none.
func (g Grants) Age() profile.AgeRange {
	if g.age == "" {
		return profile.AgeUnknown
	}
	return g.age
}

// Has reports whether the consent k is in effect.
func (g Grants) Has(k profile.ConsentKey) bool {
	return slices.Contains(g.keys, k)
}

// Decision is the outcome for one gated value.
type Decision struct {
	// Visible reports whether the value may be shown.
	Visible bool
	// Err explains a hidden value: nil means silently absent (null without an error);
	// otherwise a FORBIDDEN or CONSENT_REQUIRED *profile.Error (the latter carries the
	// category and sourceApp extensions).
	Err *profile.Error
	// Minor reports that rule 6 hid the value: the subject is a minor, the request is
	// made for ads and the value would cross apps, so no consent can show it. It is set
	// for every viewer, but only the owner's Err says so (FORBIDDEN, reason MINOR); anyone
	// else's Err is the rule-2 answer, so that the response cannot tell a minor from a
	// person without consents. The visibility check-up reads it: such a row has rule
	// MINOR_PROTECTION and nothing it requires.
	Minor bool
}

var visible = Decision{Visible: true}

// absent is a hidden value that must not reveal anything: null, no error.
var absent = Decision{}

// The errors of hidden values are made once: a decision allocates nothing, and a view
// decides every category of every account. They are shared: never modify them.
var (
	forbiddenBy       [5]Decision
	consentRequiredBy [5][5]Decision // [category][source app]
	// Rule 6: the owner's FORBIDDEN reason MINOR, and everyone else's rule-2 answers
	// (the very errors of forbiddenBy) marked Minor.
	minorOwnerBy     [5]Decision
	minorForbiddenBy [5]Decision
	minorAbsent      = Decision{Minor: true}
)

func init() {
	for _, c := range profile.Categories {
		i := categoryIndex(c)
		forbiddenBy[i] = Decision{Err: profile.ForbiddenError(fmt.Sprintf("%s data", c))}
		minorForbiddenBy[i] = Decision{Err: forbiddenBy[i].Err, Minor: true}
		minorOwnerBy[i] = Decision{Minor: true, Err: minorError(c)}
		for _, s := range profile.Apps {
			consentRequiredBy[i][appOrder(s)] = Decision{Err: profile.ConsentRequiredError(c, s)}
		}
	}
}

func forbidden(c profile.Category) Decision {
	if i := categoryIndex(c); i >= 0 {
		return forbiddenBy[i]
	}
	return Decision{Err: profile.ForbiddenError(fmt.Sprintf("%s data", c))}
}

func minorError(c profile.Category) *profile.Error {
	return profile.MinorError("%s data from another app is never used for ads of a minor", c)
}

// minor is rule 6's decision for category c, as the owner or as anyone else sees it.
func minor(c profile.Category, owner bool) Decision {
	i := categoryIndex(c)
	switch {
	case c == profile.CategoryProfile && !owner:
		return minorAbsent
	case i < 0 && owner:
		return Decision{Minor: true, Err: minorError(c)}
	case i < 0:
		return Decision{Minor: true, Err: forbidden(c).Err}
	case owner:
		return minorOwnerBy[i]
	default:
		return minorForbiddenBy[i]
	}
}

func consentRequired(c profile.Category, s profile.App) Decision {
	if i, j := categoryIndex(c), appOrder(s); i >= 0 && j < len(profile.Apps) {
		return consentRequiredBy[i][j]
	}
	return Decision{Err: profile.ConsentRequiredError(c, s)}
}

// Decide applies SPEC §5 to the value of category c held by account src (source app
// S = src.App, subject person P = src.PersonID, "" when unlinked), asked by r, under
// P's grants g. The rules, in order:
//
//  1. src not linked: visible only if S = T and (the viewer is src or c = PROFILE);
//     otherwise a PROFILE value is silently absent and any other is FORBIDDEN.
//  2. Non-owner: c ≠ PROFILE is FORBIDDEN. Visible if S = T or g has
//     (S→T, PROFILE, SERVICE) (and rule 4); otherwise silently absent, so that an
//     outsider cannot learn which apps P has linked.
//  3. Owner: visible if S = T or g has (S→T, c, SERVICE) (and rule 4); otherwise
//     CONSENT_REQUIRED naming c and S.
//  4. Purpose ADS and S ≠ T: (S→T, c, ADS) is required as well; without it the owner
//     gets CONSENT_REQUIRED and anyone else a silently absent value.
//  5. Consents naming unlinked apps were already dropped by NewGrants.
//  6. Minors, checked right after rule 1: when g's age is a minor's (UNDER_13, AGE_13_15,
//     AGE_16_17; UNKNOWN is not), purpose ADS and S ≠ T see nothing whatever the
//     consents: the owner gets FORBIDDEN with extensions reason MINOR (never
//     CONSENT_REQUIRED: no consent can help), anyone else the rule-2 answer (silently
//     absent for PROFILE, FORBIDDEN otherwise). The Decision is marked Minor.
//
// Before all of them, an app's own records: a service token of T sees every category of
// every account of T (S = T), linked or not, whatever the purpose; it pushed them. For
// accounts of other apps a service token has no viewer and falls under rules 1 and 2.
//
// List-valued fields (devices, crossPosts) are decided once for the whole list, with
// the account's app as S. A nil src is silently absent. Decide returns errors only
// inside the Decision.
func Decide(r Request, src *profile.Account, g Grants, c profile.Category) Decision {
	if src == nil {
		return absent
	}
	s, t := src.App, r.App

	// SPEC §5 "An app's own records".
	if r.Service && s == t {
		return visible
	}

	// Rule 1: an account outside any person shares nothing across apps.
	if src.PersonID == "" {
		viewerIsSrc := r.ViewerAccountID != "" && r.ViewerAccountID == src.ID
		if s == t && (viewerIsSrc || c == profile.CategoryProfile) {
			return visible
		}
		if c == profile.CategoryProfile {
			return absent
		}
		return forbidden(c)
	}

	owner := IsOwner(r, src.PersonID)
	// Rule 6: a minor's data never crosses apps for ads.
	if r.Purpose == profile.PurposeAds && s != t && g.age.Minor() {
		return minor(c, owner)
	}
	// Rule 2: outsiders see PROFILE data only.
	if !owner && c != profile.CategoryProfile {
		return forbidden(c)
	}
	if s == t {
		return visible
	}
	// Rules 2–4: data crossing from S to T needs the person's consent for c (which is
	// PROFILE for outsiders), and for ads a second consent with purpose ADS.
	granted := g.Has(profile.ConsentKey{SourceApp: s, TargetApp: t, Category: c, Purpose: profile.PurposeService})
	if granted && r.Purpose == profile.PurposeAds {
		granted = g.Has(profile.ConsentKey{SourceApp: s, TargetApp: t, Category: c, Purpose: profile.PurposeAds})
	}
	switch {
	case granted:
		return visible
	case owner:
		return consentRequired(c, s)
	default:
		return absent
	}
}

// IsOwner reports whether the viewer of r is the person personID (V = P). An empty
// personID or an unlinked viewer is never an owner.
func IsOwner(r Request, personID string) bool {
	return r.ViewerPersonID != "" && r.ViewerPersonID == personID
}

// OwnsAccount reports whether the viewer of r owns account a: a is the viewer's own
// account, or a is linked to the viewer's person. A nil a is owned by nobody.
func OwnsAccount(r Request, a *profile.Account) bool {
	if a == nil {
		return false
	}
	if r.ViewerAccountID != "" && r.ViewerAccountID == a.ID {
		return true
	}
	return a.PersonID != "" && IsOwner(r, a.PersonID)
}

// OwnerOnly decides a field of person personID that only the person may see (SPEC §3
// "owner only"): anyone else gets FORBIDDEN naming what. A request made to personalize
// ads is refused as well (promise 4): these fields carry the person's cross-app data
// (linked accounts, settings, consents, activity, recovery contacts), which no consent
// lets ads see. The exception is a protective field (the reconciled age range), which
// exists so that every use, ads included, can honour the most protective age.
func OwnerOnly(r Request, personID, what string, protective bool) Decision {
	if !IsOwner(r, personID) {
		return ownerOnlyErr(what, false)
	}
	return ownerPurpose(r, what, protective)
}

// AccountOwnerOnly is OwnerOnly for a field of account a (its person, its link time):
// visible to the viewer who owns a (OwnsAccount); to an ads request only when
// protective, which the person's identity is (SPEC §5 "Requests made for ads": the
// owner's own AppAccount.person resolves as viewer does).
func AccountOwnerOnly(r Request, a *profile.Account, what string, protective bool) Decision {
	if !OwnsAccount(r, a) {
		return ownerOnlyErr(what, false)
	}
	return ownerPurpose(r, what, protective)
}

func ownerPurpose(r Request, what string, protective bool) Decision {
	if r.Purpose == profile.PurposeAds && !protective {
		return ownerOnlyErr(what, true)
	}
	return visible
}

// ownerOnlyErrs holds the FORBIDDEN decisions of owner-only fields, made once per field
// name (what is always one of the schema's field names, a bounded set): an _entities
// batch asked by a non-owner denies the same field hundreds of times. Shared: never
// modify them.
var ownerOnlyErrs sync.Map // ownerOnlyKey → Decision

type ownerOnlyKey struct {
	what string
	ads  bool
}

func ownerOnlyErr(what string, ads bool) Decision {
	k := ownerOnlyKey{what, ads}
	if d, ok := ownerOnlyErrs.Load(k); ok {
		return d.(Decision)
	}
	d := Decision{Err: profile.ForbiddenError(what)}
	if ads {
		d.Err = profile.Errorf(profile.Forbidden, "%s is not available to requests made for ads", what)
	}
	ownerOnlyErrs.Store(k, d)
	return d
}
