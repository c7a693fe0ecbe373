package consent_test

import (
	"fmt"
	"testing"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// outcome is what a test expects of a Decision.
type outcome int

const (
	shown           outcome = iota // Visible
	absent                         // hidden, no error
	forbidden                      // hidden, FORBIDDEN
	consentRequired                // hidden, CONSENT_REQUIRED
	forbiddenMinor                 // hidden, FORBIDDEN with reason MINOR
)

func (o outcome) String() string {
	return [...]string{"shown", "absent", "forbidden", "consentRequired", "forbiddenMinor"}[o]
}

// ages are the age dimension of the exhaustive table: every range of SPEC §3.
var ages = []profile.AgeRange{profile.AgeAdult, profile.AgeUnder13, profile.Age13To15, profile.Age16To17, profile.AgeUnknown}

// protectedMinor says, from SPEC §5 rule 6 alone, whether the value is hidden because
// the person is a minor: the account is linked (rule 1 comes first), the request is made
// for ads, the value crosses apps, and the age range is one of the three minor ones
// (UNKNOWN is not a minor).
func protectedMinor(v viewerKind, sameApp bool, p profile.Purpose, age profile.AgeRange) bool {
	linked := v != unlinkedSelf && v != unlinkedOther && v != serviceUnlinked
	isMinor := age == "UNDER_13" || age == "AGE_13_15" || age == "AGE_16_17"
	return linked && p == profile.PurposeAds && !sameApp && isMinor
}

// viewerKind is who asks, relative to the account that holds the value.
type viewerKind string

const (
	unlinkedSelf     viewerKind = "unlinked account, viewer is the account"
	unlinkedOther    viewerKind = "unlinked account, viewer is someone else"
	strangerNoPerson viewerKind = "non-owner without a person"
	strangerOther    viewerKind = "non-owner of another person"
	serviceToken     viewerKind = "service token"
	serviceUnlinked  viewerKind = "unlinked account, service token"
	owner            viewerKind = "owner"
)

const (
	appT     = profile.AppInstagram // the requesting app in every exhaustive case
	appOther = profile.AppFacebook  // S when S ≠ T
	appThird = profile.AppWhatsApp  // used for decoy consents
	personP  = "person-p"
	personQ  = "person-q"
	srcID    = "account-src"
	viewerID = "account-viewer"
)

// expect is the contract of SPEC §5 spelled out per kind of viewer, written from the
// spec's prose rather than from the implementation.
func expect(v viewerKind, sameApp, serviceConsent, adsConsent bool, p profile.Purpose, c profile.Category, age profile.AgeRange) outcome {
	isProfile := c == profile.CategoryProfile
	// Rule 6: a minor's data never crosses apps for ads, whatever the consents. The
	// owner is told why; anyone else gets what rule 2 gives a person without consents.
	if protectedMinor(v, sameApp, p, age) {
		switch {
		case v == owner:
			return forbiddenMinor
		case isProfile:
			return absent
		default:
			return forbidden
		}
	}
	// Cross-app data needs the SERVICE consent, and for ads the ADS consent too.
	crossAppAllowed := serviceConsent && (p != profile.PurposeAds || adsConsent)

	switch v {
	case serviceToken, serviceUnlinked:
		// An app's own records (SPEC §5): the service token of T sees every category
		// of T's accounts, linked or not; other apps' accounts as a non-owner.
		if sameApp {
			return shown
		}
		if !isProfile {
			return forbidden
		}
		if v == serviceToken && crossAppAllowed {
			return shown
		}
		return absent
	case unlinkedSelf, unlinkedOther:
		// Nothing of an unlinked account leaves its own app; within it, the account
		// itself sees everything and others see its profile.
		if sameApp && (v == unlinkedSelf || isProfile) {
			return shown
		}
		if isProfile {
			return absent
		}
		return forbidden
	case owner:
		if sameApp || crossAppAllowed {
			return shown
		}
		return consentRequired
	default: // strangers and services
		if !isProfile {
			return forbidden
		}
		if sameApp || crossAppAllowed {
			return shown
		}
		return absent // never reveal that the person has an account in S
	}
}

func requestFor(v viewerKind, p profile.Purpose) consent.Request {
	r := consent.Request{App: appT, Purpose: p}
	switch v {
	case unlinkedSelf:
		r.ViewerAccountID = srcID
	case unlinkedOther:
		r.ViewerAccountID, r.ViewerPersonID = viewerID, personQ
	case strangerNoPerson:
		r.ViewerAccountID = viewerID
	case strangerOther:
		r.ViewerAccountID, r.ViewerPersonID = viewerID, personQ
	case serviceToken, serviceUnlinked:
		r.Service = true
	case owner:
		r.ViewerAccountID, r.ViewerPersonID = viewerID, personP
	}
	return r
}

// decoys are consents that must never make a value of category c from s visible in t:
// the reverse direction, another target, and every other category.
func decoys(s, t profile.App, c profile.Category) []*profile.Consent {
	var out []*profile.Consent
	for _, u := range []profile.Purpose{profile.PurposeService, profile.PurposeAds} {
		out = append(out,
			&profile.Consent{PersonID: personP, SourceApp: t, TargetApp: s, Category: c, Purpose: u},
			&profile.Consent{PersonID: personP, SourceApp: s, TargetApp: appThird, Category: c, Purpose: u},
			&profile.Consent{PersonID: personP, SourceApp: appThird, TargetApp: t, Category: c, Purpose: u},
		)
		for _, other := range profile.Categories {
			if other != c {
				out = append(out, &profile.Consent{PersonID: personP, SourceApp: s, TargetApp: t, Category: other, Purpose: u})
			}
		}
	}
	return out
}

func assertDecision(tb testing.TB, got consent.Decision, want outcome, c profile.Category, s profile.App) {
	tb.Helper()
	switch want {
	case shown:
		if !got.Visible || got.Err != nil {
			tb.Fatalf("got %+v, want visible without error", got)
		}
		return
	case absent:
		if got.Visible || got.Err != nil {
			tb.Fatalf("got visible=%v err=%v, want silently absent", got.Visible, got.Err)
		}
		return
	}
	if got.Visible || got.Err == nil {
		tb.Fatalf("got visible=%v err=%v, want %s", got.Visible, got.Err, want)
	}
	if _, ok := got.Err.Extensions["reason"]; ok != (want == forbiddenMinor) {
		tb.Fatalf("got extensions %v, want a reason only for %s", got.Err.Extensions, forbiddenMinor)
	}
	switch want {
	case forbiddenMinor:
		if got.Err.Code != profile.Forbidden || got.Err.Extensions["reason"] != "MINOR" {
			tb.Fatalf("got %s with extensions %v, want FORBIDDEN with reason MINOR", got.Err.Code, got.Err.Extensions)
		}
	case forbidden:
		if got.Err.Code != profile.Forbidden {
			tb.Fatalf("got code %s, want FORBIDDEN", got.Err.Code)
		}
	case consentRequired:
		if got.Err.Code != profile.ConsentRequired {
			tb.Fatalf("got code %s, want CONSENT_REQUIRED", got.Err.Code)
		}
		if got.Err.Extensions["category"] != string(c) || got.Err.Extensions["sourceApp"] != string(s) {
			tb.Fatalf("got extensions %v, want category %s and sourceApp %s", got.Err.Extensions, c, s)
		}
	}
}

func TestDecideExhaustive(t *testing.T) {
	viewers := []viewerKind{unlinkedSelf, unlinkedOther, strangerNoPerson, strangerOther, serviceToken, serviceUnlinked, owner}
	bools := []bool{false, true}
	purposes := []profile.Purpose{profile.PurposeService, profile.PurposeAds}
	counts := map[outcome]int{}
	n, minors := 0, 0
	for _, v := range viewers {
		for _, sameApp := range bools {
			for _, svc := range bools {
				for _, ads := range bools {
					for _, p := range purposes {
						for _, c := range profile.Categories {
							for _, age := range ages {
								s := appOther
								if sameApp {
									s = appT
								}
								src := &profile.Account{ID: srcID, App: s, AppUserID: "u1", PersonID: personP}
								if v == unlinkedSelf || v == unlinkedOther || v == serviceUnlinked {
									src.PersonID = ""
								}
								consents := decoys(s, appT, c)
								if svc {
									consents = append(consents, &profile.Consent{PersonID: personP, SourceApp: s, TargetApp: appT, Category: c, Purpose: profile.PurposeService})
								}
								if ads {
									consents = append(consents, &profile.Consent{PersonID: personP, SourceApp: s, TargetApp: appT, Category: c, Purpose: profile.PurposeAds})
								}
								g := consent.NewGrants(profile.Apps, consents).WithAge(age)
								want := expect(v, sameApp, svc, ads, p, c, age)
								wantMinor := protectedMinor(v, sameApp, p, age)
								counts[want]++
								n++
								if wantMinor {
									minors++
								}
								name := fmt.Sprintf("%s/sameApp=%v/service=%v/ads=%v/%s/%s/%s", v, sameApp, svc, ads, p, c, age)
								t.Run(name, func(t *testing.T) {
									r := requestFor(v, p)
									got := consent.Decide(r, src, g, c)
									assertDecision(t, got, want, c, s)
									if got.Minor != wantMinor {
										t.Fatalf("Minor = %v, want %v", got.Minor, wantMinor)
									}
									// An outsider cannot tell a minor from an adult without
									// consents: the very same answer.
									if wantMinor && v != owner {
										base := consent.Decide(r, src, consent.NewGrants(profile.Apps, nil).WithAge(profile.AgeAdult), c)
										if got.Visible != base.Visible || !sameErr(got.Err, base.Err) {
											t.Fatalf("a minor's answer %+v differs from an adult's without consents %+v", got, base)
										}
									}
								})
							}
						}
					}
				}
			}
		}
	}
	if n != 7*2*2*2*2*5*5 {
		t.Fatalf("ran %d cases, want %d", n, 7*2*2*2*2*5*5)
	}
	// Rule 6 applies to the 4 linked viewer kinds, cross-app, for ads, at 3 ages.
	if minors != 4*1*2*2*1*5*3 {
		t.Fatalf("%d cases protect a minor, want %d", minors, 4*2*2*5*3)
	}
	for _, o := range []outcome{shown, absent, forbidden, consentRequired, forbiddenMinor} {
		if counts[o] == 0 {
			t.Errorf("no case expects %s: the table does not cover every outcome", o)
		}
	}
}

func TestDecideExplicitCases(t *testing.T) {
	fb, ig, wa := profile.AppFacebook, profile.AppInstagram, profile.AppWhatsApp
	svc, ads := profile.PurposeService, profile.PurposeAds
	grant := func(s, t profile.App, c profile.Category, u profile.Purpose) *profile.Consent {
		return &profile.Consent{PersonID: personP, SourceApp: s, TargetApp: t, Category: c, Purpose: u}
	}
	ownerIG := consent.Request{ViewerAccountID: "a-ig", ViewerPersonID: personP, App: ig, Purpose: svc}
	ownerIGAds := consent.Request{ViewerAccountID: "a-ig", ViewerPersonID: personP, App: ig, Purpose: ads}
	strangerIG := consent.Request{ViewerAccountID: "x-ig", ViewerPersonID: personQ, App: ig, Purpose: svc}
	strangerIGAds := consent.Request{ViewerAccountID: "x-ig", App: ig, Purpose: ads}
	fbAccount := &profile.Account{ID: "a-fb", App: fb, PersonID: personP}
	igAccount := &profile.Account{ID: "a-ig", App: ig, PersonID: personP}
	lonelyIG := &profile.Account{ID: "lonely-ig", App: ig}
	all := profile.Apps

	tests := []struct {
		name   string
		r      consent.Request
		src    *profile.Account
		linked []profile.App
		grants []*profile.Consent
		c      profile.Category
		want   outcome
	}{
		{"owner sees own app's contact data without consent", ownerIG, igAccount, all, nil, profile.CategoryContact, shown},
		{"owner sees other app's birthdate with AGE consent", ownerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryAge, svc)}, profile.CategoryAge, shown},
		{"owner is asked for consent without it", ownerIG, fbAccount, all, nil, profile.CategoryContact, consentRequired},
		{"owner's PROFILE consent does not open CONTACT", ownerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryContact, consentRequired},
		{"consent is directional", ownerIG, fbAccount, all, []*profile.Consent{grant(ig, fb, profile.CategoryProfile, svc)}, profile.CategoryProfile, consentRequired},
		{"ads request needs ADS consent too", ownerIGAds, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, consentRequired},
		{"ADS consent alone is not enough", ownerIGAds, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, ads)}, profile.CategoryProfile, consentRequired},
		{"ads request with both consents", ownerIGAds, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc), grant(fb, ig, profile.CategoryProfile, ads)}, profile.CategoryProfile, shown},
		{"ads request sees same-app data without ADS consent", ownerIGAds, igAccount, all, nil, profile.CategoryContact, shown},
		{"stranger sees same-app profile", strangerIG, igAccount, all, nil, profile.CategoryProfile, shown},
		{"stranger sees cross-app profile with consent", strangerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, shown},
		{"stranger cannot tell whether another app is linked", strangerIG, fbAccount, all, nil, profile.CategoryProfile, absent},
		{"stranger is forbidden contact data even with consent", strangerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryContact, svc)}, profile.CategoryContact, forbidden},
		{"stranger is forbidden same-app birthdate", strangerIG, igAccount, all, nil, profile.CategoryAge, forbidden},
		{"stranger's ads request without ADS consent is silent", strangerIGAds, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, absent},
		{"unlinked account's own viewer sees its contact", consent.Request{ViewerAccountID: "lonely-ig", App: ig}, lonelyIG, all, nil, profile.CategoryContact, shown},
		{"unlinked account's profile is public within its app", strangerIG, lonelyIG, all, nil, profile.CategoryProfile, shown},
		{"unlinked account's contact is forbidden to others", strangerIG, lonelyIG, all, nil, profile.CategoryContact, forbidden},
		{"unlinked account's profile stays in its app", consent.Request{ViewerAccountID: "x-fb", App: fb}, lonelyIG, all, []*profile.Consent{grant(ig, fb, profile.CategoryProfile, svc)}, profile.CategoryProfile, absent},
		{"unlinked account's contact is forbidden in another app", consent.Request{ViewerAccountID: "x-fb", App: fb}, lonelyIG, all, nil, profile.CategoryContact, forbidden},
		{"service token sees same-app profile", consent.Request{App: ig, Service: true}, igAccount, all, nil, profile.CategoryProfile, shown},
		// SPEC §5 "An app's own records".
		{"service token sees its own app's contact data", consent.Request{App: ig, Service: true}, igAccount, all, nil, profile.CategoryContact, shown},
		{"service token sees its own app's birthdate", consent.Request{App: ig, Service: true}, igAccount, all, nil, profile.CategoryAge, shown},
		{"service token sees its own app's devices", consent.Request{App: ig, Service: true}, igAccount, all, nil, profile.CategoryDevice, shown},
		{"service token sees its own app's cross-posts", consent.Request{App: ig, Service: true}, igAccount, all, nil, profile.CategoryActivity, shown},
		{"service token sees its own unlinked account's contact data", consent.Request{App: ig, Service: true}, lonelyIG, all, nil, profile.CategoryContact, shown},
		{"service token for ads sees its own app's devices", consent.Request{App: ig, Service: true, Purpose: ads}, igAccount, all, nil, profile.CategoryDevice, shown},
		{"service token is forbidden another app's contact data", consent.Request{App: ig, Service: true}, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryContact, svc)}, profile.CategoryContact, forbidden},
		{"service token is forbidden another app's devices even with consent", consent.Request{App: ig, Service: true}, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryDevice, svc)}, profile.CategoryDevice, forbidden},
		{"service token sees another app's profile only with consent", consent.Request{App: ig, Service: true}, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, shown},
		{"service token cannot tell whether another app is linked", consent.Request{App: ig, Service: true}, fbAccount, all, nil, profile.CategoryProfile, absent},
		{"a request without the service flag is not the app's backend", consent.Request{App: ig}, igAccount, all, nil, profile.CategoryContact, forbidden},
		// List-valued gated fields (SPEC §5).
		{"owner sees another app's devices with DEVICE consent", ownerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryDevice, svc)}, profile.CategoryDevice, shown},
		{"owner is asked for DEVICE consent", ownerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryActivity, svc)}, profile.CategoryDevice, consentRequired},
		{"owner sees another app's cross-posts with ACTIVITY consent", ownerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryActivity, svc)}, profile.CategoryActivity, shown},
		{"stranger is forbidden same-app devices", strangerIG, igAccount, all, nil, profile.CategoryDevice, forbidden},
		{"stranger is forbidden cross-posts even with consent", strangerIG, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryActivity, svc)}, profile.CategoryActivity, forbidden},
		{"owner's ads request needs the ADS DEVICE consent too", ownerIGAds, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryDevice, svc)}, profile.CategoryDevice, consentRequired},
		{"empty viewer account id is not the unlinked account with an empty id", consent.Request{App: ig}, &profile.Account{App: ig}, all, nil, profile.CategoryContact, forbidden},
		{"empty purpose counts as SERVICE", consent.Request{ViewerPersonID: personP, App: ig}, fbAccount, all, []*profile.Consent{grant(fb, ig, profile.CategoryAge, svc)}, profile.CategoryAge, shown},
		// Rule 5.
		{"consent from an unlinked source app is inert", ownerIG, fbAccount, []profile.App{ig, wa}, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, consentRequired},
		{"consent to an unlinked requesting app is inert", ownerIG, fbAccount, []profile.App{fb, wa}, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, consentRequired},
		{"inert consent keeps a stranger silent", strangerIG, fbAccount, []profile.App{fb}, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, absent},
		{"consent between linked apps counts", ownerIG, fbAccount, []profile.App{fb, ig}, []*profile.Consent{grant(fb, ig, profile.CategoryProfile, svc)}, profile.CategoryProfile, shown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := consent.Decide(tc.r, tc.src, consent.NewGrants(tc.linked, tc.grants), tc.c)
			assertDecision(t, got, tc.want, tc.c, tc.src.App)
		})
	}
}

func TestDecideNilAccountIsAbsent(t *testing.T) {
	got := consent.Decide(consent.Request{ViewerPersonID: personP, App: appT}, nil, consent.Grants{}, profile.CategoryContact)
	assertDecision(t, got, absent, profile.CategoryContact, "")
}

func TestGrants(t *testing.T) {
	fb, ig, th := profile.AppFacebook, profile.AppInstagram, profile.AppThreads
	key := profile.ConsentKey{SourceApp: fb, TargetApp: ig, Category: profile.CategoryContact, Purpose: profile.PurposeService}
	c := &profile.Consent{SourceApp: fb, TargetApp: ig, Category: profile.CategoryContact, Purpose: profile.PurposeService}
	tests := []struct {
		name     string
		linked   []profile.App
		consents []*profile.Consent
		k        profile.ConsentKey
		want     bool
	}{
		{"zero grants hold nothing", nil, nil, key, false},
		{"granted between linked apps", []profile.App{fb, ig}, []*profile.Consent{c}, key, true},
		{"other purpose is a different consent", []profile.App{fb, ig}, []*profile.Consent{c}, profile.ConsentKey{SourceApp: fb, TargetApp: ig, Category: profile.CategoryContact, Purpose: profile.PurposeAds}, false},
		{"source app not linked", []profile.App{ig, th}, []*profile.Consent{c}, key, false},
		{"target app not linked", []profile.App{fb, th}, []*profile.Consent{c}, key, false},
		{"nil consents are ignored", []profile.App{fb, ig}, []*profile.Consent{nil, c}, key, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := consent.NewGrants(tc.linked, tc.consents).Has(tc.k); got != tc.want {
				t.Fatalf("Has(%+v) = %v, want %v", tc.k, got, tc.want)
			}
		})
	}
	t.Run("zero value grants nothing", func(t *testing.T) {
		if (consent.Grants{}).Has(key) {
			t.Fatal("zero Grants has a consent")
		}
	})
}

func TestIsOwnerAndOwnsAccount(t *testing.T) {
	r := consent.Request{ViewerAccountID: "a-ig", ViewerPersonID: personP, App: profile.AppInstagram}
	unlinkedViewer := consent.Request{ViewerAccountID: "lonely", App: profile.AppInstagram}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"owner of own person", consent.IsOwner(r, personP), true},
		{"not owner of another person", consent.IsOwner(r, personQ), false},
		{"unlinked viewer owns no person with empty id", consent.IsOwner(unlinkedViewer, ""), false},
		{"owns the account of its person", consent.OwnsAccount(r, &profile.Account{ID: "a-fb", PersonID: personP}), true},
		{"does not own another person's account", consent.OwnsAccount(r, &profile.Account{ID: "b-fb", PersonID: personQ}), false},
		{"unlinked viewer owns its own account", consent.OwnsAccount(unlinkedViewer, &profile.Account{ID: "lonely"}), true},
		{"unlinked viewer does not own other unlinked accounts", consent.OwnsAccount(unlinkedViewer, &profile.Account{ID: "other"}), false},
		{"service token owns nothing", consent.OwnsAccount(consent.Request{App: profile.AppInstagram}, &profile.Account{}), false},
		{"nobody owns nil", consent.OwnsAccount(r, nil), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.got != tc.want {
				t.Fatalf("got %v, want %v", tc.got, tc.want)
			}
		})
	}
}
