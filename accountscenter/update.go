package accountscenter

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// UpdateProfileInput is the input of updateProfile. A nil field keeps its value; SyncTo
// nil means "all linked apps" (when the person's syncProfile setting is on).
type UpdateProfileInput struct {
	DisplayName, Bio, AvatarURL *string
	SyncTo                      []profile.App
}

// UpdateProfile writes the given profile fields to the viewer's own account and, when the
// viewer's person has settings.syncProfile on, to the person's accounts in SyncTo too
// (nil: every linked account). An empty bio clears it. It returns the viewer's account
// after the write. A linked viewer's change appends one PROFILE_UPDATED listing the apps
// whose accounts changed; writing values that are already stored changes nothing.
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); NOT_FOUND if the viewer's account is not
// known yet; BAD_USER_INPUT if no field is given, a field is invalid, SyncTo is
// non-empty while syncProfile is off or the viewer is not linked ("turn on syncProfile
// first"), or SyncTo names an app not linked to the viewer's person.
func (s *Service) UpdateProfile(ctx context.Context, v *profile.Viewer, in UpdateProfileInput) (*profile.Account, error) {
	if err := requireUser(v, "updateProfile"); err != nil {
		return nil, err
	}
	if in.DisplayName == nil && in.Bio == nil && in.AvatarURL == nil {
		return nil, profile.Errorf(profile.BadUserInput, "give at least one of displayName, bio, avatarUrl")
	}
	var f profileFields
	var err error
	if in.DisplayName != nil {
		if f.displayName, err = normalized(in.DisplayName, profile.NormalizeDisplayName); err != nil {
			return nil, err
		}
	}
	if in.Bio != nil {
		if f.bio, err = normalized(in.Bio, profile.NormalizeBio); err != nil {
			return nil, err
		}
	}
	if in.AvatarURL != nil {
		if f.avatarURL, err = normalized(in.AvatarURL, checkedAvatarURL); err != nil {
			return nil, err
		}
	}
	syncTo, err := validApps(in.SyncTo, "syncTo")
	if err != nil {
		return nil, err
	}
	now := s.clock()
	var out *profile.Account
	err = s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, err := lockViewerPerson(ctx, tx, v)
		if err != nil {
			return err
		}
		targets := []*profile.Account{mine}
		if pid := mine.PersonID; pid != "" {
			st, err := personSettings(ctx, tx, pid)
			if err != nil {
				return err
			}
			if st.SyncProfile {
				accs, err := personAccounts(ctx, tx, pid)
				if err != nil {
					return err
				}
				if targets, err = syncTargets(mine, accs, in.SyncTo == nil, syncTo); err != nil {
					return err
				}
			} else if len(syncTo) > 0 {
				return profile.Errorf(profile.BadUserInput, "syncTo: turn on syncProfile first")
			}
		} else if len(syncTo) > 0 {
			return profile.Errorf(profile.BadUserInput, "syncTo: turn on syncProfile first (link an account and enable it in settings)")
		}

		ids := make([]string, len(targets))
		for i, a := range targets {
			ids[i] = a.ID
		}
		locked, err := tx.LockAccounts(ctx, ids)
		if err != nil {
			return fmt.Errorf("lock accounts: %w", err)
		}
		var written []profile.App
		for _, t := range targets {
			a := locked[t.ID]
			if a == nil || a.PersonID != mine.PersonID {
				return errRetry
			}
			if a.ID == mine.ID {
				out = a
			}
			if !f.apply(a, now) {
				continue
			}
			a.UpdatedAt = now
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return fmt.Errorf("update %s account: %w", a.App, err)
			}
			written = append(written, a.App)
		}
		if mine.PersonID == "" || len(written) == 0 {
			return nil
		}
		detail := fmt.Sprintf("%s updated in %s", f.names(), appList(written))
		return appendEvent(ctx, tx, mine.PersonID, profile.ActivityProfileUpdated, v.App, now, detail)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// syncTargets returns the accounts updateProfile writes when syncProfile is on: the
// viewer's own first, then the other linked accounts (all, or those of syncTo).
func syncTargets(mine *profile.Account, accs []*profile.Account, all bool, syncTo []profile.App) ([]*profile.Account, error) {
	targets := []*profile.Account{mine}
	if all {
		for _, a := range accs {
			if a.ID != mine.ID {
				targets = append(targets, a)
			}
		}
		return targets, nil
	}
	for _, app := range syncTo {
		a := accountIn(accs, app)
		if a == nil {
			return nil, profile.Errorf(profile.BadUserInput, "syncTo: %s is not linked to you", app)
		}
		if a.ID != mine.ID {
			targets = append(targets, a)
		}
	}
	return targets, nil
}

// profileFields is a validated UpdateProfileInput.
type profileFields struct {
	displayName, bio, avatarURL *string
}

// apply writes the given fields into a and reports whether any value changed. An empty
// bio clears it.
func (f profileFields) apply(a *profile.Account, now time.Time) bool {
	changed := setString(&a.DisplayName, f.displayName)
	if f.bio != nil {
		if *f.bio == "" {
			changed = a.Bio != nil || changed
			a.Bio = nil
		} else {
			changed = setString(&a.Bio, f.bio) || changed
		}
	}
	return setAvatar(&a.Avatar, f.avatarURL, now) || changed
}

// names lists the fields given, as the schema spells them.
func (f profileFields) names() string {
	var n []string
	if f.displayName != nil {
		n = append(n, string(profile.FieldDisplayName))
	}
	if f.bio != nil {
		n = append(n, string(profile.FieldBio))
	}
	if f.avatarURL != nil {
		n = append(n, string(profile.FieldAvatar))
	}
	return strings.Join(n, ", ")
}
