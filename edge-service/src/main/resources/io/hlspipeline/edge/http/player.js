// The edge's player. Plays the page's live stream, or one of its recordings (listed from
// /hls/{stream}/recordings; the video element's own controls give the seek bar), with hls.js where
// Media Source Extensions exist, natively otherwise (iOS Safari). "Jump to live" goes back to the
// live playlist. The page URL may name a start: ?recording={id}&t={seconds} (or ?recording=latest),
// and a playback token: ?token={token} when the edge signs playback. A live stream that has not
// started yet (404) is asked for again until it has.
// The state is kept in window.hlsState for tests:
//   engine         "hls.js" | "native" | null (no way to play HLS here)
//   mode           "live" | "recording"
//   source         the playlist URL being played
//   recordings     the recordings list as the edge returned it (null until loaded)
//   fatalError     null, or "type: details" of the error that stopped playback
//   errors         every player error, fatal or not, oldest first (at most 50)
//   cspViolations  Content-Security-Policy violations on this page (a page bug when not empty)
//   playedSeconds  media time played, summed over video.played (a live stream does not start at 0)
//   latencySeconds wall clock minus the program-date-time being shown (this device's clock)
//   lowLatency     true when the playlist has parts (EXT-X-PART-INF) and hls.js plays it in its
//                  low-latency mode, false for a playlist without parts (or with ?lowLatency=off),
//                  null until loaded
//   partTargetSeconds  EXT-X-PART-INF:PART-TARGET of a low-latency playlist, else null
//   targetLatencySeconds  hls.js's target distance from the live edge (PART-HOLD-BACK in
//                  low-latency mode, raised by a second per stall), null without hls.js
//   firstFrameDate program-date-time (ms since the epoch) of the first frame shown of the current
//                  source, or null
//   startupMs      navigation start to the first "playing" event, or null
(function () {
  'use strict';
  var MAX_ERRORS = 50;
  var video = document.getElementById('video');
  var liveSrc = video.getAttribute('data-src');
  var recordingsUrl = video.getAttribute('data-recordings');
  // Signed playback (the edge's EDGE_PLAYBACK_SECRET): /player/{stream}?token={token} plays
  // /s/{token}/hls/...; the recordings list then names signed playlists itself.
  var token = new URLSearchParams(window.location.search).get('token');
  // ?lowLatency=off plays a playlist with parts as standard HLS (to compare, or for a device that
  // struggles with part requests).
  var lowLatencyWanted = new URLSearchParams(window.location.search).get('lowLatency') !== 'off';
  if (token && /^[0-9]{1,12}\.[A-Za-z0-9_-]{43}$/.test(token)) {
    liveSrc = '/s/' + token + liveSrc;
    recordingsUrl = '/s/' + token + recordingsUrl;
  }
  var state = {
    streamId: video.getAttribute('data-stream-id'),
    engine: null,
    mode: 'live',
    source: null,
    recordings: null,
    fatalError: null,
    errors: [],
    cspViolations: [],
    playedSeconds: 0,
    latencySeconds: null,
    lowLatency: null,
    partTargetSeconds: null,
    targetLatencySeconds: null,
    firstFrameDate: null,
    startupMs: null
  };
  window.hlsState = state;
  var hls = null;
  var canHlsJs = !!(window.Hls && window.Hls.isSupported());
  var canNative = !canHlsJs && video.canPlayType('application/vnd.apple.mpegurl') !== '';

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

  // What hls.js says about an error beyond its kind: the reason, and the fragment or part it hit
  // (so a failure in a test or a viewer's report says which object did not parse or load).
  function errorContext(data) {
    var parts = [];
    var reason = data.reason || (data.error && data.error.message);
    if (reason) {
      parts.push(String(reason).slice(0, 200));
    }
    if (data.frag && data.frag.sn !== undefined) {
      parts.push('sn ' + data.frag.sn + (data.part ? ' part ' + data.part.index : ''));
    }
    if (data.response && data.response.code) {
      parts.push('HTTP ' + data.response.code);
    }
    return parts.length ? ' (' + parts.join('; ') + ')' : '';
  }

  document.addEventListener('securitypolicyviolation', function (e) {
    state.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });

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

  // The first frame shown of a source: its program-date-time.
  function watchFirstFrame(generation) {
    function onFrame() {
      if (generation !== sourceGeneration || state.firstFrameDate !== null) {
        return;
      }
      var date = playingDate();
      if (date) {
        state.firstFrameDate = date.getTime();
      } else if (video.requestVideoFrameCallback) {
        video.requestVideoFrameCallback(onFrame);
      }
    }
    if (video.requestVideoFrameCallback) {
      video.requestVideoFrameCallback(onFrame);
    } else {
      video.addEventListener('playing', onFrame, { once: true });
    }
  }

  var sourceGeneration = 0;
  // A live stream that has not started: the edge answers its master playlist with 404 until the
  // first segment exists (a publisher's own Go live page opens the player as it connects), and
  // hls.js never retries a 4xx. The page asks again, 1 s after the first 404, the wait doubling
  // to 8 s, until the stream is there or another source is chosen.
  var NOT_LIVE_FIRST_RETRY_MS = 1000;
  var NOT_LIVE_MAX_RETRY_MS = 8000;
  var notLiveRetryMs = NOT_LIVE_FIRST_RETRY_MS;

  function notLiveYet(data) {
    return state.mode === 'live' && data.fatal &&
        data.details === window.Hls.ErrorDetails.MANIFEST_LOAD_ERROR &&
        !!data.response && data.response.code === 404;
  }

  function retryWhenLive(src, generation) {
    show('status', 'waiting for the stream to start');
    var delay = notLiveRetryMs;
    notLiveRetryMs = Math.min(notLiveRetryMs * 2, NOT_LIVE_MAX_RETRY_MS);
    setTimeout(function () {
      if (generation === sourceGeneration) {
        play(src, 'live');
      }
    }, delay);
  }

  function play(src, mode) {
    sourceGeneration++;
    var generation = sourceGeneration;
    state.source = src;
    state.mode = mode;
    state.firstFrameDate = null;
    state.lowLatency = null;
    state.partTargetSeconds = null;
    state.fatalError = null;
    show('mode', mode === 'live' ? 'Live' : 'Recording');
    show('status', 'loading');
    document.getElementById('go-live').setAttribute('aria-pressed', mode === 'live' ? 'true' : 'false');
    if (hls) {
      hls.destroy();
      hls = null;
    }
    if (canHlsJs) {
      state.engine = 'hls.js';
      // Low-latency mode: with a playlist that has parts (LL-HLS) hls.js then loads parts, asks
      // for blocking reloads and delta updates, and keeps PART-HOLD-BACK behind the live edge; a
      // playlist without parts plays as standard HLS either way.
      // maxLiveSyncPlaybackRate: a player that fell behind its target latency (opened as the
      // stream started, or after a stall) plays up to 1.5x until it is back, instead of staying
      // behind for good.
      hls = new window.Hls({ lowLatencyMode: lowLatencyWanted, maxLiveSyncPlaybackRate: 1.5 });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (generation === sourceGeneration && notLiveYet(data)) {
          retryWhenLive(src, generation);
          return;
        }
        recordError(data.type + ': ' + data.details + errorContext(data), data.fatal);
      });
      hls.on(window.Hls.Events.MANIFEST_LOADED, function () {
        notLiveRetryMs = NOT_LIVE_FIRST_RETRY_MS;
      });
      hls.on(window.Hls.Events.LEVEL_LOADED, function (event, data) {
        var partTarget = data.details && data.details.partTarget;
        state.lowLatency = lowLatencyWanted && !!(partTarget && partTarget > 0);
        state.partTargetSeconds = state.lowLatency ? partTarget : null;
        show('low-latency', state.lowLatency
          ? 'on (part target ' + partTarget.toFixed(3) + ' s)'
          : lowLatencyWanted ? 'off (no parts)' : 'off (?lowLatency=off)');
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (canNative) {
      state.engine = 'native';
      video.src = src;
    } else {
      recordError('this browser cannot play HLS', true);
    }
    watchFirstFrame(sourceGeneration);
    show('engine', state.engine ? state.engine + (hls ? ' ' + window.Hls.version : '') : 'none');
    // No video.play() here: the muted autoplay attribute starts playback once media is there.
  }

  function recordingSrc(recording, seconds) {
    return recording.playlist + (seconds ? '?t=' + encodeURIComponent(seconds) : '');
  }

  function listRecordings(recordings) {
    var list = document.getElementById('recording-list');
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    recordings.forEach(function (r) {
      var item = document.createElement('li');
      var button = document.createElement('button');
      button.type = 'button';
      var when = r.started ? new Date(r.started).toISOString().replace('T', ' ').slice(0, 19) : '?';
      button.textContent = when + ' · ' + Math.round(r.durationSeconds) + ' s' +
          (r.ended ? '' : ' · live');
      button.setAttribute('data-recording-id', r.id);
      button.addEventListener('click', function () {
        play(recordingSrc(r, null), 'recording');
      });
      item.appendChild(button);
      list.appendChild(item);
    });
  }

  function loadRecordings() {
    return fetch(recordingsUrl, { headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.ok ? response.json() : { recordings: [] };
      })
      .then(function (body) {
        state.recordings = body.recordings || [];
        listRecordings(state.recordings);
        return state.recordings;
      })
      .catch(function (e) {
        recordError('recordings: ' + e, false);
        state.recordings = [];
        return state.recordings;
      });
  }

  document.getElementById('go-live').addEventListener('click', function () {
    play(liveSrc, 'live');
  });

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

  // ?recording={id|latest}&t={seconds}: start in a recording; otherwise live.
  var params = new URLSearchParams(window.location.search);
  var wanted = params.get('recording');
  var seconds = params.get('t');
  loadRecordings().then(function (recordings) {
    if (!wanted) {
      return;
    }
    var chosen = recordings.filter(function (r) {
      return r.id === wanted || (wanted === 'latest' && r === recordings[0]);
    })[0];
    if (chosen) {
      play(recordingSrc(chosen, seconds), 'recording');
    } else {
      recordError('no such recording', true);
    }
  });
  if (!wanted) {
    play(liveSrc, 'live');
  }

  function update() {
    var played = 0;
    for (var i = 0; i < video.played.length; i++) {
      played += video.played.end(i) - video.played.start(i);
    }
    state.playedSeconds = played;
    show('played', played.toFixed(1) + ' s');
    show('position', video.currentTime.toFixed(1) + ' s');
    var date = playingDate();
    if (hls && state.mode === 'live' && typeof hls.targetLatency === 'number') {
      state.targetLatencySeconds = hls.targetLatency;
    }
    if (date && state.mode === 'live') {
      state.latencySeconds = (Date.now() - date.getTime()) / 1000;
      show('latency', state.latencySeconds.toFixed(2) + ' s' +
        (state.targetLatencySeconds !== null
          ? ' (hls.js target ' + state.targetLatencySeconds.toFixed(2) + ' s)' : ''));
    } else if (state.mode !== 'live') {
      show('latency', '-');
    }
  }
  setInterval(update, 250);
})();
