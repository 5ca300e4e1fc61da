import assert from 'node:assert/strict';
import { test } from 'node:test';
import { videoText, trackText, videoPending } from '../tracks.mjs';

test('the audio track is what ingesting means', () => {
  assert.equal(trackText({ state: 'uploading' }), 'uploading');
  assert.equal(trackText({ state: 'ingesting', progressPct: null }), 'audio queued');
  assert.equal(trackText({ state: 'ingesting', progressPct: 40 }), 'audio 40 %');
  assert.equal(trackText({ state: 'failed', videoState: null }), 'failed');
});

test('a ready camera says where its video is', () => {
  assert.equal(trackText({ state: 'ready', videoState: 'pending' }), 'audio ready · video queued');
  assert.equal(trackText({ state: 'ready', videoState: 'encoding', videoProgressPct: 45 }), 'audio ready · proxy 45 %');
  assert.equal(trackText({ state: 'ready', videoState: 'encoding', videoProgressPct: 0 }), 'audio ready · proxy 0 %');
  assert.equal(trackText({ state: 'ready', videoState: 'encoding' }), 'audio ready · proxy starting');
  assert.equal(trackText({ state: 'ready', videoState: 'failed' }), 'audio ready · video failed');
  assert.equal(trackText({ state: 'ready', videoState: 'ready' }), 'ready');
});

test('video is pending only for cameras whose audio is in', () => {
  assert.equal(videoPending([{ state: 'ready', videoState: 'ready' }]), false);
  assert.equal(videoPending([{ state: 'ready', videoState: 'encoding' }]), true);
  assert.equal(videoPending([{ state: 'ready', videoState: 'pending' }]), true);
  assert.equal(videoPending([{ state: 'failed', videoState: 'pending' }]), false);
  assert.equal(videoPending([{ state: 'ready', videoState: 'failed' }]), false);
  assert.equal(videoPending(undefined), false);
});

test('the video track alone, as a review clip tile names the proxy still to come', () => {
  assert.equal(videoText({ videoState: 'pending' }), 'video queued');
  assert.equal(videoText({ videoState: 'encoding', videoProgressPct: 45 }), 'proxy 45 %');
  assert.equal(videoText({ videoState: 'encoding' }), 'proxy starting');
  assert.equal(videoText({ videoState: 'failed' }), 'video failed');
  assert.equal(videoText({ videoState: 'ready' }), 'ready');
});
