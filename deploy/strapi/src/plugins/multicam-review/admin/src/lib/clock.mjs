// Where each camera's proxy is at a moment of the master's timeline (pure).
//
// offsetMs: the master-timeline time of the camera's first audio sample.
// driftPpm > 0: the camera's clock runs fast; master time t falls at camera file time
//   (t − offset)·(1 + ppm·1e-6), counted from its first audio sample.
// The proxy starts at proxyOriginMs of the original's clock (its earlier of the first
// audio and first video timestamps); audioStartMs is the first audio sample there.

/** Seconds into the camera's proxy that show master time `masterMs`. */
export function proxyTime(masterMs, camera, offsetMs) {
  const fileMs = (masterMs - offsetMs) * (1 + (camera.driftPpm || 0) * 1e-6);
  return (fileMs + (camera.audioStartMs || 0) - (camera.proxyOriginMs || 0)) / 1000;
}

/** The master time shown by proxy second `seconds` (the inverse of proxyTime). */
export function masterTime(seconds, camera, offsetMs) {
  const fileMs = seconds * 1000 - (camera.audioStartMs || 0) + (camera.proxyOriginMs || 0);
  return offsetMs + fileMs / (1 + (camera.driftPpm || 0) * 1e-6);
}

/** [start, end] of the master timeline covering every placed camera (ms). */
export function timelineSpan(cameras, offsets) {
  let start = 0;
  let end = 0;
  for (const cam of cameras) {
    const offset = offsets[cam.label];
    if (offset === undefined || offset === null) continue;
    start = Math.min(start, offset);
    end = Math.max(end, offset + (cam.durationMs || 0) / (1 + (cam.driftPpm || 0) * 1e-6));
  }
  return [start, end];
}

/** True when the camera is recording at master time `masterMs`. */
export function covers(masterMs, camera, offsetMs, proxyDurationS) {
  const t = proxyTime(masterMs, camera, offsetMs);
  return t >= 0 && (proxyDurationS === undefined || t <= proxyDurationS);
}
