package cache

import (
	"math/bits"
	"time"
	"unsafe"

	"github.com/profilegraph/profilegraph/profile"
)

// Costs are estimated bytes of heap: the value's struct, what its pointers and strings
// point to, and entryOverhead for the cache's bookkeeping beyond the item itself (the
// hash map slot of the key in ristretto's store and in its eviction policy). ristretto
// adds the size of its item struct on top (IgnoreInternalCost is false), so that
// MaxCost bounds the memory the cache holds, not a count of entries.
const (
	entryOverhead = 64
	stringHeader  = int64(unsafe.Sizeof(""))
	absentCost    = entryOverhead
)

// strCost is the heap a string takes (its bytes, rounded up to the allocator's 8-byte
// granularity); strPtrCost adds the pointer target's header.
func strCost(s string) int64 { return (int64(len(s)) + 7) &^ 7 }

func strPtrCost(s *string) int64 {
	if s == nil {
		return 0
	}
	return stringHeader + strCost(*s)
}

func personCost(p *profile.Person) int64 {
	return entryOverhead + int64(unsafe.Sizeof(*p)) + strCost(p.ID)
}

func refCost(id string) int64 { return entryOverhead + stringHeader + strCost(id) }

func accountCost(a *profile.Account) int64 {
	n := entryOverhead + int64(unsafe.Sizeof(*a)) +
		strCost(a.ID) + strCost(string(a.App)) + strCost(a.AppUserID) + strCost(a.PersonID) + strCost(a.Username) +
		strPtrCost(a.DisplayName) + strPtrCost(a.Bio) + strPtrCost(a.PhoneNumber) + strPtrCost(a.Email)
	if a.LinkedAt != nil {
		n += int64(unsafe.Sizeof(time.Time{}))
	}
	if a.Birthdate != nil {
		n += int64(unsafe.Sizeof(profile.Date{}))
	}
	if av := a.Avatar; av != nil {
		n += int64(unsafe.Sizeof(*av)) + strCost(av.URL)
		if av.Width != nil {
			n += 8
		}
		if av.Height != nil {
			n += 8
		}
	}
	return n
}

func settingsCost(s *profile.Settings) int64 {
	return entryOverhead + int64(unsafe.Sizeof(*s)) + strCost(s.PersonID) +
		int64(cap(s.CrossPosting))*int64(unsafe.Sizeof(profile.CrossPostRule{})) +
		int64(cap(s.SingleSignOn))*stringHeader
}

// heapOverhead is how much process memory one byte of estimated entry cost takes under
// eviction churn: Go maps and ristretto keep slack (live heap ≈ 1.4× the estimate), and
// the survivors of evictions are scattered over partly used heap pages (heap in use
// ≈ 3×), measured by BenchmarkCacheMemoryBound. CACHE_MAX_COST bounds what the cache
// costs the process, so ristretto is given a quarter of it as its cost budget (a third left
// RSS within 10 % of CACHE_MAX_COST + 64 MiB in that benchmark, too close to promise).
const heapOverhead = 4

// Sizing of the admission policy: ristretto wants about ten frequency counters per
// entry the cache can hold, each about 3 bytes (a 4-bit count-min sketch of four rows
// and a bloom filter), and rounds their number up to a power of two. That memory is
// taken from the byte budget, so that MaxCost bounds counters and entries together.
const (
	typicalEntryCost = 400 // an account with its strings and an avatar, with overheads
	countersPerEntry = 10
	bytesPerCounter  = 3
	minCounters      = 1 << 10
)

// sizing returns ristretto's NumCounters and MaxCost for a budget of maxCost bytes.
func sizing(maxCost int64) (numCounters, capacity int64) {
	entries := max(maxCost/(typicalEntryCost+countersPerEntry*bytesPerCounter), 1)
	numCounters = max(entries*countersPerEntry, minCounters)
	rounded := int64(1) << bits.Len64(uint64(numCounters-1)) // ristretto's rounding
	capacity = maxCost - rounded*bytesPerCounter
	// A tiny budget cannot pay for the counters; keep half of it for entries anyway.
	return numCounters, max(capacity, maxCost/2, 1)
}
