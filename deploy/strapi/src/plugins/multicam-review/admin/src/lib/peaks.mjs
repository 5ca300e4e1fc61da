// A camera's waveform on the master's timeline (pure): which peaks fall in each pixel
// column of a window [startMs, endMs], with the camera placed at offsetMs.
import { proxyTime } from './clock.mjs';

/**
 * @param {{sampleRate: number, samplesPerPixel: number, min: (i: number) => number,
 *   max: (i: number) => number, length: number, scale: number}} wave
 * @returns {Array<[number, number]|null>} per column [min, max] in −1..1, null where silent/absent
 */
export function columns(wave, camera, offsetMs, startMs, endMs, width) {
  const out = new Array(width).fill(null);
  const secondsPerPeak = wave.samplesPerPixel / wave.sampleRate;
  const audioCamera = { ...camera, proxyOriginMs: camera.audioStartMs || 0 };
  for (let x = 0; x < width; x += 1) {
    const a = startMs + ((endMs - startMs) * x) / width;
    const b = startMs + ((endMs - startMs) * (x + 1)) / width;
    // Audio seconds from the camera's first sample (the waveform's time 0).
    const from = Math.floor(proxyTime(a, audioCamera, offsetMs) / secondsPerPeak);
    const to = Math.max(from + 1, Math.ceil(proxyTime(b, audioCamera, offsetMs) / secondsPerPeak));
    if (to <= 0 || from >= wave.length) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = Math.max(0, from); i < Math.min(wave.length, to); i += 1) {
      lo = Math.min(lo, wave.min(i));
      hi = Math.max(hi, wave.max(i));
    }
    if (lo <= hi) out[x] = [lo / wave.scale, hi / wave.scale];
  }
  return out;
}

/** The first master time after `fromMs` where the camera is loud (≥ `share` of its peak). */
export function nextLoud(wave, camera, offsetMs, fromMs, { minGapMs = 500, share = 0.7 } = {}) {
  const secondsPerPeak = wave.samplesPerPixel / wave.sampleRate;
  let top = 0;
  for (let i = 0; i < wave.length; i += 1) top = Math.max(top, Math.abs(wave.min(i)), Math.abs(wave.max(i)));
  if (top === 0) return null;
  const drift = 1 + (camera.driftPpm || 0) * 1e-6;
  const toMaster = (i) => offsetMs + (i * secondsPerPeak * 1000) / drift;
  const startIndex = Math.max(0, Math.ceil(((fromMs + minGapMs - offsetMs) * drift) / 1000 / secondsPerPeak));
  for (let i = startIndex; i < wave.length; i += 1) {
    if (Math.max(Math.abs(wave.min(i)), Math.abs(wave.max(i))) >= top * share) return toMaster(i);
  }
  return null;
}
