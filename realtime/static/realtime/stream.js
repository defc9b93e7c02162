/*
 * Sahakar event stream client (no dependencies). Protocol: docs/protocol.md.
 *
 *   <script src="{% static 'realtime/stream.js' %}" defer></script>
 *
 *   const stream = window.Sahakar.stream;          // connects on page load
 *   const off = stream.on("chat.message", (frame) => { ... });
 *   stream.on("*", fn);                           // every frame
 *   stream.onstatechange = (state) => { ... };    // or stream.on("state", fn)
 *   stream.send({type: "chat.send", ...});        // queued while disconnected
 *   stream.state  // "idle" | "connecting" | "open" | "reconnecting" | "unauthorized" | "closed"
 *
 * It reconnects with exponential backoff and jitter, remembers the server's last
 * checkpoint and the seqs it saw above it (per user, in sessionStorage, so the next page
 * of the same tab resumes too), sends {"type":"resume","after":checkpoint,"have":[...]}
 * after every reconnect and drops events it has already delivered: nothing missed, nothing
 * twice, even when live events arrived out of order or were lost by the server's layer. Add data-manual to the script tag to call stream.start() yourself, and
 * data-url to override the socket URL.
 */
(function () {
  "use strict";

  var CONTROL = { hello: 1, resumed: 1, checkpoint: 1, pong: 1, error: 1 };
  var STORAGE_PREFIX = "sahakar.stream.";
  var SEEN_LIMIT = 2000;
  var HAVE_LIMIT = 2000; // the server refuses longer "have" lists
  var OUTBOX_LIMIT = 100;

  function Stream(options) {
    options = options || {};
    this.url = options.url || defaultUrl();
    this.minDelay = options.minDelay || 500;
    this.maxDelay = options.maxDelay || 30000;
    this.pingEvery = options.pingEvery || 25000;
    this.pongWithin = options.pongWithin || 10000;
    // A seq stored by an earlier page is used only while it is this fresh.
    this.resumeWindow = options.resumeWindow || 10 * 60 * 1000;
    this.state = "idle";
    this.onstatechange = null;
    this.user = null;
    this.lastSeq = null; // highest seq delivered
    this.checkpoint = null; // every event up to it has been delivered (server's word)
    this.resuming = false;
    this._handlers = {};
    this._seen = new Set();
    this._seenOrder = [];
    this._outbox = [];
    this._attempt = 0;
    this._socket = null;
    this._timer = null;
    this._pingTimer = null;
    this._pongTimer = null;
    this._stopped = true;
  }

  function defaultUrl() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + "/ws/";
  }

  Stream.prototype.on = function (type, fn) {
    (this._handlers[type] = this._handlers[type] || []).push(fn);
    var self = this;
    return function off() {
      self._handlers[type] = (self._handlers[type] || []).filter(function (h) { return h !== fn; });
    };
  };

  Stream.prototype._emit = function (type, frame) {
    var lists = [this._handlers[type] || [], type === "state" ? [] : this._handlers["*"] || []];
    lists.forEach(function (list) {
      list.slice().forEach(function (fn) {
        try { fn(frame); } catch (err) { window.console && console.error(err); }
      });
    });
  };

  Stream.prototype._setState = function (state) {
    if (state === this.state) return;
    this.state = state;
    if (typeof this.onstatechange === "function") {
      try { this.onstatechange(state); } catch (err) { window.console && console.error(err); }
    }
    this._emit("state", state);
  };

  Stream.prototype.start = function () {
    if (!this._stopped) return this;
    this._stopped = false;
    this._connect();
    return this;
  };

  Stream.prototype.stop = function () {
    this._stopped = true;
    this._clearTimers();
    if (this._socket) this._socket.close(1000);
    this._socket = null;
    this._setState("closed");
  };

  /* Send a frame now, or once connected (at most OUTBOX_LIMIT are kept). */
  Stream.prototype.send = function (frame) {
    if (this.state === "open" && this._socket && this._socket.readyState === 1) {
      this._socket.send(JSON.stringify(frame));
      return true;
    }
    if (this._outbox.length >= OUTBOX_LIMIT) return false;
    this._outbox.push(frame);
    return true;
  };

  Stream.prototype._connect = function () {
    var self = this;
    this._clearTimers();
    if (this._socket) {
      var old = this._socket;
      this._socket = null; // its handlers now ignore it
      old.close(1000);
    }
    this._setState(this._attempt ? "reconnecting" : "connecting");
    var socket;
    try {
      socket = new WebSocket(this.url);
    } catch (err) {
      this._scheduleReconnect();
      return;
    }
    this._socket = socket;
    socket.onmessage = function (message) {
      if (socket !== self._socket) return;
      var frame;
      try { frame = JSON.parse(message.data); } catch (err) { return; }
      self._receive(frame);
    };
    socket.onclose = function (event) {
      if (socket !== self._socket) return;
      self._socket = null;
      self._clearTimers();
      if (self._stopped) return;
      if (event.code === 4401) {
        self._setState("unauthorized");
        self._stopped = true;
        return;
      }
      // 1013: the server is starting too many sockets; its reason is the (jittered)
      // number of seconds to wait.
      var retryAfter = event.code === 1013 ? parseFloat(event.reason) : NaN;
      self._scheduleReconnect(isFinite(retryAfter) ? retryAfter * 1000 : null);
    };
  };

  Stream.prototype._scheduleReconnect = function (retryAfter) {
    if (this._stopped) return;
    this._setState("reconnecting");
    var ceiling = Math.min(this.maxDelay, this.minDelay * Math.pow(2, this._attempt));
    // "full jitter": spread a crowd of reconnects
    var delay = retryAfter != null ? retryAfter : Math.random() * ceiling;
    this._attempt += 1;
    var self = this;
    this._timer = window.setTimeout(function () { self._connect(); }, delay);
  };

  /* Reconnect at once (e.g. the network came back) instead of waiting for the backoff. */
  Stream.prototype.reconnectNow = function () {
    if (this._stopped || this.state === "open" || this.state === "connecting") return;
    this._attempt = 0;
    this._connect();
  };

  Stream.prototype._receive = function (frame) {
    this._armPing();
    var type = frame.type;
    if (type === "hello") return this._hello(frame);
    if (type === "resumed") {
      this.resuming = false;
      this._advance(frame.seq);
      // An older server sends no checkpoint; its resumed seq was the position then.
      this._checkpointAt(typeof frame.checkpoint === "number" ? frame.checkpoint : frame.seq);
    } else if (type === "checkpoint") {
      this._checkpointAt(frame.seq);
    } else if (type === "error" && frame.field === "after" && typeof frame.seq === "number") {
      // Our position is beyond the server's stream (a database restored from a backup):
      // start again from where the server says, or nothing would ever arrive.
      this.resuming = false;
      this._restart(frame.seq);
    } else if (!CONTROL[type] && typeof frame.seq === "number") {
      if (this._seen.has(frame.seq)) return;
      this._remember(frame.seq);
      this._advance(frame.seq);
    }
    this._emit(type, frame);
  };

  Stream.prototype._hello = function (frame) {
    var userId = frame.user && frame.user.id;
    if (this.user && this.user.id !== userId) {
      this.lastSeq = null; // another user signed in on this tab
      this.checkpoint = null;
      this._seen.clear();
      this._seenOrder = [];
    }
    this.user = frame.user;
    if (this.checkpoint === null) this._restore(userId);
    this._attempt = 0;
    this._setState("open");
    if (this.checkpoint !== null && frame.seq < this.checkpoint) {
      this._restart(frame.seq); // the server's stream is behind us: restored from a backup
    } else if (this.checkpoint === null) {
      this._advance(frame.seq);
      this._checkpointAt(frame.seq);
    } else if (frame.seq > this.checkpoint) {
      this.resuming = true;
      this._socket.send(JSON.stringify({ type: "resume", after: this.checkpoint, have: this._have() }));
    }
    this._emit("hello", frame);
    var outbox = this._outbox;
    this._outbox = [];
    for (var i = 0; i < outbox.length; i++) this.send(outbox[i]);
  };

  /* Forget our position and take ``seq`` as the present, as a fresh client would. */
  Stream.prototype._restart = function (seq) {
    this.lastSeq = null;
    this.checkpoint = null;
    this._seen.clear();
    this._seenOrder = [];
    this._advance(seq);
    this._checkpointAt(seq);
  };

  Stream.prototype._remember = function (seq) {
    this._seen.add(seq);
    this._seenOrder.push(seq);
    if (this._seenOrder.length > SEEN_LIMIT) this._seen.delete(this._seenOrder.shift());
  };

  Stream.prototype._advance = function (seq) {
    if (typeof seq !== "number") return;
    if (this.lastSeq === null || seq > this.lastSeq) this.lastSeq = seq;
    this._store(); // also an out-of-order seq: it joins "have"
  };

  Stream.prototype._checkpointAt = function (seq) {
    if (typeof seq !== "number" || (this.checkpoint !== null && seq <= this.checkpoint)) return;
    this.checkpoint = seq;
    this._store();
  };

  /* Seqs delivered above the checkpoint: the resume skips them. */
  Stream.prototype._have = function () {
    var checkpoint = this.checkpoint;
    var have = this._seenOrder.filter(function (seq) { return seq > checkpoint; });
    return have.slice(-HAVE_LIMIT);
  };

  Stream.prototype._store = function () {
    if (!this.user || this.checkpoint === null) return;
    try {
      window.sessionStorage.setItem(STORAGE_PREFIX + this.user.id, JSON.stringify({
        seq: this.checkpoint, last: this.lastSeq, have: this._have(), at: Date.now()
      }));
    } catch (err) { /* private mode or full: resume within this page only */ }
  };

  Stream.prototype._restore = function (userId) {
    try {
      var stored = JSON.parse(window.sessionStorage.getItem(STORAGE_PREFIX + userId) || "null");
      if (stored && typeof stored.seq === "number" && Date.now() - stored.at < this.resumeWindow) {
        this.checkpoint = stored.seq;
        this.lastSeq = typeof stored.last === "number" ? stored.last : stored.seq;
        var self = this;
        (stored.have || []).forEach(function (seq) {
          if (typeof seq === "number" && !self._seen.has(seq)) self._remember(seq);
        });
      }
    } catch (err) { /* unreadable: start from the present */ }
  };

  /* A ping after a quiet spell; no answer in time means a dead link: reconnect. */
  Stream.prototype._armPing = function () {
    var self = this;
    window.clearTimeout(this._pingTimer);
    window.clearTimeout(this._pongTimer);
    this._pingTimer = window.setTimeout(function () {
      if (!self._socket || self._socket.readyState !== 1) return;
      self._socket.send(JSON.stringify({ type: "ping" }));
      self._pongTimer = window.setTimeout(function () {
        if (self._socket) self._socket.close(4000);
      }, self.pongWithin);
    }, this.pingEvery);
  };

  Stream.prototype._clearTimers = function () {
    window.clearTimeout(this._timer);
    window.clearTimeout(this._pingTimer);
    window.clearTimeout(this._pongTimer);
  };

  window.Sahakar = window.Sahakar || {};
  window.Sahakar.Stream = Stream;

  var script = document.currentScript;
  var stream = new Stream({ url: script && script.dataset.url });
  window.Sahakar.stream = stream;
  window.addEventListener("online", function () { stream.reconnectNow(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") stream.reconnectNow();
  });
  // Connect once every deferred script has run, so their listeners see the first frames.
  if (!(script && "manual" in script.dataset)) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { stream.start(); });
    } else {
      stream.start();
    }
  }
})();
