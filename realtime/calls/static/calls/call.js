/*
 * Sahakar in-call client over the /ws/ stream. Frames: docs/protocol.md "Calls".
 * Markup: templates/calls/_call.html.
 *
 * Up to data-mesh-limit people: a peer-to-peer mesh. The newcomer offers to everyone already
 * admitted (so two peers never offer to each other at once); the others answer. Above it:
 * the server relay, one connection publishing our tracks and one the server offers with
 * everyone else's (it offers again whenever publishers come or go). Every client derives the
 * mode from the same participant list. Opus is munged to mono <= 32 kbps with FEC and DTX.
 */
(function () {
  "use strict";

  var GATHER_WAIT_MS = 3000; // the relay takes no trickled candidates: wait for them
  // A relay that lost us (its process died, the network moved) is asked again, with backoff.
  var RELAY_CONNECT_MS = 15000; // publishing not connected by then: start over
  var RELAY_DISCONNECTED_MS = 5000; // "disconnected" this long: start over
  var RELAY_RETRY_MAX_MS = 30000;
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

  // One network sample from getStats() reports (each an iterable of stats objects): the
  // worst round trip, the lowest available outgoing bitrate, the loss, and a verdict.
  function callQuality(reports) {
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
    return { rtt: rtt, available: available, lossPct: lossPct, quality: quality };
  }

  // Resolves once the connection has gathered its candidates (or after GATHER_WAIT_MS).
  function gathered(pc) {
    return new Promise(function (resolve) {
      if (pc.iceGatheringState === "complete") { resolve(); return; }
      var timer = window.setTimeout(resolve, GATHER_WAIT_MS);
      pc.addEventListener("icegatheringstatechange", function () {
        if (pc.iceGatheringState === "complete") { window.clearTimeout(timer); resolve(); }
      });
    });
  }

  function Call(root, stream) {
    this.root = root;
    this.stream = stream;
    this.meeting = parseInt(root.dataset.meeting, 10);
    this.me = parseInt(root.dataset.me, 10);
    this.strings = JSON.parse(document.getElementById("call-strings").textContent);
    this.iceServers = [];
    this.meshLimit = parseInt(root.dataset.meshLimit, 10) || 4;
    this.mode = "mesh";
    this.peers = {};          // user id -> RTCPeerConnection (mesh)
    this.relayPub = null;     // our tracks to the relay
    this.relaySub = null;     // everyone else's from the relay
    this.relayTracks = {};    // mid -> publisher user id, from the relay's latest offer
    this.relayStreams = {};   // publisher user id -> MediaStream
    this.relayRetries = 0;    // restarts since the relay last connected (backoff)
    this.relayStarts = 0;
    this.relayRestart = null; // timer of a pending restart
    this.relayWatchdog = null;
    this.relaySubWatchdog = null;
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
      "call.relay.published": function (f) { if (f.meeting === self.meeting) self.onRelayPublished(f); },
      "call.relay.offer": function (f) { if (f.meeting === self.meeting) self.onRelayOffer(f); },
      "call.relay.video": function (f) { if (f.meeting === self.meeting) self.markVideo(f.video); },
      "error": function (f) {
        if (f.code === "forbidden" || f.code === "not_found" || f.code === "relay_full") self.status(f.code);
        if (f.code === "relay_unavailable") self.restartRelay();
      }
    };
    Object.keys(handlers).forEach(function (type) { self.stream.on(type, handlers[type]); });
    // After a reconnect the server has forgotten nothing durable; ask again to get the list.
    // The relay may have been lost with the socket's process: publish and subscribe afresh.
    this.stream.on("state", function (s) {
      if (s !== "open" || self.state === "left") return;
      self.send({ type: "call.join" });
      if (self.mode === "relay") { self.stopRelay(true); self.startRelay(); }
    });
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
    this.onParticipants(f.participants); // goes to the relay above the mesh limit
    if (this.mode !== "mesh") return;
    f.participants.forEach(function (p) {
      if (p.state === "admitted" && p.user !== self.me && !self.peers[p.user]) self.offerTo(p.user);
    });
  };

  Call.prototype.connections = function () {
    var out = Object.keys(this.peers).map(function (id) { return this.peers[id]; }, this);
    if (this.relayPub) out.push(this.relayPub);
    if (this.relaySub) out.push(this.relaySub);
    return out;
  };

  // Mesh <-> relay when the number of admitted people crosses the limit.
  Call.prototype.chooseMode = function (admitted) {
    var self = this;
    var wanted = admitted.length > this.meshLimit ? "relay" : "mesh";
    this.root.dataset.mode = wanted;
    if (wanted === this.mode) return;
    this.mode = wanted;
    if (wanted === "relay") {
      Object.keys(this.peers).forEach(function (id) { self.dropPeer(parseInt(id, 10)); });
      this.startRelay();
    } else {
      this.stopRelay(true);
      // Nobody is new here: the lower id offers, so two peers never offer to each other.
      admitted.forEach(function (id) { if (id > self.me && !self.peers[id]) self.offerTo(id); });
    }
  };

  Call.prototype.relayConnection = function () {
    var self = this;
    var pc = new RTCPeerConnection({ iceServers: this.iceServers, bundlePolicy: "max-bundle" });
    var lost = null;
    pc.onconnectionstatechange = function () {
      if (pc !== self.relayPub && pc !== self.relaySub) return;
      window.clearTimeout(lost);
      var state = pc.connectionState;
      if (state === "connected" && pc === self.relayPub) {
        self.relayRetries = 0;
        self.root.dataset.relay = "connected";
      }
      if (state === "failed" || state === "closed") self.restartRelay();
      if (state === "disconnected") {
        lost = window.setTimeout(function () {
          if (pc.connectionState !== "connected") self.restartRelay();
        }, RELAY_DISCONNECTED_MS);
      }
    };
    return pc;
  };

  Call.prototype.restartRelay = function () {
    var self = this;
    if (this.mode !== "relay" || this.state === "left" || this.relayRestart) return;
    var ceiling = Math.min(RELAY_RETRY_MAX_MS, 1000 * Math.pow(2, this.relayRetries));
    this.relayRetries += 1;
    this.stopRelay(true);
    this.root.dataset.relay = "restarting";
    this.relayRestart = window.setTimeout(function () {
      self.relayRestart = null;
      if (self.mode === "relay" && self.state !== "left") self.startRelay();
    }, ceiling * (0.5 + Math.random() / 2));
  };

  Call.prototype.startRelay = function () {
    var self = this;
    var pc = this.relayPub = this.relayConnection();
    this.relayStarts += 1;
    this.root.dataset.relay = "starting";
    this.root.dataset.relayStarts = String(this.relayStarts);
    this.relayWatchdog = window.setTimeout(function () {
      if (self.relayPub === pc && pc.connectionState !== "connected") self.restartRelay();
    }, RELAY_CONNECT_MS);
    this.local.getTracks().forEach(function (t) {
      var tr = pc.addTransceiver(t, { direction: "sendonly", streams: [self.local] });
      if (t.kind === "audio") self.capAudio(tr.sender);
      if (t.kind === "video" && self.audioOnly) tr.sender.replaceTrack(null);
    });
    pc.createOffer().then(function (offer) {
      return pc.setLocalDescription({ type: "offer", sdp: tuneOpus(offer.sdp) });
    }).then(function () { return gathered(pc); }).then(function () {
      if (self.relayPub === pc) self.send({ type: "call.relay.publish", sdp: pc.localDescription.sdp });
    }).catch(function (err) { console.error("relay publish", err); });
    this.send({ type: "call.relay.subscribe" });
  };

  Call.prototype.stopRelay = function (tell) {
    window.clearTimeout(this.relayWatchdog);
    window.clearTimeout(this.relaySubWatchdog);
    window.clearTimeout(this.relayRestart);
    this.relayRestart = null;
    delete this.root.dataset.relay;
    if (tell && (this.relayPub || this.relaySub)) this.send({ type: "call.relay.leave" });
    [this.relayPub, this.relaySub].forEach(function (pc) { if (pc) pc.close(); });
    this.relayPub = this.relaySub = null;
    Object.keys(this.relayStreams).forEach(function (id) { this.removeTile(id); }, this);
    this.relayStreams = {};
    this.relayTracks = {};
  };

  Call.prototype.onRelayPublished = function (f) {
    var pc = this.relayPub;
    if (!pc || pc.signalingState !== "have-local-offer") return; // an answer to an earlier try
    pc.setRemoteDescription({ type: "answer", sdp: f.sdp }).catch(function (err) {
      console.error("relay answer", err);
    });
  };

  Call.prototype.onRelayOffer = function (f) {
    var self = this;
    if (this.mode !== "relay") return;
    if (f.first && this.relaySub) { this.relaySub.close(); this.relaySub = null; }
    var pc = this.relaySub;
    if (!pc) {
      pc = this.relaySub = this.relayConnection();
      pc.ontrack = function (e) { self.onRelayTrack(e); };
      // A receiving connection the relay dropped before it connected (our answer refused,
      // its offer failed) is never offered again: start over as for the publishing one.
      window.clearTimeout(this.relaySubWatchdog);
      this.relaySubWatchdog = window.setTimeout(function () {
        if (self.relaySub === pc && pc.connectionState !== "connected") self.restartRelay();
      }, RELAY_CONNECT_MS);
    }
    this.relayTracks = f.tracks;
    var publishing = {};
    Object.keys(f.tracks).forEach(function (mid) { publishing[f.tracks[mid]] = true; });
    Object.keys(this.relayStreams).forEach(function (id) {
      if (!publishing[id]) { self.removeTile(id); delete self.relayStreams[id]; }
    });
    pc.setRemoteDescription({ type: "offer", sdp: f.sdp }).then(function () {
      return pc.createAnswer();
    }).then(function (answer) {
      return pc.setLocalDescription({ type: "answer", sdp: tuneOpus(answer.sdp) });
    }).then(function () { return gathered(pc); }).then(function () {
      if (self.relaySub === pc) self.send({ type: "call.relay.answer", sdp: pc.localDescription.sdp });
      self.markVideo(f.video);
    }).catch(function (err) { console.error("relay offer", err); });
  };

  Call.prototype.onRelayTrack = function (e) {
    var user = this.relayTracks[e.transceiver.mid];
    if (user === undefined) return;
    var media = this.relayStreams[user] || (this.relayStreams[user] = new MediaStream());
    media.getTracks().forEach(function (t) { if (t.kind === e.track.kind) media.removeTrack(t); });
    media.addTrack(e.track);
    this.showRemote(user, media);
  };

  // The relay forwards video only for the last speakers; the others are audio-only tiles.
  Call.prototype.markVideo = function (users) {
    var on = {};
    (users || []).forEach(function (id) { on[id] = true; });
    this.root.querySelectorAll("[data-role=remotes] video").forEach(function (video) {
      video.dataset.video = on[video.dataset.user] ? "on" : "off";
    });
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
    this.removeTile(userId);
  };

  Call.prototype.removeTile = function (userId) {
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
        li.textContent = p.name + (p.hand_raised ? " (" + self.strings.hand_raised + ")" : "") +
          (p.audio_only ? " (" + self.strings.audio_only + ")" : "") +
          (p.state === "waiting" ? " — " + self.strings.waiting_label : "");
        if (p.state === "waiting" && self.root.dataset.host === "1") self.decisionButtons(li, p.user);
        ul.appendChild(li);
      });
    }
    var admitted = {};
    list.forEach(function (p) { if (p.state === "admitted") admitted[p.user] = true; });
    Object.keys(this.peers).forEach(function (id) { if (!admitted[id]) self.dropPeer(parseInt(id, 10)); });
    if (this.state === "admitted" && this.local) {
      this.chooseMode(Object.keys(admitted).map(function (id) { return parseInt(id, 10); }));
    }
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
    this.audioOnly = on;
    this.replaceVideo(on ? null : this.tracks("video")[0] || null);
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
    var pcs = Object.keys(this.peers).map(function (id) { return this.peers[id]; }, this);
    if (this.relayPub) pcs.push(this.relayPub);
    pcs.forEach(function (pc) {
      pc.getTransceivers().forEach(function (tr) {
        if (tr.receiver.track && tr.receiver.track.kind === "video") tr.sender.replaceTrack(track);
      });
    });
  };

  Call.prototype.sampleStats = function () {
    var self = this;
    var pcs = this.connections();
    if (!pcs.length) return;
    Promise.all(pcs.map(function (pc) { return pc.getStats(); })).then(function (reports) {
      self.onSample(callQuality(reports));
    });
  };

  // Shows a network sample; three poor-bandwidth samples in a row switch to audio only.
  Call.prototype.onSample = function (sample) {
    var el = this.$("[data-role=network]");
    if (el) {
      el.dataset.quality = sample.quality;
      el.textContent = this.strings["net_" + sample.quality] + " · " + Math.round(sample.rtt) + " ms" +
        (isFinite(sample.available) ? " · " + Math.round(sample.available / 1000) + " kbps" : "");
    }
    this.lowSamples = sample.available < AUDIO_ONLY_BELOW_BPS ? this.lowSamples + 1 : 0;
    if (!this.audioOnly && this.lowSamples >= LOW_SAMPLES_BEFORE_FALLBACK) this.setAudioOnly(true, true);
  };

  Call.prototype.hangUp = function (tell) {
    if (tell !== false) this.send({ type: "call.leave" });
    this.state = "left";
    Object.keys(this.peers).forEach(function (id) { this.dropPeer(parseInt(id, 10)); }, this);
    this.stopRelay(false); // call.leave closes the server side too
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
    on("mute", function (e) { e.currentTarget.setAttribute("aria-pressed", call.toggleMute() ? "true" : "false"); });
    on("camera", function (e) { e.currentTarget.setAttribute("aria-pressed", call.toggleCamera() ? "true" : "false"); });
    on("screen", function () { call.shareScreen(); });
    on("hand", function (e) {
      var up = e.currentTarget.getAttribute("aria-pressed") !== "true";
      e.currentTarget.setAttribute("aria-pressed", up ? "true" : "false");
      call.send({ type: "call.flags", hand_raised: up });
    });
    on("audio-only", function () { call.setAudioOnly(!call.audioOnly, false); });
    on("leave", function () { call.hangUp(); call.status("left"); });
  }

  window.Sahakar = window.Sahakar || {};
  window.Sahakar.tuneOpus = tuneOpus;
  window.Sahakar.callQuality = callQuality;
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("call");
    if (root) wire(root);
  });
})();
