// PeerJS server (npm "peer"), the signalling server a user would pick
// instead of Signalbox, for scripts/bench-compare.sh. It is the package's
// own PeerServer with three options changed:
//   - concurrent_limit (default 5,000 peers) raised to 100,000, so it can
//     hold the idle scenario's 19,000 connections;
//   - alive_timeout (default 90 s without a HEARTBEAT) raised to an hour:
//     the load generator does not send PeerJS's 5-second heartbeats (its
//     other columns answer the server's pings instead), and a run must not
//     lose its idle peers to that;
//   - host 127.0.0.1 (default "::", every interface): the benchmark stays on
//     loopback.
// PeerJS has no rooms: a client connects to /peerjs?key=peerjs&id=ID&token=T,
// is answered {"type":"OPEN"} and sends {"type":"CANDIDATE","dst":ID,
// "payload":...}, which the server relays to ID with "src" added.
// PORT sets the port.
'use strict';

const { PeerServer } = require('peer');

const port = Number(process.env.PORT || 9000);
const host = process.env.HOST || '127.0.0.1';

PeerServer({
  port,
  host,
  path: '/',
  concurrent_limit: 100000,
  alive_timeout: 3600 * 1000,
}, (server) => {
  console.log(`PeerJS server listening on ${host}:${server.address().port} (pid ${process.pid})`);
});
