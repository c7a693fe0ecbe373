package accountscenter

import (
	"context"
	"fmt"

	"github.com/profilegraph/profilegraph/profile"
)

// DeleteAppAccount deletes the account (v.App, appUserID) as its app's backend asks
// (SPEC §6 "Deletion by the app"), in one transaction: a linked account is first
// unlinked exactly as by unlinkAccount (unlinkLocked: consents, cross-post rules and
// sign-on entries naming the app go, UNLINKED is appended, a person left without
// accounts is deleted) and ACCOUNT_DELETED is appended to the person's log; then the
// account, its devices, the cross-posts it made or received and the handoffs naming it
// are deleted.
//
// Errors: FORBIDDEN unless v is a service token (not made for ads) of a valid app;
// BAD_USER_INPUT for a malformed appUserId; NOT_FOUND if the app has no such account.
func (s *Service) DeleteAppAccount(ctx context.Context, v *profile.Viewer, appUserID string) error {
	if v == nil || !v.Service || !v.App.Valid() || v.Purpose == profile.PurposeAds {
		return profile.Errorf(profile.Forbidden, "deleteAppAccount needs a service token of the account's app")
	}
	if err := validateAppUserID(appUserID); err != nil {
		return err
	}
	key := profile.AccountKey{App: v.App, AppUserID: appUserID}
	now := s.clock()
	return s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		m, err := tx.AccountsByKey(ctx, []profile.AccountKey{key})
		if err != nil {
			return fmt.Errorf("read account: %w", err)
		}
		acc := m[key]
		if acc == nil {
			return profile.Errorf(profile.NotFound, "no %s account %q", key.App, key.AppUserID)
		}
		pid := acc.PersonID
		if pid != "" {
			// Person before accounts, the lock order of every mutation.
			if err := lockPerson(ctx, tx, pid); err != nil {
				return err
			}
		}
		locked, err := tx.LockAccounts(ctx, []string{acc.ID})
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		acc = locked[acc.ID]
		if acc == nil || acc.PersonID != pid {
			return errRetry
		}
		if pid != "" {
			accs, err := personAccounts(ctx, tx, pid)
			if err != nil {
				return err
			}
			if _, err := unlinkLocked(ctx, tx, pid, len(accs), acc, now); err != nil {
				return err
			}
			detail := fmt.Sprintf("%s deleted its account; it was unlinked first", acc.App)
			if err := appendEvent(ctx, tx, pid, profile.ActivityAccountDeleted, acc.App, now, detail); err != nil {
				return err
			}
		}
		if err := tx.DeleteAccount(ctx, acc); err != nil {
			return fmt.Errorf("delete account: %w", err)
		}
		return nil
	})
}

// ErasePerson erases the viewer's person (SPEC §6 "Erasure", the right to be
// forgotten), in one transaction: every account is unlinked (the accounts, the apps'
// own records, stay with their devices), the cross-posts between the person's accounts
// are deleted (they would still tie the accounts together), and so are its consents,
// settings (cross-post rules, sign-on), login handoffs and its whole activity log; an
// erasure record holding only the time is stored (profile.Erasure).
//
// Errors: FORBIDDEN unless v is a user token not made for ads; NOT_FOUND if the
// viewer's account is unknown or linked to no person.
func (s *Service) ErasePerson(ctx context.Context, v *profile.Viewer) error {
	if err := requireUser(v, "erasePerson"); err != nil {
		return err
	}
	now := s.clock()
	return s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, err := lockLinkedViewer(ctx, tx, v, profile.Errorf(profile.NotFound, "your %s account is not linked to a person", v.App))
		if err != nil {
			return err
		}
		if _, err := tx.ErasePerson(ctx, mine.PersonID, now); err != nil {
			if profile.ErrorCode(err) == profile.NotFound {
				return errRetry
			}
			return fmt.Errorf("erase person: %w", err)
		}
		return nil
	})
}
