package irc

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/internal/lru"
)

// Dialects a feed may name.
const (
	DialectIRC    = "irc"
	DialectTwitch = "twitch"
)

// Transports a feed may name.
const (
	TransportTCP       = "tcp"
	TransportTLS       = "tls"
	TransportWebSocket = "websocket"
)

// DefaultHelixURL is Twitch's API, where Twitch moderation happens.
const DefaultHelixURL = "https://api.twitch.tv/helix"

// Config is one [[feed]] table of type "irc". Secrets are never written in
// it: password_env / password_file and helix_token_env / helix_token_file
// name where they are. The keys id, type, send_limit, keep_for and
// keep_count belong to the program and are not read here.
type Config struct {
	// Server is "host:port" for tcp and tls (port defaults to 6667 and
	// 6697), or a ws:// or wss:// URL for websocket.
	Server string `toml:"server"`
	// Transport is tcp, tls or websocket. Empty means websocket for a
	// ws:// or wss:// server and tls otherwise.
	Transport string `toml:"transport"`
	// Origin is the Origin header of the WebSocket handshake (InspIRCd
	// refuses a handshake without one). Empty derives it from Server.
	Origin string `toml:"origin"`

	// Nick is the nickname (the login on Twitch). On Twitch, leave it and
	// the password out to read anonymously.
	Nick     string `toml:"nick"`
	User     string `toml:"user"`     // default: the nick
	Realname string `toml:"realname"` // default: "tribune"
	// Channels to join; "#" is added when no channel prefix is given.
	Channels []string `toml:"channels"`
	// Dialect is irc or twitch; empty detects twitch from a twitch.tv host.
	Dialect string `toml:"dialect"`

	// SASLUser turns on SASL PLAIN with the password below. Without it the
	// password is sent as the server password (PASS), and on Twitch it is
	// the chat OAuth token (with or without its "oauth:" prefix).
	SASLUser     string `toml:"sasl_user"`
	PasswordEnv  string `toml:"password_env"`
	PasswordFile string `toml:"password_file"`

	// ClientID and a user token with the moderator:manage:banned_users and
	// moderator:manage:chat_messages scopes enable Twitch moderation. The
	// token defaults to the chat token.
	ClientID       string `toml:"client_id"`
	HelixTokenEnv  string `toml:"helix_token_env"`
	HelixTokenFile string `toml:"helix_token_file"`
	HelixURL       string `toml:"helix_url"` // default DefaultHelixURL
	// Moderator says the account moderates (or owns) the channels, which
	// raises Twitch's chat limit from 20 to 100 messages per 30 s.
	Moderator bool `toml:"moderator"`
}

// Defaults for timing; tests shorten them on the Connector.
const (
	defaultPingAfter = 90 * time.Second // idle time before we PING
	defaultPongWait  = 30 * time.Second // then how long the server has to answer
	defaultRegWait   = time.Minute      // from connecting to the welcome numeric
	defaultJoinWait  = 15 * time.Second // from welcome to every channel joined
	writeWait        = 10 * time.Second
	dialWait         = 30 * time.Second
)

// Connector is one IRC or Twitch chat connection. It implements
// feeds.Connector.
type Connector struct {
	feed      string
	twitch    bool
	transport string
	addr      string // host:port for tcp and tls
	wsURL     string
	host      string // for TLS server name checks
	origin    string
	nick      string
	user      string
	realname  string
	channels  []string
	chanKeys  map[string]bool // the channels, folded
	saslUser  string
	password  string
	caps      feeds.Capabilities
	helix     *helix

	// idPrefix makes the ids we invent unique across program runs.
	idPrefix string
	idSeq    atomic.Uint64

	// Knobs that tests shorten or replace.
	now       func() time.Time
	pingAfter time.Duration
	pongWait  time.Duration
	regWait   time.Duration
	joinWait  time.Duration
	// statusEvery spaces the Stats pane updates of counters that a flood
	// moves (dropped lines).
	statusEvery time.Duration
	tlsConfig   *tls.Config

	running atomic.Bool
	// recent is only touched by Run, and Runs never overlap.
	recent *recentIDs
	// lost is when the last session that was up ended, zero once every
	// channel has been told of the gap since (gap.go). Run's only.
	lost time.Time

	mu    sync.Mutex // guards the fields below
	sess  *session   // the registered connection, nil when there is none
	rooms map[string]string
	users *lru.Cache[string, string] // twitch login -> user id, from user-id tags
	modID string                     // twitch user id of the token's owner
}

var _ feeds.Connector = (*Connector)(nil)

// Bounds on what the connector remembers.
const (
	maxUserIDs = 4096
)

// New validates c, reads its secrets and returns a connector for the feed.
func New(feedID string, c Config) (*Connector, error) {
	k := &Connector{
		feed:        feedID,
		now:         time.Now,
		pingAfter:   defaultPingAfter,
		pongWait:    defaultPongWait,
		regWait:     defaultRegWait,
		joinWait:    defaultJoinWait,
		statusEvery: time.Second,
		recent:      newRecentIDs(),
		rooms:       make(map[string]string),
		users:       lru.New[string, string](maxUserIDs),
		idPrefix:    "~" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-",
	}
	if err := k.setServer(c); err != nil {
		return nil, err
	}
	switch d := strings.ToLower(strings.TrimSpace(c.Dialect)); d {
	case DialectTwitch:
		k.twitch = true
	case DialectIRC:
	case "":
		k.twitch = k.host == "twitch.tv" || strings.HasSuffix(k.host, ".twitch.tv")
	default:
		return nil, fmt.Errorf("irc: dialect %q is not one of irc, twitch", c.Dialect)
	}
	password, err := feeds.ReadSecret(c.PasswordEnv, c.PasswordFile)
	if err != nil {
		return nil, fmt.Errorf("irc: password: %w", err)
	}
	k.password = password
	if err := k.setIdentity(c); err != nil {
		return nil, err
	}
	if err := k.setChannels(c.Channels); err != nil {
		return nil, err
	}
	if err := k.setHelix(c); err != nil {
		return nil, err
	}
	k.caps = k.capabilities(c.Moderator)
	return k, nil
}

func (k *Connector) setServer(c Config) error {
	server := strings.TrimSpace(c.Server)
	if server == "" {
		return errors.New("irc: server is missing")
	}
	k.transport = strings.ToLower(strings.TrimSpace(c.Transport))
	isURL := strings.HasPrefix(server, "ws://") || strings.HasPrefix(server, "wss://")
	if k.transport == "" {
		k.transport = TransportTLS
		if isURL {
			k.transport = TransportWebSocket
		}
	}
	switch k.transport {
	case TransportWebSocket:
		u, err := url.Parse(server)
		if err != nil || !isURL || u.Host == "" {
			return fmt.Errorf("irc: server %q: a websocket server is a ws:// or wss:// URL", redactURL(server))
		}
		if u.User != nil {
			// WebSocket URLs carry no credentials (RFC 6455 §3).
			return fmt.Errorf("irc: server %q: a websocket URL may not hold a user or password (set password_env or password_file)", redactURL(server))
		}
		k.wsURL = server
		k.host = strings.ToLower(u.Hostname())
		k.origin = strings.TrimSpace(c.Origin)
		if k.origin == "" {
			scheme := "https"
			if u.Scheme == "ws" {
				scheme = "http"
			}
			k.origin = scheme + "://" + u.Host
		}
	case TransportTCP, TransportTLS:
		if strings.Contains(server, "://") {
			return fmt.Errorf("irc: server %q: a %s server is host:port, without a scheme", redactURL(server), k.transport)
		}
		if strings.Contains(server, "@") {
			// Not printed: what is before the @ may be a password.
			return fmt.Errorf("irc: a %s server is host:port, without a user or password (set password_env or password_file)", k.transport)
		}
		host, port, err := net.SplitHostPort(server)
		if err != nil {
			// No port: the IANA ones.
			host, port = strings.Trim(server, "[]"), "6697"
			if k.transport == TransportTCP {
				port = "6667"
			}
		}
		if host == "" {
			return fmt.Errorf("irc: server %q has no host", server)
		}
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("irc: server %q: port %q is not a number from 1 to 65535", server, port)
		}
		if c.Origin != "" {
			return errors.New("irc: origin is only for the websocket transport")
		}
		k.addr = net.JoinHostPort(host, port)
		k.host = strings.ToLower(host)
	default:
		return fmt.Errorf("irc: transport %q is not one of tcp, tls, websocket", c.Transport)
	}
	return nil
}

func (k *Connector) setIdentity(c Config) error {
	k.nick = strings.TrimSpace(c.Nick)
	if k.twitch {
		if c.SASLUser != "" {
			return errors.New("irc: sasl_user is not used by twitch (the password is the chat token)")
		}
		k.password = strings.TrimPrefix(k.password, "oauth:")
		switch {
		case k.password == "" && k.nick != "" && !strings.HasPrefix(strings.ToLower(k.nick), "justinfan"):
			return fmt.Errorf("irc: twitch nick %q needs password_env or password_file (a chat OAuth token); leave nick out to read anonymously", k.nick)
		case k.password != "" && k.nick == "":
			return errors.New("irc: twitch needs nick, the login of the account whose token password_env or password_file holds")
		case k.nick == "":
			// Twitch's documented anonymous login: read-only.
			k.nick = "justinfan" + strconv.Itoa(10000+rand.IntN(90000))
		}
		k.nick = strings.ToLower(k.nick)
	}
	if k.nick == "" {
		return errors.New("irc: nick is missing")
	}
	if !validNick(k.nick) {
		return fmt.Errorf("irc: nick %q is not a valid nickname", k.nick)
	}
	k.user = strings.TrimSpace(c.User)
	if k.user == "" {
		k.user = k.nick
	}
	if !validNick(k.user) {
		return fmt.Errorf("irc: user %q is not a valid user name", k.user)
	}
	k.realname = strings.TrimSpace(c.Realname)
	if k.realname == "" {
		k.realname = "tribune"
	}
	if strings.ContainsAny(k.realname, "\r\n\x00") {
		return errors.New("irc: realname must be one line")
	}
	k.saslUser = strings.TrimSpace(c.SASLUser)
	if k.saslUser != "" && k.password == "" {
		return errors.New("irc: sasl_user needs password_env or password_file")
	}
	if strings.ContainsAny(k.password, "\r\n\x00") && k.saslUser == "" {
		return errors.New("irc: the password must be one line")
	}
	return nil
}

func (k *Connector) setChannels(chans []string) error {
	if len(chans) == 0 {
		return errors.New("irc: channels is empty: name at least one channel to join")
	}
	seen := make(map[string]bool)
	k.chanKeys = seen
	for _, ch := range chans {
		ch = strings.TrimSpace(ch)
		if ch != "" && !isChannel(ch) {
			ch = "#" + ch
		}
		if k.twitch {
			ch = strings.ToLower(ch)
		}
		if len(ch) < 2 || len(ch) > 200 || strings.ContainsAny(ch, " ,\x07\r\n\x00") {
			return fmt.Errorf("irc: channel %q is not a valid channel name", ch)
		}
		if key := foldName(ch); !seen[key] {
			seen[key] = true
			k.channels = append(k.channels, ch)
		}
	}
	return nil
}

func (k *Connector) setHelix(c Config) error {
	helixSet := c.ClientID != "" || c.HelixTokenEnv != "" || c.HelixTokenFile != "" || c.HelixURL != ""
	if !helixSet {
		return nil
	}
	if !k.twitch {
		return errors.New("irc: client_id and helix_* are for the twitch dialect")
	}
	if c.ClientID == "" {
		return errors.New("irc: client_id is missing (Twitch moderation needs the app's client id)")
	}
	token, err := feeds.ReadSecret(c.HelixTokenEnv, c.HelixTokenFile)
	if err != nil {
		return fmt.Errorf("irc: helix token: %w", err)
	}
	if token == "" {
		token = k.password
	}
	if token == "" {
		return errors.New("irc: client_id needs a token: helix_token_env, helix_token_file, or the chat password")
	}
	base := c.HelixURL
	if base == "" {
		base = DefaultHelixURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("irc: helix_url %q is not an http(s) URL", redactURL(base))
	}
	k.helix = newHelix(strings.TrimRight(base, "/"), c.ClientID, strings.TrimPrefix(token, "oauth:"))
	return nil
}

// capabilities declares what works with this configuration, and nothing more.
func (k *Connector) capabilities(moderator bool) feeds.Capabilities {
	if k.twitch {
		caps := feeds.Capabilities{
			// Twitch's documented limit on a chat message.
			MaxText: 500,
			// Twitch ignores an account for about 30 minutes when it
			// exceeds 20 messages per 30 s (100 for moderators and
			// broadcasters): stay at the documented numbers.
			Rate: feeds.Limit{Count: 20, Per: 30 * time.Second},
		}
		if moderator {
			caps.Rate.Count = 100
		}
		if k.password != "" {
			caps.Actions = append(caps.Actions, feeds.ActReply, feeds.ActPost)
		}
		if k.helix != nil {
			caps.Actions = append(caps.Actions, feeds.ActDelete, feeds.ActTimeout, feeds.ActBan, feeds.ActUnban)
		}
		return caps
	}
	return feeds.Capabilities{
		// Longer replies are split into several lines; past this many
		// characters a reply floods the channel.
		MaxText: 1000,
		Actions: []feeds.ActionKind{feeds.ActReply, feeds.ActPost, feeds.ActBan, feeds.ActUnban},
		// RFC 1459 §8.10 flood control, which most servers follow in
		// spirit, charges a client 2 s per line and lets it run 10 s
		// ahead before it delays or disconnects it. Three actions per 10 s
		// leaves room for split replies (a few lines each), keepalive
		// PINGs and the PING we send behind each action to confirm it.
		Rate: feeds.Limit{Count: 3, Per: 10 * time.Second},
	}
}

// Platform is "twitch" for the twitch dialect and "irc" otherwise.
func (k *Connector) Platform() string {
	if k.twitch {
		return "twitch"
	}
	return "irc"
}

// Capabilities are fixed by the configuration.
func (k *Connector) Capabilities() feeds.Capabilities {
	caps := k.caps
	caps.Actions = append([]feeds.ActionKind(nil), k.caps.Actions...)
	return caps
}

// newID invents an id for an event the server gave none. The "~" prefix
// keeps it apart from server ids, so it is never sent back as a reply tag.
func (k *Connector) newID() string {
	return k.idPrefix + strconv.FormatUint(k.idSeq.Add(1), 36)
}

// isLocalID reports whether id was invented by newID.
func isLocalID(id string) bool { return strings.HasPrefix(id, "~") }

// isChannel reports whether name is a channel rather than a nick: it starts
// with one of the common channel prefixes (RFC 2812 and most CHANTYPES).
func isChannel(name string) bool {
	return name != "" && strings.IndexByte("#&+!", name[0]) >= 0
}

// validNick accepts what can go on the wire as one parameter: no spaces,
// no prefix or channel characters, no controls.
func validNick(n string) bool {
	if n == "" || len(n) > 64 || n[0] == ':' || isChannel(n) {
		return false
	}
	for i := 0; i < len(n); i++ {
		if c := n[i]; c <= ' ' || c == ',' || c == '*' || c == '?' || c == '!' || c == '@' || c == 0x7f {
			return false
		}
	}
	return true
}

// foldName folds a nick or channel for comparison. Servers differ on case
// mapping (ascii, rfc1459); ASCII folding is right for both on letters.
func foldName(s string) string { return strings.ToLower(s) }

func sameName(a, b string) bool { return strings.EqualFold(a, b) }

// configured reports whether channel is one of the feed's channels.
func (k *Connector) configured(channel string) bool { return k.chanKeys[foldName(channel)] }

// redactURL is raw fit for an error message: without the user, password,
// query and fragment, any of which may hold a secret. What does not parse
// as a URL is cut at the first character that may start one of them.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		rest := raw
		scheme, after, ok := strings.Cut(raw, "://")
		if ok {
			rest = after
		}
		if i := strings.IndexAny(rest, "/?#"); i >= 0 {
			rest = rest[:i]
		}
		if i := strings.LastIndexByte(rest, '@'); i >= 0 {
			rest = rest[i+1:]
		}
		if ok {
			return scheme + "://" + rest
		}
		return rest
	}
	u.User = nil
	u.RawQuery, u.ForceQuery = "", false
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}
