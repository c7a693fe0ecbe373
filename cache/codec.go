package cache

import (
	"encoding/binary"
	"sync"
	"time"
	"unsafe"

	"github.com/profilegraph/profilegraph/profile"
)

// The cache holds every value as one compact byte slice, encoded here: its cost is its
// exact size on the heap (a []byte is one allocation of a size class, and holds no
// pointers, so the GC never scans it), which is what makes CACHE_MAX_COST a bound on the
// memory the cache keeps, not an estimate of it. A read decodes a fresh value: callers
// own what they get. Strings of a decoded value point into the immutable encoded bytes
// (no copy); the bytes are never written after they are made, so this is safe, and they
// stay alive as long as a decoded value refers to them.
//
// Layout: a kind byte, then the fields in a fixed order; integers are varints, strings a
// length and their bytes, optional values a presence byte, times the seconds and
// nanoseconds of the Unix time and how the location is kept (see encoder.time).

// The kinds of cached values; the first byte of every encoded value.
const (
	kindAbsent   byte = 1 + iota // the store has no such row
	kindRef                      // a string: an account's id, or a person's id ("" none)
	kindPerson                   // profile.Person
	kindAccount                  // profile.Account
	kindSettings                 // profile.Settings
	kindPrivacy                  // profile.PrivacyState
	kindDevices                  // []*profile.Device
)

// absentValue is the cached answer "the store has no such row", shared by every entry.
var absentValue = []byte{kindAbsent}

// encoder appends a value's encoding to a scratch buffer from scratchBufs; done copies
// it out and gives the buffer back.
type encoder struct {
	b  []byte
	bp *[]byte // the pooled buffer b came from
}

// scratchBufs holds encoders' scratch buffers, so that an encoding costs one allocation
// (its own) however it grew.
var scratchBufs = sync.Pool{New: func() any { return new([]byte) }}

// maxScratch is the largest buffer given back to scratchBufs.
const maxScratch = 64 << 10

func newEncoder(kind byte) encoder {
	bp := scratchBufs.Get().(*[]byte)
	return encoder{b: append((*bp)[:0], kind), bp: bp}
}

func (e *encoder) byte(v byte)   { e.b = append(e.b, v) }
func (e *encoder) int(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) uint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) str(s string)  { e.uint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) bool(v bool)   { e.byte(boolByte(v)) }
func (e *encoder) date(d profile.Date) {
	e.int(int64(d.Year))
	e.int(int64(d.Month))
	e.int(int64(d.Day))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// Locations of encoded times: the stores hand out UTC times (the memory store) or times
// in time.Local (pgx); any other location keeps its offset as a fixed zone.
const (
	locZero  = 0
	locUTC   = 1
	locLocal = 2
	locFixed = 3
)

func (e *encoder) time(t time.Time) {
	switch {
	case t.IsZero():
		e.byte(locZero)
		return
	case t.Location() == time.UTC:
		e.byte(locUTC)
	case t.Location() == time.Local:
		e.byte(locLocal)
	default:
		name, off := t.Zone()
		e.byte(locFixed)
		e.int(int64(off))
		e.str(name)
	}
	e.int(t.Unix())
	e.int(int64(t.Nanosecond()))
}

func (e *encoder) optStr(s *string) {
	e.bool(s != nil)
	if s != nil {
		e.str(*s)
	}
}

// done returns the encoded value in a slice of its own, sized by the allocator's size
// class, so that cap is the heap it takes, and gives the scratch buffer back; e is not
// used again.
func (e *encoder) done() []byte {
	out := append([]byte(nil), e.b...)
	if cap(e.b) <= maxScratch {
		*e.bp = e.b[:0]
		scratchBufs.Put(e.bp)
	}
	e.b, e.bp = nil, nil
	return out
}

// decoder reads an encoded value; a malformed value (which only a bug can make) sets
// bad, and the caller treats the entry as a miss.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.bad = true
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) int() int64   { return varint(d, binary.Varint) }
func (d *decoder) uint() uint64 { return varint(d, binary.Uvarint) }

// varint reads the next varint with read (binary.Varint or binary.Uvarint).
func varint[T int64 | uint64](d *decoder, read func([]byte) (T, int)) T {
	v, n := read(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

// str returns the next string, pointing into the encoded bytes.
func (d *decoder) str() string {
	n := d.uint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	if n == 0 {
		return ""
	}
	s := unsafe.String(&d.b[0], int(n))
	d.b = d.b[n:]
	return s
}

func (d *decoder) bool() bool { return d.byte() == 1 }

func (d *decoder) date() profile.Date {
	return profile.Date{Year: int(d.int()), Month: time.Month(d.int()), Day: int(d.int())}
}

func (d *decoder) time() time.Time {
	var loc *time.Location
	switch d.byte() {
	case locZero:
		return time.Time{}
	case locUTC:
		loc = time.UTC
	case locLocal:
		loc = time.Local
	case locFixed:
		off := d.int()
		loc = time.FixedZone(d.str(), int(off))
	default:
		d.bad = true
		return time.Time{}
	}
	sec := d.int()
	nsec := d.int()
	return time.Unix(sec, nsec).In(loc)
}

// optStr decodes an optional string into *dst, using slot as its storage.
func (d *decoder) optStr(slot *string) *string {
	if !d.bool() {
		return nil
	}
	*slot = d.str()
	return slot
}

// kind checks and strips the kind byte: absent reports a cached "no such row"; ok is
// false when v is of another kind.
func (d *decoder) kind(want byte) (absent, ok bool) {
	switch d.byte() {
	case kindAbsent:
		return true, true
	case want:
		return false, true
	}
	return false, false
}

func encodeRef(id string) []byte {
	e := newEncoder(kindRef)
	e.str(id)
	return e.done()
}

func decodeRef(v []byte) (id string, absent, ok bool) {
	d := decoder{b: v}
	if absent, ok = d.kind(kindRef); absent || !ok {
		return "", absent, ok
	}
	id = d.str()
	return id, false, !d.bad
}

func encodePerson(p *profile.Person) []byte {
	e := newEncoder(kindPerson)
	e.str(p.ID)
	e.time(p.CreatedAt)
	return e.done()
}

func decodePerson(v []byte) (*profile.Person, bool, bool) {
	d := decoder{b: v}
	if absent, ok := d.kind(kindPerson); absent || !ok {
		return nil, absent, ok
	}
	p := &profile.Person{ID: d.str(), CreatedAt: d.time()}
	return p, false, !d.bad
}

func encodeAccount(a *profile.Account) []byte {
	e := newEncoder(kindAccount)
	e.str(a.ID)
	e.str(string(a.App))
	e.str(a.AppUserID)
	e.str(a.PersonID)
	e.bool(a.LinkedAt != nil)
	if a.LinkedAt != nil {
		e.time(*a.LinkedAt)
	}
	e.str(a.Username)
	e.optStr(a.DisplayName)
	e.optStr(a.Bio)
	e.bool(a.Avatar != nil)
	if av := a.Avatar; av != nil {
		e.str(av.URL)
		e.bool(av.Width != nil)
		if av.Width != nil {
			e.int(int64(*av.Width))
		}
		e.bool(av.Height != nil)
		if av.Height != nil {
			e.int(int64(*av.Height))
		}
		e.time(av.UpdatedAt)
	}
	e.optStr(a.PhoneNumber)
	e.optStr(a.Email)
	e.bool(a.Birthdate != nil)
	if a.Birthdate != nil {
		e.date(*a.Birthdate)
	}
	e.time(a.CreatedAt)
	e.time(a.UpdatedAt)
	return e.done()
}

// decodedAccount is an account with the storage its pointer fields point to, so that
// decoding one account is one allocation.
type decodedAccount struct {
	a                              profile.Account
	displayName, bio, phone, email string
	linkedAt                       time.Time
	birthdate                      profile.Date
	avatar                         profile.Avatar
	width, height                  int
}

func decodeAccount(v []byte) (*profile.Account, bool, bool) {
	d := decoder{b: v}
	if absent, ok := d.kind(kindAccount); absent || !ok {
		return nil, absent, ok
	}
	x := &decodedAccount{}
	a := &x.a
	a.ID = d.str()
	a.App = profile.App(d.str())
	a.AppUserID = d.str()
	a.PersonID = d.str()
	if d.bool() {
		x.linkedAt = d.time()
		a.LinkedAt = &x.linkedAt
	}
	a.Username = d.str()
	a.DisplayName = d.optStr(&x.displayName)
	a.Bio = d.optStr(&x.bio)
	if d.bool() {
		av := &x.avatar
		av.URL = d.str()
		if d.bool() {
			x.width = int(d.int())
			av.Width = &x.width
		}
		if d.bool() {
			x.height = int(d.int())
			av.Height = &x.height
		}
		av.UpdatedAt = d.time()
		a.Avatar = av
	}
	a.PhoneNumber = d.optStr(&x.phone)
	a.Email = d.optStr(&x.email)
	if d.bool() {
		x.birthdate = d.date()
		a.Birthdate = &x.birthdate
	}
	a.CreatedAt = d.time()
	a.UpdatedAt = d.time()
	return a, false, !d.bad
}

func encodeSettings(s *profile.Settings) []byte {
	e := newEncoder(kindSettings)
	e.str(s.PersonID)
	e.bool(s.SyncProfile)
	encodeList(&e, s.CrossPosting, func(r profile.CrossPostRule) { e.str(string(r.From)); e.str(string(r.To)) })
	encodeList(&e, s.SingleSignOn, func(a profile.App) { e.str(string(a)) })
	e.int(int64(s.Version))
	e.time(s.UpdatedAt)
	return e.done()
}

// encodeList writes a list's length (0 for nil, 1+n otherwise, so that nil and empty
// stay apart) and its elements.
func encodeList[T any](e *encoder, xs []T, each func(T)) {
	if xs == nil {
		e.uint(0)
		return
	}
	e.uint(uint64(len(xs)) + 1)
	for _, x := range xs {
		each(x)
	}
}

// listLen reads the length encodeList wrote; isNil for a nil list.
func (d *decoder) listLen() (n int, isNil bool) {
	v := d.uint()
	if v == 0 || d.bad {
		return 0, true
	}
	if v-1 > uint64(len(d.b)) { // every element takes a byte at least
		d.bad = true
		return 0, true
	}
	return int(v - 1), false
}

// decodeList reads what encodeList wrote.
func decodeList[T any](d *decoder, each func() T) []T {
	n, isNil := d.listLen()
	if isNil {
		return nil
	}
	xs := make([]T, n)
	for i := range xs {
		xs[i] = each()
	}
	return xs
}

func decodeSettings(v []byte) (*profile.Settings, bool, bool) {
	d := decoder{b: v}
	if absent, ok := d.kind(kindSettings); absent || !ok {
		return nil, absent, ok
	}
	s := &profile.Settings{PersonID: d.str(), SyncProfile: d.bool()}
	s.CrossPosting = decodeList(&d, func() profile.CrossPostRule {
		return profile.CrossPostRule{From: profile.App(d.str()), To: profile.App(d.str())}
	})
	s.SingleSignOn = decodeList(&d, func() profile.App { return profile.App(d.str()) })
	s.Version = int(d.int())
	s.UpdatedAt = d.time()
	return s, false, !d.bad
}

func encodePrivacy(p *profile.PrivacyState) []byte {
	e := newEncoder(kindPrivacy)
	encodeList(&e, p.Links, func(l profile.AccountLink) {
		e.str(l.AccountID)
		e.str(string(l.App))
		e.time(l.LinkedAt)
		e.date(l.Birthdate)
	})
	encodeList(&e, p.Consents, func(c *profile.Consent) {
		e.str(c.PersonID)
		e.str(string(c.SourceApp))
		e.str(string(c.TargetApp))
		e.str(string(c.Category))
		e.str(string(c.Purpose))
		e.time(c.GrantedAt)
	})
	return e.done()
}

func decodePrivacy(v []byte) (*profile.PrivacyState, bool, bool) {
	d := decoder{b: v}
	if absent, ok := d.kind(kindPrivacy); absent || !ok {
		return nil, absent, ok
	}
	p := &profile.PrivacyState{}
	p.Links = decodeList(&d, func() profile.AccountLink {
		return profile.AccountLink{AccountID: d.str(), App: profile.App(d.str()), LinkedAt: d.time(), Birthdate: d.date()}
	})
	if n, isNil := d.listLen(); !isNil {
		store := make([]profile.Consent, n) // one allocation for every consent of the state
		p.Consents = make([]*profile.Consent, n)
		for i := range store {
			store[i] = profile.Consent{
				PersonID: d.str(), SourceApp: profile.App(d.str()), TargetApp: profile.App(d.str()),
				Category: profile.Category(d.str()), Purpose: profile.Purpose(d.str()), GrantedAt: d.time(),
			}
			p.Consents[i] = &store[i]
		}
	}
	return p, false, !d.bad
}

func encodeDevices(ds []*profile.Device) []byte {
	e := newEncoder(kindDevices)
	encodeList(&e, ds, func(x *profile.Device) {
		e.str(x.ID)
		e.str(string(x.Platform))
		e.optStr(x.Model)
		e.optStr(x.AppVersion)
		e.bool(x.Connection != nil)
		if x.Connection != nil {
			e.str(string(*x.Connection))
		}
		e.time(x.LastActiveAt)
	})
	return e.done()
}

// decodedDevice is a device with the storage of its pointer fields.
type decodedDevice struct {
	d                 profile.Device
	model, appVersion string
	connection        profile.ConnectionType
}

func decodeDevices(v []byte) ([]*profile.Device, bool, bool) {
	d := decoder{b: v}
	if absent, ok := d.kind(kindDevices); absent || !ok {
		return nil, absent, ok
	}
	n, isNil := d.listLen()
	if isNil {
		return nil, false, !d.bad
	}
	store := make([]decodedDevice, n)
	ds := make([]*profile.Device, n)
	for i := range store {
		x := &store[i]
		x.d.ID = d.str()
		x.d.Platform = profile.DevicePlatform(d.str())
		x.d.Model = d.optStr(&x.model)
		x.d.AppVersion = d.optStr(&x.appVersion)
		if d.bool() {
			x.connection = profile.ConnectionType(d.str())
			x.d.Connection = &x.connection
		}
		x.d.LastActiveAt = d.time()
		ds[i] = &x.d
	}
	return ds, false, !d.bad
}
