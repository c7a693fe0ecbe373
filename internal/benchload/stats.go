package benchload

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// percentile returns the p-th percentile (0 < p ≤ 100) of sorted by the nearest-rank
// method, or 0 for an empty slice.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999999) - 1
	return sorted[min(max(rank, 0), len(sorted)-1)]
}

// sortedCopy returns the latencies in ascending order.
func sortedCopy(d []time.Duration) []time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s
}

// parseProcStat returns utime+stime, in clock ticks, from the contents of
// /proc/<pid>/stat. The command name (field 2) is in parentheses and may hold spaces
// and parentheses, so the fields are counted after its last ')'.
func parseProcStat(stat []byte) (uint64, error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, fmt.Errorf("proc stat: no command name")
	}
	fields := strings.Fields(string(stat[end+1:]))
	// fields[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fields) < 13 {
		return 0, fmt.Errorf("proc stat: %d fields after the command name, want at least 13", len(fields))
	}
	utime, err := strconv.ParseUint(fields[11], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: utime: %w", err)
	}
	stime, err := strconv.ParseUint(fields[12], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("proc stat: stime: %w", err)
	}
	return utime + stime, nil
}

// processCPU returns the CPU time (user plus system) process pid has used so far.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	ticks, err := parseProcStat(b)
	if err != nil {
		return 0, err
	}
	return time.Duration(ticks) * time.Second / time.Duration(clockTicks), nil
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/<pid>/stat times.
var clockTicks = readClockTicks()

// readClockTicks reads AT_CLKTCK from /proc/self/auxv (sysconf(_SC_CLK_TCK) without
// cgo); it falls back to 100, Linux's value on every common architecture.
func readClockTicks() uint64 {
	b, err := os.ReadFile("/proc/self/auxv")
	if err != nil {
		return 100
	}
	if t := auxvValue(b, 17); t > 0 { // AT_CLKTCK
		return t
	}
	return 100
}

// auxvValue returns the value of key in a 64-bit little-endian auxiliary vector, or 0.
func auxvValue(auxv []byte, key uint64) uint64 {
	for i := 0; i+16 <= len(auxv); i += 16 {
		k := binary.LittleEndian.Uint64(auxv[i:])
		if k == key {
			return binary.LittleEndian.Uint64(auxv[i+8:])
		}
		if k == 0 {
			break
		}
	}
	return 0
}

// parseMetric sums the samples of the metric called name over all label sets in a
// Prometheus text exposition. found is false when no sample has that name.
func parseMetric(r io.Reader, name string) (sum float64, found bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || !strings.HasPrefix(line, name) {
			continue
		}
		rest := line[len(name):]
		switch {
		case strings.HasPrefix(rest, "{"):
			end := labelsEnd(rest)
			if end < 0 {
				return 0, false, fmt.Errorf("metric %s: unterminated labels in %q", name, line)
			}
			rest = rest[end+1:]
		case strings.HasPrefix(rest, " "), strings.HasPrefix(rest, "\t"):
		default:
			continue // another metric whose name starts with name
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, false, fmt.Errorf("metric %s: no value in %q", name, line)
		}
		v, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			return 0, false, fmt.Errorf("metric %s: %w", name, err)
		}
		sum += v
		found = true
	}
	return sum, found, sc.Err()
}

// labelsEnd returns the index of the '}' that closes the label set s starts with,
// skipping quoted label values (which may hold escaped quotes and braces), or -1.
func labelsEnd(s string) int {
	inQuote := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == '}':
			return i
		}
	}
	return -1
}
