package accountscenter

import (
	"context"
	"fmt"
	"slices"

	"github.com/profilegraph/profilegraph/profile"
)

// ConsentInput names one consent: data of Category may flow from SourceApp to TargetApp
// for Purpose (SERVICE when empty).
type ConsentInput struct {
	SourceApp, TargetApp profile.App
	Category             profile.Category
	Purpose              profile.Purpose
}

// key validates in and returns its consent key.
func (in ConsentInput) key() (profile.ConsentKey, error) {
	if in.Purpose == "" {
		in.Purpose = profile.PurposeService
	}
	k := profile.ConsentKey{SourceApp: in.SourceApp, TargetApp: in.TargetApp, Category: in.Category, Purpose: in.Purpose}
	switch {
	case !k.SourceApp.Valid():
		return k, profile.Errorf(profile.BadUserInput, "sourceApp: unknown app %q", k.SourceApp)
	case !k.TargetApp.Valid():
		return k, profile.Errorf(profile.BadUserInput, "targetApp: unknown app %q", k.TargetApp)
	case !k.Category.Valid():
		return k, profile.Errorf(profile.BadUserInput, "category: unknown data category %q", k.Category)
	case !k.Purpose.Valid():
		return k, profile.Errorf(profile.BadUserInput, "purpose: unknown purpose %q", k.Purpose)
	case k.SourceApp == k.TargetApp:
		return k, profile.Errorf(profile.BadUserInput, "sourceApp and targetApp must differ")
	}
	return k, nil
}

// consentDetail formats a consent for the activity log: "INSTAGRAM→FACEBOOK PROFILE SERVICE".
func consentDetail(k profile.ConsentKey) string {
	return fmt.Sprintf("%s→%s %s %s", k.SourceApp, k.TargetApp, k.Category, k.Purpose)
}

// GrantConsent lets the viewer's person's data of in.Category flow from in.SourceApp to
// in.TargetApp for in.Purpose, and returns the consent as stored. Granting a consent that
// exists returns it unchanged (original GrantedAt) and appends nothing; a new one appends
// CONSENT_GRANTED.
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); FORBIDDEN
// with extensions reason MINOR for purpose ADS when the person's reconciled age is a
// minor's (SPEC §6); NOT_FOUND if the viewer's account is not
// known yet; BAD_USER_INPUT for an unknown app, category or purpose, equal apps, a viewer
// who is not linked, or an app not linked to the person.
func (s *Service) GrantConsent(ctx context.Context, v *profile.Viewer, in ConsentInput) (*profile.Consent, error) {
	if err := requireUser(v, "grantConsent"); err != nil {
		return nil, err
	}
	k, err := in.key()
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var out *profile.Consent
	err = s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, accs, err := lockLinkedPerson(ctx, tx, v, profile.Errorf(profile.BadUserInput, "link an account first"))
		if err != nil {
			return err
		}
		pid := mine.PersonID
		linked := profile.AppsOf(accs)
		for _, app := range []profile.App{k.SourceApp, k.TargetApp} {
			if !slices.Contains(linked, app) {
				return profile.Errorf(profile.BadUserInput, "%s is not linked to you", app)
			}
		}
		// Rule 6: checked under the person lock, which every write of a linked
		// birthdate takes too, so the age read here is the one the grant commits under.
		if age := ageOf(accs, now); k.Purpose == profile.PurposeAds && age.Minor() {
			return errMinorAds(age)
		}
		cm, err := tx.ConsentsByPerson(ctx, []string{pid})
		if err != nil {
			return fmt.Errorf("read consents: %w", err)
		}
		for _, c := range cm[pid] {
			if c.Key() == k {
				out = c
				return nil
			}
		}
		c, err := tx.PutConsent(ctx, &profile.Consent{
			PersonID: pid, SourceApp: k.SourceApp, TargetApp: k.TargetApp,
			Category: k.Category, Purpose: k.Purpose, GrantedAt: now,
		})
		if err != nil {
			return fmt.Errorf("put consent: %w", err)
		}
		out = c
		return appendEvent(ctx, tx, pid, profile.ActivityConsentGranted, k.SourceApp, now, consentDetail(k))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RevokeConsent withdraws one consent of the viewer's person and reports whether it
// existed; only a withdrawn consent appends CONSENT_REVOKED.
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); NOT_FOUND if the viewer's account is not
// known yet; BAD_USER_INPUT for an unknown app, category or purpose, equal apps, or a
// viewer who is not linked.
func (s *Service) RevokeConsent(ctx context.Context, v *profile.Viewer, in ConsentInput) (bool, error) {
	if err := requireUser(v, "revokeConsent"); err != nil {
		return false, err
	}
	k, err := in.key()
	if err != nil {
		return false, err
	}
	now := s.clock()
	var existed bool
	err = s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, err := lockLinkedViewer(ctx, tx, v, profile.Errorf(profile.BadUserInput, "link an account first"))
		if err != nil {
			return err
		}
		pid := mine.PersonID
		ok, err := tx.DeleteConsent(ctx, pid, k)
		if err != nil {
			return fmt.Errorf("delete consent: %w", err)
		}
		existed = ok
		if !ok {
			return nil
		}
		return appendEvent(ctx, tx, pid, profile.ActivityConsentRevoked, k.SourceApp, now, consentDetail(k))
	})
	if err != nil {
		return false, err
	}
	return existed, nil
}
