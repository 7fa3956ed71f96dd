package store

import (
	"encoding/binary"
	"fmt"
	"math"

	bolt "go.etcd.io/bbolt"
)

// ReadState is what one operator has read: every Seq up to Upto, and the
// ones marked one by one above it.
type ReadState struct {
	Upto   uint64
	Marked map[uint64]bool
}

// IsRead reports whether the event with this Seq has been read.
func (r ReadState) IsRead(seq uint64) bool {
	return seq <= r.Upto || r.Marked[seq]
}

// MarkRead marks events read for op, one by one. Seqs at or below the
// watermark are read already and not recorded.
func (db *DB) MarkRead(op string, seqs ...uint64) error {
	if len(seqs) == 0 {
		return nil
	}
	var added []uint64
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob, err := operator(tx, op, true)
		if err != nil {
			return err
		}
		read, err := ob.CreateBucketIfNotExists(bucketRead)
		if err != nil {
			return err
		}
		upto := getU64(ob, keyUpto)
		for _, seq := range seqs {
			if seq <= upto || read.Get(u64(seq)) != nil {
				continue
			}
			if err := read.Put(u64(seq), nil); err != nil {
				return err
			}
			added = append(added, seq)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("marking read for %s: %w", op, err)
	}
	if len(added) > 0 && db.opts.OnRead != nil {
		db.opts.OnRead(op, 0, added)
	}
	return nil
}

// MarkAllRead moves op's watermark to upto: every Seq <= upto is read, and
// the individual marks it covers are dropped. The watermark never moves
// back; a lower upto changes nothing.
func (db *DB) MarkAllRead(op string, upto uint64) error {
	moved := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob, err := operator(tx, op, true)
		if err != nil {
			return err
		}
		if upto <= getU64(ob, keyUpto) {
			return nil
		}
		moved = true
		if err := ob.Put(keyUpto, u64(upto)); err != nil {
			return err
		}
		if read := ob.Bucket(bucketRead); read != nil {
			return deleteMarksUpTo(read, upto)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("marking all read for %s: %w", op, err)
	}
	if moved && db.opts.OnRead != nil {
		db.opts.OnRead(op, upto, nil)
	}
	return nil
}

// deleteMarksUpTo deletes every mark with a Seq <= upto.
func deleteMarksUpTo(read *bolt.Bucket, upto uint64) error {
	bud := budget{keys: math.MaxInt}
	_, err := deleteOldest(read, &bud, func(k, _ []byte) bool {
		return binary.BigEndian.Uint64(k) <= upto
	})
	return err
}

// ReadState returns op's read state; an operator never seen has read
// nothing. Marked is never nil.
func (db *DB) ReadState(op string) (ReadState, error) {
	rs := ReadState{Marked: make(map[uint64]bool)}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ob, err := operator(tx, op, false)
		if err != nil || ob == nil {
			return err
		}
		rs.Upto = getU64(ob, keyUpto)
		read := ob.Bucket(bucketRead)
		if read == nil {
			return nil
		}
		return read.ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				rs.Marked[binary.BigEndian.Uint64(k)] = true
			}
			return nil
		})
	})
	if err != nil {
		return ReadState{}, fmt.Errorf("reading read state of %s: %w", op, err)
	}
	return rs, nil
}

// pruneReadMarks drops, at Open, individual marks on events no longer
// stored: they can never be shown again, and an operator who reads one by
// one without ever marking all read would otherwise grow the set forever.
func pruneReadMarks(tx *bolt.Tx) error {
	oldest := getU64(tx.Bucket(bucketMeta), keyLastSeq) + 1
	fb := tx.Bucket(bucketFeeds)
	err := fb.ForEachBucket(func(name []byte) error {
		if eb := fb.Bucket(name).Bucket(bucketEvents); eb != nil {
			if k, _ := eb.Cursor().First(); k != nil {
				oldest = min(oldest, binary.BigEndian.Uint64(k))
			}
		}
		return nil
	})
	if err != nil || oldest <= 1 {
		return err
	}
	ops := tx.Bucket(bucketOps)
	names, err := bucketNames(ops)
	if err != nil {
		return err
	}
	for _, name := range names {
		if read := ops.Bucket(name).Bucket(bucketRead); read != nil {
			if err := deleteMarksUpTo(read, oldest-1); err != nil {
				return fmt.Errorf("operator %q: %w", name, err)
			}
		}
	}
	return nil
}
