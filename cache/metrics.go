package cache

import (
	"github.com/prometheus/client_golang/prometheus"
)

// ristrettoCounts are the counters taken from ristretto's Metrics.
type ristrettoCounts struct {
	hits, misses, rejected, dropped uint64
}

func (a ristrettoCounts) add(b ristrettoCounts) ristrettoCounts {
	return ristrettoCounts{a.hits + b.hits, a.misses + b.misses, a.rejected + b.rejected, a.dropped + b.dropped}
}

// countsLocked reads ristretto's counters; the caller holds mu (either lock).
func (s *Store) countsLocked() ristrettoCounts {
	if s.rc == nil || s.closed {
		return ristrettoCounts{}
	}
	// Peek's uncounted lookups are read first: each was counted by ristretto before it
	// was recorded as uncounted, so none is taken out of counts that lack it.
	uh, um := s.uncountedHits.Load(), s.uncountedMisses.Load()
	m := s.rc.Metrics
	hits, misses := m.Hits(), m.Misses()
	hits -= min(hits, uh)
	misses -= min(misses, um)
	return ristrettoCounts{hits, misses, m.SetsRejected(), m.SetsDropped()}
}

// Stats is a snapshot of the cache's counters since New.
type Stats struct {
	// Hits and Misses count cache lookups (one per key and kind; a lookup by account
	// key that hits reads two entries).
	Hits, Misses uint64
	// Evictions counts entries dropped to make room (not invalidations or clears).
	Evictions uint64
	// RejectedSets counts values the admission policy turned away; DroppedSets those
	// dropped because ristretto's write buffer was full.
	RejectedSets, DroppedSets uint64
	// InvalidationsReceived counts notifications the listener received.
	InvalidationsReceived uint64
	// ListenerReconnects counts successful reconnections of the listener after a loss.
	ListenerReconnects uint64
	// ListenerConnected reports whether the listener is connected and listening.
	ListenerConnected bool
	// Caching reports whether reads use the cache now (enabled, open, and online).
	Caching bool
	// CostUsed is the bytes held (cost.go); Capacity what the cache may hold (MaxCost
	// less the admission policy's counters).
	CostUsed, Capacity int64
	// MaxCost is the configured budget in bytes (0: disabled).
	MaxCost int64
	// Privacy is the privacy cache's counters (zero while it is off).
	Privacy PrivacyStats
}

// PrivacyStats are the privacy cache's counters (docs/privacy-cache.md).
type PrivacyStats struct {
	// Leased reports whether this replica may serve cached privacy state now.
	Leased bool
	// Served counts fresh reads answered wholly from the cache; Partial those answered
	// from it but for the entries it missed, which were read fresh; Refused those not
	// served from it for lack of a lease (or of the listener).
	Served, Partial, Refused uint64
	// Writes counts privacy writes that waited; AcksWaited the acknowledgements they
	// waited for and got; ExpiriesWaited the leases they waited out instead (replicas
	// that did not acknowledge in time, fenced); WaitErrors the writes that could not
	// read or fence the leases.
	Writes, AcksWaited, ExpiriesWaited, WaitErrors uint64
	// Renewals counts lease grants and renewals; Lapses the leases lost; AcksSent the
	// acknowledgements this replica sent.
	Renewals, Lapses, AcksSent uint64
}

// Stats returns the current counters.
func (s *Store) Stats() Stats {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c := s.base.add(s.countsLocked())
	st := Stats{
		Hits: c.hits, Misses: c.misses, RejectedSets: c.rejected, DroppedSets: c.dropped,
		Evictions:             s.evictions.Load(),
		InvalidationsReceived: s.invalidationsReceived.Load(),
		ListenerReconnects:    s.reconnects.Load(),
		ListenerConnected:     s.listenerUp.Load(),
		Caching:               s.rc != nil && !s.closed && s.online,
		MaxCost:               s.maxCost,
	}
	if pv := s.pv; pv != nil {
		st.Privacy = PrivacyStats{
			Leased: s.privacyServableLocked(),
			Served: pv.served.Load(), Partial: pv.partial.Load(), Refused: pv.servesRefused.Load(),
			Writes: pv.privacyWrites.Load(), AcksWaited: pv.acksWaited.Load(),
			ExpiriesWaited: pv.expiriesWaited.Load(), WaitErrors: pv.writeWaitErrors.Load(),
			Renewals: pv.leaseRenewals.Load(), Lapses: pv.leaseLapses.Load(), AcksSent: pv.acksSent.Load(),
		}
	}
	if s.rc != nil && !s.closed {
		st.Capacity = s.rc.MaxCost()
		st.CostUsed = st.Capacity - s.rc.RemainingCost()
	}
	return st
}

// Collector returns a Prometheus collector of the cache's series (allSeries below):
// profilegraph_cache_hits_total, _misses_total, _evictions_total,
// _rejected_sets_total, _dropped_sets_total, _invalidations_received_total,
// _listener_reconnects_total, and the gauges _listener_connected, _cost_bytes and
// _max_cost_bytes; and the privacy cache's profilegraph_privacy_cache_served_total,
// _partial_total, _refused_total, _lease_renewals_total, _lease_lapses_total,
// _acks_sent_total, the gauge _leased, and profilegraph_privacy_writes_total,
// _acks_waited_total, _lease_expiries_waited_total and _write_wait_errors_total.
func (s *Store) Collector() prometheus.Collector { return collector{s} }

// series is one exported series: its descriptor, its type, and its value in a Stats.
type series struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(*Stats) float64
}

// allSeries is every series the collector describes and collects, each written once.
var allSeries = []series{
	cacheCounter("hits_total", "Shared cache lookups that found a value.",
		func(st *Stats) uint64 { return st.Hits }),
	cacheCounter("misses_total", "Shared cache lookups that found nothing (then read from PostgreSQL).",
		func(st *Stats) uint64 { return st.Misses }),
	cacheCounter("evictions_total", "Entries evicted from the shared cache to stay within CACHE_MAX_COST.",
		func(st *Stats) uint64 { return st.Evictions }),
	cacheCounter("rejected_sets_total", "Values the shared cache's admission policy (TinyLFU) turned away.",
		func(st *Stats) uint64 { return st.RejectedSets }),
	cacheCounter("dropped_sets_total", "Values not stored because the shared cache's write buffer was full.",
		func(st *Stats) uint64 { return st.DroppedSets }),
	cacheCounter("invalidations_received_total", "Invalidation notifications received from PostgreSQL (LISTEN).",
		func(st *Stats) uint64 { return st.InvalidationsReceived }),
	cacheCounter("listener_reconnects_total", "Reconnections of the invalidation listener after it lost its connection.",
		func(st *Stats) uint64 { return st.ListenerReconnects }),
	cacheGauge("listener_connected", "1 while the invalidation listener is listening; the cache is bypassed otherwise.",
		func(st *Stats) float64 { return one(st.ListenerConnected) }),
	cacheGauge("cost_bytes", "Bytes held by the shared cache: the encoded values and the bookkeeping of each entry.",
		func(st *Stats) float64 { return float64(st.CostUsed) }),
	cacheGauge("max_cost_bytes", "CACHE_MAX_COST: the shared cache's budget in bytes (0: disabled).",
		func(st *Stats) float64 { return float64(st.MaxCost) }),

	privacyCounter("cache_served_total", "Fresh reads (viewer account, links, consents) served wholly from the privacy cache.",
		func(p *PrivacyStats) uint64 { return p.Served }),
	privacyCounter("cache_partial_total", "Fresh reads served from the privacy cache but for the entries it missed, read from PostgreSQL.",
		func(p *PrivacyStats) uint64 { return p.Partial }),
	privacyCounter("cache_refused_total", "Fresh reads not served from the privacy cache for lack of a lease or of the listener.",
		func(p *PrivacyStats) uint64 { return p.Refused }),
	privacyCounter("cache_lease_renewals_total", "Privacy cache lease grants and renewals.",
		func(p *PrivacyStats) uint64 { return p.Renewals }),
	privacyCounter("cache_lease_lapses_total", "Privacy cache leases lost (lapsed, fenced by a writer, or the listener went down).",
		func(p *PrivacyStats) uint64 { return p.Lapses }),
	privacyCounter("cache_acks_sent_total", "Acknowledgements of privacy writes sent after applying their invalidation.",
		func(p *PrivacyStats) uint64 { return p.AcksSent }),
	{prometheus.NewDesc("profilegraph_privacy_cache_leased", "1 while this replica may serve cached privacy state.", nil, nil),
		prometheus.GaugeValue, func(st *Stats) float64 { return one(st.Privacy.Leased) }},
	privacyCounter("writes_total", "Privacy writes (links, consents) that waited for the other replicas.",
		func(p *PrivacyStats) uint64 { return p.Writes }),
	privacyCounter("acks_waited_total", "Acknowledgements privacy writes waited for and received.",
		func(p *PrivacyStats) uint64 { return p.AcksWaited }),
	privacyCounter("lease_expiries_waited_total", "Leases privacy writes waited out: replicas that did not acknowledge in time (then fenced).",
		func(p *PrivacyStats) uint64 { return p.ExpiriesWaited }),
	privacyCounter("write_wait_errors_total", "Privacy writes that could not read or fence the replicas' leases after their commit.",
		func(p *PrivacyStats) uint64 { return p.WaitErrors }),
}

func cacheCounter(name, help string, v func(*Stats) uint64) series {
	return series{prometheus.NewDesc("profilegraph_cache_"+name, help, nil, nil), prometheus.CounterValue,
		func(st *Stats) float64 { return float64(v(st)) }}
}

func cacheGauge(name, help string, v func(*Stats) float64) series {
	return series{prometheus.NewDesc("profilegraph_cache_"+name, help, nil, nil), prometheus.GaugeValue, v}
}

func privacyCounter(name, help string, v func(*PrivacyStats) uint64) series {
	return series{prometheus.NewDesc("profilegraph_privacy_"+name, help, nil, nil), prometheus.CounterValue,
		func(st *Stats) float64 { return float64(v(&st.Privacy)) }}
}

// one is a boolean gauge's value.
func one(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

type collector struct{ s *Store }

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, m := range allSeries {
		ch <- m.desc
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	for _, m := range allSeries {
		ch <- prometheus.MustNewConstMetric(m.desc, m.kind, m.value(&st))
	}
}
