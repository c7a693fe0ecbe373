package accountscenter

import (
	"context"
	"fmt"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// ageOf reconciles the age of a person whose linked accounts are accs, on the day of now
// (consent.AgeRange: the youngest birthdate wins).
func ageOf(accs []*profile.Account, now time.Time) profile.AgeRange {
	ds := make([]profile.Date, 0, len(accs))
	for _, a := range accs {
		if a != nil && a.Birthdate != nil {
			ds = append(ds, *a.Birthdate)
		}
	}
	return consent.AgeRange(ds, profile.DateOf(now))
}

// errMinorAds refuses an ADS consent to a minor (SPEC §6 "Minors and ADS consents").
func errMinorAds(age profile.AgeRange) *profile.Error {
	return profile.MinorError("ads consents cannot be granted while you are a minor (%s): no data crosses apps for ads", age)
}

// protectMinor runs after a write that may have made person personID a minor (a link, a
// birthdate pushed by an app), in its transaction, with the person locked: when the
// person's linked accounts, now accs, make it a minor, every ADS consent it holds is
// deleted, each with a CONSENT_REVOKED event whose detail says why (cause names the
// write). Nothing brings them back later: coming of age, or a corrected birthdate,
// restores no consent by itself.
//
// The person lock is what makes it race-safe: GrantConsent checks the age under the
// same lock, so a grant racing with the write either commits first (and its consent is
// deleted here) or sees the new age (and is refused).
func protectMinor(ctx context.Context, tx profile.Tx, personID string, accs []*profile.Account, now time.Time, cause string) error {
	age := ageOf(accs, now)
	if !age.Minor() {
		return nil
	}
	cm, err := tx.ConsentsByPerson(ctx, []string{personID})
	if err != nil {
		return fmt.Errorf("read consents: %w", err)
	}
	for _, c := range cm[personID] {
		if c.Purpose != profile.PurposeAds {
			continue
		}
		k := c.Key()
		ok, err := tx.DeleteConsent(ctx, personID, k)
		if err != nil {
			return fmt.Errorf("delete ads consent: %w", err)
		}
		if !ok {
			continue
		}
		detail := fmt.Sprintf("%s: deleted because %s makes you a minor (%s); ads consents are not kept for minors", consentDetail(k), cause, age)
		if err := appendEvent(ctx, tx, personID, profile.ActivityConsentRevoked, k.SourceApp, now, detail); err != nil {
			return err
		}
	}
	return nil
}
