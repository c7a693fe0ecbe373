package benchload

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{50, 50 * time.Millisecond}, {99, 99 * time.Millisecond}, {100, 100 * time.Millisecond}, {0.5, time.Millisecond}} {
		if got := percentile(d, c.p); got != c.want {
			t.Errorf("percentile(1..100 ms, %v) = %v, want %v", c.p, got, c.want)
		}
	}
	if got := percentile([]time.Duration{7}, 99); got != 7 {
		t.Errorf("percentile of one = %v, want 7", got)
	}
	if got := percentile(nil, 50); got != 0 {
		t.Errorf("percentile of none = %v, want 0", got)
	}
	if got := sortedCopy([]time.Duration{3, 1, 2}); got[0] != 1 || got[2] != 3 {
		t.Errorf("sortedCopy = %v", got)
	}
}

func TestParseProcStat(t *testing.T) {
	// A command name with a space and a parenthesis; utime 1500, stime 250.
	stat := "4242 (bench (x) y) S 1 4242 4242 0 -1 4194560 900 0 0 0 1500 250 0 0 20 0 12 0 100 0 0\n"
	got, err := parseProcStat([]byte(stat))
	if err != nil || got != 1750 {
		t.Fatalf("parseProcStat = %d, %v; want 1750", got, err)
	}
	if _, err := parseProcStat([]byte("4242 (short) S 1 2")); err == nil {
		t.Error("parseProcStat accepted a truncated line")
	}
	if _, err := parseProcStat([]byte("no name")); err == nil {
		t.Error("parseProcStat accepted a line without a command name")
	}
}

func TestAuxvValue(t *testing.T) {
	le := func(v uint64) []byte {
		b := make([]byte, 8)
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		return b
	}
	var auxv []byte
	for _, kv := range [][2]uint64{{6, 4096}, {17, 250}, {0, 0}, {17, 999}} {
		auxv = append(append(auxv, le(kv[0])...), le(kv[1])...)
	}
	if got := auxvValue(auxv, 17); got != 250 {
		t.Errorf("auxvValue(AT_CLKTCK) = %d, want 250", got)
	}
	if got := auxvValue(auxv, 33); got != 0 {
		t.Errorf("auxvValue(absent) = %d, want 0", got)
	}
}

func TestParseMetric(t *testing.T) {
	text := `# HELP go_memstats_mallocs_total Total number of mallocs.
# TYPE go_memstats_mallocs_total counter
go_memstats_mallocs_total 1.5e+06
go_memstats_mallocs_total_extra 7
profilegraph_db_queries_total{kind="a } \" b"} 3
profilegraph_db_queries_total{kind="c"} 4.5
profilegraph_db_queries_totalx 100
`
	sum, found, err := parseMetric(strings.NewReader(text), "go_memstats_mallocs_total")
	if err != nil || !found || sum != 1.5e6 {
		t.Errorf("mallocs = %v, %v, %v; want 1.5e6", sum, found, err)
	}
	sum, found, err = parseMetric(strings.NewReader(text), "profilegraph_db_queries_total")
	if err != nil || !found || sum != 7.5 {
		t.Errorf("db queries = %v, %v, %v; want 7.5 summed over labels", sum, found, err)
	}
	if _, found, err := parseMetric(strings.NewReader(text), "absent_total"); err != nil || found {
		t.Errorf("absent metric: found %v, err %v", found, err)
	}
	if _, _, err := parseMetric(strings.NewReader(`x_total{a="b" 1`), "x_total"); err == nil {
		t.Error("parseMetric accepted unterminated labels")
	}
}
