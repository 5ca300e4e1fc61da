import { useFetchClient } from '@strapi/strapi/admin';
import { useMemo } from 'react';
import { API } from '../pluginId.js';

// Strapi's fetch client puts params in the URL as they are (qs with encode: false), so
// a clip id's '#' (B#2) would start the URL's fragment: values are encoded here.
const encoded = (params) =>
  Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, v === undefined || v === null ? v : encodeURIComponent(String(v))])
  );

/** A blob request's error body is JSON too: read it, so the page can say the reason. */
async function readBlobError(err) {
  const data = err?.response?.data;
  if (typeof Blob !== 'undefined' && data instanceof Blob) {
    try {
      err.response.data = JSON.parse(await data.text());
    } catch {
      // not JSON: keep the error as it is
    }
  }
  throw err;
}

/** The plugin's admin routes (admin JWT attached by Strapi's fetch client). */
export function useReviewApi() {
  const { get, post } = useFetchClient();
  return useMemo(() => {
    const session = (id) => `${API}/sessions/${encodeURIComponent(id)}`;
    return {
      sessions: (state) => get(`${API}/sessions`, { params: { state } }).then((r) => r.data.data),
      sessionOfResult: (resultId) =>
        get(`${API}/sync-results/${encodeURIComponent(resultId)}/session`).then((r) => r.data.sessionId),
      status: (id) => get(`${session(id)}/status`).then((r) => r.data),
      // null while the session has no sync result yet.
      sync: (id) =>
        get(`${session(id)}/sync`).then(
          (r) => r.data,
          (err) => {
            if (err?.response?.data?.error?.code === 'sync_not_ready') return null;
            throw err;
          }
        ),
      approve: (id, computedAt) => post(`${session(id)}/approve`, { computedAt }).then((r) => r.data),
      correct: (id, computedAt, offsets) => post(`${session(id)}/correct`, { computedAt, offsets }).then((r) => r.data),
      resync: (id) => post(`${session(id)}/resync`, {}).then((r) => r.data),
      waveform: (id, camera) => get(`${session(id)}/waveform/${encodeURIComponent(camera)}`).then((r) => r.data),
      listen: (id, params) =>
        get(`${session(id)}/listen`, { params: encoded(params), responseType: 'blob' }).then(
          (r) => r.data,
          readBlobError
        ),
      timeline: (id, format) =>
        get(`${session(id)}/timeline`, { params: { format }, responseType: 'blob' }).then((r) => ({
          blob: r.data,
          name: /filename="?([^";]+)"?/.exec(r.headers.get('content-disposition') || '')?.[1] || `timeline.${format}`,
        })),
      // Browser uploads (the /v2 upload flow, through the plugin's routes).
      uploadCheck: (id) => get(`${session(id)}/uploads/check`).then((r) => r.data),
      initUpload: (id, body) => post(`${session(id)}/uploads`, body).then((r) => r.data),
      partUrls: (id, assetId, body) =>
        post(`${session(id)}/uploads/${encodeURIComponent(assetId)}/part-urls`, body).then((r) => r.data),
      complete: (id, assetId, body) =>
        post(`${session(id)}/uploads/${encodeURIComponent(assetId)}/complete`, body).then((r) => r.data),
    };
  }, [get, post]);
}
