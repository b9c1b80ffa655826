// Package rlimit lifts the process's limit on open files, so the server
// can hold as many connections as the system allows (each is a file).
//
// It must never import Wails or any other Signalbox package: it is a
// leaf, called once at start by signalbox and by sbload.
package rlimit
