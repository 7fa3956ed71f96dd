package cluster

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/store"
)

// ReadBucket holds every operator's read marks, keyed by the operator (a
// Token), so that one who moves to another front-end finds the same
// messages read. A Seq is each front-end's own, so the bucket names
// events by feed and id: the watermark by the newest event it covers,
// and the marks above it, the newest maxSharedMarks of them. Each
// front-end puts its operators' state as it changes, and reads the
// others' back into Seqs of its own; the newest put is what a front-end
// joining later reads. Marks only add up: a front-end never unreads.
const ReadBucket = "tribune_read"

// maxSharedMarks bounds the marks one operator's entry carries.
const maxSharedMarks = 500

// readEntry is an operator's read state as the bucket holds it.
type readEntry struct {
	Upto  *store.EventRef  `json:"upto,omitempty"`
	Marks []store.EventRef `json:"marks,omitempty"`
}

// ReadStore is a front-end's store, as the read marks need it.
type ReadStore interface {
	ReadState(op string) (store.ReadState, error)
	MarkRead(op string, seqs ...uint64) error
	MarkAllRead(op string, upto uint64) error
	Refs(seqs []uint64, atOrBelow bool) (map[uint64]store.EventRef, error)
	Locate(refs []store.EventRef, after uint64) (map[store.EventRef]uint64, error)
	LastSeq() (uint64, error)
}

// ReadMarks shares a front-end's read marks with the cluster.
type ReadMarks struct {
	c     *Conn
	mu    sync.Mutex
	dirty map[string]bool      // operators whose state to put
	from  map[string]appliedRd // what came from the bucket, by operator: not put back
	wake  chan struct{}
	// Of the applier's goroutine only:
	known   map[string]map[store.EventRef]bool // refs of the last entry read, by operator
	pending map[string]*pendingRd              // refs not stored here yet, by operator
}

// appliedRd is what the applier wrote for one operator.
type appliedRd struct {
	upto uint64
	seqs map[uint64]bool
}

// pendingRd is what an operator's entry names that this front-end had not
// stored when it read the entry: it may still be on its way, so the
// events stored since are looked through again.
type pendingRd struct {
	upto  *store.EventRef
	marks map[store.EventRef]bool
	after uint64 // the events up to here were looked through
}

// ReadMarks returns the front-end's read mark sharing; give its Marked to
// the store (store.Options.OnRead), then Run it.
func (c *Conn) ReadMarks() *ReadMarks {
	return &ReadMarks{c: c, dirty: make(map[string]bool), from: make(map[string]appliedRd),
		wake: make(chan struct{}, 1), known: make(map[string]map[store.EventRef]bool), pending: make(map[string]*pendingRd)}
}

// Marked queues op's state to be put after a change the store committed,
// unless the change came from the bucket. It never waits on the network.
func (r *ReadMarks) Marked(op string, upto uint64, seqs []uint64) {
	r.mu.Lock()
	a := r.from[op]
	ours := upto > a.upto
	for _, s := range seqs {
		ours = ours || !a.seqs[s]
	}
	if ours {
		r.dirty[op] = true
	}
	r.mu.Unlock()
	if ours {
		poke(r.wake)
	}
}

// retryEvery is how often the marks on events not stored yet are looked
// for again among the events stored since.
const retryEvery = time.Second

// Run puts this front-end's changes and applies the others' to db until
// ctx ends.
func (r *ReadMarks) Run(ctx context.Context, db ReadStore, onErr func(error)) {
	push := func(ctx context.Context) {
		pushes(ctx, r.wake, func(ctx context.Context) bool { return r.flush(ctx, db, onErr) })
	}
	follow(ctx, r.c.read, push, func(e jetstream.KeyValueEntry) {
		var re readEntry
		if e.Operation() != jetstream.KeyValuePut || json.Unmarshal(e.Value(), &re) != nil {
			return
		}
		if err := r.apply(db, FeedOf(e.Key()), re); err != nil {
			onErr(err)
		}
	}, onErr, retryEvery, func(time.Time) {
		for op, p := range r.pending {
			if err := r.retry(db, op, p); err != nil {
				onErr(err)
			}
		}
	})
}

// apply marks read here what op's entry says, as far as this front-end
// has the events; the rest waits in pending.
func (r *ReadMarks) apply(db ReadStore, op string, re readEntry) error {
	if len(re.Marks) > maxSharedMarks {
		re.Marks = re.Marks[:maxSharedMarks]
	}
	// Only the marks the last entry did not name are looked for: the
	// others were found already, or wait in pending.
	known := r.known[op]
	next := make(map[store.EventRef]bool, len(re.Marks))
	var refs []store.EventRef
	for _, m := range re.Marks {
		next[m] = true
		if !known[m] {
			refs = append(refs, m)
		}
	}
	r.known[op] = next
	marks := len(refs)
	if re.Upto != nil {
		refs = append(refs, *re.Upto)
	}
	if len(refs) == 0 {
		return nil
	}
	last, err := db.LastSeq()
	if err != nil {
		return err
	}
	rs, err := db.ReadState(op)
	if err != nil {
		return err
	}
	// What is at or below the watermark is read here already.
	found, err := db.Locate(refs, rs.Upto)
	if err != nil {
		return err
	}
	p := r.pending[op]
	if p == nil {
		p = &pendingRd{marks: make(map[store.EventRef]bool), after: last}
	}
	var seqs []uint64
	for _, m := range refs[:marks] {
		if s, ok := found[m]; ok {
			seqs = append(seqs, s)
		} else {
			p.marks[m] = true
		}
	}
	var upto uint64
	if p.upto = re.Upto; p.upto != nil { // a newer watermark stands for the older one
		if upto = found[*p.upto]; upto > 0 {
			p.upto = nil
		}
	}
	r.keep(op, p)
	return r.mark(db, op, upto, seqs)
}

// retry looks for p's events among those stored since it last looked,
// and marks read those it finds.
func (r *ReadMarks) retry(db ReadStore, op string, p *pendingRd) error {
	last, err := db.LastSeq()
	if err != nil || last <= p.after {
		return err
	}
	refs := slices.Collect(maps.Keys(p.marks))
	if p.upto != nil {
		refs = append(refs, *p.upto)
	}
	found, err := db.Locate(refs, p.after)
	if err != nil {
		return err
	}
	p.after = last
	var seqs []uint64
	for m := range p.marks {
		if s, ok := found[m]; ok {
			seqs = append(seqs, s)
			delete(p.marks, m)
		}
	}
	var upto uint64
	if p.upto != nil {
		if upto = found[*p.upto]; upto > 0 {
			p.upto = nil
		}
	}
	r.keep(op, p)
	return r.mark(db, op, upto, seqs)
}

// keep keeps p while it waits for something, and bounded: marks on
// events this front-end never stores (pruned, or read under its
// watermark) would otherwise pile up.
func (r *ReadMarks) keep(op string, p *pendingRd) {
	for m := range p.marks {
		if len(p.marks) <= maxSharedMarks {
			break
		}
		delete(p.marks, m)
	}
	if p.upto == nil && len(p.marks) == 0 {
		delete(r.pending, op)
	} else {
		r.pending[op] = p
	}
}

// mark writes to db what came from the bucket: the watermark at upto
// (when non-zero) and the marks seqs, noting them so as not to put them
// back.
func (r *ReadMarks) mark(db ReadStore, op string, upto uint64, seqs []uint64) error {
	if upto == 0 && len(seqs) == 0 {
		return nil
	}
	r.mu.Lock()
	a := r.from[op]
	if a.seqs == nil {
		a.seqs = make(map[uint64]bool)
	}
	if upto > a.upto {
		a.upto = upto
		maps.DeleteFunc(a.seqs, func(s uint64, _ bool) bool { return s <= upto })
	}
	for _, s := range seqs {
		a.seqs[s] = true
	}
	r.from[op] = a
	r.mu.Unlock()
	if upto > 0 {
		if err := db.MarkAllRead(op, upto); err != nil {
			return err
		}
	}
	return db.MarkRead(op, seqs...)
}

// flush puts the state of the operators whose marks changed here, and
// reports whether it all went in.
func (r *ReadMarks) flush(ctx context.Context, db ReadStore, onErr func(error)) bool {
	r.mu.Lock()
	dirty := r.dirty
	r.dirty = make(map[string]bool)
	r.mu.Unlock()
	ok := true
	for op := range dirty {
		if err := r.put(ctx, db, op); err != nil && ctx.Err() == nil {
			onErr(err)
			ok = false
			r.mu.Lock()
			r.dirty[op] = true // again
			r.mu.Unlock()
		}
	}
	return ok
}

// put puts op's read state as this front-end's store has it.
func (r *ReadMarks) put(ctx context.Context, db ReadStore, op string) error {
	rs, err := db.ReadState(op)
	if err != nil {
		return err
	}
	marks := slices.Sorted(maps.Keys(rs.Marked))
	slices.Reverse(marks)
	marks = marks[:min(len(marks), maxSharedMarks)]
	refs, err := db.Refs(marks, false)
	if err != nil {
		return err
	}
	var re readEntry
	for _, s := range marks {
		if ref, ok := refs[s]; ok {
			re.Marks = append(re.Marks, ref)
		}
	}
	if rs.Upto > 0 {
		up, err := db.Refs([]uint64{rs.Upto}, true)
		if err != nil {
			return err
		}
		if ref, ok := up[rs.Upto]; ok {
			re.Upto = &ref
		}
	}
	data, err := json.Marshal(re)
	if err != nil {
		return err
	}
	_, err = r.c.read.Put(ctx, Token(op), data)
	return err
}
