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

// Collector returns a Prometheus collector of the cache's series:
// profilegraph_cache_hits_total, _misses_total, _evictions_total,
// _rejected_sets_total, _dropped_sets_total, _invalidations_received_total,
// _listener_reconnects_total, and the gauges _listener_connected, _cost_bytes and
// _max_cost_bytes; and the privacy cache's profilegraph_privacy_cache_served_total,
// _refused_total, _lease_renewals_total, _lease_lapses_total, _acks_sent_total, the
// gauge _leased, and profilegraph_privacy_writes_total, _acks_waited_total,
// _lease_expiries_waited_total and _write_wait_errors_total.
func (s *Store) Collector() prometheus.Collector { return collector{s} }

var (
	descHits          = cacheDesc("hits_total", "Shared cache lookups that found a value.")
	descMisses        = cacheDesc("misses_total", "Shared cache lookups that found nothing (then read from PostgreSQL).")
	descEvictions     = cacheDesc("evictions_total", "Entries evicted from the shared cache to stay within CACHE_MAX_COST.")
	descRejected      = cacheDesc("rejected_sets_total", "Values the shared cache's admission policy (TinyLFU) turned away.")
	descDropped       = cacheDesc("dropped_sets_total", "Values not stored because the shared cache's write buffer was full.")
	descInvalidations = cacheDesc("invalidations_received_total", "Invalidation notifications received from PostgreSQL (LISTEN).")
	descReconnects    = cacheDesc("listener_reconnects_total", "Reconnections of the invalidation listener after it lost its connection.")
	descConnected     = cacheDesc("listener_connected", "1 while the invalidation listener is listening; the cache is bypassed otherwise.")
	descCost          = cacheDesc("cost_bytes", "Bytes held by the shared cache: the encoded values and the bookkeeping of each entry.")
	descMaxCost       = cacheDesc("max_cost_bytes", "CACHE_MAX_COST: the shared cache's budget in bytes (0: disabled).")
)

var (
	descPvServed   = privacyDesc("cache_served_total", "Fresh reads (viewer account, links, consents) served wholly from the privacy cache.")
	descPvPartial  = privacyDesc("cache_partial_total", "Fresh reads served from the privacy cache but for the entries it missed, read from PostgreSQL.")
	descPvRefused  = privacyDesc("cache_refused_total", "Fresh reads not served from the privacy cache for lack of a lease or of the listener.")
	descPvRenewals = privacyDesc("cache_lease_renewals_total", "Privacy cache lease grants and renewals.")
	descPvLapses   = privacyDesc("cache_lease_lapses_total", "Privacy cache leases lost (lapsed, fenced by a writer, or the listener went down).")
	descPvAcksSent = privacyDesc("cache_acks_sent_total", "Acknowledgements of privacy writes sent after applying their invalidation.")
	descPvLeased   = privacyDesc("cache_leased", "1 while this replica may serve cached privacy state.")
	descPvWrites   = privacyDesc("writes_total", "Privacy writes (links, consents) that waited for the other replicas.")
	descPvAcks     = privacyDesc("acks_waited_total", "Acknowledgements privacy writes waited for and received.")
	descPvExpiries = privacyDesc("lease_expiries_waited_total", "Leases privacy writes waited out: replicas that did not acknowledge in time (then fenced).")
	descPvErrors   = privacyDesc("write_wait_errors_total", "Privacy writes that could not read or fence the replicas' leases after their commit.")
)

func privacyDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("profilegraph_privacy_"+name, help, nil, nil)
}

func cacheDesc(name, help string) *prometheus.Desc {
	return prometheus.NewDesc("profilegraph_cache_"+name, help, nil, nil)
}

type collector struct{ s *Store }

func (collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descHits, descMisses, descEvictions, descRejected, descDropped,
		descInvalidations, descReconnects, descConnected, descCost, descMaxCost,
		descPvServed, descPvPartial, descPvRefused, descPvRenewals, descPvLapses, descPvAcksSent, descPvLeased,
		descPvWrites, descPvAcks, descPvExpiries, descPvErrors} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	counter := func(d *prometheus.Desc, v uint64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v))
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	counter(descHits, st.Hits)
	counter(descMisses, st.Misses)
	counter(descEvictions, st.Evictions)
	counter(descRejected, st.RejectedSets)
	counter(descDropped, st.DroppedSets)
	counter(descInvalidations, st.InvalidationsReceived)
	counter(descReconnects, st.ListenerReconnects)
	connected := 0.0
	if st.ListenerConnected {
		connected = 1
	}
	gauge(descConnected, connected)
	gauge(descCost, float64(st.CostUsed))
	gauge(descMaxCost, float64(st.MaxCost))
	p := st.Privacy
	counter(descPvServed, p.Served)
	counter(descPvPartial, p.Partial)
	counter(descPvRefused, p.Refused)
	counter(descPvRenewals, p.Renewals)
	counter(descPvLapses, p.Lapses)
	counter(descPvAcksSent, p.AcksSent)
	leased := 0.0
	if p.Leased {
		leased = 1
	}
	gauge(descPvLeased, leased)
	counter(descPvWrites, p.Writes)
	counter(descPvAcks, p.AcksWaited)
	counter(descPvExpiries, p.ExpiriesWaited)
	counter(descPvErrors, p.WaitErrors)
}
