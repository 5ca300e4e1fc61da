import assert from 'node:assert/strict';
import test from 'node:test';
import { STEPS, corrections, describeShift, frameMs, nudged } from '../nudge.mjs';

const step = (id) => STEPS.find((s) => s.id === id);

test('one frame at 30 fps is 33.333 ms, at 25 fps 40 ms', () => {
  assert.equal(nudged(100, step('+1f'), 30), 133.333);
  assert.equal(nudged(100, step('-10f'), 25), -300);
});

test('a millisecond step ignores the frame rate', () => {
  assert.equal(nudged(-4123.4, step('+1ms'), 29.97), -4122.4);
  assert.equal(nudged(-4123.4, step('-1ms'), 29.97), -4124.4);
});

test('an unknown frame rate falls back to 30 fps', () => {
  assert.equal(frameMs(undefined), 1000 / 30);
  assert.equal(frameMs(0), 1000 / 30);
});

test('thirty +1 f steps at 30 fps make one second, without accumulated noise', () => {
  let offset = 0;
  for (let i = 0; i < 30; i += 1) offset = nudged(offset, step('+1f'), 30);
  assert.ok(Math.abs(offset - 1000) < 0.01);
});

test('corrections name only the cameras moved off their computed offset, never the master', () => {
  const computed = { A: 0, B: 6432.1, C: -4123.4 };
  assert.deepEqual(corrections({ A: 0, B: 6432.1, C: -4090.067 }, computed, 'A'), { C: -4090.067 });
  assert.deepEqual(corrections({ ...computed }, computed, 'A'), {});
  assert.deepEqual(corrections({ A: 5, B: 6432.1, C: -4123.4 }, computed, 'A'), {});
  // A camera the sync could not place, placed by hand, is a correction.
  assert.deepEqual(corrections({ A: 0, D: 1200 }, { A: 0 }, 'A'), { D: 1200 });
});

test('the shift is told in frames when it is whole frames, else in ms', () => {
  assert.equal(describeShift(133.333333, 100, 30), '+1 f');
  assert.equal(describeShift(101, 100, 30), '+1.0 ms');
  assert.equal(describeShift(100, 100, 30), 'as computed');
  assert.equal(describeShift(-300, 100, 25), '−10 f');
  assert.equal(describeShift(50, undefined, 25), 'placed by hand');
});
