// Package accounts holds the business rules of every profilegraph mutation (SPEC §2, §4,
// §6, §7): who may write what, input validation, linking and unlinking, profile sync,
// settings, consents and login handoffs. It works on the profile.Store / profile.Tx
// interfaces only, so it runs the same on PostgreSQL and on the memory store; resolvers
// stay thin and call a *Service.
//
// Every mutation runs in one store transaction, validates all of its input before it
// writes anything, and appends exactly one activity event per change in that same
// transaction. A failed mutation returns a *profile.Error (or a wrapped internal error)
// and leaves no trace.
package accountscenter

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// ProofVerifier verifies the proof token of linkAccount: a bearer token of the account
// being added. It returns the token's viewer, or an error for any token that does not
// verify (the auth package's verifier fits).
type ProofVerifier interface {
	Verify(ctx context.Context, token string) (*profile.Viewer, error)
}

// Service implements the mutations of SPEC §3 on a profile.Store. It is safe for
// concurrent use.
type Service struct {
	store  profile.Store
	proofs ProofVerifier
	now    func() time.Time
	rand   io.Reader
}

// Option configures a Service.
type Option func(*Service)

// WithClock makes the service read the time from now instead of time.Now (tests inject a
// clock to expire login handoffs).
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithRand makes the service draw login handoff codes from r instead of
// crypto/rand.Reader.
func WithRand(r io.Reader) Option { return func(s *Service) { s.rand = r } }

// New returns a Service writing to store and verifying linkAccount proofs with proofs.
func New(store profile.Store, proofs ProofVerifier, opts ...Option) *Service {
	s := &Service{store: store, proofs: proofs, now: time.Now, rand: rand.Reader}
	for _, o := range opts {
		o(s)
	}
	return s
}

// maxAttempts bounds how often a mutation is re-run after it saw a concurrent change
// between its first read and the lock it then took.
const maxAttempts = 5

// errRetry makes inTx roll the transaction back and run it again from the start.
var errRetry = errors.New("accounts: concurrent change, retry")

// inTx runs fn in one store transaction, again (up to maxAttempts) when fn returns
// errRetry. Any other error of fn is returned unchanged.
func (s *Service) inTx(ctx context.Context, fn func(ctx context.Context, tx profile.Tx) error) error {
	for range maxAttempts {
		err := s.store.InTx(ctx, fn)
		// A lost deadlock or serialization race rolled everything back: run it again.
		if !errors.Is(err, errRetry) && !errors.Is(err, profile.ErrTransient) {
			return err
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("retry transaction: %w", err)
		}
	}
	return profile.Errorf(profile.Conflict, "your accounts changed concurrently; try again")
}

// clock returns the current time as the stores keep it: UTC, microsecond precision.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// requireUser returns FORBIDDEN unless v is a user token made for the service: a token
// with purpose=ads is a request made to personalize ads, which must not act as the person
// (grant itself an ADS consent, link accounts, sign in elsewhere; promise 4).
func requireUser(v *profile.Viewer, what string) error {
	if v == nil || v.Service {
		return profile.Errorf(profile.Forbidden, "%s needs a user token", what)
	}
	if v.Purpose == profile.PurposeAds {
		return profile.Errorf(profile.Forbidden, "%s cannot be done by a request made for ads (purpose=ads)", what)
	}
	return nil
}

// viewerAccount reads the viewer's own account (unlocked); NOT_FOUND if the app never
// pushed it.
func viewerAccount(ctx context.Context, tx profile.Tx, v *profile.Viewer) (*profile.Account, error) {
	key := v.AccountKey()
	m, err := tx.AccountsByKey(ctx, []profile.AccountKey{key})
	if err != nil {
		return nil, fmt.Errorf("read viewer account: %w", err)
	}
	a := m[key]
	if a == nil {
		return nil, profile.Errorf(profile.NotFound, "your %s account is not known yet", v.App)
	}
	return a, nil
}

// lockViewerPerson reads the viewer's account, locks its person (if any) and returns the
// account as it is once the person is locked. Locking the person first serializes every
// change of one person's links, settings and consents; if the account moved to another
// person in between, the transaction is retried.
func lockViewerPerson(ctx context.Context, tx profile.Tx, v *profile.Viewer) (*profile.Account, error) {
	acc, err := viewerAccount(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	if acc.PersonID == "" {
		return acc, nil
	}
	if err := lockPerson(ctx, tx, acc.PersonID); err != nil {
		return nil, err
	}
	again, err := viewerAccount(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	if again.PersonID != acc.PersonID {
		return nil, errRetry
	}
	return again, nil
}

// lockLinkedViewer is lockViewerPerson for a viewer that must be linked: it returns
// notLinked when the viewer's account has no person.
func lockLinkedViewer(ctx context.Context, tx profile.Tx, v *profile.Viewer, notLinked error) (*profile.Account, error) {
	mine, err := lockViewerPerson(ctx, tx, v)
	if err != nil {
		return nil, err
	}
	if mine.PersonID == "" {
		return nil, notLinked
	}
	return mine, nil
}

// lockLinkedPerson is lockLinkedViewer followed by the person's accounts
// (personAccounts): the start of the mutations that check what the person has linked.
func lockLinkedPerson(ctx context.Context, tx profile.Tx, v *profile.Viewer, notLinked error) (*profile.Account, []*profile.Account, error) {
	mine, err := lockLinkedViewer(ctx, tx, v, notLinked)
	if err != nil {
		return nil, nil, err
	}
	accs, err := personAccounts(ctx, tx, mine.PersonID)
	if err != nil {
		return nil, nil, err
	}
	return mine, accs, nil
}

// lockLinkedSettings is lockLinkedPerson followed by the person's settings
// (personSettings), for the mutations that check both.
func lockLinkedSettings(ctx context.Context, tx profile.Tx, v *profile.Viewer, notLinked error) (*profile.Account, []*profile.Account, *profile.Settings, error) {
	mine, accs, err := lockLinkedPerson(ctx, tx, v, notLinked)
	if err != nil {
		return nil, nil, nil, err
	}
	st, err := personSettings(ctx, tx, mine.PersonID)
	if err != nil {
		return nil, nil, nil, err
	}
	return mine, accs, st, nil
}

// lockPerson locks a person; a person that vanished since it was read means a concurrent
// unlink, so the transaction is retried.
func lockPerson(ctx context.Context, tx profile.Tx, id string) error {
	if err := tx.LockPerson(ctx, id); err != nil {
		if profile.ErrorCode(err) == profile.NotFound {
			return errRetry
		}
		return fmt.Errorf("lock person: %w", err)
	}
	return nil
}

// personAccounts returns the accounts linked to a person, ordered as profile.Apps.
func personAccounts(ctx context.Context, tx profile.Tx, personID string) ([]*profile.Account, error) {
	m, err := tx.AccountsByPerson(ctx, []string{personID})
	if err != nil {
		return nil, fmt.Errorf("read person accounts: %w", err)
	}
	return m[personID], nil
}

// accountIn returns the account of app among accs, or nil.
func accountIn(accs []*profile.Account, app profile.App) *profile.Account {
	for _, a := range accs {
		if a.App == app {
			return a
		}
	}
	return nil
}

// personSettings returns the person's stored settings or the defaults (Version 0).
func personSettings(ctx context.Context, tx profile.Tx, personID string) (*profile.Settings, error) {
	m, err := tx.SettingsByPerson(ctx, []string{personID})
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	if st := m[personID]; st != nil {
		return st.Clone(), nil
	}
	return profile.DefaultSettings(personID), nil
}

// appendEvent appends one activity event to the person's log.
func appendEvent(ctx context.Context, tx profile.Tx, personID string, typ profile.ActivityType, app profile.App, at time.Time, detail string) error {
	e := &profile.ActivityEvent{PersonID: personID, Type: typ, At: at, Detail: detail}
	if app != "" {
		e.App = &app
	}
	if err := tx.AppendActivity(ctx, e); err != nil {
		return fmt.Errorf("append %s activity: %w", typ, err)
	}
	return nil
}

// validApps checks that every app is one of the five and returns them without
// duplicates, in their first order.
func validApps(apps []profile.App, field string) ([]profile.App, error) {
	out := make([]profile.App, 0, len(apps))
	for _, a := range apps {
		if !a.Valid() {
			return nil, profile.Errorf(profile.BadUserInput, "%s: unknown app %q", field, a)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out, nil
}

// appList formats apps as "FACEBOOK, INSTAGRAM".
func appList(apps []profile.App) string {
	s := make([]string, len(apps))
	for i, a := range apps {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}
