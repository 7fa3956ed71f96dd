// Package bluesky is the native Bluesky connector (config type "bluesky").
//
// It reads the network live through Jetstream over WebSocket, keeps the
// posts that name configured terms or hashtags, mention the account or
// come from watched accounts (Jetstream cannot filter text, so that is
// done here), shows their deletions and, if asked, their reposts, and
// resumes after a reconnect from the last time_us cursor, rewound a few
// seconds, dropping what it already showed. Authors' DIDs are shown as
// handles once resolved through the AppView; an unresolved DID shows as
// the DID and never holds the stream up.
//
// Actions go to the account's PDS over XRPC with an app password session
// (com.atproto.server.createSession, refreshed with refreshSession when
// the access token expires): reply and post (with facets for mentions,
// links and tags, and the reply's root and parent strong refs), like,
// repost, and delete of the account's own posts. Every record is written
// under a record key derived from the action's id, so a retried action
// finds its record already there instead of writing a second one.
//
// The XRPC client is hand-written (a few JSON calls) rather than taken
// from indigo, whose module would bring far more than this needs.
package bluesky

import (
	"net/http"
	"sync"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/httpx"
)

const (
	platform = "bluesky"
	// maxGraphemes and maxPostBytes are app.bsky.feed.post's limits on
	// text.
	maxGraphemes = 300
	maxPostBytes = 3000

	postCache    = 10_000 // posts shown: for replies, likes, reposts and deletes
	profileCache = 4_096  // DID → handle
	handleCache  = 1_024  // handle → DID, for mentions
	resolveQueue = 256    // DIDs waiting to be resolved
	httpTimeout  = 30 * time.Second
	// unresolvedFor is how long a DID that failed to resolve shows as
	// the DID before it is tried again.
	unresolvedFor = 5 * time.Minute
)

// postRef is what the connector keeps of a post it showed: enough to reply
// to it (its cid, and its thread's root), to like or repost it, to show a
// repost of it, and to know that a delete concerns it. For a repost, the
// refs are those of the post reposted.
type postRef struct {
	uri, cid         string
	rootURI, rootCID string
	author           string // DID of the post's author
	text             string
	deleted          bool
}

// profile is what the AppView said of a DID; handle is empty when it
// could not say (then failed is when it was asked).
type profile struct {
	handle, name string
	failed       time.Time
}

// Connector is one Bluesky feed. It implements feeds.Connector.
type Connector struct {
	feed string
	cfg  settings
	http *http.Client
	now  func() time.Time

	running sync.Mutex // held by Run

	posts    *cache[string, postRef]
	profiles *cache[string, profile]
	handles  *cache[string, string]

	mu       sync.Mutex // guards what follows, kept across Runs
	cursor   int64      // time_us of the last frame handled; 0: none yet
	account  string     // the account's DID, once known
	watched  map[string]bool
	resolveq chan string

	sessMu sync.Mutex // held while a session is created or refreshed
	sess   *session
}

var _ feeds.Connector = (*Connector)(nil)

// New checks c and reads its app password.
func New(feedID string, c Config) (*Connector, error) {
	s, err := c.check()
	if err != nil {
		return nil, err
	}
	conn := &Connector{
		feed: feedID,
		cfg:  s,
		// The session's tokens go to the configured origin only.
		http:     &http.Client{Timeout: httpTimeout, CheckRedirect: httpx.SameOriginRedirects},
		now:      time.Now,
		posts:    newLRU[string, postRef](postCache),
		profiles: newLRU[string, profile](profileCache),
		handles:  newLRU[string, string](handleCache),
		watched:  make(map[string]bool),
	}
	if validDID(s.handle) {
		conn.account = s.handle
	}
	for _, w := range s.watch {
		if validDID(w) {
			conn.watched[w] = true
		}
	}
	return conn, nil
}

// Platform is "bluesky".
func (c *Connector) Platform() string { return platform }

// Capabilities: with an app password, reply, post, like, repost, delete
// own posts, mute, block and report, idempotently (but for a report, which
// has no key of ours). MaxText is 300 runes: Bluesky counts 300
// graphemes, and a text of 300 runes or fewer never has more graphemes,
// so the composer cannot let through a post the PDS would refuse; Do
// checks the real rule (300 graphemes, 3,000 bytes), for texts that did
// not come through the composer.
func (c *Connector) Capabilities() feeds.Capabilities {
	if c.cfg.password == "" {
		return feeds.Capabilities{MaxText: maxGraphemes}
	}
	return feeds.Capabilities{
		MaxText: maxGraphemes,
		Actions: []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActFavourite, feeds.ActBoost, feeds.ActDelete,
			feeds.ActMute, feeds.ActBlock, feeds.ActReport},
		Idempotent: true,
		// 5,000 write points an hour, a create costing 3: about 1,666
		// creates an hour.
		Rate: feeds.Limit{Count: 1666, Per: time.Hour},
	}
}
