import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
import { limiter } from '../lib/limiter.mjs';
import {
  ALL_LABELS,
  MAX_TAKE,
  assignmentProblem,
  bytes,
  cameraName,
  notMedia,
  proposeAssignment,
  rate,
  takesOf,
  zoneLabels,
} from '../lib/upload-plan.mjs';
import { uploadFile } from '../lib/uploader.js';
import { useReviewApi } from '../lib/useReviewApi.js';

// An asset whose upload completed (the file is in storage and being used).
const hasFile = (asset) => Boolean(asset) && !['uploading', 'failed'].includes(asset.state);
const PHASE_TEXT = { queued: 'Waiting', checksum: 'Checksum', uploading: 'Uploading', completing: 'Finishing' };
const BUSY = ['queued', 'checksum', 'uploading', 'completing'];
// Uploads at once: a folder of takes goes a couple of files at a time.
const PARALLEL_FILES = 2;
const jobKey = (label, take) => `${label}#${take}`;
// Take 1 keeps the ids a camera with one file has always had.
const suffix = (take) => (take > 1 ? `-${take}` : '');

/** What a zone shows of its jobs: the busiest phase first, then errors, then done. */
function zonePhase(jobs) {
  const phases = jobs.map((j) => j.phase);
  for (const phase of [...BUSY, 'error', 'rejected', 'done']) if (phases.includes(phase)) return phase;
  return 'idle';
}

/** The zone's files' state in one word: each of them the same, or the worst of them. */
function zoneAssetState(assets) {
  if (!assets.length) return 'none';
  const states = new Set(assets.map((a) => a.state));
  if (states.size === 1) return assets[0].state;
  for (const state of ['failed', 'uploading', 'ingesting']) if (states.has(state)) return state;
  return 'ready';
}

function AssetLine({ asset, showTake }) {
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
      data-testid={`mc-zone-asset-${asset.cameraLabel}${suffix(asset.take || 1)}`}
    >
      {showTake ? `Take ${asset.take || 1}${asset.originalFilename ? ` · ${asset.originalFilename}` : ''}: ` : ''}
      {trackText(asset)}
      {asset.errorMessage && (failed || asset.videoState === 'failed') ? ` — ${asset.errorMessage}` : ''}
    </Typography>
  );
}

function JobLine({ job, testid }) {
  const busy = BUSY.includes(job.phase);
  return (
    <Box paddingTop={1} data-testid={`mc-zone-job-${testid}`}>
      <Typography variant="pi" tag="p" ellipsis>
        {job.take > 1 || job.multi ? `Take ${job.take} · ` : ''}
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
        <Typography variant="pi" textColor="danger600" data-testid={`mc-zone-error-${testid}`}>
          {job.message}
        </Typography>
      )}
    </Box>
  );
}

/** A file input behind a button (the operator's "Choose file…" and "Add takes…"). */
function FilePick({ label, testid, multiple, disabled, onFiles, variant = 'tertiary' }) {
  const input = useRef(null);
  return (
    <>
      <Button size="S" variant={variant} disabled={disabled} onClick={() => input.current?.click()}>
        {label}
      </Button>
      <input
        ref={input}
        type="file"
        hidden
        multiple={multiple}
        data-testid={testid}
        onChange={(e) => {
          onFiles([...e.target.files]);
          e.target.value = '';
        }}
      />
    </>
  );
}

/**
 * One camera's zone (or the recorder's): its files as takes, each with its upload.
 * A file dropped on an empty zone is its take 1; several files, or a file dropped on a
 * zone that has some, go through the confirmation of takes.
 */
function Zone({ label, assets, jobs, disabled, onDrop, onReplace, onAdd }) {
  const [over, setOver] = useState(false);
  const takes = takesOf(assets, label);
  const zoneJobs = Object.values(jobs).filter((j) => j.label === label);
  const phase = zonePhase(zoneJobs);
  const busy = BUSY.includes(phase);
  const multi = takes.length > 1;
  // Jobs of takes the session has no asset for yet (an upload that has not been registered).
  const orphanJobs = zoneJobs.filter((j) => !takes.some((a) => (a.take || 1) === j.take));
  return (
    <Box
      padding={2}
      hasRadius
      borderStyle="dashed"
      borderWidth="1px"
      borderColor={over ? 'primary600' : 'neutral300'}
      background={over ? 'primary100' : 'neutral0'}
      data-testid={`mc-zone-${label}`}
      data-phase={phase}
      data-asset-state={zoneAssetState(takes)}
      data-takes={takes.length}
      data-parts-done={zoneJobs.reduce((n, j) => n + (j.partsDone || 0), 0)}
      onDragOver={(e) => {
        e.preventDefault();
        if (!disabled && !busy) setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        e.stopPropagation();
        setOver(false);
        if (!disabled && !busy) onDrop([...e.dataTransfer.files]);
      }}
    >
      <Flex justifyContent="space-between" gap={2}>
        <Typography fontWeight="bold">
          {cameraName(label)}
          {multi ? ` · ${takes.length} takes` : ''}
        </Typography>
        <Flex gap={1}>
          {!multi && (
            <FilePick
              label={takes.length ? 'Replace…' : 'Choose file…'}
              testid={`mc-file-${label}`}
              disabled={disabled || busy}
              onFiles={(files) => (takes.length ? onReplace(takes[0].take || 1, files[0]) : onDrop(files))}
            />
          )}
          <FilePick
            label="Add takes…"
            testid={`mc-add-${label}`}
            multiple
            disabled={disabled || busy}
            onFiles={onAdd}
          />
        </Flex>
      </Flex>
      {!takes.length && !orphanJobs.length && (
        <Typography variant="pi" textColor="neutral600">
          No file yet{label === 'REC' ? ' (a sound recorder’s WAV: the session’s reference sound)' : ''}
        </Typography>
      )}
      {takes.map((asset) => {
        const take = asset.take || 1;
        const job = jobs[jobKey(label, take)];
        return (
          <Box key={take} data-testid={`mc-take-${label}-${take}`}>
            <Flex justifyContent="space-between" gap={2}>
              <AssetLine asset={asset} showTake={multi} />
              {multi && (
                <FilePick
                  label="Replace…"
                  testid={`mc-file-${label}-${take}`}
                  disabled={disabled || busy}
                  onFiles={(files) => onReplace(take, files[0])}
                />
              )}
            </Flex>
            {job && <JobLine job={job} testid={`${label}${suffix(take)}`} />}
          </Box>
        );
      })}
      {orphanJobs.map((job) => (
        <JobLine key={job.take} job={job} testid={`${label}${suffix(job.take)}`} />
      ))}
    </Box>
  );
}

/**
 * Drop zones for the session's cameras and its sound recorder. One file on an empty
 * zone is that camera's; several (a card's worth of takes), or files dropped on the
 * whole area, are proposed cameras and takes from their names, which the operator
 * confirms. Files go straight to storage, a couple at a time.
 */
export function UploadZones({ sessionId, assets, onChanged }) {
  const api = useReviewApi();
  const [blocked, setBlocked] = useState(null);
  const [jobs, setJobs] = useState({});
  const [assignment, setAssignment] = useState(null);
  const [replace, setReplace] = useState(null); // {label, take, file} waiting for confirmation
  const queue = useMemo(() => limiter(PARALLEL_FILES), []);
  const present = assets || [];

  useEffect(() => {
    api.uploadCheck(sessionId).then(
      () => setBlocked(false),
      (err) => setBlocked(problemText(err))
    );
  }, [api, sessionId]);

  const update = (key, patch) => setJobs((all) => ({ ...all, [key]: { ...all[key], ...patch } }));

  const start = useCallback(
    (label, take, file, multi = false) => {
      const key = jobKey(label, take);
      const reason = notMedia(file);
      if (reason) {
        setJobs((all) => ({ ...all, [key]: { label, take, multi, file, phase: 'rejected', message: reason } }));
        return;
      }
      setJobs((all) => ({ ...all, [key]: { label, take, multi, file, phase: 'queued', done: 0, total: file.size } }));
      queue(async () => {
        update(key, { phase: 'checksum', startedAt: Date.now() });
        try {
          let first = true;
          let partsDone = 0;
          await uploadFile({
            api,
            sessionId,
            label,
            take,
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
              update(key, patch);
            },
          });
          update(key, { phase: 'done', done: file.size });
          onChanged?.();
        } catch (err) {
          update(key, { phase: 'error', message: problemText(err) });
        }
      });
    },
    [api, sessionId, onChanged, queue]
  );

  // What the session has, and the files on their way to it (a queued file has no asset
  // until its upload starts): new takes are numbered after both.
  const claimed = [
    ...present,
    ...Object.values(jobs)
      .filter((j) => BUSY.includes(j.phase))
      .filter((j) => !present.some((a) => a.cameraLabel === j.label && (a.take || 1) === j.take))
      .map((j) => ({ cameraLabel: j.label, take: j.take, originalFilename: j.file.name })),
  ];
  const uploading = (label, take) => BUSY.includes(jobs[jobKey(label, take)]?.phase);

  const hasTake = (label, take) => present.some((a) => a.cameraLabel === label && (a.take || 1) === take && hasFile(a));

  /** A file for one take: replacing a file that is in is confirmed first (an unfinished
   * upload is not "in": dropping the file again resumes it). */
  const offer = (label, take, file) => {
    if (hasTake(label, take) && !notMedia(file)) setReplace({ label, take, file });
    else start(label, take, file);
  };

  const dropped = (label, files) => {
    if (!files.length) return;
    const empty = label && !takesOf(present, label).length;
    if (files.length === 1 && empty) offer(label, 1, files[0]);
    else setAssignment(proposeAssignment(files, { label, assets: claimed }));
  };

  /** "Add takes…": after the camera's last take, in name order (nothing is replaced). */
  const added = (label, files) => {
    const rows = proposeAssignment(files, { label, assets: claimed.map((a) => ({ ...a, originalFilename: null })) });
    for (const row of rows) {
      if (row.take > MAX_TAKE) {
        const message = `${row.file.name}: camera ${label} has ${MAX_TAKE} takes already`;
        setJobs((all) => ({ ...all, [jobKey(label, row.take)]: { ...row, phase: 'rejected', message } }));
      } else start(row.label, row.take, row.file, true);
    }
  };

  if (blocked === null) return null;
  if (blocked) {
    return (
      <Typography variant="pi" textColor="danger600" data-testid="mc-upload-blocked">
        Uploading from the browser is not possible: {blocked}
      </Typography>
    );
  }
  const busyRow = assignment?.find((r) => r.label && uploading(r.label, r.take));
  const problem =
    assignment &&
    (assignmentProblem(assignment) ||
      (busyRow ? `wait for camera ${busyRow.label} take ${busyRow.take}, which is still uploading` : null));
  const takeChoices = Math.min(
    MAX_TAKE,
    Math.max(9, ...claimed.map((a) => (a.take || 1) + (assignment || []).length + 1))
  );
  const setRow = (i, patch) => setAssignment((rows) => rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
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
        Camera and recorder files: drop them on their camera, or all of them here
      </Typography>
      {zoneLabels(present).map((label) => (
        <Zone
          key={label}
          label={label}
          assets={present}
          jobs={jobs}
          onDrop={(files) => dropped(label, files)}
          onReplace={(take, file) => offer(label, take, file)}
          onAdd={(files) => added(label, files)}
        />
      ))}
      <Dialog.Root open={assignment !== null} onOpenChange={(open) => !open && setAssignment(null)}>
        <Dialog.Content>
          <Dialog.Header>Which camera and take is each file?</Dialog.Header>
          <Dialog.Body>
            <Flex direction="column" alignItems="stretch" gap={2} data-testid="mc-assignment">
              {(assignment || []).map((row, i) => (
                <Flex
                  key={`${row.file.name}-${i}`}
                  direction="column"
                  alignItems="stretch"
                  gap={1}
                  data-testid={`mc-assign-row-${i}`}
                >
                  <Typography ellipsis fontWeight="bold">
                    {row.file.name}
                    {row.label && hasTake(row.label, row.take) ? ' (replaces its file)' : ''}
                  </Typography>
                  <Flex gap={2}>
                    <Box width="20rem">
                      <SingleSelect
                        aria-label={`Camera of ${row.file.name}`}
                        value={row.label || ''}
                        placeholder="Camera"
                        onChange={(value) => setRow(i, { label: value, fromName: false })}
                      >
                        {ALL_LABELS.map((l) => (
                          <SingleSelectOption key={l} value={l}>
                            {cameraName(l)}
                          </SingleSelectOption>
                        ))}
                      </SingleSelect>
                    </Box>
                    <Box width="12rem">
                      <SingleSelect
                        aria-label={`Take of ${row.file.name}`}
                        value={row.take ? String(row.take) : ''}
                        placeholder="Take"
                        onChange={(value) => setRow(i, { take: Number(value) })}
                      >
                        {Array.from({ length: takeChoices }, (_, n) => (
                          <SingleSelectOption key={n + 1} value={String(n + 1)}>
                            {`Take ${n + 1}`}
                          </SingleSelectOption>
                        ))}
                      </SingleSelect>
                    </Box>
                  </Flex>
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
                const perLabel = {};
                for (const row of rows) perLabel[row.label] = (perLabel[row.label] || 0) + 1;
                // Confirmed here, replacements included (the dialog names them).
                for (const row of rows) start(row.label, row.take, row.file, perLabel[row.label] > 1);
              }}
            >
              Upload
            </Button>
          </Dialog.Footer>
        </Dialog.Content>
      </Dialog.Root>
      <Dialog.Root open={replace !== null} onOpenChange={(open) => !open && setReplace(null)}>
        <Dialog.Content>
          <Dialog.Header>
            Replace camera {replace?.label}
            {replace && takesOf(present, replace.label).length > 1 ? ` take ${replace.take}` : ''}'s file?
          </Dialog.Header>
          <Dialog.Body>
            {replace &&
              `${replace.file.name} becomes a new version of camera ${replace.label}` +
                `${takesOf(present, replace.label).length > 1 ? ` take ${replace.take}` : ''}; the session syncs again. ` +
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
                const { label, take, file } = replace;
                setReplace(null);
                start(label, take, file);
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
