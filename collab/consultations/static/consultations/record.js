/*
 * The record button of a consultation call (templates/consultations/call.html): one more
 * peer connection, from the doctor's browser to the server's recorder, carrying the doctor's
 * microphone and the patient's sound and picture as the doctor receives them.
 * Frames: docs/protocol.md "Recording (consultations)".
 */
(function () {
  "use strict";

  function wire(panel) {
    var stream = window.Sahakar.stream;
    var strings = JSON.parse(document.getElementById("record-strings").textContent);
    var appointment = parseInt(panel.dataset.appointment, 10);
    var startButton = panel.querySelector("[data-action=record-start]");
    var stopButton = panel.querySelector("[data-action=record-stop]");
    var status = panel.querySelector("[data-role=record-status]");
    var pc = null;
    var recording = null;

    function show(state, text) {
      panel.dataset.state = state;
      status.textContent = text || "";
      startButton.hidden = state === "recording" || state === "stopping";
      stopButton.hidden = !startButton.hidden;
    }

    function close() {
      if (pc) pc.close();
      pc = null;
    }

    // What goes into the file: our own audio, and the patient's audio and video.
    function tracks(call) {
      var out = call.tracks("audio");
      call.root.querySelectorAll("[data-role=remotes] video").forEach(function (video) {
        if (video.srcObject) out = out.concat(video.srcObject.getTracks());
      });
      return out;
    }

    startButton.addEventListener("click", function () {
      var call = window.Sahakar.call;
      if (!call || call.state !== "admitted" || !call.local) { show("idle", strings.no_call); return; }
      show("starting", strings.starting);
      pc = new RTCPeerConnection({ iceServers: call.iceServers, bundlePolicy: "max-bundle" });
      panel.recordConnection = pc;  // for diagnostics (and the browser test): getStats()
      pc.addEventListener("connectionstatechange", function (event) {
        panel.dataset.connection = event.target.connectionState;  // media reaches the server
      });
      var seen = {};
      tracks(call).forEach(function (t) {
        if (seen[t.kind] && t.kind === "video") return; // one picture: the patient's
        seen[t.kind] = true;
        pc.addTransceiver(t, { direction: "sendonly" });
      });
      var mine = pc;
      pc.createOffer().then(function (offer) {
        return mine.setLocalDescription(offer);
      }).then(function () {
        return new Promise(function (resolve) {
          if (mine.iceGatheringState === "complete") { resolve(); return; }
          var timer = window.setTimeout(resolve, 3000);
          mine.addEventListener("icegatheringstatechange", function () {
            if (mine.iceGatheringState === "complete") { window.clearTimeout(timer); resolve(); }
          });
        });
      }).then(function () {
        stream.send({ type: "consultation.record.start", id: "record-start", appointment: appointment,
                      sdp: mine.localDescription.sdp });
      });
    });

    stopButton.addEventListener("click", function () {
      if (recording === null) return;
      show("stopping", strings.stopping);
      stream.send({ type: "consultation.record.stop", id: "record-stop", recording: recording });
    });

    // Consent given or withdrawn by either party shows at once (a durable event).
    stream.on("consultation.consent", function (f) {
      if (f.appointment !== appointment) return;
      Object.keys(f.consents).forEach(function (role) {
        var item = panel.querySelector("[data-consent=" + role + "]");
        if (!item) return;
        item.dataset.given = f.consents[role] ? "1" : "0";
        item.querySelector("[data-role=consent-state]").textContent =
          f.consents[role] ? strings.consented : strings.not_consented;
      });
      panel.querySelector("[data-role=consent-needed]").hidden = f.recording_allowed;
      startButton.disabled = !f.recording_allowed;
      var state = panel.dataset.state;
      if (state === "recording" || state === "stopping") return;
      if (!f.recording_allowed) show("no_consent", "");
      else if (state === "no_consent") show("idle", "");
    });

    stream.on("consultation.record.started", function (f) {
      if (!pc) return;
      recording = f.recording;
      pc.setRemoteDescription({ type: "answer", sdp: f.sdp });
      show("recording", strings.recording);
    });
    stream.on("consultation.record.stopped", function (f) {
      if (f.recording !== recording) return;
      recording = null;
      close();
      show("stopped", strings.stopped.replace("%s", Math.round(f.size / 1024)));
    });
    stream.on("error", function (f) {
      if (f.id !== "record-start" && f.id !== "record-stop") return;
      if (f.id === "record-start") close();
      show(f.id === "record-start" ? "failed" : "recording", strings.failed.replace("%s", f.detail));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.getElementById("record");
    if (panel && window.Sahakar && window.Sahakar.stream) wire(panel);
  });
})();
