// Package profile is profilegraph's domain: the person, their app accounts, settings,
// consents and activity, the coded domain error, the viewer in the request context, and
// the store interfaces that the infrastructure packages (postgres, memory, cache)
// implement. It imports nothing of the infrastructure.
package profile

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// App is one of the apps a person may hold an account in.
type App string

// The apps of SPEC §3.
const (
	AppFacebook  App = "FACEBOOK"
	AppInstagram App = "INSTAGRAM"
	AppWhatsApp  App = "WHATSAPP"
	AppMessenger App = "MESSENGER"
	AppThreads   App = "THREADS"
)

// Apps lists every app in a fixed order.
var Apps = []App{AppFacebook, AppInstagram, AppWhatsApp, AppMessenger, AppThreads}

// Valid reports whether a is one of the five apps.
func (a App) Valid() bool { return slices.Contains(Apps, a) }

// Category is a data category that consents are granted for.
type Category string

// The data categories of SPEC §3.
const (
	CategoryProfile  Category = "PROFILE"
	CategoryContact  Category = "CONTACT"
	CategoryAge      Category = "AGE"
	CategoryActivity Category = "ACTIVITY"
	CategoryDevice   Category = "DEVICE"
)

// Categories lists every category in a fixed order.
var Categories = []Category{CategoryProfile, CategoryContact, CategoryAge, CategoryActivity, CategoryDevice}

// Valid reports whether c is a known category.
func (c Category) Valid() bool { return slices.Contains(Categories, c) }

// Purpose is why data is requested or shared.
type Purpose string

// The purposes of SPEC §3.
const (
	PurposeService Purpose = "SERVICE"
	PurposeAds     Purpose = "ADS"
)

// Valid reports whether p is a known purpose.
func (p Purpose) Valid() bool { return p == PurposeService || p == PurposeAds }

// AgeRange is the reconciled age bracket of a person (SPEC §5, promise 5).
type AgeRange string

// The age ranges of SPEC §3.
const (
	AgeUnder13 AgeRange = "UNDER_13"
	Age13To15  AgeRange = "AGE_13_15"
	Age16To17  AgeRange = "AGE_16_17"
	AgeAdult   AgeRange = "ADULT"
	AgeUnknown AgeRange = "UNKNOWN"
)

// Minor reports whether a person of range r is a minor (SPEC §5 rule 6): UNDER_13,
// AGE_13_15 or AGE_16_17. UNKNOWN (and the zero value) is not a minor.
func (r AgeRange) Minor() bool {
	return r == AgeUnder13 || r == Age13To15 || r == Age16To17
}

// Field names a gated profile field, as the schema spells it.
type Field string

// The gated fields of AppAccount and Profile, with their categories in FieldCategory.
const (
	FieldUsername    Field = "username"
	FieldDisplayName Field = "displayName"
	FieldBio         Field = "bio"
	FieldAvatar      Field = "avatar"
	FieldPhoneNumber Field = "phoneNumber"
	FieldEmail       Field = "email"
	FieldBirthdate   Field = "birthdate"
)

// ProfileFields lists the gated fields in schema order.
var ProfileFields = []Field{FieldDisplayName, FieldUsername, FieldBio, FieldAvatar, FieldPhoneNumber, FieldEmail, FieldBirthdate}

// FieldCategory maps each gated field to its data category (SPEC §3).
var FieldCategory = map[Field]Category{
	FieldUsername:    CategoryProfile,
	FieldDisplayName: CategoryProfile,
	FieldBio:         CategoryProfile,
	FieldAvatar:      CategoryProfile,
	FieldPhoneNumber: CategoryContact,
	FieldEmail:       CategoryContact,
	FieldBirthdate:   CategoryAge,
	FieldDevices:     CategoryDevice,
	FieldCrossPosts:  CategoryActivity,
}

// Date is a calendar date without a time zone, formatted YYYY-MM-DD.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateLayout is the wire format of Date.
const DateLayout = "2006-01-02"

// ParseDate parses YYYY-MM-DD, or returns a BAD_USER_INPUT error.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return Date{}, Errorf(BadUserInput, "date %q is not YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// Time returns midnight UTC of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String formats d as YYYY-MM-DD.
func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Person is one human being who links accounts across apps. A person exists while it
// has at least one account.
type Person struct {
	ID        string
	CreatedAt time.Time
}

// AccountKey is the natural key of an app account.
type AccountKey struct {
	App       App
	AppUserID string
}

// Avatar is a profile picture.
type Avatar struct {
	URL       string
	Width     *int
	Height    *int
	UpdatedAt time.Time
}

// Account is one app's account of a person: the record an app backend pushes with
// upsertAppAccount. PersonID is empty while the account is not linked.
type Account struct {
	ID          string
	App         App
	AppUserID   string
	PersonID    string
	LinkedAt    *time.Time
	Username    string
	DisplayName *string
	Bio         *string
	Avatar      *Avatar
	PhoneNumber *string
	Email       *string
	Birthdate   *Date
	CreatedAt   time.Time
	// UpdatedAt is when any profile field last changed; the merged profile prefers the
	// most recently updated account.
	UpdatedAt time.Time
}

// Key returns the natural key of a.
func (a *Account) Key() AccountKey { return AccountKey{a.App, a.AppUserID} }

// Linked reports whether a belongs to a person.
func (a *Account) Linked() bool { return a.PersonID != "" }

// Clone returns a deep copy of a.
func (a *Account) Clone() *Account {
	if a == nil {
		return nil
	}
	c := *a
	c.LinkedAt = clonePtr(a.LinkedAt)
	c.DisplayName = clonePtr(a.DisplayName)
	c.Bio = clonePtr(a.Bio)
	c.PhoneNumber = clonePtr(a.PhoneNumber)
	c.Email = clonePtr(a.Email)
	c.Birthdate = clonePtr(a.Birthdate)
	if a.Avatar != nil {
		av := *a.Avatar
		av.Width = clonePtr(a.Avatar.Width)
		av.Height = clonePtr(a.Avatar.Height)
		c.Avatar = &av
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// CrossPostRule lets content posted in From be cross-posted to To.
type CrossPostRule struct {
	From App
	To   App
}

// Within reports whether both apps of r are in linked: a rule counts only then
// (Settings.Effective, updateSettings' check, CrossPostTargets).
func (r CrossPostRule) Within(linked []App) bool {
	return slices.Contains(linked, r.From) && slices.Contains(linked, r.To)
}

// Settings are a person's Accounts Center settings. Version increases by one on every
// write and guards updateSettings against lost updates.
type Settings struct {
	PersonID     string
	SyncProfile  bool
	CrossPosting []CrossPostRule
	SingleSignOn []App
	Version      int
	UpdatedAt    time.Time
}

// Clone returns a deep copy of s.
func (s *Settings) Clone() *Settings {
	if s == nil {
		return nil
	}
	c := *s
	c.CrossPosting = append([]CrossPostRule(nil), s.CrossPosting...)
	c.SingleSignOn = append([]App(nil), s.SingleSignOn...)
	return &c
}

// Effective returns the settings as the person's linked apps allow them: cross-post
// rules and single-sign-on entries that name an app not in linked are left out (an entry
// counts only while both its apps are linked: unlinkAccount deletes such entries, and a
// copy read before must not show them after it returned). Reads and unlink use it; the
// test of one rule is CrossPostRule.Within. It returns a copy (nil for nil).
func (s *Settings) Effective(linked []App) *Settings {
	if s == nil {
		return nil
	}
	c := s.Clone()
	c.CrossPosting = slices.DeleteFunc(c.CrossPosting, func(r CrossPostRule) bool { return !r.Within(linked) })
	c.SingleSignOn = slices.DeleteFunc(c.SingleSignOn, func(a App) bool { return !slices.Contains(linked, a) })
	return c
}

// AppsOf returns the apps of accs, in their order; nil accounts are skipped (the
// decision's account lists may hold them).
func AppsOf(accs []*Account) []App {
	out := make([]App, 0, len(accs))
	for _, a := range accs {
		if a != nil {
			out = append(out, a.App)
		}
	}
	return out
}

// DefaultSettings returns the settings of a person who never changed them: nothing is
// synced, cross-posted or signed on (promise 1).
func DefaultSettings(personID string) *Settings {
	return &Settings{PersonID: personID, CrossPosting: []CrossPostRule{}, SingleSignOn: []App{}}
}

// ConsentKey identifies one consent of a person.
type ConsentKey struct {
	SourceApp App
	TargetApp App
	Category  Category
	Purpose   Purpose
}

// Consent lets data of Category flow from SourceApp to TargetApp for Purpose.
type Consent struct {
	PersonID  string
	SourceApp App
	TargetApp App
	Category  Category
	Purpose   Purpose
	GrantedAt time.Time
}

// Key returns the identity of c within its person.
func (c *Consent) Key() ConsentKey {
	return ConsentKey{c.SourceApp, c.TargetApp, c.Category, c.Purpose}
}

// ActivityType is the kind of an activity event.
type ActivityType string

// The activity types of SPEC §3.
const (
	ActivityLinked               ActivityType = "LINKED"
	ActivityUnlinked             ActivityType = "UNLINKED"
	ActivityConsentGranted       ActivityType = "CONSENT_GRANTED"
	ActivityConsentRevoked       ActivityType = "CONSENT_REVOKED"
	ActivityProfileUpdated       ActivityType = "PROFILE_UPDATED"
	ActivitySettingsUpdated      ActivityType = "SETTINGS_UPDATED"
	ActivityLoginHandoffCreated  ActivityType = "LOGIN_HANDOFF_CREATED"
	ActivityLoginHandoffRedeemed ActivityType = "LOGIN_HANDOFF_REDEEMED"
)

// ActivityEvent is one entry of a person's activity log. Seq orders events: a larger Seq
// is newer. The store assigns Seq.
type ActivityEvent struct {
	Seq      int64
	PersonID string
	Type     ActivityType
	App      *App
	At       time.Time
	Detail   string
}

// EventID is the event's public id: its sequence number, in decimal.
func (e *ActivityEvent) EventID() string { return strconv.FormatInt(e.Seq, 10) }

// DetailText is Detail, nil when empty.
func (e *ActivityEvent) DetailText() *string {
	if e.Detail == "" {
		return nil
	}
	return &e.Detail
}

// LoginHandoff is a one-time single-sign-on code. Only the SHA-256 of the code is stored.
type LoginHandoff struct {
	CodeHash   []byte
	PersonID   string
	TargetApp  App
	AccountID  string // the person's account in TargetApp at creation
	CreatedAt  time.Time
	ExpiresAt  time.Time
	RedeemedAt *time.Time
}

// RecoveryKind is the kind of a recovery contact point.
type RecoveryKind string

// The recovery kinds of SPEC §3.
const (
	RecoveryPhone RecoveryKind = "PHONE"
	RecoveryEmail RecoveryKind = "EMAIL"
)

// RecoveryOption is a masked contact point of a linked account.
type RecoveryOption struct {
	App    App
	Kind   RecoveryKind
	Masked string
}

// CanonicalIDs returns the distinct ids of ids that are canonical UUIDs, in their first
// order: the stores hold no others (a malformed key counts as absent, never as an error).
func CanonicalIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	// A batch of a few ids is searched in order; a gateway's batch can hold hundreds, so
	// beyond smallBatch a set keeps the work linear (every cached and stored read runs this).
	var seen map[string]struct{}
	if len(ids) > smallBatch {
		seen = make(map[string]struct{}, len(ids))
	}
	for _, id := range ids {
		if !IsCanonicalID(id) {
			continue
		}
		if seen == nil {
			if slices.Contains(out, id) {
				continue
			}
		} else {
			if _, dup := seen[id]; dup {
				continue
			}
			seen[id] = struct{}{}
		}
		out = append(out, id)
	}
	return out
}

// smallBatch is the size up to which CanonicalIDs finds duplicates by a linear search.
const smallBatch = 16

// IsCanonicalID reports whether id is a UUID in its canonical form (36 characters,
// lowercase hexadecimal, dashes at 8, 13, 18 and 23), the only form ids are stored in.
// It allocates nothing: it runs on every cached read.
func IsCanonicalID(id string) bool {
	if len(id) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := id[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}
