// Browser uploads, the parts that can be pure: which camera a dropped file is for,
// which parts are still to send, and progress in an operator's words.

// The zones every session shows; D and E appear once a session has a file of theirs.
export const CAMERA_LABELS = ['A', 'B', 'C'];
// REC: a sound recorder's audio-only file (the session's reference sound).
export const RECORDER = 'REC';
// Every label a file can be given (strapi-schemas/media-asset's cameraLabel).
export const ALL_LABELS = ['A', 'B', 'C', 'D', 'E', RECORDER];
export const MAX_TAKE = 99;

// Media a camera file can be (the service reads any FFmpeg container; this only
// catches the obvious mistake of dropping a document or a picture).
const MEDIA_EXTENSIONS = [
  'mp4',
  'mov',
  'mxf',
  'mkv',
  'webm',
  'avi',
  'mts',
  'm2ts',
  'mpg',
  'mpeg',
  'm4v',
  'wav',
  'mp3',
  'm4a',
  'aac',
  'flac',
  'ogg',
  'opus',
  'bwf',
  'aif',
  'aiff',
];

// What a sound recorder writes: a file of one of these is proposed as REC.
const AUDIO_ONLY_EXTENSIONS = ['wav', 'bwf', 'mp3', 'm4a', 'aac', 'flac', 'ogg', 'opus', 'aif', 'aiff'];

export function extension(name) {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Null if the file may be a camera recording, else the reason it is not. */
export function notMedia(file) {
  const type = file.type || '';
  if (type.startsWith('video/') || type.startsWith('audio/')) return null;
  if (MEDIA_EXTENSIONS.includes(extension(file.name))) return null;
  return `${file.name} is not a video or audio file (${type || `.${extension(file.name) || 'no extension'}`})`;
}

/** The content type to store the file with. */
export function contentType(file) {
  if (file.type) return file.type;
  const ext = extension(file.name);
  return (
    { mov: 'video/quicktime', mxf: 'application/mxf', mkv: 'video/x-matroska', wav: 'audio/wav' }[ext] ||
    (MEDIA_EXTENSIONS.includes(ext) ? `video/${ext}` : 'application/octet-stream')
  );
}

/**
 * The camera a file name points to, or null: "camA.mp4", "CAM_B_0001.MOV", "C-wide.mxf",
 * "interview_cam-c.mp4", "A001_C003.mov" (a label followed by digits is not enough).
 * An audio-only file, or a name that says recorder ("ZOOM0001.WAV", "mixer.wav"), is REC.
 */
export function labelFromName(name, labels = ALL_LABELS) {
  const stem = name.replace(/\.[^.]*$/, '');
  const cam = /(?:^|[^a-z])(?:cam(?:era)?|angle)[\s_-]*([a-z])(?![a-z])/i.exec(stem);
  if (cam && labels.includes(cam[1].toUpperCase())) return cam[1].toUpperCase();
  if (labels.includes(RECORDER)) {
    const says = /(?:^|[^a-z])(?:rec(?:order)?|zoom|mixer|sound|audio|tascam)(?![a-z])/i.test(stem);
    if (says || AUDIO_ONLY_EXTENSIONS.includes(extension(name))) return RECORDER;
  }
  const lone = /(?:^|[\s_-])([a-z])(?=$|[\s_-])/i.exec(stem);
  if (lone && labels.includes(lone[1].toUpperCase())) return lone[1].toUpperCase();
  return null;
}

/** Natural order of file names: "C0002.MP4" before "C0010.MP4", as a camera numbers them. */
export function byName(a, b) {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * A proposed camera and take for each dropped file. The camera comes from the name
 * where it says one, else the cameras no dropped name claims, in drop order (none once
 * they run out); `label` puts every file on that camera (a drop on its zone). A camera's
 * files become its takes in name order: a name the camera already has keeps that take
 * (dropped again, it resumes or replaces that file), the others follow its last take.
 * The operator confirms it.
 * @param {File[]} files
 * @param {{label?: string, assets?: Array<{cameraLabel: string, take?: number,
 *   originalFilename?: string}>, labels?: string[]}} [options]
 * @returns {Array<{file: File, label: string|null, take: number|null, fromName: boolean}>}
 */
export function proposeAssignment(files, { label = null, assets = [], labels = CAMERA_LABELS } = {}) {
  const named = files.map((f) => (label ? label : labelFromName(f.name)));
  const free = labels.filter((l) => !named.includes(l) && !assets.some((a) => a.cameraLabel === l));
  const rows = files.map((file, i) => ({
    file,
    label: named[i] ?? free.shift() ?? null,
    take: null,
    fromName: Boolean(named[i]) && !label,
  }));
  const order = rows.map((r, i) => i).sort((i, j) => byName(rows[i].file.name, rows[j].file.name));
  const last = {};
  for (const a of assets) last[a.cameraLabel] = Math.max(last[a.cameraLabel] || 0, a.take || 1);
  for (const i of order) {
    const row = rows[i];
    if (!row.label) continue;
    const same = assets.find((a) => a.cameraLabel === row.label && a.originalFilename === row.file.name);
    if (same) row.take = same.take || 1;
  }
  for (const i of order) {
    const row = rows[i];
    if (!row.label || row.take) continue;
    last[row.label] = (last[row.label] || 0) + 1;
    row.take = last[row.label];
  }
  return rows;
}

/** Null when every file has a camera and a take of its own, else what is wrong. */
export function assignmentProblem(assignment) {
  if (assignment.some((a) => !a.label)) return 'give every file a camera';
  if (assignment.some((a) => !Number.isInteger(a.take) || a.take < 1 || a.take > MAX_TAKE)) {
    return `give every file a take from 1 to ${MAX_TAKE}`;
  }
  const keys = assignment.map((a) => `${a.label}#${a.take}`);
  if (new Set(keys).size !== keys.length) return 'two files are given the same take of one camera';
  return null;
}

/** "Cam B", or "Sound recorder" for REC. */
export function cameraName(label) {
  return label === RECORDER ? 'Sound recorder' : `Cam ${label}`;
}

/** The zones to show: A, B, C, any other camera the session has files of, the recorder. */
export function zoneLabels(assets = []) {
  const have = new Set(assets.map((a) => a.cameraLabel));
  return ALL_LABELS.filter((l) => CAMERA_LABELS.includes(l) || l === RECORDER || have.has(l));
}

/** A camera's files, in take order. */
export function takesOf(assets = [], label) {
  return assets.filter((a) => a.cameraLabel === label).sort((a, b) => (a.take || 1) - (b.take || 1));
}

/** Part numbers still to send, given the parts storage holds (a resumed upload). */
export function missingParts(partCount, uploaded) {
  const have = new Set(uploaded.map((p) => p.partNumber));
  const out = [];
  for (let n = 1; n <= partCount; n += 1) if (!have.has(n)) out.push(n);
  return out;
}

/**
 * Whether a single PUT that failed with `status` finds the file already stored. The URL
 * only creates its object (it carries `If-None-Match: *`, signed), so a 412 on a retry,
 * or on a resumed upload, means an earlier attempt's bytes arrived; complete then checks
 * they are this file. A 412 on a fresh upload's first attempt is a real refusal.
 */
export function alreadyStored(status, attempt, resumed) {
  return status === 412 && (attempt > 1 || Boolean(resumed));
}

/** Byte range [start, end) of part `n` (1-based). */
export function partRange(n, partSize, fileSize) {
  const start = (n - 1) * partSize;
  return [start, Math.min(fileSize, start + partSize)];
}

export function bytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = -1;
  do {
    value /= 1024;
    unit += 1;
  } while (value >= 1024 && unit < units.length - 1);
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "12.3 MB/s · 1 min 20 s left" from bytes sent since `startedMs`. */
export function rate(sent, total, elapsedMs) {
  if (elapsedMs <= 0 || sent <= 0) return '';
  const perSecond = (sent * 1000) / elapsedMs;
  const left = Math.max(0, total - sent) / perSecond;
  const minutes = Math.floor(left / 60);
  const seconds = Math.round(left - minutes * 60);
  const eta = minutes > 0 ? `${minutes} min ${seconds} s left` : `${seconds} s left`;
  return `${bytes(perSecond)}/s · ${eta}`;
}
