import assert from 'node:assert/strict';
import test from 'node:test';
import {
  alreadyStored,
  assignmentProblem,
  byName,
  bytes,
  cameraName,
  contentType,
  labelFromName,
  missingParts,
  notMedia,
  partRange,
  proposeAssignment,
  rate,
  takesOf,
  zoneLabels,
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
  assert.equal(labelFromName('camF.mp4'), null);
  assert.equal(labelFromName('scene.mp4'), null);
  assert.equal(labelFromName('camD.mp4', ['A', 'B', 'C']), null);
});

test('a sound recorder is told by its audio-only file or by its name', () => {
  assert.equal(labelFromName('ZOOM0001.WAV'), 'REC');
  assert.equal(labelFromName('210612_003.bwf'), 'REC');
  assert.equal(labelFromName('mixer-lavs.mp4'), 'REC');
  assert.equal(labelFromName('rec.m4a'), 'REC');
  assert.equal(labelFromName('camB_scratch.wav'), 'B'); // the name says which camera
  assert.equal(labelFromName('record.mp4'), null);
  assert.equal(labelFromName('ZOOM0001.WAV', ['A', 'B', 'C']), null);
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

test("a camera's files become its takes in name order, numbered as the camera numbers them", () => {
  const files = [file('camB_0010.mp4'), file('camA.mp4'), file('camB_0002.mp4'), file('ZOOM0001.WAV')];
  const a = proposeAssignment(files);
  assert.deepEqual(
    a.map((x) => [x.file.name, x.label, x.take, x.fromName]),
    [
      ['camB_0010.mp4', 'B', 2, true],
      ['camA.mp4', 'A', 1, true],
      ['camB_0002.mp4', 'B', 1, true],
      ['ZOOM0001.WAV', 'REC', 1, true],
    ]
  );
  assert.equal(assignmentProblem(a), null);
  assert.ok(byName('C0002.MP4', 'C0010.MP4') < 0);
});

test("files dropped on a zone are that camera's, after the takes it has", () => {
  const assets = [
    { cameraLabel: 'B', take: 1, originalFilename: 'b1.mp4' },
    { cameraLabel: 'B', take: 2, originalFilename: 'b2.mp4' },
  ];
  const a = proposeAssignment([file('b4.mp4'), file('camA.mp4'), file('b2.mp4')], { label: 'B', assets });
  assert.deepEqual(
    a.map((x) => [x.file.name, x.label, x.take, x.fromName]),
    [
      ['b4.mp4', 'B', 3, false],
      ['camA.mp4', 'B', 4, false],
      ['b2.mp4', 'B', 2, false], // dropped again: the same take (resumed or replaced)
    ]
  );
});

test('a camera that already has files is not proposed for an unnamed one', () => {
  const a = proposeAssignment([file('x.mp4'), file('y.mp4')], { assets: [{ cameraLabel: 'A', take: 1 }] });
  assert.deepEqual(
    a.map((x) => [x.label, x.take]),
    [
      ['B', 1],
      ['C', 1],
    ]
  );
});

test('zones: A, B, C, other cameras the session has, and the recorder; takes in order', () => {
  assert.deepEqual(zoneLabels([]), ['A', 'B', 'C', 'REC']);
  assert.deepEqual(zoneLabels([{ cameraLabel: 'E' }]), ['A', 'B', 'C', 'E', 'REC']);
  const assets = [
    { cameraLabel: 'B', take: 2 },
    { cameraLabel: 'A', take: 1 },
    { cameraLabel: 'B', take: 1 },
  ];
  assert.deepEqual(
    takesOf(assets, 'B').map((a) => a.take),
    [1, 2]
  );
  assert.equal(cameraName('REC'), 'Sound recorder');
  assert.equal(cameraName('B'), 'Cam B');
});

test('a fourth file gets no camera, and the assignment says what is wrong', () => {
  const a = proposeAssignment([file('1.mp4'), file('2.mp4'), file('3.mp4'), file('4.mp4')]);
  assert.equal(a[3].label, null);
  assert.equal(assignmentProblem(a), 'give every file a camera');
  assert.equal(
    assignmentProblem([
      { label: 'A', take: 1 },
      { label: 'A', take: 1 },
    ]),
    'two files are given the same take of one camera'
  );
  assert.equal(assignmentProblem([{ label: 'A', take: 0 }]), 'give every file a take from 1 to 99');
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
