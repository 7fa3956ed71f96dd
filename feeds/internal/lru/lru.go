// Package lru is the bounded map connectors keep what they learn from a
// platform in (user ids, handles, post refs): past its size it forgets the
// least recently used entry. It is not safe for concurrent use; a caller
// that shares one locks around it.
package lru

import "container/list"

// Cache maps keys to values, at most max of them.
type Cache[K comparable, V any] struct {
	max   int
	order *list.List // of *entry, most recent first
	items map[K]*list.Element
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns an empty cache of at most max entries.
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, order: list.New(), items: make(map[K]*list.Element)}
}

// Get returns k's value and makes it the most recent.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// Has reports whether k is held, without making it recent.
func (c *Cache[K, V]) Has(k K) bool {
	_, ok := c.items[k]
	return ok
}

// Put sets k's value and makes it the most recent, forgetting the least
// recent entry past max.
func (c *Cache[K, V]) Put(k K, v V) {
	if e, ok := c.items[k]; ok {
		e.Value.(*entry[K, V]).val = v
		c.order.MoveToFront(e)
		return
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{k, v})
	for c.order.Len() > c.max {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*entry[K, V]).key)
	}
}

// Remove forgets k and returns what it held.
func (c *Cache[K, V]) Remove(k K) (V, bool) {
	if e, ok := c.items[k]; ok {
		c.order.Remove(e)
		delete(c.items, k)
		return e.Value.(*entry[K, V]).val, true
	}
	var zero V
	return zero, false
}

// Len is how many entries are held.
func (c *Cache[K, V]) Len() int { return c.order.Len() }
