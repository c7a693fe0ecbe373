package accountscenter_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

// Minors and ADS consents (SPEC §6): on the clock t0 (2025-03-14), someone born on
// minorBirth is 15 and someone born on adultBirth an adult.
var (
	minorBirth = profile.Date{Year: 2010, Month: time.January, Day: 1}
	adultBirth = profile.Date{Year: 1990, Month: time.May, Day: 1}
)

// pushBirthdate is the app backend of v pushing v's account with birthdate d.
func (e *env) pushBirthdate(t *testing.T, v *profile.Viewer, d profile.Date) error {
	t.Helper()
	_, err := e.svc.UpsertAppAccount(ctx(t), service(v.App), accountscenter.UpsertAccountInput{
		AppUserID: v.Subject, Username: strings.ToLower(strings.ReplaceAll(v.Subject, "-", "_")), Birthdate: &d,
	})
	return err
}

func adsIn(from, to profile.App, c profile.Category) accountscenter.ConsentInput {
	in := consentIn(from, to, c)
	in.Purpose = profile.PurposeAds
	return in
}

func wantMinor(t *testing.T, err error) {
	t.Helper()
	wantCode(t, err, profile.Forbidden)
	if e, ok := err.(*profile.Error); !ok || e.Extensions["reason"] != "MINOR" {
		t.Fatalf("error %v: want extensions reason MINOR", err)
	}
}

// adsConsents returns the keys of the person's ADS consents, and how many others it has.
func (e *env) adsConsents(t *testing.T, personID string) (ads []profile.ConsentKey, others int) {
	t.Helper()
	for _, c := range e.consents(t, personID) {
		if c.Purpose == profile.PurposeAds {
			ads = append(ads, c.Key())
		} else {
			others++
		}
	}
	return ads, others
}

func TestGrantConsentRefusesAdsToAMinor(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, ig1 := user(fb, "f1"), user(ig, "i1")
		pid := e.mustPerson(t, me, ig1)
		// UNKNOWN is not a minor, and neither is an adult.
		if _, err := e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, profile.CategoryProfile)); err != nil {
			t.Fatalf("ADS grant with an unknown age: %v", err)
		}
		if err := e.pushBirthdate(t, me, adultBirth); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, profile.CategoryContact)); err != nil {
			t.Fatalf("ADS grant of an adult: %v", err)
		}
		// INSTAGRAM says 15: the youngest birthdate wins.
		if err := e.pushBirthdate(t, ig1, minorBirth); err != nil {
			t.Fatal(err)
		}
		snap := e.snapshot(t)
		for _, c := range profile.Categories {
			_, err := e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, c))
			wantMinor(t, err)
		}
		// The existing-consent shortcut does not bypass the rule either.
		_, err := e.svc.GrantConsent(ctx(t), user(ig, "i1"), adsIn(fb, ig, profile.CategoryProfile))
		wantMinor(t, err)
		e.assertUnchanged(t, snap)
		// SERVICE consents stay grantable.
		if _, err := e.svc.GrantConsent(ctx(t), me, consentIn(ig, fb, profile.CategoryProfile)); err != nil {
			t.Fatalf("SERVICE grant of a minor: %v", err)
		}
		if ads, others := e.adsConsents(t, pid); len(ads) != 0 || others != 1 {
			t.Fatalf("ADS consents %v and %d others, want none and 1", ads, others)
		}
	})
}

func TestBirthdatePushThatMakesAMinorDeletesAdsConsents(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, ig1 := user(fb, "f1"), user(ig, "i1")
		pid := e.mustPerson(t, me, ig1, user(wa, "w1"))
		if err := e.pushBirthdate(t, me, adultBirth); err != nil {
			t.Fatal(err)
		}
		grants := []accountscenter.ConsentInput{adsIn(ig, fb, profile.CategoryProfile), adsIn(wa, fb, profile.CategoryContact),
			consentIn(ig, fb, profile.CategoryProfile), consentIn(wa, ig, profile.CategoryAge)}
		for _, in := range grants {
			if _, err := e.svc.GrantConsent(ctx(t), me, in); err != nil {
				t.Fatalf("grant %+v: %v", in, err)
			}
		}
		// A birthdate that keeps the person an adult changes nothing of the consents.
		if err := e.pushBirthdate(t, ig1, profile.Date{Year: 2000, Month: time.June, Day: 2}); err != nil {
			t.Fatal(err)
		}
		if ads, _ := e.adsConsents(t, pid); len(ads) != 2 {
			t.Fatalf("ADS consents after an adult birthdate = %v, want 2", ads)
		}

		before := e.activity(t, pid)
		if err := e.pushBirthdate(t, ig1, minorBirth); err != nil {
			t.Fatal(err)
		}
		ads, others := e.adsConsents(t, pid)
		if len(ads) != 0 || others != 2 {
			t.Fatalf("after the minor's birthdate: ADS consents %v and %d others, want none and 2", ads, others)
		}
		added := newEvents(before, e.activity(t, pid))
		revoked := map[string]bool{}
		for _, ev := range added {
			if ev.Type == profile.ActivityConsentRevoked {
				revoked[ev.Detail] = true
			}
		}
		for _, want := range []string{"INSTAGRAM→FACEBOOK PROFILE ADS", "WHATSAPP→FACEBOOK CONTACT ADS"} {
			found := false
			for d := range revoked {
				if strings.HasPrefix(d, want+": ") && strings.Contains(d, "minor (AGE_13_15)") && strings.Contains(d, "INSTAGRAM pushed") {
					found = true
				}
			}
			if !found {
				t.Errorf("no CONSENT_REVOKED for %s saying why; revoked events: %v", want, revoked)
			}
		}
		if len(revoked) != 2 || len(added) != 3 {
			t.Errorf("new events %v, want PROFILE_UPDATED and two CONSENT_REVOKED", eventTypes(added))
		}

		// Nothing comes back when the birthdate is corrected, or with time.
		if err := e.pushBirthdate(t, ig1, adultBirth); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(5 * 365 * 24 * time.Hour)
		if ads, _ := e.adsConsents(t, pid); len(ads) != 0 {
			t.Fatalf("ADS consents came back: %v", ads)
		}
		// Once an adult again, the person may grant them anew.
		if _, err := e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, profile.CategoryProfile)); err != nil {
			t.Fatalf("ADS grant after the correction: %v", err)
		}
	})
}

func TestBirthdateOfAnUnlinkedAccountTouchesNoConsent(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me := user(fb, "f1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		if _, err := e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, profile.CategoryProfile)); err != nil {
			t.Fatal(err)
		}
		loner := user(wa, "w-loner")
		e.mustAccount(t, loner)
		if err := e.pushBirthdate(t, loner, minorBirth); err != nil {
			t.Fatal(err)
		}
		if ads, _ := e.adsConsents(t, pid); len(ads) != 1 {
			t.Fatalf("ADS consents = %v, want the one granted", ads)
		}
	})
}

func TestLinkingAMinorsAccountDeletesAdsConsents(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		me, wa1 := user(fb, "f1"), user(wa, "w1")
		pid := e.mustPerson(t, me, user(ig, "i1"))
		for _, in := range []accountscenter.ConsentInput{adsIn(ig, fb, profile.CategoryProfile), consentIn(ig, fb, profile.CategoryProfile)} {
			if _, err := e.svc.GrantConsent(ctx(t), me, in); err != nil {
				t.Fatal(err)
			}
		}
		e.mustAccount(t, wa1)
		if err := e.pushBirthdate(t, wa1, minorBirth); err != nil {
			t.Fatal(err)
		}
		if ads, _ := e.adsConsents(t, pid); len(ads) != 1 {
			t.Fatalf("an unlinked account's birthdate deleted ADS consents: %v", ads)
		}
		before := e.activity(t, pid)
		if _, err := e.svc.LinkAccount(ctx(t), me, e.proof(wa1)); err != nil {
			t.Fatal(err)
		}
		ads, others := e.adsConsents(t, pid)
		if len(ads) != 0 || others != 1 {
			t.Fatalf("after linking a minor's account: ADS consents %v and %d others, want none and 1", ads, others)
		}
		added := newEvents(before, e.activity(t, pid))
		if got := eventTypes(added); len(got) != 2 || got[0] != profile.ActivityConsentRevoked || got[1] != profile.ActivityLinked {
			t.Fatalf("new events %v, want LINKED then CONSENT_REVOKED (newest first)", got)
		}
		if d := added[0].Detail; !strings.HasPrefix(d, "INSTAGRAM→FACEBOOK PROFILE ADS: ") || !strings.Contains(d, "WHATSAPP account just linked") {
			t.Fatalf("CONSENT_REVOKED detail %q does not say why", d)
		}
	})
}

// TestAdsGrantRacingWithABirthdatePushLeavesNoAdsConsent: grants of ADS consents race
// with the push that makes the person a minor; whichever wins, no ADS consent is left.
func TestAdsGrantRacingWithABirthdatePushLeavesNoAdsConsent(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		const rounds = 25
		refused, granted := 0, 0
		for i := range rounds {
			me, ig1 := user(fb, fmt.Sprintf("race-f%d", i)), user(ig, fmt.Sprintf("race-i%d", i))
			pid := e.mustPerson(t, me, ig1)
			var wg sync.WaitGroup
			errs := make([]error, len(profile.Categories)+1)
			for j, c := range profile.Categories {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[j] = e.svc.GrantConsent(ctx(t), me, adsIn(ig, fb, c))
				}()
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[len(errs)-1] = e.pushBirthdate(t, ig1, minorBirth)
			}()
			wg.Wait()
			if err := errs[len(errs)-1]; err != nil {
				t.Fatalf("round %d: birthdate push: %v", i, err)
			}
			for _, err := range errs[:len(errs)-1] {
				switch {
				case err == nil:
					granted++
				case profile.ErrorCode(err) == profile.Forbidden:
					refused++
				default:
					t.Fatalf("round %d: grant: %v", i, err)
				}
			}
			if ads, _ := e.adsConsents(t, pid); len(ads) != 0 {
				t.Fatalf("round %d: a minor holds ADS consents %v", i, ads)
			}
		}
		t.Logf("%d rounds: %d grants committed before the push (then deleted), %d refused", rounds, granted, refused)
	})
}
