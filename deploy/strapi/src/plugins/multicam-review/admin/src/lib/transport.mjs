// The review's one transport, as pure decisions: where its clock is, and what each
// camera's <video> must do to follow it. useTransport.js runs them against the page's
// elements; nothing here touches the DOM, so node --test checks every rule.
import { proxyTime } from './clock.mjs';
import { clipAtProxyTime, pictureSource } from './reviewClips.mjs';

// A follower more than this far (s) from where the clock says is re-seeked while playing:
// closer, a seek would stutter more than the drift shows.
export const RESEEK_S = 0.12;

/** `at` (master ms) kept inside the timeline's [start, end]. */
export function clampTime(at, span) {
  return Math.min(Math.max(at, span[0]), span[1]);
}

/** Where a playing clock is at wall time `nowMs`, stopped at the timeline's end. */
export function clockAt(clock, nowMs, endMs) {
  const t = clock.tStart + (nowMs - clock.wallStart);
  return t >= endMs ? { t: endMs, ended: true } : { t, ended: false };
}

/** What one video must do to show proxy time `target` (s), or be still when outside.
 *
 * `video`: {currentTime, paused, duration}; `hard`: seek even when close (a jump or a
 * nudge, where a small error would show). Returns {seekTo (s or null), play, pause}.
 */
export function videoStep(video, target, { playing, hard, inside = true }) {
  if (!inside) return { seekTo: null, play: false, pause: !video.paused };
  const far = Math.abs(video.currentTime - target) > RESEEK_S;
  return {
    seekTo: hard || far ? target : null,
    play: playing && video.paused,
    pause: !playing && !video.paused,
  };
}

/** Whether proxy time `target` (s) lies in a proxy of `duration` s (unknown: assume so). */
export function insideProxy(target, duration) {
  return target >= 0 && (!duration || target <= duration);
}

/** Every video's step for master time `at`.
 *
 * `cameras`: the sync view's cameras; `offsets`: working offsets by label (null: not
 * placed, no video follows); `elements(key)`: the video state for a key, or undefined
 * when not mounted. Keys: a camera's label for its proxy, `${label}:${index}` for its
 * review clips (one per clip; only the clip holding `at` plays, the others pause).
 * Returns [{key, step, recording?}] for the mounted videos.
 */
export function followSteps(cameras, offsets, at, elements, { playing, hard }) {
  const steps = [];
  for (const cam of cameras) {
    const offset = offsets[cam.label];
    if (offset === null || offset === undefined) continue;
    const target = proxyTime(at, cam, offset);
    if (pictureSource(cam) === 'clips') {
      const hit = clipAtProxyTime(cam, target);
      cam.reviewClips.forEach((_, index) => {
        const key = `${cam.label}:${index}`;
        const video = elements(key);
        if (!video) return;
        const mine = hit && hit.index === index;
        steps.push({
          key,
          step: videoStep(video, mine ? hit.time : 0, { playing, hard, inside: Boolean(mine) }),
        });
      });
      continue;
    }
    const video = elements(cam.label);
    if (!video) continue;
    const inside = insideProxy(target, video.duration);
    steps.push({ key: cam.label, recording: inside, step: videoStep(video, target, { playing, hard, inside }) });
  }
  return steps;
}
