package cluster

import (
	"context"
	"fmt"
	"time"
)

// Retain makes the event stream keep what this node's options say
// (KeepFor, KeepCount per feed) when it keeps otherwise: the stream is
// made by the first node of a cluster, and a node started with a changed
// keep_for or keep_count brings it to its config. It says what changed,
// "" when nothing did. `cluster status`, which has no say, does not call
// it.
func (c *Conn) Retain(ctx context.Context) (string, error) {
	s, err := c.JS.Stream(ctx, EventStream)
	if err != nil {
		return "", fmt.Errorf("cluster: stream %s: %w", EventStream, err)
	}
	cfg := s.CachedInfo().Config
	age, count := c.opts.KeepFor, unlimited(c.opts.KeepCount)
	if cfg.MaxAge == age && unlimited(cfg.MaxMsgsPerSubject) == count {
		return "", nil
	}
	was := keeps(cfg.MaxAge, cfg.MaxMsgsPerSubject)
	cfg.MaxAge, cfg.MaxMsgsPerSubject = age, count
	if _, err := c.JS.UpdateStream(ctx, cfg); err != nil {
		return "", fmt.Errorf("cluster: keeping %s in stream %s: %w", keeps(age, count), EventStream, err)
	}
	return fmt.Sprintf("the stream %s now keeps %s (it kept %s)", EventStream, keeps(age, count), was), nil
}

// unlimited is n, or -1 (JetStream's "no limit") for any n ≤ 0.
func unlimited(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}

// keeps says a stream's retention: "720h0m0s, 200000 a feed".
func keeps(age time.Duration, perFeed int64) string {
	a, n := "for ever", "all of each feed"
	if age > 0 {
		a = "for " + age.String()
	}
	if perFeed > 0 {
		n = fmt.Sprintf("%d a feed", perFeed)
	}
	return n + " " + a
}
