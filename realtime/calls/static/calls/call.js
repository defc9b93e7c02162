/*
 * Sahakar in-call client: peer-to-peer mesh (up to 4 people) over the /ws/ stream.
 * Frames: docs/protocol.md "Calls". Markup: templates/calls/_call.html.
 *
 * The newcomer offers to everyone already admitted (so two peers never offer to each other
 * at once); the others answer. Opus is munged to mono <= 32 kbps with in-band FEC and DTX.
 */
(function () {
  "use strict";

  var MESH_LIMIT = 4;
  var STATS_EVERY_MS = 2000;
  var AUDIO_ONLY_BELOW_BPS = 150000; // measured outgoing bandwidth for the automatic fallback
  var LOW_SAMPLES_BEFORE_FALLBACK = 3;
  var OPUS_PARAMS = { maxaveragebitrate: "32000", stereo: "0", "sprop-stereo": "0",
                      useinbandfec: "1", usedtx: "1" };

  function tuneOpus(sdp) {
    var match = sdp.match(/a=rtpmap:(\d+) opus\/48000/i);
    if (!match) return sdp;
    var pt = match[1];
    var fmtp = new RegExp("a=fmtp:" + pt + " ([^\\r\\n]*)");
    var params = {};
    var existing = sdp.match(fmtp);
    if (existing) {
      existing[1].split(";").forEach(function (kv) {
        var i = kv.indexOf("=");
        if (i > 0) params[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
      });
    }
    Object.keys(OPUS_PARAMS).forEach(function (k) { params[k] = OPUS_PARAMS[k]; });
    var line = "a=fmtp:" + pt + " " + Object.keys(params).map(function (k) {
      return k + "=" + params[k];
    }).join(";");
    if (existing) return sdp.replace(fmtp, line);
    return sdp.replace(new RegExp("(a=rtpmap:" + pt + " [^\\r\\n]*\\r?\\n)"), "$1" + line + "\r\n");
  }

  function Call(root, stream) {
    this.root = root;
    this.stream = stream;
    this.meeting = parseInt(root.dataset.meeting, 10);
    this.me = parseInt(root.dataset.me, 10);
    this.strings = JSON.parse(document.getElementById("call-strings").textContent);
    this.iceServers = [];
    this.peers = {};          // user id -> RTCPeerConnection
    this.local = null;        // MediaStream
    this.state = "idle";
    this.audioOnly = false;
    this.lowSamples = 0;
    this.lastBytes = {};
    this.statsTimer = null;
  }

  Call.prototype.$ = function (sel) { return this.root.querySelector(sel); };

  Call.prototype.status = function (key) {
    var el = this.$("[data-role=status]");
    if (el) el.textContent = this.strings[key] || key;
    this.root.dataset.state = key;
  };

  Call.prototype.preview = function () {
    var self = this;
    var constraints = { audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
                        video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { max: 30 } } };
    return navigator.mediaDevices.getUserMedia(constraints).catch(function () {
      self.audioOnly = true;
      return navigator.mediaDevices.getUserMedia({ audio: true });
    }).then(function (media) {
      self.local = media;
      var video = self.$("video[data-role=local]");
      if (video) { video.srcObject = media; video.play().catch(function () {}); }
      return media;
    });
  };

  Call.prototype.join = function () {
    var self = this;
    this.status("joining");
    var handlers = {
      "call.joined": function (f) { self.onJoined(f); },
      "call.admitted": function (f) { if (f.meeting === self.meeting) self.send({ type: "call.join" }); },
      "call.denied": function (f) { if (f.meeting === self.meeting) { self.status("denied"); self.hangUp(false); } },
      "call.waiting": function (f) { if (f.meeting === self.meeting) self.showWaiting(f); },
      "call.participants": function (f) { if (f.meeting === self.meeting) self.onParticipants(f.participants); },
      "call.offer": function (f) { if (f.meeting === self.meeting) self.onOffer(f); },
      "call.answer": function (f) { if (f.meeting === self.meeting) self.onAnswer(f); },
      "call.ice": function (f) { if (f.meeting === self.meeting) self.onIce(f); },
      "error": function (f) { if (f.code === "forbidden" || f.code === "not_found") self.status(f.code); }
    };
    Object.keys(handlers).forEach(function (type) { self.stream.on(type, handlers[type]); });
    // After a reconnect the server has forgotten nothing durable; ask again to get the list.
    this.stream.on("state", function (s) { if (s === "open" && self.state !== "left") self.send({ type: "call.join" }); });
    if (this.stream.state === "idle") this.stream.start();
    this.send({ type: "call.join" });
    this.statsTimer = window.setInterval(function () { self.sampleStats(); }, STATS_EVERY_MS);
  };

  Call.prototype.send = function (frame) {
    frame.meeting = this.meeting;
    this.stream.send(frame);
  };

  Call.prototype.onJoined = function (f) {
    if (f.meeting !== this.meeting) return;
    this.state = f.state;
    if (f.state === "waiting") { this.status("waiting"); return; }
    this.iceServers = f.ice_servers || [];
    this.status("in_call");
    var self = this;
    var others = f.participants.filter(function (p) { return p.state === "admitted" && p.user !== self.me; });
    this.onParticipants(f.participants);
    if (others.length + 1 > MESH_LIMIT) { this.status("too_many"); return; }
    others.forEach(function (p) { if (!self.peers[p.user]) self.offerTo(p.user); });
  };

  Call.prototype.peer = function (userId) {
    var self = this;
    if (this.peers[userId]) return this.peers[userId];
    var pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.peers[userId] = pc;
    this.local.getTracks().forEach(function (t) {
      var sender = pc.addTrack(t, self.local);
      if (t.kind === "audio") self.capAudio(sender);
      if (t.kind === "video" && self.audioOnly) sender.replaceTrack(null);
    });
    pc.onicecandidate = function (e) {
      self.send({ type: "call.ice", to: userId, candidate: e.candidate ? e.candidate.toJSON() : null });
    };
    pc.ontrack = function (e) { self.showRemote(userId, e.streams[0] || new MediaStream([e.track])); };
    pc.onconnectionstatechange = function () {
      if (pc.connectionState === "failed" || pc.connectionState === "closed") self.dropPeer(userId);
    };
    return pc;
  };

  Call.prototype.capAudio = function (sender) {
    var params = sender.getParameters();
    if (!params.encodings || !params.encodings.length) params.encodings = [{}];
    params.encodings[0].maxBitrate = 32000;
    sender.setParameters(params).catch(function () {});
  };

  Call.prototype.offerTo = function (userId) {
    var self = this;
    var pc = this.peer(userId);
    pc.createOffer().then(function (offer) {
      return pc.setLocalDescription({ type: "offer", sdp: tuneOpus(offer.sdp) });
    }).then(function () {
      self.send({ type: "call.offer", to: userId, sdp: pc.localDescription.sdp });
    });
  };

  Call.prototype.onOffer = function (f) {
    var self = this;
    if (this.peers[f.from]) this.dropPeer(f.from); // a rejoin: start afresh
    var pc = this.peer(f.from);
    pc.setRemoteDescription({ type: "offer", sdp: f.sdp }).then(function () {
      return pc.createAnswer();
    }).then(function (answer) {
      return pc.setLocalDescription({ type: "answer", sdp: tuneOpus(answer.sdp) });
    }).then(function () {
      self.send({ type: "call.answer", to: f.from, sdp: pc.localDescription.sdp });
    });
  };

  Call.prototype.onAnswer = function (f) {
    var pc = this.peers[f.from];
    if (pc) pc.setRemoteDescription({ type: "answer", sdp: f.sdp });
  };

  Call.prototype.onIce = function (f) {
    var pc = this.peers[f.from];
    if (pc && f.candidate) pc.addIceCandidate(f.candidate).catch(function () {});
  };

  Call.prototype.showRemote = function (userId, media) {
    var box = this.$("[data-role=remotes]");
    var video = box.querySelector("video[data-user='" + userId + "']");
    if (!video) {
      video = document.createElement("video");
      video.dataset.user = String(userId);
      video.autoplay = true;
      video.playsInline = true;
      box.appendChild(video);
    }
    video.srcObject = media;
    video.play().catch(function () {});
  };

  Call.prototype.dropPeer = function (userId) {
    var pc = this.peers[userId];
    if (pc) { pc.onconnectionstatechange = null; pc.close(); }
    delete this.peers[userId];
    var video = this.root.querySelector("video[data-user='" + userId + "']");
    if (video) video.remove();
  };

  Call.prototype.onParticipants = function (list) {
    var self = this;
    var ul = this.$("[data-role=participants]");
    if (ul) {
      ul.textContent = "";
      list.forEach(function (p) {
        var li = document.createElement("li");
        li.dataset.user = String(p.user);
        li.textContent = p.name + (p.hand_raised ? " ✋" : "") + (p.audio_only ? " 🔈" : "") +
          (p.state === "waiting" ? " — " + self.strings.waiting_label : "");
        if (p.state === "waiting" && self.root.dataset.host === "1") self.decisionButtons(li, p.user);
        ul.appendChild(li);
      });
    }
    var admitted = {};
    list.forEach(function (p) { if (p.state === "admitted") admitted[p.user] = true; });
    Object.keys(this.peers).forEach(function (id) { if (!admitted[id]) self.dropPeer(parseInt(id, 10)); });
  };

  Call.prototype.showWaiting = function () { this.send({ type: "call.join" }); };

  Call.prototype.decisionButtons = function (li, userId) {
    var self = this;
    [["admit", "call.admit"], ["deny", "call.deny"]].forEach(function (pair) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = self.strings[pair[0]];
      b.dataset.action = pair[0];
      b.addEventListener("click", function () { self.send({ type: pair[1], user: userId }); });
      li.appendChild(b);
    });
  };

  Call.prototype.tracks = function (kind) {
    return this.local ? this.local.getTracks().filter(function (t) { return t.kind === kind; }) : [];
  };

  Call.prototype.videoSenders = function () {
    var out = [];
    Object.keys(this.peers).forEach(function (id) {
      this.peers[id].getSenders().forEach(function (s) {
        if ((s.track && s.track.kind === "video") || (!s.track && s._video)) out.push(s);
      });
    }, this);
    return out;
  };

  Call.prototype.toggleMute = function () {
    var t = this.tracks("audio");
    t.forEach(function (x) { x.enabled = !x.enabled; });
    return t.length && !t[0].enabled;
  };

  Call.prototype.toggleCamera = function () {
    var t = this.tracks("video");
    t.forEach(function (x) { x.enabled = !x.enabled; });
    return t.length && !t[0].enabled;
  };

  Call.prototype.setAudioOnly = function (on, automatic) {
    var self = this;
    this.audioOnly = on;
    var video = this.tracks("video")[0] || null;
    Object.keys(this.peers).forEach(function (id) {
      self.peers[id].getTransceivers().forEach(function (tr) {
        if (tr.receiver.track && tr.receiver.track.kind === "video") tr.sender.replaceTrack(on ? null : video);
      });
    });
    this.send({ type: "call.flags", audio_only: on });
    if (automatic) this.status("fallback");
  };

  Call.prototype.shareScreen = function () {
    var self = this;
    if (!navigator.mediaDevices.getDisplayMedia) return;
    navigator.mediaDevices.getDisplayMedia({ video: true }).then(function (screen) {
      var track = screen.getVideoTracks()[0];
      self.replaceVideo(track);
      track.onended = function () { self.replaceVideo(self.tracks("video")[0] || null); };
    }).catch(function () {});
  };

  Call.prototype.replaceVideo = function (track) {
    var self = this;
    Object.keys(this.peers).forEach(function (id) {
      self.peers[id].getTransceivers().forEach(function (tr) {
        if (tr.receiver.track && tr.receiver.track.kind === "video") tr.sender.replaceTrack(track);
      });
    });
  };

  Call.prototype.sampleStats = function () {
    var self = this;
    var ids = Object.keys(this.peers);
    if (!ids.length) return;
    Promise.all(ids.map(function (id) { return self.peers[id].getStats(); })).then(function (reports) {
      var rtt = 0, available = Infinity, lost = 0, received = 0;
      reports.forEach(function (report) {
        report.forEach(function (s) {
          if (s.type === "candidate-pair" && s.nominated && s.state === "succeeded") {
            if (s.currentRoundTripTime) rtt = Math.max(rtt, s.currentRoundTripTime * 1000);
            if (s.availableOutgoingBitrate) available = Math.min(available, s.availableOutgoingBitrate);
          }
          if (s.type === "inbound-rtp") { lost += s.packetsLost || 0; received += s.packetsReceived || 0; }
        });
      });
      var lossPct = received ? (100 * lost) / (lost + received) : 0;
      var quality = rtt > 400 || lossPct > 8 || available < AUDIO_ONLY_BELOW_BPS ? "poor"
        : rtt > 200 || lossPct > 3 || available < 400000 ? "fair" : "good";
      var el = self.$("[data-role=network]");
      if (el) {
        el.dataset.quality = quality;
        el.textContent = self.strings["net_" + quality] + " · " + Math.round(rtt) + " ms" +
          (isFinite(available) ? " · " + Math.round(available / 1000) + " kbps" : "");
      }
      self.lowSamples = available < AUDIO_ONLY_BELOW_BPS ? self.lowSamples + 1 : 0;
      if (!self.audioOnly && self.lowSamples >= LOW_SAMPLES_BEFORE_FALLBACK) self.setAudioOnly(true, true);
    });
  };

  Call.prototype.hangUp = function (tell) {
    if (tell !== false) this.send({ type: "call.leave" });
    this.state = "left";
    Object.keys(this.peers).forEach(function (id) { this.dropPeer(parseInt(id, 10)); }, this);
    window.clearInterval(this.statsTimer);
    if (this.local) this.local.getTracks().forEach(function (t) { t.stop(); });
  };

  // Pre-join network check: round trip and download speed against our own server.
  function networkCheck(url, out) {
    var started = performance.now();
    return fetch(url, { cache: "no-store" }).then(function (r) { return r.arrayBuffer(); }).then(function (buf) {
      var seconds = (performance.now() - started) / 1000;
      var kbps = Math.round((buf.byteLength * 8) / seconds / 1000);
      out.dataset.kbps = String(kbps);
      return kbps;
    });
  }

  function wire(root) {
    var stream = window.Sahakar && window.Sahakar.stream;
    var call = new Call(root, stream);
    window.Sahakar.call = call;
    var on = function (action, fn) {
      var b = root.querySelector("[data-action=" + action + "]");
      if (b) b.addEventListener("click", fn);
    };
    var ready = call.preview().then(function () { call.status("ready"); });
    ready.catch(function () { call.status("no_media"); });
    var check = root.querySelector("[data-role=netcheck]");
    if (check) networkCheck(root.dataset.netcheck, check).then(function (kbps) {
      check.textContent = call.strings.netcheck.replace("%s", kbps);
      var box = root.querySelector("[name=audio_only]");
      if (box && kbps < 300) box.checked = true;
    }).catch(function () {});
    on("join", function () {
      var box = root.querySelector("[name=audio_only]");
      if (box && box.checked) call.audioOnly = true;
      root.classList.add("in-call");
      ready.then(function () {
        call.join();
        if (call.audioOnly) call.send({ type: "call.flags", audio_only: true });
      });
    });
    on("mute", function (e) { e.target.setAttribute("aria-pressed", call.toggleMute() ? "true" : "false"); });
    on("camera", function (e) { e.target.setAttribute("aria-pressed", call.toggleCamera() ? "true" : "false"); });
    on("screen", function () { call.shareScreen(); });
    on("hand", function (e) {
      var up = e.target.getAttribute("aria-pressed") !== "true";
      e.target.setAttribute("aria-pressed", up ? "true" : "false");
      call.send({ type: "call.flags", hand_raised: up });
    });
    on("audio-only", function () { call.setAudioOnly(!call.audioOnly, false); });
    on("leave", function () { call.hangUp(); call.status("left"); });
  }

  window.Sahakar = window.Sahakar || {};
  window.Sahakar.tuneOpus = tuneOpus;
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("call");
    if (root) wire(root);
  });
})();
