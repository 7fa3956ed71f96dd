package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/store"
)

// DraftBucket holds every operator's drafts, keyed <operator>.<draft key>
// (both as Tokens), so that an operator who moves to another front-end
// finds the reply they were writing. Each front-end copies its own
// changes there and the others' into its store, where the draft's rev
// decides: a copy that is not newer changes nothing, and is not copied
// back.
const DraftBucket = "tribune_drafts"

// draftEntry is a draft as the bucket holds it.
type draftEntry struct {
	Action  feeds.Action `json:"action"`
	Rev     int64        `json:"rev"`
	Updated time.Time    `json:"updated"`
	Deleted bool         `json:"deleted,omitempty"`
}

// DraftStore is a front-end's store, as the drafts need it.
type DraftStore interface {
	SaveDraft(op string, d store.Draft) (bool, error)
	DeleteDraft(op, key string, rev int64) error
	EachDraft(fn func(op string, d store.Draft, deleted bool) error) error
}

// Drafts shares a front-end's drafts with the cluster.
type Drafts struct {
	c    *Conn
	mu   sync.Mutex
	out  map[string]draftEntry // to put, by bucket key: the latest change
	seen map[string]int64      // the rev last read from the bucket, by key
	wake chan struct{}
}

// Drafts returns the front-end's draft sharing; give its Saved to the
// store (store.Options.OnDraft), then Run it.
func (c *Conn) Drafts() *Drafts {
	return &Drafts{c: c, out: make(map[string]draftEntry), seen: make(map[string]int64), wake: make(chan struct{}, 1)}
}

func draftKey(op, key string) string { return Token(op) + "." + Token(key) }

// Saved queues a change the store committed, unless it came from the
// bucket. It never waits on the network.
func (d *Drafts) Saved(op string, dr store.Draft, deleted bool) {
	k := draftKey(op, dr.Key)
	d.mu.Lock()
	if d.seen[k] >= dr.Rev {
		d.mu.Unlock()
		return
	}
	if old, ok := d.out[k]; !ok || old.Rev < dr.Rev || old.Rev == dr.Rev && deleted {
		d.out[k] = draftEntry{Action: dr.Action, Rev: dr.Rev, Updated: dr.Updated, Deleted: deleted}
	}
	d.mu.Unlock()
	poke(d.wake)
}

// Run puts this front-end's changes and applies the others' to db until
// ctx ends. It first puts again every draft db holds, where the bucket
// has an older revision: what a front-end killed before it could put
// reaches the others once it is back.
func (d *Drafts) Run(ctx context.Context, db DraftStore, onErr func(error)) {
	if err := db.EachDraft(func(op string, dr store.Draft, deleted bool) error {
		d.Saved(op, dr, deleted)
		return nil
	}); err != nil {
		onErr(err)
	}
	push := func(ctx context.Context) {
		pushes(ctx, d.wake, func(ctx context.Context) bool { return d.flush(ctx, onErr) })
	}
	follow(ctx, d.c.drafts, push, func(e jetstream.KeyValueEntry) {
		if e.Operation() == jetstream.KeyValuePut {
			d.apply(db, e.Key(), e.Value(), onErr)
		}
	}, onErr, 0, nil)
}

// apply stores one draft read from the bucket.
func (d *Drafts) apply(db DraftStore, k string, v []byte, onErr func(error)) {
	opTok, keyTok, ok := strings.Cut(k, ".")
	var de draftEntry
	if !ok || json.Unmarshal(v, &de) != nil {
		return
	}
	d.mu.Lock()
	d.seen[k] = max(d.seen[k], de.Rev)
	d.mu.Unlock()
	op, key := FeedOf(opTok), FeedOf(keyTok)
	var err error
	if de.Deleted {
		err = db.DeleteDraft(op, key, de.Rev)
	} else {
		_, err = db.SaveDraft(op, store.Draft{Key: key, Action: de.Action, Rev: de.Rev, Updated: de.Updated})
	}
	if err != nil {
		onErr(err)
	}
}

// flush puts the queued changes, and reports whether they all went in.
func (d *Drafts) flush(ctx context.Context, onErr func(error)) bool {
	d.mu.Lock()
	out := d.out
	d.out = make(map[string]draftEntry)
	d.mu.Unlock()
	ok := true
	for k, de := range out {
		data, err := json.Marshal(de)
		if err != nil {
			continue
		}
		if err := d.put(ctx, k, de, data); err != nil && ctx.Err() == nil {
			onErr(err)
			ok = false
			d.mu.Lock()
			if old, queued := d.out[k]; !queued || old.Rev < de.Rev {
				d.out[k] = de // again, unless a newer change waits
			}
			d.mu.Unlock()
		}
	}
	return ok
}

// put stores de (data) under k unless the bucket holds a revision of the
// draft as new: the newest edit wins in the bucket as in the stores,
// whichever front-end puts last.
func (d *Drafts) put(ctx context.Context, k string, de draftEntry, data []byte) error {
	for {
		e, err := d.c.drafts.Get(ctx, k)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			_, err = d.c.drafts.Create(ctx, k, data)
		case err != nil:
			return err
		default:
			var old draftEntry
			if json.Unmarshal(e.Value(), &old) == nil &&
				(old.Rev > de.Rev || old.Rev == de.Rev && (old.Deleted || !de.Deleted)) {
				return nil // at an equal rev, the deletion wins
			}
			_, err = d.c.drafts.Update(ctx, k, data, e.Revision())
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return err
		}
		// Another front-end put it meanwhile: look again.
	}
}
