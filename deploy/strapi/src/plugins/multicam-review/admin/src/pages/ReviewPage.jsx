import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { Badge, Box, Button, Flex, Grid, NumberInput, Typography } from '@strapi/design-system';
import { ArrowLeft, ArrowRight, Check, Headphones, Play } from '@strapi/icons';
import { Layouts, Page } from '@strapi/strapi/admin';
import { proxyTime, timelineSpan } from '../lib/clock.mjs';
import { SESSION_UID } from '../lib/constants.mjs';
import { clock, ms, percent } from '../lib/format.mjs';
import { STEPS, corrections, describeShift, nudged } from '../lib/nudge.mjs';
import { nextLoud } from '../lib/peaks.mjs';
import { clipName, problemText } from '../lib/summary.mjs';
import { clipAt, clipTestId, lanes } from '../lib/lanes.mjs';
import { clipAtProxyTime, momentText, nextMoment, pictureSource, reviewMoments } from '../lib/reviewClips.mjs';
import { trackText, videoText } from '../lib/tracks.mjs';
import { useReviewApi } from '../lib/useReviewApi.js';
import { useTransport } from '../lib/useTransport.js';
import { waveFromJson } from '../lib/waveform.js';
import { UploadZones } from '../components/UploadZones.jsx';
import { TakeLanes } from '../components/TakeLanes.jsx';
import { WaveCanvas } from '../components/WaveCanvas.jsx';

const WINDOWS_MS = [2000, 4000, 10000, 30000];
const LISTEN_S = 4;
// While a camera's proxy is still to come, the view is read again this often (ms): its
// review clips and then its proxy appear without a reload.
const MEDIA_POLL_MS = 5000;

/** A tile's video (proxy or review clip): every one stays mounted, the shown one visible. */
function tileVideoStyle(shown) {
  return {
    width: '100%',
    height: '100%',
    objectFit: 'contain',
    position: 'absolute',
    inset: 0,
    visibility: shown ? 'visible' : 'hidden',
  };
}

function initialOffsets(view) {
  const out = {};
  for (const cam of view.cameras) {
    const value = view.finalOffsetsMs?.[cam.label] ?? view.offsetsMs?.[cam.label];
    out[cam.label] = value === undefined ? null : value;
  }
  return out;
}

/** The cameras' proxies on one transport (each camera's takes on its lane), with
 * waveforms, nudges per take and the listen check against the master (the recorder). */
export function ReviewPage() {
  const { sessionId } = useParams();
  const api = useReviewApi();
  const navigate = useNavigate();
  const [view, setView] = useState(null);
  const [problem, setProblem] = useState(null);
  const [offsets, setOffsets] = useState({});
  const [waves, setWaves] = useState({});
  const [windowMs, setWindowMs] = useState(4000);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(null);
  const [manual, setManual] = useState({});
  const [waiting, setWaiting] = useState(null); // the session's status while it has no sync result
  const audioRef = useRef(null);

  // Memoised so that, before the result is loaded, the empty list is the same one every
  // render (a fresh [] would remake span, follow and seek, and rerun their effects).
  const cameras = useMemo(() => view?.cameras || [], [view]);
  // The clip at the timeline's zero (REC, or B#1 when the master camera has several files).
  const master = view?.masterClip ?? view?.masterCamera;
  const cameraLanes = useMemo(() => lanes(cameras, offsets), [cameras, offsets]);
  const span = useMemo(() => timelineSpan(cameras, offsets), [cameras, offsets]);

  const { t, playing, setPlaying, seek, now, setStart, follow, videoRef } = useTransport(cameras, offsets, span);

  const load = useCallback(async () => {
    setProblem(null);
    try {
      const v = await api.sync(sessionId);
      if (!v) {
        setWaiting(await api.status(sessionId));
        return;
      }
      setWaiting(null);
      const initial = initialOffsets(v);
      // Start where every placed camera is recording: all three pictures show.
      const start = Math.max(0, ...Object.values(initial).filter((o) => o !== null));
      setStart(start);
      setView(v);
      setOffsets(initial);
      const loaded = {};
      await Promise.all(
        v.cameras
          .filter((c) => c.links?.waveform)
          .map(async (c) => {
            try {
              loaded[c.label] = waveFromJson(await api.waveform(sessionId, c.label));
            } catch {
              loaded[c.label] = null;
            }
          })
      );
      setWaves(loaded);
    } catch (err) {
      setProblem(problemText(err));
    }
  }, [api, sessionId, setStart]);

  useEffect(() => {
    load();
  }, [load]);

  // A nudge moves the picture at once.
  useEffect(() => {
    if (view) follow(true);
  }, [offsets, view, follow]);

  const jumpToLoud = () => {
    const ref = waves[master] ? master : cameras.find((c) => waves[c.label])?.label;
    if (!ref) return;
    const cam = cameras.find((c) => c.label === ref);
    const at = nextLoud(waves[ref], cam, offsets[ref] ?? 0, now());
    if (at !== null) seek(at);
  };

  const moments = reviewMoments(cameras);
  const jumpToMoment = () => {
    const moment = nextMoment(moments, now());
    if (moment) seek(moment.startMs);
  };

  const listen = async (label) => {
    try {
      const blob = await api.listen(sessionId, {
        camera: label,
        atMs: now().toFixed(1),
        offsetMs: offsets[label],
        seconds: LISTEN_S,
      });
      const audio = audioRef.current;
      if (audio.src) URL.revokeObjectURL(audio.src);
      audio.src = URL.createObjectURL(blob);
      audio.dataset.camera = label;
      await audio.play().catch(() => {});
    } catch (err) {
      setProblem(problemText(err));
    }
  };

  const save = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const changed = corrections(offsets, view.offsetsMs || {}, master);
      const result = Object.keys(changed).length
        ? await api.correct(sessionId, view.computedAt, changed)
        : await api.approve(sessionId, view.computedAt);
      setDone(result);
    } catch (err) {
      setProblem(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  // Proxies still to come: read the view again for the review clips, then the proxies
  // (the working offsets and the transport stay as they are).
  const mediaPending = cameras.some(
    (c) => !c.isRecorder && pictureSource(c) !== 'proxy' && (c.videoState === 'pending' || c.videoState === 'encoding')
  );
  useEffect(() => {
    if (!view || !mediaPending) return undefined;
    const timer = setTimeout(async () => {
      try {
        const fresh = await api.sync(sessionId);
        if (fresh && fresh.computedAt === view.computedAt) setView(fresh);
      } catch {
        // The next poll tries again; the page keeps what it has.
      }
    }, MEDIA_POLL_MS);
    return () => clearTimeout(timer);
  }, [api, sessionId, view, mediaPending]);

  // Not synced yet: the cameras' files come in here; the review opens by itself.
  useEffect(() => {
    if (!waiting) return undefined;
    const timer = setTimeout(load, 3000);
    return () => clearTimeout(timer);
  }, [waiting, load]);

  if (problem && !view) return <Page.Error>{problem}</Page.Error>;
  if (waiting && !view) {
    return (
      <Page.Main>
        <Page.Title>Session</Page.Title>
        <Layouts.Header
          title={waiting.title || 'Session'}
          subtitle={`${waiting.state}${waiting.progressMessage ? ` · ${waiting.progressMessage}` : ''}: the review opens here once the cameras are synced`}
        />
        <Layouts.Content>
          <Box maxWidth="40rem">
            <UploadZones sessionId={sessionId} assets={waiting.assets} onChanged={load} />
          </Box>
        </Layouts.Content>
      </Page.Main>
    );
  }
  if (!view) return <Page.Loading />;

  const changed = corrections(offsets, view.offsetsMs || {}, master);
  const unplaced = cameras.filter((c) => !c.isMaster && (offsets[c.label] === null || offsets[c.label] === undefined));
  const sessionPath = `/content-manager/collection-types/${SESSION_UID}/${sessionId}`;
  const masterCam = cameras.find((c) => c.label === master);
  const masterName = masterCam ? clipName(masterCam) : master;

  return (
    <Page.Main>
      <Page.Title>Review sync</Page.Title>
      <Layouts.Header
        title="Review sync"
        subtitle={`Sync confidence: ${percent(view.overallConfidencePct)} · master ${masterName}`}
        navigationAction={
          <Button variant="ghost" startIcon={<ArrowLeft />} onClick={() => navigate(sessionPath)}>
            Session
          </Button>
        }
        primaryAction={
          done ? null : (
            <Button
              startIcon={<Check />}
              loading={busy}
              disabled={unplaced.length > 0}
              onClick={save}
              data-testid={Object.keys(changed).length ? 'mc-save' : 'mc-approve'}
            >
              {Object.keys(changed).length ? 'Save correction' : 'Approve'}
            </Button>
          )
        }
      />
      <Layouts.Content>
        {done && (
          <Box padding={4} background="success100" hasRadius marginBottom={4} data-testid="mc-review-done">
            <Typography fontWeight="bold">
              {done.operatorStatus === 'corrected' ? 'Correction saved' : 'Approved'} by {done.approvedBy}.
            </Typography>{' '}
            <Typography>
              Offsets used for editing:{' '}
              {Object.entries(done.finalOffsetsMs)
                .map(([l, v]) => `${l} ${ms(v)}`)
                .join(', ')}
            </Typography>
          </Box>
        )}
        {problem && (
          <Box padding={4} background="danger100" hasRadius marginBottom={4} data-testid="mc-review-error">
            <Typography textColor="danger700">{problem}</Typography>{' '}
            <Button variant="tertiary" size="S" onClick={load}>
              Reload
            </Button>
          </Box>
        )}
        <Grid.Root gap={4}>
          {cameraLanes
            .filter((lane) => !lane.isRecorder)
            .map((lane) => {
              const showing = clipAt(lane, t);
              const multi = lane.clips.length > 1;
              return (
                <Grid.Item key={lane.camera} col={4} s={12} direction="column" alignItems="stretch">
                  <Box
                    background="neutral1000"
                    hasRadius
                    style={{ position: 'relative', aspectRatio: '16 / 9' }}
                    data-testid={`mc-tile-${lane.camera}`}
                    data-showing={showing?.label || ''}
                  >
                    {lane.clips.map((clip) => {
                      const cam = cameras.find((c) => c.label === clip.label);
                      // Every take's video stays mounted (seeks stay instant); the one
                      // recording now is shown. A camera with one file shows it paused
                      // where it is not recording, one with takes shows none there.
                      const shown = showing ? showing.label === clip.label : !multi;
                      if (pictureSource(cam) === 'clips') {
                        const offset = offsets[cam.label];
                        const placed = offset !== null && offset !== undefined;
                        const hit = placed ? clipAtProxyTime(cam, proxyTime(t, cam, offset)) : null;
                        return (
                          <Box key={clip.label}>
                            {cam.reviewClips.map((rc, index) => (
                              <video
                                key={rc.url}
                                ref={videoRef(`${cam.label}:${index}`)}
                                src={rc.url}
                                preload="auto"
                                muted
                                playsInline
                                onLoadedMetadata={() => follow(true)}
                                style={tileVideoStyle(shown && hit?.index === index)}
                                data-testid={`mc-clip-${clipTestId(cam.label)}-${index}`}
                                data-showing={String(Boolean(shown && hit?.index === index))}
                              />
                            ))}
                            {shown && (
                              <Typography
                                textColor="neutral0"
                                variant="pi"
                                style={{ position: 'absolute', top: 4, left: 8, background: 'rgba(0,0,0,.6)' }}
                                data-testid={`mc-clip-note-${clipTestId(cam.label)}`}
                              >
                                {hit
                                  ? `review clip · full ${videoText(cam)}`
                                  : `no picture here yet: the proxy is being made (${trackText(cam)}); jump to a review moment`}
                              </Typography>
                            )}
                          </Box>
                        );
                      }
                      return cam.links?.proxy ? (
                        <video
                          key={clip.label}
                          ref={videoRef(cam.label)}
                          src={cam.links.proxy.url}
                          preload="auto"
                          muted
                          playsInline
                          onLoadedMetadata={() => follow(true)}
                          style={tileVideoStyle(shown)}
                          data-testid={`mc-video-${clipTestId(cam.label)}`}
                        />
                      ) : (
                        shown && (
                          <Typography
                            key={clip.label}
                            textColor="neutral0"
                            data-testid={`mc-no-proxy-${clipTestId(cam.label)}`}
                          >
                            {cam.videoState === 'pending' || cam.videoState === 'encoding'
                              ? `${clipName(cam)}: the proxy is being made (${trackText(cam)}): reload when it is ready`
                              : `No proxy for ${clipName(cam)}`}
                          </Typography>
                        )
                      );
                    })}
                    {multi && !showing && (
                      <Typography
                        textColor="neutral0"
                        style={{ position: 'absolute', bottom: 4, left: 8, background: 'rgba(0,0,0,.6)' }}
                      >
                        not recording here
                        {lane.clips.some((c) => c.placed && c.endMs < t) &&
                        lane.clips.some((c) => c.placed && c.startMs > t)
                          ? ' (between takes)'
                          : ''}
                      </Typography>
                    )}
                  </Box>
                  <Flex justifyContent="space-between" paddingTop={1}>
                    <Typography fontWeight="bold">
                      Cam {lane.camera}
                      {showing && multi ? ` · take ${showing.take}` : ''}
                      {lane.clips.some((c) => c.label === master) ? ' (master)' : ''}
                    </Typography>
                    {lane.clips
                      .map((c) => cameras.find((x) => x.label === c.label))
                      .filter((cam) => !cam.isMaster && cam.classification && (!multi || cam.label === showing?.label))
                      .map((cam) => (
                        <Badge key={cam.label}>
                          {cam.classification} · {percent(cam.confidencePct)}
                        </Badge>
                      ))}
                  </Flex>
                </Grid.Item>
              );
            })}
        </Grid.Root>
        <TakeLanes lanes={cameraLanes} span={span} t={t} onSeek={seek} />

        <Box paddingTop={4} paddingBottom={2}>
          <Flex gap={2} alignItems="center">
            <Button
              variant="secondary"
              startIcon={playing ? null : <Play />}
              onClick={() => setPlaying((p) => !p)}
              data-testid="mc-play"
            >
              {playing ? 'Pause' : 'Play'}
            </Button>
            <Button variant="tertiary" endIcon={<ArrowRight />} onClick={jumpToLoud} data-testid="mc-next-loud">
              Next loud event
            </Button>
            <Typography variant="omega" data-testid="mc-clock" style={{ fontVariantNumeric: 'tabular-nums' }}>
              {clock(t)}
            </Typography>
            <input
              type="range"
              aria-label="Scrub"
              min={Math.floor(span[0])}
              max={Math.ceil(span[1])}
              step={1}
              value={Math.round(t)}
              onChange={(e) => {
                setPlaying(false);
                seek(Number(e.target.value));
              }}
              style={{ flex: 1 }}
              data-testid="mc-scrub"
            />
            {moments.length > 0 && (
              <Button variant="tertiary" endIcon={<ArrowRight />} onClick={jumpToMoment} data-testid="mc-next-moment">
                Next review moment
              </Button>
            )}
            <Typography variant="pi">Window</Typography>
            {WINDOWS_MS.map((w) => (
              <Button key={w} size="S" variant={w === windowMs ? 'default' : 'tertiary'} onClick={() => setWindowMs(w)}>
                {w / 1000} s
              </Button>
            ))}
          </Flex>
        </Box>

        {moments.length > 0 && (
          <Flex gap={2} wrap="wrap" paddingBottom={3} data-testid="mc-moments">
            <Typography variant="pi" textColor="neutral600">
              Review clips while the proxies are made:
            </Typography>
            {moments.map((m, index) => (
              <Button
                key={m.startMs}
                size="S"
                variant={t >= m.startMs && t < m.endMs ? 'default' : 'tertiary'}
                onClick={() => seek(m.startMs)}
                data-testid={`mc-moment-${index}`}
              >
                {clock(m.startMs)} · {momentText(m)}
              </Button>
            ))}
          </Flex>
        )}
        <Flex direction="column" alignItems="stretch" gap={3}>
          {cameras.map((cam) => (
            <Box key={cam.label} data-testid={`mc-row-${clipTestId(cam.label)}`}>
              <Flex gap={2} alignItems="center" wrap="wrap" paddingBottom={1}>
                <Typography fontWeight="bold" style={{ minWidth: '4rem' }}>
                  {clipName(cam)}
                  {cam.isMaster ? ' (master)' : ''}
                </Typography>
                <Typography
                  data-testid={`mc-offset-${clipTestId(cam.label)}`}
                  style={{ fontVariantNumeric: 'tabular-nums' }}
                >
                  {offsets[cam.label] === null || offsets[cam.label] === undefined
                    ? 'not placed'
                    : ms(offsets[cam.label], 3)}
                </Typography>
                {!cam.isMaster && offsets[cam.label] !== null && offsets[cam.label] !== undefined && (
                  <Typography variant="pi" textColor="neutral600">
                    {describeShift(offsets[cam.label], view.offsetsMs?.[cam.label], cam.fps)}
                    {cam.driftPpm ? ` · drift ${cam.driftPpm.toFixed(1)} ppm` : ''}
                  </Typography>
                )}
                {!cam.isMaster &&
                  offsets[cam.label] !== null &&
                  offsets[cam.label] !== undefined &&
                  STEPS.map((step) => (
                    <Button
                      key={step.id}
                      size="S"
                      variant="tertiary"
                      onClick={() => setOffsets((o) => ({ ...o, [cam.label]: nudged(o[cam.label], step, cam.fps) }))}
                      data-testid={`mc-nudge-${clipTestId(cam.label)}-${step.id}`}
                    >
                      {step.label}
                    </Button>
                  ))}
                {!cam.isMaster && offsets[cam.label] !== null && offsets[cam.label] !== undefined && (
                  <Button
                    size="S"
                    variant="secondary"
                    startIcon={<Headphones />}
                    onClick={() => listen(cam.label)}
                    data-testid={`mc-listen-${clipTestId(cam.label)}`}
                  >
                    Listen ({masterName} left, {clipName(cam)} right)
                  </Button>
                )}
              </Flex>
              {cam.error && (
                <Typography variant="pi" textColor="danger600" tag="p">
                  Not placed by the sync: {cam.error}
                </Typography>
              )}
              {!cam.isMaster && (offsets[cam.label] === null || offsets[cam.label] === undefined || cam.error) && (
                <Flex gap={2} alignItems="flex-end" paddingBottom={1}>
                  <Box width="14rem">
                    <NumberInput
                      aria-label={`Offset of ${clipName(cam)} in ms`}
                      placeholder="offset in ms"
                      value={manual[cam.label]}
                      onValueChange={(v) => setManual((m) => ({ ...m, [cam.label]: v }))}
                      step={1}
                    />
                  </Box>
                  <Button
                    size="S"
                    variant="secondary"
                    disabled={manual[cam.label] === undefined || manual[cam.label] === null}
                    onClick={() => setOffsets((o) => ({ ...o, [cam.label]: Number(manual[cam.label]) }))}
                    data-testid={`mc-place-${clipTestId(cam.label)}`}
                  >
                    Place by hand
                  </Button>
                </Flex>
              )}
              {waves[cam.label] ? (
                <WaveCanvas
                  label={cam.label}
                  wave={waves[cam.label]}
                  camera={cam}
                  offsetMs={offsets[cam.label]}
                  startMs={t - windowMs / 2}
                  endMs={t + windowMs / 2}
                  color={cam.isMaster ? '#328048' : '#4945ff'}
                />
              ) : (
                <Typography variant="pi" textColor="neutral600">
                  No waveform for {clipName(cam)}.
                </Typography>
              )}
            </Box>
          ))}
        </Flex>
        <audio ref={audioRef} data-testid="mc-listen-audio" />
      </Layouts.Content>
    </Page.Main>
  );
}
