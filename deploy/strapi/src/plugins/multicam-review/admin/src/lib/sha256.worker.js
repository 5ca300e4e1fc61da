// SHA-256 of a dropped file, streamed in slices off the main thread (a camera file can
// be hundreds of GB: it is never read into memory whole).
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex } from '@noble/hashes/utils';

const SLICE = 8 * 1024 * 1024;

self.onmessage = async ({ data: { file } }) => {
  try {
    const hash = sha256.create();
    for (let at = 0; at < file.size; at += SLICE) {
      hash.update(new Uint8Array(await file.slice(at, at + SLICE).arrayBuffer()));
      self.postMessage({ type: 'progress', done: Math.min(file.size, at + SLICE) });
    }
    self.postMessage({ type: 'done', sha256: bytesToHex(hash.digest()) });
  } catch (err) {
    self.postMessage({ type: 'error', message: `the file could not be read: ${err?.message || err}` });
  }
};
