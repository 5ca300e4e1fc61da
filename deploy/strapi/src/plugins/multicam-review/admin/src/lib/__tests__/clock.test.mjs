import assert from 'node:assert/strict';
import test from 'node:test';
import { masterTime, proxyTime, timelineSpan } from '../clock.mjs';

const near = (a, b, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test('a camera without drift or start offsets: proxy time is master time minus offset', () => {
  const cam = { audioStartMs: 0, proxyOriginMs: 0 };
  near(proxyTime(5000, cam, 1234), 3.766);
  near(proxyTime(1234, cam, 1234), 0);
});

test('video that starts 200 ms after audio: the proxy origin is the audio start', () => {
  // Proxy time 0 is the first audio sample, so the first frame is at 0.2 s in the proxy.
  const cam = { audioStartMs: 0, videoStartMs: 200, proxyOriginMs: 0 };
  near(proxyTime(1000, cam, 0), 1.0);
});

test('audio that starts after the video shifts the proxy time by the difference', () => {
  const cam = { audioStartMs: 150, videoStartMs: 0, proxyOriginMs: 0 };
  near(proxyTime(0, cam, 0), 0.15);
});

test('a fast clock reaches further into its file as master time passes', () => {
  const cam = { driftPpm: 100, audioStartMs: 0, proxyOriginMs: 0 };
  near(proxyTime(3_600_000, cam, 0), 3600 * (1 + 1e-4), 1e-6);
});

test('masterTime inverts proxyTime', () => {
  const cam = { driftPpm: -80, audioStartMs: 21.3, proxyOriginMs: 0 };
  for (const t of [-500, 0, 1234.5, 600_000]) near(masterTime(proxyTime(t, cam, -4204.3), cam, -4204.3), t, 1e-6);
});

test('the timeline spans every placed camera, the master starting at 0', () => {
  const cams = [
    { label: 'A', durationMs: 10_000 },
    { label: 'B', durationMs: 8_000 },
    { label: 'C', durationMs: 9_000 },
  ];
  assert.deepEqual(timelineSpan(cams, { A: 0, B: 5_000, C: -2_000 }), [-2_000, 13_000]);
  assert.deepEqual(timelineSpan(cams, { A: 0, B: null, C: undefined }), [0, 10_000]);
});
