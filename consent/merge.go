package consent

import (
	"slices"

	"github.com/profilegraph/profilegraph/profile"
)

// HasValue reports whether account a has a non-empty value for the gated field f. A nil
// account or an unknown field has no value.
func HasValue(a *profile.Account, f profile.Field) bool {
	if a == nil {
		return false
	}
	switch f {
	case profile.FieldUsername:
		return a.Username != ""
	case profile.FieldDisplayName:
		return nonEmpty(a.DisplayName)
	case profile.FieldBio:
		return nonEmpty(a.Bio)
	case profile.FieldAvatar:
		return a.Avatar != nil && a.Avatar.URL != ""
	case profile.FieldPhoneNumber:
		return nonEmpty(a.PhoneNumber)
	case profile.FieldEmail:
		return nonEmpty(a.Email)
	case profile.FieldBirthdate:
		return a.Birthdate != nil && !a.Birthdate.IsZero()
	default:
		return false
	}
}

func nonEmpty(s *string) bool { return s != nil && *s != "" }

// Merge picks the account whose value of field f the requester r sees in the merged
// profile of person personID, whose linked accounts are accounts. Accounts that are nil,
// not linked to personID, or without a value for f take no part.
//
// Among the accounts whose value is visible (Decide), T's own account wins; otherwise
// the most recently updated one (UpdatedAt), ties broken by the order of profile.Apps,
// then by account id.
//
// When no value is visible, chosen is nil and err is:
//   - FORBIDDEN when r is not the owner and f's category is not PROFILE, whether or not
//     any account has a value (a service token: when only other apps hold one);
//   - CONSENT_REQUIRED for the owner when some value is present but hidden, naming the
//     category and the source app of the value that would have been chosen;
//   - nil otherwise (null without an error).
//
// An unknown field is an INTERNAL error.
func Merge(r Request, personID string, accounts []*profile.Account, g Grants, f profile.Field) (chosen *profile.Account, err *profile.Error) {
	c, ok := profile.FieldCategory[f]
	if !ok {
		return nil, profile.Errorf(profile.Internal, "unknown profile field %q", f)
	}
	// A service token is no owner, but its own app's records are visible to it
	// (Decide), so it goes through the per-account decision.
	if !IsOwner(r, personID) && !r.Service && c != profile.CategoryProfile {
		return nil, forbidden(c).Err
	}
	var shown, hidden *profile.Account
	var hiddenErr *profile.Error
	for _, a := range accounts {
		if a == nil || a.PersonID != personID || !HasValue(a, f) {
			continue
		}
		d := Decide(r, a, g, c)
		switch {
		case d.Visible:
			if preferred(r.App, a, shown) {
				shown = a
			}
		case preferred(r.App, a, hidden):
			hidden, hiddenErr = a, d.Err
		}
	}
	if shown != nil {
		return shown, nil
	}
	if hidden != nil {
		return nil, hiddenErr
	}
	return nil, nil
}

// preferred reports whether a beats cur (nil beats nothing) as the source of a merged
// value for requesting app t.
func preferred(t profile.App, a, cur *profile.Account) bool {
	if cur == nil {
		return true
	}
	if (a.App == t) != (cur.App == t) {
		return a.App == t
	}
	if !a.UpdatedAt.Equal(cur.UpdatedAt) {
		return a.UpdatedAt.After(cur.UpdatedAt)
	}
	if ai, ci := appOrder(a.App), appOrder(cur.App); ai != ci {
		return ai < ci
	}
	return a.ID < cur.ID
}

// appOrder is the index of app in profile.Apps; unknown apps sort last.
func appOrder(app profile.App) int {
	if i := slices.Index(profile.Apps, app); i >= 0 {
		return i
	}
	return len(profile.Apps)
}

// FieldSource tells which app a visible merged value came from.
type FieldSource struct {
	Field profile.Field
	App   profile.App
}

// Sources lists, in profile.ProfileFields order, the field and source app of every
// merged value visible to r (see Merge). Hidden fields are left out; it returns no
// errors.
func Sources(r Request, personID string, accounts []*profile.Account, g Grants) []FieldSource {
	out := []FieldSource{}
	for _, f := range profile.ProfileFields {
		if a, _ := Merge(r, personID, accounts, g, f); a != nil {
			out = append(out, FieldSource{Field: f, App: a.App})
		}
	}
	return out
}
