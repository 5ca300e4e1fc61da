'use strict';

const { Readable } = require('node:stream');
const { PLUGIN_ID, SESSION_UID, SYNC_RESULT_UID } = require('../constants');
const { fail, handled, idParam } = require('./http');

const LIST_STATES = ['draft', 'ingesting', 'syncing', 'needs-review', 'ready'];
// A clip id of the sync view: a camera's label, or label#take when it has several files.
const CAMERA = /^[A-Z][A-Z0-9]{0,7}(#[1-9][0-9]?)?$/;
// Cameras in the order the sync view lists them (the recorder last).
const LABEL_ORDER = ['A', 'B', 'C', 'D', 'E', 'REC'];
const labelRank = (label) => (LABEL_ORDER.includes(label) ? LABEL_ORDER.indexOf(label) : LABEL_ORDER.length);

/** Pass a file the service made through to the admin, streamed. */
function relay(ctx, response) {
  ctx.type = response.headers.get('content-type') || 'application/octet-stream';
  for (const header of ['content-length', 'content-disposition']) {
    const value = response.headers.get(header);
    if (value) ctx.set(header, value);
  }
  ctx.set('Cache-Control', 'no-store');
  ctx.body = Readable.fromWeb(response.body);
}

/** Only what the operator may say: the approver is never taken from the body. */
function reviewBody(body, withOffsets) {
  const out = {};
  if (body?.computedAt) out.computedAt = body.computedAt;
  if (typeof body?.notes === 'string' && body.notes.trim()) out.notes = body.notes;
  if (withOffsets) out.offsets = body?.offsets;
  return out;
}

module.exports = ({ strapi }) => {
  const service = () => strapi.plugin(PLUGIN_ID).service('multicam-service');
  const v2 = (id) => `v2/sessions/${encodeURIComponent(id)}`;

  return {
    /** Sessions for the plugin's page; `?state=needs-review` (default) or `all`. */
    async listSessions(ctx) {
      const wanted = ctx.query.state || 'needs-review';
      const states = wanted === 'all' ? LIST_STATES : [wanted];
      if (!states.every((s) => LIST_STATES.includes(s))) {
        return fail(ctx, 400, 'invalid_state', `state must be all or one of ${LIST_STATES.join(', ')}`);
      }
      const sessions = await strapi.documents(SESSION_UID).findMany({
        filters: { state: { $in: states } },
        fields: ['title', 'date', 'state', 'progressPct', 'progressMessage', 'updatedAt'],
        populate: { syncResult: { fields: ['confidencePct', 'masterCamera', 'operatorStatus', 'computedAt'] } },
        sort: ['updatedAt:desc'],
        limit: 200,
      });
      ctx.body = {
        data: sessions.map((s) => ({
          sessionId: s.documentId,
          title: s.title,
          date: s.date,
          state: s.state,
          progressPct: s.progressPct,
          progressMessage: s.progressMessage,
          syncResult: s.syncResult
            ? {
                confidencePct: s.syncResult.confidencePct,
                masterCamera: s.syncResult.masterCamera,
                operatorStatus: s.syncResult.operatorStatus,
                computedAt: s.syncResult.computedAt,
              }
            : null,
        })),
      };
    },

    /** The session a sync result belongs to (the card on a sync-result entry). */
    async sessionOfResult(ctx) {
      const result = await strapi.documents(SYNC_RESULT_UID).findOne({
        documentId: ctx.params.id,
        fields: ['documentId'],
        populate: { session: { fields: ['documentId'] } },
      });
      if (!result) return fail(ctx, 404, 'sync_result_not_found', `no sync result ${ctx.params.id}`);
      if (!result.session) return fail(ctx, 404, 'no_session', 'this sync result belongs to no session');
      ctx.body = { sessionId: result.session.documentId };
    },

    /** The session's state and its files' progress on both tracks, straight from Strapi. */
    async status(ctx) {
      const id = idParam(ctx);
      if (!id) return;
      const session = await strapi.documents(SESSION_UID).findOne({
        documentId: id,
        fields: ['title', 'state', 'progressPct', 'progressMessage'],
        populate: {
          assets: {
            fields: [
              'cameraLabel',
              'take',
              'originalFilename',
              'state',
              'progressPct',
              'progressMessage',
              'errorMessage',
              'videoState',
              'videoProgressPct',
            ],
          },
        },
      });
      if (!session) return fail(ctx, 404, 'session_not_found', `no session ${id}`);
      ctx.body = {
        sessionId: session.documentId,
        title: session.title,
        state: session.state,
        progressPct: session.progressPct,
        progressMessage: session.progressMessage,
        assets: (session.assets || [])
          .map((a) => ({
            cameraLabel: a.cameraLabel,
            take: a.take ?? 1,
            originalFilename: a.originalFilename,
            state: a.state,
            progressPct: a.progressPct,
            progressMessage: a.progressMessage,
            errorMessage: a.errorMessage,
            videoState: a.videoState,
            videoProgressPct: a.videoProgressPct,
          }))
          .sort((a, b) => labelRank(a.cameraLabel) - labelRank(b.cameraLabel) || a.take - b.take),
      };
    },

    syncView: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      ctx.body = await service().json(ctx.state.user, 'GET', `${v2(id)}/sync`);
    }),

    approve: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      ctx.body = await service().json(ctx.state.user, 'POST', `${v2(id)}/sync/approve`, {
        body: reviewBody(ctx.request.body, false),
      });
    }),

    correct: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      ctx.body = await service().json(ctx.state.user, 'POST', `${v2(id)}/sync/correct`, {
        body: reviewBody(ctx.request.body, true),
      });
    }),

    resync: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      ctx.status = 202;
      ctx.body = await service().json(ctx.state.user, 'POST', `${v2(id)}/sync/recompute`);
    }),

    /** A camera's waveform JSON, fetched here so the browser needs no storage CORS. */
    waveform: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      const { camera } = ctx.params;
      if (!CAMERA.test(camera || '')) return fail(ctx, 400, 'invalid_camera', `"${camera}" is not a camera label`);
      const view = await service().json(ctx.state.user, 'GET', `${v2(id)}/sync`);
      const link = (view.cameras || []).find((c) => c.label === camera)?.links?.waveform?.url;
      if (!link) return fail(ctx, 404, 'no_waveform', `camera ${camera} has no waveform yet`);
      let response;
      try {
        response = await fetch(link, { signal: AbortSignal.timeout(30000) });
      } catch (err) {
        return fail(
          ctx,
          502,
          'storage_unreachable',
          `the waveform of camera ${camera} could not be read: ${err.message}`
        );
      }
      if (!response.ok) {
        return fail(ctx, 502, 'storage_error', `storage answered ${response.status} for camera ${camera}'s waveform`);
      }
      ctx.set('Cache-Control', 'private, max-age=300');
      ctx.type = 'application/json';
      ctx.body = Buffer.from(await response.arrayBuffer());
    }),

    /** The listen check: master left, camera right, built by the service. */
    listen: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      const { camera, atMs, offsetMs, seconds } = ctx.query;
      relay(
        ctx,
        await service().call(ctx.state.user, 'GET', `${v2(id)}/sync/listen`, {
          query: { camera, atMs, offsetMs, seconds },
        })
      );
    }),

    /** The synced timeline for editing (OTIO, FCPXML, XML, EDL, MLT), made by the service. */
    timeline: handled(async (ctx) => {
      const id = idParam(ctx);
      if (!id) return;
      const { format, draft, media, mediaRoot } = ctx.query;
      relay(
        ctx,
        await service().call(ctx.state.user, 'GET', `${v2(id)}/timeline`, {
          query: { format, draft, media, mediaRoot },
        })
      );
    }),
  };
};
