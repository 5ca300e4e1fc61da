import assert from 'node:assert/strict';
import test from 'node:test';
import { columns, nextLoud } from '../peaks.mjs';

// 100 peaks per second (480 samples per peak at 48 kHz), silent but for one click.
function wave(clickAtPeak, length = 1000) {
  const value = (i) => (i === clickAtPeak ? 120 : 2);
  return { sampleRate: 48000, samplesPerPixel: 480, length, scale: 128, min: (i) => -value(i), max: value };
}

test('the waveform is placed by the offset: a click 2 s into B at offset 1 s shows at master 3 s', () => {
  const w = wave(200);
  const cam = { audioStartMs: 0, driftPpm: 0 };
  const cols = columns(w, cam, 1000, 2500, 3500, 100);
  const loudest = cols.reduce((best, c, x) => (c && c[1] > (cols[best]?.[1] ?? -1) ? x : best), 0);
  assert.equal(loudest, 50);
  assert.ok(Math.abs(cols[50][1] - 120 / 128) < 1e-9);
});

test('before the camera starts and after it ends the columns are empty', () => {
  const cols = columns(wave(5, 100), { audioStartMs: 0 }, 1000, 0, 3000, 30);
  assert.equal(cols[0], null);
  assert.ok(cols[12] !== null);
  assert.equal(cols[29], null);
});

test('a one-frame nudge moves the drawn click by a frame of the window', () => {
  const w = wave(200);
  const cam = { audioStartMs: 0 };
  const at = (offset) => columns(w, cam, offset, 2000, 4000, 600).findIndex((c) => c && c[1] > 0.5);
  // 2 s over 600 px: 1 px = 3.33 ms, so +33.3 ms (one 30 fps frame) is 10 px, give or
  // take the pixel a 10 ms peak straddles.
  const moved = at(1033.333) - at(1000);
  assert.ok(Math.abs(moved - 10) <= 1, `moved ${moved} px`);
  assert.ok(at(966.667) < at(1000));
});

test('the next loud event is found after the playhead, on the master timeline', () => {
  const w = wave(300);
  assert.ok(Math.abs(nextLoud(w, { driftPpm: 0 }, 500, 0) - 3500) < 1e-6);
  assert.equal(nextLoud(w, { driftPpm: 0 }, 500, 3500), null);
});
