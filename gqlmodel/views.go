package gqlmodel

import (
	"net/url"
	"strconv"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// The types below are what gqlgen.yml binds Person, AppAccount, Profile and Avatar to.
// Each wraps a view that the consent decision made once for the request (consent.View*),
// and its GraphQL fields are plain methods without a context: they only read the view,
// never block, and so gqlgen runs them inline rather than in goroutines of their own.
// Fields that do I/O (Person.settings, Person.activity, Person.crossPostTargets) stay
// resolvers.

// errOf turns a decision's error into an error value (nil stays nil).
func errOf(e *profile.Error) error {
	if e == nil {
		return nil
	}
	return e
}

// Person is a person as one request sees it. View is nil when the request asked for no
// field that needs it (only id); such a Person answers its id alone.
type Person struct {
	ID   string
	View *consent.PersonView
	// accounts are the views of the linked accounts, made on first use.
	accounts []*AppAccount
}

// NewPerson wraps the view v of person id (v may be nil, see Person).
func NewPerson(id string, v *consent.PersonView) *Person {
	p := &Person{ID: id, View: v}
	if v != nil {
		p.accounts = make([]*AppAccount, len(v.Accounts))
		for i, av := range v.Accounts {
			p.accounts[i] = &AppAccount{V: av, Owner: p}
		}
	}
	return p
}

// IsEntity marks Person as a federation entity for the generated code.
func (Person) IsEntity() {}

// IsEntity marks AppAccount as a federation entity for the generated code.
func (AppAccount) IsEntity() {}

// errNoView is a wiring bug: a field needed the view that the resolver did not make.
func errNoView() error {
	return profile.Errorf(profile.Internal, "person view not loaded")
}

// owner returns nil when the viewer may see owner-only field what, else the error.
func (p *Person) owner(what string, protective bool) error {
	if p.View == nil {
		return errNoView()
	}
	if d := p.View.OwnerOnly(what, protective); !d.Visible {
		return errOf(d.Err)
	}
	return nil
}

// Profile is the merged profile.
func (p *Person) Profile() (*Profile, error) {
	if p.View == nil {
		return nil, errNoView()
	}
	return &Profile{V: &p.View.Profile}, nil
}

// AgeRange is the reconciled age range (protective: ads requests of the owner see it):
// the one the view's decisions used, from the fresh birthdates of all linked accounts.
func (p *Person) AgeRange() (*profile.AgeRange, error) {
	if err := p.owner("Person.ageRange", true); err != nil {
		return nil, err
	}
	ar := p.View.Age
	return &ar, nil
}

// Accounts are the person's linked accounts, owner only.
func (p *Person) Accounts() ([]*AppAccount, error) {
	if err := p.owner("Person.accounts", false); err != nil {
		return nil, err
	}
	return p.accounts, nil
}

// Account is the person's account in app, owner only.
func (p *Person) Account(app profile.App) (*AppAccount, error) {
	if err := p.owner("Person.account", false); err != nil {
		return nil, err
	}
	for _, a := range p.accounts {
		if a.V.Account.App == app {
			return a, nil
		}
	}
	return nil, nil
}

// Consents are the person's consents in force, owner only.
func (p *Person) Consents() ([]*profile.Consent, error) {
	if err := p.owner("Person.consents", false); err != nil {
		return nil, err
	}
	return p.View.Consents, nil
}

// AgeDiscrepancy tells whether linked birthdates disagree, owner only.
func (p *Person) AgeDiscrepancy() (*bool, error) {
	if err := p.owner("Person.ageDiscrepancy", false); err != nil {
		return nil, err
	}
	d := consent.AgeDiscrepancy(birthdates(p.View))
	return &d, nil
}

// RecoveryOptions are the masked contacts of the linked accounts, owner only.
func (p *Person) RecoveryOptions() ([]*profile.RecoveryOption, error) {
	if err := p.owner("Person.recoveryOptions", false); err != nil {
		return nil, err
	}
	return profile.RecoveryOptions(p.View.AccountsOf()), nil
}

// OwnerOnly is the owner-only check of field what for the resolvers of Person that do
// I/O (settings, activity, crossPostTargets): nil when the viewer may see it.
func (p *Person) OwnerOnly(what string) error { return p.owner(what, false) }

func birthdates(v *consent.PersonView) []profile.Date {
	var ds []profile.Date
	for _, av := range v.Accounts {
		if b := av.Account.Birthdate; b != nil {
			ds = append(ds, *b)
		}
	}
	return ds
}

// AppAccount is an app account as one request sees it.
type AppAccount struct {
	V *consent.AccountView
	// Owner is the account's person as the request sees it, when the viewer owns the
	// account and it is linked; nil otherwise.
	Owner *Person
}

// NewAppAccount wraps the view v; owner is v's person when the viewer owns it (or nil).
func NewAppAccount(v *consent.AccountView, owner *Person) *AppAccount {
	return &AppAccount{V: v, Owner: owner}
}

// ID is the account's id.
func (a *AppAccount) ID() string { return a.V.Account.ID }

// App is the account's app.
func (a *AppAccount) App() profile.App { return a.V.Account.App }

// AppUserID is the user's id in the app.
func (a *AppAccount) AppUserID() string { return a.V.Account.AppUserID }

// field returns whether gated field f is shown, and the error of a hidden one.
func (a *AppAccount) field(f profile.Field) (bool, error) {
	ok, err := a.V.Field(f)
	return ok, errOf(err)
}

// Shows reports whether the request may see gated field f of the account.
func (a *AppAccount) Shows(f profile.Field) bool {
	ok, _ := a.V.Field(f)
	return ok
}

// Gate returns the error of a hidden gated field f (nil when it is shown, or hidden
// silently), for the resolvers of the list-valued fields (devices, crossPosts).
func (a *AppAccount) Gate(f profile.Field) error {
	_, err := a.field(f)
	return err
}

// Username is gated (PROFILE).
func (a *AppAccount) Username() (*string, error) {
	if ok, err := a.field(profile.FieldUsername); !ok {
		return nil, err
	}
	return &a.V.Account.Username, nil
}

// DisplayName is gated (PROFILE).
func (a *AppAccount) DisplayName() (*string, error) {
	if ok, err := a.field(profile.FieldDisplayName); !ok {
		return nil, err
	}
	return a.V.Account.DisplayName, nil
}

// Bio is gated (PROFILE).
func (a *AppAccount) Bio() (*string, error) {
	if ok, err := a.field(profile.FieldBio); !ok {
		return nil, err
	}
	return a.V.Account.Bio, nil
}

// Avatar is gated (PROFILE).
func (a *AppAccount) Avatar() (*Avatar, error) {
	if ok, err := a.field(profile.FieldAvatar); !ok {
		return nil, err
	}
	return NewAvatar(a.V.Account), nil
}

// PhoneNumber is gated (CONTACT).
func (a *AppAccount) PhoneNumber() (*string, error) {
	if ok, err := a.field(profile.FieldPhoneNumber); !ok {
		return nil, err
	}
	return a.V.Account.PhoneNumber, nil
}

// Email is gated (CONTACT).
func (a *AppAccount) Email() (*string, error) {
	if ok, err := a.field(profile.FieldEmail); !ok {
		return nil, err
	}
	return a.V.Account.Email, nil
}

// Birthdate is gated (AGE).
func (a *AppAccount) Birthdate() (*profile.Date, error) {
	if ok, err := a.field(profile.FieldBirthdate); !ok {
		return nil, err
	}
	return a.V.Account.Birthdate, nil
}

// Person is the account's person, to its owner only (ads requests included: it is the
// person's identity, SPEC §5); null when the account is not linked.
func (a *AppAccount) Person() (*Person, error) {
	if d := a.V.OwnerOnly("AppAccount.person", true); !d.Visible {
		return nil, errOf(d.Err)
	}
	if a.V.Account.PersonID == "" {
		return nil, nil
	}
	if a.Owner == nil {
		return nil, errNoView()
	}
	return a.Owner, nil
}

// LinkedAt is when the account was linked, to its owner only.
func (a *AppAccount) LinkedAt() (*time.Time, error) {
	if d := a.V.OwnerOnly("AppAccount.linkedAt", false); !d.Visible {
		return nil, errOf(d.Err)
	}
	if a.V.Account.LinkedAt == nil {
		return nil, nil
	}
	t := a.V.Account.LinkedAt.UTC()
	return &t, nil
}

// Profile is a merged profile as one request sees it.
type Profile struct {
	V *consent.ProfileView
}

func (p *Profile) str(f profile.Field, get func(*profile.Account) *string) (*string, error) {
	m := p.V.Field(f)
	if m.Account == nil {
		return nil, errOf(m.Err)
	}
	return get(m.Account), nil
}

// DisplayName is the merged display name.
func (p *Profile) DisplayName() (*string, error) {
	return p.str(profile.FieldDisplayName, func(a *profile.Account) *string { return a.DisplayName })
}

// Username is the merged username.
func (p *Profile) Username() (*string, error) {
	return p.str(profile.FieldUsername, func(a *profile.Account) *string { return &a.Username })
}

// Bio is the merged bio.
func (p *Profile) Bio() (*string, error) {
	return p.str(profile.FieldBio, func(a *profile.Account) *string { return a.Bio })
}

// PhoneNumber is the merged phone number.
func (p *Profile) PhoneNumber() (*string, error) {
	return p.str(profile.FieldPhoneNumber, func(a *profile.Account) *string { return a.PhoneNumber })
}

// Email is the merged email.
func (p *Profile) Email() (*string, error) {
	return p.str(profile.FieldEmail, func(a *profile.Account) *string { return a.Email })
}

// Avatar is the merged avatar.
func (p *Profile) Avatar() (*Avatar, error) {
	m := p.V.Field(profile.FieldAvatar)
	if m.Account == nil {
		return nil, errOf(m.Err)
	}
	return NewAvatar(m.Account), nil
}

// Birthdate is the merged birthdate.
func (p *Profile) Birthdate() (*profile.Date, error) {
	m := p.V.Field(profile.FieldBirthdate)
	if m.Account == nil {
		return nil, errOf(m.Err)
	}
	return m.Account.Birthdate, nil
}

// Sources lists where each visible merged value came from.
func (p *Profile) Sources() []consent.FieldSource { return p.V.Sources() }

// Avatar is a profile picture with the app it comes from.
type Avatar struct {
	Raw       string
	Width     *int
	Height    *int
	SourceApp profile.App
	UpdatedAt time.Time
}

// NewAvatar returns the GraphQL avatar of account a, or nil if it has none.
func NewAvatar(a *profile.Account) *Avatar {
	if a == nil || a.Avatar == nil {
		return nil
	}
	return &Avatar{Raw: a.Avatar.URL, Width: a.Avatar.Width, Height: a.Avatar.Height, SourceApp: a.App, UpdatedAt: a.Avatar.UpdatedAt}
}

// Avatar sizes accepted by Avatar.url(size:).
const (
	MinAvatarSize = 16
	MaxAvatarSize = 2048
)

// URL returns the avatar's URL, with a `size` query parameter when size is given
// (BAD_USER_INPUT outside MinAvatarSize..MaxAvatarSize).
func (a *Avatar) URL(size *int) (string, error) {
	if size == nil {
		return a.Raw, nil
	}
	if *size < MinAvatarSize || *size > MaxAvatarSize {
		return "", profile.Errorf(profile.BadUserInput, "size must be between %d and %d", MinAvatarSize, MaxAvatarSize)
	}
	u, err := url.Parse(a.Raw)
	if err != nil {
		// Stored URLs were validated on write; an unparsable one is a data bug.
		return "", profile.Errorf(profile.Internal, "stored avatar URL does not parse")
	}
	q := u.Query()
	q.Set("size", strconv.Itoa(*size))
	u.RawQuery = q.Encode()
	return u.String(), nil
}
