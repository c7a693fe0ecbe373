package memory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// errTxClosed is returned by a Tx used after its InTx returned.
var errTxClosed = errors.New("memory: transaction has already ended")

// tx is the profile.Tx of one InTx call. st starts as a shallow copy of the committed
// state whose maps are shared with it; each map (and each per-person inner map or
// activity slice) is copied before the transaction first writes to it, so the committed
// state is never touched and discarding st is the whole rollback.
type tx struct {
	mu   sync.Mutex // a Tx may be shared by goroutines of fn
	done bool
	st   *state

	own struct {
		persons, accounts, keys, links, settings, consents, activity, handoffs bool
		devices, crossPosts                                                    bool
	}
	ownLinks    map[string]bool
	ownConsents map[string]bool
	ownActivity map[string]bool
}

var _ profile.Tx = (*tx)(nil)

func newTx(committed *state) *tx {
	st := *committed
	return &tx{
		st:          &st,
		ownLinks:    map[string]bool{},
		ownConsents: map[string]bool{},
		ownActivity: map[string]bool{},
	}
}

func (t *tx) close() {
	t.mu.Lock()
	t.done = true
	t.mu.Unlock()
}

// begin locks t for one call of locked and checks that it is usable; locked unlocks it.
func (t *tx) begin(ctx context.Context) error {
	t.mu.Lock()
	if t.done {
		t.mu.Unlock()
		return errTxClosed
	}
	if err := ctx.Err(); err != nil {
		t.mu.Unlock()
		return err
	}
	return nil
}

// Copy-on-write accessors: each returns a map that this transaction owns.

func ownMap[K comparable, V any](owned *bool, m *map[K]V) map[K]V {
	if !*owned {
		*m = maps.Clone(*m)
		*owned = true
	}
	return *m
}

func (t *tx) persons() map[string]profile.Person {
	return ownMap(&t.own.persons, &t.st.persons)
}

func (t *tx) accounts() map[string]*profile.Account {
	return ownMap(&t.own.accounts, &t.st.accounts)
}

func (t *tx) keys() map[profile.AccountKey]string { return ownMap(&t.own.keys, &t.st.keys) }

func (t *tx) settings() map[string]*profile.Settings {
	return ownMap(&t.own.settings, &t.st.settings)
}

func (t *tx) handoffs() map[string]*profile.LoginHandoff {
	return ownMap(&t.own.handoffs, &t.st.handoffs)
}

func (t *tx) linksOf(personID string) map[profile.App]string {
	links := ownMap(&t.own.links, &t.st.links)
	if !t.ownLinks[personID] {
		m := maps.Clone(links[personID])
		if m == nil {
			m = map[profile.App]string{}
		}
		links[personID] = m
		t.ownLinks[personID] = true
	}
	return links[personID]
}

func (t *tx) consentsOf(personID string) map[profile.ConsentKey]*profile.Consent {
	consents := ownMap(&t.own.consents, &t.st.consents)
	if !t.ownConsents[personID] {
		m := maps.Clone(consents[personID])
		if m == nil {
			m = map[profile.ConsentKey]*profile.Consent{}
		}
		consents[personID] = m
		t.ownConsents[personID] = true
	}
	return consents[personID]
}

func (t *tx) appendEvent(personID string, e *profile.ActivityEvent) {
	activity := ownMap(&t.own.activity, &t.st.activity)
	if !t.ownActivity[personID] {
		activity[personID] = slices.Clone(activity[personID])
		t.ownActivity[personID] = true
	}
	activity[personID] = append(activity[personID], e)
}

// Reader: reads see the transaction's own writes. Every method of tx fails with
// errTxClosed once its InTx has returned, and with the context's error once ctx ends.

// locked runs f with t locked once begin has found t usable; every method of tx runs
// through it (directly, by read or by do).
func locked[V any](ctx context.Context, t *tx, f func() (V, error)) (V, error) {
	if err := t.begin(ctx); err != nil {
		var zero V
		return zero, err
	}
	defer t.mu.Unlock()
	return f()
}

// read runs f over the transaction's state, as every read of tx does.
func read[V any](ctx context.Context, t *tx, f func() V) (V, error) {
	return locked(ctx, t, func() (V, error) { return f(), nil })
}

// do runs f with t locked, as every method of tx that returns only an error does.
func (t *tx) do(ctx context.Context, f func() error) error {
	_, err := locked(ctx, t, func() (struct{}, error) { return struct{}{}, f() })
	return err
}

func (t *tx) PersonsByID(ctx context.Context, ids []string) (map[string]*profile.Person, error) {
	return read(ctx, t, func() map[string]*profile.Person { return t.st.personsByID(ids) })
}

func (t *tx) AccountsByID(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return read(ctx, t, func() map[string]*profile.Account { return t.st.accountsByID(ids) })
}

func (t *tx) AccountsByKey(ctx context.Context, keys []profile.AccountKey) (map[profile.AccountKey]*profile.Account, error) {
	return read(ctx, t, func() map[profile.AccountKey]*profile.Account { return t.st.accountsByKey(keys) })
}

func (t *tx) AccountsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Account, error) {
	return read(ctx, t, func() map[string][]*profile.Account { return t.st.accountsByPerson(personIDs) })
}

func (t *tx) SettingsByPerson(ctx context.Context, personIDs []string) (map[string]*profile.Settings, error) {
	return read(ctx, t, func() map[string]*profile.Settings { return t.st.settingsByPerson(personIDs) })
}

func (t *tx) ConsentsByPerson(ctx context.Context, personIDs []string) (map[string][]*profile.Consent, error) {
	return read(ctx, t, func() map[string][]*profile.Consent { return t.st.consentsByPerson(personIDs) })
}

func (t *tx) Activity(ctx context.Context, personID string, beforeSeq int64, limit int) ([]*profile.ActivityEvent, error) {
	return read(ctx, t, func() []*profile.ActivityEvent { return t.st.activityOf(personID, beforeSeq, limit) })
}

func (t *tx) PrivacyByPerson(ctx context.Context, personIDs []string) (map[string]*profile.PrivacyState, error) {
	return read(ctx, t, func() map[string]*profile.PrivacyState { return t.st.privacyByPerson(personIDs) })
}

// Locks: only one transaction runs at a time, so a lock is a read.

func (t *tx) LockAccounts(ctx context.Context, ids []string) (map[string]*profile.Account, error) {
	return t.AccountsByID(ctx, ids)
}

func (t *tx) LockAccountByKey(ctx context.Context, key profile.AccountKey) (*profile.Account, error) {
	return read(ctx, t, func() *profile.Account { return t.st.accountByKey(key).Clone() })
}

// LockPerson returns NOT_FOUND if there is no person with id (or id is malformed).
func (t *tx) LockPerson(ctx context.Context, id string) error {
	return t.do(ctx, func() error {
		if !t.hasPerson(id) {
			return profile.Errorf(profile.NotFound, "person %q not found", id)
		}
		return nil
	})
}

// hasPerson reports whether id is the (canonical) id of an existing person.
func (t *tx) hasPerson(id string) bool {
	if !profile.IsCanonicalID(id) {
		return false
	}
	_, ok := t.st.persons[id]
	return ok
}

// existingPerson parses a person id given to a write (any UUID spelling, as PostgreSQL
// accepts) and checks that the person exists: BAD_USER_INPUT if id is malformed,
// NOT_FOUND if there is no such person (PostgreSQL's foreign key).
func (t *tx) existingPerson(id string) (string, error) {
	pid, err := parseID(id)
	if err != nil {
		return "", err
	}
	if _, ok := t.st.persons[pid]; !ok {
		return "", profile.Errorf(profile.NotFound, "person %q not found", id)
	}
	return pid, nil
}

// checkSettings mirrors the schema's CHECK constraints on settings.
func checkSettings(s *profile.Settings) error {
	for _, r := range s.CrossPosting {
		if !r.From.Valid() || !r.To.Valid() {
			return fmt.Errorf("invalid cross-post rule %s→%s", r.From, r.To)
		}
	}
	for _, a := range s.SingleSignOn {
		if !a.Valid() {
			return fmt.Errorf("invalid single sign-on app %q", a)
		}
	}
	if s.Version < 0 {
		return fmt.Errorf("negative version %d", s.Version)
	}
	return nil
}

var activityTypes = []profile.ActivityType{
	profile.ActivityLinked, profile.ActivityUnlinked, profile.ActivityConsentGranted, profile.ActivityConsentRevoked,
	profile.ActivityProfileUpdated, profile.ActivitySettingsUpdated, profile.ActivityLoginHandoffCreated,
	profile.ActivityLoginHandoffRedeemed, profile.ActivityCrossPosted, profile.ActivityAccountDeleted,
}

func validActivityType(t profile.ActivityType) bool { return slices.Contains(activityTypes, t) }

// Writes.

// normAccount returns a normalized copy of a, as it is stored.
func normAccount(a *profile.Account) (*profile.Account, error) {
	if a == nil {
		return nil, errors.New("nil account")
	}
	n := a.Clone()
	var err error
	if n.ID, err = parseID(a.ID); err != nil {
		return nil, err
	}
	if !a.App.Valid() {
		return nil, fmt.Errorf("unknown app %q", a.App)
	}
	if a.PersonID != "" {
		if n.PersonID, err = parseID(a.PersonID); err != nil {
			return nil, err
		}
	}
	n.LinkedAt = normTimePtr(a.LinkedAt)
	if n.Avatar != nil {
		n.Avatar.UpdatedAt = normTime(n.Avatar.UpdatedAt)
	}
	n.CreatedAt = normTime(a.CreatedAt)
	n.UpdatedAt = normTime(a.UpdatedAt)
	return n, nil
}

// checkLink reports whether a may be linked to its person: the person exists and has no
// other account in a's app.
func (t *tx) checkLink(a *profile.Account) error {
	if a.PersonID == "" {
		return nil
	}
	if _, ok := t.st.persons[a.PersonID]; !ok {
		return profile.Errorf(profile.NotFound, "person %q not found", a.PersonID)
	}
	if other, ok := t.st.links[a.PersonID][a.App]; ok && other != a.ID {
		return profile.Errorf(profile.AlreadyLinked, "the person already has a %s account", a.App)
	}
	return nil
}

// InsertAccount stores a copy of a (an empty a.ID is filled with a new UUID). A duplicate
// id or (app, appUserId) is CONFLICT, a second account of the app on a.PersonID
// ALREADY_LINKED, a missing person NOT_FOUND, a malformed id BAD_USER_INPUT.
func (t *tx) InsertAccount(ctx context.Context, a *profile.Account) error {
	return t.do(ctx, func() error {
		if a != nil && a.ID == "" {
			a.ID = uuid.NewString()
		}
		n, err := normAccount(a)
		if err != nil {
			return fmt.Errorf("insert account: %w", err)
		}
		if _, ok := t.st.accounts[n.ID]; ok {
			return profile.Errorf(profile.Conflict, "account %s already exists", n.ID)
		}
		if _, ok := t.st.keys[n.Key()]; ok {
			return profile.Errorf(profile.Conflict, "%s account %q already exists", n.App, n.AppUserID)
		}
		if err := t.checkLink(n); err != nil {
			return err
		}
		t.accounts()[n.ID] = n
		t.keys()[n.Key()] = n.ID
		if n.PersonID != "" {
			t.linksOf(n.PersonID)[n.App] = n.ID
		}
		return nil
	})
}

// UpdateAccount replaces the account with a.ID by a copy of a, link included. A missing
// account is NOT_FOUND, a taken (app, appUserId) CONFLICT, a second account of the app
// on a.PersonID ALREADY_LINKED, a missing person NOT_FOUND.
func (t *tx) UpdateAccount(ctx context.Context, a *profile.Account) error {
	return t.do(ctx, func() error {
		if a == nil {
			return errors.New("update account: nil account")
		}
		if t.st.account(a.ID) == nil {
			return profile.Errorf(profile.NotFound, "account %q not found", a.ID)
		}
		n, err := normAccount(a)
		if err != nil {
			return fmt.Errorf("update account: %w", err)
		}
		old := t.st.accounts[n.ID]
		if id, ok := t.st.keys[n.Key()]; ok && id != n.ID {
			return profile.Errorf(profile.Conflict, "%s account %q already exists", n.App, n.AppUserID)
		}
		if err := t.checkLink(n); err != nil {
			return err
		}
		if old.PersonID != "" {
			links := t.linksOf(old.PersonID)
			if links[old.App] == old.ID {
				delete(links, old.App)
			}
		}
		if n.PersonID != "" {
			t.linksOf(n.PersonID)[n.App] = n.ID
		}
		if old.Key() != n.Key() {
			delete(t.keys(), old.Key())
			t.keys()[n.Key()] = n.ID
		}
		t.accounts()[n.ID] = n
		return nil
	})
}

// InsertPerson stores a copy of p (an empty p.ID is filled with a new UUID). A duplicate
// id is CONFLICT, a malformed one BAD_USER_INPUT.
func (t *tx) InsertPerson(ctx context.Context, p *profile.Person) error {
	return t.do(ctx, func() error {
		if p == nil {
			return errors.New("insert person: nil person")
		}
		if p.ID == "" {
			p.ID = uuid.NewString()
		}
		id, err := parseID(p.ID)
		if err != nil {
			return fmt.Errorf("insert person: %w", err)
		}
		if _, ok := t.st.persons[id]; ok {
			return profile.Errorf(profile.Conflict, "person %s already exists", id)
		}
		t.persons()[id] = profile.Person{ID: id, CreatedAt: normTime(p.CreatedAt)}
		return nil
	})
}

// DeletePerson removes the person with its settings, consents and login handoffs and
// keeps its activity. A missing person is NOT_FOUND, one with linked accounts CONFLICT.
func (t *tx) DeletePerson(ctx context.Context, id string) error {
	return t.do(ctx, func() error {
		if !t.hasPerson(id) {
			return profile.Errorf(profile.NotFound, "person %q not found", id)
		}
		if len(t.st.links[id]) > 0 {
			return profile.Errorf(profile.Conflict, "person %s still has linked accounts", id)
		}
		t.deletePersonRows(id)
		return nil
	})
}

// deletePersonRows deletes the person pid with its links, settings, consents and
// pending handoffs (like ON DELETE CASCADE: no code may sign anyone in as a person who
// no longer exists).
func (t *tx) deletePersonRows(pid string) {
	delete(t.persons(), pid)
	if _, ok := t.st.links[pid]; ok {
		delete(ownMap(&t.own.links, &t.st.links), pid)
		delete(t.ownLinks, pid)
	}
	if _, ok := t.st.settings[pid]; ok {
		delete(t.settings(), pid)
	}
	if _, ok := t.st.consents[pid]; ok {
		delete(ownMap(&t.own.consents, &t.st.consents), pid)
		delete(t.ownConsents, pid)
	}
	for k, h := range t.st.handoffs {
		if h.PersonID == pid {
			delete(t.handoffs(), k)
		}
	}
}

// PutSettings stores a copy of s as given (Version included). A missing person is
// NOT_FOUND, a malformed id BAD_USER_INPUT.
func (t *tx) PutSettings(ctx context.Context, s *profile.Settings) error {
	return t.do(ctx, func() error {
		if s == nil {
			return errors.New("put settings: nil settings")
		}
		if err := checkSettings(s); err != nil {
			return fmt.Errorf("put settings: %w", err)
		}
		pid, err := t.existingPerson(s.PersonID)
		if err != nil {
			return fmt.Errorf("put settings: %w", err)
		}
		n := cloneSettings(s)
		n.PersonID = pid
		n.UpdatedAt = normTime(s.UpdatedAt)
		t.settings()[pid] = n
		return nil
	})
}

// PutConsent stores a copy of c unless an equal consent exists, and returns the stored
// one. A missing person is NOT_FOUND, a malformed id BAD_USER_INPUT.
func (t *tx) PutConsent(ctx context.Context, c *profile.Consent) (*profile.Consent, error) {
	return locked(ctx, t, func() (*profile.Consent, error) {
		if c == nil {
			return nil, errors.New("put consent: nil consent")
		}
		if !c.SourceApp.Valid() || !c.TargetApp.Valid() || !c.Category.Valid() || !c.Purpose.Valid() || c.SourceApp == c.TargetApp {
			return nil, fmt.Errorf("put consent: invalid consent %s→%s %s %s", c.SourceApp, c.TargetApp, c.Category, c.Purpose)
		}
		pid, err := t.existingPerson(c.PersonID)
		if err != nil {
			return nil, fmt.Errorf("put consent: %w", err)
		}
		if old, ok := t.st.consents[pid][c.Key()]; ok {
			v := *old
			return &v, nil
		}
		n := *c
		n.PersonID = pid
		n.GrantedAt = normTime(c.GrantedAt)
		t.consentsOf(pid)[n.Key()] = &n
		v := n
		return &v, nil
	})
}

// DeleteConsent removes one consent and reports whether it existed; it never fails but
// for the context or an ended Tx.
func (t *tx) DeleteConsent(ctx context.Context, personID string, key profile.ConsentKey) (bool, error) {
	return locked(ctx, t, func() (bool, error) {
		if !profile.IsCanonicalID(personID) {
			return false, nil
		}
		if _, ok := t.st.consents[personID][key]; !ok {
			return false, nil
		}
		delete(t.consentsOf(personID), key)
		return true, nil
	})
}

// DeleteConsentsNaming removes the person's consents naming app and counts them; it
// never fails but for the context or an ended Tx.
func (t *tx) DeleteConsentsNaming(ctx context.Context, personID string, app profile.App) (int, error) {
	return locked(ctx, t, func() (int, error) {
		if !profile.IsCanonicalID(personID) {
			return 0, nil
		}
		n := 0
		for k := range t.st.consents[personID] {
			if k.SourceApp == app || k.TargetApp == app {
				delete(t.consentsOf(personID), k)
				n++
			}
		}
		return n, nil
	})
}

// AppendActivity appends a copy of e and sets e.Seq from a store-wide counter (rolled
// back with the transaction). The person need not exist; a malformed id is
// BAD_USER_INPUT.
func (t *tx) AppendActivity(ctx context.Context, e *profile.ActivityEvent) error {
	return t.do(ctx, func() error {
		if e == nil {
			return errors.New("append activity: nil event")
		}
		// The log outlives its person (DeletePerson keeps it), so the person need not exist.
		pid, err := parseID(e.PersonID)
		if err != nil {
			return fmt.Errorf("append activity: %w", err)
		}
		if !validActivityType(e.Type) || (e.App != nil && !e.App.Valid()) {
			return fmt.Errorf("append activity: invalid type %q or app", e.Type)
		}
		n := cloneEvent(e)
		n.PersonID = pid
		n.At = normTime(e.At)
		t.st.seq++
		n.Seq = t.st.seq
		t.appendEvent(pid, n)
		e.Seq = n.Seq
		return nil
	})
}

// InsertHandoff stores a copy of h. A duplicate code hash is CONFLICT, a missing person
// or account NOT_FOUND, a malformed id BAD_USER_INPUT.
func (t *tx) InsertHandoff(ctx context.Context, h *profile.LoginHandoff) error {
	return t.do(ctx, func() error {
		if h == nil || h.CodeHash == nil {
			return errors.New("insert login handoff: no code hash")
		}
		if !h.TargetApp.Valid() || h.ExpiresAt.Before(h.CreatedAt) {
			return fmt.Errorf("insert login handoff: invalid target app %q or expiry", h.TargetApp)
		}
		pid, err := t.existingPerson(h.PersonID)
		if err != nil {
			return fmt.Errorf("insert login handoff: %w", err)
		}
		aid, err := parseID(h.AccountID)
		if err != nil {
			return fmt.Errorf("insert login handoff: %w", err)
		}
		if _, ok := t.st.accounts[aid]; !ok {
			return profile.Errorf(profile.NotFound, "insert login handoff: account %q not found", h.AccountID)
		}
		if _, ok := t.st.handoffs[string(h.CodeHash)]; ok {
			return profile.Errorf(profile.Conflict, "insert login handoff: the code already exists")
		}
		n := cloneHandoff(h)
		n.PersonID = pid
		n.AccountID = aid
		n.CreatedAt = normTime(h.CreatedAt)
		n.ExpiresAt = normTime(h.ExpiresAt)
		n.RedeemedAt = normTimePtr(h.RedeemedAt)
		t.handoffs()[string(n.CodeHash)] = n
		return nil
	})
}

// DeleteHandoffs removes the person's unredeemed login handoffs to app and returns how
// many it removed. A malformed person id matches nothing.
func (t *tx) DeleteHandoffs(ctx context.Context, personID string, app profile.App) (int, error) {
	return locked(ctx, t, func() (int, error) {
		if !profile.IsCanonicalID(personID) {
			return 0, nil
		}
		n := 0
		for k, h := range t.st.handoffs {
			if h.PersonID == personID && h.TargetApp == app && h.RedeemedAt == nil {
				delete(t.handoffs(), k)
				n++
			}
		}
		return n, nil
	})
}

// RedeemHandoff marks the unredeemed handoff with codeHash redeemed at `at` and returns
// a copy, or nil, nil if there is none or it was redeemed already. Transactions run one
// at a time, so of concurrent calls exactly one gets it.
func (t *tx) RedeemHandoff(ctx context.Context, codeHash []byte, at time.Time) (*profile.LoginHandoff, error) {
	return locked(ctx, t, func() (*profile.LoginHandoff, error) {
		h, ok := t.st.handoffs[string(codeHash)]
		if !ok || h.RedeemedAt != nil {
			return nil, nil
		}
		n := cloneHandoff(h)
		n.RedeemedAt = normTimePtr(&at)
		t.handoffs()[string(n.CodeHash)] = n
		return cloneHandoff(n), nil
	})
}
