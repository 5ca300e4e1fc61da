import assert from 'node:assert/strict';
import test from 'node:test';
import { clipAtProxyTime, momentText, nextMoment, pictureSource, reviewMoments } from '../reviewClips.mjs';

const clip = (proxyStartMs, proxyEndMs, startMs, endMs, reasons = ['start']) => ({
  proxyStartMs,
  proxyEndMs,
  startMs,
  endMs,
  reasons,
  url: 'u',
});

test('the full proxy wins over review clips; clips before nothing', () => {
  assert.equal(pictureSource({ links: { proxy: { url: 'p' } }, reviewClips: [clip(0, 1, 0, 1)] }), 'proxy');
  assert.equal(pictureSource({ links: {}, reviewClips: [clip(0, 1, 0, 1)] }), 'clips');
  assert.equal(pictureSource({ links: {}, reviewClips: [] }), null);
  assert.equal(pictureSource({}), null);
});

test('a proxy time inside a clip gives that clip and the time in it', () => {
  const cam = { reviewClips: [clip(1000, 5000, 0, 4000), clip(60_000, 64_000, 59_000, 63_000)] };
  assert.deepEqual(clipAtProxyTime(cam, 1), { index: 0, time: 0 });
  const inSecond = clipAtProxyTime(cam, 61.5);
  assert.equal(inSecond.index, 1);
  assert.ok(Math.abs(inSecond.time - 1.5) < 1e-9);
  assert.equal(clipAtProxyTime(cam, 5), null); // the end is the next clip's, not this one's
  assert.equal(clipAtProxyTime(cam, 30), null); // between clips: no picture yet
  assert.equal(clipAtProxyTime({}, 1), null);
});

test('moments join the cameras overlapping clips and keep every reason once', () => {
  const cameras = [
    { label: 'A', links: {}, reviewClips: [clip(0, 4000, 0, 4000, ['start']), clip(0, 0, 40_000, 44_000, ['event'])] },
    { label: 'B', links: {}, reviewClips: [clip(0, 0, 2000, 6000, ['start', 'event'])] },
    { label: 'C', links: { proxy: { url: 'p' } }, reviewClips: [clip(0, 0, 90_000, 94_000)] }, // has its proxy
  ];
  assert.deepEqual(reviewMoments(cameras), [
    { startMs: 0, endMs: 6000, reasons: ['start', 'event'] },
    { startMs: 40_000, endMs: 44_000, reasons: ['event'] },
  ]);
  assert.equal(momentText({ reasons: ['start', 'event'] }), 'start · loud sound');
});

test('next moment: the first after now, wrapping to the first', () => {
  const moments = [{ startMs: 0 }, { startMs: 40_000 }];
  assert.equal(nextMoment(moments, 0).startMs, 40_000);
  assert.equal(nextMoment(moments, 50_000).startMs, 0);
  assert.equal(nextMoment([], 0), null);
});
