// Browser uploads, the parts that can be pure: which camera a dropped file is for,
// which parts are still to send, and progress in an operator's words.

export const CAMERA_LABELS = ['A', 'B', 'C'];

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
 */
export function labelFromName(name, labels = CAMERA_LABELS) {
  const stem = name.replace(/\.[^.]*$/, '');
  const cam = /(?:^|[^a-z])(?:cam(?:era)?|angle)[\s_-]*([a-z])(?![a-z])/i.exec(stem);
  if (cam && labels.includes(cam[1].toUpperCase())) return cam[1].toUpperCase();
  const lone = /(?:^|[\s_-])([a-z])(?=$|[\s_-])/i.exec(stem);
  if (lone && labels.includes(lone[1].toUpperCase())) return lone[1].toUpperCase();
  return null;
}

/**
 * A proposed camera for each dropped file: from its name where that is unambiguous,
 * the free labels in drop order for the rest. The operator confirms it.
 * @returns {Array<{file: File, label: string|null, fromName: boolean}>}
 */
export function proposeAssignment(files, labels = CAMERA_LABELS) {
  const named = files.map((f) => labelFromName(f.name, labels));
  const counts = {};
  for (const l of named) if (l) counts[l] = (counts[l] || 0) + 1;
  const taken = new Set(named.filter((l) => l && counts[l] === 1));
  const free = labels.filter((l) => !taken.has(l));
  return files.map((file, i) => {
    const label = named[i];
    if (label && counts[label] === 1) return { file, label, fromName: true };
    return { file, label: free.shift() ?? null, fromName: false };
  });
}

/** An assignment is ready when every file has a different label. */
export function assignmentProblem(assignment) {
  const labels = assignment.map((a) => a.label);
  if (labels.some((l) => !l)) return 'give every file a camera';
  if (new Set(labels).size !== labels.length) return 'two files are given the same camera';
  return null;
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
