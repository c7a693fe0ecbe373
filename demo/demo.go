// Package demo seeds a store with a small cast of people whose accounts, consents and
// settings show every rule of the consent decision (SPEC §5), so that `go run .` is
// explorable at once from GraphiQL with the dev tokens printed for Data.Users.
//
// The cast, seen from the requesting app:
//
//   - Alice links FACEBOOK, INSTAGRAM and WHATSAPP. She granted INSTAGRAM→FACEBOOK
//     PROFILE (SERVICE and ADS) and WHATSAPP→FACEBOOK CONTACT (SERVICE): in FACEBOOK her
//     merged profile takes bio and avatar from INSTAGRAM and the phone from WHATSAPP, but
//     an ads request loses the phone (no ADS consent for CONTACT). In INSTAGRAM or
//     WHATSAPP, FACEBOOK's email is CONSENT_REQUIRED. Settings: syncProfile on,
//     cross-posting INSTAGRAM→FACEBOOK and WHATSAPP→FACEBOOK, single sign-on into
//     INSTAGRAM. Her birthdates differ by less than a year: no age discrepancy, ADULT.
//     Devices (category DEVICE): WHATSAPP reported an Android phone and a desktop,
//     INSTAGRAM an iPhone, FACEBOOK a web browser. Cross-posts (category ACTIVITY): a
//     WHATSAPP status and an INSTAGRAM post, both shared to FACEBOOK. She granted
//     WHATSAPP→FACEBOOK ACTIVITY (SERVICE) and INSTAGRAM→FACEBOOK DEVICE (SERVICE): in
//     FACEBOOK the WHATSAPP cross-post and the INSTAGRAM iPhone cross, while INSTAGRAM's
//     cross-posts and WHATSAPP's devices are CONSENT_REQUIRED.
//   - Bob links FACEBOOK, INSTAGRAM and THREADS and granted nothing: nothing crosses. His
//     INSTAGRAM birthdate makes him 16 on the seeding day and his FACEBOOK one an adult:
//     ageRange AGE_16_17 (the youngest wins) and ageDiscrepancy true. Being a minor, he
//     can grant no ADS consent, and an ads request (his FACEBOOK ads token) gets every
//     other app's value as FORBIDDEN with reason MINOR (SPEC §5 rule 6).
//   - Carol links MESSENGER and INSTAGRAM with MESSENGER→INSTAGRAM CONTACT only: in
//     INSTAGRAM she sees MESSENGER's phone, while MESSENGER's avatar is CONSENT_REQUIRED
//     for her and absent for anyone else.
//   - Dave has one THREADS account linked to no one: only THREADS sees it, and only its
//     PROFILE fields unless the viewer is Dave.
//
// Ids are fixed UUIDs (SHA-1 name-based), so tokens and examples stay valid across runs.
// Times are relative to the seeding time, so ages and "most recently updated" hold.
package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/profilegraph/profilegraph/profile"
)

// Data describes what Seed wrote.
type Data struct {
	// Users lists every demo account, in a fixed order (Alice, Bob, Carol, Dave; each
	// person's accounts ordered as profile.Apps), an account that shows a rule of ads
	// requests followed by itself once more with Purpose ads; the server prints a dev
	// token for each.
	Users []User
}

// User is one demo account a dev token can be made for.
type User struct {
	Name      string      // the person's first name: Alice, Bob, Carol or Dave
	App       profile.App // the token's `app`
	AppUserID string      // the token's `sub`
	PersonID  string      // empty for an account linked to no one
	// Purpose is the token's `purpose`: PurposeAds for a request made to personalize
	// ads, "" for an ordinary user token.
	Purpose profile.Purpose
	Note    string // what to try as this user
}

// namespace roots the demo's name-based UUIDs.
var namespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/profilegraph/profilegraph/demo"))

func personID(name string) string {
	return uuid.NewSHA1(namespace, []byte("person/"+strings.ToLower(name))).String()
}

func accountID(app profile.App, appUserID string) string {
	return uuid.NewSHA1(namespace, []byte("account/"+string(app)+"/"+appUserID)).String()
}

// member is one entry of the cast: a person, or with linked false one lone account.
type member struct {
	name     string
	linked   bool
	accounts []demoAccount
	consents []profile.ConsentKey
	settings *profile.Settings // nil: the defaults
	// crossPosts are recorded after the settings (their rules must exist), in order.
	crossPosts []demoCrossPost
	since      time.Duration // how long ago the person linked
	// adsNotes list an account of the app a second time, with an ads token (Purpose
	// ads), and say what to try with it.
	adsNotes map[profile.App]string
}

type demoAccount struct {
	account *profile.Account
	note    string
	devices []*profile.Device
}

// demoCrossPost is content shared from the member's account in from to the one in to.
type demoCrossPost struct {
	from, to  profile.App
	contentID string
	platform  profile.DevicePlatform
	at        time.Time
}

// Seed writes the demo data into s in one transaction and describes it. It is
// idempotent: if Alice's FACEBOOK account already exists the store counts as seeded,
// nothing is written and the same Data is returned. now anchors every timestamp and
// Bob's age. It returns the store's error, wrapped, if writing fails (then nothing of the
// demo is written).
func Seed(ctx context.Context, s profile.Store, now time.Time) (*Data, error) {
	now = now.UTC().Truncate(time.Second)
	members := cast(now)
	data := &Data{}
	for _, m := range members {
		for _, a := range m.accounts {
			data.Users = append(data.Users, User{
				Name: m.name, App: a.account.App, AppUserID: a.account.AppUserID,
				PersonID: a.account.PersonID, Note: a.note,
			})
			if note := m.adsNotes[a.account.App]; note != "" {
				data.Users = append(data.Users, User{
					Name: m.name, App: a.account.App, AppUserID: a.account.AppUserID,
					PersonID: a.account.PersonID, Purpose: profile.PurposeAds, Note: note,
				})
			}
		}
	}
	marker := members[0].accounts[0].account.Key() // Alice's FACEBOOK account

	err := s.InTx(ctx, func(ctx context.Context, tx profile.Tx) error {
		existing, err := tx.LockAccountByKey(ctx, marker)
		if err != nil {
			return fmt.Errorf("look for demo data: %w", err)
		}
		if existing != nil {
			return nil
		}
		for _, m := range members {
			if err := write(ctx, tx, m, now); err != nil {
				return fmt.Errorf("seed %s: %w", m.name, err)
			}
		}
		return nil
	})
	if err != nil && profile.ErrorCode(err) == profile.Conflict {
		// Another process seeded the same store meanwhile (several replicas on one
		// database): that is success too.
		if got, rerr := s.AccountsByKey(ctx, []profile.AccountKey{marker}); rerr == nil && got[marker] != nil {
			return data, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("seed demo data: %w", err)
	}
	return data, nil
}

// write stores one member with its activity, in the order a real user would have
// produced it: link, grant, set.
func write(ctx context.Context, tx profile.Tx, m member, now time.Time) error {
	at := now.Add(-m.since)
	if m.linked {
		if err := tx.InsertPerson(ctx, &profile.Person{ID: personID(m.name), CreatedAt: at}); err != nil {
			return fmt.Errorf("insert person: %w", err)
		}
	}
	for _, a := range m.accounts {
		if err := tx.InsertAccount(ctx, a.account); err != nil {
			return fmt.Errorf("insert %s account: %w", a.account.App, err)
		}
		if len(a.devices) > 0 {
			if err := tx.ReplaceDevices(ctx, a.account.ID, a.devices); err != nil {
				return fmt.Errorf("put %s devices: %w", a.account.App, err)
			}
		}
		if !m.linked {
			continue
		}
		if err := appendEvent(ctx, tx, m.name, profile.ActivityLinked, a.account.App, *a.account.LinkedAt,
			fmt.Sprintf("%s account linked", a.account.App)); err != nil {
			return err
		}
	}
	// Grants follow the last link, an hour apart.
	for _, a := range m.accounts {
		if a.account.LinkedAt != nil && a.account.LinkedAt.After(at) {
			at = *a.account.LinkedAt
		}
	}
	for i, k := range m.consents {
		c := &profile.Consent{
			PersonID: personID(m.name), SourceApp: k.SourceApp, TargetApp: k.TargetApp,
			Category: k.Category, Purpose: k.Purpose, GrantedAt: at.Add(time.Duration(i+1) * time.Hour),
		}
		if _, err := tx.PutConsent(ctx, c); err != nil {
			return fmt.Errorf("put consent: %w", err)
		}
		detail := fmt.Sprintf("%s→%s %s %s", k.SourceApp, k.TargetApp, k.Category, k.Purpose)
		if err := appendEvent(ctx, tx, m.name, profile.ActivityConsentGranted, k.SourceApp, c.GrantedAt, detail); err != nil {
			return err
		}
	}
	if st := m.settings; st != nil {
		if err := tx.PutSettings(ctx, st); err != nil {
			return fmt.Errorf("put settings: %w", err)
		}
		if err := appendEvent(ctx, tx, m.name, profile.ActivitySettingsUpdated, profile.AppFacebook, st.UpdatedAt,
			settingsDetail(st)); err != nil {
			return err
		}
	}
	for _, cp := range m.crossPosts {
		c := &profile.CrossPost{
			ID:        uuid.NewSHA1(namespace, []byte("crosspost/"+string(cp.from)+"/"+cp.contentID)).String(),
			AccountID: accountOf(m, cp.from), From: cp.from, To: cp.to, TargetAccountID: accountOf(m, cp.to),
			ContentID: cp.contentID, DevicePlatform: ptr(cp.platform), At: cp.at,
		}
		if _, _, err := tx.InsertCrossPost(ctx, c); err != nil {
			return fmt.Errorf("record cross-post: %w", err)
		}
		if err := appendEvent(ctx, tx, m.name, profile.ActivityCrossPosted, cp.from, cp.at,
			"shared from "+string(cp.from)+" to "+string(cp.to)); err != nil {
			return err
		}
	}
	return nil
}

// accountOf returns the id of the member's account in app.
func accountOf(m member, app profile.App) string {
	for _, a := range m.accounts {
		if a.account.App == app {
			return a.account.ID
		}
	}
	return ""
}

// device is a demo device last active at t.
func device(id string, platform profile.DevicePlatform, model, version string, conn profile.ConnectionType, t time.Time) *profile.Device {
	return &profile.Device{ID: id, Platform: platform, Model: ptr(model), AppVersion: ptr(version), Connection: ptr(conn), LastActiveAt: t}
}

func appendEvent(ctx context.Context, tx profile.Tx, name string, typ profile.ActivityType, app profile.App, at time.Time, detail string) error {
	e := &profile.ActivityEvent{PersonID: personID(name), Type: typ, App: &app, At: at, Detail: detail}
	if err := tx.AppendActivity(ctx, e); err != nil {
		return fmt.Errorf("append %s activity: %w", typ, err)
	}
	return nil
}

// settingsDetail describes settings as updateSettings logs them.
func settingsDetail(st *profile.Settings) string {
	rules := make([]string, len(st.CrossPosting))
	for i, r := range st.CrossPosting {
		rules[i] = string(r.From) + "→" + string(r.To)
	}
	apps := make([]string, len(st.SingleSignOn))
	for i, a := range st.SingleSignOn {
		apps[i] = string(a)
	}
	return fmt.Sprintf("syncProfile %t; crossPosting [%s]; singleSignOn [%s]",
		st.SyncProfile, strings.Join(rules, ", "), strings.Join(apps, ", "))
}

func ptr[T any](v T) *T { return &v }

func date(y int, m time.Month, d int) *profile.Date { return &profile.Date{Year: y, Month: m, Day: d} }

func avatar(name string, updated time.Time) *profile.Avatar {
	return &profile.Avatar{
		URL:   "https://images.example.com/" + name + ".jpg",
		Width: ptr(320), Height: ptr(320), UpdatedAt: updated,
	}
}

// cast returns the demo people as of now.
func cast(now time.Time) []member {
	ago := func(days int) time.Time { return now.AddDate(0, 0, -days) }
	day := 24 * time.Hour

	// acct builds an account created `created` days ago, last updated `updated` days
	// ago, linked to name's person `linked` days ago (linked < 0: not linked).
	acct := func(name string, app profile.App, appUserID, username string, created, updated, linked int) *profile.Account {
		a := &profile.Account{
			ID: accountID(app, appUserID), App: app, AppUserID: appUserID, Username: username,
			CreatedAt: ago(created), UpdatedAt: ago(updated),
		}
		if linked >= 0 {
			a.PersonID, a.LinkedAt = personID(name), ptr(ago(linked))
		}
		return a
	}

	aliceFB := acct("Alice", profile.AppFacebook, "alice-fb", "alice.martin", 900, 20, 30)
	aliceFB.DisplayName = ptr("Alice Martin")
	aliceFB.Email = ptr("alice@example.com")
	aliceFB.Birthdate = date(1990, time.April, 12)

	aliceIG := acct("Alice", profile.AppInstagram, "alice-ig", "alice.m", 700, 2, 30)
	aliceIG.DisplayName = ptr("Ali M. 📷")
	aliceIG.Bio = ptr("Coffee, climbing and film photos.")
	aliceIG.Avatar = avatar("alice-ig", ago(2))
	aliceIG.Birthdate = date(1990, time.September, 30)

	aliceWA := acct("Alice", profile.AppWhatsApp, "alice-wa", "alice_wa", 500, 10, 29)
	aliceWA.DisplayName = ptr("Alice")
	aliceWA.Bio = ptr("Available")
	aliceWA.Avatar = avatar("alice-wa", ago(10))
	aliceWA.PhoneNumber = ptr("+14155550101")

	bobFB := acct("Bob", profile.AppFacebook, "bob-fb", "bob.smith", 800, 40, 14)
	bobFB.DisplayName = ptr("Robert Smith")
	bobFB.Email = ptr("bob@example.com")
	bobFB.Avatar = avatar("bob-fb", ago(40))
	bobFB.Birthdate = date(1999, time.June, 15)

	bobIG := acct("Bob", profile.AppInstagram, "bob-ig", "bobby.sk8", 400, 3, 14)
	bobIG.DisplayName = ptr("bobby")
	bobIG.Bio = ptr("skate every day")
	bobIG.Birthdate = ptr(profile.DateOf(now.AddDate(-16, -3, 0))) // 16 years and 3 months old

	bobTH := acct("Bob", profile.AppThreads, "bob-th", "bob.threads", 100, 5, 13)
	bobTH.DisplayName = ptr("Bob S.")

	carolMS := acct("Carol", profile.AppMessenger, "carol-ms", "carol.jones", 600, 8, 7)
	carolMS.DisplayName = ptr("Carol Jones")
	carolMS.Avatar = avatar("carol-ms", ago(8))
	carolMS.PhoneNumber = ptr("+14155550103")

	carolIG := acct("Carol", profile.AppInstagram, "carol-ig", "carol.makes", 300, 4, 7)
	carolIG.DisplayName = ptr("Carol | pottery")
	carolIG.Bio = ptr("Plants and pottery.")

	daveTH := acct("Dave", profile.AppThreads, "dave-th", "dave.t", 3, 1, -1)
	daveTH.DisplayName = ptr("Dave")
	daveTH.Bio = ptr("Just here for the threads.")
	daveTH.Avatar = avatar("dave-th", ago(1))

	key := func(src, dst profile.App, c profile.Category, p profile.Purpose) profile.ConsentKey {
		return profile.ConsentKey{SourceApp: src, TargetApp: dst, Category: c, Purpose: p}
	}
	return []member{
		{
			name: "Alice", linked: true, since: 30 * day,
			accounts: []demoAccount{
				{aliceFB, "FACEBOOK merges INSTAGRAM's bio and avatar (PROFILE consent) and WHATSAPP's phone (CONTACT consent); with purpose ads the phone is CONSENT_REQUIRED; " +
					"among her accounts, WHATSAPP's crossPosts cross (ACTIVITY consent) and so do INSTAGRAM's devices (DEVICE consent), while WHATSAPP's devices and INSTAGRAM's crossPosts are CONSENT_REQUIRED",
					[]*profile.Device{device("fb-web-1", profile.PlatformWeb, "Firefox", "2026.11", profile.ConnectionWiFi, ago(1))}},
				{aliceIG, "FACEBOOK's email and WHATSAPP's phone are CONSENT_REQUIRED here; crossPostTargets(from: INSTAGRAM) is [FACEBOOK]; createLoginHandoff(targetApp: INSTAGRAM) works from any of her apps",
					[]*profile.Device{device("ig-iphone-1", profile.PlatformIOS, "iPhone 15", "312.0", profile.ConnectionCellular, ago(2))}},
				{aliceWA, "nothing is consented towards WHATSAPP: only WHATSAPP's own values show, its own devices and cross-posts included; the WHATSAPP backend may crossPost(alice-wa to FACEBOOK)",
					[]*profile.Device{
						device("wa-android-1", profile.PlatformAndroid, "Pixel 8", "2.24.25", profile.ConnectionWiFi, ago(3)),
						device("wa-desktop-1", profile.PlatformDesktop, "Windows 11", "2.24.25", profile.ConnectionEthernet, ago(4)),
					}},
			},
			consents: []profile.ConsentKey{
				key(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeService),
				key(profile.AppWhatsApp, profile.AppFacebook, profile.CategoryContact, profile.PurposeService),
				key(profile.AppInstagram, profile.AppFacebook, profile.CategoryProfile, profile.PurposeAds),
				key(profile.AppWhatsApp, profile.AppFacebook, profile.CategoryActivity, profile.PurposeService),
				key(profile.AppInstagram, profile.AppFacebook, profile.CategoryDevice, profile.PurposeService),
			},
			settings: &profile.Settings{
				PersonID: personID("Alice"), SyncProfile: true,
				CrossPosting: []profile.CrossPostRule{{From: profile.AppInstagram, To: profile.AppFacebook}, {From: profile.AppWhatsApp, To: profile.AppFacebook}},
				SingleSignOn: []profile.App{profile.AppInstagram},
				Version:      1, UpdatedAt: ago(25),
			},
			crossPosts: []demoCrossPost{
				{profile.AppInstagram, profile.AppFacebook, "ig-post-1001", profile.PlatformIOS, ago(3)},
				{profile.AppWhatsApp, profile.AppFacebook, "wa-status-2002", profile.PlatformAndroid, ago(2)},
			},
		},
		{
			name: "Bob", linked: true, since: 14 * day,
			accounts: []demoAccount{
				{account: bobFB, note: "no consents: nothing crosses between his apps (INSTAGRAM's bio is CONSENT_REQUIRED here); ageRange AGE_16_17 and ageDiscrepancy true; " +
					"as a minor he cannot grant ADS consents: grantConsent(purpose: ADS) is FORBIDDEN with reason MINOR"},
				{account: bobIG, note: "his INSTAGRAM birthdate makes him 16: the youngest birthdate wins"},
				{account: bobTH, note: "FACEBOOK's email is CONSENT_REQUIRED here; as an outsider, query Alice's person: only THREADS-visible PROFILE values show"},
			},
			adsNotes: map[profile.App]string{
				profile.AppFacebook: "an ads request for a 16-year-old: viewer { profile { bio } } is FORBIDDEN with reason MINOR, never CONSENT_REQUIRED, " +
					"since no consent can let a minor's INSTAGRAM or THREADS data reach FACEBOOK's ads; FACEBOOK's own values and ageRange still show",
			},
		},
		{
			name: "Carol", linked: true, since: 7 * day,
			accounts: []demoAccount{
				{account: carolMS, note: "INSTAGRAM's bio is CONSENT_REQUIRED here: nothing is consented towards MESSENGER"},
				{account: carolIG, note: "MESSENGER's phone crosses (CONTACT consent) but its avatar is CONSENT_REQUIRED (no PROFILE consent)"},
			},
			consents: []profile.ConsentKey{
				key(profile.AppMessenger, profile.AppInstagram, profile.CategoryContact, profile.PurposeService),
			},
		},
		{
			name: "Dave", linked: false, since: 3 * day,
			accounts: []demoAccount{
				{account: daveTH, note: "an account linked to no one: viewer is null; link another account with linkAccount(proof)"},
			},
		},
	}
}
