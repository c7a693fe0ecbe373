package benchload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what one load run observed on the client side.
type loadResult struct {
	requests   int             // responses received (ok or not)
	failed     int             // non-200, no `data` object, or transport errors
	withErrors int             // 200 with `data` that also carry an `errors` entry
	firstFail  string          // the first failure, for the report
	latencies  []time.Duration // one per request
	elapsed    time.Duration
}

// newClient returns a keep-alive HTTP client with at most conns connections.
func newClient(conns int) *http.Client {
	return &http.Client{Transport: &http.Transport{
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		MaxConnsPerHost:     conns,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}}
}

// drive sends reqs in a cycle to url from conns workers for d and returns what they saw.
func drive(ctx context.Context, client *http.Client, url string, reqs []request, conns int, d time.Duration) loadResult {
	var (
		next  atomic.Uint64
		mu    sync.Mutex
		total loadResult
		wg    sync.WaitGroup
	)
	start := time.Now()
	deadline := start.Add(d)
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r loadResult
			var buf bytes.Buffer
			for ctx.Err() == nil && time.Now().Before(deadline) {
				req := reqs[next.Add(1)%uint64(len(reqs))]
				t0 := time.Now()
				status, err := post(ctx, client, url, req, &buf)
				r.latencies = append(r.latencies, time.Since(t0))
				r.requests++
				switch body := buf.Bytes(); {
				case err != nil:
					r.fail(err.Error())
				case status != http.StatusOK:
					r.fail(fmt.Sprintf("HTTP %d: %.300s", status, body))
				case !bytes.Contains(body, []byte(`"data":{`)):
					r.fail(fmt.Sprintf("no data: %.300s", body))
				case bytes.Contains(body, []byte(`"errors":[`)):
					r.withErrors++
				}
			}
			mu.Lock()
			total.merge(r)
			mu.Unlock()
		}()
	}
	wg.Wait()
	total.elapsed = time.Since(start)
	return total
}

func (r *loadResult) fail(msg string) {
	r.failed++
	if r.firstFail == "" {
		r.firstFail = msg
	}
}

func (r *loadResult) merge(o loadResult) {
	r.requests += o.requests
	r.failed += o.failed
	r.withErrors += o.withErrors
	if r.firstFail == "" {
		r.firstFail = o.firstFail
	}
	r.latencies = append(r.latencies, o.latencies...)
}

// post sends one request and reads the whole response into buf.
func post(ctx context.Context, client *http.Client, url string, req request, buf *bytes.Buffer) (int, error) {
	buf.Reset()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(req.body))
	if err != nil {
		return 0, err
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Authorization", req.auth)
	resp, err := client.Do(hr)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = buf.ReadFrom(resp.Body)
	return resp.StatusCode, err
}

// record sends each request once, sequentially, and returns the response bodies; any
// non-200 or response without `data` is an error.
func record(ctx context.Context, client *http.Client, url string, reqs []request) ([][]byte, error) {
	out := make([][]byte, len(reqs))
	var buf bytes.Buffer
	for i, req := range reqs {
		status, err := post(ctx, client, url, req, &buf)
		if err != nil {
			return nil, err
		}
		if status != http.StatusOK || !bytes.Contains(buf.Bytes(), []byte(`"data":{`)) {
			return nil, fmt.Errorf("request %d: HTTP %d: %.500s", i, status, buf.Bytes())
		}
		out[i] = bytes.Clone(buf.Bytes())
	}
	return out, nil
}

// scrape returns the sums of the named metrics on base/metrics (NaN-free: a metric
// the server does not expose is reported as absent).
func scrape(ctx context.Context, client *http.Client, base string, names ...string) (map[string]float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: HTTP %d", resp.StatusCode)
	}
	out := map[string]float64{}
	for _, n := range names {
		v, found, err := parseMetric(bytes.NewReader(b), n)
		if err != nil {
			return nil, err
		}
		if found {
			out[n] = v
		}
	}
	return out, nil
}
