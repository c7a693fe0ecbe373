package cache

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/profilegraph/profilegraph/profile"
)

// codecCase is one kind of cached value: how to make a random one, and its codec.
type codecCase struct {
	name   string
	random func(r *rand.Rand) any
	encode func(any) []byte
	decode func([]byte) (any, bool, bool)
}

func codecCases() []codecCase {
	return []codecCase{
		{"person", func(r *rand.Rand) any { return &profile.Person{ID: randStr(r), CreatedAt: randTime(r)} },
			func(v any) []byte { return encodePerson(v.(*profile.Person)) },
			func(b []byte) (any, bool, bool) { return decodePerson(b) }},
		{"account", func(r *rand.Rand) any { return randAccount(r) },
			func(v any) []byte { return encodeAccount(v.(*profile.Account)) },
			func(b []byte) (any, bool, bool) { return decodeAccount(b) }},
		{"settings", func(r *rand.Rand) any { return randSettings(r) },
			func(v any) []byte { return encodeSettings(v.(*profile.Settings)) },
			func(b []byte) (any, bool, bool) { return decodeSettings(b) }},
		{"privacy", func(r *rand.Rand) any { return randPrivacy(r) },
			func(v any) []byte { return encodePrivacy(v.(*profile.PrivacyState)) },
			func(b []byte) (any, bool, bool) { return decodePrivacy(b) }},
		{"devices", func(r *rand.Rand) any { return randDevices(r) },
			func(v any) []byte { return encodeDevices(v.([]*profile.Device)) },
			func(b []byte) (any, bool, bool) { return decodeDevices(b) }},
		{"ref", func(r *rand.Rand) any { return randStr(r) },
			func(v any) []byte { return encodeRef(v.(string)) },
			func(b []byte) (any, bool, bool) { return decodeRef(b) }},
	}
}

// TestCodecRoundTrips encodes random values of every kind and decodes them: the result
// equals the value (every field, nil and empty lists apart, times with their location),
// an encoding's capacity is what the allocator gave it, a value decoded as another
// kind, the absent value, and every truncation of an encoding are told apart.
func TestCodecRoundTrips(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cases := codecCases()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := range 500 {
				v := c.random(r)
				b := c.encode(v)
				got, absent, ok := c.decode(b)
				if !ok || absent {
					t.Fatalf("%d: decode(encode(%+v)) ok=%v absent=%v", i, v, ok, absent)
				}
				if !reflect.DeepEqual(got, v) {
					t.Fatalf("%d: round trip\n got %s\nwant %s", i, dump(got), dump(v))
				}
				if cap(append([]byte(nil), b...)) != cap(b) {
					t.Fatalf("%d: an encoding of %d bytes has cap %d, not its size class", i, len(b), cap(b))
				}
				for n := range len(b) {
					if _, _, ok := c.decode(b[:n]); ok {
						t.Fatalf("%d: the %d-byte prefix of a %d-byte encoding decoded", i, n, len(b))
					}
				}
				for _, other := range cases {
					if other.name == c.name {
						continue
					}
					if _, _, ok := other.decode(b); ok {
						t.Fatalf("%d: a %s decoded as a %s", i, c.name, other.name)
					}
				}
				if _, absent, ok := c.decode(absentValue); !ok || !absent {
					t.Fatalf("absentValue decoded as %v, %v", absent, ok)
				}
			}
		})
	}
}

// TestCodecDecodedValuesAreTheCallers checks that a decoded value shares nothing
// writable with its encoding or with another decoding of it.
func TestCodecDecodedValuesAreTheCallers(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	a := randAccount(r)
	name := "Ada"
	a.DisplayName = &name
	b := encodeAccount(a)
	x, _, _ := decodeAccount(b)
	*x.DisplayName = "changed"
	x.Username = "changed"
	y, _, _ := decodeAccount(b)
	if *y.DisplayName != "Ada" || y.Username != a.Username {
		t.Fatalf("a change to one decoded account reached another: %q %q", *y.DisplayName, y.Username)
	}
	p := randPrivacy(r)
	for len(p.Consents) == 0 {
		p = randPrivacy(r)
	}
	pb := encodePrivacy(p)
	p1, _, _ := decodePrivacy(pb)
	p1.Consents[0].Category = "CHANGED"
	p2, _, _ := decodePrivacy(pb)
	if p2.Consents[0].Category == "CHANGED" {
		t.Fatal("a change to one decoded privacy state reached another")
	}
}

// FuzzCacheDecode feeds arbitrary bytes to every decoder: none may panic, and what one
// accepts encodes back to a value that decodes the same.
func FuzzCacheDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, c := range codecCases() {
		f.Add(c.encode(c.random(r)))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range codecCases() {
			v, absent, ok := c.decode(b)
			if !ok || absent {
				continue
			}
			again, _, ok := c.decode(c.encode(v))
			if !ok || !reflect.DeepEqual(again, v) {
				t.Fatalf("%s: %x decoded to %s, which re-encodes to %s", c.name, b, dump(v), dump(again))
			}
		}
	})
}

func dump(v any) string {
	switch x := v.(type) {
	case *profile.Account:
		return fmt.Sprintf("%+v avatar=%+v", *x, x.Avatar)
	case *profile.PrivacyState:
		s := fmt.Sprintf("%+v", *x)
		for _, c := range x.Consents {
			s += fmt.Sprintf(" %+v", *c)
		}
		return s
	case []*profile.Device:
		s := fmt.Sprintf("%d devices", len(x))
		for _, d := range x {
			s += fmt.Sprintf(" %+v", *d)
		}
		return s
	}
	return fmt.Sprintf("%+v", v)
}

func randStr(r *rand.Rand) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789-_. 📷é"
	rs := []rune(chars)
	n := r.IntN(40)
	out := make([]rune, n)
	for i := range out {
		out[i] = rs[r.IntN(len(rs))]
	}
	return string(out)
}

func randOptStr(r *rand.Rand) *string {
	if r.IntN(3) == 0 {
		return nil
	}
	s := randStr(r)
	return &s
}

func randTime(r *rand.Rand) time.Time {
	if r.IntN(5) == 0 {
		return time.Time{}
	}
	t := time.Unix(r.Int64N(4e9)-1e9, r.Int64N(1e9))
	switch r.IntN(3) {
	case 0:
		return t.UTC()
	case 1:
		return t.Local()
	}
	return t.In(time.FixedZone("X", 3600*(r.IntN(27)-12)))
}

func randDate(r *rand.Rand) profile.Date {
	if r.IntN(4) == 0 {
		return profile.Date{}
	}
	return profile.Date{Year: 1900 + r.IntN(200), Month: time.Month(1 + r.IntN(12)), Day: 1 + r.IntN(28)}
}

func randApp(r *rand.Rand) profile.App { return profile.Apps[r.IntN(len(profile.Apps))] }

func randAccount(r *rand.Rand) *profile.Account {
	a := &profile.Account{
		ID: randStr(r), App: randApp(r), AppUserID: randStr(r), Username: randStr(r),
		DisplayName: randOptStr(r), Bio: randOptStr(r), PhoneNumber: randOptStr(r), Email: randOptStr(r),
		CreatedAt: randTime(r), UpdatedAt: randTime(r),
	}
	if r.IntN(2) == 0 {
		a.PersonID = randStr(r)
		t := randTime(r)
		a.LinkedAt = &t
	}
	if r.IntN(2) == 0 {
		a.Avatar = &profile.Avatar{URL: randStr(r), UpdatedAt: randTime(r)}
		if r.IntN(2) == 0 {
			w, h := r.IntN(4000), r.IntN(4000)
			a.Avatar.Width, a.Avatar.Height = &w, &h
		}
	}
	if r.IntN(2) == 0 {
		d := randDate(r)
		a.Birthdate = &d
	}
	return a
}

func randSettings(r *rand.Rand) *profile.Settings {
	s := &profile.Settings{PersonID: randStr(r), SyncProfile: r.IntN(2) == 0, Version: r.IntN(1000), UpdatedAt: randTime(r)}
	if r.IntN(4) != 0 {
		s.CrossPosting = []profile.CrossPostRule{}
		for range r.IntN(4) {
			s.CrossPosting = append(s.CrossPosting, profile.CrossPostRule{From: randApp(r), To: randApp(r)})
		}
	}
	if r.IntN(4) != 0 {
		s.SingleSignOn = []profile.App{}
		for range r.IntN(4) {
			s.SingleSignOn = append(s.SingleSignOn, randApp(r))
		}
	}
	return s
}

func randPrivacy(r *rand.Rand) *profile.PrivacyState {
	p := &profile.PrivacyState{}
	if r.IntN(4) != 0 {
		p.Links = []profile.AccountLink{}
		for range r.IntN(5) {
			p.Links = append(p.Links, profile.AccountLink{AccountID: randStr(r), App: randApp(r), LinkedAt: randTime(r), Birthdate: randDate(r)})
		}
	}
	if r.IntN(4) != 0 {
		p.Consents = []*profile.Consent{}
		for range r.IntN(6) {
			p.Consents = append(p.Consents, &profile.Consent{
				PersonID: randStr(r), SourceApp: randApp(r), TargetApp: randApp(r),
				Category: profile.Categories[r.IntN(len(profile.Categories))], Purpose: []profile.Purpose{profile.PurposeService, profile.PurposeAds}[r.IntN(2)],
				GrantedAt: randTime(r),
			})
		}
	}
	return p
}

func randDevices(r *rand.Rand) []*profile.Device {
	if r.IntN(5) == 0 {
		return nil
	}
	ds := []*profile.Device{}
	for range r.IntN(5) {
		d := &profile.Device{ID: randStr(r), Platform: profile.DevicePlatforms[r.IntN(len(profile.DevicePlatforms))],
			Model: randOptStr(r), AppVersion: randOptStr(r), LastActiveAt: randTime(r)}
		if r.IntN(2) == 0 {
			c := profile.ConnectionTypes[r.IntN(len(profile.ConnectionTypes))]
			d.Connection = &c
		}
		ds = append(ds, d)
	}
	return ds
}
