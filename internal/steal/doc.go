// Package steal records when the hypervisor took this machine's processors
// away: the steal time of /proc/stat, per short window of a benchmark run.
//
// On a virtual machine the host can stop a guest's virtual processors for
// milliseconds at a time; everything on them stops, whatever it is. On the
// two-core machines these benchmarks run on, that steal comes in bursts
// (15 % of a second while idle has been seen), and nearly every relayed
// datagram or message late by more than 5 ms was sent or received in a
// window where the host stole time (docs/benchmarks.md, "Steal"). A
// latency percentile taken over such windows measures the host, not the
// server. A Timeline lets a benchmark report both: the tail of everything,
// and the tail of the samples that crossed no window with steal.
//
// The counter is read through github.com/prometheus/procfs. It moves in
// the kernel's USER_HZ ticks (10 ms), so a short steal may show up in the
// window after it happened: Quiet therefore also refuses a sample whose
// neighbouring windows saw steal.
//
// This package is for benchmarks (cmd/turnbench, cmd/sbload) and must never
// import anything of Signalbox.
package steal
