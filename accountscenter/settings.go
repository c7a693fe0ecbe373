package accountscenter

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/profilegraph/profilegraph/profile"
)

// UpdateSettingsInput is the input of updateSettings; a nil field keeps its value.
// ExpectedVersion, when given, must equal the stored version (optimistic concurrency).
type UpdateSettingsInput struct {
	SyncProfile     *bool
	CrossPosting    *[]profile.CrossPostRule
	SingleSignOn    *[]profile.App
	ExpectedVersion *int
}

// UpdateSettings changes the viewer's person's settings and returns them as stored. Every
// successful call is one write: Version goes up by one and SETTINGS_UPDATED is appended.
// Duplicate rules and apps are dropped (first occurrence order is kept).
//
// Errors: FORBIDDEN unless v is a user token not made for ads (purpose=ads); NOT_FOUND if the viewer's account is not
// known yet; BAD_USER_INPUT if no setting is given, the viewer is not linked ("link an
// account first"), a rule goes from an app to itself, or a rule or sign-on entry names
// an app not linked to the person; CONFLICT if ExpectedVersion is given and stale.
func (s *Service) UpdateSettings(ctx context.Context, v *profile.Viewer, in UpdateSettingsInput) (*profile.Settings, error) {
	if err := requireUser(v, "updateSettings"); err != nil {
		return nil, err
	}
	if in.SyncProfile == nil && in.CrossPosting == nil && in.SingleSignOn == nil {
		return nil, profile.Errorf(profile.BadUserInput, "give at least one of syncProfile, crossPosting, singleSignOn")
	}
	var rules []profile.CrossPostRule
	if in.CrossPosting != nil {
		rules = []profile.CrossPostRule{}
		for _, r := range *in.CrossPosting {
			if !r.From.Valid() || !r.To.Valid() {
				return nil, profile.Errorf(profile.BadUserInput, "crossPosting: unknown app in rule %s→%s", r.From, r.To)
			}
			if r.From == r.To {
				return nil, profile.Errorf(profile.BadUserInput, "crossPosting: a rule cannot go from %s to itself", r.From)
			}
			if !slices.Contains(rules, r) {
				rules = append(rules, r)
			}
		}
	}
	var sso []profile.App
	if in.SingleSignOn != nil {
		var err error
		if sso, err = validApps(*in.SingleSignOn, "singleSignOn"); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	var out *profile.Settings
	err := s.inTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		mine, accs, st, err := lockLinkedSettings(ctx, tx, v, profile.Errorf(profile.BadUserInput, "link an account first: settings belong to linked accounts"))
		if err != nil {
			return err
		}
		pid := mine.PersonID
		if in.ExpectedVersion != nil && *in.ExpectedVersion != st.Version {
			return profile.Errorf(profile.Conflict, "settings changed since version %d (now %d); reload them and try again", *in.ExpectedVersion, st.Version)
		}
		// What is given must be in effect as given: nothing may name an app not linked.
		linked := profile.AppsOf(accs)
		for _, r := range rules {
			if !r.Within(linked) {
				return profile.Errorf(profile.BadUserInput, "crossPosting: rule %s→%s names an app not linked to you", r.From, r.To)
			}
		}
		for _, a := range sso {
			if !slices.Contains(linked, a) {
				return profile.Errorf(profile.BadUserInput, "singleSignOn: %s is not linked to you", a)
			}
		}

		var changes []string
		if in.SyncProfile != nil {
			st.SyncProfile = *in.SyncProfile
			changes = append(changes, fmt.Sprintf("syncProfile %t", st.SyncProfile))
		}
		if in.CrossPosting != nil {
			st.CrossPosting = rules
			r := make([]string, len(rules))
			for i, x := range rules {
				r[i] = string(x.From) + "→" + string(x.To)
			}
			changes = append(changes, "crossPosting ["+strings.Join(r, ", ")+"]")
		}
		if in.SingleSignOn != nil {
			// Outstanding sign-on codes to an app whose entry goes die with it (SPEC §6).
			for _, a := range st.SingleSignOn {
				if !slices.Contains(sso, a) {
					if _, err := tx.DeleteHandoffs(ctx, pid, a); err != nil {
						return fmt.Errorf("delete login handoffs: %w", err)
					}
				}
			}
			st.SingleSignOn = sso
			changes = append(changes, "singleSignOn ["+appList(sso)+"]")
		}
		st.PersonID = pid
		st.Version++
		st.UpdatedAt = now
		if err := tx.PutSettings(ctx, st); err != nil {
			return fmt.Errorf("put settings: %w", err)
		}
		if err := appendEvent(ctx, tx, pid, profile.ActivitySettingsUpdated, v.App, now, strings.Join(changes, "; ")); err != nil {
			return err
		}
		out = st
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
