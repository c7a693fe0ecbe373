package profile_test

import (
	"strings"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

func TestValidateDevices(t *testing.T) {
	now := time.Date(2026, time.March, 1, 12, 0, 0, 0, time.UTC)
	dev := func(id string) *profile.Device {
		return &profile.Device{ID: id, Platform: profile.PlatformIOS, LastActiveAt: now}
	}
	list := func(n int) []*profile.Device {
		out := make([]*profile.Device, n)
		for i := range out {
			out[i] = dev(strings.Repeat("d", i+1))
		}
		return out
	}
	s64, s65 := strings.Repeat("é", 64), strings.Repeat("é", 65)
	wifi, bad := profile.ConnectionWiFi, profile.ConnectionType("CARRIER_PIGEON")
	for _, tc := range []struct {
		name string
		ds   []*profile.Device
		ok   bool
	}{
		{"no devices", nil, true},
		{"exactly 10 devices", list(10), true},
		{"11 devices", list(11), false},
		{"64-character id, model and appVersion", []*profile.Device{{ID: s64, Platform: profile.PlatformWeb, Model: &s64, AppVersion: &s64, Connection: &wifi, LastActiveAt: now}}, true},
		{"65-character id", []*profile.Device{dev(s65)}, false},
		{"65-character model", []*profile.Device{{ID: "a", Platform: profile.PlatformWeb, Model: &s65, LastActiveAt: now}}, false},
		{"65-character appVersion", []*profile.Device{{ID: "a", Platform: profile.PlatformWeb, AppVersion: &s65, LastActiveAt: now}}, false},
		{"empty id", []*profile.Device{dev("")}, false},
		{"duplicate id", []*profile.Device{dev("a"), dev("b"), dev("a")}, false},
		{"ids differing in case are distinct", []*profile.Device{dev("a"), dev("A")}, true},
		{"lastActiveAt now", []*profile.Device{dev("a")}, true},
		{"lastActiveAt in the future", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, LastActiveAt: now.Add(time.Nanosecond)}}, false},
		{"no lastActiveAt", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS}}, false},
		{"unknown platform", []*profile.Device{{ID: "a", Platform: "BLACKBERRY", LastActiveAt: now}}, false},
		{"unknown connection", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, Connection: &bad, LastActiveAt: now}}, false},
		{"control character in the id", []*profile.Device{dev("a\nb")}, false},
		{"invalid UTF-8 in the model", []*profile.Device{{ID: "a", Platform: profile.PlatformIOS, Model: ptrTo("\xff"), LastActiveAt: now}}, false},
		{"a nil device", []*profile.Device{nil}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := profile.ValidateDevices(tc.ds, now)
			if tc.ok && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if !tc.ok && profile.ErrorCode(err) != profile.BadUserInput {
				t.Fatalf("error = %v, want BAD_USER_INPUT", err)
			}
		})
	}
}

func ptrTo[T any](v T) *T { return &v }
