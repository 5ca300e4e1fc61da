// A camera's two tracks in an operator's words (pure): the audio, which the sync needs,
// and the video derivatives (proxy, thumbnail, mezzanine), which follow it.

const pct = (value) => (value === null || value === undefined ? null : `${value} %`);

/**
 * @param {{state: string, progressPct?: number|null, videoState?: string|null,
 *   videoProgressPct?: number|null}} asset a media-asset (or a sync view camera)
 * @returns {string} e.g. "audio 40 %", "audio ready · proxy 45 %", "ready"
 */
export function trackText(asset) {
  if (asset.state === 'uploading') return 'uploading';
  if (asset.state === 'failed') return 'failed';
  if (asset.state === 'ingesting') {
    const done = pct(asset.progressPct);
    return done ? `audio ${done}` : 'audio queued';
  }
  // A sound recorder has no video track: its audio is all there is.
  if (asset.cameraLabel === 'REC' || asset.isRecorder) return 'ready';
  return asset.videoState === 'ready' ? 'ready' : `audio ready · ${videoText(asset)}`;
}

/**
 * The video track alone: "proxy 45 %", "proxy starting", "video queued", "video failed"
 * or "ready" (what a tile says of the full proxy while it shows a review clip).
 */
export function videoText(asset) {
  switch (asset.videoState) {
    case 'ready':
      return 'ready';
    case 'encoding':
      return `proxy ${pct(asset.videoProgressPct) || 'starting'}`;
    case 'failed':
      return 'video failed';
    default:
      return 'video queued';
  }
}

/** True while some camera's proxy is still to come (its audio is in, its video is not). */
export function videoPending(assets) {
  return (assets || []).some((a) => a.state === 'ready' && (a.videoState === 'pending' || a.videoState === 'encoding'));
}
