// The review clips (pure): the few seconds of each camera cut right after the sync,
// which the review page plays on the transport until the camera's full proxy is ready.
//
// A clip's times are on the camera's proxy timeline (proxyStartMs, proxyEndMs), which
// an operator's nudge does not move: the clip shows proxy second p at clip time
// p − proxyStartMs / 1000. startMs and endMs are where it lay on the master's timeline
// at the offsets it was cut for: the moments to jump to.

/** What the page plays for a camera: its full proxy, its review clips, or nothing yet. */
export function pictureSource(camera) {
  if (camera.links?.proxy) return 'proxy';
  if (camera.reviewClips?.length) return 'clips';
  return null;
}

/**
 * The review clip showing proxy second `seconds`, and the time inside it.
 * @param {{reviewClips?: Array<{proxyStartMs: number, proxyEndMs: number}>}} camera
 * @param {number} seconds a time on the camera's proxy timeline (clock.mjs proxyTime)
 * @returns {{index: number, time: number} | null} null between clips
 */
export function clipAtProxyTime(camera, seconds) {
  const clips = camera.reviewClips || [];
  for (let index = 0; index < clips.length; index += 1) {
    const start = clips[index].proxyStartMs / 1000;
    const end = clips[index].proxyEndMs / 1000;
    if (seconds >= start && seconds < end) return { index, time: seconds - start };
  }
  return null;
}

/**
 * The moments the review clips show, on the master's timeline: every camera's clips,
 * overlapping ones joined, in time order, with why each was chosen.
 * @returns {Array<{startMs: number, endMs: number, reasons: string[]}>}
 */
export function reviewMoments(cameras) {
  const spans = [];
  for (const cam of cameras) {
    if (pictureSource(cam) !== 'clips') continue;
    for (const clip of cam.reviewClips) {
      spans.push({ startMs: clip.startMs, endMs: clip.endMs, reasons: [...(clip.reasons || [])] });
    }
  }
  spans.sort((a, b) => a.startMs - b.startMs);
  const out = [];
  for (const span of spans) {
    const last = out[out.length - 1];
    if (last && span.startMs <= last.endMs) {
      last.endMs = Math.max(last.endMs, span.endMs);
      for (const r of span.reasons) if (!last.reasons.includes(r)) last.reasons.push(r);
    } else {
      out.push(span);
    }
  }
  return out;
}

const REASON_WORDS = { event: 'loud sound', start: 'start', middle: 'middle', end: 'end' };

/** A moment in an operator's words: "loud sound", "start · loud sound". */
export function momentText(moment) {
  return moment.reasons.map((r) => REASON_WORDS[r] || r).join(' · ') || 'moment';
}

/** The first moment starting after master time `t` (ms), else the first one; null if none. */
export function nextMoment(moments, t) {
  return moments.find((m) => m.startMs > t + 1) || moments[0] || null;
}
