// What the sync card shows, from the service's sync view (pure).
import { ms, signed } from './format.mjs';
import { cameraName } from './upload-plan.mjs';

const DRIFT_SHOWN_PPM = 0.05;

/** "Cam B: 3 takes, all placed" for each camera with several files (pure). */
export function takeGroups(cameras) {
  const groups = new Map();
  for (const c of cameras) {
    const camera = c.camera || c.label;
    if (!groups.has(camera)) groups.set(camera, []);
    groups.get(camera).push(c);
  }
  const out = [];
  for (const [camera, clips] of groups) {
    if (clips.length < 2) continue;
    const unplaced = clips.filter((c) => c.offset === 'not placed' && !c.isMaster);
    const name = cameraName(camera);
    const placed =
      unplaced.length === 0
        ? 'all placed'
        : `${clips.length - unplaced.length} placed, ${unplaced.map((c) => `take ${c.take}`).join(' and ')} not`;
    out.push({
      camera,
      takes: clips.length,
      allPlaced: unplaced.length === 0,
      text: `${name}: ${clips.length} takes, ${placed}`,
    });
  }
  return out;
}

/**
 * @param {object} view GET /v2/sessions/{id}/sync as JSON (camelCase)
 * @returns {{pct: number|null, action: 'looks-good'|'review'|null, reviewed: boolean,
 *   groups: Array<{camera: string, takes: number, allPlaced: boolean, text: string}>,
 *   cameras: Array<{label: string, camera: string, take: number, name: string, isMaster: boolean, offset: string, classification: string|null,
 *   drift: string|null, error: string|null}>}}
 */
export function cardSummary(view) {
  const reviewed = view.operatorStatus === 'approved' || view.operatorStatus === 'corrected';
  const pct = view.overallConfidencePct ?? null;
  const cameras = (view.cameras || []).map((cam) => {
    const offset = view.finalOffsetsMs?.[cam.label] ?? cam.finalOffsetMs ?? cam.offsetMs;
    const drift = cam.driftPpm;
    return {
      label: cam.label,
      camera: cam.camera || cam.label,
      take: cam.take ?? 1,
      name: clipName(cam),
      isMaster: Boolean(cam.isMaster),
      offset: offset === undefined || offset === null ? 'not placed' : ms(offset),
      classification: cam.isMaster ? 'master' : (cam.classification ?? null),
      drift:
        drift !== null && drift !== undefined && Math.abs(drift) >= DRIFT_SHOWN_PPM ? `${signed(drift, 1)} ppm` : null,
      error: cam.error ?? null,
    };
  });
  // The service judges (worker/sync/confidence.py holds the one rule): the card
  // only offers what the verdict says.
  let action = null;
  if (!reviewed) action = view.verdict === 'looks-good' ? 'looks-good' : 'review';
  return { pct, action, reviewed, cameras, groups: takeGroups(cameras) };
}

/** "Cam B take 2", "Sound recorder", "Cam A" for a sync view clip. */
export function clipName(cam) {
  const camera = cam.camera || cam.label;
  const name = cameraName(camera);
  return cam.label === camera ? name : `${name} take ${cam.take}`;
}

/** The error an admin call failed with, in the operator's words. */
export function problemText(error) {
  const body = error?.response?.data?.error;
  if (body?.code === 'sync_changed') {
    return 'The sync was recomputed after you opened it: reload to review the new result.';
  }
  if (error?.status === 403)
    return 'You are not allowed to review sync (ask an administrator for the "Review and approve sync" permission).';
  return body?.message || error?.message || 'Something went wrong';
}
