import { useCallback, useEffect, useRef, useState } from 'react';
import { clampTime, clockAt, followSteps } from './transport.mjs';

function apply(video, { seekTo, play, pause }) {
  if (seekTo !== null) video.currentTime = seekTo;
  if (play) video.play().catch(() => {});
  if (pause) video.pause();
}

/**
 * The review's transport: one clock on the master's timeline that every camera's video
 * (proxy or review clips) follows, by the rules of transport.mjs.
 *
 * @param cameras the sync view's cameras; offsets: working offsets by label; span: the
 *   timeline's [start, end] (ms).
 * @returns t (ms, re-rendered every frame while playing), playing, setPlaying, seek(at),
 *   now() (the clock without waiting for a render), setStart(at) (before the first
 *   render of a new view), follow(hard) (after a video loaded), and videoRef(key) to
 *   mount a video under its key (a label, or `${label}:${index}` for a review clip).
 */
export function useTransport(cameras, offsets, span) {
  const [t, setT] = useState(0);
  const [playing, setPlaying] = useState(false);
  const clockRef = useRef({ t: 0, playing: false, wallStart: 0, tStart: 0 });
  const elements = useRef({});

  const followAt = useCallback(
    (at, hard) => {
      const steps = followSteps(cameras, offsets, at, (key) => elements.current[key], {
        playing: clockRef.current.playing,
        hard,
      });
      for (const { key, step, recording } of steps) {
        const video = elements.current[key];
        if (recording !== undefined) video.dataset.recording = String(recording);
        apply(video, step);
      }
    },
    [cameras, offsets]
  );

  const seek = useCallback(
    (at) => {
      const clamped = clampTime(at, span);
      const c = clockRef.current;
      c.t = clamped;
      c.tStart = clamped;
      c.wallStart = performance.now();
      setT(clamped);
      followAt(clamped, true);
    },
    [followAt, span]
  );

  const setStart = useCallback((at) => {
    clockRef.current.t = at;
    setT(at);
  }, []);

  // The clock: wall time while playing; the videos follow it.
  useEffect(() => {
    if (!playing) return undefined;
    let frame;
    const c = clockRef.current;
    c.playing = true;
    c.tStart = c.t;
    c.wallStart = performance.now();
    followAt(c.t, false);
    const tick = () => {
      const { t: now, ended } = clockAt(c, performance.now(), span[1]);
      c.t = now;
      if (ended) setPlaying(false);
      setT(now);
      followAt(now, false);
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      c.playing = false;
      followAt(c.t, false);
    };
  }, [playing, followAt, span]);

  const now = useCallback(() => clockRef.current.t, []);
  const follow = useCallback((hard) => followAt(clockRef.current.t, hard), [followAt]);
  const videoRef = useCallback(
    (key) => (el) => {
      elements.current[key] = el;
    },
    []
  );

  return { t, playing, setPlaying, seek, now, setStart, follow, videoRef };
}
