// The review page's lanes (pure): one per camera, its takes placed on the master's
// timeline with the gaps between them, and which take shows at a moment.

/** Where a placed clip lies on the master's timeline, ms: [start, end]. */
export function clipSpan(clip, offsetMs) {
  return [offsetMs, offsetMs + (clip.durationMs || 0) / (1 + (clip.driftPpm || 0) * 1e-6)];
}

/**
 * The session's clips grouped by camera, in the sync view's order (cameras A…E, then the
 * recorder; takes in order).
 * @param {Array<{label: string, camera?: string, take?: number, isRecorder?: boolean,
 *   durationMs?: number, driftPpm?: number}>} cameras the sync view's clips
 * @param {Record<string, number|null>} offsets the working offsets by clip id
 * @returns {Array<{camera: string, isRecorder: boolean, clips: Array<{label: string,
 *   take: number, placed: boolean, startMs: number|null, endMs: number|null}>}>}
 */
export function lanes(cameras, offsets) {
  const out = [];
  const byCamera = new Map();
  for (const clip of cameras) {
    const camera = clip.camera || clip.label;
    if (!byCamera.has(camera)) {
      const lane = { camera, isRecorder: Boolean(clip.isRecorder), clips: [] };
      byCamera.set(camera, lane);
      out.push(lane);
    }
    const offset = offsets[clip.label];
    const placed = offset !== null && offset !== undefined;
    const [startMs, endMs] = placed ? clipSpan(clip, offset) : [null, null];
    byCamera.get(camera).clips.push({ label: clip.label, take: clip.take ?? 1, placed, startMs, endMs });
  }
  return out;
}

/** The lane's clip recording at master time `t`, or null (before, after or between takes). */
export function clipAt(lane, t) {
  return lane.clips.find((c) => c.placed && t >= c.startMs && t <= c.endMs) || null;
}

/** Percent positions [left, width] of [startMs, endMs] inside the span (for drawing). */
export function place(startMs, endMs, span) {
  const total = span[1] - span[0] || 1;
  const left = Math.max(0, (startMs - span[0]) / total) * 100;
  const right = Math.min(1, (endMs - span[0]) / total) * 100;
  return [left, Math.max(0, right - left)];
}

/** A clip id in a test id or a DOM id ("B#2" → "B-2"): '#' is a selector character. */
export function clipTestId(label) {
  return label.replace('#', '-');
}
