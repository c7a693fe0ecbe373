package benchload

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// printTable prints one workload's figures and its ratios; rows are profilegraph, the
// floor and the ceiling, in that order.
func printTable(out io.Writer, w workload, rows []row, sameAsCeiling int) {
	fmt.Fprintf(out, "%s  %s\n", w.name, w.title)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "target\treq/s\tp50 ms\tp99 ms\tCPU ms/req\tallocs/req\tSQL/req\trequests\tfailed\twith errors\t")
	for _, r := range rows {
		n := float64(max(r.res.requests, 1))
		lat := sortedCopy(r.res.latencies)
		sql := "-"
		if r.hasSQL {
			sql = fmt.Sprintf("%.2f", r.queries/n)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.3f\t%.0f\t%s\t%d\t%d\t%d\t\n",
			r.label, rate(r), ms(percentile(lat, 50)), ms(percentile(lat, 99)),
			ms(r.cpu)/n, r.mallocs/n, sql, r.res.requests, r.res.failed, r.res.withErrors)
	}
	tw.Flush()
	if len(rows) == 3 {
		pg, floor, ceil := rate(rows[0]), rate(rows[1]), rate(rows[2])
		fmt.Fprintf(out, "  ratios: profilegraph/floor %.3f  profilegraph/ceiling %.3f  ceiling/floor %.3f\n",
			ratio(pg, floor), ratio(pg, ceil), ratio(ceil, floor))
	}
	fmt.Fprintf(out, "  %d prepared requests; the ceiling's response is byte-identical to profilegraph's for %d of them\n", len(w.requests), sameAsCeiling)
	for _, r := range rows {
		if r.res.failed > 0 {
			fmt.Fprintf(out, "  !!! %s: %d FAILED requests, first: %s\n", r.label, r.res.failed, r.res.firstFail)
		}
	}
}

// rate is requests per second of the measured window.
func rate(r row) float64 {
	if r.res.elapsed <= 0 {
		return 0
	}
	return float64(r.res.requests) / r.res.elapsed.Seconds()
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
