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
//     any account has a value;
//   - CONSENT_REQUIRED for the owner when some value is present but hidden, naming the
//     category and the source app of the value that would have been chosen;
//   - nil otherwise (null without an error).
//
// An unknown field is an INTERNAL error.
func Merge(r Request, personID string, accounts []*profile.Account, g Grants, f profile.Field) (chosen *profile.Account, err *profile.Error) {
	if _, ok := profile.FieldCategory[f]; !ok {
		return nil, profile.Errorf(profile.Internal, "unknown profile field %q", f)
	}
	m := merge(r.App, IsOwner(r, personID), decided(r, personID, accounts, g), f)
	return m.Account, m.Err
}

// decided returns the views of the accounts of personID among accounts under g.
func decided(r Request, personID string, accounts []*profile.Account, g Grants) []*AccountView {
	out := make([]*AccountView, 0, len(accounts))
	for _, a := range accounts {
		if a != nil && a.PersonID == personID {
			out = append(out, NewAccountView(r, a, g))
		}
	}
	return out
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

// FieldName is Field as a string (the GraphQL field FieldSource.field).
func (s FieldSource) FieldName() string { return string(s.Field) }

// Sources lists, in profile.ProfileFields order, the field and source app of every
// merged value visible to r (see Merge). Hidden fields are left out; it returns no
// errors.
func Sources(r Request, personID string, accounts []*profile.Account, g Grants) []FieldSource {
	owner, views := IsOwner(r, personID), decided(r, personID, accounts, g)
	out := []FieldSource{}
	for _, f := range profile.ProfileFields {
		if m := merge(r.App, owner, views, f); m.Account != nil {
			out = append(out, FieldSource{Field: f, App: m.Account.App})
		}
	}
	return out
}
