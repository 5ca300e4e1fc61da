import { useCallback, useEffect, useRef, useState } from 'react';
import {
  Box,
  Button,
  Dialog,
  Flex,
  ProgressBar,
  SingleSelect,
  SingleSelectOption,
  Typography,
} from '@strapi/design-system';
import { problemText } from '../lib/summary.mjs';
import { trackText } from '../lib/tracks.mjs';
import { CAMERA_LABELS, assignmentProblem, bytes, notMedia, proposeAssignment, rate } from '../lib/upload-plan.mjs';
import { uploadFile } from '../lib/uploader.js';
import { useReviewApi } from '../lib/useReviewApi.js';

// An asset whose upload completed (the file is in storage and being used).
const hasFile = (asset) => Boolean(asset) && !['uploading', 'failed'].includes(asset.state);
const PHASE_TEXT = { checksum: 'Checksum', uploading: 'Uploading', completing: 'Finishing' };

function AssetLine({ asset }) {
  if (!asset)
    return (
      <Typography variant="pi" textColor="neutral600">
        No file yet
      </Typography>
    );
  const failed = asset.state === 'failed';
  return (
    <Typography
      variant="pi"
      textColor={failed ? 'danger600' : 'neutral600'}
      data-testid={`mc-zone-asset-${asset.cameraLabel}`}
    >
      {trackText(asset)}
      {asset.errorMessage && (failed || asset.videoState === 'failed') ? ` — ${asset.errorMessage}` : ''}
    </Typography>
  );
}

function Zone({ label, asset, job, disabled, onFiles }) {
  const input = useRef(null);
  const [over, setOver] = useState(false);
  const busy = job && ['checksum', 'uploading', 'completing'].includes(job.phase);
  return (
    <Box
      padding={2}
      hasRadius
      borderStyle="dashed"
      borderWidth="1px"
      borderColor={over ? 'primary600' : 'neutral300'}
      background={over ? 'primary100' : 'neutral0'}
      data-testid={`mc-zone-${label}`}
      data-phase={job?.phase || 'idle'}
      data-asset-state={asset?.state || 'none'}
      data-parts-done={job?.partsDone || 0}
      onDragOver={(e) => {
        e.preventDefault();
        if (!disabled && !busy) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        if (!disabled && !busy) onFiles([...e.dataTransfer.files]);
      }}
    >
      <Flex justifyContent="space-between" gap={2}>
        <Typography fontWeight="bold">Cam {label}</Typography>
        <Button size="S" variant="tertiary" disabled={disabled || busy} onClick={() => input.current?.click()}>
          {asset ? 'Replace…' : 'Choose file…'}
        </Button>
        <input
          ref={input}
          type="file"
          hidden
          data-testid={`mc-file-${label}`}
          onChange={(e) => {
            onFiles([...e.target.files]);
            e.target.value = '';
          }}
        />
      </Flex>
      <AssetLine asset={asset} />
      {job && (
        <Box paddingTop={1} data-testid={`mc-zone-job-${label}`}>
          <Typography variant="pi" tag="p" ellipsis>
            {job.file.name} · {bytes(job.file.size)}
          </Typography>
          {busy && (
            <>
              <ProgressBar value={job.total ? Math.round((100 * job.done) / job.total) : 0} size="S">
                {PHASE_TEXT[job.phase]}
              </ProgressBar>
              <Typography variant="pi" tag="p">
                {PHASE_TEXT[job.phase]}
                {job.resumed ? ' (resumed)' : ''} {job.total ? `${Math.floor((100 * job.done) / job.total)} %` : ''}{' '}
                {job.phase === 'uploading'
                  ? rate(job.done - job.doneAtStart, job.total - job.doneAtStart, Date.now() - job.startedAt)
                  : ''}
              </Typography>
            </>
          )}
          {job.phase === 'done' && (
            <Typography variant="pi" textColor="success600">
              Uploaded: ingesting
            </Typography>
          )}
          {(job.phase === 'error' || job.phase === 'rejected') && (
            <Typography variant="pi" textColor="danger600" data-testid={`mc-zone-error-${label}`}>
              {job.message}
            </Typography>
          )}
        </Box>
      )}
    </Box>
  );
}

/**
 * Drop zones for the session's cameras: one file on a zone, or several anywhere on the
 * zones and a confirmed A/B/C assignment. Files go straight to storage.
 */
export function UploadZones({ sessionId, assets, onChanged }) {
  const api = useReviewApi();
  const [blocked, setBlocked] = useState(null);
  const [jobs, setJobs] = useState({});
  const [assignment, setAssignment] = useState(null);
  const [replace, setReplace] = useState(null); // {label, file} waiting for confirmation
  const byLabel = Object.fromEntries((assets || []).map((a) => [a.cameraLabel, a]));

  useEffect(() => {
    api.uploadCheck(sessionId).then(
      () => setBlocked(false),
      (err) => setBlocked(problemText(err))
    );
  }, [api, sessionId]);

  const update = (label, patch) => setJobs((all) => ({ ...all, [label]: { ...all[label], ...patch } }));

  const start = useCallback(
    async (label, file) => {
      const reason = notMedia(file);
      if (reason) {
        setJobs((all) => ({ ...all, [label]: { file, phase: 'rejected', message: reason } }));
        return;
      }
      setJobs((all) => ({
        ...all,
        [label]: { file, phase: 'checksum', done: 0, total: file.size, startedAt: Date.now() },
      }));
      try {
        let first = true;
        let partsDone = 0;
        await uploadFile({
          api,
          sessionId,
          label,
          file,
          onProgress: ({ phase, done, total, resumed, partDone }) => {
            const patch = { phase, done, total };
            if (partDone !== undefined) partsDone += 1;
            patch.partsDone = partsDone;
            if (resumed !== undefined) patch.resumed = resumed;
            if (phase === 'uploading' && first) {
              // Speed counts what this page sends, not the parts a resume found.
              first = false;
              Object.assign(patch, { startedAt: Date.now(), doneAtStart: done });
            }
            update(label, patch);
          },
        });
        update(label, { phase: 'done', done: file.size });
        onChanged?.();
      } catch (err) {
        update(label, { phase: 'error', message: problemText(err) });
      }
    },
    [api, sessionId, onChanged]
  );

  /** A file for one camera: replacing a file that is in is confirmed first (an
   * unfinished upload is not "in": dropping the file again resumes it). */
  const offer = (label, file) => {
    if (hasFile(byLabel[label]) && !notMedia(file)) setReplace({ label, file });
    else start(label, file);
  };

  const dropped = (label, files) => {
    if (files.length === 1 && label) offer(label, files[0]);
    else if (files.length) setAssignment(proposeAssignment(files));
  };

  if (blocked === null) return null;
  if (blocked) {
    return (
      <Typography variant="pi" textColor="danger600" data-testid="mc-upload-blocked">
        Uploading from the browser is not possible: {blocked}
      </Typography>
    );
  }
  const problem = assignment && assignmentProblem(assignment);
  return (
    <Flex
      direction="column"
      alignItems="stretch"
      gap={2}
      data-testid="mc-upload-zones"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        dropped(null, [...e.dataTransfer.files]);
      }}
    >
      <Typography variant="sigma" textColor="neutral600">
        Camera files: drop one on its camera, or all three here
      </Typography>
      {CAMERA_LABELS.map((label) => (
        <Zone
          key={label}
          label={label}
          asset={byLabel[label]}
          job={jobs[label]}
          onFiles={(files) => dropped(label, files)}
        />
      ))}
      <Dialog.Root open={assignment !== null} onOpenChange={(open) => !open && setAssignment(null)}>
        <Dialog.Content>
          <Dialog.Header>Which camera is each file?</Dialog.Header>
          <Dialog.Body>
            <Flex direction="column" alignItems="stretch" gap={2} data-testid="mc-assignment">
              {(assignment || []).map((row, i) => (
                <Flex key={`${row.file.name}-${i}`} gap={2} justifyContent="space-between">
                  <Typography ellipsis>
                    {row.file.name}
                    {row.label && hasFile(byLabel[row.label]) ? ' (replaces its file)' : ''}
                  </Typography>
                  <Box width="11rem">
                    <SingleSelect
                      aria-label={`Camera of ${row.file.name}`}
                      value={row.label || ''}
                      placeholder="Camera"
                      onChange={(value) =>
                        setAssignment((rows) =>
                          rows.map((r, j) => (j === i ? { ...r, label: value, fromName: false } : r))
                        )
                      }
                    >
                      {CAMERA_LABELS.map((l) => (
                        <SingleSelectOption key={l} value={l}>
                          Cam {l}
                        </SingleSelectOption>
                      ))}
                    </SingleSelect>
                  </Box>
                </Flex>
              ))}
              {problem && (
                <Typography variant="pi" textColor="danger600">
                  Before uploading, {problem}.
                </Typography>
              )}
            </Flex>
          </Dialog.Body>
          <Dialog.Footer>
            <Dialog.Cancel>
              <Button variant="tertiary">Cancel</Button>
            </Dialog.Cancel>
            <Button
              disabled={Boolean(problem)}
              data-testid="mc-assign-confirm"
              onClick={() => {
                const rows = assignment;
                setAssignment(null);
                // Confirmed here, replacements included (the dialog names them).
                for (const row of rows) start(row.label, row.file);
              }}
            >
              Upload
            </Button>
          </Dialog.Footer>
        </Dialog.Content>
      </Dialog.Root>
      <Dialog.Root open={replace !== null} onOpenChange={(open) => !open && setReplace(null)}>
        <Dialog.Content>
          <Dialog.Header>Replace camera {replace?.label}'s file?</Dialog.Header>
          <Dialog.Body>
            {replace &&
              `${replace.file.name} becomes a new version of camera ${replace.label}; the session syncs again. ` +
                'The file already in storage is kept, not overwritten.'}
          </Dialog.Body>
          <Dialog.Footer>
            <Dialog.Cancel>
              <Button variant="tertiary">Cancel</Button>
            </Dialog.Cancel>
            <Button
              variant="danger-light"
              data-testid="mc-replace-confirm"
              onClick={() => {
                const { label, file } = replace;
                setReplace(null);
                start(label, file);
              }}
            >
              Replace
            </Button>
          </Dialog.Footer>
        </Dialog.Content>
      </Dialog.Root>
    </Flex>
  );
}
