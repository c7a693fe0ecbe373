package cache

import "math/bits"

// A value's cost is the bytes the cache keeps for it: its encoding (codec.go), which is
// one pointer-free allocation whose capacity is its size class, plus entryOverhead, the
// bookkeeping ristretto keeps per entry beyond the item struct it counts itself
// (IgnoreInternalCost is false): the slots of its store's and its policy's hash maps,
// which grow by doubling. Measured with ristretto v2.4.2 (live heap after a GC, values
// of 288 bytes): 182 bytes an entry beyond the value at 100k entries, 246 at 250k, of
// which ristretto counts 64; entryOverhead takes the high end, so that MaxCost bounds
// the live heap the entries hold (BenchmarkCacheMemoryBound shows it).
const entryOverhead = 184

// valueCost is the cost of holding the encoded value v.
func valueCost(v []byte) int64 {
	if len(v) == 1 && v[0] == kindAbsent {
		return entryOverhead // absentValue is shared by every absent entry
	}
	return entryOverhead + int64(cap(v))
}

// Sizing of the admission policy: ristretto wants about ten frequency counters per
// entry the cache can hold, each about 4 bytes (a 4-bit count-min sketch of four rows,
// a bloom filter and their bookkeeping: 8 MiB for 2^21 counters, measured), and rounds
// their number up to a power of two. That memory is taken from the byte budget, so that
// MaxCost bounds counters and entries together.
const (
	typicalEntryCost = 450 // an encoded account (~330 bytes) and its key entry (~48), with overheads, halved
	countersPerEntry = 10
	bytesPerCounter  = 4
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
