package transport

import (
	"sync"

	"signalbox/signaling"
)

// DefaultBatch is how many outbox entries a Pump takes at a time.
const DefaultBatch = 16

// Sink is what a Pump writes to: one connection and its wire format.
// Only the Pump calls it, from one goroutine at a time.
type Sink interface {
	// Take appends the entries waiting in the current peer's outbox to dst
	// (signaling.Peer.Take with the connection as the link) and returns
	// it; nothing when the connection has no peer.
	Take(dst []signaling.Entry) []signaling.Entry
	// Pending reports how many entries wait in the outbox.
	Pending() int
	// WriteBatch encodes the entries and writes them in order, in as few
	// system calls as it can. With try, it runs on a sender's goroutine
	// and must not block: what the socket does not take is kept for
	// Flush (wspark.Sock's try mode). It returns the first write error.
	WriteBatch(batch []signaling.Entry, try bool) error
	// CanTry reports whether WriteBatch can write without blocking now.
	CanTry() bool
	// Flush writes what a try write kept, blocking up to the write
	// deadline; Stashed reports whether there is any.
	Flush() error
	Stashed() bool
	// Finish runs once, after the outbox was written, when Close was
	// asked: a close frame, a DISCONNECT packet. Nothing is written after.
	Finish()
	// Fail runs once when a write failed: the connection must end (its
	// read loop then sees the end and detaches the peer).
	Fail(err error)
}

// Pump is the writer of one connection (see the package doc). The zero
// Pump is not ready: call Init. Wake, Flush and Close never block on the
// network and may be called from anywhere; Stop belongs to the read loop.
//
// At most one writer runs at a time: the goroutine Wake starts, or a
// sender in Flush. It hands over by "stop, then look again": having found
// the outbox empty it stops, then asks again, because a push in between
// saw a writer running and started none.
type Pump struct {
	sink    Sink
	batches *sync.Pool // of *[]signaling.Entry, shared; nil: allocate

	mu      sync.Mutex
	writing bool // a writer runs (goroutine or Flush)
	closing bool // Close was asked: Finish after the outbox
	dead    bool // Stop was called: no writer starts
	writers sync.WaitGroup
}

// Init prepares p to write to sink, taking batch buffers from batches (a
// pool of *[]signaling.Entry shared by a server's connections, so an idle
// connection holds none), or allocating them when batches is nil.
func (p *Pump) Init(sink Sink, batches *sync.Pool) {
	p.sink, p.batches = sink, batches
}

// NewBatchPool returns a pool of batch buffers for Init.
func NewBatchPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]signaling.Entry, 0, DefaultBatch)
		return &b
	}}
}

// Wake starts a writer goroutine unless one runs. It never blocks: the hub
// calls it with its locks held (signaling.Link.Wake).
func (p *Pump) Wake() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.startLocked()
}

// startLocked starts the writer goroutine unless a writer runs or the
// connection is dead. p.mu must be held.
func (p *Pump) startLocked() {
	if p.writing || p.dead {
		return
	}
	p.writing = true
	p.writers.Add(1)
	go p.run()
}

// Flush writes what the outbox holds now from the caller's goroutine when
// no writer runs and the socket takes it without blocking; otherwise it
// does what Wake does. The hub calls it for a relayed message after it
// has released its locks (signaling.Flusher): the common case of a
// recipient with an empty queue then costs one write system call and no
// goroutine hand-off.
func (p *Pump) Flush() {
	if !p.sink.CanTry() {
		p.Wake()
		return
	}
	p.mu.Lock()
	if p.writing || p.dead || p.closing {
		p.startLocked()
		p.mu.Unlock()
		return
	}
	p.writing = true
	p.writers.Add(1)
	p.mu.Unlock()

	bp := p.getBatch()
	batch := p.sink.Take((*bp)[:0])
	err := p.writeAll(batch, true)
	p.putBatch(bp, batch)
	if err != nil {
		p.fail(err)
		p.writers.Done()
		return
	}
	if p.sink.Stashed() || p.sink.Pending() > 0 {
		go p.run() // the goroutine inherits the writer role and its count
		return
	}
	p.stop()
	p.writers.Done()
	p.lookAgain()
}

// lookAgain starts a writer when something arrived after the last Take
// (or a control frame was stashed) and no writer was started for it.
func (p *Pump) lookAgain() {
	if p.sink.Pending() == 0 && !p.sink.Stashed() {
		return
	}
	p.Wake()
}

// Close asks the writer to write what is pending, then to Finish.
func (p *Pump) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closing = true
	p.startLocked()
}

// Closing reports whether Close was asked.
func (p *Pump) Closing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closing
}

// Stop makes sure no writer starts any more and waits for the running
// one. The read loop calls it once the connection is over.
func (p *Pump) Stop() {
	p.mu.Lock()
	p.dead = true
	p.mu.Unlock()
	p.writers.Wait()
}

// Wait waits for the running writer, if any.
func (p *Pump) Wait() { p.writers.Wait() }

// run is the writer goroutine: it writes the outbox until it is empty,
// then Finishes if Close was asked, and ends.
func (p *Pump) run() {
	defer p.writers.Done()
	bp := p.getBatch()
	defer p.putBatch(bp, nil)
	for {
		if err := p.sink.Flush(); err != nil {
			p.fail(err)
			return
		}
		for {
			batch := p.sink.Take((*bp)[:0])
			if len(batch) == 0 {
				break
			}
			err := p.writeAll(batch, false)
			clear(batch)
			if err != nil {
				p.fail(err)
				return
			}
		}
		if err := p.sink.Flush(); err != nil {
			p.fail(err)
			return
		}
		p.mu.Lock()
		closing := p.closing
		p.mu.Unlock()
		if closing {
			p.sink.Finish()
			return // writing stays true: no writer starts after Finish
		}
		p.stop()
		if (p.sink.Pending() == 0 && !p.sink.Stashed()) || !p.resume() {
			return
		}
	}
}

// writeAll writes batch; the entries are cleared by the caller.
func (p *Pump) writeAll(batch []signaling.Entry, try bool) error {
	if len(batch) == 0 {
		return nil
	}
	return p.sink.WriteBatch(batch, try)
}

// fail ends the connection after a write error; the writer role is given
// up, and the connection's end stops any other.
func (p *Pump) fail(err error) {
	p.sink.Fail(err)
	p.stop()
}

func (p *Pump) stop() {
	p.mu.Lock()
	p.writing = false
	p.mu.Unlock()
}

// resume makes the caller the writer again, unless another writer started
// meanwhile or the connection is dead.
func (p *Pump) resume() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.writing || p.dead {
		return false
	}
	p.writing = true
	return true
}

func (p *Pump) getBatch() *[]signaling.Entry {
	if p.batches != nil {
		return p.batches.Get().(*[]signaling.Entry)
	}
	b := make([]signaling.Entry, 0, DefaultBatch)
	return &b
}

func (p *Pump) putBatch(bp *[]signaling.Entry, used []signaling.Entry) {
	clear(used)
	if p.batches != nil {
		*bp = (*bp)[:0]
		p.batches.Put(bp)
	}
}
