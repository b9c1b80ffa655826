// The signalling server of the WebRTC tutorial (docs: the course's
// "server.js"), ported only as far as socket.io v4 requires, for
// scripts/bench-compare.sh:
//   - socket.io v4 no longer has require('socket.io').listen(app): it is
//     new Server(app);
//   - io.sockets.adapter.rooms is a Map of Sets in v4: rooms.get(room).size
//     instead of Object.keys(rooms[room].sockets).length;
//   - node-static serves the tutorial's page; the benchmark needs no page,
//     so a plain 404 replaces it (no extra package to install);
//   - "message" is relayed to the sender's room instead of to every
//     connection (the tutorial's own comment: "for a real app, would be
//     room only"), so Node does the same work as Signalbox;
//   - the tutorial's log() echoes and its per-join broadcast to every
//     connection are kept but switched off unless TUTORIAL_LOGS=1: the join
//     broadcast alone sends N messages per join (N² for N connections), and
//     neither is work Signalbox does.
// PORT sets the port (the tutorial used 2013).
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const port = Number(process.env.PORT || 2013);
const host = process.env.HOST || '127.0.0.1';
const tutorialLogs = process.env.TUTORIAL_LOGS === '1';

const app = http.createServer((req, res) => {
  res.writeHead(404);
  res.end();
});

const io = new Server(app);

io.sockets.on('connection', (socket) => {

  // convenience function to log server messages to the client
  function log() {
    if (!tutorialLogs) return;
    const array = ['>>> Message from server: '];
    for (let i = 0; i < arguments.length; i++) {
      array.push(arguments[i]);
    }
    socket.emit('log', array);
  }

  socket.on('message', (message) => {
    log('Got message:', message);
    for (const room of socket.rooms) {
      if (room !== socket.id) socket.to(room).emit('message', message);
    }
  });

  socket.on('create or join', (room) => {
    const clientsInRoom = io.sockets.adapter.rooms.get(room);
    const numClients = clientsInRoom ? clientsInRoom.size : 0;

    log('Room ' + room + ' has ' + numClients + ' client(s)');
    log('Request to create or join room ' + room);

    if (numClients === 0) {
      socket.join(room);
      socket.emit('created', room);
    } else if (numClients === 1) {
      io.sockets.in(room).emit('join', room);
      socket.join(room);
      socket.emit('joined', room);
    } else { // max two clients
      socket.emit('full', room);
    }
    if (tutorialLogs) {
      socket.emit('emit(): client ' + socket.id + ' joined room ' + room);
      socket.broadcast.emit('broadcast(): client ' + socket.id + ' joined room ' + room);
    }
  });

});

app.listen(port, host, () => {
  console.log(`tutorial server listening on ${host}:${app.address().port} (pid ${process.pid})`);
});
