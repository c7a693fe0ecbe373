package accountscenter

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/profilegraph/profilegraph/profile"
)

// LinkAccount puts the account proven by proof (a user token of it) under the viewer's
// person, creating the person (and linking the viewer's own account to it first) when the
// viewer has none. It returns the person's id. Linking an account that is already on the
// viewer's person changes nothing and succeeds. Each account linked appends LINKED.
//
// Of concurrent links of one account, exactly one wins: the accounts are row-locked and
// re-read before anything is decided.
//
// When the linked account's birthdate makes the person a minor, its ADS consents are
// deleted in the same transaction, each with CONSENT_REVOKED (SPEC §6).
//
// Errors: FORBIDDEN unless v is a user token not made for ads; BAD_USER_INPUT if proof is
// not a valid user token (service and purpose=ads tokens are not) or names the viewer's
// own account; NOT_FOUND if either account is not known
// yet; ALREADY_LINKED if the proven account belongs to another person or the person
// already has an account in its app.
func (s *Service) LinkAccount(ctx context.Context, v *profile.Viewer, proof string) (string, error) {
	if err := requireUser(v, "linkAccount"); err != nil {
		return "", err
	}
	pv, err := s.proofs.Verify(ctx, proof)
	// A service token or a token made for ads (purpose=ads) proves nothing of the person.
	if err != nil || pv == nil || pv.Service || pv.Purpose == profile.PurposeAds || !pv.App.Valid() || pv.Subject == "" {
		if cerr := ctx.Err(); cerr != nil {
			return "", fmt.Errorf("verify proof: %w", cerr)
		}
		return "", profile.Errorf(profile.BadUserInput, "proof is not a valid user token of the account to link")
	}
	if pv.AccountKey() == v.AccountKey() {
		return "", profile.Errorf(profile.BadUserInput, "proof is for your own account; sign in to the account to link and use its token")
	}
	now := s.clock()
	var personID string
	err = s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		keys := []profile.AccountKey{v.AccountKey(), pv.AccountKey()}
		m, err := tx.AccountsByKey(ctx, keys)
		if err != nil {
			return fmt.Errorf("read accounts: %w", err)
		}
		mine, theirs := m[keys[0]], m[keys[1]]
		if mine == nil {
			return profile.Errorf(profile.NotFound, "your %s account is not known yet", v.App)
		}
		if theirs == nil {
			return profile.Errorf(profile.NotFound, "the %s account to link is not known yet", pv.App)
		}
		pid := mine.PersonID
		if pid != "" {
			// Person before accounts, the lock order of every mutation.
			if err := lockPerson(ctx, tx, pid); err != nil {
				return err
			}
		}
		locked, err := tx.LockAccounts(ctx, []string{mine.ID, theirs.ID})
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		mine, theirs = locked[mine.ID], locked[theirs.ID]
		if mine == nil || theirs == nil || mine.PersonID != pid {
			return errRetry
		}
		switch {
		case theirs.PersonID != "" && theirs.PersonID == pid:
			personID = pid
			return nil
		case theirs.PersonID != "":
			return profile.Errorf(profile.AlreadyLinked, "that %s account is already linked to another person", theirs.App)
		}

		held := []profile.App{mine.App}
		var accs []*profile.Account
		if pid != "" {
			if accs, err = personAccounts(ctx, tx, pid); err != nil {
				return err
			}
			held = profile.AppsOf(accs)
		}
		if slices.Contains(held, theirs.App) {
			return profile.Errorf(profile.AlreadyLinked, "you already have a %s account linked; unlink it first", theirs.App)
		}

		if pid == "" {
			pid = uuid.NewString()
			if err := tx.InsertPerson(ctx, &profile.Person{ID: pid, CreatedAt: now}); err != nil {
				return fmt.Errorf("insert person: %w", err)
			}
			if err := link(ctx, tx, mine, pid, now); err != nil {
				return err
			}
		}
		if err := link(ctx, tx, theirs, pid, now); err != nil {
			return err
		}
		personID = pid
		if len(accs) == 0 {
			return nil // a new person: it holds no consent yet
		}
		// The linked account's birthdate may make the person a minor (SPEC §6).
		return protectMinor(ctx, tx, pid, append(accs, theirs), now, fmt.Sprintf("the birthdate of the %s account just linked", theirs.App))
	})
	if err != nil {
		return "", err
	}
	return personID, nil
}

// link puts a locked account under a person and appends LINKED.
func link(ctx context.Context, tx profile.Tx, a *profile.Account, personID string, now time.Time) error {
	a.PersonID = personID
	a.LinkedAt = &now
	if err := tx.UpdateAccount(ctx, a); err != nil {
		if profile.ErrorCode(err) == profile.AlreadyLinked {
			return err
		}
		return fmt.Errorf("link account: %w", err)
	}
	return appendEvent(ctx, tx, personID, profile.ActivityLinked, a.App, now, fmt.Sprintf("%s account linked", a.App))
}

// UnlinkAccount removes the viewer's person's account in app from the person (promise 2):
// the consents, cross-post rules and single-sign-on entries naming app are deleted, and
// UNLINKED records the cutoff; values copied before stay. A person left without accounts
// is deleted. It returns the viewer's person id afterwards, or "" when the viewer has no
// person any more (its own account was unlinked, or the person is gone).
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); BAD_USER_INPUT for an unknown app;
// NOT_FOUND if the viewer's account is unknown, not linked, or its person has no account
// in app.
func (s *Service) UnlinkAccount(ctx context.Context, v *profile.Viewer, app profile.App) (string, error) {
	if err := requireUser(v, "unlinkAccount"); err != nil {
		return "", err
	}
	if !app.Valid() {
		return "", profile.Errorf(profile.BadUserInput, "unknown app %q", app)
	}
	now := s.clock()
	var result string
	err := s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, accs, err := lockLinkedPerson(ctx, tx, v, profile.Errorf(profile.NotFound, "your %s account is not linked to any other account", v.App))
		if err != nil {
			return err
		}
		pid := mine.PersonID
		target := accountIn(accs, app)
		if target == nil {
			return profile.Errorf(profile.NotFound, "no %s account is linked to you", app)
		}
		locked, err := tx.LockAccounts(ctx, []string{target.ID})
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		target = locked[target.ID]
		if target == nil || target.PersonID != pid {
			return errRetry
		}

		remaining, err := unlinkLocked(ctx, tx, pid, len(accs), target, now)
		if err != nil {
			return err
		}
		if remaining > 0 && target.ID != mine.ID {
			result = pid
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return result, nil
}

// unlinkLocked is the unlink of promise 2, shared by unlinkAccount and
// deleteAppAccount: it takes the locked account target off its person pid (locked,
// with linked accounts before this unlink), deletes the consents, cross-post rules and
// single-sign-on entries naming target's app, appends UNLINKED, and deletes the person
// when no account is left. It returns how many accounts the person has left.
func unlinkLocked(ctx context.Context, tx profile.Tx, pid string, linked int, target *profile.Account, now time.Time) (int, error) {
	app := target.App
	target.PersonID, target.LinkedAt = "", nil
	if err := tx.UpdateAccount(ctx, target); err != nil {
		return 0, fmt.Errorf("unlink account: %w", err)
	}
	if _, err := tx.DeleteConsentsNaming(ctx, pid, app); err != nil {
		return 0, fmt.Errorf("delete consents: %w", err)
	}
	// Outstanding sign-on codes to the app die with its link (SPEC §6).
	if _, err := tx.DeleteHandoffs(ctx, pid, app); err != nil {
		return 0, fmt.Errorf("delete login handoffs: %w", err)
	}
	remaining := linked - 1
	if remaining > 0 {
		if err := dropAppFromSettings(ctx, tx, pid, app, now); err != nil {
			return 0, err
		}
	}
	detail := fmt.Sprintf("%s account unlinked: sharing with %s stopped; copies made before stay", app, app)
	if err := appendEvent(ctx, tx, pid, profile.ActivityUnlinked, app, now, detail); err != nil {
		return 0, err
	}
	if remaining == 0 {
		// DeletePerson also removes the person's settings and consents.
		if err := tx.DeletePerson(ctx, pid); err != nil {
			return 0, fmt.Errorf("delete person: %w", err)
		}
	}
	return remaining, nil
}

// dropAppFromSettings removes the cross-post rules and the single-sign-on entry naming
// app from the person's stored settings, if there are any: the settings become what is
// effective once app is no longer linked (profile.Settings.Effective).
func dropAppFromSettings(ctx context.Context, tx profile.Tx, personID string, app profile.App, now time.Time) error {
	m, err := tx.SettingsByPerson(ctx, []string{personID})
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	st := m[personID]
	if st == nil {
		return nil
	}
	others := slices.DeleteFunc(slices.Clone(profile.Apps), func(a profile.App) bool { return a == app })
	eff := st.Effective(others)
	if len(eff.CrossPosting) == len(st.CrossPosting) && len(eff.SingleSignOn) == len(st.SingleSignOn) {
		return nil
	}
	st = eff
	st.Version++
	st.UpdatedAt = now
	if err := tx.PutSettings(ctx, st); err != nil {
		return fmt.Errorf("put settings: %w", err)
	}
	return nil
}
