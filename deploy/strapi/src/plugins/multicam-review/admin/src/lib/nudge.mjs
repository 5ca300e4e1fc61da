// Nudge steps of the review page (pure): whole frames of the camera's rate, or 1 ms.
export const STEPS = [
  { id: '-10f', label: '−10 f', frames: -10 },
  { id: '-1f', label: '−1 f', frames: -1 },
  { id: '-1ms', label: '−1 ms', ms: -1 },
  { id: '+1ms', label: '+1 ms', ms: 1 },
  { id: '+1f', label: '+1 f', frames: 1 },
  { id: '+10f', label: '+10 f', frames: 10 },
];

const FALLBACK_FPS = 30;

export function frameMs(fps) {
  return 1000 / (fps && fps > 0 ? fps : FALLBACK_FPS);
}

/** The offset after one step; rounded to µs so repeated steps do not accumulate noise. */
export function nudged(offsetMs, step, fps) {
  const delta = step.frames !== undefined ? step.frames * frameMs(fps) : step.ms;
  return Math.round((offsetMs + delta) * 1000) / 1000;
}

/** The cameras whose working offset differs from the computed one: a correction. */
export function corrections(working, computed, master) {
  const out = {};
  for (const [label, value] of Object.entries(working)) {
    if (label === master || value === null || value === undefined) continue;
    if (computed[label] === undefined || Math.abs(computed[label] - value) > 1e-6) out[label] = value;
  }
  return out;
}

/** "+1 f" style description of how far a working offset is from the computed one. */
export function describeShift(workingMs, computedMs, fps) {
  if (computedMs === undefined || computedMs === null) return 'placed by hand';
  const delta = workingMs - computedMs;
  if (Math.abs(delta) < 1e-6) return 'as computed';
  const frames = delta / frameMs(fps);
  const sign = delta > 0 ? '+' : '−';
  if (Math.abs(frames - Math.round(frames)) < 1e-6) return `${sign}${Math.abs(Math.round(frames))} f`;
  return `${sign}${Math.abs(delta).toFixed(1)} ms`;
}
