// One camera file from the browser straight to storage: SHA-256 in a worker, then the
// /v2 init-upload / part URLs / complete flow through the plugin's routes, the bytes
// PUT to the presigned URLs (several parts at once). A file dropped again resumes from
// the parts storage already holds.
import { alreadyStored, contentType, missingParts, partRange } from './upload-plan.mjs';

const PARALLEL_PARTS = 4;
const TRIES = 3;

export function hashFile(file, onProgress) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./sha256.worker.js', import.meta.url), { type: 'module' });
    worker.onmessage = ({ data }) => {
      if (data.type === 'progress') onProgress(data.done);
      else {
        worker.terminate();
        if (data.type === 'done') resolve(data.sha256);
        else reject(new Error(data.message));
      }
    };
    worker.onerror = (event) => {
      worker.terminate();
      reject(new Error(`checksum failed: ${event.message || 'worker error'}`));
    };
    worker.postMessage({ file });
  });
}

/** PUT a blob with upload progress (fetch cannot report it); resolves to the ETag or null. */
function put(url, blob, headers, onBytes) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onBytes(e.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.getResponseHeader('ETag'));
      else reject(Object.assign(new Error(`storage refused the upload (HTTP ${xhr.status})`), { status: xhr.status }));
    };
    xhr.onerror = () =>
      reject(new Error("the connection to storage failed (network down, or the bucket's CORS rules block this site)"));
    xhr.send(blob);
  });
}

async function withRetries(fn) {
  let last;
  for (let attempt = 1; attempt <= TRIES; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (err) {
      last = err;
      if (err.status && err.status < 500 && err.status !== 403) break; // not transient
      await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
    }
  }
  throw last;
}

/**
 * Upload `file` as take `take` of camera `label` of the session.
 * @param {object} api useReviewApi()'s upload calls
 * @param {(p: {phase: string, done: number, total: number, parts?: number[]}) => void} onProgress
 * @returns the complete call's answer (the asset, now ingesting)
 */
export async function uploadFile({ api, sessionId, label, take = 1, file, onProgress }) {
  const sha256 = await hashFile(file, (done) => onProgress({ phase: 'checksum', done, total: file.size }));
  const ticket = await api.initUpload(sessionId, {
    cameraLabel: label,
    take,
    filename: file.name,
    contentType: contentType(file),
    sizeBytes: file.size,
    sha256,
    resume: true,
  });
  const sent = new Map(); // part number -> bytes sent
  const report = (phase) =>
    onProgress({
      phase,
      done: [...sent.values()].reduce((a, b) => a + b, 0),
      total: file.size,
      resumed: ticket.resumed,
    });

  let parts = [];
  if (ticket.mode === 'single') {
    // The ticket's headers include If-None-Match: * (the URL only creates the object).
    await withRetries(async (attempt) => {
      try {
        return await put(ticket.url.url, file, ticket.url.headers, (n) => {
          sent.set(1, n);
          report('uploading');
        });
      } catch (err) {
        if (!alreadyStored(err.status, attempt, ticket.resumed)) throw err;
        sent.set(1, file.size);
        return null; // complete checks the stored file is this one
      }
    });
  } else {
    for (const p of ticket.uploadedParts) sent.set(p.partNumber, p.sizeBytes ?? 0);
    const urls = new Map(ticket.parts.map((p) => [p.partNumber, p.url]));
    const todo = missingParts(ticket.partCount, ticket.uploadedParts);
    const etags = new Map(ticket.uploadedParts.map((p) => [p.partNumber, p.etag]));
    report('uploading');
    const urlFor = async (n, fresh) => {
      if (fresh || !urls.has(n)) {
        const wanted = [n, ...todo.filter((m) => m > n && !urls.has(m))].slice(0, 100);
        const more = await api.partUrls(sessionId, ticket.assetId, { uploadId: ticket.uploadId, partNumbers: wanted });
        for (const p of more.parts) urls.set(p.partNumber, p.url);
      }
      return urls.get(n);
    };
    const queue = [...todo];
    const lane = async () => {
      while (queue.length) {
        const n = queue.shift();
        const [start, end] = partRange(n, ticket.partSizeBytes, file.size);
        const etag = await withRetries(async (attempt) =>
          put(await urlFor(n, attempt > 1), file.slice(start, end), {}, (b) => {
            sent.set(n, b);
            report('uploading');
          })
        );
        etags.set(n, etag);
        onProgress({
          phase: 'uploading',
          done: [...sent.values()].reduce((a, b) => a + b, 0),
          total: file.size,
          partDone: n,
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL_PARTS, queue.length) }, lane));
    // Without a readable ETag (a bucket that does not expose it) the service takes the
    // parts storage holds; the size and, at ingest, the SHA-256 are still checked.
    const all = [...etags.entries()].sort((a, b) => a[0] - b[0]);
    parts = all.every(([, e]) => e) ? all.map(([partNumber, etag]) => ({ partNumber, etag })) : [];
  }
  report('completing');
  return api.complete(sessionId, ticket.assetId, { uploadId: ticket.uploadId, parts });
}
