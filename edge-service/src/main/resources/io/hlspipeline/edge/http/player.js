// The edge's live player. Plays the page's stream with hls.js where Media Source Extensions exist,
// natively otherwise (iOS Safari), and keeps its state in window.hlsState for tests:
//   engine         "hls.js" | "native" | null (no way to play HLS here)
//   fatalError     null, or "type: details" of the error that stopped playback
//   errors         every player error, fatal or not, oldest first (at most 50)
//   cspViolations  Content-Security-Policy violations on this page (a page bug when not empty)
//   playedSeconds  media time played, summed over video.played (a live stream does not start at 0)
//   latencySeconds wall clock minus the program-date-time being shown (this device's clock)
//   startupMs      navigation start to the first "playing" event, or null
(function () {
  'use strict';
  var MAX_ERRORS = 50;
  var video = document.getElementById('video');
  var src = video.getAttribute('data-src');
  var state = {
    streamId: video.getAttribute('data-stream-id'),
    engine: null,
    fatalError: null,
    errors: [],
    cspViolations: [],
    playedSeconds: 0,
    latencySeconds: null,
    startupMs: null
  };
  window.hlsState = state;
  var hls = null;

  function show(id, text) {
    // Always textContent: nothing from the network ever becomes markup.
    document.getElementById(id).textContent = text;
  }

  function recordError(message, fatal) {
    if (state.errors.length < MAX_ERRORS) {
      state.errors.push(message);
      var item = document.createElement('li');
      item.textContent = (fatal ? 'fatal: ' : '') + message;
      document.getElementById('errors').appendChild(item);
    }
    if (fatal && state.fatalError === null) {
      state.fatalError = message;
      show('status', 'stopped: ' + message);
    }
  }

  document.addEventListener('securitypolicyviolation', function (e) {
    state.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });

  if (window.Hls && window.Hls.isSupported()) {
    state.engine = 'hls.js';
    hls = new window.Hls();
    hls.on(window.Hls.Events.ERROR, function (event, data) {
      recordError(data.type + ': ' + data.details, data.fatal);
    });
    hls.loadSource(src);
    hls.attachMedia(video);
  } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
    state.engine = 'native';
    video.src = src;
  } else {
    recordError('this browser cannot play HLS', true);
  }
  show('engine', state.engine ? state.engine + (hls ? ' ' + window.Hls.version : '') : 'none');

  video.addEventListener('error', function () {
    var e = video.error;
    recordError('media: ' + (e ? e.code + ' ' + (e.message || '') : 'unknown'), true);
  });
  video.addEventListener('playing', function () {
    if (state.startupMs === null) {
      state.startupMs = Math.round(performance.now());
    }
    if (state.fatalError === null) {
      show('status', 'playing');
    }
  });
  video.addEventListener('waiting', function () {
    if (state.fatalError === null) {
      show('status', 'buffering');
    }
  });
  // No video.play() here: the muted autoplay attribute starts playback once media is there, and an
  // early play() would only be aborted by the source change.

  function playingDate() {
    if (hls) {
      return hls.playingDate;
    }
    // Safari maps PROGRAM-DATE-TIME to the media timeline through getStartDate().
    if (video.getStartDate) {
      var start = video.getStartDate().getTime();
      return isNaN(start) ? null : new Date(start + video.currentTime * 1000);
    }
    return null;
  }

  function update() {
    var played = 0;
    for (var i = 0; i < video.played.length; i++) {
      played += video.played.end(i) - video.played.start(i);
    }
    state.playedSeconds = played;
    show('played', played.toFixed(1) + ' s');
    var date = playingDate();
    if (date) {
      state.latencySeconds = (Date.now() - date.getTime()) / 1000;
      show('latency', state.latencySeconds.toFixed(2) + ' s');
    }
  }
  setInterval(update, 250);
})();
