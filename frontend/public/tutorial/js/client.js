'use strict';

// The tutorial's client.js ("WebRTC 入门教程（一）| 搭建WebRTC信令服务器"):
// ask for a room, connect with socket.io, "create or join" the room, and
// print what the server says, extended to a 1:1 video call the way the
// "webrtc-web" codelab's later steps do: offer, answer and ICE candidates
// travel as "message" objects through the server.
//
// Changes from the codelab, each for a reason:
//   - the camera opens before the room is joined, and "got user media" is
//     sent once joined, so it never goes out before there is a room;
//   - "ready" (the room is complete) starts the call on the creator's side,
//     as in the codelab's step 6;
//   - no STUN server from the internet: on a LAN, host candidates connect;
//   - addTrack/ontrack instead of the removed addStream/onaddstream;
//   - when the other peer leaves, the one who stays becomes the initiator
//     and waits for the next one, instead of reloading;
//   - the room may come from the address (?room=name), for links to share;
//   - what the page says comes from i18n.js (English, 简体中文), and the
//     console lines are mirrored on the page.

var i18n = window.tutorialI18n;

var isChannelReady = false;
var isInitiator = false;
var isStarted = false;
var localStream;
var pc;
var remoteStream;

var pcConfig = {
  iceServers: []
};

var localVideo = document.querySelector('#localVideo');
var remoteVideo = document.querySelector('#remoteVideo');
var hangupButton = document.querySelector('#hangup');

/////////////////////////////////////////////
// What the page shows: status, console mirror, language.

// (Not "status": a global of that name is window.status, a string.)
var shownStatus = { key: 'statusConnecting', params: {} };

function setStatus(key, params) {
  shownStatus = { key: key, params: params || {} };
  renderStatus();
}

function renderStatus() {
  document.querySelector('#status').textContent = i18n.t(shownStatus.key, shownStatus.params);
}

var shareURL = '';

function renderShare() {
  document.querySelector('#share').textContent = shareURL ? i18n.t('share', { url: shareURL }) : '';
}

var logPanel = document.querySelector('#log');
var maxLogLines = 300;
var consoleLog = console.log.bind(console);

// Every console.log line of the tutorial also goes to the page.
console.log = function () {
  consoleLog.apply(null, arguments);
  var parts = [];
  for (var i = 0; i < arguments.length; i++) {
    var a = arguments[i];
    parts.push(typeof a === 'string' ? a : describe(a));
  }
  logPanel.appendChild(document.createTextNode(parts.join(' ') + '\n'));
  while (logPanel.childNodes.length > maxLogLines) {
    logPanel.removeChild(logPanel.firstChild);
  }
  logPanel.scrollTop = logPanel.scrollHeight;
};

function describe(value) {
  var text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > 200 ? text.slice(0, 200) + '…' : text;
}

var languageSelect = document.querySelector('#language');
languageSelect.value = i18n.locale();
languageSelect.addEventListener('change', function () {
  i18n.setLocale(languageSelect.value);
});
i18n.onChange(function () {
  renderStatus();
  renderShare();
});
i18n.apply();
renderStatus();

/////////////////////////////////////////////
// The room.

var room = new URLSearchParams(location.search).get('room') || prompt(i18n.t('promptRoom'), 'foo');
document.querySelector('#room').textContent = room || '';

var socket = io.connect();

socket.on('created', function(room) {
  console.log('Created room ' + room);
  isInitiator = true;
  setStatus('statusCreated', { room: room });
});

socket.on('full', function(room) {
  console.log('Room ' + room + ' is full');
  setStatus('statusFull', { room: room });
});

socket.on('join', function (room){
  console.log('Another peer made a request to join room ' + room);
  console.log('This peer is the initiator of room ' + room + '!');
  isChannelReady = true;
});

socket.on('joined', function(room) {
  console.log('joined: ' + room);
  isChannelReady = true;
  setStatus('statusJoined', { room: room });
  sendMessage('got user media');
});

socket.on('ready', function(room) {
  console.log('Room ' + room + ' is ready');
  isChannelReady = true;
  if (isInitiator) {
    maybeStart();
  }
});

socket.on('log', function(array) {
  console.log.apply(console, array);
});

socket.on('ipaddr', function(ipaddr) {
  console.log('Server IP address is: ' + ipaddr);
  if (!shareURL) {
    shareURL = location.protocol + '//' + ipaddr + (location.port ? ':' + location.port : '') +
      location.pathname + '?room=' + encodeURIComponent(room);
    renderShare();
  }
});

// A peer left the room (Signalbox's "bye" event).
socket.on('bye', function(room) {
  console.log('Peer leaving room ' + room + '.');
  if (isStarted) {
    handleRemoteHangup();
  }
  isChannelReady = false;
  isInitiator = true; // the one who stays creates the next call
  setStatus('statusPeerLeft');
});

socket.on('error', function(err) {
  console.log('Server error:', err);
  if (err && err.code !== 'room-full') {
    setStatus('statusServerError', { message: err.message });
  }
});

socket.on('disconnect', function(reason) {
  console.log('Disconnected: ' + reason + '.');
  setStatus('statusDisconnected', { reason: reason });
});

////////////////////////////////////////////////

function sendMessage(message) {
  console.log('Client sending message: ', message);
  socket.emit('message', message);
}

// This client receives a message
socket.on('message', function(message) {
  console.log('Client received message:', message);
  if (message === 'got user media') {
    maybeStart();
  } else if (message.type === 'offer') {
    if (!isInitiator && !isStarted) {
      maybeStart();
    }
    pc.setRemoteDescription(new RTCSessionDescription(message));
    doAnswer();
  } else if (message.type === 'answer' && isStarted) {
    pc.setRemoteDescription(new RTCSessionDescription(message));
  } else if (message.type === 'candidate' && isStarted) {
    var candidate = new RTCIceCandidate({
      sdpMLineIndex: message.label,
      sdpMid: message.id,
      candidate: message.candidate
    });
    pc.addIceCandidate(candidate);
  } else if (message === 'bye' && isStarted) {
    handleRemoteHangup();
  }
});

////////////////////////////////////////////////////

function joinRoom() {
  if (!room) {
    console.log('No room name.');
    setStatus('noRoom');
    return;
  }
  socket.emit('create or join', room);
  console.log('Attempted to create or join room', room);
  if (location.hostname.match(/localhost|127\.0\.0/)) {
    socket.emit('ipaddr');
  }
}

navigator.mediaDevices.getUserMedia({
  audio: false,
  video: true
})
.then(gotStream)
.catch(function(e) {
  console.log('getUserMedia() error: ' + e.name);
  setStatus('statusMediaError', { error: e.name });
});

function gotStream(stream) {
  console.log('Adding local stream.');
  localStream = stream;
  localVideo.srcObject = stream;
  joinRoom();
}

function maybeStart() {
  console.log('>>>>>>> maybeStart() ', isStarted, localStream !== undefined, isChannelReady);
  if (!isStarted && typeof localStream !== 'undefined' && isChannelReady) {
    console.log('>>>>>> creating peer connection');
    setStatus('statusCalling');
    createPeerConnection();
    localStream.getTracks().forEach(function(track) {
      pc.addTrack(track, localStream);
    });
    isStarted = true;
    hangupButton.disabled = false;
    console.log('isInitiator', isInitiator);
    if (isInitiator) {
      doCall();
    }
  }
}

window.onbeforeunload = function() {
  sendMessage('bye');
};

hangupButton.addEventListener('click', function() {
  hangup();
  socket.emit('bye', room);
  setStatus('statusHungUp');
});

/////////////////////////////////////////////////////////

function createPeerConnection() {
  try {
    pc = new RTCPeerConnection(pcConfig);
    pc.onicecandidate = handleIceCandidate;
    pc.ontrack = handleRemoteTrack;
    pc.onconnectionstatechange = function() {
      console.log('Connection state: ' + pc.connectionState);
      if (pc.connectionState === 'connected') {
        setStatus('statusConnected');
      }
    };
    console.log('Created RTCPeerConnnection');
  } catch (e) {
    console.log('Failed to create PeerConnection, exception: ' + e.message);
    alert('Cannot create RTCPeerConnection object.');
    return;
  }
}

function handleIceCandidate(event) {
  console.log('icecandidate event: ', event);
  if (event.candidate) {
    sendMessage({
      type: 'candidate',
      label: event.candidate.sdpMLineIndex,
      id: event.candidate.sdpMid,
      candidate: event.candidate.candidate
    });
  } else {
    console.log('End of candidates.');
  }
}

function handleCreateOfferError(event) {
  console.log('createOffer() error: ', event);
}

function doCall() {
  console.log('Sending offer to peer');
  pc.createOffer().then(setLocalAndSendMessage, handleCreateOfferError);
}

function doAnswer() {
  console.log('Sending answer to peer.');
  pc.createAnswer().then(
    setLocalAndSendMessage,
    onCreateSessionDescriptionError
  );
}

function setLocalAndSendMessage(sessionDescription) {
  pc.setLocalDescription(sessionDescription);
  console.log('setLocalAndSendMessage sending message', sessionDescription);
  sendMessage({ type: sessionDescription.type, sdp: sessionDescription.sdp });
}

function onCreateSessionDescriptionError(error) {
  console.log('Failed to create session description: ' + error.toString());
}

function handleRemoteTrack(event) {
  console.log('Remote track added.');
  remoteStream = event.streams[0];
  remoteVideo.srcObject = remoteStream;
}

function hangup() {
  console.log('Hanging up.');
  stop();
  sendMessage('bye');
}

function handleRemoteHangup() {
  console.log('Session terminated.');
  stop();
  isInitiator = false;
}

function stop() {
  isStarted = false;
  hangupButton.disabled = true;
  if (pc) {
    pc.close();
  }
  pc = null;
  remoteVideo.srcObject = null;
}
