package accountscenter

import (
	"context"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/profilegraph/profilegraph/profile"
)

// UpsertAccountInput is an app backend's account record (upsertAppAccount). The app is
// the service token's; a nil field keeps its stored value.
type UpsertAccountInput struct {
	AppUserID, Username                        string
	DisplayName, AvatarURL, PhoneNumber, Email *string
	Birthdate                                  *profile.Date
	// Devices, when not nil, replaces the account's device list (an empty list removes
	// every device); nil keeps it.
	Devices *[]*profile.Device
}

// maxAppUserID bounds appUserId, in characters.
const maxAppUserID = 128

// upsertFields is a validated and normalized UpsertAccountInput.
type upsertFields struct {
	username                                   string
	displayName, avatarURL, phoneNumber, email *string
	birthdate                                  *profile.Date
	devices                                    *[]*profile.Device // validated, times normalized
}

// UpsertAppAccount creates or updates the account (v.App, in.AppUserID) as pushed by the
// backend of v.App, and returns it as stored. Fields left nil keep their value; given
// fields are validated and normalized, and UpdatedAt moves only when a value changed. A
// change to a linked account (its profile fields or its devices) appends one
// PROFILE_UPDATED to its person's activity. A birthdate that makes a linked account's
// person a minor deletes the person's ADS consents in the same transaction, each with
// CONSENT_REVOKED (SPEC §6). Given devices replace the stored list
// (SPEC §6); they do not move UpdatedAt, which dates the profile fields the merged
// profile compares.
//
// Errors: FORBIDDEN unless v is a service token; BAD_USER_INPUT for an invalid field
// (appUserId must be 1–128 characters without control characters, username is
// required, devices as profile.ValidateDevices), and then nothing is written.
func (s *Service) UpsertAppAccount(ctx context.Context, v *profile.Viewer, in UpsertAccountInput) (*profile.Account, error) {
	if v == nil || !v.Service {
		return nil, profile.Errorf(profile.Forbidden, "upsertAppAccount needs a service token of the account's app")
	}
	if !v.App.Valid() {
		return nil, profile.Errorf(profile.Forbidden, "upsertAppAccount needs a service token of the account's app")
	}
	now := s.clock()
	if err := validateAppUserID(in.AppUserID); err != nil {
		return nil, err
	}
	f, err := validateUpsert(in, profile.DateOf(now))
	if err != nil {
		return nil, err
	}
	if f.devices, err = validateDevices(in.Devices, now); err != nil {
		return nil, err
	}
	key := profile.AccountKey{App: v.App, AppUserID: in.AppUserID}
	var out *profile.Account
	err = s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		// A linked account's person is locked first (the lock order of every mutation),
		// so that its PROFILE_UPDATED event is sequenced after the person's earlier
		// events and activity pages never skip one.
		seen, err := tx.AccountsByKey(ctx, []profile.AccountKey{key})
		if err != nil {
			return fmt.Errorf("read account: %w", err)
		}
		pid := ""
		if a := seen[key]; a != nil && a.PersonID != "" {
			pid = a.PersonID
			if err := lockPerson(ctx, tx, pid); err != nil {
				return err
			}
		}
		acc, err := tx.LockAccountByKey(ctx, key)
		if err != nil {
			return fmt.Errorf("lock account: %w", err)
		}
		if acc != nil && acc.PersonID != pid {
			return errRetry // linked or unlinked meanwhile: start over with the right lock
		}
		if acc == nil {
			acc = &profile.Account{ID: uuid.NewString(), App: v.App, AppUserID: in.AppUserID, CreatedAt: now, UpdatedAt: now}
			f.apply(acc, now)
			if err := tx.InsertAccount(ctx, acc); err != nil {
				if profile.ErrorCode(err) == profile.Conflict {
					return errRetry // created concurrently: update it on the next attempt
				}
				return fmt.Errorf("insert account: %w", err)
			}
			if _, err := replaceDevices(ctx, tx, acc.ID, f.devices); err != nil {
				return err
			}
			out = acc
			return nil
		}
		birthChanged := f.birthdate != nil && (acc.Birthdate == nil || *acc.Birthdate != *f.birthdate)
		changed := f.apply(acc, now)
		if changed {
			acc.UpdatedAt = now
			if err := tx.UpdateAccount(ctx, acc); err != nil {
				return fmt.Errorf("update account: %w", err)
			}
		}
		devicesChanged, err := replaceDevices(ctx, tx, acc.ID, f.devices)
		if err != nil {
			return err
		}
		if (changed || devicesChanged) && acc.Linked() {
			if err := appendEvent(ctx, tx, acc.PersonID, profile.ActivityProfileUpdated, v.App, now, "updated by "+string(v.App)); err != nil {
				return err
			}
		}
		if birthChanged && acc.Linked() {
			// The new birthdate may make the person a minor (SPEC §6); the person is
			// locked, as in GrantConsent.
			accs, err := personAccounts(ctx, tx, acc.PersonID)
			if err != nil {
				return err
			}
			if err := protectMinor(ctx, tx, acc.PersonID, accs, now, fmt.Sprintf("the birthdate %s pushed", v.App)); err != nil {
				return err
			}
		}
		out = acc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func validateAppUserID(id string) error {
	switch {
	case id == "":
		return profile.Errorf(profile.BadUserInput, "appUserId is required")
	case !utf8.ValidString(id):
		return profile.Errorf(profile.BadUserInput, "appUserId is not valid UTF-8")
	case utf8.RuneCountInString(id) > maxAppUserID:
		return profile.Errorf(profile.BadUserInput, "appUserId is longer than %d characters", maxAppUserID)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return profile.Errorf(profile.BadUserInput, "appUserId contains a control character")
		}
	}
	return nil
}

func validateUpsert(in UpsertAccountInput, today profile.Date) (upsertFields, error) {
	f := upsertFields{username: in.Username}
	if err := profile.ValidateUsername(in.Username); err != nil {
		return f, err
	}
	var err error
	if in.DisplayName != nil {
		if f.displayName, err = normalized(in.DisplayName, profile.NormalizeDisplayName); err != nil {
			return f, err
		}
	}
	if in.AvatarURL != nil {
		if f.avatarURL, err = normalized(in.AvatarURL, checkedAvatarURL); err != nil {
			return f, err
		}
	}
	if in.PhoneNumber != nil {
		if f.phoneNumber, err = normalized(in.PhoneNumber, profile.NormalizePhone); err != nil {
			return f, err
		}
	}
	if in.Email != nil {
		if f.email, err = normalized(in.Email, profile.NormalizeEmail); err != nil {
			return f, err
		}
	}
	if in.Birthdate != nil {
		if err := profile.ValidateBirthdate(*in.Birthdate, today); err != nil {
			return f, err
		}
		d := *in.Birthdate
		f.birthdate = &d
	}
	return f, nil
}

// apply writes the given fields into a and reports whether any value changed.
func (f upsertFields) apply(a *profile.Account, now time.Time) bool {
	changed := false
	if a.Username != f.username {
		a.Username, changed = f.username, true
	}
	changed = setString(&a.DisplayName, f.displayName) || changed
	changed = setAvatar(&a.Avatar, f.avatarURL, now) || changed
	changed = setString(&a.PhoneNumber, f.phoneNumber) || changed
	changed = setString(&a.Email, f.email) || changed
	if f.birthdate != nil && (a.Birthdate == nil || *a.Birthdate != *f.birthdate) {
		d := *f.birthdate
		a.Birthdate, changed = &d, true
	}
	return changed
}

// setString sets *dst to *val when val is given and differs; it reports a change.
func setString(dst **string, val *string) bool {
	if val == nil || (*dst != nil && **dst == *val) {
		return false
	}
	v := *val
	*dst = &v
	return true
}

// setAvatar replaces the avatar when a different URL is given; the new avatar's size is
// unknown until an image pipeline measures it.
func setAvatar(dst **profile.Avatar, url *string, now time.Time) bool {
	if url == nil || (*dst != nil && (*dst).URL == *url) {
		return false
	}
	*dst = &profile.Avatar{URL: *url, UpdatedAt: now}
	return true
}
