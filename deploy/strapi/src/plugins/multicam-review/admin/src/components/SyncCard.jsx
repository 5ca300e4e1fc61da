import { useCallback, useEffect, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Badge, Box, Button, Dialog, Flex, Loader, ProgressBar, Typography } from '@strapi/design-system';
import { ArrowClockwise, Check } from '@strapi/icons';
import { SESSION_UID, SETTLED_STATES } from '../lib/constants.mjs';
import { PLUGIN_ID } from '../pluginId.js';
import { ms, percent } from '../lib/format.mjs';
import { cardSummary, problemText } from '../lib/summary.mjs';
import { trackText, videoPending } from '../lib/tracks.mjs';
import { cameraName, CAMERA_LABELS } from '../lib/upload-plan.mjs';
import { clipTestId } from '../lib/lanes.mjs';
import { useReviewApi } from '../lib/useReviewApi.js';
import { UploadZones } from './UploadZones.jsx';

const POLL_MS = 3000;
// The formats of the service's timeline export (docs/editing-handoff.md), as editors know them.
const TIMELINE_FORMATS = [
  ['otio', 'OTIO'],
  ['fcpxml', 'Final Cut'],
  ['xml', 'Premiere XML'],
  ['edl', 'EDL'],
  ['mlt', 'MLT'],
];
const BADGE = { 'looks-good': 'success', 'review-suggested': 'warning', 'needs-manual-nudge': 'danger' };

function Progress({ status }) {
  return (
    <Flex direction="column" alignItems="stretch" gap={2} data-testid="mc-progress">
      <Typography variant="omega" fontWeight="bold">
        Session {status.state}
      </Typography>
      {status.progressPct !== null && status.progressPct !== undefined && (
        <ProgressBar value={status.progressPct} size="S">{`${status.progressPct} %`}</ProgressBar>
      )}
      {status.progressMessage && <Typography variant="pi">{status.progressMessage}</Typography>}
      <CameraTracks assets={status.assets} />
    </Flex>
  );
}

/** Each file's audio and video track; the sync needs only the audio. */
function CameraTracks({ assets }) {
  const several = (label) => assets.filter((a) => a.cameraLabel === label).length > 1;
  return assets.map((a) => {
    const take = a.take || 1;
    return (
      <Typography
        key={`${a.cameraLabel}#${take}`}
        variant="pi"
        textColor={a.state === 'failed' || a.videoState === 'failed' ? 'danger600' : 'neutral600'}
        data-testid={`mc-tracks-${a.cameraLabel}${take > 1 ? `-${take}` : ''}`}
      >
        {cameraName(a.cameraLabel)}
        {several(a.cameraLabel) ? ` take ${take}` : ''}: {trackText(a)}
        {a.errorMessage ? ` — ${a.errorMessage}` : ''}
      </Typography>
    );
  });
}

function Cameras({ summary }) {
  return (
    <Flex direction="column" alignItems="stretch" gap={1} data-testid="mc-cameras">
      {summary.groups.map((g) => (
        <Typography
          key={`takes-${g.camera}`}
          variant="omega"
          fontWeight="bold"
          textColor={g.allPlaced ? 'neutral800' : 'danger600'}
          data-testid={`mc-takes-${g.camera}`}
        >
          {g.text}
        </Typography>
      ))}
      {summary.cameras.map((c) => (
        <Flex key={c.label} justifyContent="space-between" gap={2} data-testid={`mc-camera-${clipTestId(c.label)}`}>
          <Typography variant="omega">
            {c.name} <strong>{c.offset}</strong>
            {c.drift ? ` · drift ${c.drift}` : ''}
          </Typography>
          {c.classification && <Badge variant={BADGE[c.classification] || 'neutral'}>{c.classification}</Badge>}
        </Flex>
      ))}
      {summary.cameras
        .filter((c) => c.error)
        .map((c) => (
          <Typography key={`${c.label}-error`} variant="pi" textColor="danger600">
            {c.name}: {c.error}
          </Typography>
        ))}
    </Flex>
  );
}

function ResyncButton({ onConfirm, busy }) {
  return (
    <Dialog.Root>
      <Dialog.Trigger>
        <Button variant="tertiary" startIcon={<ArrowClockwise />} disabled={busy} data-testid="mc-resync">
          Re-sync
        </Button>
      </Dialog.Trigger>
      <Dialog.Content>
        <Dialog.Header>Run the sync again?</Dialog.Header>
        <Dialog.Body>
          The approval is withdrawn and the session goes back to syncing; the current result is kept in its history.
        </Dialog.Body>
        <Dialog.Footer>
          <Dialog.Cancel>
            <Button variant="tertiary">Cancel</Button>
          </Dialog.Cancel>
          <Dialog.Action>
            <Button variant="danger-light" onClick={onConfirm} data-testid="mc-resync-confirm">
              Re-sync
            </Button>
          </Dialog.Action>
        </Dialog.Footer>
      </Dialog.Content>
    </Dialog.Root>
  );
}

/** The sync card: confidence, offsets, one primary action. */
export function SyncCard({ model, documentId }) {
  const api = useReviewApi();
  const navigate = useNavigate();
  const [sessionId, setSessionId] = useState(model === SESSION_UID ? documentId : null);
  const [status, setStatus] = useState(null);
  const [view, setView] = useState(undefined);
  const [problem, setProblem] = useState(null);
  const [busy, setBusy] = useState(false);
  const [resyncOf, setResyncOf] = useState(null); // computedAt of the result a re-sync replaces
  const [showZones, setShowZones] = useState(false);

  const load = useCallback(async () => {
    try {
      const id = sessionId || (await api.sessionOfResult(documentId));
      if (!sessionId) setSessionId(id);
      const [s, v] = await Promise.all([api.status(id), api.sync(id)]);
      setStatus(s);
      setView(v);
      return s;
    } catch (err) {
      setProblem(problemText(err));
      return null;
    }
  }, [api, documentId, sessionId]);

  useEffect(() => {
    load();
  }, [load]);

  // Poll while the session is ingesting or syncing, while proxies are still encoding, and
  // after a re-sync until the new result is in (the job may not have started when the
  // button answered).
  const replacing = resyncOf !== null && view?.computedAt === resyncOf;
  useEffect(() => {
    if (!status || (SETTLED_STATES.includes(status.state) && !replacing && !videoPending(status.assets))) {
      return undefined;
    }
    const timer = setTimeout(load, POLL_MS);
    return () => clearTimeout(timer);
  }, [status, replacing, load]);

  const downloadTimeline = async (format) => {
    const { blob, name } = await api.timeline(sessionId, format);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
  };

  const act = async (fn) => {
    setBusy(true);
    setProblem(null);
    try {
      await fn();
      await load();
    } catch (err) {
      setProblem(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  if (problem && !status) {
    return (
      <Typography variant="pi" textColor="danger600" data-testid="mc-card-error">
        {problem}
      </Typography>
    );
  }
  if (!status || view === undefined) return <Loader small>Loading sync…</Loader>;

  const summary = view ? cardSummary(view) : null;
  // The drop zones are the first step of a new session, and stay until every camera is in.
  const cameraCount = new Set(status.assets.map((a) => a.cameraLabel).filter((l) => CAMERA_LABELS.includes(l))).size;
  const uploading = ['draft', 'ingesting'].includes(status.state) || cameraCount < CAMERA_LABELS.length;
  // Actions only on a result that is final for now: not while a (re-)sync runs.
  const actionable = SETTLED_STATES.includes(status.state) && !replacing;
  const reviewPath = `/plugins/${PLUGIN_ID}/sessions/${sessionId}`;
  return (
    <Box width="100%" data-testid="mc-sync-card">
      <Flex direction="column" alignItems="stretch" gap={3}>
        {!summary || !SETTLED_STATES.includes(status.state) ? <Progress status={status} /> : null}
        {replacing && SETTLED_STATES.includes(status.state) && (
          <Typography variant="pi" data-testid="mc-resync-queued">
            Re-sync queued…
          </Typography>
        )}
        {summary && (
          <>
            <Typography variant="delta" tag="p" data-testid="mc-confidence">
              Sync confidence: {percent(summary.pct)}
            </Typography>
            <Cameras summary={summary} />
            {status.assets.some((a) => a.state === 'ready' && a.cameraLabel !== 'REC' && a.videoState !== 'ready') && (
              <Flex direction="column" alignItems="stretch" gap={1} data-testid="mc-video-tracks">
                <Typography variant="pi" textColor="neutral600">
                  The sync needed only the audio; previews follow:
                </Typography>
                <CameraTracks assets={status.assets} />
              </Flex>
            )}
          </>
        )}
        {summary?.reviewed && (
          <Box data-testid="mc-approved">
            <Typography variant="omega" fontWeight="bold">
              {view.operatorStatus === 'corrected' ? 'Corrected' : 'Approved'} by {view.approvedBy}
            </Typography>
            <Typography variant="pi" tag="p">
              {view.approvedAt ? new Date(view.approvedAt).toLocaleString() : ''}
            </Typography>
            <Typography variant="pi" tag="p">
              Offsets used for editing:{' '}
              {Object.entries(view.finalOffsetsMs || {})
                .map(([label, value]) => `${label} ${ms(value)}`)
                .join(', ')}
            </Typography>
            <Flex gap={1} wrap="wrap" paddingTop={1} data-testid="mc-timeline">
              <Typography variant="pi">Timeline for editing:</Typography>
              {TIMELINE_FORMATS.map(([format, name]) => (
                <Button
                  key={format}
                  size="S"
                  variant="tertiary"
                  onClick={() => act(() => downloadTimeline(format))}
                  data-testid={`mc-timeline-${format}`}
                >
                  {name}
                </Button>
              ))}
            </Flex>
          </Box>
        )}
        {actionable && summary?.action === 'looks-good' && (
          <Button
            fullWidth
            startIcon={<Check />}
            loading={busy}
            onClick={() => act(() => api.approve(sessionId, view.computedAt))}
            data-testid="mc-looks-good"
          >
            Looks good
          </Button>
        )}
        {actionable && summary?.action === 'review' && (
          <Button fullWidth variant="secondary" onClick={() => navigate(reviewPath)} data-testid="mc-review-sync">
            Review sync
          </Button>
        )}
        {actionable && summary && (
          <Flex gap={2} justifyContent="space-between">
            {summary.action === 'looks-good' && (
              <Button variant="ghost" size="S" onClick={() => navigate(reviewPath)} data-testid="mc-open-review">
                Check it first
              </Button>
            )}
            {summary.reviewed && (
              <ResyncButton
                busy={busy}
                onConfirm={() =>
                  act(async () => {
                    await api.resync(sessionId);
                    setResyncOf(view.computedAt);
                  })
                }
              />
            )}
          </Flex>
        )}
        {problem && (
          <Typography variant="pi" textColor="danger600" data-testid="mc-card-error">
            {problem}
          </Typography>
        )}
        {uploading || showZones ? (
          <UploadZones sessionId={sessionId} assets={status.assets} onChanged={load} />
        ) : (
          <Button variant="ghost" size="S" onClick={() => setShowZones(true)} data-testid="mc-show-zones">
            Add or replace files
          </Button>
        )}
      </Flex>
    </Box>
  );
}
