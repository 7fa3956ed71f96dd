package bluesky

import (
	"sync"

	"github.com/tribune/tribune/feeds/internal/lru"
)

// cache is lru.Cache shared by the stream and the actions: locked.
type cache[K comparable, V any] struct {
	mu sync.Mutex
	c  *lru.Cache[K, V]
}

func newLRU[K comparable, V any](max int) *cache[K, V] {
	return &cache[K, V]{c: lru.New[K, V](max)}
}

func (c *cache[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Get(k)
}

// Has reports whether k is held, without making it recent.
func (c *cache[K, V]) Has(k K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Has(k)
}

func (c *cache[K, V]) Put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.c.Put(k, v)
}

func (c *cache[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.c.Len()
}
