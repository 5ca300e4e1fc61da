import assert from 'node:assert/strict';
import test from 'node:test';
import {
  alreadyStored,
  assignmentProblem,
  bytes,
  contentType,
  labelFromName,
  missingParts,
  notMedia,
  partRange,
  proposeAssignment,
  rate,
} from '../upload-plan.mjs';

const file = (name, type = '') => ({ name, type });

test('camera labels are read from names that say so', () => {
  assert.equal(labelFromName('camA.mp4'), 'A');
  assert.equal(labelFromName('CAM_B_0001.MOV'), 'B');
  assert.equal(labelFromName('interview_cam-c.mp4'), 'C');
  assert.equal(labelFromName('Camera A.mov'), 'A');
  assert.equal(labelFromName('C-wide.mxf'), 'C');
  assert.equal(labelFromName('angle_b.mp4'), 'B');
});

test('names that do not say which camera give no label', () => {
  assert.equal(labelFromName('A001_C003.mov'), null);
  assert.equal(labelFromName('clip.mp4'), null);
  assert.equal(labelFromName('camD.mp4'), null);
  assert.equal(labelFromName('scene.mp4'), null);
});

test('three dropped files are proposed by name, the rest in drop order', () => {
  const files = [file('closeup.mp4'), file('camC.mp4'), file('wide.mp4')];
  const a = proposeAssignment(files);
  assert.deepEqual(
    a.map((x) => [x.file.name, x.label, x.fromName]),
    [
      ['closeup.mp4', 'A', false],
      ['camC.mp4', 'C', true],
      ['wide.mp4', 'B', false],
    ]
  );
  assert.equal(assignmentProblem(a), null);
});

test('two files naming the same camera are not trusted', () => {
  const a = proposeAssignment([file('camA-1.mp4'), file('camA-2.mp4')]);
  assert.deepEqual(
    a.map((x) => [x.label, x.fromName]),
    [
      ['A', false],
      ['B', false],
    ]
  );
});

test('a fourth file gets no camera, and the assignment says what is wrong', () => {
  const a = proposeAssignment([file('1.mp4'), file('2.mp4'), file('3.mp4'), file('4.mp4')]);
  assert.equal(a[3].label, null);
  assert.equal(assignmentProblem(a), 'give every file a camera');
  assert.equal(assignmentProblem([{ label: 'A' }, { label: 'A' }]), 'two files are given the same camera');
});

test('only media files are taken', () => {
  assert.equal(notMedia(file('camA.mp4', 'video/mp4')), null);
  assert.equal(notMedia(file('CAM_B.MXF')), null);
  assert.equal(notMedia(file('boom.wav', 'audio/wav')), null);
  assert.match(notMedia(file('notes.txt', 'text/plain')), /not a video or audio file \(text\/plain\)/);
  assert.match(notMedia(file('README')), /no extension/);
  assert.equal(contentType(file('x.MOV')), 'video/quicktime');
  assert.equal(contentType(file('x.mp4', 'video/mp4')), 'video/mp4');
});

test('a resumed upload sends only the parts storage does not hold', () => {
  assert.deepEqual(missingParts(4, [{ partNumber: 1 }, { partNumber: 3 }]), [2, 4]);
  assert.deepEqual(missingParts(2, []), [1, 2]);
  assert.deepEqual(partRange(3, 5, 12), [10, 12]);
  assert.deepEqual(partRange(1, 5, 12), [0, 5]);
});

test('progress reads as speed and time left', () => {
  assert.equal(bytes(512), '512 B');
  assert.equal(bytes(5 * 1024 * 1024), '5.0 MB');
  assert.equal(bytes(1536 * 1024 * 1024), '1.5 GB');
  assert.equal(rate(10 * 1024 * 1024, 20 * 1024 * 1024, 1000), '10 MB/s · 1 s left');
  assert.equal(rate(1024 * 1024, 121 * 1024 * 1024, 1000), '1.0 MB/s · 2 min 0 s left');
  assert.equal(rate(0, 10, 1000), '');
});

test('a 412 to a retried or resumed single PUT means the file is already stored', () => {
  assert.equal(alreadyStored(412, 2, false), true);
  assert.equal(alreadyStored(412, 1, true), true);
  assert.equal(alreadyStored(412, 1, false), false); // a fresh upload's key held something
  assert.equal(alreadyStored(403, 2, true), false);
  assert.equal(alreadyStored(undefined, 3, true), false); // a network error
});
