// Package memtrim gives the memory a burst of work left behind back to the
// operating system once the burst has passed.
//
// A classroom connects all at once: thousands of connections are opened,
// upgraded and joined within seconds, and the heap grows to twice what they
// keep (the collector's goal) with the garbage of their handshakes. Go's
// background scavenger then returns free pages only down to that goal, so
// the server would keep twice its working memory for as long as the
// connections stay idle, which is most of a lesson. A Trimmer watches the
// allocation rate and, once it has dropped well below its peak and there is
// memory to give back, collects and releases it (debug.FreeOSMemory): one
// full collection per burst, none while the load is steady.
//
// Written by hand: the runtime offers the measurements (runtime/metrics)
// and the release, not the policy of when to use them.
//
// It must never import Wails or any other Signalbox package: main runs it
// beside the server, window or not.
package memtrim
