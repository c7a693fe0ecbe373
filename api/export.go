package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/profilegraph/profilegraph/consent"
	"github.com/profilegraph/profilegraph/profile"
)

// GET /export (SPEC §6 "Export", the right of access): everything the graph holds
// about the viewer's person, as one JSON document (export.schema.json), streamed.
//
// The document is written section by section with a json.Encoder on the response: the
// person, every linked account with all its values and devices (the person's own data,
// whatever the consents), the cross-posts of those accounts, the consents, the
// settings and the whole activity log, newest first. The activity log and the
// cross-posts are read from the store in pages of exportPage and written as they come,
// so the memory an export holds does not grow with the log (BenchmarkExport).
//
// Only the person's user token (not made for ads) may export: no token or an invalid
// one is 401 UNAUTHENTICATED (as for GraphQL), a service token or an ads request 403
// FORBIDDEN, a viewer whose account is unknown or linked to no person 404 NOT_FOUND.
// Sections are read one after another, outside one snapshot: a write that lands during
// an export may show in a later section only. An error after the first byte can only
// cut the document short (it is then not valid JSON, which a client detects).

// exportPage is how many events or cross-posts one store read of an export returns.
const exportPage = 500

// exportFormat names the document format (its "format" member).
const exportFormat = "profilegraph-export"

type exportAvatar struct {
	URL       string    `json:"url"`
	Width     *int      `json:"width"`
	Height    *int      `json:"height"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type exportDevice struct {
	ID           string                  `json:"id"`
	Platform     profile.DevicePlatform  `json:"platform"`
	Model        *string                 `json:"model"`
	AppVersion   *string                 `json:"appVersion"`
	Connection   *profile.ConnectionType `json:"connection"`
	LastActiveAt time.Time               `json:"lastActiveAt"`
}

type exportAccount struct {
	ID          string         `json:"id"`
	App         profile.App    `json:"app"`
	AppUserID   string         `json:"appUserId"`
	Username    string         `json:"username"`
	DisplayName *string        `json:"displayName"`
	Bio         *string        `json:"bio"`
	Avatar      *exportAvatar  `json:"avatar"`
	PhoneNumber *string        `json:"phoneNumber"`
	Email       *string        `json:"email"`
	Birthdate   *string        `json:"birthdate"`
	LinkedAt    *time.Time     `json:"linkedAt"`
	CreatedAt   time.Time      `json:"createdAt"`
	UpdatedAt   time.Time      `json:"updatedAt"`
	Devices     []exportDevice `json:"devices"`
}

type exportCrossPost struct {
	ID              string                  `json:"id"`
	AccountID       string                  `json:"accountId"`
	From            profile.App             `json:"from"`
	To              profile.App             `json:"to"`
	TargetAccountID string                  `json:"targetAccountId"`
	ContentID       string                  `json:"contentId"`
	DevicePlatform  *profile.DevicePlatform `json:"devicePlatform"`
	At              time.Time               `json:"at"`
}

type exportConsent struct {
	SourceApp profile.App      `json:"sourceApp"`
	TargetApp profile.App      `json:"targetApp"`
	Category  profile.Category `json:"category"`
	Purpose   profile.Purpose  `json:"purpose"`
	GrantedAt time.Time        `json:"grantedAt"`
}

type exportRule struct {
	From profile.App `json:"from"`
	To   profile.App `json:"to"`
}

type exportSettings struct {
	SyncProfile  bool          `json:"syncProfile"`
	CrossPosting []exportRule  `json:"crossPosting"`
	SingleSignOn []profile.App `json:"singleSignOn"`
	Version      int           `json:"version"`
}

type exportEvent struct {
	ID     string               `json:"id"`
	Type   profile.ActivityType `json:"type"`
	App    *profile.App         `json:"app"`
	At     time.Time            `json:"at"`
	Detail *string              `json:"detail"`
}

type exportPerson struct {
	ID             string           `json:"id"`
	CreatedAt      *time.Time       `json:"createdAt"`
	AgeRange       profile.AgeRange `json:"ageRange"`
	AgeDiscrepancy bool             `json:"ageDiscrepancy"`
}

// exportHandler serves GET /export from store (read fresh: never the shared cache).
func exportHandler(store profile.Reader, logger *slog.Logger, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		v := profile.ViewerFrom(ctx)
		switch {
		case v == nil:
			writeError(w, http.StatusUnauthorized, profile.Unauthenticated, "a bearer token is required")
			return
		case v.Service:
			writeError(w, http.StatusForbidden, profile.Forbidden, "export needs the person's user token, not a service token")
			return
		case v.Purpose == profile.PurposeAds:
			writeError(w, http.StatusForbidden, profile.Forbidden, "export cannot be made by a request made for ads (purpose=ads)")
			return
		}
		key := v.AccountKey()
		m, err := store.AccountsByKey(ctx, []profile.AccountKey{key})
		if err != nil {
			logger.ErrorContext(ctx, "export: read viewer account", "err", err)
			writeError(w, http.StatusInternalServerError, profile.Internal, "internal error")
			return
		}
		acc := m[key]
		if acc == nil || acc.PersonID == "" {
			writeError(w, http.StatusNotFound, profile.NotFound, "your account is linked to no person: there is nothing to export")
			return
		}
		at := now().UTC()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="profilegraph-export-%s.json"`, at.Format("20060102T150405Z")))
		if err := writeExport(ctx, w, store, acc.PersonID, at); err != nil {
			// Headers (and maybe part of the document) are out: the client sees a
			// truncated document. Nothing of the error goes to it.
			logger.ErrorContext(ctx, "export failed", "err", err)
		}
	})
}

// writeExport streams the export of person pid to out.
func writeExport(ctx context.Context, out io.Writer, store profile.Reader, pid string, at time.Time) error {
	enc := json.NewEncoder(out)
	raw := func(s string) error { _, err := io.WriteString(out, s); return err }

	persons, err := store.PersonsByID(ctx, []string{pid})
	if err != nil {
		return fmt.Errorf("read person: %w", err)
	}
	byPerson, err := store.AccountsByPerson(ctx, []string{pid})
	if err != nil {
		return fmt.Errorf("read accounts: %w", err)
	}
	accs := byPerson[pid]
	ids := make([]string, len(accs))
	var births []profile.Date
	for i, a := range accs {
		ids[i] = a.ID
		if a.Birthdate != nil {
			births = append(births, *a.Birthdate)
		}
	}
	devices, err := store.DevicesByAccount(ctx, ids)
	if err != nil {
		return fmt.Errorf("read devices: %w", err)
	}

	p := exportPerson{ID: pid, AgeRange: consent.AgeRange(births, profile.DateOf(at)), AgeDiscrepancy: consent.AgeDiscrepancy(births)}
	if pr := persons[pid]; pr != nil {
		t := pr.CreatedAt.UTC()
		p.CreatedAt = &t
	}
	if err := raw(`{"format":"` + exportFormat + `","version":1,"exportedAt":`); err != nil {
		return err
	}
	if err := enc.Encode(at); err != nil {
		return err
	}
	if err := raw(`,"person":`); err != nil {
		return err
	}
	if err := enc.Encode(p); err != nil {
		return err
	}

	if err := raw(`,"accounts":[`); err != nil {
		return err
	}
	for i, a := range accs {
		if i > 0 {
			if err := raw(","); err != nil {
				return err
			}
		}
		if err := enc.Encode(toExportAccount(a, devices[a.ID])); err != nil {
			return err
		}
	}

	if err := raw(`],"crossPosts":[`); err != nil {
		return err
	}
	first := true
	for _, a := range accs {
		var before int64
		for {
			page := profile.CrossPostPage{AccountID: a.ID, BeforeSeq: before, Limit: exportPage}
			m, err := store.CrossPosts(ctx, []profile.CrossPostPage{page})
			if err != nil {
				return fmt.Errorf("read cross-posts: %w", err)
			}
			cs := m[page]
			for _, c := range cs {
				if !first {
					if err := raw(","); err != nil {
						return err
					}
				}
				first = false
				if err := enc.Encode(exportCrossPost{ID: c.ID, AccountID: c.AccountID, From: c.From, To: c.To,
					TargetAccountID: c.TargetAccountID, ContentID: c.ContentID, DevicePlatform: c.DevicePlatform, At: c.At.UTC()}); err != nil {
					return err
				}
			}
			if len(cs) < exportPage {
				break
			}
			before = cs[len(cs)-1].Seq
		}
	}

	consents, err := store.ConsentsByPerson(ctx, []string{pid})
	if err != nil {
		return fmt.Errorf("read consents: %w", err)
	}
	cs := make([]exportConsent, 0, len(consents[pid]))
	for _, c := range consents[pid] {
		cs = append(cs, exportConsent{SourceApp: c.SourceApp, TargetApp: c.TargetApp, Category: c.Category, Purpose: c.Purpose, GrantedAt: c.GrantedAt.UTC()})
	}
	if err := raw(`],"consents":`); err != nil {
		return err
	}
	if err := enc.Encode(cs); err != nil {
		return err
	}

	sm, err := store.SettingsByPerson(ctx, []string{pid})
	if err != nil {
		return fmt.Errorf("read settings: %w", err)
	}
	st := sm[pid]
	if st == nil {
		st = profile.DefaultSettings(pid)
	}
	es := exportSettings{SyncProfile: st.SyncProfile, CrossPosting: []exportRule{}, SingleSignOn: append([]profile.App{}, st.SingleSignOn...), Version: st.Version}
	for _, r := range st.CrossPosting {
		es.CrossPosting = append(es.CrossPosting, exportRule{From: r.From, To: r.To})
	}
	if err := raw(`,"settings":`); err != nil {
		return err
	}
	if err := enc.Encode(es); err != nil {
		return err
	}

	if err := raw(`,"activity":[`); err != nil {
		return err
	}
	var before int64
	first = true
	for {
		events, err := store.Activity(ctx, pid, before, exportPage)
		if err != nil {
			return fmt.Errorf("read activity: %w", err)
		}
		for _, e := range events {
			if !first {
				if err := raw(","); err != nil {
					return err
				}
			}
			first = false
			if err := enc.Encode(exportEvent{ID: e.EventID(), Type: e.Type, App: e.App, At: e.At.UTC(), Detail: e.DetailText()}); err != nil {
				return err
			}
		}
		if len(events) < exportPage {
			break
		}
		before = events[len(events)-1].Seq
	}
	return raw("]}\n")
}

func toExportAccount(a *profile.Account, ds []*profile.Device) exportAccount {
	out := exportAccount{ID: a.ID, App: a.App, AppUserID: a.AppUserID, Username: a.Username, DisplayName: a.DisplayName,
		Bio: a.Bio, PhoneNumber: a.PhoneNumber, Email: a.Email, CreatedAt: a.CreatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC(),
		Devices: make([]exportDevice, 0, len(ds))}
	if a.Avatar != nil {
		out.Avatar = &exportAvatar{URL: a.Avatar.URL, Width: a.Avatar.Width, Height: a.Avatar.Height, UpdatedAt: a.Avatar.UpdatedAt.UTC()}
	}
	if a.Birthdate != nil {
		s := a.Birthdate.String()
		out.Birthdate = &s
	}
	if a.LinkedAt != nil {
		t := a.LinkedAt.UTC()
		out.LinkedAt = &t
	}
	for _, d := range ds {
		out.Devices = append(out.Devices, exportDevice{ID: d.ID, Platform: d.Platform, Model: d.Model, AppVersion: d.AppVersion,
			Connection: d.Connection, LastActiveAt: d.LastActiveAt.UTC()})
	}
	return out
}
