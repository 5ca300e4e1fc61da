import assert from 'node:assert/strict';
import test from 'node:test';
import { cardSummary, clipName, problemText } from '../summary.mjs';
import { trackText } from '../tracks.mjs';
import { clock, ms, percent } from '../format.mjs';

function view(pct, classes, extra = {}) {
  const cameras = [{ label: 'A', isMaster: true, offsetMs: 0 }].concat(
    Object.entries(classes).map(([label, classification]) => ({ label, isMaster: false, classification, offsetMs: 10 }))
  );
  // As the service judges it (worker/sync/confidence.py session_verdict).
  const all = Object.values(classes);
  return {
    masterCamera: 'A',
    operatorStatus: 'pending',
    overallConfidencePct: pct,
    verdict: all.length ? (all.every((c) => c === 'looks-good') ? 'looks-good' : 'review') : null,
    finalOffsetsMs: { A: 0, B: -134, C: 87 },
    cameras,
    ...extra,
  };
}

test("the service's verdict decides the action, whatever the percentage shown", () => {
  assert.equal(cardSummary(view(92.4, { B: 'looks-good', C: 'looks-good' })).action, 'looks-good');
  // Before #26 the card had its own 85 % rule: this one said "Looks good".
  assert.equal(cardSummary(view(88, { B: 'looks-good', C: 'review-suggested' })).action, 'review');
  assert.equal(cardSummary(view(97, { B: 'looks-good', C: 'needs-manual-nudge' })).action, 'review');
  assert.equal(cardSummary({ ...view(99, { B: 'looks-good' }), verdict: 'review' }).action, 'review');
});

test('a view without a verdict (an older service) asks for a review', () => {
  const v = view(99, { B: 'looks-good' });
  delete v.verdict;
  assert.equal(cardSummary(v).action, 'review');
});

test('a camera the sync could not place forces a review', () => {
  const v = view(99, { B: 'looks-good', C: null });
  v.cameras[2] = { label: 'C', isMaster: false, classification: null, error: 'no audio stream' };
  v.finalOffsetsMs = { A: 0, B: -134 };
  const s = cardSummary(v);
  assert.equal(s.action, 'review');
  assert.equal(s.cameras.find((c) => c.label === 'C').offset, 'not placed');
  assert.equal(s.cameras.find((c) => c.label === 'C').error, 'no audio stream');
});

test('a reviewed result offers no primary action', () => {
  const s = cardSummary(view(92, { B: 'looks-good' }, { operatorStatus: 'approved' }));
  assert.equal(s.reviewed, true);
  assert.equal(s.action, null);
});

test('offsets read with real minus signs, drift only where there is some', () => {
  const v = view(92, { B: 'looks-good', C: 'looks-good' });
  v.cameras[2].driftPpm = 59.44;
  v.cameras[1].driftPpm = 0.01;
  const s = cardSummary(v);
  assert.equal(s.cameras[0].offset, '0.0 ms');
  assert.equal(s.cameras[1].offset, '−134.0 ms');
  assert.equal(s.cameras[1].drift, null);
  assert.equal(s.cameras[2].offset, '+87.0 ms');
  assert.equal(s.cameras[2].drift, '+59.4 ppm');
});

test('formatting helpers', () => {
  assert.equal(percent(92.97), '92 %');
  assert.equal(ms(-0.04), '0.0 ms');
  assert.equal(clock(-1500), '−0:01.500');
  assert.equal(clock(61_250), '1:01.250');
});

test('a changed result and a missing permission are told in words', () => {
  assert.match(problemText({ response: { data: { error: { code: 'sync_changed', message: 'x' } } } }), /recomputed/);
  assert.match(problemText({ status: 403 }), /permission/);
  assert.equal(problemText({ response: { data: { error: { code: 'x', message: 'the reason' } } } }), 'the reason');
});

test('a camera with several takes is summarised, and a take the sync could not place is named', () => {
  const clip = (label, camera, take, extra = {}) => ({ label, camera, take, isMaster: false, offsetMs: 5, ...extra });
  const v = {
    masterCamera: 'REC',
    operatorStatus: 'pending',
    overallConfidencePct: 95,
    cameras: [
      clip('A', 'A', 1, { classification: 'looks-good' }),
      clip('B#1', 'B', 1, { classification: 'looks-good' }),
      clip('B#2', 'B', 2, { classification: 'looks-good' }),
      clip('C#1', 'C', 1, { classification: 'looks-good' }),
      clip('C#2', 'C', 2, { offsetMs: null, error: 'its audio overlaps no other clip' }),
      clip('C#3', 'C', 3, { classification: 'looks-good' }),
      clip('REC', 'REC', 1, { isMaster: true, isRecorder: true, offsetMs: 0 }),
    ],
  };
  const s = cardSummary(v);
  assert.deepEqual(
    s.groups.map((g) => g.text),
    ['Cam B: 2 takes, all placed', 'Cam C: 3 takes, 2 placed, take 2 not']
  );
  assert.equal(s.action, 'review');
  assert.equal(s.cameras[2].name, 'Cam B take 2');
  assert.equal(clipName(v.cameras[6]), 'Sound recorder');
  assert.equal(clipName(v.cameras[0]), 'Cam A');
});

test("a recorder's track is ready once its audio is in: it has no video", () => {
  assert.equal(trackText({ cameraLabel: 'REC', state: 'ready', videoState: null }), 'ready');
  assert.equal(trackText({ cameraLabel: 'B', state: 'ready', videoState: 'pending' }), 'audio ready · video queued');
});
