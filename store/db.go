package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"github.com/tribune/tribune/feeds/outbox"
)

var (
	// ErrNotFound is returned when the event, draft or outbox item asked for
	// does not exist.
	ErrNotFound = errors.New("not found")
	// ErrLocked is returned by Open when another process holds the file
	// lock for longer than Options.Timeout.
	ErrLocked = errors.New("database is in use by another tribune process")
	// ErrNotTribune is returned by Open when the file exists but is not a
	// tribune database. The file is left exactly as it was.
	ErrNotTribune = errors.New("not a tribune database")
	// ErrNewerSchema is returned by Open when the database was written by a
	// newer tribune whose schema this one does not know. The file is left
	// exactly as it was.
	ErrNewerSchema = errors.New("database was written by a newer tribune")
	// ErrExists is returned by Enqueue when an item with the same action id
	// is already in the outbox.
	ErrExists = errors.New("already exists")
)

// Defaults for the zero Options.
const (
	DefaultTimeout   = time.Second
	DefaultRetention = 200_000
)

// initialMmapSize is mapped up front so that the file can grow to it without
// a remap, which would wait for every open read transaction.
const initialMmapSize = 64 << 20

// allocSize is how much the file grows by at a time, past the pages in
// use. bbolt's default, 16 MiB, made a new empty database a 16 MiB file
// (once the map is larger than the step, each growth adds a whole step).
const allocSize = 1 << 20

// Options configures Open. The zero value is sensible.
type Options struct {
	// Timeout is how long Open waits for the file lock. Zero means
	// DefaultTimeout; Open never waits forever.
	Timeout time.Duration
	// Retention is the most events kept per feed; the oldest go first.
	// Zero means DefaultRetention.
	Retention int
	// MaxAge prunes events whose Time is older than this. Zero keeps events
	// by count only.
	MaxAge time.Duration
	// Feeds overrides Retention and MaxAge per feed id; a zero field in a
	// Retention keeps the default for that field.
	Feeds map[string]Retention
	// PruneDelay is how long after Open the background pruner starts on
	// what retention left while tribune was not running, so that start-up
	// (its reads, the first frame) does not share the CPU and the disk
	// with it. Zero starts at once.
	PruneDelay time.Duration
	// Now is the clock, for tests. Nil means time.Now.
	Now func() time.Time
	// OnDraft, when set, is told of each draft change once it is
	// committed (a deletion has Deleted set), on the caller's goroutine:
	// how a cluster's front-ends share drafts. A save or deletion that
	// changed nothing (an older rev) is not told.
	OnDraft func(op string, d Draft, deleted bool)
	// OnAudit, when set, is told of each audit entry once it is committed,
	// on the committing goroutine (keep it cheap): how a cluster's nodes
	// append to one audit stream.
	OnAudit func(outbox.AuditEntry)
	// OnRead, when set, is told of each change of an operator's read
	// marks once committed, on the caller's goroutine: the watermark
	// moved to upto (non-zero), or the marks seqs were added. A mark
	// that changed nothing is not told.
	OnRead func(op string, upto uint64, seqs []uint64)
	// OnPref, when set, is told of each preference saved (an empty value
	// removed it), once committed, on the caller's goroutine.
	OnPref func(op, key, value string)
	// OnHold, when set, is told of each change SetHold made to the
	// outbox brake, once committed; AdoptHold's are not told.
	OnHold func(outbox.Hold)
	// OnIncident, when set, is told of each incident SetIncident opened
	// or closed, once committed; AdoptIncident's are not told.
	OnIncident func(outbox.Incident)
}

// Retention is how much of one feed's history is kept: at most Count
// events, none older than MaxAge. Zero fields mean "the default".
type Retention struct {
	Count  int
	MaxAge time.Duration
}

// retention returns what applies to feed.
func (o Options) retention(feed string) (count uint64, maxAge time.Duration) {
	r := o.Feeds[feed]
	count, maxAge = uint64(o.Retention), o.MaxAge
	if r.Count > 0 {
		count = uint64(r.Count)
	}
	if r.MaxAge > 0 {
		maxAge = r.MaxAge
	}
	return count, maxAge
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.MaxAge < 0 {
		o.MaxAge = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// DB is an open tribune database. Its methods are safe for concurrent use.
type DB struct {
	bolt *bolt.DB
	path string
	opts Options
	pr   *pruner // nil when opened without pruning (OpenExisting, Compact)
}

// Bucket and key names; see the tree in doc.go.
var (
	bucketMeta    = []byte("meta")
	bucketEvents  = []byte("events")
	bucketFeeds   = []byte("feeds")
	bucketOps     = []byte("ops")
	bucketOutbox  = []byte("outbox")
	bucketMinutes = []byte("minutes")
	bucketRead    = []byte("read")
	bucketDrafts  = []byte("drafts")
	bucketItems   = []byte("items")
	bucketPending = []byte("pending")
	bucketAudit   = []byte("audit")

	keyMagic    = []byte("magic")
	keyVersion  = []byte("version")
	keyLastSeq  = []byte("lastseq")
	keyCount    = []byte("count")
	keyFloor    = []byte("floor")
	keyUpto     = []byte("upto")
	keyHold     = []byte("hold")
	keyIncident = []byte("incident")

	magic = []byte("tribune.store")
)

// topLevel lists the buckets Open creates, each with the children it
// creates inside it.
var topLevel = []struct {
	name     []byte
	children [][]byte
}{
	{bucketMeta, nil},
	{bucketFeeds, nil},
	{bucketOps, nil},
	{bucketOutbox, [][]byte{bucketItems, bucketPending}},
	{bucketAudit, nil},
}

// Open opens the tribune database at path, creating it (and its parent
// directories, mode 0700; the file 0600) if it does not exist. It waits at
// most Options.Timeout for the file lock, then fails with ErrLocked.
//
// An existing file that is not a tribune database is refused with
// ErrNotTribune before anything is written to it; it is first opened
// read-only, so its bytes cannot change. An empty bbolt file (no buckets at
// all, as left by a crash during the very first Open) is taken over.
func Open(path string, opts Options) (*DB, error) {
	return open(path, opts, current)
}

func open(path string, opts Options, sc schema) (*DB, error) {
	opts = opts.withDefaults()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	fi, err := os.Stat(path)
	switch {
	case err == nil && fi.IsDir():
		return nil, fmt.Errorf("opening store %s: is a directory", path)
	case err == nil && fi.Size() > 0:
		if err := preflight(path, opts, sc); err != nil {
			return nil, fmt.Errorf("opening store %s: %w", path, err)
		}
	case err == nil, errors.Is(err, fs.ErrNotExist):
		// New (or empty) file: bbolt initialises it.
	default:
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}

	bdb, err := lockedOpen(path, opts)
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	db := &DB{bolt: bdb, path: path, opts: opts}
	if err := bdb.Update(func(tx *bolt.Tx) error { return db.setup(tx, sc) }); err != nil {
		_ = bdb.Close()
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	db.startPruner()
	return db, nil
}

// lockedOpen opens path for writing and waits for its lock. A file can be
// replaced while we wait (db compact renames its copy over the original):
// the lock then belongs to a file no longer at path, and writing to it
// would be lost, so it opens again.
func lockedOpen(path string, opts Options) (*bolt.DB, error) {
	for {
		before, statErr := os.Stat(path)
		bdb, err := bolt.Open(path, 0o600, &bolt.Options{
			Timeout:         opts.Timeout,
			InitialMmapSize: initialMmapSize,
			FreelistType:    bolt.FreelistMapType,
		})
		if err != nil {
			return nil, openError(err)
		}
		bdb.AllocSize = allocSize // before any write transaction
		after, err := os.Stat(path)
		if err != nil || statErr != nil || os.SameFile(before, after) {
			return bdb, nil
		}
		_ = bdb.Close()
	}
}

// OpenExisting opens an existing database without changing it, for the
// commands that only read (audit, db check): no migration, no pruning,
// and the file must be there. A database of an older schema opens as it
// is; Check reports it. It waits at most Options.Timeout for a running
// tribune to let go of the file.
func OpenExisting(path string, opts Options) (*DB, error) {
	return openRaw(path, opts, true)
}

// openRaw opens path with no setup: readOnly shares the lock with other
// readers; otherwise the lock is exclusive (Compact's source).
func openRaw(path string, opts Options, readOnly bool) (*DB, error) {
	opts = opts.withDefaults()
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	case fi.IsDir():
		return nil, fmt.Errorf("opening store %s: is a directory", path)
	case fi.Size() == 0:
		return nil, fmt.Errorf("opening store %s: %w (the file is empty)", path, ErrNotTribune)
	}
	if err := preflight(path, opts, current); err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, err)
	}
	bdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: readOnly})
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", path, openError(err))
	}
	return &DB{bolt: bdb, path: path, opts: opts}, nil
}

// preflight opens an existing file read-only (so the OS guarantees it is not
// written) and checks that it is a tribune database this code can read.
func preflight(path string, opts Options, sc schema) error {
	rdb, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout, ReadOnly: true})
	if err != nil {
		var pe *fs.PathError
		var errno syscall.Errno
		if errors.As(err, &pe) || errors.As(err, &errno) || errors.Is(err, berrors.ErrTimeout) {
			return openError(err) // the system said no, not the bytes
		}
		// bbolt could not make sense of the bytes: invalid meta pages,
		// checksum or version mismatch, too short a file.
		return fmt.Errorf("%w (%v)", ErrNotTribune, err)
	}
	defer func() { _ = rdb.Close() }()
	return rdb.View(func(tx *bolt.Tx) error {
		_, _, err := checkSchema(tx, sc)
		return err
	})
}

func openError(err error) error {
	if errors.Is(err, berrors.ErrTimeout) {
		return ErrLocked
	}
	return err
}

// setup runs in the one write transaction of Open: it checks the schema,
// migrates, creates the top-level buckets and does the housekeeping that is
// cheap to do once per start. Retention, whose cost grows with what it
// prunes, is the background pruner's (prune.go).
func (db *DB) setup(tx *bolt.Tx, sc schema) error {
	version, fresh, err := checkSchema(tx, sc)
	if err != nil {
		return err
	}
	if !fresh && version < sc.version {
		if err := sc.migrate(tx, version); err != nil {
			return err
		}
	}
	for _, top := range topLevel {
		b, err := tx.CreateBucketIfNotExists(top.name)
		if err != nil {
			return fmt.Errorf("creating bucket %s: %w", top.name, err)
		}
		for _, child := range top.children {
			if _, err := b.CreateBucketIfNotExists(child); err != nil {
				return fmt.Errorf("creating bucket %s/%s: %w", top.name, child, err)
			}
		}
	}
	meta := tx.Bucket(bucketMeta)
	if err := meta.Put(keyMagic, magic); err != nil {
		return err
	}
	if err := meta.Put(keyVersion, u64(sc.version)); err != nil {
		return err
	}
	now := db.opts.Now()
	return purgeTombstones(tx, now.Add(-tombstoneTTL))
}

// checkSchema reports the stored schema version, and fresh when the file
// holds no bucket at all. It fails with ErrNotTribune for a foreign file and
// ErrNewerSchema for a version newer than sc.
func checkSchema(tx *bolt.Tx, sc schema) (version uint64, fresh bool, err error) {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		if k, _ := tx.Cursor().First(); k != nil {
			return 0, false, fmt.Errorf("%w (no %q bucket)", ErrNotTribune, bucketMeta)
		}
		return 0, true, nil
	}
	if !bytes.Equal(meta.Get(keyMagic), magic) {
		return 0, false, fmt.Errorf("%w (bad magic)", ErrNotTribune)
	}
	if v := meta.Get(keyVersion); v != nil {
		if len(v) != 8 {
			return 0, false, fmt.Errorf("%w (bad schema version)", ErrNotTribune)
		}
		version = binary.BigEndian.Uint64(v)
	}
	if version > sc.version {
		return 0, false, fmt.Errorf("%w: its schema version is %d, this build knows up to %d; upgrade tribune",
			ErrNewerSchema, version, sc.version)
	}
	return version, false, nil
}

// Close stops the background pruner and releases the file lock. It waits
// for running transactions.
func (db *DB) Close() error {
	db.stopPruner()
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("closing store %s: %w", db.path, err)
	}
	return nil
}

// u64 encodes v as an 8-byte big-endian key or value.
func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// getU64 decodes an 8-byte value; a missing or malformed value is 0.
func getU64(b *bolt.Bucket, key []byte) uint64 {
	v := b.Get(key)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// operator returns the bucket of op, creating it when create is set; nil if
// it does not exist and create is not set.
func operator(tx *bolt.Tx, op string, create bool) (*bolt.Bucket, error) {
	if op == "" {
		return nil, errors.New("operator name is empty")
	}
	ops := tx.Bucket(bucketOps)
	if !create {
		return ops.Bucket([]byte(op)), nil
	}
	b, err := ops.CreateBucketIfNotExists([]byte(op))
	if err != nil {
		return nil, fmt.Errorf("operator %q: %w", op, err)
	}
	return b, nil
}

// bucketNames lists, copied, the names of b's child buckets, so that the
// caller can change them without changing what it iterates.
func bucketNames(b *bolt.Bucket) ([][]byte, error) {
	var names [][]byte
	err := b.ForEachBucket(func(k []byte) error {
		names = append(names, bytes.Clone(k))
		return nil
	})
	return names, err
}
