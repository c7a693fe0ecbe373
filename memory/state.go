package memory

import (
	"cmp"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// state is one version of the whole store. A committed state is never modified: a
// transaction copies each map before its first write to it (see tx), and the values in
// the maps are normalized copies that are replaced, never changed in place.
type state struct {
	persons  map[string]profile.Person
	accounts map[string]*profile.Account
	keys     map[profile.AccountKey]string                      // account key -> account id
	links    map[string]map[profile.App]string                  // person id -> app -> account id
	settings map[string]*profile.Settings                       // person id -> settings
	consents map[string]map[profile.ConsentKey]*profile.Consent // person id -> key -> consent
	activity map[string][]*profile.ActivityEvent                // person id -> events, ascending Seq
	handoffs map[string]*profile.LoginHandoff                   // string(code hash) -> handoff
	seq      int64                                              // the last Seq assigned, store-wide

	devices      map[string][]*profile.Device    // account id -> devices, ordered by device id
	crossPosts   map[string][]*profile.CrossPost // account id -> cross-posts, ascending Seq
	crossPostSeq int64                           // the last cross-post Seq assigned

	erasures []profile.Erasure // oldest first; appended to a copy, never in place
}

func newState() *state {
	return &state{
		persons:  map[string]profile.Person{},
		accounts: map[string]*profile.Account{},
		keys:     map[profile.AccountKey]string{},
		links:    map[string]map[profile.App]string{},
		settings: map[string]*profile.Settings{},
		consents: map[string]map[profile.ConsentKey]*profile.Consent{},
		activity: map[string][]*profile.ActivityEvent{},
		handoffs: map[string]*profile.LoginHandoff{},

		devices:    map[string][]*profile.Device{},
		crossPosts: map[string][]*profile.CrossPost{},
	}
}

// parseID returns id, given to a write, in canonical form. Like PostgreSQL's uuid input
// it accepts any UUID spelling; anything else is BAD_USER_INPUT, as the postgres store
// reports invalid uuid text.
func parseID(id string) (string, error) {
	u, err := uuid.Parse(id)
	if err != nil {
		return "", profile.Errorf(profile.BadUserInput, "malformed id %q", id)
	}
	return u.String(), nil
}

// normTime returns t as PostgreSQL's timestamptz gives it back: UTC, microseconds.
func normTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normTimePtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := normTime(*t)
	return &n
}

func (s *state) personsByID(ids []string) map[string]*profile.Person {
	out := make(map[string]*profile.Person, len(ids))
	for _, id := range ids {
		if profile.IsCanonicalID(id) {
			if p, ok := s.persons[id]; ok {
				out[id] = &p
			}
		}
	}
	return out
}

func (s *state) account(id string) *profile.Account {
	if profile.IsCanonicalID(id) {
		return s.accounts[id]
	}
	return nil
}

func (s *state) accountsByID(ids []string) map[string]*profile.Account {
	out := make(map[string]*profile.Account, len(ids))
	for _, id := range ids {
		if a := s.account(id); a != nil {
			out[a.ID] = a.Clone()
		}
	}
	return out
}

func (s *state) accountByKey(k profile.AccountKey) *profile.Account {
	if id, ok := s.keys[k]; ok {
		return s.accounts[id]
	}
	return nil
}

func (s *state) accountsByKey(keys []profile.AccountKey) map[profile.AccountKey]*profile.Account {
	out := make(map[profile.AccountKey]*profile.Account, len(keys))
	for _, k := range keys {
		if a := s.accountByKey(k); a != nil {
			out[k] = a.Clone()
		}
	}
	return out
}

func (s *state) accountsByPerson(personIDs []string) map[string][]*profile.Account {
	out := make(map[string][]*profile.Account, len(personIDs))
	for _, id := range personIDs {
		if !profile.IsCanonicalID(id) {
			continue
		}
		byApp := s.links[id]
		var list []*profile.Account
		for _, app := range profile.Apps {
			if aid, ok := byApp[app]; ok {
				list = append(list, s.accounts[aid].Clone())
			}
		}
		if len(list) > 0 {
			out[id] = list
		}
	}
	return out
}

func (s *state) settingsByPerson(personIDs []string) map[string]*profile.Settings {
	out := make(map[string]*profile.Settings, len(personIDs))
	for _, id := range personIDs {
		if profile.IsCanonicalID(id) {
			if st, ok := s.settings[id]; ok {
				out[id] = cloneSettings(st)
			}
		}
	}
	return out
}

// cloneSettings is Settings.Clone with empty lists that are not nil, as DefaultSettings
// has them, so that a stored and a default value look alike.
func cloneSettings(st *profile.Settings) *profile.Settings {
	c := st.Clone()
	if c.CrossPosting == nil {
		c.CrossPosting = []profile.CrossPostRule{}
	}
	if c.SingleSignOn == nil {
		c.SingleSignOn = []profile.App{}
	}
	return c
}

func (s *state) consentsByPerson(personIDs []string) map[string][]*profile.Consent {
	out := make(map[string][]*profile.Consent, len(personIDs))
	for _, id := range personIDs {
		if !profile.IsCanonicalID(id) || len(s.consents[id]) == 0 {
			continue
		}
		list := make([]*profile.Consent, 0, len(s.consents[id]))
		for _, cs := range s.consents[id] {
			v := *cs
			list = append(list, &v)
		}
		slices.SortFunc(list, compareConsents)
		out[id] = list
	}
	return out
}

// compareConsents orders consents oldest grant first, ties by key.
func compareConsents(a, b *profile.Consent) int {
	return cmp.Or(
		a.GrantedAt.Compare(b.GrantedAt),
		cmp.Compare(a.SourceApp, b.SourceApp),
		cmp.Compare(a.TargetApp, b.TargetApp),
		cmp.Compare(a.Category, b.Category),
		cmp.Compare(a.Purpose, b.Purpose),
	)
}

func (s *state) activityOf(personID string, beforeSeq int64, limit int) []*profile.ActivityEvent {
	out := []*profile.ActivityEvent{}
	if !profile.IsCanonicalID(personID) || limit <= 0 {
		return out
	}
	events := s.activity[personID]
	end := len(events)
	if beforeSeq > 0 {
		end = sort.Search(len(events), func(i int) bool { return events[i].Seq >= beforeSeq })
	}
	for i := end - 1; i >= 0 && len(out) < limit; i-- {
		out = append(out, cloneEvent(events[i]))
	}
	return out
}

func cloneEvent(e *profile.ActivityEvent) *profile.ActivityEvent {
	c := *e
	if e.App != nil {
		app := *e.App
		c.App = &app
	}
	return &c
}

func cloneHandoff(h *profile.LoginHandoff) *profile.LoginHandoff {
	c := *h
	c.CodeHash = slices.Clone(h.CodeHash)
	if h.RedeemedAt != nil {
		t := *h.RedeemedAt
		c.RedeemedAt = &t
	}
	return &c
}

func (s *state) privacyByPerson(personIDs []string) map[string]*profile.PrivacyState {
	out := make(map[string]*profile.PrivacyState, len(personIDs))
	consents := s.consentsByPerson(personIDs)
	for _, id := range personIDs {
		if !profile.IsCanonicalID(id) {
			continue
		}
		st := &profile.PrivacyState{Consents: consents[id]}
		byApp := s.links[id]
		for _, app := range profile.Apps {
			aid, ok := byApp[app]
			if !ok {
				continue
			}
			l := profile.AccountLink{AccountID: aid, App: app}
			if a := s.accounts[aid]; a != nil {
				if a.LinkedAt != nil {
					l.LinkedAt = *a.LinkedAt
				}
				if a.Birthdate != nil {
					l.Birthdate = *a.Birthdate
				}
			}
			st.Links = append(st.Links, l)
		}
		if len(st.Links) > 0 || len(st.Consents) > 0 {
			out[id] = st
		}
	}
	return out
}
