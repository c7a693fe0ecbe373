package accountscenter

import (
	"context"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// CrossPostInput asks to share content posted by an account of the service token's app
// (from) to the person's account in To (crossPost, SPEC §6).
type CrossPostInput struct {
	AppUserID      string
	To             profile.App
	ContentID      string
	DevicePlatform *profile.DevicePlatform
}

// CrossPost authorizes and records the cross-post of content in.ContentID from the
// account (v.App, in.AppUserID) to the account its person has in in.To, and returns it.
// It succeeds only when the account is linked, its person has the rule (v.App → in.To)
// in settings.crossPosting and a linked account in in.To; the check and the write run
// under the person's lock, so an unlink that returned stops every later call. A new
// cross-post appends CROSS_POSTED in the same transaction. The same (account, To,
// ContentID) again returns the stored cross-post (with its first devicePlatform) and
// records nothing: the store's unique constraint decides, even between concurrent calls.
// The rules are checked on every call, so a repeat after an unlink is FORBIDDEN too.
//
// Errors: FORBIDDEN unless v is a service token, or when a rule above does not hold;
// BAD_USER_INPUT for an invalid appUserId, To = the token's app, a contentId outside
// 1–128 characters or an unknown app or platform; NOT_FOUND for an unknown account.
func (s *Service) CrossPost(ctx context.Context, v *profile.Viewer, in CrossPostInput) (*profile.CrossPost, error) {
	if v == nil || !v.Service || !v.App.Valid() {
		return nil, profile.Errorf(profile.Forbidden, "crossPost needs a service token of the app the content was posted in")
	}
	if err := validateCrossPost(v.App, in); err != nil {
		return nil, err
	}
	now := s.clock()
	key := profile.AccountKey{App: v.App, AppUserID: in.AppUserID}
	var out *profile.CrossPost
	err := s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		seen, err := tx.AccountsByKey(ctx, []profile.AccountKey{key})
		if err != nil {
			return fmt.Errorf("read account: %w", err)
		}
		src := seen[key]
		if src == nil {
			return profile.Errorf(profile.NotFound, "no %s account %q", v.App, in.AppUserID)
		}
		if src.PersonID == "" {
			return profile.Errorf(profile.Forbidden, "the account is not linked to an Accounts Center")
		}
		// The person's lock orders this call after any unlink, settings change or
		// concurrent cross-post of the person.
		if err := lockPerson(ctx, tx, src.PersonID); err != nil {
			return err
		}
		if src, err = tx.LockAccountByKey(ctx, key); err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		if src == nil || src.PersonID != seen[key].PersonID {
			return errRetry // unlinked, relinked or deleted meanwhile
		}
		st, err := personSettings(ctx, tx, src.PersonID)
		if err != nil {
			return err
		}
		if !slices.Contains(st.CrossPosting, profile.CrossPostRule{From: v.App, To: in.To}) {
			return profile.Errorf(profile.Forbidden, "the person has not allowed cross-posting from %s to %s", v.App, in.To)
		}
		accs, err := personAccounts(ctx, tx, src.PersonID)
		if err != nil {
			return err
		}
		target := accountIn(accs, in.To)
		if target == nil {
			return profile.Errorf(profile.Forbidden, "the person has no linked %s account", in.To)
		}
		c := &profile.CrossPost{ID: uuid.NewString(), AccountID: src.ID, From: v.App, To: in.To, TargetAccountID: target.ID,
			ContentID: in.ContentID, DevicePlatform: in.DevicePlatform, At: now}
		stored, created, err := tx.InsertCrossPost(ctx, c)
		if err != nil {
			return fmt.Errorf("record cross-post: %w", err)
		}
		if created {
			if err := appendEvent(ctx, tx, src.PersonID, profile.ActivityCrossPosted, v.App, now, "shared from "+string(v.App)+" to "+string(in.To)); err != nil {
				return err
			}
		}
		out = stored
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func validateCrossPost(from profile.App, in CrossPostInput) error {
	if err := validateAppUserID(in.AppUserID); err != nil {
		return err
	}
	switch {
	case !in.To.Valid():
		return profile.Errorf(profile.BadUserInput, "to: unknown app %q", in.To)
	case in.To == from:
		return profile.Errorf(profile.BadUserInput, "to: content cannot be cross-posted to the app it was posted in")
	case in.DevicePlatform != nil && !in.DevicePlatform.Valid():
		return profile.Errorf(profile.BadUserInput, "devicePlatform: unknown platform %q", *in.DevicePlatform)
	case !utf8.ValidString(in.ContentID):
		return profile.Errorf(profile.BadUserInput, "contentId: must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(in.ContentID); n < 1 || n > profile.MaxContentIDLen {
		return profile.Errorf(profile.BadUserInput, "contentId: must be 1 to %d characters", profile.MaxContentIDLen)
	}
	for _, r := range in.ContentID {
		if unicode.IsControl(r) {
			return profile.Errorf(profile.BadUserInput, "contentId: must not contain control characters")
		}
	}
	return nil
}
