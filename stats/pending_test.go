package stats

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/tribune/tribune/feeds"
)

// The ring of waiting mentions agrees with a plain list through random
// mentions, answers and expiries, past its cap and through its growing and
// shrinking.
func TestPendingAsAList(t *testing.T) {
	type entry struct {
		id   string
		at   time.Time
		asks bool
	}
	r := rand.New(rand.NewPCG(3, 4))
	var p pending
	var list []entry // the waiting ones, oldest first
	now := t0
	next := 0
	for step := range 50_000 {
		now = now.Add(time.Duration(r.IntN(2000)) * time.Millisecond)
		switch x := r.IntN(100); {
		case x < 55 || (step > 20_000 && step < 25_000):
			id := fmt.Sprint(next)
			next++
			ev := feeds.Event{ID: id, Author: "a", Text: "@lumio?"}
			asks := r.IntN(3) > 0
			p.add(&ev, now, "tw", "twitch", asks)
			list = append(list, entry{id, now, asks})
			if len(list) > maxPending {
				list = list[1:]
			}
		case x < 95:
			if len(list) == 0 {
				continue
			}
			i := r.IntN(len(list))
			if r.IntN(4) == 0 {
				i = 0
			}
			q, ok := p.take("tw", list[i].id)
			if !ok || q.ID != list[i].id || !q.Time.Equal(list[i].at) {
				t.Fatalf("step %d: take(%s) = %+v %v", step, list[i].id, q, ok)
			}
			list = slices.Delete(list, i, i+1)
		default:
			cut := now.Add(-time.Duration(r.IntN(3600)) * time.Second)
			p.expire(cut)
			for len(list) > 0 && list[0].at.Before(cut) {
				list = list[1:]
			}
		}
		asks := 0
		var want []string
		for _, e := range list {
			if e.asks {
				asks++
				if len(want) < 20 {
					want = append(want, e.id)
				}
			}
		}
		var got []string
		for _, q := range p.questions(20) {
			got = append(got, q.ID)
		}
		if p.asks != asks || len(p.byKey) != len(list) || !slices.Equal(got, want) {
			t.Fatalf("step %d: %d asking, %d waiting, %v; want %d, %d, %v", step, p.asks, len(p.byKey), got, asks, len(list), want)
		}
	}
}
