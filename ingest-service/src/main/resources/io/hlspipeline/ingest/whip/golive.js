// The "Go live" page: picks a camera and microphone, publishes them over WHIP (RFC 9725: one POST
// of the SDP offer with the stream key as Bearer token, the answer back, DELETE on the Location
// to stop) and shows the edge's player for the stream. window.golive is read by tests.
// The offer goes out before candidate gathering, which then uses the STUN and TURN servers of the
// answer's Link headers (RFC 9725 §4.6); the candidates follow in one PATCH (RFC 8840). So a
// broadcaster whom no direct path reaches goes live through the TURN relay. ?relay=1 uses the
// relay only (iceTransportPolicy 'relay'), to check that path.
'use strict';
const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
const relayOnly = params.get('relay') === '1';
$('stream').value = params.get('stream') || '';
$('edge').value = params.get('edge') || '';
window.golive = {
  devices: false, state: 'idle', error: null, location: null, deleted: null,
  iceServers: [], candidates: [], patched: null };
let pc = null;
let media = null;

function show(state, error) {
  window.golive.state = state;
  $('state').textContent = state;
  if (error !== undefined) {
    window.golive.error = error === null ? null : String(error);
    $('error').textContent = error === null ? '' : String(error);
  }
}

function fill(select, devices, kind) {
  select.replaceChildren();
  devices.forEach((d, i) => {
    const option = document.createElement('option');
    option.value = d.deviceId;
    option.textContent = d.label || kind + ' ' + (i + 1);
    select.appendChild(option);
  });
}

async function listDevices() {
  try {
    // labels and ids come only after a permission grant: ask once, then let go of the devices
    const probe = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    probe.getTracks().forEach(t => t.stop());
    const devices = await navigator.mediaDevices.enumerateDevices();
    fill($('camera'), devices.filter(d => d.kind === 'videoinput'), 'camera');
    fill($('microphone'), devices.filter(d => d.kind === 'audioinput'), 'microphone');
    window.golive.devices = true;
  } catch (e) {
    show('no devices', e);
  }
}

async function goLive() {
  const stream = $('stream').value.trim();
  const key = $('key').value.trim();
  if (!stream || !key) {
    show('idle', 'enter the stream id and its key');
    return;
  }
  $('golive').disabled = true;
  show('starting', null);
  window.golive.location = null;
  try {
    media = await navigator.mediaDevices.getUserMedia({
      video: { deviceId: { exact: $('camera').value } },
      audio: { deviceId: { exact: $('microphone').value } } });
    $('preview').srcObject = media;
    pc = new RTCPeerConnection(relayOnly ? { iceTransportPolicy: 'relay' } : {});
    pc.onconnectionstatechange = () => show(pc.connectionState);
    const candidates = window.golive.candidates = [];
    pc.onicecandidate = e => { if (e.candidate && e.candidate.candidate) candidates.push(e.candidate.candidate); };
    for (const track of media.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly' });
    }
    const offer = await pc.createOffer();
    const endpoint = new URL('/whip/' + encodeURIComponent(stream), location.href).href;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + key },
      body: offer.sdp });
    const answer = await response.text();
    if (response.status !== 201) {
      throw new Error('ingest answered ' + response.status + ': ' + answer.trim());
    }
    window.golive.location = new URL(response.headers.get('Location'), endpoint).href;
    const iceServers = iceServersOf(response.headers.get('Link') || '');
    window.golive.iceServers = iceServers.map(s => s.urls);
    if (relayOnly && !iceServers.some(s => /^turns?:/.test(s.urls))) {
      throw new Error('relay only, but ingest names no TURN server');
    }
    pc.setConfiguration({ iceServers, iceTransportPolicy: relayOnly ? 'relay' : 'all' });
    await pc.setLocalDescription(offer); // gathering starts, with those servers
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    show(pc.connectionState);
    $('stop').disabled = false;
    const edge = $('edge').value.trim().replace(/\/+$/, '');
    if (edge) {
      $('playback').src = edge + '/player/' + encodeURIComponent(stream);
    }
  } catch (e) {
    if (window.golive.location) { // the session exists: end it
      fetch(window.golive.location, { method: 'DELETE' }).catch(() => {});
    }
    await release();
    show('failed', e);
    $('golive').disabled = false;
    return;
  }
  await trickle();
}

// Sends the gathered candidates (at most 10 s of gathering) in one PATCH on the session.
async function trickle() {
  const session = pc;
  await Promise.race([
    new Promise(resolve => {
      if (session.iceGatheringState === 'complete') { resolve(); return; }
      session.addEventListener('icegatheringstatechange', () => {
        if (session.iceGatheringState === 'complete') resolve();
      });
    }),
    new Promise(resolve => setTimeout(resolve, 10000))]);
  if (pc !== session || !window.golive.location || window.golive.candidates.length === 0) return;
  const sdp = session.localDescription.sdp;
  const line = name => (sdp.match(new RegExp('^a=' + name + ':.*$', 'm')) || [''])[0];
  const frag = [line('ice-ufrag'), line('ice-pwd'), 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'a=mid:0']
    .concat(window.golive.candidates.map(c => 'a=' + c)).join('\r\n') + '\r\n';
  try {
    const r = await fetch(window.golive.location, {
      method: 'PATCH', headers: { 'Content-Type': 'application/trickle-ice-sdpfrag' }, body: frag });
    window.golive.patched = r.status;
  } catch (e) {
    window.golive.patched = String(e);
  }
}

// The Link: <url>; rel="ice-server"; username="u"; credential="c" values as RTCIceServers.
function iceServersOf(links) {
  const servers = [];
  for (const m of links.matchAll(/<([^>]+)>([^,]*)/g)) {
    if (!/rel="ice-server"/.test(m[2])) continue;
    const param = name => (m[2].match(new RegExp(name + '="([^"]*)"')) || [])[1];
    const server = { urls: m[1] };
    if (param('username') !== undefined) {
      server.username = param('username');
      server.credential = param('credential');
    }
    servers.push(server);
  }
  return servers;
}

async function release() {
  if (pc) { pc.close(); pc = null; }
  if (media) { media.getTracks().forEach(t => t.stop()); media = null; }
  $('preview').srcObject = null;
}

async function stop() {
  $('stop').disabled = true;
  try {
    if (window.golive.location) {
      const r = await fetch(window.golive.location, { method: 'DELETE' });
      window.golive.deleted = r.status;
    }
  } catch (e) {
    window.golive.error = String(e);
  }
  await release();
  $('playback').removeAttribute('src');
  show('stopped');
  $('golive').disabled = false;
}

$('golive').addEventListener('click', goLive);
$('stop').addEventListener('click', stop);
listDevices();
