// The "Go live" page: picks a camera and microphone, publishes them over WHIP (RFC 9725: one POST
// of the SDP offer with the stream key as Bearer token, the answer back, DELETE on the Location
// to stop) and shows the edge's player for the stream. window.golive is read by tests.
'use strict';
const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('stream').value = params.get('stream') || '';
$('edge').value = params.get('edge') || '';
window.golive = { devices: false, state: 'idle', error: null, location: null, deleted: null };
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
  try {
    media = await navigator.mediaDevices.getUserMedia({
      video: { deviceId: { exact: $('camera').value } },
      audio: { deviceId: { exact: $('microphone').value } } });
    $('preview').srcObject = media;
    pc = new RTCPeerConnection();
    pc.onconnectionstatechange = () => show(pc.connectionState);
    for (const track of media.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendonly' });
    }
    await pc.setLocalDescription(await pc.createOffer());
    // non-trickle: wait (at most 3 s) for the candidates to be in the offer
    await new Promise(resolve => {
      if (pc.iceGatheringState === 'complete') { resolve(); return; }
      pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') resolve(); };
      setTimeout(resolve, 3000);
    });
    const endpoint = new URL('/whip/' + encodeURIComponent(stream), location.href).href;
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/sdp', 'Authorization': 'Bearer ' + key },
      body: pc.localDescription.sdp });
    const answer = await response.text();
    if (response.status !== 201) {
      throw new Error('ingest answered ' + response.status + ': ' + answer.trim());
    }
    window.golive.location = new URL(response.headers.get('Location'), endpoint).href;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer });
    show(pc.connectionState);
    $('stop').disabled = false;
    const edge = $('edge').value.trim().replace(/\/+$/, '');
    if (edge) {
      $('playback').src = edge + '/player/' + encodeURIComponent(stream);
    }
  } catch (e) {
    await release();
    show('failed', e);
    $('golive').disabled = false;
  }
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
