package profile

import (
	"context"
	"time"
)

// Reader is the batched read side of a store. Every method takes many keys and costs one
// round trip to the backing database; keys that do not exist are simply absent from the
// result (callers report them), and malformed keys (an id that is not a UUID) count as
// absent, never as an error.
type Reader interface {
	// PersonsByID returns the persons with the given ids.
	PersonsByID(ctx context.Context, ids []string) (map[string]*Person, error)
	// AccountsByID returns the accounts with the given ids.
	AccountsByID(ctx context.Context, ids []string) (map[string]*Account, error)
	// AccountsByKey returns the accounts with the given (app, appUserId) keys.
	AccountsByKey(ctx context.Context, keys []AccountKey) (map[AccountKey]*Account, error)
	// AccountsByPerson returns the accounts linked to each person, ordered as Apps.
	AccountsByPerson(ctx context.Context, personIDs []string) (map[string][]*Account, error)
	// SettingsByPerson returns the stored settings of each person; a person who never
	// wrote settings is absent (use DefaultSettings).
	SettingsByPerson(ctx context.Context, personIDs []string) (map[string]*Settings, error)
	// ConsentsByPerson returns each person's consents, oldest grant first.
	ConsentsByPerson(ctx context.Context, personIDs []string) (map[string][]*Consent, error)
	// Activity returns up to limit events of the person, newest first, with Seq below
	// beforeSeq (beforeSeq <= 0 means from the newest).
	Activity(ctx context.Context, personID string, beforeSeq int64, limit int) ([]*ActivityEvent, error)
	// PrivacyByPerson returns what the consent decision needs about each person, its
	// links and its consents, in ONE round trip and from one snapshot. A person appears
	// when it has at least one linked account or consent; others (unknown, malformed or
	// without either) are absent. Callers that cache must never cache its result: it is
	// what makes revokeConsent and unlinkAccount take effect on the next request.
	PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*PrivacyState, error)
	// DevicesByAccount returns the devices each account reported, ordered by device id;
	// accounts without devices are absent.
	DevicesByAccount(ctx context.Context, accountIDs []string) (map[string][]*Device, error)
	// CrossPosts returns each page of cross-posts (newest first) in one round trip; a
	// page with no cross-posts maps to an empty slice or is absent.
	CrossPosts(ctx context.Context, pages []CrossPostPage) (map[CrossPostPage][]*CrossPost, error)
}

// AccountLink is the link state of one account of a person.
type AccountLink struct {
	AccountID string
	App       App
	// LinkedAt is when the account was linked; zero if the store does not know.
	LinkedAt time.Time
	// Birthdate is the account's birthdate now (zero: none). It is part of the fresh
	// state because the person's reconciled age decides what ads requests see (SPEC §5
	// rule 6): a birthdate that makes a person a minor takes effect on the next request,
	// on every replica, like a revoke, whatever the cache holds of the account.
	Birthdate Date
}

// PrivacyState is what the consent decision needs about a person, read fresh on every
// request: which accounts are linked to it now (with their birthdates, which make its
// reconciled age) and which consents it holds now.
type PrivacyState struct {
	// Links are the person's linked accounts, ordered as Apps.
	Links []AccountLink
	// Consents are the person's consents, oldest grant first (as ConsentsByPerson).
	Consents []*Consent
}

// Link returns the link of account id, or nil if id is not linked to the person. A nil
// state has no links.
func (s *PrivacyState) Link(accountID string) *AccountLink {
	if s == nil {
		return nil
	}
	for i := range s.Links {
		if s.Links[i].AccountID == accountID {
			return &s.Links[i]
		}
	}
	return nil
}

// LinkedApps lists the apps of the person's linked accounts, ordered as Apps. A nil
// state has none.
func (s *PrivacyState) LinkedApps() []App {
	if s == nil {
		return nil
	}
	apps := make([]App, len(s.Links))
	for i, l := range s.Links {
		apps[i] = l.App
	}
	return apps
}

// Birthdates lists the non-zero birthdates of the person's linked accounts, ordered as
// Links. A nil state has none.
func (s *PrivacyState) Birthdates() []Date {
	if s == nil {
		return nil
	}
	out := make([]Date, 0, len(s.Links))
	for _, l := range s.Links {
		if !l.Birthdate.IsZero() {
			out = append(out, l.Birthdate)
		}
	}
	return out
}

// Store is a profilegraph store: PostgreSQL in production, memory for `go run .`.
type Store interface {
	Reader
	// InTx runs fn in one serializable-enough transaction: row locks taken through Tx
	// hold until fn returns. If fn returns an error, nothing it wrote persists and InTx
	// returns that error unchanged.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Tx) error) error
	// Ping reports whether the store is reachable (readiness).
	Ping(ctx context.Context) error
}

// Tx is the write side of a store, valid inside Store.InTx only. Reads through Tx see the
// transaction's own writes.
type Tx interface {
	Reader
	// LockAccounts returns the given accounts locked for update (locks are taken in id
	// order to avoid deadlocks). Missing ids are absent.
	LockAccounts(ctx context.Context, ids []string) (map[string]*Account, error)
	// LockAccountByKey returns the account with key locked for update, or nil, nil.
	LockAccountByKey(ctx context.Context, key AccountKey) (*Account, error)
	// LockPerson locks the person row so that writes to one person's settings, consents
	// and links serialize. NOT_FOUND if there is no such person.
	LockPerson(ctx context.Context, id string) error
	// InsertAccount stores a new account; a duplicate (app, appUserId) is CONFLICT.
	InsertAccount(ctx context.Context, a *Account) error
	// UpdateAccount writes every field of an existing account, including its link.
	// Linking a second account of one app to a person is ALREADY_LINKED.
	UpdateAccount(ctx context.Context, a *Account) error
	// InsertPerson stores a new person.
	InsertPerson(ctx context.Context, p *Person) error
	// DeletePerson removes a person who has no accounts left, with its settings and
	// consents (its activity log is kept).
	DeletePerson(ctx context.Context, id string) error
	// PutSettings stores s as the person's settings (insert or replace).
	PutSettings(ctx context.Context, s *Settings) error
	// PutConsent stores c unless an equal consent exists; it returns the stored one.
	PutConsent(ctx context.Context, c *Consent) (*Consent, error)
	// DeleteConsent removes one consent and reports whether it existed.
	DeleteConsent(ctx context.Context, personID string, key ConsentKey) (bool, error)
	// DeleteConsentsNaming removes the person's consents whose source or target is app.
	DeleteConsentsNaming(ctx context.Context, personID string, app App) (int, error)
	// AppendActivity appends e to its person's log and sets e.Seq.
	AppendActivity(ctx context.Context, e *ActivityEvent) error
	// InsertHandoff stores a new login handoff.
	InsertHandoff(ctx context.Context, h *LoginHandoff) error
	// DeleteHandoffs removes the person's unredeemed login handoffs to app (their link
	// or single-sign-on entry went: SPEC §6) and returns how many it removed.
	DeleteHandoffs(ctx context.Context, personID string, app App) (int, error)
	// RedeemHandoff marks the unredeemed handoff with codeHash as redeemed at `at` and
	// returns it; it returns nil, nil if there is none or it was already redeemed. Of
	// concurrent calls for one code exactly one gets the handoff.
	RedeemHandoff(ctx context.Context, codeHash []byte, at time.Time) (*LoginHandoff, error)
	// ReplaceDevices replaces the devices of account accountID by ds (nil or empty: none).
	// NOT_FOUND if there is no such account.
	ReplaceDevices(ctx context.Context, accountID string, ds []*Device) error
	// InsertCrossPost records c (an empty ID is filled in; Seq is assigned) unless a
	// cross-post with the same (AccountID, To, ContentID) exists, and returns the stored
	// one and whether it was created now. Of concurrent identical calls exactly one
	// creates it; the others return it with created false. A missing account is
	// NOT_FOUND.
	InsertCrossPost(ctx context.Context, c *CrossPost) (stored *CrossPost, created bool, err error)
	// DeleteAccount deletes the account a.ID (which must be linked to no person), its
	// devices, the cross-posts it made and those made to it, and the login handoffs
	// that name it. NOT_FOUND if there is no such account; CONFLICT if it is linked.
	DeleteAccount(ctx context.Context, a *Account) error
	// ErasePerson erases the person personID (SPEC §6 "Erasure"): every account linked
	// to it is unlinked (the accounts stay), the cross-posts between its accounts are
	// deleted, and so are its consents, settings, login handoffs and whole activity
	// log, and the person itself; an Erasure record with At = at and nothing else is
	// stored. It returns the accounts it unlinked, as they were before. NOT_FOUND if
	// there is no such person.
	ErasePerson(ctx context.Context, personID string, at time.Time) (unlinked []*Account, err error)
}

// Fresh is what decides what one request may see, read in one round trip and never
// from a cache: the viewer's own account and the privacy state of the persons the
// request is about.
type Fresh struct {
	// Viewer is the viewer's own account; nil when none was asked or there is none.
	Viewer *Account
	// Privacy is the privacy state of each asked person that has links or consents,
	// and of the viewer's person, if any.
	Privacy map[string]*PrivacyState
	// Accounts holds, of the asked FreshQuery.Accounts, those that exist now (nil when
	// none were asked): an account deleted since a cache kept its content is absent,
	// so that no replica serves a deleted account (SPEC §10, deleteAppAccount).
	Accounts map[string]bool
}

// FreshQuery says what a Fresh read is about.
type FreshQuery struct {
	// Viewer is the key of the viewer's own account (nil: none asked).
	Viewer *AccountKey
	// Persons are persons whose privacy state is asked.
	Persons []string
	// Accounts are accounts whose person's privacy state is asked: the links there
	// say, fresh, whether and to whom each is linked now.
	Accounts []string
}

// FreshReader reads Fresh. Stores implement it; a cache passes it through.
type FreshReader interface {
	// ReadFresh reads, in ONE round trip, the viewer's account (q.Viewer), and the
	// privacy state of the persons q.Persons, of the persons the accounts q.Accounts are
	// linked to, and of the viewer's person. Unknown and malformed ids are absent. It
	// returns the store's errors.
	ReadFresh(ctx context.Context, q FreshQuery) (*Fresh, error)
}

// ActivityPage names one page of a person's activity log: up to Limit events with Seq
// below BeforeSeq (BeforeSeq <= 0: from the newest), newest first.
type ActivityPage struct {
	PersonID  string
	BeforeSeq int64
	Limit     int
}

// ActivityReader reads many activity pages in one round trip.
type ActivityReader interface {
	// ActivityPages returns the events of each page (as Reader.Activity); pages of
	// unknown or malformed persons are empty. It returns the store's errors.
	ActivityPages(ctx context.Context, pages []ActivityPage) (map[ActivityPage][]*ActivityEvent, error)
}
