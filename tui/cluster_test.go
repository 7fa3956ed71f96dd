package tui

import (
	"context"
	"fmt"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/tribune/tribune/cluster"
	"github.com/tribune/tribune/feeds/hub"
)

// In a cluster front-end, the Stats pane says how it stands with the
// cluster, as the hub's cluster topic tells it: connected through which
// server and how far behind the event stream, or cut off.
func TestGoldenClusterHealth(t *testing.T) {
	for _, size := range []struct{ w, h int }{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			h := newHarness(t, "")
			h.seed(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tm := start(t, h.model(ctx), size.w, size.h)
			waitFor(t, tm, "précommande", "connecting")
			tm.Send(tickMsg{snap: h.stats.Snapshot(), health: []hub.Health{
				{Feed: "twitch", Platform: "twitch", State: hub.HealthConnected},
				{Feed: "mastodon", Platform: "mastodon", State: hub.HealthConnected},
				{Feed: "bluesky", Platform: "bluesky", State: hub.HealthConnected},
				{Feed: "irc", Platform: "irc", State: hub.HealthConnected},
			}, at: clock})
			waitFor(t, tm, "4 of 4 feeds live")
			hub.Publish(h.hub, cluster.TopicHealth, cluster.Health{Node: "fe-paris", Connected: false, Server: "nats-1"})
			waitFor(t, tm, "✗ cut off (last on nats-1)")
			hub.Publish(h.hub, cluster.TopicHealth, cluster.Health{Node: "fe-paris", Connected: true, Server: "nats-2", Pending: 1200, AckPending: 64})
			waitFor(t, tm, "● nats-2 · 1200 to deliver")
			golden.RequireEqual(t, []byte(finalView(t, tm)))
		})
	}
}
