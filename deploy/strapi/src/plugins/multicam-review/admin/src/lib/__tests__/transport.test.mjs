import assert from 'node:assert/strict';
import test from 'node:test';
import { RESEEK_S, clampTime, clockAt, followSteps, insideProxy, videoStep } from '../transport.mjs';

const playingVideo = (currentTime, duration = 60) => ({ currentTime, paused: false, duration });
const pausedVideo = (currentTime, duration = 60) => ({ currentTime, paused: true, duration });

test('the clock is kept on the timeline', () => {
  assert.equal(clampTime(-50, [0, 1000]), 0);
  assert.equal(clampTime(1500, [0, 1000]), 1000);
  assert.equal(clampTime(400, [0, 1000]), 400);
});

test('a playing clock advances with wall time and stops at the end', () => {
  const clock = { tStart: 1000, wallStart: 5000 };
  assert.deepEqual(clockAt(clock, 5250, 10000), { t: 1250, ended: false });
  assert.deepEqual(clockAt(clock, 20000, 10000), { t: 10000, ended: true });
});

test('a video close to the clock is left alone while playing; a far one is re-seeked', () => {
  const close = videoStep(playingVideo(10 + RESEEK_S / 2), 10, { playing: true, hard: false });
  assert.deepEqual(close, { seekTo: null, play: false, pause: false });
  const far = videoStep(playingVideo(10 + RESEEK_S * 2), 10, { playing: true, hard: false });
  assert.equal(far.seekTo, 10);
});

test('a jump or a nudge seeks even a close video, so no small error shows', () => {
  assert.equal(videoStep(pausedVideo(10.01), 10, { playing: false, hard: true }).seekTo, 10);
});

test('videos play and pause with the transport', () => {
  assert.deepEqual(videoStep(pausedVideo(10), 10, { playing: true, hard: false }), {
    seekTo: null,
    play: true,
    pause: false,
  });
  assert.deepEqual(videoStep(playingVideo(10), 10, { playing: false, hard: false }), {
    seekTo: null,
    play: false,
    pause: true,
  });
});

test('a video outside its recording pauses and is not seeked', () => {
  assert.deepEqual(videoStep(playingVideo(3), -2, { playing: true, hard: true, inside: false }), {
    seekTo: null,
    play: false,
    pause: true,
  });
  assert.equal(insideProxy(-0.1, 60), false);
  assert.equal(insideProxy(61, 60), false);
  assert.equal(insideProxy(61, undefined), true); // duration not loaded yet: try
});

const proxyCam = { label: 'B', audioStartMs: 0, proxyOriginMs: 0, links: { proxy: { url: 'b.mp4' } } };
const clipsCam = {
  label: 'C',
  audioStartMs: 0,
  proxyOriginMs: 0,
  reviewClips: [
    { proxyStartMs: 1000, proxyEndMs: 5000 },
    { proxyStartMs: 20000, proxyEndMs: 24000 },
  ],
};

test('a proxy follows master time minus its offset, and says whether it is recording', () => {
  const videos = { B: pausedVideo(0, 30) };
  const steps = followSteps([proxyCam], { B: 2000 }, 7000, (k) => videos[k], { playing: false, hard: true });
  assert.deepEqual(steps, [{ key: 'B', recording: true, step: { seekTo: 5, play: false, pause: false } }]);
  const before = followSteps([proxyCam], { B: 2000 }, 1000, (k) => videos[k], { playing: true, hard: true });
  assert.equal(before[0].recording, false);
  assert.equal(before[0].step.seekTo, null);
});

test('only the review clip holding the moment plays, at its own time; the others pause', () => {
  const videos = { 'C:0': pausedVideo(0, 4), 'C:1': playingVideo(1, 4) };
  const steps = followSteps([clipsCam], { C: 500 }, 3500, (k) => videos[k], { playing: true, hard: false });
  assert.deepEqual(steps, [
    { key: 'C:0', step: { seekTo: 2, play: true, pause: false } }, // proxy 3.0 s is clip 0's 2.0 s
    { key: 'C:1', step: { seekTo: null, play: false, pause: true } },
  ]);
});

test('between review clips every clip is still', () => {
  const videos = { 'C:0': playingVideo(3, 4), 'C:1': pausedVideo(0, 4) };
  const steps = followSteps([clipsCam], { C: 0 }, 10000, (k) => videos[k], { playing: true, hard: false });
  assert.deepEqual(
    steps.map((s) => s.step),
    [
      { seekTo: null, play: false, pause: true },
      { seekTo: null, play: false, pause: false },
    ]
  );
});

test('a camera not placed, or not mounted, has no step', () => {
  const videos = { B: pausedVideo(0) };
  assert.deepEqual(
    followSteps([proxyCam], { B: null }, 0, (k) => videos[k], { playing: true, hard: true }),
    []
  );
  assert.deepEqual(
    followSteps([proxyCam], { B: 0 }, 0, () => undefined, { playing: true, hard: true }),
    []
  );
});
