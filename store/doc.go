// Package store is tribune's durable state: the events the hub ingests, each
// operator's read marks and drafts, the outbox of actions waiting to be
// sent with its hold, and the audit log of every action taken. It is the
// only package that imports bbolt.
//
// # Bucket tree
//
// Keys marked u64 are 8-byte big-endian integers, so that a cursor walks
// them in numeric order.
//
//	meta/
//	  magic    -> "tribune.store"          refuses files that are not ours
//	  version  -> u64                      schema version (see migrations.go)
//	  lastseq  -> u64                      highest Event.Seq ever stored
//	  hold     -> JSON outbox.Hold         the outbox brake (absent: released)
//	feeds/
//	  <feed id>/
//	    count  -> u64                      events of this feed still stored
//	    floor  -> u64                      highest Seq pruned from this feed
//	    events/
//	      <seq u64> -> event (codec.go)    this feed's events, oldest first
//	    minutes/
//	      <minute u64> -> u64              events per UTC minute of Event.Time
//	ops/
//	  <operator>/
//	    upto   -> u64                      every Seq <= upto is read
//	    read/
//	      <seq u64> -> ""                  read one by one, above upto
//	    drafts/
//	      <draft key> -> JSON draftRecord  live draft or deletion tombstone
//	outbox/
//	  items/
//	    <action id> -> JSON outbox.Outgoing every item, in ID order
//	  pending/
//	    <action id> -> ""                  items whose State is not Done
//	audit/                                 (since schema 2)
//	  <time u64><seq u64> -> JSON outbox.AuditEntry   oldest first
//
// The top-level buckets are created in the one transaction that Open runs;
// the per-feed and per-operator buckets appear on first use.
//
// Events live under their feed, not in one global bucket, because retention
// is per feed: pruning walks a feed's bucket from its oldest event and stops
// at the first one it keeps, reading only the fixed header of each record,
// and every event costs one Put, not a Put in the log and another in a
// per-feed index. Seq order across feeds (Recent, Before, After) is a merge of one
// cursor per feed, and there are few feeds; Search and Author, which may
// read everything, walk the feeds side by side (search.go). There is no index by platform
// id: MarkDeleted scans the feed from its newest event, which is where
// moderation acts, and de-duplication is by Seq.
//
// A minute key is the Unix second of the minute's start with its sign bit
// flipped, so that minutes before 1970 still sort first.
//
// # Durability
//
// Every method that changes something commits (and fsyncs) before it
// returns. Retention is the exception by design: Open returns before
// pruning, which a background pruner does in transactions of a few
// thousand deletions each, every one leaving count and floor consistent
// (prune.go). Ingest is durable per batch: AppendEvents writes a whole batch in
// one transaction. Byte slices read inside a transaction are copied (decoded)
// before it ends.
package store
