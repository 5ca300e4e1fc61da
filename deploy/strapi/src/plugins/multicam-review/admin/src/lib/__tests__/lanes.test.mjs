import assert from 'node:assert/strict';
import test from 'node:test';
import { clipAt, clipSpan, lanes, place } from '../lanes.mjs';

const clips = [
  { label: 'A', camera: 'A', take: 1, durationMs: 60_000 },
  { label: 'B#1', camera: 'B', take: 1, durationMs: 20_000 },
  { label: 'B#2', camera: 'B', take: 2, durationMs: 25_000, driftPpm: 100 },
  { label: 'C', camera: 'C', take: 1, durationMs: 10_000 },
  { label: 'REC', camera: 'REC', take: 1, isRecorder: true, durationMs: 70_000 },
];

test("a camera's takes share its lane, with the gap between them", () => {
  const got = lanes(clips, { A: 1000, 'B#1': 2000, 'B#2': 30_000, C: null, REC: 0 });
  assert.deepEqual(
    got.map((l) => [l.camera, l.isRecorder, l.clips.map((c) => c.label)]),
    [
      ['A', false, ['A']],
      ['B', false, ['B#1', 'B#2']],
      ['C', false, ['C']],
      ['REC', true, ['REC']],
    ]
  );
  const [b1, b2] = got[1].clips;
  assert.deepEqual([b1.startMs, b1.endMs], [2000, 22_000]);
  assert.equal(b2.startMs, 30_000);
  assert.ok(Math.abs(b2.endMs - (30_000 + 25_000 / 1.0001)) < 1e-6); // its clock runs fast
  assert.equal(got[2].clips[0].placed, false);
  assert.equal(got[2].clips[0].startMs, null);
});

test('the take recording at a moment, and none between takes', () => {
  const [, b] = lanes(clips, { A: 0, 'B#1': 2000, 'B#2': 30_000, C: 0, REC: 0 });
  assert.equal(clipAt(b, 5000).label, 'B#1');
  assert.equal(clipAt(b, 25_000), null);
  assert.equal(clipAt(b, 31_000).label, 'B#2');
  assert.equal(clipAt(b, 0), null);
});

test('drawing positions stay inside the span', () => {
  assert.deepEqual(place(0, 50, [0, 100]), [0, 50]);
  assert.deepEqual(place(-20, 10, [0, 100]), [0, 10]);
  assert.deepEqual(place(90, 130, [0, 100]), [90, 10]);
  assert.deepEqual(clipSpan({ durationMs: 1000 }, 500), [500, 1500]);
});
