package dispatch

import (
	"fmt"
	"strings"

	"github.com/tribune/tribune/feeds"
	"github.com/tribune/tribune/feeds/outbox"
)

// What Authorize is asked for an incident: opening or closing one (the
// crisis mode), and adding to its timeline.
const (
	WhatCrisis = "crisis"
	WhatNote   = "note"
)

// IncidentStore is what incidents need of the store.
type IncidentStore interface {
	Incident() (outbox.Incident, error)
	SetIncident(outbox.Incident) (outbox.Incident, error)
	// AdoptIncident opens or closes the incident as another node of a
	// cluster did, without an audit entry (that node wrote it).
	AdoptIncident(outbox.Incident) (bool, error)
}

// incidents is the store's, when it keeps them.
func (d *Dispatcher) incidents() (IncidentStore, error) {
	is, ok := d.store.(IncidentStore)
	if !ok {
		return nil, fmt.Errorf("this store keeps no incidents")
	}
	return is, nil
}

// OpenIncident opens an incident for operator by (crisis mode), why being
// what prompted it (often the alert), and tells every session.
func (d *Dispatcher) OpenIncident(by, why string) (outbox.Incident, error) {
	return d.setIncident(outbox.Incident{Open: true, By: by, Why: why})
}

// CloseIncident closes the open incident, for operator by.
func (d *Dispatcher) CloseIncident(by string) (outbox.Incident, error) {
	return d.setIncident(outbox.Incident{By: by})
}

func (d *Dispatcher) setIncident(inc outbox.Incident) (outbox.Incident, error) {
	if err := d.authorize(inc.By, WhatCrisis, feeds.Action{}); err != nil {
		_, err = d.noted(outbox.Outgoing{}, err)
		return outbox.Incident{}, err
	}
	is, err := d.incidents()
	if err != nil {
		return outbox.Incident{}, err
	}
	d.holdMu.Lock() // stored and published in one step, as a hold is
	defer d.holdMu.Unlock()
	inc.Since = d.opts.Now()
	inc, err = is.SetIncident(inc)
	if err != nil {
		return outbox.Incident{}, err
	}
	d.hub.PublishIncident(inc)
	return inc, nil
}

// AdoptIncident opens or closes the incident as another front-end of a
// cluster did: no authorization (it was asked there), no audit entry
// (written there); every session is told.
func (d *Dispatcher) AdoptIncident(inc outbox.Incident) error {
	is, err := d.incidents()
	if err != nil {
		return err
	}
	d.holdMu.Lock()
	defer d.holdMu.Unlock()
	changed, err := is.AdoptIncident(inc)
	if err != nil || !changed {
		return err
	}
	d.hub.PublishIncident(inc)
	return nil
}

// Note adds an operator's note to the timeline (the audit log).
func (d *Dispatcher) Note(by, text string) error {
	text = strings.TrimSpace(text)
	if text == "" {
		return outbox.ErrEmptyText
	}
	if err := d.authorize(by, WhatNote, feeds.Action{}); err != nil {
		_, err = d.noted(outbox.Outgoing{}, err)
		return err
	}
	return d.store.Note(outbox.AuditEntry{By: by, What: outbox.AuditNote, Text: text})
}

// Star adds a message to the timeline: ev is what it said, as shown.
func (d *Dispatcher) Star(by string, ev feeds.Event) error {
	if err := d.authorize(by, WhatNote, feeds.Action{}); err != nil {
		_, err = d.noted(outbox.Outgoing{}, err)
		return err
	}
	return d.store.Note(outbox.AuditEntry{By: by, What: outbox.AuditStarred, Feed: ev.Feed, Channel: ev.Channel,
		Target: ev.ID, TargetAuthor: ev.Author, TargetText: ev.Text})
}

// publishIncident tells every session whether an incident is open, as
// stored.
func (d *Dispatcher) publishIncident() error {
	is, err := d.incidents()
	if err != nil {
		return nil // nothing to tell
	}
	inc, err := is.Incident()
	if err != nil {
		return err
	}
	d.hub.PublishIncident(inc)
	return nil
}
