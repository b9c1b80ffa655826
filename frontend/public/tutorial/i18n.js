// The tutorial page's message catalogue: English and Simplified Chinese,
// with the same keys (a test checks they match). The page is plain
// JavaScript, as the tutorial's own code is, so this mirrors the rules of
// the project's catalogue machinery (frontend/src/i18n/core.ts): the saved
// choice first, else the browser's first language we speak, else English;
// the choice is remembered under the same storage key.
(function () {
  'use strict';

  var STORAGE_KEY = 'signalbox.locale';
  var LOCALES = ['en', 'zh-CN'];

  var CATALOGUE = {
    en: {
      title: 'WebRTC tutorial: a video call through Signalbox',
      intro: 'Open this page in two tabs or on two devices with the same room name. The first one creates the room, the second one joins it, and the call starts. Open the developer console (Ctrl+Shift+J) to follow the messages, as in the tutorial.',
      language: 'Language',
      roomLabel: 'Room',
      promptRoom: 'Enter room name:',
      noRoom: 'No room name: reload the page to try again.',
      local: 'You',
      remote: 'The other peer',
      hangup: 'Hang up',
      consoleTitle: 'Console',
      share: 'Others on this network can join with: {url}',
      statusConnecting: 'Connecting to the signaling server…',
      statusCreated: 'Room {room} created. Waiting for someone to join…',
      statusJoined: 'Joined room {room}.',
      statusCalling: 'Setting up the call…',
      statusConnected: 'Call connected.',
      statusFull: 'Room {room} is full. Choose another room name.',
      statusPeerLeft: 'The other peer left. Waiting for someone to join…',
      statusHungUp: 'You hung up. Reload the page to call again.',
      statusMediaError: 'The camera could not be opened: {error}',
      statusDisconnected: 'Lost the connection to the server: {reason}',
      statusServerError: 'The server refused a request: {message}'
    },
    'zh-CN': {
      title: 'WebRTC 入门教程：通过 Signalbox 进行视频通话',
      intro: '在两个标签页或两台设备上用同一个房间名打开本页面。第一个创建房间，第二个加入房间，随后通话开始。按教程的做法打开开发者控制台（Ctrl+Shift+J）查看消息。',
      language: '语言',
      roomLabel: '房间',
      promptRoom: '输入房间名：',
      noRoom: '房间名不能为空：请刷新页面重试。',
      local: '你',
      remote: '对方',
      hangup: '挂断',
      consoleTitle: '控制台',
      share: '同一网络中的其他人可以通过此地址加入：{url}',
      statusConnecting: '正在连接信令服务器…',
      statusCreated: '已创建房间 {room}，等待他人加入…',
      statusJoined: '已加入房间 {room}。',
      statusCalling: '正在建立通话…',
      statusConnected: '通话已连接。',
      statusFull: '房间 {room} 已满，请换一个房间名。',
      statusPeerLeft: '对方已离开，等待他人加入…',
      statusHungUp: '你已挂断。刷新页面可再次通话。',
      statusMediaError: '无法打开摄像头：{error}',
      statusDisconnected: '与服务器的连接已断开：{reason}',
      statusServerError: '服务器拒绝了请求：{message}'
    }
  };

  function pickLocale(saved, languages) {
    if (saved === 'en' || saved === 'zh-CN') return saved;
    for (var i = 0; i < languages.length; i++) {
      var l = String(languages[i]).toLowerCase();
      if (l.indexOf('zh') === 0) return 'zh-CN';
      if (l.indexOf('en') === 0) return 'en';
    }
    return 'en';
  }

  function savedLocale() {
    try {
      return localStorage.getItem(STORAGE_KEY);
    } catch (e) {
      return null; // storage disabled (private mode)
    }
  }

  var locale = pickLocale(savedLocale(), navigator.languages || [navigator.language]);
  var listeners = [];

  // t renders key in the current locale, filling {name} placeholders.
  function t(key, params) {
    var text = CATALOGUE[locale][key];
    if (text === undefined) text = CATALOGUE.en[key];
    if (text === undefined) return key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      return params && params[name] !== undefined ? String(params[name]) : m;
    });
  }

  // apply renders every element with data-i18n under root.
  function apply(root) {
    document.documentElement.lang = locale;
    var nodes = (root || document).querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++) {
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    }
  }

  function setLocale(next) {
    if (LOCALES.indexOf(next) < 0 || next === locale) return;
    locale = next;
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch (e) {
      // the choice lasts for this page only
    }
    apply();
    for (var i = 0; i < listeners.length; i++) listeners[i](next);
  }

  window.tutorialI18n = {
    CATALOGUE: CATALOGUE,
    LOCALES: LOCALES,
    pickLocale: pickLocale,
    t: t,
    apply: apply,
    setLocale: setLocale,
    locale: function () { return locale; },
    onChange: function (f) { listeners.push(f); }
  };
})();
