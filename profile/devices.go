package profile

import (
	"slices"
	"time"
	"unicode"
	"unicode/utf8"
)

// DevicePlatform is the platform of a device an account uses.
type DevicePlatform string

// The device platforms of SPEC §3.
const (
	PlatformAndroid DevicePlatform = "ANDROID"
	PlatformIOS     DevicePlatform = "IOS"
	PlatformWeb     DevicePlatform = "WEB"
	PlatformDesktop DevicePlatform = "DESKTOP"
	PlatformOther   DevicePlatform = "OTHER"
)

// DevicePlatforms lists every platform in a fixed order.
var DevicePlatforms = []DevicePlatform{PlatformAndroid, PlatformIOS, PlatformWeb, PlatformDesktop, PlatformOther}

// Valid reports whether p is a known platform.
func (p DevicePlatform) Valid() bool { return slices.Contains(DevicePlatforms, p) }

// ConnectionType is how a device was last connected.
type ConnectionType string

// The connection types of SPEC §3.
const (
	ConnectionWiFi     ConnectionType = "WIFI"
	ConnectionCellular ConnectionType = "CELLULAR"
	ConnectionEthernet ConnectionType = "ETHERNET"
	ConnectionOther    ConnectionType = "OTHER"
)

// ConnectionTypes lists every connection type in a fixed order.
var ConnectionTypes = []ConnectionType{ConnectionWiFi, ConnectionCellular, ConnectionEthernet, ConnectionOther}

// Valid reports whether c is a known connection type.
func (c ConnectionType) Valid() bool { return slices.Contains(ConnectionTypes, c) }

// The gated list fields of AppAccount (SPEC §5 "List-valued gated fields"): one
// decision for the whole list, with the account's app as the source.
const (
	FieldDevices    Field = "devices"
	FieldCrossPosts Field = "crossPosts"
)

// Device is one device (and its connection) an app reports for one of its accounts
// (category DEVICE). ID is the app's own id of the device, unique within the account.
type Device struct {
	ID           string
	Platform     DevicePlatform
	Model        *string
	AppVersion   *string
	Connection   *ConnectionType
	LastActiveAt time.Time
}

// CloneDevices returns a deep copy of ds (nil for nil).
func CloneDevices(ds []*Device) []*Device {
	if ds == nil {
		return nil
	}
	out := make([]*Device, len(ds))
	for i, d := range ds {
		c := *d
		c.Model = clonePtr(d.Model)
		c.AppVersion = clonePtr(d.AppVersion)
		c.Connection = clonePtr(d.Connection)
		out[i] = &c
	}
	return out
}

// Device limits of SPEC §6.
const (
	MaxDevices        = 10 // per account
	MaxDeviceIDLen    = 64 // characters
	MaxDeviceFieldLen = 64 // characters of model and appVersion
)

// ValidateDevices checks a device list as an app reports it (SPEC §6): at most 10
// devices, ids of 1–64 characters unique in the list, a known platform and connection,
// model and appVersion of at most 64 characters, no control characters, and
// lastActiveAt not after now. It returns a BAD_USER_INPUT error naming the first bad
// device, or nil.
func ValidateDevices(ds []*Device, now time.Time) error {
	if len(ds) > MaxDevices {
		return Errorf(BadUserInput, "devices: at most %d devices, got %d", MaxDevices, len(ds))
	}
	seen := make(map[string]bool, len(ds))
	for i, d := range ds {
		if d == nil {
			return Errorf(BadUserInput, "devices[%d]: missing", i)
		}
		if err := checkDeviceText(d.ID, "id", MaxDeviceIDLen, false); err != nil {
			return Errorf(BadUserInput, "devices[%d].%s", i, err.Message)
		}
		if seen[d.ID] {
			return Errorf(BadUserInput, "devices[%d].id: %q appears twice in the list", i, d.ID)
		}
		seen[d.ID] = true
		if !d.Platform.Valid() {
			return Errorf(BadUserInput, "devices[%d].platform: unknown platform %q", i, d.Platform)
		}
		if d.Connection != nil && !d.Connection.Valid() {
			return Errorf(BadUserInput, "devices[%d].connection: unknown connection type %q", i, *d.Connection)
		}
		for _, f := range []struct {
			name string
			v    *string
		}{{"model", d.Model}, {"appVersion", d.AppVersion}} {
			if f.v == nil {
				continue
			}
			if err := checkDeviceText(*f.v, f.name, MaxDeviceFieldLen, true); err != nil {
				return Errorf(BadUserInput, "devices[%d].%s", i, err.Message)
			}
		}
		if d.LastActiveAt.IsZero() {
			return Errorf(BadUserInput, "devices[%d].lastActiveAt: required", i)
		}
		if d.LastActiveAt.After(now) {
			return Errorf(BadUserInput, "devices[%d].lastActiveAt: must not be in the future", i)
		}
	}
	return nil
}

// checkDeviceText checks one text field of a device; the returned error's message
// starts with the field's name.
func checkDeviceText(s, name string, maxLen int, emptyOK bool) *Error {
	switch {
	case !utf8.ValidString(s):
		return Errorf(BadUserInput, "%s: must be valid UTF-8", name)
	case s == "" && !emptyOK:
		return Errorf(BadUserInput, "%s: must not be empty", name)
	case utf8.RuneCountInString(s) > maxLen:
		return Errorf(BadUserInput, "%s: must be at most %d characters", name, maxLen)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return Errorf(BadUserInput, "%s: must not contain control characters", name)
		}
	}
	return nil
}

// ActivityCrossPosted is the activity event of a recorded cross-post.
const ActivityCrossPosted ActivityType = "CROSS_POSTED"

// MaxContentIDLen bounds CrossPost.ContentID, in characters (SPEC §6).
const MaxContentIDLen = 128

// CrossPost records that content posted by account AccountID in From was shared to the
// person's account TargetAccountID in To (category ACTIVITY of From). (AccountID, To,
// ContentID) is unique. Seq orders an account's cross-posts (larger is newer); the
// store assigns it.
type CrossPost struct {
	ID              string
	Seq             int64
	AccountID       string
	From            App
	To              App
	TargetAccountID string
	ContentID       string
	DevicePlatform  *DevicePlatform
	At              time.Time
}

// Clone returns a deep copy of c.
func (c *CrossPost) Clone() *CrossPost {
	if c == nil {
		return nil
	}
	n := *c
	n.DevicePlatform = clonePtr(c.DevicePlatform)
	return &n
}

// CrossPostPage asks for up to Limit cross-posts of account AccountID, newest first,
// with Seq below BeforeSeq (BeforeSeq <= 0: from the newest). It is comparable, so that
// pages can key a batch.
type CrossPostPage struct {
	AccountID string
	BeforeSeq int64
	Limit     int
}
