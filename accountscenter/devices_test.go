package accountscenter_test

import (
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/accountscenter"
	"github.com/profilegraph/profilegraph/profile"
)

func devicesOf(t *testing.T, e *env, accountID string) []*profile.Device {
	t.Helper()
	m, err := e.store.DevicesByAccount(ctx(t), []string{accountID})
	if err != nil {
		t.Fatalf("read devices: %v", err)
	}
	return m[accountID]
}

func upsertDevices(e *env, t *testing.T, app profile.App, uid string, ds []*profile.Device) (*profile.Account, error) {
	return e.svc.UpsertAppAccount(ctx(t), service(app), accountscenter.UpsertAccountInput{AppUserID: uid, Username: "u_" + strings.ReplaceAll(strings.ToLower(uid), "-", "_"), Devices: &ds})
}

func deviceIDs(ds []*profile.Device) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.ID)
	}
	return out
}

func TestUpsertAppAccountReplacesDevices(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		conn := profile.ConnectionCellular
		phone := &profile.Device{ID: "phone", Platform: profile.PlatformAndroid, Model: ptr("Pixel 8"), AppVersion: ptr("2.24"),
			Connection: &conn, LastActiveAt: t0.Add(-time.Hour)}
		web := &profile.Device{ID: "web", Platform: profile.PlatformWeb, LastActiveAt: t0}
		acc, err := upsertDevices(e, t, wa, "wa-1", []*profile.Device{web, phone})
		if err != nil {
			t.Fatalf("create with devices: %v", err)
		}
		got := devicesOf(t, e, acc.ID)
		if strings.Join(deviceIDs(got), ",") != "phone,web" || *got[0].Model != "Pixel 8" || *got[0].Connection != conn ||
			!got[0].LastActiveAt.Equal(phone.LastActiveAt) || got[1].Model != nil || got[1].Connection != nil {
			t.Fatalf("stored devices = %+v %+v", got[0], got[1])
		}

		t.Run("omitted devices keep the list", func(t *testing.T) {
			if _, err := e.svc.UpsertAppAccount(ctx(t), service(wa), accountscenter.UpsertAccountInput{AppUserID: "wa-1", Username: "u_wa_1", DisplayName: ptr("New")}); err != nil {
				t.Fatal(err)
			}
			if got := deviceIDs(devicesOf(t, e, acc.ID)); len(got) != 2 {
				t.Fatalf("devices = %v, want kept", got)
			}
		})
		t.Run("a new list replaces the old one", func(t *testing.T) {
			if _, err := upsertDevices(e, t, wa, "wa-1", []*profile.Device{{ID: "tablet", Platform: profile.PlatformIOS, LastActiveAt: t0}}); err != nil {
				t.Fatal(err)
			}
			if got := deviceIDs(devicesOf(t, e, acc.ID)); strings.Join(got, ",") != "tablet" {
				t.Fatalf("devices = %v, want [tablet]", got)
			}
		})
		t.Run("an empty list removes every device", func(t *testing.T) {
			if _, err := upsertDevices(e, t, wa, "wa-1", []*profile.Device{}); err != nil {
				t.Fatal(err)
			}
			if got := devicesOf(t, e, acc.ID); len(got) != 0 {
				t.Fatalf("devices = %v, want none", deviceIDs(got))
			}
		})
		t.Run("devices do not move the profile's UpdatedAt", func(t *testing.T) {
			before := e.account(t, user(wa, "wa-1")).UpdatedAt
			e.clock.Advance(time.Minute)
			if _, err := upsertDevices(e, t, wa, "wa-1", []*profile.Device{web}); err != nil {
				t.Fatal(err)
			}
			if after := e.account(t, user(wa, "wa-1")).UpdatedAt; !after.Equal(before) {
				t.Fatalf("UpdatedAt moved from %v to %v", before, after)
			}
		})
	})
}

func TestUpsertDevicesOfALinkedAccountLogsOneEventPerChange(t *testing.T) {
	forEachStore(t, func(t *testing.T, e *env) {
		pid := e.mustPerson(t, user(wa, "wa-1"), user(fb, "fb-1"))
		ds := []*profile.Device{{ID: "phone", Platform: profile.PlatformIOS, LastActiveAt: t0}}
		before := e.activity(t, pid)
		if _, err := upsertDevices(e, t, wa, "wa-1", ds); err != nil {
			t.Fatal(err)
		}
		if got := eventTypes(newEvents(before, e.activity(t, pid))); len(got) != 1 || got[0] != profile.ActivityProfileUpdated {
			t.Fatalf("new events = %v, want one PROFILE_UPDATED", got)
		}
		before = e.activity(t, pid)
		if _, err := upsertDevices(e, t, wa, "wa-1", ds); err != nil {
			t.Fatal(err)
		}
		if got := newEvents(before, e.activity(t, pid)); len(got) != 0 {
			t.Fatalf("an unchanged list logged %v", eventTypes(got))
		}
	})
}

func TestUpsertAppAccountRefusesBadDeviceListsAndWritesNothing(t *testing.T) {
	long := strings.Repeat("x", 65)
	ok := func(id string) *profile.Device {
		return &profile.Device{ID: id, Platform: profile.PlatformIOS, LastActiveAt: t0}
	}
	eleven := make([]*profile.Device, 11)
	for i := range eleven {
		eleven[i] = ok(string(rune('a' + i)))
	}
	bad := profile.ConnectionType("SATELLITE")
	for _, tc := range []struct {
		name string
		ds   []*profile.Device
	}{
		{"more than 10 devices", eleven},
		{"an empty id", []*profile.Device{ok("")}},
		{"an id over 64 characters", []*profile.Device{ok(long)}},
		{"a duplicate id", []*profile.Device{ok("a"), ok("b"), ok("a")}},
		{"a model over 64 characters", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, Model: &long, LastActiveAt: t0}}},
		{"an appVersion over 64 characters", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, AppVersion: &long, LastActiveAt: t0}}},
		{"lastActiveAt in the future", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, LastActiveAt: t0.Add(time.Second)}}},
		{"an unknown platform", []*profile.Device{{ID: "a", Platform: "PALM", LastActiveAt: t0}}},
		{"an unknown connection", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, Connection: &bad, LastActiveAt: t0}}},
		{"a control character in the model", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, Model: ptr("a\x00b"), LastActiveAt: t0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachStore(t, func(t *testing.T, e *env) {
				e.mustPerson(t, user(wa, "wa-1"), user(fb, "fb-1"))
				if _, err := upsertDevices(e, t, wa, "wa-1", []*profile.Device{ok("kept")}); err != nil {
					t.Fatal(err)
				}
				before := e.snapshot(t)
				_, err := e.svc.UpsertAppAccount(ctx(t), service(wa), accountscenter.UpsertAccountInput{
					AppUserID: "wa-1", Username: "renamed", DisplayName: ptr("Renamed"), Devices: &tc.ds,
				})
				wantCode(t, err, profile.BadUserInput)
				e.assertUnchanged(t, before)
				// A new account with a bad list is not created either.
				_, err = upsertDevices(e, t, wa, "wa-new", tc.ds)
				wantCode(t, err, profile.BadUserInput)
				if e.account(t, user(wa, "wa-new")) != nil {
					t.Fatal("an account was created with a bad device list")
				}
			})
		})
	}
}
