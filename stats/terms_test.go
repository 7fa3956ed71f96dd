package stats

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// refTerms is terms as it was before it kept one map: the oracle
// TestTermsAsReference compares it with.
type refTerms struct {
	epoch     int64
	cur, prev map[string]int32
	// names keeps one copy of each term across generations, so a term
	// that comes back costs no allocation; cleared when it outgrows them.
	names map[string]string
}

func (t *refTerms) add(term []byte, m int64) {
	ep := floorDiv(m, termEpoch)
	if t.cur == nil || ep != t.epoch {
		t.rotate(ep)
	}
	name, ok := t.names[string(term)]
	if !ok {
		if t.names == nil || len(t.names) >= 3*maxTerms {
			t.names = make(map[string]string)
		}
		name = string(term)
		t.names[name] = name
	}
	if n, ok := t.cur[name]; ok {
		t.cur[name] = n + 1
	} else if len(t.cur) < maxTerms {
		t.cur[name] = 1
	}
}

func (t *refTerms) rotate(ep int64) {
	switch {
	case t.cur != nil && ep == t.epoch+1:
		t.prev, t.cur = t.cur, t.prev
		clear(t.cur)
	case t.cur != nil && ep < t.epoch:
		return // an event from before this generation counts in it
	default:
		t.prev = nil
		t.cur = make(map[string]int32)
	}
	if t.cur == nil {
		t.cur = make(map[string]int32)
	}
	t.epoch = ep
}

// sum adds to into the counts of the generations still current at
// minute m: this one and the one before.
func (t *refTerms) sum(m int64, into map[string]int) {
	ep := floorDiv(m, termEpoch)
	if t.epoch == ep || t.epoch == ep-1 {
		for k, n := range t.cur {
			into[k] += int(n)
		}
	}
	if t.epoch == ep {
		for k, n := range t.prev {
			into[k] += int(n)
		}
	}
}

// terms counts what it counted before it kept one map, through new
// generations, skipped ones, late events and its caps.
func TestTermsAsReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var got terms
	var want refTerms
	m := int64(1_000_000)
	capped := false
	for step := range 200_000 {
		// Mostly a few hundred terms, sometimes a flood of new ones that
		// hits maxTerms.
		n, gen := 300, 1000
		if flood := step%40_000 > 25_000; flood {
			n, gen = 20_000, 100_000
		}
		switch x := r.IntN(gen); {
		case x < 3:
			m += termEpoch // next generation
		case x < 4:
			m += 3 * termEpoch // a gap
		case x < 6:
			m++
		}
		at := m
		if r.IntN(50) == 0 {
			at -= int64(r.IntN(3 * termEpoch)) // a late event
		}
		term := []byte(fmt.Sprint("t", r.IntN(n)))
		got.add(term, at)
		want.add(term, at)
		capped = capped || len(want.cur) == maxTerms
		if step%997 == 0 {
			for _, q := range []int64{m, m + termEpoch, m + 2*termEpoch} {
				g, w := make(map[string]int), make(map[string]int)
				got.sum(q, g)
				want.sum(q, w)
				if !maps.Equal(g, w) {
					t.Fatalf("step %d: sum(%d) differs: %d terms, before %d", step, q, len(g), len(w))
				}
			}
		}
	}
	if !capped {
		t.Error("the test never reached maxTerms")
	}
}

// A term is counted folded ("BOÎTIER" and "boitier" are one) and shown as
// it was first written, in lower case: "boîtier", as the operator reads
// it in the messages.
func TestTermsShowTheirSpelling(t *testing.T) {
	now := time.Date(2026, 11, 30, 21, 0, 0, 0, time.UTC)
	e := New(func() time.Time { return now })
	e.Configure(Config{Text: NewLexicon(nil, 0)})
	var evs []feeds.Event
	for i, text := range []string{"Le BOÎTIER chauffe", "mon boitier aussi", "boîtier brûlant", "remboursement svp"} {
		evs = append(evs, feeds.Event{Seq: uint64(i + 1), Feed: "tw", Platform: "twitch", ID: fmt.Sprint(i), Kind: feeds.KindMessage,
			Author: fmt.Sprint("a", i), Text: text, Time: now})
	}
	e.Observe(evs)
	got := e.Snapshot().Pulse.TopTerms
	if len(got) == 0 || got[0] != (Count{Key: "boîtier", N: 3}) {
		t.Fatalf("top terms %+v, want boîtier 3 first", got)
	}
	for _, c := range got {
		if c.Key == "remboursement" {
			return
		}
	}
	t.Errorf("remboursement missing from %+v", got)
}
