package accountscenter

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

const (
	// handoffTTL is how long a login handoff code stays redeemable (SPEC §6).
	handoffTTL = 120 * time.Second
	// handoffBytes is the code's randomness: 256 bits, well above the 128 required.
	handoffBytes = 32
)

// CreateLoginHandoff issues a one-time code that lets the backend of target sign the
// viewer's person in to its target account. The code (32 random bytes, base64url without
// padding) is returned once; only its SHA-256 is stored. It expires 120 s after creation
// and appends LOGIN_HANDOFF_CREATED.
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); NOT_FOUND if the viewer's account is not
// known yet; BAD_USER_INPUT for an unknown app, a viewer who is not linked, target not in
// settings.singleSignOn, or no account linked in target.
func (s *Service) CreateLoginHandoff(ctx context.Context, v *profile.Viewer, target profile.App) (string, time.Time, error) {
	if err := requireUser(v, "createLoginHandoff"); err != nil {
		return "", time.Time{}, err
	}
	if !target.Valid() {
		return "", time.Time{}, profile.Errorf(profile.BadUserInput, "targetApp: unknown app %q", target)
	}
	now := s.clock()
	expires := now.Add(handoffTTL)
	var code string
	err := s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, accs, st, err := lockLinkedSettings(ctx, tx, v, profile.Errorf(profile.BadUserInput, "link an account first"))
		if err != nil {
			return err
		}
		pid := mine.PersonID
		if !slices.Contains(st.SingleSignOn, target) {
			return profile.Errorf(profile.BadUserInput, "turn on single sign-on for %s in settings first", target)
		}
		acc := accountIn(accs, target)
		if acc == nil {
			return profile.Errorf(profile.BadUserInput, "no %s account is linked to you", target)
		}
		raw := make([]byte, handoffBytes)
		if _, err := io.ReadFull(s.rand, raw); err != nil {
			return fmt.Errorf("draw handoff code: %w", err)
		}
		c := base64.RawURLEncoding.EncodeToString(raw)
		h := sha256.Sum256([]byte(c))
		if err := tx.InsertHandoff(ctx, &profile.LoginHandoff{
			CodeHash: h[:], PersonID: pid, TargetApp: target, AccountID: acc.ID,
			CreatedAt: now, ExpiresAt: expires,
		}); err != nil {
			return fmt.Errorf("insert handoff: %w", err)
		}
		code = c
		detail := fmt.Sprintf("sign-in handoff from %s to %s created", v.App, target)
		return appendEvent(ctx, tx, pid, profile.ActivityLoginHandoffCreated, target, now, detail)
	})
	if err != nil {
		return "", time.Time{}, err
	}
	return code, expires, nil
}

// errInvalidHandoff is the one answer to every failed redemption, so that a caller learns
// nothing about why (unknown, used, expired, wrong app or unlinked).
func errInvalidHandoff() error {
	return profile.Errorf(profile.InvalidHandoff, "invalid or expired login handoff")
}

// RedeemLoginHandoff redeems a code of CreateLoginHandoff for the backend of its target
// app and returns the account to sign in to; it appends LOGIN_HANDOFF_REDEEMED. A code is
// redeemed at most once: of concurrent redemptions exactly one succeeds. A failed attempt
// (for instance by another app's service) does not use the code up.
//
// Errors: INVALID_HANDOFF, with one message for every reason (not a service token of the
// target app, malformed, unknown, already used or expired code, target account no longer
// linked or single sign-on turned off); a store failure is returned wrapped.
func (s *Service) RedeemLoginHandoff(ctx context.Context, v *profile.Viewer, code string) (*profile.Account, error) {
	if v == nil || !v.Service {
		return nil, errInvalidHandoff()
	}
	if raw, err := base64.RawURLEncoding.DecodeString(code); err != nil || len(raw) != handoffBytes {
		return nil, errInvalidHandoff()
	}
	h := sha256.Sum256([]byte(code))
	now := s.clock()
	var out *profile.Account
	err := s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		ho, err := tx.RedeemHandoff(ctx, h[:], now)
		if err != nil {
			return fmt.Errorf("redeem handoff: %w", err)
		}
		// Any failure from here returns an error, so the redemption mark rolls back.
		if ho == nil || !now.Before(ho.ExpiresAt) || ho.TargetApp != v.App {
			return errInvalidHandoff()
		}
		// Person before account, like every other mutation: the redemption serializes
		// with the person's unlinks and settings changes, and its activity event gets its
		// sequence number in commit order (activity pages are keyset on it).
		if err := tx.LockPerson(ctx, ho.PersonID); err != nil {
			if profile.ErrorCode(err) == profile.NotFound {
				return errInvalidHandoff()
			}
			return fmt.Errorf("lock person: %w", err)
		}
		locked, err := tx.LockAccounts(ctx, []string{ho.AccountID})
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		acc := locked[ho.AccountID]
		if acc == nil || acc.PersonID != ho.PersonID || acc.App != ho.TargetApp {
			return errInvalidHandoff()
		}
		st, err := personSettings(ctx, tx, ho.PersonID)
		if err != nil {
			return err
		}
		if !slices.Contains(st.SingleSignOn, ho.TargetApp) {
			return errInvalidHandoff()
		}
		out = acc
		detail := fmt.Sprintf("signed in to %s with a login handoff", ho.TargetApp)
		return appendEvent(ctx, tx, ho.PersonID, profile.ActivityLoginHandoffRedeemed, ho.TargetApp, now, detail)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
